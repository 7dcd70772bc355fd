"""The engine's decisions as the tables of a RankResult (engine/result.py says their columns).

`Decisions` gathers what the stages decided (exclusions, scores, ranks, allocation);
`assemble` writes them back onto the rows (minors) and per ranking unit, and sums the money
per fund and reserve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from conciliare_cli.engine.allocation import Allocation
from conciliare_cli.engine.amounts import AmountTrace
from conciliare_cli.engine.compile import Rules
from conciliare_cli.engine.eligibility import Exclusions, join_codes
from conciliare_cli.engine.ranking import Lottery, TieKey
from conciliare_cli.engine.result import RankResult
from conciliare_cli.engine.scoring import Scores
from conciliare_cli.engine.units import Units
from conciliare_cli.findings import FINDING_COLUMNS
from conciliare_cli.status import Status

EXCLUDED = Status.EXCLUDED.value
PENDING = Status.TO_REGULARISE.value


@dataclass
class Decisions:
    """What the stages decided, per row (minor) and per ranking unit."""

    units: Units
    scores: Scores
    exclusions: Exclusions
    admitted: np.ndarray  # per row
    requested: pd.Series  # per row: what the minor may receive, cents
    unit_rank: np.ndarray  # per unit, 0 when excluded
    unit_decided: np.ndarray  # per unit: the tie-breaker that placed it
    order: np.ndarray  # ranked unit codes, best first
    lottery: Lottery
    ties: list[TieKey]
    alloc: Allocation
    alloc_rows: np.ndarray  # the rows of alloc, in rank order
    pending: np.ndarray  # per row: its application waits to be regularised (DA_REGOLARIZZARE)
    details: np.ndarray  # per row: {reason code: the fact behind it} (engine/wording.py)
    amounts: AmountTrace | None = None  # each minor's voucher computation

    def unit_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """(status, waiting position) per unit; alloc's units are the ranked ones in order."""
        status = np.full(self.units.n, EXCLUDED, dtype=object)
        status[self.units.any(self.pending)] = PENDING
        wait = np.zeros(self.units.n, dtype=np.int64)
        if len(self.order):
            status[self.order] = self.alloc.status
            wait[self.order] = self.alloc.waiting_position
        return status, wait

    def row_status(self, unit_status: np.ndarray) -> np.ndarray:
        uc = self.units.codes
        out = np.where(self.admitted, unit_status[uc], EXCLUDED)
        return np.where(self.pending, PENDING, out).astype(object)


def assemble(
    rules: Rules,
    table: pd.DataFrame,
    d: Decisions,
    findings: pd.DataFrame,
    errors: pd.DataFrame,
) -> RankResult:
    """The RankResult of a run: `table` (the rows, in canonical order) gets the outcome
    columns; the units, funds and reserves tables are built beside it."""
    codes, matrix = d.exclusions.matrix()
    matrix[d.pending] = False  # not decided: no reason of exclusion yet
    unit_status, unit_wait = d.unit_outcomes()
    minors = _minors_table(rules, table, d, join_codes(codes, matrix), unit_status, unit_wait)
    unit_reasons = _unit_reasons(d.units, codes, matrix, d.admitted)
    units = _units_table(rules, table, d, unit_status, unit_wait, unit_reasons)
    funds, reserves = _money_tables(rules, d.alloc)
    all_findings = pd.concat(
        [f for f in (findings, errors) if f is not None and len(f)] or [errors],
        ignore_index=True,
    )
    if len(all_findings.columns) and set(FINDING_COLUMNS) <= set(all_findings.columns):
        all_findings = all_findings[FINDING_COLUMNS]
    return RankResult(
        call=rules.call,
        rules=rules,
        minors=minors,
        units=units,
        funds=funds,
        reserves=reserves,
        findings=all_findings,
        amounts=d.amounts,
    )


def _minors_table(
    rules: Rules,
    out: pd.DataFrame,
    d: Decisions,
    reasons: np.ndarray,
    unit_status: np.ndarray,
    unit_wait: np.ndarray,
) -> pd.DataFrame:
    n = len(out)
    uc = d.units.codes
    admitted = d.admitted
    out["minor_eligible"] = pd.array(admitted, dtype="boolean")
    out["exclusion_reasons"] = reasons
    out["reason_details"] = np.where(d.pending | d.admitted, None, d.details)
    for crit in rules.criteria:
        out[f"crit_{crit.id}"] = d.scores.points[crit.id][uc] / 1000.0
    out["score"] = d.scores.total[uc] / 1000.0
    rank_row = np.where(admitted, d.unit_rank[uc], 0)
    out["rank"] = _int_na(rank_row, rank_row == 0)
    out["status"] = d.row_status(unit_status)
    wait = np.where(admitted, unit_wait[uc], 0)
    out["waiting_position"] = _int_na(wait, wait == 0)
    out["requested_cents"] = d.requested.astype("Int64").array
    awarded = np.zeros(n, dtype=np.int64)
    awarded[d.alloc_rows] = d.alloc.awarded
    out["awarded_cents"] = pd.array(awarded, dtype="Int64")
    per_fund = d.alloc.by_fund()
    for fund in rules.funds:
        col = np.zeros(n, dtype=np.int64)
        if fund.id in per_fund:
            col[d.alloc_rows] = per_fund[fund.id]
        out[f"fund_{fund.id}_cents"] = pd.array(col, dtype="Int64")
    for j, res in enumerate(rules.reserves):
        col = np.zeros(n, dtype=np.int64)
        col[d.alloc_rows] = d.alloc.draws[:, j]
        out[f"reserve_{res.id}_cents"] = pd.array(col, dtype="Int64")
    out["decided_by"] = np.where(admitted, d.unit_decided[uc], "").astype(object)
    out["lottery_key"] = d.lottery.hex()[uc]
    return out


def _int_na(values: np.ndarray, na: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.asarray(values, dtype=np.int64), np.asarray(na, dtype=bool))


def _units_table(
    rules: Rules,
    table: pd.DataFrame,
    d: Decisions,
    unit_status: np.ndarray,
    unit_wait: np.ndarray,
    reasons: np.ndarray,
) -> pd.DataFrame:
    units, alloc = d.units, d.alloc
    uc = units.codes
    df = pd.DataFrame(
        {
            "unit_id": units.ids,
            "application_id": table["application_id"].to_numpy(dtype=object)[units.first],
            "partner_id": table["partner_id"].to_numpy(dtype=object)[units.first],
        }
    )
    for crit in rules.criteria:
        df[f"crit_{crit.id}"] = d.scores.points[crit.id] / 1000.0
    df["score"] = d.scores.total / 1000.0
    df["rank"] = _int_na(d.unit_rank, d.unit_rank == 0)
    df["status"] = unit_status
    df["waiting_position"] = _int_na(unit_wait, unit_wait == 0)
    df["minors"] = units.count(np.ones(len(uc), dtype=bool))
    df["admitted_minors"] = units.count(d.admitted)
    req = d.requested.to_numpy(dtype=np.int64, na_value=0)
    df["requested_cents"] = pd.array(units.sum(np.where(d.admitted, req, 0)), dtype="Int64")
    row_unit = uc[d.alloc_rows]
    awarded = np.zeros(units.n, dtype=np.int64)
    np.add.at(awarded, row_unit, alloc.awarded)
    df["awarded_cents"] = pd.array(awarded, dtype="Int64")
    per_fund = alloc.by_fund()
    for fund in rules.funds:
        col = np.zeros(units.n, dtype=np.int64)
        if fund.id in per_fund:
            np.add.at(col, row_unit, per_fund[fund.id])
        df[f"fund_{fund.id}_cents"] = pd.array(col, dtype="Int64")
    for j, res in enumerate(rules.reserves):
        col = np.zeros(units.n, dtype=np.int64)
        np.add.at(col, row_unit, alloc.draws[:, j])
        df[f"reserve_{res.id}_cents"] = pd.array(col, dtype="Int64")
    df["decided_by"] = d.unit_decided
    for i, t in enumerate(d.ties, start=1):
        df[f"tb_{i}"] = t.raw.array
    df["lottery_key"] = d.lottery.hex().astype(object)
    df["exclusion_reasons"] = reasons
    big = np.iinfo(np.int64).max
    key_rank = np.where(d.unit_rank > 0, d.unit_rank, big)
    # excluded units last, in canonical order (by application id)
    return df.iloc[np.lexsort((np.arange(units.n), key_rank))].reset_index(drop=True)


def _unit_reasons(
    units: Units, codes: list[str], matrix: np.ndarray, admitted: np.ndarray
) -> np.ndarray:
    """For an excluded unit, every code of its rows (in code order); '' for admitted units."""
    per_unit = units.any_columns(matrix)
    per_unit[units.any(admitted)] = False
    return join_codes(codes, per_unit)


def _money_tables(rules: Rules, alloc: Allocation) -> tuple[pd.DataFrame, pd.DataFrame]:
    per_fund_used: dict[str, int] = {}
    for j, pot in enumerate(alloc.pots):
        per_fund_used[pot.fund] = per_fund_used.get(pot.fund, 0) + int(alloc.used[j])
    funds = pd.DataFrame(
        {
            "fund_id": [f.id for f in rules.funds],
            "name": [f.name for f in rules.funds],
            "budget_cents": [f.budget_cents for f in rules.funds],
            "assigned_cents": [per_fund_used.get(f.id, 0) for f in rules.funds],
        }
    )
    funds["residual_cents"] = funds["budget_cents"] - funds["assigned_cents"]
    for c in ("budget_cents", "assigned_cents", "residual_cents"):
        funds[c] = funds[c].astype("Int64")
    k = len(rules.reserves)
    reserves = pd.DataFrame(
        {
            "reserve_id": [r.id for r in rules.reserves],
            "fund_id": [r.fund for r in rules.reserves],
            "description": [r.description for r in rules.reserves],
            "amount_cents": [int(alloc.pots[j].amount_cents) for j in range(k)],
            "used_cents": [int(alloc.used[j]) for j in range(k)],
            "returned_cents": [int(alloc.returned[j]) for j in range(k)],
        }
    )
    for c in ("amount_cents", "used_cents", "returned_cents"):
        reserves[c] = reserves[c].astype("Int64")
    return funds, reserves
