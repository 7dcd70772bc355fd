"""The tables of an act: the list after it (one row per ranked minor, rank order), what changed
since the previous act, the public list and the money per fund.

Codes as in graduatoria.csv (FINANZIATA, FINANZIATA_PARZIALMENTE, AMMESSA_NON_FINANZIATA) and,
for a minor taken off the list, the event: RINUNCIA, REVOCA, DECADENZA. A row excluded in the
final list appears from the act that reinstates it (previous outcome ESCLUSA), with its
position ('12-bis', acts/reinstate.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from conciliare_cli.acts.compute import ActState
from conciliare_cli.acts.finallist import FinalList
from conciliare_cli.money import cents_to_plain
from conciliare_cli.publish.listing import public_ids
from conciliare_cli.status import Status, status_label

PARTIAL = Status.PARTIAL.value

EVENT_LABELS = {"RINUNCIA": "Rinuncia", "REVOCA": "Revocata", "DECADENZA": "Decaduta"}
EXCLUDED = Status.EXCLUDED.value
CHANGES = {
    "back": "riammessa in graduatoria",
    "back_funded": "riammessa e finanziata con lo scorrimento",
    "back_partial": "riammessa e finanziata parzialmente con lo scorrimento",
    "raised": "voucher rettificato",
    "new": "finanziata con lo scorrimento",
    "new_partial": "finanziata parzialmente con lo scorrimento",
    "more": "importo aumentato con lo scorrimento",
    "completed": "completata con lo scorrimento",
    "RINUNCIA": "rinuncia",
    "REVOCA": "revoca",
    "DECADENZA": "decadenza",
}


def as_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text ('' for a missing value), for the CSV writer."""
    out = frame.astype(object).where(frame.notna(), "")
    return out.map(lambda v: v if type(v) is str else str(v))


def outcome_label(code: str) -> str:
    return EVENT_LABELS.get(code) or status_label(code)


def list_frame(base: FinalList, prev: ActState, state: ActState) -> pd.DataFrame:
    """One row per minor on the list or taken off it, in rank order: identity, outcome and
    money now and before (a row excluded in the final list only once reinstated)."""
    show = state.word != EXCLUDED
    m = base.minors
    ids = public_ids(base.result)
    out = pd.DataFrame(
        {
            "rank": _positions(base),
            "unit": base.unit,
            "application_id": m["application_id"].astype(str),
            "public_id": _by_unit(base, ids),
            "partner_id": m["partner_id"].astype(str),
            "applicant_tax_code": m["applicant_tax_code"].astype("string").fillna(""),
            "applicant": _person(m, "applicant_surname", "applicant_name"),
            "minor_tax_code": m["minor_tax_code"].astype("string").fillna(""),
            "minor": _person(m, "minor_surname", "minor_name"),
            "previous_status": prev.status,
            "status": state.status,
            "waiting_position": pd.array(np.where(state.waiting_position > 0,
                                                  state.waiting_position, 0), dtype="Int64"),
            "previous_awarded_cents": prev.awarded,
            "awarded_cents": state.awarded,
            "previous_need_cents": prev.need,
            "need_cents": state.need,
        }
    )  # fmt: skip
    out["waiting_position"] = out["waiting_position"].mask(out["waiting_position"].eq(0))
    for fund, cents in _by_fund(base, state).items():
        out[f"fund_{fund}_cents"] = cents
    out["status_label"] = out["status"].map(outcome_label)
    out["previous_label"] = out["previous_status"].map(outcome_label)
    out["change"] = _change(out)
    return out[show].reset_index(drop=True)


def _positions(base: FinalList) -> np.ndarray:
    """The position of each row's unit: its rank, or '12-bis' for a unit reinstated."""
    if base.in_final.all():
        return base.unit + 1
    return base.position


def _by_unit(base: FinalList, ids: pd.Series) -> np.ndarray:
    """The public id of each row's unit (public_ids gives one per unit of result.units)."""
    units = base.result.units
    key = "row_key" if base.result.rules.by_minor else "application_id"
    by_id = dict(zip(units["unit_id"].astype(str), ids.astype(str), strict=True))
    return np.array([by_id[str(k)] for k in base.minors[key]], dtype=object)


def _person(m: pd.DataFrame, surname: str, name: str) -> pd.Series:
    s = m.get(surname, pd.Series("", index=m.index)).astype("string").fillna("")
    n = m.get(name, pd.Series("", index=m.index)).astype("string").fillna("")
    return (s + " " + n).str.strip()


def _by_fund(base: FinalList, state: ActState) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for j, pot in enumerate(base.pots):
        col = state.draws[:, j]
        out[pot.fund] = out[pot.fund] + col if pot.fund in out else col.copy()
    return {fund: out[fund] for fund in base.budgets}  # fund order of the rules


def _change(frame: pd.DataFrame) -> pd.Series:
    """What changed for the row since the previous act ('' when nothing): for money gained,
    said of the family's application (newly funded, completed, or more of it funded)."""
    change = pd.Series("", index=frame.index, dtype=object)
    before, now = frame["previous_awarded_cents"], frame["awarded_cents"]
    unit_before = before.groupby(frame["unit"]).transform("sum")
    gained = now > before
    partial = frame["status"].eq(PARTIAL)
    change[gained & unit_before.eq(0)] = CHANGES["new"]
    change[gained & unit_before.eq(0) & partial] = CHANGES["new_partial"]
    change[gained & unit_before.gt(0)] = CHANGES["more"]
    change[gained & unit_before.gt(0) & ~partial] = CHANGES["completed"]
    raised = frame["need_cents"].gt(frame["previous_need_cents"]) & ~gained
    change[raised] = CHANGES["raised"]
    gone = frame["status"].isin(list(EVENT_LABELS)) & frame["previous_status"].ne(frame["status"])
    change[gone] = frame.loc[gone, "status"].map(CHANGES)
    back = frame["previous_status"].isin([*EVENT_LABELS, EXCLUDED]) & ~frame["status"].isin(
        [*EVENT_LABELS, EXCLUDED]
    )
    change[back] = CHANGES["back"]
    change[back & gained] = CHANGES["back_partial"]
    change[back & gained & ~partial] = CHANGES["back_funded"]
    return change


def csv_frame(frame: pd.DataFrame, funds: list[str]) -> pd.DataFrame:
    """The act's graduatoria.csv: machine-readable, amounts in euros with two decimals."""
    out = frame[["rank", "application_id", "partner_id", "applicant_tax_code", "minor_tax_code",
                 "status", "waiting_position"]].copy()  # fmt: skip
    out["awarded_eur"] = cents_to_plain(frame["awarded_cents"])
    for fund in funds:
        out[f"fund_{fund}_eur"] = cents_to_plain(frame[f"fund_{fund}_cents"])
    out["previous_status"] = frame["previous_status"]
    out["previous_awarded_eur"] = cents_to_plain(frame["previous_awarded_cents"])
    out["change"] = frame["change"]
    return out


def changes_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """variazioni.csv: the minors whose outcome or amount changed with this act (the families
    to write to), one row per minor, in rank order."""
    changed = frame[frame["change"].ne("")]
    out = changed[["rank", "application_id", "partner_id", "applicant_tax_code",
                   "minor_tax_code", "previous_status", "status"]].copy()  # fmt: skip
    out["previous_awarded_eur"] = cents_to_plain(changed["previous_awarded_cents"])
    out["awarded_eur"] = cents_to_plain(changed["awarded_cents"])
    out["change"] = changed["change"]
    return out.reset_index(drop=True)


def public_frame(frame: pd.DataFrame, id_header: str = "Protocollo") -> pd.DataFrame:
    """The public list after the act: position, public id, outcome, amount; one row per
    application (no names, no tax codes, no scores)."""
    per_app = frame.groupby("application_id", sort=False).agg(
        rank=("rank", "first"),
        unit=("unit", "first"),
        public_id=("public_id", "first"),
        awarded_cents=("awarded_cents", "sum"),
        status=("status", _app_status),
    )
    out = pd.DataFrame(
        {
            "_unit": per_app["unit"].to_numpy(),
            "Posizione": per_app["rank"].to_numpy(),
            id_header: per_app["public_id"].to_numpy(),
            "Esito": [outcome_label(s) for s in per_app["status"]],
            "Importo (EUR)": cents_to_plain(per_app["awarded_cents"]).to_numpy(),
        }
    )
    out = out.sort_values(["_unit", id_header], kind="stable")
    return out.drop(columns="_unit")


def _app_status(values: pd.Series) -> str:
    """An application's outcome over its minors (the first still on the list, else the event)."""
    on = [v for v in values if v not in EVENT_LABELS]
    return on[0] if on else str(values.iloc[0])


def money_frame(base: FinalList, prev: ActState, state: ActState, final: ActState) -> pd.DataFrame:
    """Per fund: budget, awarded in the final list, freed by the events (to date), re-assigned
    by the scorrimenti (to date), awarded now, still free (cents)."""
    rows = []
    removed = state.removed
    for fund, budget in base.budgets.items():
        cols = [j for j, p in enumerate(base.pots) if p.fund == fund]
        final_fund = final.draws[:, cols].sum()
        now = state.draws[:, cols].sum()
        freed = final.draws[removed][:, cols].sum()
        rows.append(
            {
                "fund_id": fund,
                "budget_cents": budget,
                "final_cents": int(final_fund),
                "freed_cents": int(freed),
                "reassigned_cents": int(now - (final_fund - freed)),
                "awarded_cents": int(now),
                "free_cents": int(budget - now),
                "previous_cents": int(prev.draws[:, cols].sum()),
            }
        )
    return pd.DataFrame(rows)
