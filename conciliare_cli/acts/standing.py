"""Where the call stands after the last act: per fund and reserve, the money awarded in the
final list, renounced, revoked, lapsed, re-assigned by the scorrimenti and still free; per
partner, the families funded, waiting, renounced and revoked; how far down the list the money
reaches. The acts are recomputed from the final list and the register (acts/chain.py); the
events recorded after the last act are counted apart (the next scorrimento will take them).
When the call states the terms to accept and renounce (`acceptance:`), the families funded in
the final list with their terms from the delivery register, and the lapses to declare
(acts/deadlines.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from conciliare_cli.acts.chain import act_date, issued_acts, replay
from conciliare_cli.acts.compute import FUNDED, PARTIAL, WAITING, ActState, next_state
from conciliare_cli.acts.deadlines import Terms, deadlines, lapsed
from conciliare_cli.acts.events import effects_of, events_up_to, read_events
from conciliare_cli.acts.finallist import FinalList, final_list
from conciliare_cli.acts.reinstate import acts_base
from conciliare_cli.italian import date_short
from conciliare_cli.status import Status
from conciliare_cli.write.xlsx import Column, write_table, xlsx_workbook

WORDS = {"RINUNCIA": "renounced_cents", "REVOCA": "revoked_cents", "DECADENZA": "lapsed_cents"}
POT_COLUMNS = [
    Column("pot", "Fondo o riserva", width=26),
    Column("budget_cents", "Dotazione", "money_cents"),
    Column("final_cents", "Assegnato nella graduatoria definitiva", "money_cents"),
    Column("renounced_cents", "Rinunce", "money_cents"),
    Column("revoked_cents", "Revoche", "money_cents"),
    Column("lapsed_cents", "Decadenze", "money_cents"),
    Column("reassigned_cents", "Riassegnato con gli scorrimenti", "money_cents"),
    Column("awarded_cents", "Assegnato ora", "money_cents"),
    Column("free_cents", "Ancora disponibile", "money_cents"),
]
PARTNER_COLUMNS = [
    Column("partner_id", "Ente", width=12),
    Column(FUNDED, "Finanziate", "int", total=True),
    Column(PARTIAL, "Finanziate parzialmente", "int", total=True),
    Column(WAITING, "In lista d'attesa", "int", total=True),
    Column("RINUNCIA", "Rinunce", "int", total=True),
    Column("REVOCA", "Revocate", "int", total=True),
    Column("DECADENZA", "Decadute", "int", total=True),
    Column("awarded_cents", "Importo assegnato ora", "money_cents", total=True),
]


TERM_COLUMNS = [
    Column("rank", "Posizione", width=10),
    Column("application_id", "Domanda", width=18),
    Column("partner_id", "Ente", width=10),
    Column("act", "Lettera", width=22),
    Column("received_on", "Lettera ricevuta il", "date", width=14),
    Column("channel", "Canale", width=10),
    Column("accept_by", "Accettare entro", "date", width=14),
    Column("renounce_by", "Rinunciare entro", "date", width=14),
    Column("accepted_on", "Accettata il", "date", width=14),
    Column("state", "Stato", width=36),
]


@dataclass
class Standing:
    acts: int
    last_date: dt.date
    pots: pd.DataFrame
    partners: pd.DataFrame
    waiting: int  # applications still waiting
    last_reached: int | str  # the lowest position with money ('12-bis' for a reinstated)
    pending: int  # events recorded after the last act
    terms: pd.DataFrame  # acts/deadlines.py: families funded and their terms (empty: none)

    @property
    def lapsed(self) -> pd.DataFrame:
        return lapsed(self.terms)


def standing(
    folder: Path | str, base: FinalList | None = None, on: dt.date | None = None
) -> Standing:
    """Where the call stands after the last act; the terms as they are on the day `on`
    (default: today), counting the events recorded up to that day."""
    folder = Path(folder)
    base = base or final_list(folder)
    acts = issued_acts(folder)
    dates = [act_date(a) for a in acts]
    events = read_events(folder, base)
    base = acts_base(base, events)
    states = replay(base, events, dates)
    last = dates[-1] if dates else dt.date.fromisoformat(str(base.manifest["run_date"]))
    now = states[-1]
    pending = events_up_to(events, last, dt.date.max)
    units = pd.DataFrame({"unit": base.unit, "status": now.status, "got": now.awarded,
                          "position": base.position})  # fmt: skip
    per_unit = units.groupby("unit").agg(
        status=("status", "first"), got=("got", "sum"), position=("position", "first")
    )
    reached = per_unit["position"][per_unit["got"].to_numpy() > 0]
    return Standing(
        acts=len(acts),
        last_date=last,
        pots=_pots(base, states[0], now),
        partners=_partners(base, now),
        waiting=int(per_unit["status"].eq(WAITING).sum()),
        last_reached=reached.iloc[-1] if len(reached) else 0,
        pending=len(pending),
        terms=deadlines(
            folder,
            base,
            _current(base, events, states, on),
            events,
            on or dt.date.today(),
            acts=states,
        ),
    )


def _current(base: FinalList, events: pd.DataFrame, states: list[ActState],
             on: dt.date | None) -> ActState:  # fmt: skip
    """The list as the events up to `on` leave it (renunciations after the last act count:
    a family that renounced has no acceptance to give)."""
    effects = effects_of(base, events_up_to(events, None, on or dt.date.today()))
    return next_state(base, states[-1], effects)


def _pots(base: FinalList, final: ActState, now: ActState) -> pd.DataFrame:
    rows = []
    for j, pot in enumerate(base.pots):
        name = f"riserva {pot.id} ({pot.fund})" if pot.is_reserve else pot.id
        row = {"pot": name, "budget_cents": int(pot.amount_cents),
               "final_cents": int(final.draws[:, j].sum())}  # fmt: skip
        for word, key in WORDS.items():
            row[key] = int(final.draws[now.word == word, j].sum())
        freed = sum(row[k] for k in WORDS.values())
        row["awarded_cents"] = int(now.draws[:, j].sum())
        row["reassigned_cents"] = row["awarded_cents"] - (row["final_cents"] - freed)
        rows.append(row)
    frame = pd.DataFrame(rows)
    # a fund's free money counts its reserves' awards (the reserve's own line shows its use)
    free = []
    for pot in base.pots:
        cols = [j for j, p in enumerate(base.pots) if p.fund == pot.fund]
        used = int(now.draws[:, cols].sum())
        budget = base.budgets[pot.fund]
        free.append(budget - used if not pot.is_reserve else 0)
    frame["free_cents"] = free
    return frame


def _partners(base: FinalList, now: ActState) -> pd.DataFrame:
    m = base.minors
    frame = pd.DataFrame({"app": m["application_id"].astype(str),
                          "partner_id": m["partner_id"].astype(str),
                          "status": now.status, "got": now.awarded})  # fmt: skip
    frame = frame[frame["status"].ne(Status.EXCLUDED.value)]  # not (yet) reinstated
    per_app = frame.groupby("app").agg(
        partner_id=("partner_id", "first"),
        status=("status", lambda v: _app_status(list(v))),
        awarded_cents=("got", "sum"),
    )
    counts = pd.crosstab(per_app["partner_id"], per_app["status"])
    cols = [FUNDED, PARTIAL, WAITING, "RINUNCIA", "REVOCA", "DECADENZA"]
    counts = counts.reindex(columns=cols, fill_value=0)
    counts["awarded_cents"] = per_app.groupby("partner_id")["awarded_cents"].sum()
    return counts.reset_index().rename(columns={"index": "partner_id"})


def _app_status(values: list[str]) -> str:
    on = [v for v in values if v not in WORDS]
    return on[0] if on else values[0]


def write_standing(path: Path, base: FinalList, s: Standing, date: dt.date) -> None:
    title = base.result.call.config.call.title
    what = (
        f"dopo lo scorrimento n. {s.acts} del {date_short(s.last_date)}"
        if s.acts
        else f"graduatoria definitiva del {date_short(s.last_date)}"
    )
    notes = [
        f"Famiglie ancora in lista d'attesa: {s.waiting}.",
        f"I fondi arrivano fino alla posizione {s.last_reached}.",
        f"Eventi registrati dopo l'ultimo atto (per il prossimo scorrimento): {s.pending}.",
    ]
    common = {"title": title, "status": f"situazione {what}", "run_date": date}
    with xlsx_workbook(path, run_date=date, title=title, subject="Situazione") as wb:
        write_table(wb, "Fondi", s.pots, POT_COLUMNS, subtitle="Fondi e riserve",
                    notes=notes, **common)  # fmt: skip
        write_table(wb, "Enti", s.partners, PARTNER_COLUMNS, subtitle="Domande per ente",
                    **common)  # fmt: skip
        if Terms.of(base) is not None:  # only when the call states the terms
            write_table(wb, "Scadenze", s.terms, TERM_COLUMNS, subtitle="Accettazione e "
                        f"rinuncia: termini al {date_short(date)}", notes=_terms_notes(base, s),
                        empty_text="Nessuna famiglia finanziata.", **common)  # fmt: skip


def _terms_notes(base: FinalList, s: Standing) -> list[str]:
    terms = Terms.of(base)
    assert terms is not None
    notes = []
    if terms.required:
        notes.append(f"Accettazione richiesta entro {terms.days} giorni dal ricevimento della "
                     "lettera (ricevute.csv).")  # fmt: skip
    if terms.renunciation_days:
        notes.append(f"Rinuncia entro {terms.renunciation_days} giorni dal ricevimento.")
    notes.append(
        "Un termine che scade di domenica o in un giorno festivo nazionale è prorogato al "
        "primo giorno seguente non festivo."
    )
    if terms.reference:
        notes.append(terms.reference)
    notes.append(f"Decadenze da dichiarare: {len(s.lapsed)} (la decadenza si dichiara con un "
                 "atto e si registra nel registro degli eventi).")  # fmt: skip
    return notes
