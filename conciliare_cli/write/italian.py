"""Italian formatting helpers for outputs (Babel, locale it_IT), reusable by letters and reports.

The basic ones live in conciliare_cli/italian.py (eur, number, dates) and are re-exported here;
this module adds what the writers need on top: labels of outcomes, scores, plain amounts for the
machine-readable CSV (which is not Italian: a dot and two decimals), euro amounts as Decimal.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import numpy as np
import pandas as pd
from babel.numbers import format_currency, format_decimal

from conciliare_cli.italian import LOCALE, date_long, date_short, datetime_short, eur, number

__all__ = [
    "LOCALE",
    "STATUS_LABELS",
    "cents_to_decimal",
    "cents_to_plain",
    "date_long",
    "date_short",
    "datetime_short",
    "eur",
    "eur_decimal",
    "number",
    "plain_score",
    "score_it",
    "status_label",
    "yes_no",
]

# Outcome of a minor/application, as people read it (Excel, letters, summary).
STATUS_LABELS: dict[str, str] = {
    "FINANZIATA": "Finanziata",
    "FINANZIATA_PARZIALMENTE": "Finanziata parzialmente",
    "AMMESSA_NON_FINANZIATA": "Ammessa non finanziata (in attesa)",
    "ESCLUSA": "Esclusa",
}


def status_label(status: str | None) -> str:
    """'FINANZIATA_PARZIALMENTE' -> 'Finanziata parzialmente'; unknown codes pass through."""
    if status is None or (not isinstance(status, str) and pd.isna(status)):
        return ""
    return STATUS_LABELS.get(str(status), str(status))


def cents_to_decimal(cents: int | None) -> Decimal | None:
    """Whole cents as a Decimal of euros, exactly: 30050 -> Decimal('300.50')."""
    if cents is None or pd.isna(cents):
        return None
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def eur_decimal(amount: Decimal | int | None) -> str:
    """A Decimal of euros in Italian: Decimal('1234.5') -> '1.234,50 €'."""
    if amount is None or pd.isna(amount):
        return ""
    return format_currency(Decimal(amount), "EUR", locale=LOCALE)


def cents_to_plain(cents: pd.Series) -> pd.Series:
    """Whole cents as '1234.56' strings (dot, two decimals), exact integer arithmetic; NA -> ''.

    For the machine-readable CSV. Vectorised, and each distinct amount formatted once: no
    floats are ever involved.
    """
    values = pd.to_numeric(cents, errors="raise").astype("Int64")
    if len(values) == 0:
        return pd.Series([], index=cents.index, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:  # all missing
        return pd.Series([""] * len(values), index=cents.index, dtype=object)
    ints = np.asarray(uniques, dtype=np.int64)
    sign = np.where(ints < 0, "-", "")
    absolute = np.abs(ints)
    euros = (absolute // 100).astype(str)
    rest = np.char.zfill((absolute % 100).astype(str), 2)
    text = np.char.add(np.char.add(np.char.add(sign, euros), "."), rest)
    table = np.append(text.astype(object), "")  # code -1 (NA) picks ''
    return pd.Series(table[codes], index=cents.index, dtype=object)


def plain_score(scores: pd.Series) -> pd.Series:
    """Scores as text without float noise: 23.0 -> '23', 23.5 -> '23.5', at most 3 decimals.

    Scores are exact to 0.001 (summed in thousandths), so rounding to thousandths and printing
    the integer thousandths is exact. NA -> ''. Each distinct score is formatted once.
    """
    values = pd.to_numeric(scores, errors="raise").astype("Float64")
    if len(values) == 0:
        return pd.Series([], index=scores.index, dtype=object)
    na = values.isna().to_numpy()
    milli = np.rint(values.fillna(0).to_numpy(dtype=np.float64) * 1000).astype(np.int64)
    codes, uniques = pd.factorize(milli)
    sign = np.where(uniques < 0, "-", "")
    absolute = np.abs(uniques)
    whole = (absolute // 1000).astype(str)
    frac = np.char.zfill((absolute % 1000).astype(str), 3)
    frac = np.char.rstrip(frac, "0")
    text = np.char.add(np.char.add(sign, whole), np.where(frac == "", "", np.char.add(".", frac)))
    out = text.astype(object)[codes]
    out[na] = ""
    return pd.Series(out, index=scores.index, dtype=object)


def score_it(value: float | Decimal | None) -> str:
    """A score in Italian: 23.5 -> '23,5', 23.0 -> '23' (at most 3 decimals)."""
    if value is None or pd.isna(value):
        return ""
    return _score_it(round(float(value), 3))


@functools.lru_cache(maxsize=1 << 14)
def _score_it(rounded: float) -> str:
    return format_decimal(Decimal(str(rounded)), format="#,##0.###", locale=LOCALE)


def yes_no(value: object) -> str:
    """True -> 'Sì', False -> 'No', missing -> ''."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return "Sì" if bool(value) else "No"
