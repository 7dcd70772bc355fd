"""`conciliare demo-data DIR`: a synthetic call folder for demos, tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from conciliare_cli import italian
from conciliare_cli.app import command, console
from conciliare_cli.demo import DEFAULT_FORMATS, FORMATS, generate_call


@command("demo-data")
def demo_data_command(
    folder: Path = typer.Argument(
        ...,
        help="Cartella del bando da creare (bando.yaml e file dei partner).",
        metavar="CARTELLA",
    ),
    applications: int = typer.Option(
        1000, "--domande", min=1, help="Numero di domande da generare."
    ),
    seed: int = typer.Option(
        2017, "--seme", help="Seme del generatore: lo stesso seme dà file identici."
    ),
    partners: int = typer.Option(5, "--partner", min=1, help="Numero di enti partner."),
    formats: str = typer.Option(
        ",".join(DEFAULT_FORMATS),
        "--formati",
        help="Formati dei file, separati da virgola, assegnati ai partner a turno: "
        + ", ".join(FORMATS)
        + ".",
    ),
) -> None:
    """Genera un bando di prova con domande realistiche (dati inventati) nei formati dei
    partner: nomi, codici fiscali validi, ISEE, disabilità e DSA, date di presentazione."""
    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    with console.status("Generazione delle domande..."):
        made = generate_call(folder, applications, seed, partners=partners, formats=chosen)
    console.print(
        f"Creato il bando di prova in [bold]{escape(str(folder))}[/]: "
        f"{italian.number(made.applications)} domande, {italian.number(made.minors)} minori, "
        f"{len(made.partners)} partner, in {italian.number(made.seconds, 1)} secondi."
    )
    for p in made.partners:
        layout = "una riga per minore" if p.layout == "minor" else "una riga per domanda"
        console.print(
            f"  {p.id:<8} {p.name}: {italian.number(p.applications)} domande ({p.format}, {layout})"
        )
    console.print(f"Per controllarlo:  conciliare validate {folder}", markup=False)
