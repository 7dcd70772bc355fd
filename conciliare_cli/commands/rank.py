"""`conciliare rank DIR`: eligibility, scores, graduatoria, allocation; writes the outputs."""

from __future__ import annotations

from pathlib import Path

import typer

from conciliare_cli import runs
from conciliare_cli.app import command, console, err_console
from conciliare_cli.commands.options import (
    call_folder,
    call_folder_argument,
    output_dir,
    parse_run_date,
)
from conciliare_cli.commands.progress import reading_progress
from conciliare_cli.config import load_call
from conciliare_cli.publish import guard_final
from conciliare_cli.write.graduatoria import (
    print_summary,
)


@command("rank")
def rank_command(
    folder: Path = call_folder_argument(),
    out: Path | None = typer.Option(
        None,
        "--esiti",
        help="Cartella degli esiti (predefinita: CARTELLA/esiti).",
        metavar="CARTELLA-ESITI",
    ),
    date: str | None = typer.Option(
        None, "--data", help="Data della graduatoria (predefinita: oggi).", metavar="AAAA-MM-GG"
    ),
    final: bool = typer.Option(
        False, "--definitiva", help="Graduatoria DEFINITIVA (altrimenti PROVVISORIA)."
    ),
    force: bool = typer.Option(
        False,
        "--forza",
        help="Rifà una graduatoria DEFINITIVA già scritta (la precedente va in esiti/archivio/).",
    ),
) -> None:
    """Compila la graduatoria: requisiti, punteggi, ordine, assegnazione dei fondi."""
    call_folder(folder)
    run_date = parse_run_date(date)
    status = "DEFINITIVA" if final else "PROVVISORIA"
    target = output_dir(folder, out)
    call = load_call(folder)
    with reading_progress(call) as on_file:
        result = runs.run(folder, on_file=on_file, call=call)
    guard_final(target, final, force, run_date)  # after the run: a failed run archives nothing
    with err_console.status("Scrittura della graduatoria..."):
        runs.write_outputs(result, target, status, run_date)
    print_summary(result, console)
    console.print(f"Graduatoria {status} scritta in [bold]{target}[/]")
