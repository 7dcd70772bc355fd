"""The place of a minor or an application excluded in the final list and reinstated by a
`riammissione` (an observation or an appeal accepted): no other position changes.

- A child of an application on the list (ranking by application) joins its application, at
  its position: the application now needs its voucher too.
- An excluded application (or, ranking by minor, an excluded child) gets the place its score,
  the tie-breakers and the lottery of the call give it among the ranked units, the same sort
  as the final list's (engine/ranking.py): between 12 and 13 it is "12-bis" (a second one
  there "12-ter", ...; before the first, "0-bis"). Every other unit keeps its number.

`acts_base(base, events)` is the final list with the rows of every reinstatement in the
register added (`in_final` False), in their places; until the act that takes the
reinstatement those rows are ESCLUSA and appear in no act. The pots' conditions (funds,
reserves) are evaluated for the added units as the final list did (engine/stages.py).
Money: a reinstated unit needs its voucher; the next scorrimento covers it in rank order like
any other need (first, when the riammissione says 'precedenza'), never out of anyone's award.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from conciliare_cli.acts.finallist import FinalList
from conciliare_cli.engine.allocation import Pot
from conciliare_cli.engine.ranking import Lottery, TieKey, rank
from conciliare_cli.errors import UserError
from conciliare_cli.records import REINSTATEMENT

LATIN = ("bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "novies", "decies")


def acts_base(base: FinalList, events: pd.DataFrame) -> FinalList:
    """The final list with the rows the register's reinstatements add (or `base` itself)."""
    if base.result is None or not events["kind"].eq(REINSTATEMENT).any():
        return base
    new = _added_rows(base, events)
    if not len(new):
        return base
    m = base.result.minors
    by_minor = base.result.rules.by_minor
    ranked_apps = dict(zip(base.minors["application_id"].astype(str), base.unit, strict=True))
    joining = np.array(
        [not by_minor and str(m["application_id"].iloc[r]) in ranked_apps for r in new]
    )
    keys = [(int(u), 0, i) for i, u in enumerate(base.unit)]
    for j, r in enumerate(new[joining]):
        keys.append((int(ranked_apps[str(m["application_id"].iloc[r])]), 0, len(keys) + j))
    alone = new[~joining]
    unit_ids = _unit_ids(m, alone, by_minor)
    places = _places(base, alone, unit_ids)  # per added unit: (after which unit, its order)
    start = len(keys)
    for j, u in enumerate(unit_ids):
        keys.append((*places[u], start + j))
    rows = np.concatenate([base.rows, new[joining], alone])
    order_rows = sorted(range(len(keys)), key=lambda i: keys[i])
    unit_keys = [keys[i][:2] for i in order_rows]
    unit = pd.factorize(pd.Series([f"{a}:{s}" for a, s in unit_keys]))[0].astype(np.int64)
    labels = np.array([a + 1 if s == 0 else f"{a + 1}-{_latin(s)}" for a, s in unit_keys],
                      dtype=object)  # fmt: skip
    n_old = len(base.rows)
    taken = np.array(order_rows)
    need = np.concatenate([base.need, _requested(m, rows[n_old:])])[taken]
    draws = np.vstack([base.draws, np.zeros((len(rows) - n_old, base.draws.shape[1]),
                                            dtype=base.draws.dtype)])[taken]  # fmt: skip
    in_final = taken < n_old
    pots = _pots(base, rows[taken], unit, in_final)
    return dataclasses.replace(base, rows=rows[taken], unit=unit, need=need, draws=draws,
                               pots=pots, in_final=in_final, position=labels)  # fmt: skip


def _latin(k: int) -> str:
    return LATIN[k - 1] if k <= len(LATIN) else str(k + 1)


def _added_rows(base: FinalList, events: pd.DataFrame) -> np.ndarray:
    """The rows of result.minors a reinstatement names that are not in the final list: a named
    child always; for a whole application, its children with a voucher."""
    m = base.result.minors
    apps = m["application_id"].astype(str).to_numpy()
    codes = m["minor_tax_code"].astype("string").fillna("").str.upper().to_numpy()
    has_voucher = m["requested_cents"].notna().to_numpy(dtype=bool)
    added = np.zeros(len(m), dtype=bool)
    for rec in events[events["kind"].eq(REINSTATEMENT)].to_dict("records"):
        hit = apps == rec["application_id"]
        hit &= (codes == rec["minor"]) if rec["minor"] else has_voucher
        added |= hit
    added[base.rows] = False
    return np.flatnonzero(added)


def _unit_ids(m: pd.DataFrame, rows: np.ndarray, by_minor: bool) -> list[str]:
    col = "row_key" if by_minor else "application_id"
    return [str(v) for v in m[col].iloc[rows]]


def _places(base: FinalList, rows: np.ndarray, unit_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Per added unit: (the 0-based unit it comes after, -1 before the first; its order
    among the added units there), by score, tie-breakers and lottery."""
    if not len(rows):
        return {}
    m = base.result.minors
    first_new: dict[str, int] = {}
    for r, u in zip(rows, unit_ids, strict=True):
        first_new.setdefault(u, int(r))
    old_first = pd.Series(base.rows).groupby(base.unit).first().to_numpy()
    new_first = np.array(list(first_new.values()), dtype=np.int64)
    firsts = np.concatenate([old_first, new_first])
    scores = pd.to_numeric(m["score"].iloc[firsts], errors="coerce").to_numpy(dtype=float)
    if np.isnan(scores[len(old_first) :]).any():
        bad = [u for u, s in zip(first_new, scores[len(old_first) :], strict=True) if s != s]
        raise UserError(
            "riammissione: il punteggio di " + ", ".join(bad) + " non è calcolabile dai dati: "
            "la posizione non si può stabilire",
            hint="correggere i dati con il soccorso istruttorio non è più possibile dopo la "
            "graduatoria definitiva: la posizione va decisa con un atto (Esito 'precedenza')",
        )
    rules = base.result.rules
    ties = [_tie(m, firsts, tb) for tb in rules.tie_breakers]
    keys = m["lottery_key"].iloc[firsts].astype(str).tolist()
    words = np.frombuffer(bytes.fromhex("".join(keys)), dtype=">u8").reshape(-1, 4)
    lottery = Lottery(words.astype(np.uint64), rules.lottery.descending)
    order = rank(np.rint(scores * 1000).astype(np.int64), ties, lottery).order
    n_old = len(old_first)
    out: dict[str, tuple[int, int]] = {}
    before = -1
    seen = 0
    for pos in order:
        if pos < n_old:
            before, seen = int(pos), 0
        else:
            seen += 1
            out[list(first_new)[pos - n_old]] = (before, seen)
    return out


def _tie(m: pd.DataFrame, firsts: np.ndarray, tb: object) -> TieKey:
    field = tb.field  # type: ignore[attr-defined]
    col = m[field] if field in m.columns else pd.Series(pd.NA, index=m.index)
    values = col.iloc[firsts].reset_index(drop=True)
    return TieKey.of(values, tb.kind, tb.order, tb.missing, tb.label)  # type: ignore[attr-defined]


def _requested(m: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    values = pd.array(m["requested_cents"].iloc[rows], dtype="Int64")
    return values.to_numpy(dtype=np.int64, na_value=0)


def _pots(base: FinalList, rows: np.ndarray, unit: np.ndarray, in_final: np.ndarray) -> list[Pot]:
    """The pots with their `eligible` per unit of the extended list: a unit of the final list
    keeps its own; an added one meets the fund's or reserve's condition on its first row."""
    m = base.result.minors
    rules = base.result.rules
    conditions = {f.id: f.condition for f in rules.funds}
    conditions |= {r.id: r.condition for r in rules.reserves}
    n_units = int(unit.max()) + 1
    old_unit = np.full(n_units, -1, dtype=np.int64)
    first_row = np.full(n_units, -1, dtype=np.int64)
    for i in range(len(rows) - 1, -1, -1):
        first_row[unit[i]] = rows[i]
    old_of_row = np.full(len(rows), -1, dtype=np.int64)
    old_of_row[in_final] = base.unit
    for i in range(len(rows)):
        if old_of_row[i] >= 0:
            old_unit[unit[i]] = old_of_row[i]
    members = pd.Series(m["minor_admissible"].astype(bool).to_numpy(), index=m.index)
    members.iloc[rows] = True
    group = pd.factorize(m["application_id"].astype(str))[0]
    out = []
    for pot in base.pots:
        if pot.eligible is None:
            out.append(pot)
            continue
        expr = conditions.get(pot.id)
        now = np.zeros(n_units, dtype=bool)
        known = old_unit >= 0
        now[known] = np.asarray(pot.eligible, dtype=bool)[old_unit[known]]
        if expr is None:
            now[~known] = True  # no condition: every unit may draw on it
        elif (~known).any():
            value = expr.evaluate(m, rules.constants, group=group, members=members)
            met = value.to_numpy(dtype=bool, na_value=False)
            now[~known] = met[first_row[~known]]
        out.append(dataclasses.replace(pot, eligible=now))
    return out
