"""flag: `points` when a condition of the ranking unit is true.

The condition is read on the unit's first row (application-level fields; with
`ranking.unit: minor`, the minor's own row); any/all/count/sum inside it gather the
application's eligible minors. An unknown condition is missing data (`missing`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from conciliare_cli.config.models import FlagCriterion
from conciliare_cli.engine.criteria.base import (
    CriterionRule,
    ExplainCase,
    LetterView,
    ScoreData,
    thousandths,
    truth,
)
from conciliare_cli.engine.words import condition_words
from conciliare_cli.fields import Field, Kind
from conciliare_cli.italian import points_text, value_text

BARE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class FlagRule(CriterionRule):
    kind = "flag"
    model_class = FlagCriterion
    condition_level = "unit"

    def raw_points(self, data: ScoreData) -> tuple[np.ndarray, np.ndarray]:
        members = pd.Series(data.members, index=data.table.index)
        v = self.expressions["condition"].evaluate(
            data.table, data.constants, group=data.app_codes, members=members
        )
        true, na = truth(v)
        true, missing = data.units.at_first(true), data.units.at_first(na)
        return np.where(true, thousandths(self.model.points), 0), missing

    def describe(self, fields: Mapping[str, Field]) -> str:
        words = condition_words(self.expressions["condition"], fields)
        return f"{points_text(self.model.points)} se: {words}"

    def explain(self, case: ExplainCase) -> str:
        v = self.expressions["condition"].evaluate(
            case.app_rows, case.constants, members=case.members
        )
        val = v.loc[case.first.name] if case.first.name in v.index else v.iloc[0]
        name = self.model.condition.strip()
        if BARE_NAME.match(name) and name in case.fields:  # a yes/no field: its value
            state = "non indicato" if pd.isna(val) else ("sì" if bool(val) else "no")
            return f"{case.fields[name].label}: {state}"
        state = (
            "non valutabile (manca un dato)"
            if pd.isna(val)
            else ("soddisfatta" if bool(val) else "non soddisfatta")
        )
        words = condition_words(self.expressions["condition"], case.fields, case.constants)
        return f"condizione «{words}» {state}"

    def shown_values(self, view: LetterView) -> pd.Series:
        """The field itself when the condition is a bare field; else whether it earned."""
        name = self.model.condition.strip()
        if BARE_NAME.match(name) and name in view.minors.columns:
            return view.first_of(name).map(lambda v: value_text(v, Kind.BOOL))
        earned = (view.points(self.id).fillna(0) != 0).groupby(view.unit, sort=False).max()
        return earned.map(lambda v: "sì" if v else "no")
