"""Natural order of ids: COMUNE-2 before COMUNE-18 (text compared piece by piece, numbers as
numbers), the same on every machine."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

_PIECES = re.compile(r"(\d+)")


def natural_key(text: object) -> tuple[tuple[int, int | str], ...]:
    """A sort key: 'COMUNE-18' → (('COMUNE-'), 18, ...); case ignored, then as written."""
    value = "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text)
    pieces = _PIECES.split(value)
    key: list[tuple[int, int | str]] = []
    for i, piece in enumerate(pieces):
        if i % 2:
            key.append((0, int(piece)))
        elif piece:
            key.append((1, piece.casefold()))
    key.append((2, value))  # ties (case, leading zeros) in a fixed order
    return tuple(key)


def natural_sorted(values: Iterable[object]) -> list[object]:
    return sorted(values, key=natural_key)


def natural_rank(values: pd.Series) -> np.ndarray:
    """The position of each value in natural order (0-based, ties in order of appearance),
    computed once per distinct value."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=False)
    order = sorted(range(len(uniques)), key=lambda i: natural_key(uniques[i]))
    rank_of = np.empty(len(uniques), dtype=np.int64)
    rank_of[order] = np.arange(len(uniques))
    return rank_of[codes]
