"""Derived fields the rules may use, computed from the canonical table (vectorised).

- `age`: completed years at the call's reference date (a minor born on 1 September 2013 is 4
  on 1 September 2017 and 3 on 31 August 2017; someone born on 29 February turns a year older
  on 1 March in non-leap years). Born after the reference date gives a negative age; a missing
  birth date gives NA.
- `applicant_tax_code_valid`, `minor_tax_code_valid`: the codice fiscale passes the same check
  as validation (conciliare_cli/validate/taxcode.py: 16 characters, format, check character,
  a possible birth date; an 11-digit number is not a person's code), here vectorised with
  numpy so a million codes take a fraction of a second. A missing code gives NA.
- `minors`: rows (minors) of the application, all of them.
(`eligible_minors` needs the minor-level rules: see engine/eligibility.py.)
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def age_at(birth: pd.Series, reference: dt.date | pd.Timestamp) -> pd.Series:
    """Completed years at `reference`, as Int64 (NA where the birth date is missing)."""
    ref = pd.Timestamp(reference)
    b = pd.to_datetime(birth)
    before_birthday = (b.dt.month > ref.month) | ((b.dt.month == ref.month) & (b.dt.day > ref.day))
    years = ref.year - b.dt.year - before_birthday.astype("int64")
    return years.astype("Int64").where(b.notna(), pd.NA)


_ODD = np.array(
    [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
)
_LETTERS = np.zeros(256, dtype=bool)
_LETTERS[ord("A") : ord("Z") + 1] = True
_DIGITS = np.zeros(256, dtype=bool)
_DIGITS[ord("0") : ord("9") + 1] = True
_OMOCODIA = np.zeros(256, dtype=bool)  # digits or the letters that replace them
_OMOCODIA[_DIGITS] = True
_OMOCODIA[[ord(c) for c in "LMNPQRSTUV"]] = True
_DIGIT_VALUE = np.zeros(256, dtype=np.int64)
_DIGIT_VALUE[ord("0") : ord("9") + 1] = np.arange(10)
_DIGIT_VALUE[[ord(c) for c in "LMNPQRSTUV"]] = np.arange(10)
_MONTH = np.zeros(256, dtype=np.int64)  # 0 = not a month letter
_MONTH[[ord(c) for c in "ABCDEHLMPRST"]] = np.arange(1, 13)
_VALUE = np.zeros(256, dtype=np.int64)  # even positions: 0-9 and A-Z as 0..25
_VALUE[ord("0") : ord("9") + 1] = np.arange(10)
_VALUE[ord("A") : ord("Z") + 1] = np.arange(26)


def tax_code_valid(codes: pd.Series) -> pd.Series:
    """True/False per code, NA where missing or empty; vectorised.

    The same verdict as `validate.taxcode.tax_code_problem(code) is None` (a test checks it):
    16 characters in the personal format (omocodia letters allowed), the check character,
    a birth date that exists (years 1920-2019, as python-stdnum reads them). Spaces around
    and case are ignored.
    """
    values = codes.astype("string")
    na = values.isna().to_numpy().copy()
    raw = values.to_numpy(dtype=object, na_value="")
    valid = _check(raw)
    # codes that fail as they are: retry the few with spaces around or lower case
    retry = np.flatnonzero(~valid & ~na)
    if len(retry):
        fixed = np.array([str(v).strip().upper() for v in raw[retry]], dtype=object)
        changed = fixed != raw[retry]
        if changed.any():
            valid[retry[changed]] = _check(fixed[changed])
        na[retry[fixed == ""]] = True
    return pd.Series(pd.arrays.BooleanArray(valid & ~na, na), index=codes.index)


def _check(raw: np.ndarray) -> np.ndarray:
    """The personal codice fiscale check on an object array of str (vectorised)."""
    n = len(raw)
    if n == 0:
        return np.zeros(0, dtype=bool)
    # one row per character position: c[i] holds the i-th character of every code
    c = np.ascontiguousarray(raw.astype("U17").view(np.uint32).reshape(n, 17).T)
    ok = (c[15] != 0) & (c[16] == 0) & (c[:16].max(axis=0) < 128)
    b = np.where(ok, c[:16], ord("0")).astype(np.uint8)
    for i in range(6):
        ok &= _LETTERS[b[i]]
    for i in (6, 7, 9, 10, 12, 13, 14):
        ok &= _OMOCODIA[b[i]]
    ok &= (_MONTH[b[8]] > 0) & _LETTERS[b[11]] & _LETTERS[b[15]]
    total = np.zeros(n, dtype=np.int64)
    for i in range(15):
        total += _ODD[_VALUE[b[i]]] if i % 2 == 0 else _VALUE[b[i]]
    ok &= b[15] == ord("A") + total % 26
    yy = _DIGIT_VALUE[b[6]] * 10 + _DIGIT_VALUE[b[7]]
    year = np.where(yy + 1900 >= 1920, yy + 1900, yy + 2000)
    day = (_DIGIT_VALUE[b[9]] * 10 + _DIGIT_VALUE[b[10]]) % 40
    month = np.maximum(_MONTH[b[8]], 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month]
    ok &= (day >= 1) & (day <= days + ((month == 2) & leap))
    return ok


def derive(
    minors: pd.DataFrame, reference_date: dt.date, app_codes: np.ndarray | None = None
) -> pd.DataFrame:
    """A copy of `minors` with `age`, the tax-code validity flags and `minors` added.

    `app_codes` (per row, the application's index) saves grouping the ids again."""
    out = minors.copy()
    n = len(out)
    if "minor_birth_date" in out.columns:
        out["age"] = age_at(out["minor_birth_date"], reference_date)
    else:
        out["age"] = pd.array([pd.NA] * n, dtype="Int64")
    for field in ("applicant_tax_code", "minor_tax_code"):
        if field in out.columns:
            out[f"{field}_valid"] = tax_code_valid(out[field])
        else:
            out[f"{field}_valid"] = pd.array([pd.NA] * n, dtype="boolean")
    if app_codes is None:
        app_codes, _ = pd.factorize(out["application_id"].to_numpy(dtype=object))
    counts = np.bincount(app_codes, minlength=int(app_codes.max()) + 1) if n else app_codes
    out["minors"] = pd.array(counts[app_codes], dtype="Int64")
    return out
