"""Words that mean "not declared" ("non presentato", "non disponibile", "in attesa").

The call (`not_declared:`) and each partner (`partners[].not_declared`) may list them. A cell
of a mapped column whose text is one of them (ignoring case, spaces at the ends and repeated
spaces) is read as missing, never as an unreadable value, and reported with the warning
DATO_NON_DICHIARATO: what the missing value means is then the call's rule (a missing ISEE, a
missing cost), not a blocking finding. Empty rows and totals rows are told apart before, on
the cells as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.read.values import clean_text

CODE = "DATO_NON_DICHIARATO"
_FRAME = ["code", "pos", "column", "field", "value", "detail"]

Coded = tuple[np.ndarray, np.ndarray]  # codes (-1 empty) and distinct raw values, per column


def word_key(text: str) -> str:
    return clean_text(text).casefold()


def words_of(*lists: Iterable[str]) -> frozenset[str]:
    return frozenset(word_key(w) for words in lists for w in words if word_key(w))


def screen_columns(
    coded: list[Coded], columns: Sequence[int], words: frozenset[str]
) -> tuple[list[Coded], dict[int, np.ndarray]]:
    """The columns with those cells made empty, and per column that had some, where (a mask
    over the data rows). Each distinct value is looked at once."""
    hits: dict[int, np.ndarray] = {}
    if not words:
        return coded, hits
    out = list(coded)
    for j in columns:
        codes, uniques = coded[j]
        hit = np.array([isinstance(u, str) and word_key(u) in words for u in uniques], dtype=bool)
        if not hit.any():
            continue
        where = (codes >= 0) & np.append(hit, False)[codes]
        out[j] = (np.where(where, -1, codes), uniques)
        hits[j] = where
    return out, hits


def findings(
    hits: dict[int, np.ndarray],
    coded: list[Coded],
    resolved: Sequence[Any],
    row_pos: np.ndarray,
    slot: np.ndarray,
) -> list[pd.DataFrame]:
    """One DATO_NON_DICHIARATO per canonical row and field where a word was read (`coded`
    are the columns as written, before screening)."""
    out = []
    for fc in resolved:
        for n, cols in fc.columns.items():
            for j in cols:
                if j not in hits:
                    continue
                mask = hits[j][row_pos] & (slot == n)
                if not mask.any():
                    continue
                codes, uniques = coded[j]
                pos = np.flatnonzero(mask)
                out.append(
                    pd.DataFrame(
                        {
                            "code": CODE,
                            "pos": pos,
                            "column": fc.labels.get(n, fc.name),
                            "field": fc.name,
                            "value": uniques[codes[row_pos[pos]]],
                            "detail": None,
                        },
                        columns=_FRAME,
                    )
                )
    return out
