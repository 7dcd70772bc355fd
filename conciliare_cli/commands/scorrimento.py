"""`conciliare scorrimento DIR --data D`: the next act after the final list (acts/)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from conciliare_cli.acts.ledger import issue_next
from conciliare_cli.acts.standing import standing
from conciliare_cli.app import command, console, err_console
from conciliare_cli.commands.options import call_folder_argument, parse_run_date
from conciliare_cli.commands.situazione import print_lapsed
from conciliare_cli.italian import eur
from conciliare_cli.lock import call_lock
from conciliare_cli.publish.manifest import read_manifest


@command("scorrimento")
def scorrimento_command(
    folder: Path = call_folder_argument(),
    date: str | None = typer.Option(
        None, "--data", help="Data dell'atto, AAAA-MM-GG (predefinita: oggi)."
    ),
) -> None:
    """Scorrimento della graduatoria: assegna i fondi liberati da rinunce, revoche e decadenze.

    Parte dalla graduatoria DEFINITIVA (CARTELLA/esiti) e dal registro degli eventi
    (CARTELLA/eventi.xlsx): chi rinuncia o è revocato perde il voucher, tutti gli altri
    tengono posizione e importo, i fondi liberati scorrono lungo la lista d'attesa in ordine di
    posizione con le regole del bando. Scrive l'atto in CARTELLA/scorrimenti/scorrimento_N/
    (graduatoria.xlsx, graduatoria.csv, variazioni.csv, elenco_pubblico.csv, manifest.json);
    gli atti precedenti e la graduatoria definitiva non cambiano. Se bando.yaml richiede
    l'accettazione (acceptance:), elenca le famiglie il cui termine è scaduto senza
    accettazione: la decadenza si dichiara con un atto e si registra, non è applicata da sola."""
    when = parse_run_date(date)
    with (
        call_lock(folder, "scorrimento"),  # one writer at a time: never two acts at once
        err_console.status("Scorrimento in corso (ricalcolo della graduatoria definitiva)..."),
    ):
        _, target, base = issue_next(folder, when)
        s = standing(folder, base, on=when)
    manifest = read_manifest(target) or {}
    counts = manifest.get("counts", {})
    console.print(f"[bold]{escape(str(manifest.get('title', '')))}[/]")
    console.print(
        f"Eventi considerati: {len(manifest['events']['this_act'])}; minori con esito "
        f"cambiato: {counts.get('changed_minors', 0)} in "
        f"{counts.get('changed_applications', 0)} domande (variazioni.csv).",
        highlight=False,
    )
    for fund in manifest.get("funds", []):
        console.print(
            f"  {fund['fund_id']}: dalla graduatoria definitiva liberati "
            f"{eur(fund['freed_cents'])}, riassegnati {eur(fund['reassigned_cents'])}; "
            f"ancora disponibili {eur(fund['free_cents'])}",
            highlight=False,
        )
    console.print(f"Atto scritto in [bold]{escape(str(target))}[/]")
    print_lapsed(s.lapsed, folder, when)
