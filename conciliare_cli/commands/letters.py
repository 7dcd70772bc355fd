"""`conciliare letters DIR`: a letter for every application (PDF/A, or HTML), with an index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from conciliare_cli import runs
from conciliare_cli.app import command, console, err_console
from conciliare_cli.commands.options import call_folder_argument, output_dir, parse_run_date
from conciliare_cli.commands.progress import reading_progress
from conciliare_cli.config import load_call
from conciliare_cli.config.inside import check_letters_files
from conciliare_cli.engine.outcomes import application_outcomes
from conciliare_cli.errors import UserError
from conciliare_cli.letters import (
    FORMATS,
    OUTCOMES,
    LettersReport,
    load_weasyprint,
    parse_ids,
    parse_outcomes,
    write_letters,
)
from conciliare_cli.letters.files import INDEX_NAME
from conciliare_cli.status import Status, status_label

LETTERS_DIR = "lettere"


@contextmanager
def letters_progress() -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """(on_start(total), on_progress(n)) driving a rich bar over the letters."""
    progress = Progress(
        TextColumn("[bold]Lettere"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = progress.add_task("lettere", total=None)
    with progress:

        def on_start(total: int) -> None:
            progress.update(task, total=total)

        def on_progress(n: int) -> None:
            progress.update(task, advance=n)

        yield on_start, on_progress


def print_letters_summary(report: LettersReport) -> None:
    table = Table(title="Lettere scritte", title_justify="left")
    table.add_column("Esito")
    table.add_column("Lettere", justify="right")
    for outcome in OUTCOMES:
        if report.counts.get(outcome):
            table.add_row(status_label(outcome), str(report.counts[outcome]))
    table.add_row("[bold]Totale[/]", f"[bold]{report.letters}[/]")
    console.print(table)
    kind = "PDF" if report.fmt == "pdf" else "HTML"
    console.print(
        f"{report.letters} lettere {kind} in [bold]{escape(str(report.folder))}[/] "
        f"(tutte insieme in lettere-tutte.{report.fmt}, elenco per l'invio in {INDEX_NAME})",
        highlight=False,
    )


@command("letters")
def letters_command(
    folder: Path = call_folder_argument(),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Cartella delle lettere (predefinita: CARTELLA/esiti/lettere).",
        metavar="DIR",
    ),
    fmt: str = typer.Option(
        "pdf", "--format", help="pdf (PDF/A, predefinito) oppure html.", metavar="FORMATO"
    ),
    only: str | None = typer.Option(
        None,
        "--only",
        help="Solo questi esiti, separati da virgole: " + ", ".join(OUTCOMES) + ".",
        metavar="ESITI",
    ),
    ids: str | None = typer.Option(
        None, "--ids", help="Solo queste domande (protocolli separati da virgole).", metavar="ID"
    ),
    date: str | None = typer.Option(
        None,
        "--date",
        help="Data delle lettere e dei PDF (predefinita: oggi).",
        metavar="AAAA-MM-GG",
    ),
    graduatoria: Path | None = typer.Option(
        None,
        "--graduatoria",
        help="graduatoria.csv con cui confrontare gli importi "
        "(predefinita: CARTELLA/esiti/graduatoria.csv, se esiste).",
        metavar="FILE",
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="Processi in parallelo per i PDF (predefinito: uno per core).",
        metavar="N",
    ),
) -> None:
    """Scrive una lettera per ogni domanda: finanziata, in parte, in attesa o esclusa.

    Ogni lettera riporta importi, motivazione del punteggio, motivi di esclusione, uso del
    voucher, rinuncia e ricorsi. Gli importi sono confrontati con graduatoria.csv: se la
    graduatoria è cambiata non viene scritta nessuna lettera.
    """
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise UserError(f"--format: formato sconosciuto '{fmt}'", hint="pdf oppure html")
    run_date = parse_run_date(date)
    outcomes = parse_outcomes(only)
    chosen_ids = parse_ids(ids)
    if fmt == "pdf":
        load_weasyprint()  # fails early, in Italian, if Pango is missing
    call = load_call(folder)
    check_letters_files(call)  # templates and logos inside the call folder, before any work
    if graduatoria is not None and not graduatoria.is_file():
        raise UserError(f"non trovo la graduatoria {graduatoria}")
    csv_path = graduatoria or output_dir(folder, None) / "graduatoria.csv"
    if not csv_path.is_file():
        raise UserError(
            f"non c'è una graduatoria ({csv_path}): le lettere comunicano l'esito di una "
            "graduatoria pubblicata",
            hint=f"lanciare prima: conciliare rank {folder}",
        )
    done = runs.recorded(csv_path.parent)
    with reading_progress(call) as on_file:
        result = runs.run(
            folder, on_file=on_file, call=call, run_date=done.run_date, override=done.override
        )
    target = out if out is not None else output_dir(folder, None) / LETTERS_DIR
    pending = int((application_outcomes(result.minors) == Status.TO_REGULARISE.value).sum())
    if pending:
        err_console.print(
            f"[yellow]Nota:[/] {pending} domande da regolarizzare: per loro nessuna lettera "
            "finché l'istruttoria non è chiusa (vedi conciliare validate).",
            highlight=False,
        )
    with letters_progress() as (on_start, on_progress):
        report = write_letters(
            result,
            target,
            run_date=run_date,
            fmt=fmt,
            only=outcomes,
            ids=chosen_ids,
            graduatoria=csv_path,
            workers=workers,
            on_start=on_start,
            on_progress=on_progress,
        )
    print_letters_summary(report)
