"""The voucher: what each minor may receive, in whole cents, computed as the call says.

`voucher:` in bando.yaml (config/voucher.py) has two forms. The short form `cap_eur` +
`missing_request` is min(cap, cost), never negative; the cap when the cost is missing and
`missing_request: cap` (the default); the minor excluded with COSTO_MANCANTE when `exclude`.
It is compiled into the steps `cost` (missing: the cap, or exclude) and `cap`, so both forms
are one computation.

`steps` run in the order written, vectorised over all minors at once:
- `cost`: the declared cost (`field`, default requested_eur; negative counts as 0); missing:
  a conventional cost, or the minor is excluded (COSTO_MANCANTE);
- `fixed`: a fixed amount, or one per band of a field, optionally times an integer field
  (`per`: weeks, months);
- `share`: times a share, fixed or per band of a field (ISEE); a missing field: the stated
  share, or exclusion;
- `round`: to a multiple of `to_eur`, half up, down or up;
- `cap`: at most a constant, a band's amount, or a field's value (`field` alone: "not more
  than the declared cost");
- `minimum`: below it no voucher is given (IMPORTO_SOTTO_MINIMO).
Amounts are exact between the steps (a share of 150,30 € at 75% is 112,725 €, not a float);
when no `round` step ends the computation, the amount is rounded half up to the cent.

A field the steps read is the minor's own or the application's (read on the application's
first row, like the rules). A missing value with `missing: exclude` excludes the minor with
IMPORTO_NON_CALCOLABILE; a value in no band with IMPORTO_FUORI_FASCIA. The first step that
excludes a minor gives its reason; later steps add none.

`application_cap_eur` is applied last, by the engine once the admitted minors are known
(`cap_applications`): the sum of an application's vouchers is cut to the cap, the minors in
the application's order (slot, then tax code) keeping theirs until the cap is reached.

`AmountTrace` keeps every step's result per minor, so `explain` and the letters can show the
computation ("costo dichiarato 150,30 € × 75% = 112,725 € → 112,73 €"; engine/amount_words.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.engine.criteria.bands import band_mask
from conciliare_cli.fields import Kind, Level
from conciliare_cli.findings import (
    AMOUNT_DATA_MISSING,
    AMOUNT_OUTSIDE_BANDS,
    BELOW_MINIMUM,
    MISSING_COST,
)
from conciliare_cli.money import to_cents

Loc = tuple[str | int, ...]
NUMERIC = (Kind.MONEY, Kind.NUMBER, Kind.INTEGER)
_INT_LIMIT = 2**62
NO_BAND, MISSING = -1, -2  # band index of a value in no band, of a missing value


# ---------------------------------------------------------------------- compiled steps


@dataclass(frozen=True)
class Bands:
    """Bands on a numeric field: the band each minor's value falls in."""

    field: str
    kind: Kind
    level: Level
    bounds: tuple[tuple[Decimal | None, Decimal | None], ...]
    values: tuple[Decimal, ...]  # the band's share, or euros

    def index(self, table: pd.DataFrame, first_row: np.ndarray) -> np.ndarray:
        """Per row: the band's index, NO_BAND, or MISSING."""
        values, na, scale = numeric(table, self.field, self.kind, self.level, first_row)
        out = np.full(len(values), NO_BAND, dtype=np.int64)
        for j, (lo, hi) in enumerate(self.bounds):
            hit = band_mask(values, scale, lo, hi) & (out == NO_BAND)
            out[hit] = j
        out[na] = MISSING
        return out


@dataclass(frozen=True)
class AmountStep:
    """One step of the computation, compiled: its YAML model and, if any, its bands."""

    kind: str  # cost | fixed | share | round | cap | minimum
    model: Any
    bands: Bands | None = None
    short_form: bool = False  # the cost step of `cap_eur`: a missing cost gets the cap

    @property
    def missing(self) -> Any:
        return getattr(self.model, "missing", "exclude")


def numeric(
    table: pd.DataFrame, name: str, kind: Kind, level: Level, first_row: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int | None]:
    """(values, missing, scale) of a numeric field per row: money in cents (scale 100 per
    euro), integers (scale 1), numbers as floats (scale None); an application's field is read
    on its first row."""
    if name in table.columns:
        col = table[name]
    else:
        col = pd.Series(pd.NA, index=table.index, dtype="object")
    if kind in (Kind.MONEY, Kind.INTEGER):
        arr = pd.array(col, dtype="Int64")
        values = arr.to_numpy(dtype=np.int64, na_value=0)
        scale: int | None = 100 if kind is Kind.MONEY else 1
    else:
        arr = pd.array(col, dtype="Float64")
        values = arr.to_numpy(dtype=np.float64, na_value=0.0)
        scale = None
    na = np.asarray(pd.isna(arr), dtype=bool)
    if level is Level.APPLICATION and len(first_row):
        values, na = values[first_row], na[first_row]
    return values, na, scale


# ---------------------------------------------------------------------- the trace


@dataclass
class StepTrace:
    """A step's result per minor: the amount after it (num / scale cents), the band read
    (or MISSING / NO_BAND), the multiplier or cap used, and whether it acted (a cost that
    was missing, a cap that cut, an amount below the minimum)."""

    step: AmountStep
    num: np.ndarray
    scale: int
    band: np.ndarray | None = None
    factor: np.ndarray | None = None
    acted: np.ndarray | None = None


@dataclass
class AmountTrace:
    """Every minor's computation: the steps, the reason a step excluded it (''), the amount
    before the application cap and after it (cents; 0 where excluded)."""

    rule: VoucherRule
    steps: list[StepTrace]
    reason: np.ndarray  # per row: code of the step that excluded the minor, '' otherwise
    cents: np.ndarray  # per row, before the application cap
    final: np.ndarray | None = None  # per row, after the application cap (admitted rows)

    @property
    def excluded(self) -> np.ndarray:
        return self.reason != ""

    def requested(self) -> pd.Series:
        """What each minor may receive (Int64 cents; NA where a step excluded it)."""
        values = self.cents if self.final is None else self.final
        return pd.Series(pd.arrays.IntegerArray(values.astype(np.int64), self.excluded.copy()))

    def reasons(self) -> dict[str, np.ndarray]:
        return {str(c): self.reason == c for c in pd.unique(self.reason) if c}


# ---------------------------------------------------------------------- the rule


@dataclass(frozen=True)
class VoucherRule:
    """The call's voucher amount, compiled (from either form of `voucher:`)."""

    steps: tuple[AmountStep, ...]
    application_cap_cents: int | None = None
    labels: Mapping[str, str] = field(default_factory=dict)  # field -> Italian label
    kinds: Mapping[str, Kind] = field(default_factory=dict)
    levels: Mapping[str, Level] = field(default_factory=dict)
    short_form: bool = False
    missing_request: str | None = None  # the short form's policy: cap | exclude

    @property
    def cap_cents(self) -> int | None:
        """The one constant cap per minor, when there is exactly one (the letters' 'cap')."""
        caps = [s for s in self.steps if s.kind == "cap" and s.model.eur is not None]
        return to_cents(caps[0].model.eur) if len(caps) == 1 else None

    @property
    def fields_used(self) -> frozenset[str]:
        return frozenset(self.labels)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the amount is computed from (the steps' fields, in name order)."""
        return tuple(sorted(self.labels))

    @property
    def cost_fields(self) -> frozenset[str]:
        """The declared cost's fields (`cost` steps): an unreadable cost is read as not
        stated, and the step's `missing` rule applies (validate/settle.py)."""
        return frozenset(s.model.field for s in self.steps if s.kind == "cost")

    def requested_cents(self, table: pd.DataFrame) -> pd.Series:
        """Per minor: the amount before the application cap (NA where excluded); every row
        read as its own application's first row."""
        first = np.arange(len(table))
        return self.compute(table, first).requested().set_axis(table.index)

    def compute(self, table: pd.DataFrame, first_row: np.ndarray) -> AmountTrace:
        """Run the steps over every row. `first_row`: per row, its application's first row."""
        return _Run(self, table, first_row).all()

    def cap_applications(
        self, trace: AmountTrace, admitted: np.ndarray, app_codes: np.ndarray
    ) -> pd.Series:
        """The application cap over the admitted minors (rows in canonical order, so an
        application's minors are together and in its order); the requested amounts after it."""
        cents = trace.cents.astype(np.int64)
        final = cents.copy()
        if self.application_cap_cents is not None and len(cents):
            own = np.where(admitted & ~trace.excluded, cents, 0)
            before = _cumsum_before(own, app_codes)
            room = np.maximum(self.application_cap_cents - before, 0)
            final = np.where(own > 0, np.minimum(own, room), cents)
        trace.final = final
        return trace.requested()


def _cumsum_before(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per row: the sum of the values of the earlier rows of its group (groups contiguous)."""
    total = np.cumsum(values)
    starts = np.ones(len(groups), dtype=bool)
    starts[1:] = groups[1:] != groups[:-1]
    offset = np.maximum.accumulate(np.where(starts, total - values, 0))
    return total - values - offset


# ---------------------------------------------------------------------- running the steps


def _fits(num: np.ndarray, factor: int) -> bool:
    if num.dtype == object or not len(num):
        return True
    return int(np.abs(num).max(initial=0)) * abs(factor) < _INT_LIMIT


def _widen(num: np.ndarray, factor: int) -> np.ndarray:
    """int64 while num * factor surely fits, Python integers beyond (never a float)."""
    return num if _fits(num, factor) else num.astype(object)


def _decimals(values: list[Decimal]) -> int:
    exps = [v.normalize().as_tuple().exponent for v in values]
    return max([0, *(-e for e in exps if isinstance(e, int))])


class _Run:
    """One computation over a table: the amount so far (num / scale cents) and the reasons."""

    def __init__(self, rule: VoucherRule, table: pd.DataFrame, first_row: np.ndarray):
        self.rule, self.table, self.first = rule, table, first_row
        n = len(table)
        self.num: np.ndarray = np.zeros(n, dtype=np.int64)
        self.scale = 1
        self.reason = np.full(n, "", dtype=object)
        self.trace: list[StepTrace] = []

    def exclude(self, code: str, mask: np.ndarray) -> None:
        self.reason[mask & (self.reason == "")] = code

    def all(self) -> AmountTrace:
        for step in self.rule.steps:
            getattr(self, f"step_{step.kind}")(step)
        if self.scale != 1:  # no rounding at the end: half up to the cent
            self.num = (2 * self.num + self.scale) // (2 * self.scale)
            self.scale = 1
            self.trace.append(StepTrace(AmountStep("final", None), self.num.copy(), 1))
        cents = np.where(self.reason == "", self.num, 0)
        return AmountTrace(self.rule, self.trace, self.reason, cents)

    def record(self, step: AmountStep, **kw: Any) -> None:
        self.trace.append(StepTrace(step, self.num.copy(), self.scale, **kw))

    def field_values(self, name: str) -> tuple[np.ndarray, np.ndarray, int | None]:
        kind = self.rule.kinds.get(name, Kind.MONEY)
        level = self.rule.levels.get(name, Level.MINOR)
        return numeric(self.table, name, kind, level, self.first)

    def banded(self, step: AmountStep, code_missing: str) -> np.ndarray:
        """Band index per row; a missing value with `missing: exclude` and a value in no
        band exclude the minor."""
        assert step.bands is not None
        band = step.bands.index(self.table, self.first)
        if step.missing == "exclude":
            self.exclude(code_missing, band == MISSING)
        self.exclude(AMOUNT_OUTSIDE_BANDS, band == NO_BAND)
        return band

    # -- the steps
    def step_cost(self, step: AmountStep) -> None:
        values, na, _ = self.field_values(step.model.field)
        self.num = np.maximum(values, 0).astype(np.int64)
        if step.missing == "exclude":
            self.exclude(MISSING_COST, na)
        else:
            self.num[na] = to_cents(step.missing)
        self.scale = 1
        self.record(step, acted=na)

    def step_fixed(self, step: AmountStep) -> None:
        if step.bands is None:
            self.num = np.full(len(self.table), to_cents(step.model.eur), dtype=np.int64)
            band = None
        else:
            band = self.banded(step, AMOUNT_DATA_MISSING)
            cents = np.array([to_cents(v) for v in step.bands.values] + [0], dtype=np.int64)
            self.num = cents[np.where(band >= 0, band, len(cents) - 1)]
            if step.missing != "exclude":
                self.num[band == MISSING] = to_cents(step.missing)
        self.scale = 1
        factor = None
        if step.model.per is not None:
            per, na, _ = self.field_values(step.model.per)
            self.exclude(AMOUNT_DATA_MISSING, na)
            factor = np.maximum(per, 0).astype(np.int64)
            big = int(factor.max(initial=0))
            self.num = _widen(self.num, big) * factor
        self.record(step, band=band, factor=factor)

    def step_share(self, step: AmountStep) -> None:
        if step.bands is None:
            shares = [step.model.share]
            band = None
            per_row = np.zeros(len(self.table), dtype=np.int64)
        else:
            band = self.banded(step, AMOUNT_DATA_MISSING)
            missing = step.missing if step.missing != "exclude" else Decimal(0)
            shares = [*step.bands.values, missing, Decimal(0)]
            per_row = np.where(band >= 0, band, np.where(band == MISSING, len(shares) - 2, -1))
        k = _decimals(shares)
        ints = np.array([int(v.scaleb(k)) for v in shares], dtype=np.int64)
        factor = ints[per_row]
        self.num = _widen(self.num, int(ints.max(initial=0))) * factor
        self.scale *= 10**k
        self.record(step, band=band)

    def step_round(self, step: AmountStep) -> None:
        q = to_cents(step.model.to_eur)
        unit = q * self.scale
        num = self.num
        if step.model.mode == "half_up":
            units = (2 * num + unit) // (2 * unit)
        elif step.model.mode == "down":
            units = num // unit
        else:
            units = -((-num) // unit)
        self.num = units * q
        self.scale = 1
        self.record(step)

    def step_cap(self, step: AmountStep) -> None:
        n = len(self.table)
        no_cap = np.zeros(n, dtype=bool)
        band = None
        if step.model.eur is not None:
            cap = np.full(n, to_cents(step.model.eur), dtype=np.int64)
        elif step.bands is not None:
            band = self.banded(step, AMOUNT_DATA_MISSING)
            cents = np.array([to_cents(v) for v in step.bands.values] + [0], dtype=np.int64)
            cap = cents[np.where(band >= 0, band, len(cents) - 1)]
            no_cap = self.missing_cap(step, cap, band == MISSING)
        else:
            values, na, _ = self.field_values(step.model.field)
            cap = np.maximum(values, 0).astype(np.int64)
            no_cap = self.missing_cap(step, cap, na)
        limit = _widen(cap, self.scale) * self.scale
        cut = (self.num > limit) & ~no_cap
        self.num = np.where(cut, limit, self.num)
        self.record(step, band=band, factor=np.where(no_cap, -1, cap), acted=cut)

    def missing_cap(self, step: AmountStep, cap: np.ndarray, na: np.ndarray) -> np.ndarray:
        """Rows without the cap's value: excluded, uncapped ('ignore'), or a stated cap."""
        if step.missing == "exclude":
            self.exclude(AMOUNT_DATA_MISSING, na)
            return np.zeros(len(cap), dtype=bool)
        if step.missing == "ignore":
            return na
        cap[na] = to_cents(step.missing)
        return np.zeros(len(cap), dtype=bool)

    def step_minimum(self, step: AmountStep) -> None:
        below = self.num < to_cents(step.model.eur) * self.scale
        self.exclude(BELOW_MINIMUM, below)
        self.record(step, acted=below)


REASONS = (MISSING_COST, AMOUNT_DATA_MISSING, AMOUNT_OUTSIDE_BANDS, BELOW_MINIMUM)
__all__ = [
    "REASONS",
    "AmountStep",
    "AmountTrace",
    "Bands",
    "StepTrace",
    "VoucherRule",
]
