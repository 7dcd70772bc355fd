"""`conciliare ricevute DIR`: record the day families received their letters, or list them.

    conciliare ricevute bando-2018 --protocolli ASST-0042,ASST-0043 --data 2017-09-20 --canale PEC
    conciliare ricevute bando-2018            # the letters of the last run, received or not

The register is `CARTELLA/ricevute.csv` (see letters/received.py for its format); terms run
from the day of receipt.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from conciliare_cli.app import command, console
from conciliare_cli.commands.options import call_folder_argument, output_dir
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_short
from conciliare_cli.letters.issued import read_letters_manifest
from conciliare_cli.letters.received import CHANNELS, REGISTER, parse_day, read_register, record
from conciliare_cli.lock import call_lock


def _sent(folder: Path) -> tuple[str, list[str]]:
    """(list status, application ids) of the letters in esiti/lettere, from their manifest."""
    data = read_letters_manifest(output_dir(folder, None) / "lettere")
    if not data:
        raise UserError(
            "non trovo le lettere (esiti/lettere/manifest-lettere.json)",
            hint="lanciare prima 'conciliare letters'",
        )
    ids = sorted({f["application_id"] for f in data.get("files", []) if f.get("kind") == "lettera"})
    return str(data.get("graduatoria", {}).get("status", "")), ids


@command("ricevute")
def receipts_command(
    folder: Path = call_folder_argument(),
    ids: str | None = typer.Option(
        None,
        "--protocolli",
        help="Domande di cui registrare la ricevuta (protocolli separati da virgole).",
        metavar="ID",
    ),
    day: str | None = typer.Option(
        None, "--data", help="Giorno del ricevimento.", metavar="AAAA-MM-GG"
    ),
    channel: str = typer.Option("PEC", "--canale", help="PEC, EMAIL, POSTA o 'A MANO'."),
    evidence: str = typer.Option(
        "", "--riferimento", help="Ricevuta PEC, numero della raccomandata..."
    ),
) -> None:
    """Registra il giorno in cui le famiglie hanno ricevuto la lettera (da cui decorrono i termini).

    Senza --protocolli elenca le lettere dell'ultima esecuzione di 'letters', ricevute e non.
    """
    status, sent = _sent(folder)
    if ids:
        chosen = [t.strip() for t in ids.split(",") if t.strip()]
        unknown = sorted(set(chosen) - set(sent))
        if unknown:
            raise UserError("--protocolli: nessuna lettera per " + ", ".join(unknown[:10]))
        received_day = parse_day(day or "")
        if received_day is None:
            raise UserError("--data: indicare il giorno del ricevimento (AAAA-MM-GG o GG/MM/AAAA)")
        kind = channel.strip().upper()
        if kind not in CHANNELS:
            raise UserError(f"--canale: '{channel}' non è uno di {', '.join(CHANNELS)}")
        with call_lock(folder, "ricevute"):  # one writer of ricevute.csv at a time
            n = record(
                folder,
                chosen,
                list_status=status,
                channel=kind,
                day=received_day,
                evidence=evidence,
            )
        console.print(f"{n} ricevute registrate in {folder / REGISTER}", highlight=False)
    received = {r.application_id: r for r in read_register(folder) if r.list_status == status}
    table = Table(title=f"Lettere della graduatoria {status}", title_justify="left")
    table.add_column("Stato")
    table.add_column("Lettere", justify="right")
    done = [a for a in sent if a in received]
    table.add_row("ricevute", str(len(done)))
    table.add_row("non ancora ricevute", str(len(sent) - len(done)))
    console.print(table)
    if done:
        last = max(received[a].received_on for a in done)
        console.print(f"Ultimo ricevimento registrato: {date_short(last)}", highlight=False)
