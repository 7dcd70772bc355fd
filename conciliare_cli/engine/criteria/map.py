"""map: the points of the unit's category.

Categories are compared without case and surrounding spaces; `default` gives the points of a
category not listed; an empty value is missing data (`missing`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.config.models import MapCriterion
from conciliare_cli.engine.criteria.base import (
    TEXTUAL,
    CriterionRule,
    ExplainCase,
    LetterView,
    Loc,
    ScoreData,
    field_label,
    thousandths,
)
from conciliare_cli.fields import Field
from conciliare_cli.italian import points_text, value_text


class MapRule(CriterionRule):
    kind = "map"
    model_class = MapCriterion
    field_kinds = TEXTUAL
    field_kind_error = "il campo '{name}' non è un testo: 'map' assegna punti a categorie"
    field_per_application = True

    @classmethod
    def point_values(cls, model: Any, loc: Loc) -> Iterable[tuple[Loc, Decimal]]:
        yield from super().point_values(model, loc)
        yield from (((*loc, "map", k), v) for k, v in model.map.items())

    def raw_points(self, data: ScoreData) -> tuple[np.ndarray, np.ndarray]:
        text = data.column(self.model.field).astype("string").str.strip().str.casefold()
        text = text.mask(text == "")
        table = {str(k).strip().casefold(): thousandths(v) for k, v in self.model.map.items()}
        per_row = pd.array(text.map(table), dtype="Int64").to_numpy(
            dtype=np.int64, na_value=thousandths(self.model.default)
        )
        missing = data.units.at_first(text.isna().to_numpy())
        return np.where(missing, 0, data.units.at_first(per_row)), missing

    def describe(self, fields: Mapping[str, Field]) -> str:
        parts = [f"{k}: {points_text(v)}" for k, v in self.model.map.items()]
        parts.append(f"altri valori: {points_text(self.model.default)}")
        return f"{field_label(fields, self.model.field)} — " + "; ".join(parts)

    def explain(self, case: ExplainCase) -> str:
        f = case.fields[self.model.field]
        value = case.first.get(self.model.field)
        known = {str(k).strip().casefold() for k in self.model.map}
        listed = isinstance(value, str) and value.strip().casefold() in known
        return f"{f.label}: {value_text(value, f.kind)}" + (
            "" if listed else " (valore non elencato)"
        )

    def shown_values(self, view: LetterView) -> pd.Series:
        return self.field_values(view)
