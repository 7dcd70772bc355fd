"""`conciliare spese DIR` and `conciliare rendiconto DIR`: the vouchers in use.

`spese` checks the providers' list and the invoices against the final list and writes each
provider's findings to send back; `rendiconto` writes the same and the reports the funder
asks for (rendiconto.xlsx, movimenti.csv). Both read the DEFINITIVA result in DIR/esiti (or
--esiti) and write into DIR/spese (or --out).
"""

from __future__ import annotations

from pathlib import Path

import typer

from conciliare_cli.app import command, console
from conciliare_cli.commands.options import call_folder_argument, output_dir, parse_run_date
from conciliare_cli.config import load_call
from conciliare_cli.italian import eur
from conciliare_cli.spending.process import SpendingResult, spending_of
from conciliare_cli.spending.report_files import PROVIDER_FOLDER, write_reports

ESITI_HELP = "Cartella della graduatoria definitiva (predefinita: CARTELLA/esiti)."
OUT_HELP = "Cartella delle uscite (predefinita: la cartella 'output' di spending, 'spese')."
DATE_HELP = "Data delle uscite, AAAA-MM-GG (predefinita: oggi)."


def _run(folder: Path, esiti: Path | None, out: Path | None, date: str | None) -> SpendingResult:
    call = load_call(folder)
    result = spending_of(call, output_dir(folder, esiti))
    assert call.config.spending is not None
    target = out if out is not None else folder / call.config.spending.output
    write_reports(result, target, parse_run_date(date))
    console.print(f"Uscite scritte in {target}", highlight=False)
    return result


def _summary(result: SpendingResult) -> None:
    moves = result.moves
    counted = int(moves["counted_cents"].sum())
    rejected = int((moves["outcome"] == "NON_CONTEGGIATA").sum())
    reduced = int((moves["outcome"] == "CONTEGGIATA_IN_PARTE").sum())
    console.print(
        f"Righe di fattura: {len(moves)}; conteggiate per {eur(counted)}; "
        f"non conteggiate: {rejected}; conteggiate in parte: {reduced}.",
        highlight=False,
    )
    for row in result.fund_table().itertuples():
        console.print(
            f"  {row.fund_id}: assegnato {eur(int(row.awarded_cents))}, speso "
            f"{eur(int(row.spent_cents))}, non speso {eur(int(row.unspent_cents))}",
            highlight=False,
        )


@command("spese")
def spese_command(
    folder: Path = call_folder_argument(),
    esiti: Path | None = typer.Option(None, "--esiti", help=ESITI_HELP),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    date: str | None = typer.Option(None, "--date", help=DATE_HELP),
) -> None:
    """Controlla l'elenco degli erogatori e le loro fatture sui voucher della graduatoria
    definitiva: un file di anomalie per erogatore (in erogatori/), da rimandare."""
    result = _run(folder, esiti, out, date)
    _summary(result)
    blocking = int(result.findings["severity"].eq("BLOCCANTE").sum())
    console.print(
        f"Anomalie bloccanti: {blocking}; i file per gli erogatori sono in {PROVIDER_FOLDER}/.",
        highlight=False,
    )


@command("rendiconto")
def rendiconto_command(
    folder: Path = call_folder_argument(),
    esiti: Path | None = typer.Option(None, "--esiti", help=ESITI_HELP),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    date: str | None = typer.Option(None, "--date", help=DATE_HELP),
) -> None:
    """Rendiconto per fondo, partner, erogatore e voucher (assegnato, speso, non speso, con le
    fatture dietro ogni cifra): rendiconto.xlsx e movimenti.csv."""
    result = _run(folder, esiti, out, date)
    _summary(result)
