"""bands: the points of the band the unit's number falls in.

`min` and `max` are inclusive; money is compared exactly in cents (max 20000 admits
20,000.00 € but not 20,000.01 €). A value in no band scores 0. `missing` may also be a
number: the points of a unit without the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.config.models import BandsCriterion
from conciliare_cli.engine.criteria.base import (
    NUMERIC,
    CriterionRule,
    ExplainCase,
    LetterView,
    Loc,
    ScoreData,
    field_kind,
    field_label,
    thousandths,
)
from conciliare_cli.fields import Field, Kind
from conciliare_cli.italian import eur, eur_decimal, number, points_text, value_text


class BandsRule(CriterionRule):
    kind = "bands"
    model_class = BandsCriterion
    field_kinds = NUMERIC
    field_kind_error = "il campo '{name}' non è un numero o un importo"
    field_per_application = True

    @classmethod
    def point_values(cls, model: Any, loc: Loc) -> Iterable[tuple[Loc, Decimal]]:
        yield from super().point_values(model, loc)
        yield from (((*loc, "bands", j, "points"), b.points) for j, b in enumerate(model.bands))
        if isinstance(model.missing, Decimal):
            yield (*loc, "missing"), model.missing

    def raw_points(self, data: ScoreData) -> tuple[np.ndarray, np.ndarray]:
        values, na, scale = data.numeric(self.model.field)
        values, missing = data.units.at_first(values), data.units.at_first(na)
        pts = np.zeros(data.units.n, dtype=np.int64)
        placed = np.zeros(data.units.n, dtype=bool)
        for band in self.model.bands:
            m = band_mask(values, scale, band.min, band.max) & ~placed & ~missing
            pts[m] = thousandths(band.points)
            placed |= m
        if isinstance(self.model.missing, Decimal):
            pts[missing] = thousandths(self.model.missing)
            missing = np.zeros(data.units.n, dtype=bool)
        return pts, missing

    def describe(self, fields: Mapping[str, Field]) -> str:
        money = field_kind(fields, self.model.field) is Kind.MONEY

        def amount(value: Decimal) -> str:
            return eur_decimal(value) if money else number(value)

        parts = []
        for b in self.model.bands:
            lo = amount(b.min) if b.min is not None else None
            hi = amount(b.max) if b.max is not None else None
            if lo is not None and hi is not None:
                span = f"da {lo} a {hi}"
            elif hi is not None:
                span = f"fino a {hi}"
            elif lo is not None:
                span = f"da {lo} in su"
            else:
                span = "qualsiasi valore"
            parts.append(f"{span}: {points_text(b.points)}")
        return f"{field_label(fields, self.model.field)} — " + "; ".join(parts)

    def explain(self, case: ExplainCase) -> str:
        f = case.fields[self.model.field]
        value = case.first.get(self.model.field)
        why = f"{f.label}: {value_text(value, f.kind)}"
        if value is not None and not pd.isna(value):
            band = self.matching_band(value, f.kind)
            why += f", fascia {band}" if band else ", in nessuna fascia"
        return why

    def matching_band(self, value: Any, kind: Kind) -> str | None:
        scale = 100 if kind is Kind.MONEY else 1
        if kind in (Kind.MONEY, Kind.INTEGER):
            v = Decimal(int(value)) / scale
        else:
            v = Decimal(str(value))
        for band in self.model.bands:
            if (band.min is None or v >= band.min) and (band.max is None or v <= band.max):
                pts = number(float(band.points))
                return f"{_band_text(band.min, band.max, kind)} ({pts} punti)"
        return None

    def shown_values(self, view: LetterView) -> pd.Series:
        return self.field_values(view)


def band_mask(
    values: np.ndarray, scale: int | None, lo: Decimal | None, hi: Decimal | None
) -> np.ndarray:
    """Where `values` fall in [lo, hi] (inclusive; None = open); with `scale`, values are
    integers scaled by it and the bounds are rounded inwards. Used by the bands criterion and
    the voucher's share by band (engine/amounts.py)."""
    mask = np.ones(len(values), dtype=bool)
    if scale is None:
        if lo is not None:
            mask &= values >= float(lo)
        if hi is not None:
            mask &= values <= float(hi)
        return mask
    if lo is not None:
        mask &= values >= int((lo * scale).to_integral_value(rounding="ROUND_CEILING"))
    if hi is not None:
        mask &= values <= int((hi * scale).to_integral_value(rounding="ROUND_FLOOR"))
    return mask


def _band_text(lo: Decimal | None, hi: Decimal | None, kind: Kind) -> str:
    def fmt(d: Decimal) -> str:
        return eur(int(d * 100)) if kind is Kind.MONEY else number(float(d))

    if lo is None and hi is not None:
        return f"fino a {fmt(hi)}"
    if hi is None and lo is not None:
        return f"da {fmt(lo)}"
    return f"da {fmt(lo)} a {fmt(hi)}"  # type: ignore[arg-type]
