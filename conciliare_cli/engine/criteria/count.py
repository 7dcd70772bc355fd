"""count: `points` for each eligible minor of the unit for which the condition is true.

The condition is read on each minor's row (no any/all/count/sum inside). An eligible minor
whose condition is unknown is missing data (`missing`); with `zero` it is not counted.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from conciliare_cli.config.models import CountCriterion
from conciliare_cli.engine.criteria.base import (
    CriterionRule,
    ExplainCase,
    LetterView,
    ScoreData,
    thousandths,
    truth,
)
from conciliare_cli.engine.criteria.flag import BARE_NAME
from conciliare_cli.engine.words import condition_words
from conciliare_cli.fields import Field, Level
from conciliare_cli.italian import number, points_text


class CountRule(CriterionRule):
    kind = "count"
    model_class = CountCriterion
    condition_level = Level.MINOR

    def raw_points(self, data: ScoreData) -> tuple[np.ndarray, np.ndarray]:
        true, na = truth(self.expressions["condition"].evaluate(data.table, data.constants))
        counted = data.units.count(true & data.members)
        missing = data.units.any(na & data.members)
        return counted * thousandths(self.model.points), missing

    def describe(self, fields: Mapping[str, Field]) -> str:
        c = self.model.condition
        words = condition_words(self.expressions["condition"], fields)
        cond = "" if c.strip().lower() == "true" else f" con: {words}"
        return f"{points_text(self.model.points)} per ogni minore ammissibile{cond}"

    def explain(self, case: ExplainCase) -> str:
        counted = case.counted()
        hit = self.expressions["condition"].evaluate(counted, case.constants)
        hits = int(hit.fillna(False).astype(bool).sum())
        each = points_text(self.model.points)
        if self.model.condition.strip().lower() == "true":
            return f"minori ammissibili: {hits}, {each} ciascuno"
        words = condition_words(self.expressions["condition"], case.fields, case.constants)
        return f"minori ammissibili con «{words}»: {hits} su {len(counted)}, {each} ciascuno"

    def shown_values(self, view: LetterView) -> pd.Series:
        """How many admitted minors meet the condition, when it is a bare field (or true)."""
        cond = bare_condition(self.model.condition, view)
        if cond is None:
            return self.placeholder(view)
        counted = (cond & view.admitted).groupby(view.unit, sort=False).sum()
        return counted.map(lambda v: number(int(v)))


def bare_condition(text: str | None, view: LetterView) -> pd.Series | None:
    """A condition that is `true` or a single boolean field, as a mask over the minors;
    None for any other expression (the letters then show a dash)."""
    text = (text or "true").strip()
    if text == "true":
        return pd.Series(True, index=view.minors.index)
    if BARE_NAME.match(text) and text in view.minors.columns:
        return view.minors[text].astype("boolean").fillna(False).astype(bool)
    return None
