"""Application fields written once per application, as partners' exports often have them.

Two rules, both on one-row-per-minor files:

1. A row whose application key cell is empty — the protocol (`application_id`), or the
   applicant's tax code when the partner maps no protocol — continues the application of the
   nearest row above that has one (empty rows between do not matter): its empty application
   cells take that row's values. If one of its application cells is filled with a different
   value, or there is no application above, it cannot be told whose it is: it is read as an
   application of its own and reported (RIGA_SENZA_DOMANDA, a warning).
2. Within an application (rows with the same application id, in any file of the partner), an
   empty application cell takes the value of the application's first row that has one. Two
   different values are never chosen between: validation reports them (DOMANDA_INCOERENTE).

Minors' fields are never filled. Merged cells are another matter (read/sources.fill_merged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.fields import Field, Kind, Level

AMBIGUOUS = "RIGA_SENZA_DOMANDA"
_FRAME = ["code", "pos", "column", "field", "value", "detail"]


def _application_fields(resolved: Sequence[Any], fields: Mapping[str, Field]) -> list[Any]:
    return [fc for fc in resolved if fields[fc.name].level is Level.APPLICATION]


def _comparable(values: pd.Series, kind: Kind) -> pd.Series:
    if kind in (Kind.TEXT, Kind.TAX_CODE):
        return values.astype("string").str.strip().str.casefold()
    return values


def written_blank(fc: Any, blank: np.ndarray) -> np.ndarray:
    """Per row: every cell of the field was empty in the file (slot 1: application fields)."""
    cols = fc.columns.get(1, [])
    if not cols:
        return np.ones(len(blank), dtype=bool)
    return blank[:, cols].all(axis=1)


def blank_masks(
    resolved: Sequence[Any], fields: Mapping[str, Field], blank: np.ndarray
) -> dict[str, np.ndarray]:
    """Per application field: where its cells were empty in the file (for rule 2)."""
    return {fc.name: written_blank(fc, blank) for fc in _application_fields(resolved, fields)}


def continue_rows(
    frame: pd.DataFrame,
    resolved: Sequence[Any],
    fields: Mapping[str, Field],
    blank: np.ndarray,
    source_rows: np.ndarray,
) -> pd.DataFrame:
    """Rule 1 on one file's rows (file order), in place; returns the findings (code, pos,
    column, field, value), positions in `frame`. `blank` (rows x the file's columns) says
    which cells were empty in the file."""
    app = _application_fields(resolved, fields)
    by_name = {fc.name: fc for fc in app}
    key = by_name.get("application_id") or by_name.get("applicant_tax_code")
    n = len(frame)
    if key is None or n == 0:
        return pd.DataFrame(columns=_FRAME)
    key_blank = blank[:, key.columns[1]].all(axis=1) if key.columns[1] else np.ones(n, bool)
    pos = np.arange(n)
    anchor = np.maximum.accumulate(np.where(~key_blank, pos, -1))
    cont = np.flatnonzero(key_blank & (anchor >= 0))
    conflict = np.zeros(len(cont), dtype=bool)
    differing: list[list[str]] = [[] for _ in cont]
    for fc in app:
        own = _comparable(frame[fc.name].iloc[cont].reset_index(drop=True), fc.kind)
        above = _comparable(frame[fc.name].iloc[anchor[cont]].reset_index(drop=True), fc.kind)
        diff = (own.notna() & above.notna() & (own != above)).to_numpy(dtype=bool)
        conflict |= diff
        for i in np.flatnonzero(diff):
            differing[i].append(fields[fc.name].label)
    take = cont[~conflict]
    for fc in app:
        col = frame[fc.name].copy()
        empty = written_blank(fc, blank)[take]  # unreadable or 'not declared' cells stay so
        mine = col.iloc[take]
        above = pd.Series(col.iloc[anchor[take]].to_numpy(), index=mine.index, dtype=col.dtype)
        col.iloc[take] = mine.where(~empty, above).to_numpy()
        frame[fc.name] = col
    orphans = np.flatnonzero(key_blank & (anchor < 0))
    clashing = cont[conflict]
    clash_fields = [d for d, c in zip(differing, conflict, strict=True) if c]
    why = ["nessuna domanda nelle righe sopra"] * len(orphans) + [
        f"dati della domanda diversi dalla riga {source_rows[anchor[p]]} ({', '.join(d)})"
        for p, d in zip(clashing, clash_fields, strict=True)
    ]
    where = np.concatenate([orphans, clashing]).astype(np.int64)
    return pd.DataFrame(
        {
            "code": AMBIGUOUS,
            "pos": where,
            "column": key.labels.get(1, key.name),
            "field": key.name,
            "value": why,
            "detail": None,
        },
        columns=_FRAME,
    )


def fill_within_applications(
    table: pd.DataFrame,
    fields: Mapping[str, Field],
    blank: Mapping[str, np.ndarray],
    exclude: Sequence[str] = ("application_id",),
) -> None:
    """Rule 2 on one partner's rows, in place: application cells that were empty in the file
    (`blank`, per field) take the first value of their application (rows in file order)."""
    if not len(table) or "application_id" not in table.columns:
        return
    groups = table["application_id"]
    for name, mask in blank.items():
        if name in exclude or name not in table.columns:
            continue
        col = table[name]
        empty = pd.Series(mask, index=table.index) & col.isna()
        if not empty.any() or empty.all():
            continue
        first = col.groupby(groups, sort=False).transform("first")
        table[name] = col.where(~empty, first)
