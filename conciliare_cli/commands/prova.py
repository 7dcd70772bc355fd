"""`conciliare prova DIR`: the call's own worked examples (prove.yaml) as tests of its rules."""

from __future__ import annotations

from pathlib import Path

import typer

from conciliare_cli.app import command, console, err_console
from conciliare_cli.commands.options import call_folder_argument
from conciliare_cli.trials import TRIALS_NAME, check_call


@command("prova")
def prova_command(
    folder: Path = call_folder_argument(),
    cases: Path | None = typer.Option(
        None, "--casi", help=f"File dei casi di prova (predefinito: CARTELLA/{TRIALS_NAME})."
    ),
) -> None:
    """Prova le regole del bando su domande inventate, prima di ogni graduatoria vera.

    Legge i casi di prova (predefinito prove.yaml nella cartella del bando): per ogni caso,
    alcune domande inventate e l'esito che il testo del bando dà a ciascuna. Li fa passare per
    le regole di bando.yaml (requisiti, punteggi, domande ripetute, graduatoria, importi,
    riserve e fondi) e dice caso per caso che cosa è diverso. I file dei partner non sono
    letti. Esce con 0 se ogni caso dà l'esito atteso, 1 se qualcuno no.
    """
    with err_console.status("Prova delle regole in corso..."):
        reports = check_call(folder, cases)
    failed = [r for r in reports if not r.passed]
    for r in reports:
        mark = "[green]superato[/]" if r.passed else "[bold red]NON superato[/]"
        where = f" (riga {r.line})" if r.line else ""
        console.print(f"{mark}  {r.title}{where}", highlight=False)
        for problem in r.problems:
            console.print(f"      - {problem}", highlight=False, markup=False)
    n = len(reports)
    if failed:
        console.print(
            f"[bold red]{len(failed)} casi su {n} non danno l'esito atteso.[/]"
            if len(failed) > 1
            else f"[bold red]1 caso su {n} non dà l'esito atteso.[/]",
            highlight=False,
        )
        raise typer.Exit(1)
    what = "1 caso su 1 dà" if n == 1 else f"{n} casi su {n} danno"
    console.print(f"[bold green]Regole confermate: {what} l'esito atteso.[/]", highlight=False)
