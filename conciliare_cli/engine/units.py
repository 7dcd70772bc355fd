"""Ranking units: the application (the default) or each minor (`ranking.unit: minor`).

`Units` maps the rows (minors, in canonical order) to their unit and aggregates per unit,
vectorised: first row, sums, counts, any.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


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
