"""`conciliare verify DIR`: re-run the call and check the published result byte for byte."""

from __future__ import annotations

from pathlib import Path

import typer

from conciliare_cli.acts.chain import issued_acts
from conciliare_cli.acts.ledger import verify_chain
from conciliare_cli.app import command, console, err_console
from conciliare_cli.audit import REPRODUCED, verify_result
from conciliare_cli.commands.options import call_folder, call_folder_argument
from conciliare_cli.italian import date_short


@command("verify")
def verify_command(
    folder: Path = call_folder_argument(),
    out: Path | None = typer.Option(
        None,
        "--esiti",
        help="Cartella degli esiti da verificare (predefinita: CARTELLA/esiti).",
        metavar="CARTELLA-ESITI",
    ),
) -> None:
    """Ricalcola la graduatoria e controlla che sia identica a quella pubblicata.

    Legge manifest.json, controlla le impronte (SHA-256) delle regole, dei file dei partner e
    degli esiti, rifà il calcolo con la stessa data e lo stesso stato e confronta ogni file.
    Se le lettere sono state scritte, controlla anche lettere e buoni (manifest-lettere.json).
    Poi, se ci sono scorrimenti (CARTELLA/scorrimenti/), ricalcola ogni atto dalla graduatoria
    definitiva e dal registro degli eventi e controlla la catena dei manifest, e le lettere
    scritte per ogni scorrimento.
    Esce con 0 se il risultato è riprodotto esattamente, 1 se qualcosa è diverso.
    """
    call_folder(folder)
    with err_console.status("Verifica in corso (ricalcolo della graduatoria)..."):
        report = verify_result(folder, out)
    if report.reproduced:
        console.print(f"[bold green]{REPRODUCED}[/]")
        console.print(
            f"Graduatoria {report.status} del {date_short(report.run_date)}: "
            "regole, file dei partner ed esiti corrispondono al manifest.",
            highlight=False,
        )
        if report.letters is not None:
            console.print(
                f"Lettere: {report.letters.checked} file (lettere, buoni, elenchi) corrispondono "
                "al manifest delle lettere e sono riprodotti identici.",
                highlight=False,
            )
        if out is None:  # the acts after the final list (DIR/scorrimenti/)
            _verify_acts(folder)
        return
    console.print("[bold red]Il risultato NON è riprodotto:[/]")
    for line in report.lines():
        console.print(f"  - {line}", highlight=False, markup=False)
    if report.versions:
        console.print("Versioni diverse da quelle del manifest (possibile causa):")
        for note in report.versions:
            console.print(f"  - {note}", highlight=False, markup=False)
    raise typer.Exit(1)


def _verify_acts(folder: Path) -> None:
    """The chain of scorrimento acts, each recomputed (exit 1 when it does not hold)."""
    if not issued_acts(folder):
        return
    with err_console.status("Verifica degli scorrimenti (ricalcolo di ogni atto)..."):
        chain = verify_chain(folder, letters=True)
    if chain.holds:
        console.print(
            f"Scorrimenti: {chain.acts} atti, ognuno ricalcolato dalla graduatoria definitiva "
            "e dagli eventi fino alla sua data: la catena è integra.",
            highlight=False,
        )
        if chain.letters:
            console.print(
                f"Lettere degli scorrimenti ({chain.letters} "
                f"{'atto' if chain.letters == 1 else 'atti'}): corrispondono al loro "
                "manifest e sono riprodotte identiche.",
                highlight=False,
            )
        return
    console.print("[bold red]La catena degli scorrimenti NON è integra:[/]")
    for line in chain.problems:
        console.print(f"  - {line}", highlight=False, markup=False)
    raise typer.Exit(1)
