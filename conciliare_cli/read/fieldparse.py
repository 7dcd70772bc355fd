"""One mapped field of one file, from its raw cells to canonical values and findings.

The raw cells come factorized (codes into distinct values, see read/values.py). Before a
value is parsed by its kind, invisible characters are removed from the texts, and error
values (#N/A, #DIV/0!, an error cell, a NaN number: read/clean.py) are set apart: they are
unreadable (CELLA_IN_ERRORE), never empty. Removing invisible characters from a protocol or a
tax code is reported (CARATTERI_INVISIBILI_RIMOSSI); an amount rounded to whole cents is
reported with the rounding (IMPORTO_ARROTONDATO).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from conciliare_cli import italian
from conciliare_cli.fields import Kind
from conciliare_cli.read.clean import (
    clean_uniques,
    error_uniques,
    invisible_uniques,
    visible,
)
from conciliare_cli.read.values import (
    BAD_VALUE_CODE,
    cell_text,
    join_parts,
    money_rounding,
    parse_coded,
    parse_parts,
)

ID_FIELDS = ("application_id",)  # text fields that are ids (tax codes are ids by kind)
FINDING_FRAME = ["code", "pos", "column", "field", "value", "detail"]


@dataclass
class FieldRead:
    values: pd.Series  # one per canonical row, the kind's dtype
    findings: list[pd.DataFrame]  # FINDING_FRAME rows


def _shown(uniques: np.ndarray, codes: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The raw values at `mask` as a person reads them, invisible characters made visible."""
    if not mask.any():
        return np.array([], dtype=object)
    texts = [visible(cell_text(v)) for v in uniques]
    return np.array(texts, dtype=object)[codes[mask]]


def _frame(
    code: str,
    mask: np.ndarray,
    label: _Label,
    name: str,
    values: object,
    detail: object = None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": code,
            "pos": np.flatnonzero(mask),
            "column": label[mask],
            "field": name,
            "value": values,
            "detail": detail,
        }
    )


class _Label:
    """The column label of each canonical row, made only when a finding needs it."""

    def __init__(self, make: Callable[[], np.ndarray]) -> None:
        self.make = make
        self.value: np.ndarray | None = None

    def __getitem__(self, mask: np.ndarray) -> np.ndarray:
        if self.value is None:
            self.value = self.make()
        return self.value[mask]


@dataclass
class _Parsed:
    values: pd.Series
    bad: np.ndarray
    shown: np.ndarray  # the raw values of the bad ones, as a person reads them
    formula: np.ndarray | None = None
    rounded: np.ndarray | None = None
    rounded_shown: np.ndarray | None = None


def _parse(
    kind: Kind,
    parts: list[tuple[np.ndarray, np.ndarray]],
    cleaned: list[tuple[np.ndarray, np.ndarray]],
    error: np.ndarray,
) -> _Parsed:
    """The values of one field, by its kind, from one column or several combined."""
    if len(parts) > 1:
        raws = [pd.Series(np.append(u, None)[c], dtype=object) for c, u in cleaned]
        values, bad = parse_parts(kind, raws)
        shown = join_parts(raws)[bad & ~error].to_numpy(dtype=object)
        return _Parsed(values.reset_index(drop=True), bad, shown)
    codes, uniques = cleaned[0]
    values, bad, formula = parse_coded(kind, codes, uniques)
    out = _Parsed(pd.Series(values), bad, _shown(parts[0][1], codes, bad & ~error), formula)
    if kind is Kind.MONEY:
        out.rounded = np.append(money_rounding(uniques), False)[codes] & ~bad & ~error
        out.rounded_shown = _shown(parts[0][1], codes, out.rounded)
    return out


def parse_field(
    name: str,
    kind: Kind,
    parts: list[tuple[np.ndarray, np.ndarray]],
    labels: Callable[[], np.ndarray],
) -> FieldRead:
    """Parse one field from its parts (one per YAML header: codes, distinct raw values);
    `labels()` gives the column label of each canonical row (for the findings)."""
    label = _Label(labels)
    error = np.logical_or.reduce([np.append(error_uniques(u), False)[c] for c, u in parts])
    dirty = [invisible_uniques(u) for _, u in parts]
    cleaned = [(c, clean_uniques(u, d)) for (c, u), d in zip(parts, dirty, strict=True)]
    p = _parse(kind, parts, cleaned, error)
    findings: list[pd.DataFrame] = []
    values = p.values
    if error.any():
        values = values.mask(pd.Series(error, index=values.index))
        err_text = join_parts([pd.Series(np.append(u, None)[c], dtype=object) for c, u in parts])
        findings.append(_frame("CELLA_IN_ERRORE", error, label, name, err_text[error].to_numpy()))
    bad = p.bad & ~error
    if bad.any():
        findings.append(_frame(BAD_VALUE_CODE[kind], bad, label, name, p.shown))
    if p.formula is not None and (p.formula & ~error).any():
        formula = p.formula & ~error
        texts = values[formula].to_numpy(dtype=object)
        findings.append(_frame("FORMULA_NEL_FILE", formula, label, name, texts))
    if p.rounded is not None and p.rounded.any():
        euros = [italian.eur(int(c)) for c in values[p.rounded].to_numpy(dtype=object)]
        rounded = _frame("IMPORTO_ARROTONDATO", p.rounded, label, name, p.rounded_shown, euros)
        findings.append(rounded)
    if name in ID_FIELDS or kind is Kind.TAX_CODE:
        findings += _invisible(name, parts, dirty, label, error)
    return FieldRead(values, findings)


def _invisible(
    name: str,
    parts: list[tuple[np.ndarray, np.ndarray]],
    dirty: list[np.ndarray],
    label: _Label,
    error: np.ndarray,
) -> list[pd.DataFrame]:
    """Ids and tax codes whose invisible characters were removed."""
    out = []
    for (codes, uniques), dirty_u in zip(parts, dirty, strict=True):
        hit = np.append(dirty_u, False)[codes] & ~error
        if hit.any():
            shown = _shown(uniques, codes, hit)
            out.append(_frame("CARATTERI_INVISIBILI_RIMOSSI", hit, label, name, shown))
    return out
