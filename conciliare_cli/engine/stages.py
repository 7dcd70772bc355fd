"""rank_call: eligibility, duplicates, scores, ranking and allocation, in this order.

1. The rows are put in a canonical order (application_id, minor_slot, minor_tax_code,
   row_key, provenance), so nothing after depends on the order of the input rows or files.
2. Derived fields (engine/derive.py).
3. Minor-level exclusions: minor rules, blocking findings of scope minor, the voucher's
   computation (engine/amounts.py: COSTO_MANCANTE, IMPORTO_NON_CALCOLABILE,
   IMPORTO_FUORI_FASCIA, IMPORTO_SOTTO_MINIMO).
4. `eligible_minors` = minors of the application not excluded at step 3.
5. Application-level exclusions: application rules (their aggregates gather the minors
   eligible at step 4), blocking findings of scope application, DOMANDA_SOSTITUITA.
6. Scores over the eligible minors (engine/scoring.py); a criterion's missing data may exclude
   the unit (CRITERIO_<ID>_DATO_MANCANTE, or CRITERIO_NON_CALCOLABILE with a finding).
7. Duplicate minors among the admitted rows (engine/duplicates.py): MINORE_IN_ALTRA_DOMANDA.
   When some minor loses its place, steps 4-6 run again without it (so its application may
   now have no eligible minor, and its count criteria change).
8. Ranking of the units with at least one admitted minor (engine/ranking.py).
9. Allocation (engine/allocation.py): vouchers (engine/amounts.py; the application cap over
   the admitted minors), funds and reserves
   whose condition the unit meets (read like a flag criterion; unknown = not met).

The rules come compiled (engine/compile.py: `compile_rules`), once for the whole run, and
travel with the result.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.config import LoadedCall
from conciliare_cli.engine.allocation import Allocation, Pot, allocate_arrays
from conciliare_cli.engine.amounts import REASONS as AMOUNT_REASONS
from conciliare_cli.engine.amounts import AmountTrace
from conciliare_cli.engine.assemble import Decisions, assemble
from conciliare_cli.engine.compile import Rules, TieBreakerRule, compile_rules
from conciliare_cli.engine.criteria.base import ScoreData
from conciliare_cli.engine.derive import derive
from conciliare_cli.engine.duplicates import duplicate_minors, superseded_applications
from conciliare_cli.engine.eligibility import Exclusions, Groups, apply_rules, pending_rows
from conciliare_cli.engine.expr import Expression
from conciliare_cli.engine.order import canonical_order
from conciliare_cli.engine.ranking import Lottery, TieKey, rank
from conciliare_cli.engine.result import RankResult
from conciliare_cli.engine.scoring import NOT_COMPUTABLE, Scores, score_units
from conciliare_cli.engine.timing import floor_times, in_window
from conciliare_cli.engine.units import Units
from conciliare_cli.engine.wording import reason_details
from conciliare_cli.fields import Level
from conciliare_cli.findings import (
    FINDING_COLUMNS,
    MINOR_ELSEWHERE,
    SUPERSEDED,
    criterion_missing_code,
    make_findings,
)
from conciliare_cli.italian import datetime_short


class _Clock:
    """Seconds spent per stage, added into `timings` when given (bench/engine_speed.py)."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


def rank_call(
    rules: Rules | LoadedCall,
    minors: pd.DataFrame,
    findings: pd.DataFrame,
    timings: dict[str, float] | None = None,
) -> RankResult:
    """The whole engine on a canonical minors table and the validation findings.

    `rules` are the compiled rules of the run (a LoadedCall is compiled here, for tests and
    tools that have no other use for the rules). `timings`, when given, receives the seconds
    spent per stage (prepare, eligibility, scoring, ranking, allocation, result)."""
    clock = _Clock(timings)
    if isinstance(rules, LoadedCall):
        rules = compile_rules(rules)
    table = canonical_order(minors)
    floor_times(table, rules.fields, rules.granularity)
    groups = Groups.of(table)
    table = derive(table, rules.call.config.call.reference_date, groups.app_codes)
    _ensure_columns(table)
    units = Units.of(table, groups.app_codes, groups.app_first, rules.by_minor)
    clock.lap("prepare")

    admission = _admission(rules, table, groups, units, findings, clock)
    exclusions, scores, errors, amounts, minor_ok, pending, details = admission
    admitted = ~exclusions.excluded() & ~pending
    requested = rules.voucher.cap_applications(amounts, admitted, groups.app_codes)
    clock.lap("eligibility")

    # 8. ranking, 9. allocation
    order, unit_rank, unit_decided, lottery, ties = _ranking(rules, table, units, scores, admitted)
    clock.lap("ranking")
    alloc, alloc_rows = _allocate(
        table, rules, units, admitted, unit_rank, order, requested, minor_ok, groups.app_codes
    )
    clock.lap("allocation")
    decisions = Decisions(
        units=units,
        scores=scores,
        exclusions=exclusions,
        admitted=admitted,
        requested=requested,
        unit_rank=unit_rank,
        unit_decided=unit_decided,
        order=order,
        lottery=lottery,
        ties=ties,
        alloc=alloc,
        alloc_rows=alloc_rows,
        amounts=amounts,
        pending=pending,
        details=details,
    )
    result = assemble(rules, table, decisions, findings, errors)
    result.allocation, result.allocation_rows = alloc, alloc_rows  # what scorrimento continues
    clock.lap("result")
    return result


# ---------------------------------------------------------------------- stages


def _admission(
    rules: Rules,
    table: pd.DataFrame,
    groups: Groups,
    units: Units,
    findings: pd.DataFrame,
    clock: _Clock,
) -> tuple[Exclusions, Scores, pd.DataFrame, AmountTrace, np.ndarray, np.ndarray, np.ndarray]:
    """Steps 3-7: (every exclusion, the scores, the blocking findings of the criteria, each
    minor's voucher computation, the minors admissible after duplicates, the rows of
    applications waiting for their data to be regularised)."""
    n = len(table)
    pending = pending_rows(table, findings)
    # 3. minor level
    minor_ex = Exclusions(n)
    apply_rules(table, rules.eligibility, Level.MINOR, rules.constants, groups, minor_ex)
    amounts = rules.voucher.compute(table, groups.app_first[groups.app_codes])
    for code in AMOUNT_REASONS:
        minor_ex.add(code, amounts.reason == code, Level.MINOR)
    base_ok = ~minor_ex.minor_excluded() & ~pending  # a pending minor competes for nothing
    # 4-6. application level (and the applicant's repeated applications) and scores
    lottery = _application_lottery(rules, table, groups)
    stage = _ApplicationStage(rules, table, groups, units, findings, lottery, pending, clock)
    app_ex, scores, errors = stage.run(base_ok)
    # 7. duplicate minors
    dups = duplicate_minors(
        _column(table, "minor_tax_code"),
        _column(table, "submitted_at"),
        groups.app_codes,
        base_ok & ~app_ex.excluded(),
        rules.duplicates.minor,
        score_th=scores.total[units.codes],
        lottery=None if lottery is None else lottery[groups.app_codes],
    )
    if dups.any():
        minor_ex.add(MINOR_ELSEWHERE, dups, Level.MINOR)
        app_ex, scores, errors = stage.run(base_ok & ~dups)
    exclusions = Exclusions(n, app=app_ex.app, minor={**minor_ex.minor, **app_ex.minor})
    minor_ok = base_ok & ~dups
    table["eligible_minors"] = pd.array(
        groups.count_per_app(minor_ok)[groups.app_codes], dtype="Int64"
    )
    table["minor_admissible"] = pd.array(minor_ok, dtype="boolean")
    details = reason_details(
        rules,
        table,
        exclusions,
        groups.app_codes,
        minor_ok,
        _superseding(table, groups, stage.superseded_rows()),
        amounts,
    )
    return exclusions, scores, errors, amounts, minor_ok, pending, details


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    if name in table.columns:
        return table[name]
    return pd.Series(pd.NA, index=table.index, dtype="object")


def _ensure_columns(table: pd.DataFrame) -> None:
    for col in ("partner_id", "source_file", "source_sheet", "row_key"):
        if col not in table.columns:
            table[col] = pd.Series(pd.NA, index=table.index, dtype="string")
    if "source_row" not in table.columns:
        table["source_row"] = pd.array([pd.NA] * len(table), dtype="Int64")
    if "minor_slot" not in table.columns:
        table["minor_slot"] = pd.array([1] * len(table), dtype="Int64")


def _application_lottery(rules: Rules, table: pd.DataFrame, groups: Groups) -> np.ndarray | None:
    """Per application, the lottery's sortable words (the duplicates' ties), or None when the
    call breaks those ties by application id."""
    if rules.duplicates.ties != "lottery":
        return None
    lot = rules.lottery
    return lot.draw(lot.application_keys(table, groups.app_first)).sort_words


def _superseded(
    rules: Rules,
    table: pd.DataFrame,
    groups: Groups,
    app_excluded: np.ndarray,
    minor_ok: np.ndarray,
    lottery: np.ndarray | None,
    pending: np.ndarray,
) -> np.ndarray:
    """Per row: its application is replaced by another of the same applicant, among the
    applications `duplicates.applicant_among` lets take part (engine/duplicates.py). An
    application waiting to be regularised takes no part: it neither replaces nor is replaced
    yet."""
    first = groups.app_first
    waiting = pending[first]
    submitted = _column(table, "submitted_at").iloc[first]
    mode = rules.duplicates.applicant_among
    if mode == "in_window":
        among: np.ndarray | None = in_window(submitted, rules.constants)
    elif mode == "admitted":
        among = ~app_excluded[first] & (groups.count_per_app(minor_ok) > 0)
    else:
        among = None
    tax_codes = _column(table, "applicant_tax_code").iloc[first].astype("string")
    lose = superseded_applications(
        tax_codes.mask(waiting),
        submitted,
        np.arange(groups.n_apps),
        rules.duplicates.applicant,
        among=among,
        lottery=lottery,
    )
    return (lose & ~waiting)[groups.app_codes]


def _superseding(table: pd.DataFrame, groups: Groups, superseded: np.ndarray) -> np.ndarray:
    """Per row of a replaced application: "the application id, presentata il ..." of the one
    that counts instead (the applicant's application that is not replaced); '' otherwise."""
    first = groups.app_first
    who = (
        _column(table, "applicant_tax_code")
        .iloc[first]
        .astype("string")
        .to_numpy(dtype=object, na_value=None)
    )
    lose = superseded[first]
    kept = {w: i for i, w in enumerate(who) if w is not None and not lose[i]}
    when = _column(table, "submitted_at").iloc[first]
    out = np.full(groups.n_apps, "", dtype=object)
    for i in np.flatnonzero(lose):
        j = kept.get(who[i])
        if j is not None:
            stamp = datetime_short(when.iloc[j]) if not pd.isna(when.iloc[j]) else ""
            out[i] = f"sostituita dalla domanda {groups.app_ids[j]}" + (
                f", presentata il {stamp}" if stamp else ""
            )
    return out[groups.app_codes]


class _ApplicationStage:
    """Steps 4-6 for a set of eligible minors: application-level exclusions and scores (run
    again when duplicates take minors away)."""

    def __init__(
        self,
        rules: Rules,
        table: pd.DataFrame,
        groups: Groups,
        units: Units,
        findings: pd.DataFrame,
        lottery: np.ndarray | None,
        pending: np.ndarray,
        clock: _Clock,
    ):
        self.rules, self.table, self.groups, self.units = rules, table, groups, units
        self.findings, self.lottery, self.clock = findings, lottery, clock
        self.pending = pending
        self.superseded: np.ndarray | None = None  # decided on the first run only

    def superseded_rows(self) -> np.ndarray:
        """Per row: its application was replaced by another of the same applicant."""
        assert self.superseded is not None, "run() first"
        return self.superseded

    def run(self, minor_ok: np.ndarray) -> tuple[Exclusions, Scores, pd.DataFrame]:
        rules, table, groups, units = self.rules, self.table, self.groups, self.units
        table["eligible_minors"] = pd.array(
            groups.count_per_app(minor_ok)[groups.app_codes], dtype="Int64"
        )
        ex = Exclusions(len(table))
        apply_rules(
            table,
            rules.eligibility,
            Level.APPLICATION,
            rules.constants,
            groups,
            ex,
            members=minor_ok,
        )
        if self.superseded is None:
            self.superseded = _superseded(
                rules, table, groups, ex.app_excluded(), minor_ok, self.lottery, self.pending
            )
        ex.add(SUPERSEDED, self.superseded, Level.APPLICATION)
        self.clock.lap("eligibility")
        data = ScoreData(table, rules.constants, rules.fields, units, minor_ok, groups.app_codes)
        scores = score_units(rules.criteria, data)
        self.clock.lap("scoring")
        for crit in rules.criteria:
            miss = scores.missing[crit.id][units.codes]
            if crit.missing == "exclude":
                ex.add(criterion_missing_code(crit.id), miss, rules.unit_level)
            elif crit.missing == "error":
                ex.add(NOT_COMPUTABLE, miss, rules.unit_level)
        return ex, scores, _error_findings(table, units, scores, rules)


def _error_findings(
    table: pd.DataFrame, units: Units, scores: Scores, rules: Rules
) -> pd.DataFrame:
    """One blocking CRITERIO_NON_CALCOLABILE finding per unit and criterion with
    `missing: error` whose data is missing, on the unit's first row."""
    frames = []
    for crit in rules.criteria:
        if crit.missing != "error":
            continue
        miss = np.flatnonzero(scores.missing[crit.id])
        if not len(miss):
            continue
        rows = table.iloc[units.first[miss]]
        cols = ["partner_id", "source_file", "source_sheet", "source_row", "application_id"]
        part = rows[cols].reset_index(drop=True).copy()
        part["row_key"] = rows["row_key"].to_numpy(dtype=object) if rules.by_minor else None
        part["field"] = getattr(crit.model, "field", None)
        part["detail"] = f"«{crit.label}» ({crit.id})"
        frames.append(make_findings(NOT_COMPUTABLE, part))
    if not frames:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _ranking(
    rules: Rules, table: pd.DataFrame, units: Units, scores: Scores, admitted: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Lottery, list[TieKey]]:
    """(ranked unit codes best first, rank per unit, tie-breaker that placed each unit, the
    lottery and the tie keys): score, the tie-breakers in order, then the lottery."""
    ties = [_tie_key(table, units, tb) for tb in rules.tie_breakers]
    lottery = rules.lottery.draw(rules.lottery.unit_keys(table, units.first, units.ids))
    ranked_units = np.flatnonzero(units.any(admitted))
    ranked = rank(
        scores.total[ranked_units],
        [_subset(t, ranked_units) for t in ties],
        lottery.subset(ranked_units),
        ranked_units,
    )
    order = ranked_units[ranked.order]  # unit codes, best first
    unit_rank = np.zeros(units.n, dtype=np.int64)
    unit_rank[order] = np.arange(1, len(order) + 1)
    unit_decided = np.full(units.n, "", dtype=object)
    unit_decided[order] = ranked.decided_by
    return order, unit_rank, unit_decided, lottery, ties


def _tie_key(table: pd.DataFrame, units: Units, tb: TieBreakerRule) -> TieKey:
    col = table[tb.field] if tb.field in table.columns else pd.Series(pd.NA, index=table.index)
    values = col.iloc[units.first].reset_index(drop=True)
    return TieKey.of(values, tb.kind, tb.order, tb.missing, tb.label)


def _subset(t: TieKey, idx: np.ndarray) -> TieKey:
    return TieKey(t.label, t.value[idx], t.missing_flag[idx], t.raw.iloc[idx])


def _unit_condition(
    expr: Expression | None,
    table: pd.DataFrame,
    constants: dict[str, Any],
    units: Units,
    members: np.ndarray,
    app_codes: np.ndarray,
) -> np.ndarray:
    """A fund's or reserve's condition per unit (its first row); unknown counts as not met."""
    if expr is None:
        return np.ones(units.n, dtype=bool)
    mem = pd.Series(members, index=table.index)
    v = expr.evaluate(table, constants, group=app_codes, members=mem)
    return v.to_numpy(dtype=bool, na_value=False)[units.first]


def _allocate(
    table: pd.DataFrame,
    rules: Rules,
    units: Units,
    admitted: np.ndarray,
    unit_rank: np.ndarray,
    order: np.ndarray,
    requested: pd.Series,
    minor_ok: np.ndarray,
    app_codes: np.ndarray,
) -> tuple[Allocation, np.ndarray]:
    """Allocate over the admitted rows, sorted by unit rank then canonical row order."""
    rows = np.flatnonzero(admitted)
    rows = rows[np.lexsort((rows, unit_rank[units.codes[rows]]))]
    unit_pos = unit_rank[units.codes[rows]] - 1  # 0-based rank position per row
    need = requested.to_numpy(dtype=np.int64, na_value=0)[rows]
    constants = rules.constants
    funds = []
    for fund in rules.funds:
        ok = _unit_condition(fund.condition, table, constants, units, minor_ok, app_codes)
        funds.append(Pot(fund.id, fund.id, fund.budget_cents, ok[order]))
    reserves = []
    for res in rules.reserves:
        ok = _unit_condition(res.condition, table, constants, units, minor_ok, app_codes)
        reserves.append(Pot(res.id, res.fund, res.amount_cents, ok[order], is_reserve=True))
    alloc = allocate_arrays(
        unit_pos.astype(np.int64),
        need,
        funds,
        reserves,
        rules.allocation.when_not_fitting,
        rules.allocation.split_between_funds,
    )
    return alloc, rows


# ---------------------------------------------------------------------- the result
