"""Money in whole cents: from the rules' euros, to exact decimals and plain text.

Money is never a binary float: the reader gives integer cents, the YAML gives Decimal euros
(`to_cents`), and machine-readable outputs print cents as '1234.56' with integer arithmetic.
Scores, held in integer thousandths, print the same way (`plain_score`).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd


def to_cents(euros: Decimal | int | str) -> int:
    """Euros (a Decimal of the rules, at most two decimals) as whole cents, exactly:
    Decimal('300') -> 30000. ValueError for a fraction of a cent."""
    cents = Decimal(str(euros)) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{euros} is not a whole number of cents")
    return int(cents)


def cents_to_decimal(cents: int | None) -> Decimal | None:
    """Whole cents as a Decimal of euros, exactly: 30050 -> Decimal('300.50')."""
    if cents is None or pd.isna(cents):
        return None
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


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
