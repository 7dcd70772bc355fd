"""Scoring: the points of every criterion for every ranking unit, in integer thousandths.

A unit is an application (ranking.unit: application) or a single minor (unit: minor). Each
criterion is scored by its kind (engine/criteria/<type>.py, whose docstrings say how), capped
at `max_points`; the total is their sum, exact to 0.001.

Missing data (`missing`): a flag condition that is unknown, a missing bands/map value, an
eligible minor whose count condition is unknown, or whose sum value (or condition) is unknown:
`zero` gives no points for it (count: the minor is not counted; sum: it adds nothing),
`exclude` excludes the unit (reason CRITERIO_<ID>_DATO_MANCANTE), `error` excludes it with a
blocking finding CRITERIO_NON_CALCOLABILE; for bands, a number gives that many points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from conciliare_cli.engine.criteria import CriterionRule
from conciliare_cli.engine.criteria.base import ScoreData

NOT_COMPUTABLE = "CRITERIO_NON_CALCOLABILE"


@dataclass
class Scores:
    points: dict[str, np.ndarray] = field(default_factory=dict)  # per unit, thousandths
    missing: dict[str, np.ndarray] = field(default_factory=dict)  # per unit, policy != zero
    total: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def score_units(criteria: Sequence[CriterionRule], data: ScoreData) -> Scores:
    """Points per criterion and unit over `data` (its `members` are the eligible minors that
    count and sum gather)."""
    out = Scores(total=np.zeros(data.units.n, dtype=np.int64))
    for crit in criteria:
        pts, missing = crit.points(data)
        out.points[crit.id] = pts
        out.missing[crit.id] = missing
        out.total = out.total + pts
    return out
