"""`conciliare evento DIR --tipo ... --domanda ...`: one event added to the register
(acts/register.py)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from conciliare_cli.acts.finallist import final_list
from conciliare_cli.acts.new_event import add_event
from conciliare_cli.app import command, console, err_console
from conciliare_cli.commands.options import call_folder, call_folder_argument
from conciliare_cli.italian import date_short
from conciliare_cli.lock import call_lock


@command("evento")
def evento_command(
    folder: Path = call_folder_argument(),
    tipo: str = typer.Option(
        ...,
        "--tipo",
        help="accettazione, rinuncia, revoca, decadenza, controllo, riammissione, correzione.",
        metavar="TIPO",
    ),
    domanda: str = typer.Option(
        ..., "--domanda", help="Protocollo della domanda, come in graduatoria.", metavar="ID"
    ),
    minore: str | None = typer.Option(
        None,
        "--minore",
        help="Un solo minore: codice fiscale o numero nella domanda (1, 2, ...); "
        "senza, tutta la domanda.",
        metavar="CF|N",
    ),
    data: str = typer.Option(
        ...,
        "--data",
        help="Data della decisione (o del ricevimento della rinuncia).",
        metavar="AAAA-MM-GG",
    ),
    esito: str | None = typer.Option(
        None,
        "--esito",
        help="Per un controllo: regolare o irregolare. Per una riammissione o una correzione: "
        "precedenza, se l'atto la finanzia prima della lista d'attesa.",
        metavar="ESITO",
    ),
    importo: str | None = typer.Option(
        None,
        "--importo",
        help="Per una correzione: il nuovo voucher del minore (es. 300,00); per una "
        "riammissione, se i dati non lo danno.",
        metavar="EURO",
    ),
    motivo: str | None = typer.Option(None, "--motivo", help="Il motivo.", metavar="TESTO"),
    atto: str | None = typer.Option(
        None, "--atto", help="Riferimento dell'atto (protocollo, determina).", metavar="TESTO"
    ),
    registrato_da: str = typer.Option(
        ..., "--registrato-da", help="Chi registra l'evento (nome e ufficio).", metavar="NOME"
    ),
    note: str | None = typer.Option(None, "--note", help="Note.", metavar="TESTO"),
) -> None:
    """Registra un evento dopo la graduatoria definitiva (rinuncia, revoca, controllo...).

    La riga è controllata come quelle del registro (domanda e minore in graduatoria, data non
    precedente alla graduatoria definitiva né all'ultimo scorrimento emesso) e aggiunta in
    fondo a CARTELLA/eventi.csv (creato se non c'è un registro). Un registro eventi.xlsx o
    .ods non viene riscritto: il comando controlla la riga e dice che cosa scrivervi a mano."""
    call_folder(folder)
    values = {"date": data, "event": tipo, "application": domanda, "minor": minore,
              "outcome": esito, "reason": motivo, "act": atto, "by": registrato_da,
              "note": note, "amount": importo}  # fmt: skip
    with (
        call_lock(folder, "evento"),
        err_console.status("Controllo sulla graduatoria definitiva..."),
    ):
        added = add_event(folder, final_list(folder), values)
    e = added.event
    who = f"domanda {e['application_id']}" + (f", minore {e['minor']}" if e["minor"] else "")
    what = e["kind"] + (f" ({e['outcome']})" if e["outcome"] else "")
    made = " (registro creato)" if added.created else ""
    console.print(
        f"Registrato in [bold]{escape(added.path.name)}[/]{made}, riga {added.row}: "
        f"{escape(what)}, {escape(who)}, {date_short(e['date'])}.",
        highlight=False,
    )
    console.print("Il prossimo scorrimento ne terrà conto (conciliare scorrimento).")
