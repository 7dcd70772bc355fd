"""`conciliare spese DIR` and `conciliare rendiconto DIR`: the vouchers in use.

`spese` checks the providers' list and the invoices against the acts and writes each
provider's findings to send back (erogatori/); `rendiconto` makes the same checks and writes
the reports the funder asks for (rendiconto.xlsx, movimenti.csv): each file has one command.
Both read the DEFINITIVA result in DIR/esiti (or --esiti), and the scorrimenti in
DIR/scorrimenti, and write into DIR/spese (or --spese).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import typer

from conciliare_cli.app import command, console
from conciliare_cli.commands.options import call_folder_argument, output_dir, parse_run_date
from conciliare_cli.config import load_call
from conciliare_cli.italian import eur
from conciliare_cli.spending.participants import participants, write_participants
from conciliare_cli.spending.process import SpendingResult, published_vouchers, spending_of
from conciliare_cli.spending.report_files import (
    PROVIDER_FOLDER,
    write_provider_files,
    write_reports,
)
from conciliare_cli.spending.retention import INDEX, retention_index, write_index
from conciliare_cli.spending.transparency import REGISTER, register, write_register

Writer = Callable[[SpendingResult, Path, dt.date], list[Path]]
ESITI_HELP = "Cartella della graduatoria definitiva (predefinita: CARTELLA/esiti)."
OUT_HELP = "Cartella delle uscite (predefinita: la cartella 'output' di spending, 'spese')."
DATE_HELP = "Data delle uscite, AAAA-MM-GG (predefinita: oggi)."


def _run(
    folder: Path, esiti: Path | None, out: Path | None, date: str | None, writer: Writer
) -> SpendingResult:
    call = load_call(folder)
    result = spending_of(call, output_dir(folder, esiti))
    assert call.config.spending is not None
    target = out if out is not None else folder / call.config.spending.output
    writer(result, target, parse_run_date(date))
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
        ended = int(row.ended_cents)
        of_which = f" (di cui {eur(ended)} a voucher poi cessati)" if ended else ""
        console.print(
            f"  {row.fund_id}: assegnato {eur(int(row.awarded_cents))}{of_which}, speso "
            f"{eur(int(row.spent_cents))}, non speso {eur(int(row.unspent_cents))}",
            highlight=False,
        )


@command("spese")
def spese_command(
    folder: Path = call_folder_argument(),
    esiti: Path | None = typer.Option(None, "--esiti", help=ESITI_HELP),
    out: Path | None = typer.Option(None, "--spese", help=OUT_HELP, metavar="CARTELLA-SPESE"),
    date: str | None = typer.Option(None, "--data", help=DATE_HELP, metavar="AAAA-MM-GG"),
) -> None:
    """Controlla l'elenco degli erogatori e le loro fatture sui voucher della graduatoria
    definitiva: un file di anomalie per erogatore (in erogatori/), da rimandare."""
    result = _run(folder, esiti, out, date, write_provider_files)
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
    out: Path | None = typer.Option(None, "--spese", help=OUT_HELP, metavar="CARTELLA-SPESE"),
    date: str | None = typer.Option(None, "--data", help=DATE_HELP, metavar="AAAA-MM-GG"),
) -> None:
    """Rendiconto per fondo, partner, erogatore e voucher (assegnato, speso, non speso, con le
    fatture dietro ogni cifra): rendiconto.xlsx e movimenti.csv."""
    result = _run(folder, esiti, out, date, write_reports)
    _summary(result)


@command("conservazione")
def conservazione_command(
    folder: Path = call_folder_argument(),
    out: Path | None = typer.Option(None, "--spese", help=OUT_HELP, metavar="CARTELLA-SPESE"),
) -> None:
    """Indice di conservazione: ogni file del bando (regole, domande, correzioni, atti, lettere,
    erogatori, fatture, rendiconto) con impronta SHA-256, dimensione e data fino a cui
    conservarlo (spending.keep_until)."""
    call = load_call(folder)
    output = call.config.spending.output if call.config.spending is not None else "spese"
    frame = retention_index(call)
    target = out if out is not None else folder / output
    write_index(frame, target)
    counts = frame.groupby("kind", sort=True).size()
    console.print(f"{INDEX} scritto in {target}: {len(frame)} file.", highlight=False)
    for kind, n in counts.items():
        console.print(f"  {kind}: {n}", highlight=False)


@command("trasparenza")
def trasparenza_command(
    folder: Path = call_folder_argument(),
    esiti: Path | None = typer.Option(None, "--esiti", help=ESITI_HELP),
    out: Path | None = typer.Option(None, "--spese", help=OUT_HELP, metavar="CARTELLA-SPESE"),
) -> None:
    """Registro della trasparenza (d.lgs. 33/2013 art. 26-27): i beneficiari oltre 1.000 euro
    nell'anno solare, con le esclusioni dell'art. 26 c. 4 (vedi README)."""
    call = load_call(folder)
    result_dir = output_dir(folder, esiti)
    vouchers = published_vouchers(call, result_dir)
    frame = register(call, vouchers)
    output = call.config.spending.output if call.config.spending is not None else "spese"
    target = out if out is not None else folder / output
    write_register(frame, target)
    console.print(
        f"{REGISTER} scritto in {target}: {len(frame)} beneficiari oltre 1.000,00 € nell'anno.",
        highlight=False,
    )


@command("fse")
def fse_command(
    folder: Path = call_folder_argument(),
    esiti: Path | None = typer.Option(None, "--esiti", help=ESITI_HELP),
    out: Path | None = typer.Option(None, "--spese", help=OUT_HELP, metavar="CARTELLA-SPESE"),
    date: str | None = typer.Option(None, "--data", help=DATE_HELP, metavar="AAAA-MM-GG"),
) -> None:
    """Dati dei partecipanti FSE (Allegato I Reg. UE 1304/2013), contati una volta, e i dati
    che i file dei partner non forniscono: fse_partecipanti.csv e fse_dati_mancanti.xlsx."""
    call = load_call(folder)
    vouchers = published_vouchers(call, output_dir(folder, esiti))
    result = participants(call, vouchers)
    output = call.config.spending.output if call.config.spending is not None else "spese"
    target = out if out is not None else folder / output
    title = call.config.call.title
    write_participants(result, target, title, parse_run_date(date))
    missing = result.missing[result.missing["missing"] > 0]
    console.print(f"Partecipanti FSE: {len(result.table)} (in {target}).", highlight=False)
    for row in missing.groupby("label", sort=False)["missing"].sum().items():
        console.print(f"  senza «{row[0]}»: {row[1]}", highlight=False)
