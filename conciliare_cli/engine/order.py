"""The canonical order of the rows: on content only, never on the order of the input rows.

Rows are sorted by application_id, minor_slot, minor_tax_code; rows equal on those by row_key
and provenance. Everything after (groups, units, ties, the lottery) depends on this order, so
shuffling the rows or the files changes nothing (DESIGN invariant 4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_TIE_COLUMNS = ["row_key", "source_file", "source_sheet", "source_row"]


def sorted_codes(values: pd.Series) -> np.ndarray:
    """Integer codes that sort like the texts (missing first, as -1)."""
    codes, uniques = pd.factorize(
        values.astype("string").to_numpy(dtype=object, na_value=None), use_na_sentinel=True
    )
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[np.argsort(np.asarray(uniques, dtype=str), kind="stable")] = np.arange(len(uniques))
    return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)


def _slot(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").fillna(-1).to_numpy(np.float64)


def canonical_order(minors: pd.DataFrame) -> pd.DataFrame:
    """A copy of the rows sorted on content (application_id, minor_slot, minor_tax_code;
    then row_key and provenance for rows equal on those), with a fresh RangeIndex."""
    n = len(minors)
    keys = [sorted_codes(minors["application_id"])]
    for col in ("minor_slot", "minor_tax_code"):
        if col in minors.columns:
            keys.append(_slot(minors[col]) if col == "minor_slot" else sorted_codes(minors[col]))
    order = np.lexsort(tuple(reversed(keys)))
    if n > 1:
        same = np.ones(n - 1, dtype=bool)
        for k in keys:
            ks = k[order]
            same &= ks[1:] == ks[:-1]
        if same.any():  # rows equal on the main keys: the rest decides, on content too
            for col in _TIE_COLUMNS:
                if col in minors.columns:
                    keys.append(
                        _slot(minors[col]) if col == "source_row" else sorted_codes(minors[col])
                    )
            order = np.lexsort(tuple(reversed(keys)))
    return minors.iloc[order].reset_index(drop=True)
