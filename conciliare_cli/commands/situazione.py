"""`conciliare situazione DIR`: where the call stands after the last act (acts/standing.py)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from conciliare_cli.acts.finallist import final_list
from conciliare_cli.acts.standing import standing, write_standing
from conciliare_cli.app import command, console, err_console
from conciliare_cli.commands.options import call_folder_argument, parse_run_date
from conciliare_cli.italian import date_short, eur
from conciliare_cli.lock import call_lock

FILE = "situazione.xlsx"
MEASURES = (
    ("final_cents", "Assegnato nella definitiva"),
    ("renounced_cents", "Rinunce"),
    ("revoked_cents", "Revoche"),
    ("lapsed_cents", "Decadenze"),
    ("reassigned_cents", "Riassegnato"),
    ("awarded_cents", "Assegnato ora"),
    ("free_cents", "Ancora disponibile"),
)


@command("situazione")
def situazione_command(
    folder: Path = call_folder_argument(),
    date: str | None = typer.Option(
        None, "--data", help="Data stampata sul prospetto, AAAA-MM-GG (predefinita: oggi)."
    ),
) -> None:
    """Dove si è arrivati dopo l'ultimo scorrimento: fondi, rinunce, revoche, famiglie in attesa.

    Per fondo e riserva: assegnato, rinunce, revoche, decadenze, riassegnato e ancora
    disponibile; per ente le domande finanziate, in attesa, rinunciate e revocate.

    Ricalcola gli scorrimenti emessi dalla graduatoria DEFINITIVA e dal registro degli
    eventi; scrive CARTELLA/situazione.xlsx (un prospetto, non un atto)."""
    when = parse_run_date(date)
    with call_lock(folder, "situazione"), err_console.status("Ricalcolo degli atti..."):
        base = final_list(folder)
        s = standing(folder, base)
        write_standing(Path(folder) / FILE, base, s, when)
    where = (
        f"dopo lo scorrimento n. {s.acts} del {date_short(s.last_date)}"
        if s.acts
        else f"graduatoria definitiva del {date_short(s.last_date)}"
    )
    table = Table(title=f"Fondi – {where}")
    table.add_column("")
    pots = s.pots.to_dict("records")
    for r in pots:
        table.add_column(str(r["pot"]), justify="right")
    for key, label in MEASURES:
        table.add_row(label, *(eur(r[key]) for r in pots))
    console.print(table)
    console.print(
        f"Famiglie ancora in lista d'attesa: {s.waiting}; i fondi arrivano fino alla "
        f"posizione {s.last_reached}. Eventi registrati dopo l'ultimo atto: {s.pending}.",
        highlight=False,
    )
    console.print(f"Prospetto in [bold]{escape(str(Path(folder) / FILE))}[/]")
