"""The act's graduatoria.xlsx: the list after the scorrimento, what changed, the events it
takes into account and the money per fund; headed "scorrimento n. k del dd/mm/yyyy"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from conciliare_cli.italian import date_short
from conciliare_cli.write.xlsx import Column, write_table, xlsx_workbook

LIST_COLUMNS = [
    Column("rank", "Posizione", "int", width=10),
    Column("application_id", "Domanda", width=18),
    Column("partner_id", "Ente", width=10),
    Column("applicant", "Richiedente", width=26),
    Column("minor", "Minore", width=26),
    Column("minor_tax_code", "CF minore", width=18),
    Column("status_label", "Esito", width=24),
    Column("waiting_position", "Posizione in lista d'attesa", "int", width=12),
    Column("awarded_cents", "Importo", "money_cents", total=True),
    Column("previous_label", "Esito precedente", width=24),
    Column("previous_awarded_cents", "Importo precedente", "money_cents", total=True),
    Column("change", "Variazione", width=30),
]
EVENT_COLUMNS = [
    Column("date", "Data", "date", width=12),
    Column("kind", "Evento", width=14),
    Column("outcome", "Esito", width=12),
    Column("application_id", "Domanda", width=18),
    Column("minor", "Minore", width=18),
    Column("reason", "Motivo", width=30, wrap=True),
    Column("act", "Atto", width=24),
    Column("by", "Registrato da", width=20),
    Column("row", "Riga del registro", "int", width=10),
]
AMOUNT_COLUMN = Column("amount_cents", "Importo", "money_cents", width=12)  # only when set
MONEY_COLUMNS = [
    Column("fund_id", "Fondo", width=12),
    Column("budget_cents", "Dotazione", "money_cents", total=True),
    Column("final_cents", "Assegnato in graduatoria definitiva", "money_cents", total=True),
    Column("freed_cents", "Liberato (rinunce, revoche, decadenze)", "money_cents", total=True),
    Column("reassigned_cents", "Riassegnato con gli scorrimenti", "money_cents", total=True),
    Column("awarded_cents", "Assegnato dopo questo atto", "money_cents", total=True),
    Column("free_cents", "Ancora disponibile", "money_cents", total=True),
]


def act_title(k: int, date: dt.date) -> str:
    return f"scorrimento n. {k} del {date_short(date)}"


def write_act_xlsx(
    path: Path,
    title: str,
    k: int,
    date: dt.date,
    frame: pd.DataFrame,
    events: pd.DataFrame,
    money: pd.DataFrame,
) -> None:
    heading = act_title(k, date)
    columns = LIST_COLUMNS
    if frame["rank"].map(lambda v: isinstance(v, str)).any():  # '12-bis': a reinstated unit
        columns = [Column("rank", "Posizione", width=10), *LIST_COLUMNS[1:]]
    common = {"title": title, "status": heading}
    with xlsx_workbook(path, run_date=date, title=title, subject=heading) as wb:
        write_table(wb, "Graduatoria", frame, columns,
                    subtitle="Graduatoria", **common)  # fmt: skip
        changed = frame[frame["change"].ne("")]
        write_table(wb, "Variazioni", changed, columns, subtitle="Esiti cambiati con "
                    "questo atto (famiglie a cui scrivere)", empty_text="Nessuna variazione.",
                    **common)  # fmt: skip
        event_columns = EVENT_COLUMNS
        if "amount_cents" in events and events["amount_cents"].astype(bool).any():
            event_columns = [*EVENT_COLUMNS[:-1], AMOUNT_COLUMN, EVENT_COLUMNS[-1]]
        write_table(wb, "Eventi", events, event_columns, subtitle="Eventi considerati da "
                    "questo atto", empty_text="Nessun evento.", **common)  # fmt: skip
        write_table(
            wb,
            "Riepilogo",
            money,
            MONEY_COLUMNS,
            subtitle="Fondi (dalla graduatoria definitiva a questo atto)",
            **common,
        )
