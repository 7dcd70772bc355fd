"""`conciliare explain DIR ID`: why an application got its outcome (criteria, ties, money)."""

from __future__ import annotations

from pathlib import Path

import typer

from conciliare_cli import runs
from conciliare_cli.app import command, console
from conciliare_cli.commands.options import call_folder_argument, output_dir
from conciliare_cli.engine.explanation import explain_application


@command("explain")
def explain_command(
    folder: Path = call_folder_argument(),
    application_id: str = typer.Argument(
        ..., help="Protocollo della domanda (application_id).", metavar="PROTOCOLLO"
    ),
) -> None:
    """Spiega l'esito di una domanda: punti di ogni criterio, parità, posizione, importi."""
    done = runs.recorded(output_dir(folder, None))  # the graduatoria on disk, if any
    result = runs.run(folder, run_date=done.run_date, override=done.override)
    text = explain_application(result, application_id)
    console.print(text, markup=False, highlight=False, soft_wrap=True)
