"""sum: `points` per unit of a minor's number (per euro for money), over the eligible minors
of the unit that meet the optional condition; rounded half away from zero to 0.001.

An eligible minor whose value (or condition) is unknown is missing data (`missing`); with
`zero` it adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from conciliare_cli.config.models import SumCriterion
from conciliare_cli.engine.criteria.base import (
    NUMERIC,
    CriterionRule,
    ExplainCase,
    LetterView,
    ScoreData,
    field_kind,
    field_label,
    thousandths,
    truth,
)
from conciliare_cli.engine.criteria.count import bare_condition
from conciliare_cli.engine.words import condition_words
from conciliare_cli.fields import Field, Kind, Level
from conciliare_cli.italian import eur, number, points_text, value_text


class SumRule(CriterionRule):
    kind = "sum"
    model_class = SumCriterion
    field_kinds = NUMERIC
    field_kind_error = "il campo '{name}' non è un numero o un importo"
    condition_level = Level.MINOR

    def raw_points(self, data: ScoreData) -> tuple[np.ndarray, np.ndarray]:
        members = data.members
        counted = members.copy()
        missing_rows = np.zeros(len(data.table), dtype=bool)
        if "condition" in self.expressions:
            true, na = truth(self.expressions["condition"].evaluate(data.table, data.constants))
            missing_rows |= na & members
            counted &= true
        values, na, scale = data.numeric(self.model.field)
        missing_rows |= na & counted
        counted &= ~na
        p = thousandths(self.model.points)
        if scale is None:
            total = data.units.sum(np.where(counted, values, 0.0))
            pts = np.rint(total * p).astype(np.int64)
        else:
            total = data.units.sum(np.where(counted, values, 0).astype(np.int64))
            pts = _round_div(total * p, scale) if scale != 1 else total * p
        return pts, data.units.any(missing_rows)

    def describe(self, fields: Mapping[str, Field]) -> str:
        label = field_label(fields, self.model.field)
        text = f"{points_text(self.model.points)} per unità di {label} dei minori"
        if not self.model.condition:
            return text
        return f"{text} con: {condition_words(self.expressions['condition'], fields)}"

    def explain(self, case: ExplainCase) -> str:
        f = case.fields[self.model.field]
        counted = case.counted()
        total = pd.to_numeric(counted.get(self.model.field), errors="coerce").sum()
        total_text = eur(int(total)) if f.kind is Kind.MONEY else number(total)
        return f"somma di {f.label}: {total_text}"

    def shown_values(self, view: LetterView) -> pd.Series:
        cond = bare_condition(self.model.condition, view)
        if cond is None or self.model.field not in view.minors.columns:
            return self.placeholder(view)
        values = pd.to_numeric(view.minors[self.model.field], errors="coerce")
        summed = values.where(cond & view.admitted).groupby(view.unit, sort=False).sum(min_count=1)
        kind = field_kind(view.fields, self.model.field)
        return summed.map(lambda v: value_text(v, kind))


def _round_div(num: np.ndarray, den: int) -> np.ndarray:
    """num / den rounded half away from zero (like `thousandths`), in integers."""
    return np.sign(num) * np.floor_divide(2 * np.abs(num) + den, 2 * den)
