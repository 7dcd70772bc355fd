"""`conciliare situazione DIR`: where the call stands after the last act (acts/standing.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
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
    eventi; scrive CARTELLA/situazione.xlsx (un prospetto, non un atto). Se bando.yaml
    stabilisce i termini (acceptance:), il foglio Scadenze dà per ogni famiglia finanziata i
    termini per accettare e rinunciare, dal registro delle ricevute, ed elenca le decadenze
    da dichiarare."""
    when = parse_run_date(date)
    with call_lock(folder, "situazione"), err_console.status("Ricalcolo degli atti..."):
        base = final_list(folder)
        s = standing(folder, base, on=when)
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
    print_lapsed(s.lapsed, folder, when)
    console.print(f"Prospetto in [bold]{escape(str(Path(folder) / FILE))}[/]")


def print_lapsed(table: pd.DataFrame, folder: Path, on: dt.date, shown: int = 20) -> None:
    """The families whose term to accept ran out without an acceptance: lapses to declare
    (acts/deadlines.py says why the tool does not apply them itself)."""
    if not len(table):
        return
    who = (
        "1 famiglia finanziata non ha accettato"
        if len(table) == 1
        else f"{len(table)} famiglie finanziate non hanno accettato"
    )
    err_console.print(
        f"[yellow]Decadenze da dichiarare al {date_short(on)}:[/] {who} entro il termine "
        "(foglio Scadenze di situazione.xlsx):",
        highlight=False,
    )
    for rec in table.head(shown).to_dict("records"):
        err_console.print(
            f"  {escape(rec['application_id'])} (posizione {rec['rank']}): lettera ricevuta il "
            f"{date_short(rec['received_on'])}, termine {date_short(rec['accept_by'])}",
            highlight=False,
        )
    if len(table) > shown:
        err_console.print(f"  ... e altre {len(table) - shown}", highlight=False)
    err_console.print(
        "La decadenza si dichiara con un atto dell'ufficio e si registra: conciliare evento "
        f"{escape(str(folder))} --tipo decadenza --domanda ID --data AAAA-MM-GG --atto ... "
        "--registrato-da ...; il prossimo scorrimento assegna i fondi liberati.",
        highlight=False,
    )
