"""Scoring: the points of every criterion for every ranking unit, in integer thousandths.

A unit is an application (ranking.unit: application) or a single minor (unit: minor).
Points are held as integers of 1/1000 of a point, so sums are exact; the YAML's points are
read as decimals and rounded half away from zero to 0.001. Each criterion is capped at
`max_points`.

- flag: `points` when the condition is true for the unit. The condition is read on the unit's
  first row (application-level fields; with unit minor, the minor's own row); any/all/count/
  sum inside it gather the application's eligible minors.
- bands: the points of the band the unit's value falls in (`min` and `max` inclusive; money
  compared exactly in cents, e.g. max 20000 admits 20,000.00 € but not 20,000.01 €). A value
  in no band scores 0.
- map: the points of the unit's category, compared without case and surrounding spaces;
  `default` for a category not listed.
- count: `points` for each eligible minor of the unit for which the condition is true.
- sum: `points` per unit of a minor's number (per euro for money), over the eligible minors
  of the unit that meet the optional condition; rounded half away from zero to 0.001.

Missing data (`missing`): a flag condition that is unknown, a missing bands/map value, an
eligible minor whose count condition is unknown, or whose sum value (or condition) is unknown:
`zero` gives no points for it (count: the minor is not counted; sum: it adds nothing),
`exclude` excludes the unit (reason CRITERIO_<ID>_DATO_MANCANTE), `error` excludes it with a
blocking finding CRITERIO_NON_CALCOLABILE; for bands, a number gives that many points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.config.models import (
    BandsCriterion,
    CountCriterion,
    FlagCriterion,
    MapCriterion,
    SumCriterion,
)
from conciliare_cli.engine.expr import Expression
from conciliare_cli.fields import Field, Kind

MISSING_CODE = "CRITERIO_{id}_DATO_MANCANTE"
NOT_COMPUTABLE = "CRITERIO_NON_CALCOLABILE"


def thousandths(value: Decimal | int | float) -> int:
    """Points as integer thousandths, rounded half away from zero: '1.2345' -> 1235."""
    return int((Decimal(str(value)) * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def missing_code(criterion_id: str) -> str:
    return MISSING_CODE.format(id=criterion_id.upper())


@dataclass
class Units:
    """Rows → ranking units: a code per row and each unit's first row. The rows of a unit
    are together (canonical order), so `first` also splits the rows into units."""

    codes: np.ndarray  # per row, non-decreasing
    first: np.ndarray  # per unit
    ids: np.ndarray  # per unit: the unit id (application_id or row_key)

    @classmethod
    def of(
        cls, table: pd.DataFrame, app_codes: np.ndarray, app_first: np.ndarray, by_minor: bool
    ) -> Units:
        if by_minor:
            n = len(table)
            ids = table["row_key"].astype("string").to_numpy(dtype=object, na_value="")
            return cls(np.arange(n), np.arange(n), ids)
        ids = table["application_id"].astype("string").to_numpy(dtype=object, na_value="")
        return cls(app_codes, app_first, ids[app_first])

    @property
    def n(self) -> int:
        return len(self.ids)

    def at_first(self, per_row: np.ndarray) -> np.ndarray:
        return per_row[self.first]

    def sum(self, per_row: np.ndarray) -> np.ndarray:
        acc = np.zeros(self.n, dtype=per_row.dtype)
        np.add.at(acc, self.codes, per_row)
        return acc

    def any(self, per_row: np.ndarray) -> np.ndarray:
        return np.bincount(self.codes, weights=per_row, minlength=self.n) > 0

    def any_columns(self, matrix: np.ndarray) -> np.ndarray:
        """Per unit and column: true when some row of the unit has it."""
        if self.n == 0 or matrix.shape[1] == 0:
            return np.zeros((self.n, matrix.shape[1]), dtype=bool)
        return np.maximum.reduceat(matrix.astype(np.uint8), self.first, axis=0).astype(bool)

    def count(self, per_row: np.ndarray) -> np.ndarray:
        return np.bincount(self.codes, weights=per_row, minlength=self.n).astype(np.int64)


@dataclass
class Scores:
    points: dict[str, np.ndarray] = field(default_factory=dict)  # per unit, thousandths
    missing: dict[str, np.ndarray] = field(default_factory=dict)  # per unit, policy != zero
    total: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _bool(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    return values.to_numpy(dtype=bool, na_value=False), values.isna().to_numpy()


def _numeric(values: pd.Series, kind: Kind) -> tuple[np.ndarray, np.ndarray, int | None]:
    """(values, missing, scale): integers scaled (cents: 100) or floats (scale None)."""
    na = values.isna().to_numpy()
    if kind is Kind.MONEY or kind is Kind.INTEGER:
        ints = pd.array(values, dtype="Int64").to_numpy(dtype=np.int64, na_value=0)
        return ints, na, 100 if kind is Kind.MONEY else 1
    floats = pd.array(values, dtype="Float64").to_numpy(dtype=np.float64, na_value=0.0)
    return floats, na, None


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    if name in table.columns:
        return table[name]
    return pd.Series(pd.NA, index=table.index, dtype="object")


def _band_masks(
    values: np.ndarray, scale: int | None, lo: Decimal | None, hi: Decimal | None
) -> np.ndarray:
    mask = np.ones(len(values), dtype=bool)
    if scale is None:
        if lo is not None:
            mask &= values >= float(lo)
        if hi is not None:
            mask &= values <= float(hi)
        return mask
    if lo is not None:
        bound = (lo * scale).to_integral_value(rounding="ROUND_CEILING")
        mask &= values >= int(bound)
    if hi is not None:
        bound = (hi * scale).to_integral_value(rounding="ROUND_FLOOR")
        mask &= values <= int(bound)
    return mask


def _round_div(num: np.ndarray, den: int) -> np.ndarray:
    """num / den rounded half away from zero (like `thousandths`), in integers."""
    return np.sign(num) * np.floor_divide(2 * np.abs(num) + den, 2 * den)


def score_units(
    table: pd.DataFrame,
    criteria: list[Any],
    conditions: Mapping[str, Expression],
    fields: Mapping[str, Field],
    constants: Mapping[str, Any],
    units: Units,
    members: np.ndarray,
    app_codes: np.ndarray | None = None,
) -> Scores:
    """Points per criterion and unit. `conditions` maps criterion id to its compiled
    condition; `members` marks the eligible minors (rows) that count and sum gather;
    `app_codes` (per row) groups the rows by application for any/all/count/sum in flags."""
    out = Scores(total=np.zeros(units.n, dtype=np.int64))
    mem_series = pd.Series(members, index=table.index)
    for crit in criteria:
        missing = np.zeros(units.n, dtype=bool)
        if isinstance(crit, FlagCriterion):
            v = conditions[crit.id].evaluate(table, constants, group=app_codes, members=mem_series)
            true, na = _bool(v)
            true, missing = units.at_first(true), units.at_first(na)
            pts = np.where(true, thousandths(crit.points), 0)
        elif isinstance(crit, BandsCriterion):
            values, na, scale = _numeric(_column(table, crit.field), fields[crit.field].kind)
            values, missing = units.at_first(values), units.at_first(na)
            pts = np.zeros(units.n, dtype=np.int64)
            placed = np.zeros(units.n, dtype=bool)
            for band in crit.bands:
                m = _band_masks(values, scale, band.min, band.max) & ~placed & ~missing
                pts[m] = thousandths(band.points)
                placed |= m
            if isinstance(crit.missing, Decimal):
                pts[missing] = thousandths(crit.missing)
                missing = np.zeros(units.n, dtype=bool)
        elif isinstance(crit, MapCriterion):
            text = _column(table, crit.field).astype("string").str.strip().str.casefold()
            text = text.mask(text == "")
            table_map = {str(k).strip().casefold(): thousandths(v) for k, v in crit.map.items()}
            mapped = text.map(table_map)
            pts_row = pd.array(mapped, dtype="Int64").to_numpy(
                dtype=np.int64, na_value=thousandths(crit.default)
            )
            missing = units.at_first(text.isna().to_numpy())
            pts = np.where(missing, 0, units.at_first(pts_row))
        elif isinstance(crit, CountCriterion):
            v = conditions[crit.id].evaluate(table, constants)
            true, na = _bool(v)
            counted = units.count(true & members)
            missing = units.any(na & members)
            pts = counted * thousandths(crit.points)
        elif isinstance(crit, SumCriterion):
            pts, missing = _sum_points(crit, table, conditions, fields, constants, units, members)
        else:  # pragma: no cover - the models admit only these
            raise TypeError(f"unknown criterion {crit!r}")
        pts = np.asarray(pts, dtype=np.int64)
        if crit.missing in ("exclude", "error"):
            pts = np.where(missing, 0, pts)
        else:
            missing = np.zeros(units.n, dtype=bool)
        if crit.max_points is not None:
            pts = np.minimum(pts, thousandths(crit.max_points))
        out.points[crit.id] = pts
        out.missing[crit.id] = missing
        out.total = out.total + pts
    return out


def _sum_points(
    crit: SumCriterion,
    table: pd.DataFrame,
    conditions: Mapping[str, Expression],
    fields: Mapping[str, Field],
    constants: Mapping[str, Any],
    units: Units,
    members: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    counted = members.copy()
    missing_rows = np.zeros(len(table), dtype=bool)
    if crit.id in conditions:
        true, na = _bool(conditions[crit.id].evaluate(table, constants))
        missing_rows |= na & members
        counted &= true
    values, na, scale = _numeric(_column(table, crit.field), fields[crit.field].kind)
    missing_rows |= na & counted
    counted &= ~na
    p = thousandths(crit.points)
    if scale is None:
        total = units.sum(np.where(counted, values, 0.0))
        pts = np.rint(total * p).astype(np.int64)
    else:
        total = units.sum(np.where(counted, values, 0).astype(np.int64))
        pts = _round_div(total * p, scale) if scale != 1 else total * p
    return pts, units.any(missing_rows)
