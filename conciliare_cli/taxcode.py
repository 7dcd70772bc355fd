"""Codice fiscale checks, computed once per distinct value (a dict over pd.unique, then map).

A personal codice fiscale has 16 characters: 6 letters (surname, name), the birth date (2
digits of year, a month letter, the day + 40 for women), the birth place (1 letter, 3 digits)
and a check character. On clashes (omocodia) some digits are replaced by the letters
LMNPQRSTUV, which the check accepts. An 11-digit number is a partita IVA (or a provisional
code), never the codice fiscale of a person: it is reported as not valid.

The check character is computed in one place, `check_codes` (vectorised; `check_character`
for one code), which both the validation and the test-data generator (conciliare_cli.demo)
use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.it import codicefiscale

_DIGITS = {c: i % 10 for i, c in enumerate("0123456789LMNPQRSTUV")}  # omocodia letters too
_MONTHS = {c: i + 1 for i, c in enumerate("ABCDEHLMPRST")}
_ELEVEN_DIGITS = re.compile(r"^[0-9]{11}$")
_ALLOWED = re.compile(r"^[A-Z0-9]*$")

Parts = tuple[int, int, int]  # (year mod 100, month, day)


def tax_code_problem(value: str) -> str | None:
    """None when `value` is a valid personal codice fiscale, else the reason in Italian."""
    text = str(value)
    if _ELEVEN_DIGITS.match(text):
        return (
            "11 cifre: è una partita IVA o un codice provvisorio, non il codice fiscale "
            "di una persona"
        )
    if len(text) != 16:
        return f"lunghezza errata: {len(text)} caratteri invece di 16"
    if not _ALLOWED.match(text):
        return "contiene caratteri non ammessi (solo lettere e cifre)"
    try:
        codicefiscale.validate(text)
    except InvalidLength:  # pragma: no cover - length checked above
        return f"lunghezza errata: {len(text)} caratteri invece di 16"
    except InvalidFormat:
        return (
            "formato non valido: attesi 6 lettere, 2 cifre, una lettera del mese, 2 cifre, "
            "una lettera e 3 cifre, il carattere di controllo"
        )
    except InvalidChecksum:
        return "carattere di controllo errato: l'ultimo carattere non corrisponde agli altri 15"
    except InvalidComponent:
        return "la data di nascita codificata è impossibile"
    except ValidationError:  # pragma: no cover - any other stdnum refusal
        return "formato non valido"
    return None


def is_female(value: object) -> bool | None:
    """The sex a codice fiscale encodes (day of birth + 40 for women); None when the code is
    not a well-formed one (the checks report it)."""
    code = str(value or "").strip().upper().replace(" ", "")
    if len(code) != 16 or code[9] not in _DIGITS or code[10] not in _DIGITS:
        return None
    day = _DIGITS[code[9]] * 10 + _DIGITS[code[10]]
    return day > 40 if 1 <= day % 40 <= 31 else None


def birth_parts(value: str) -> Parts:
    """(year mod 100, month, day) encoded in a valid codice fiscale (omocodia undone)."""
    yy = _DIGITS[value[6]] * 10 + _DIGITS[value[7]]
    month = _MONTHS[value[8]]
    day = (_DIGITS[value[9]] * 10 + _DIGITS[value[10]]) % 40
    return yy, month, day


def birth_date_not_after(parts: Parts, limit: dt.date) -> dt.date | None:
    """The latest date with these day, month and year mod 100 that is not after `limit`.

    The codice fiscale holds only two digits of the year: a minor is born before the
    reference date of the call, so the century is the latest one that keeps the date there.
    """
    yy, month, day = parts
    year = limit.year - ((limit.year - yy) % 100)
    for candidate in (year, year - 100, year - 200):
        try:
            d = dt.date(candidate, month, day)
        except ValueError:
            continue
        if d <= limit:
            return d
    return None


def nearest_birth_date(parts: Parts, near: dt.date) -> dt.date | None:
    """The date with these day, month and year mod 100 in the century closest to `near`."""
    yy, month, day = parts
    base = near.year - ((near.year - yy) % 100)
    years = sorted((base, base + 100), key=lambda y: abs(y - near.year))
    for year in years:
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------- vectorised analysis

_ODD = np.array(
    [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
)
_IS_LETTER = np.zeros(256, dtype=bool)
_IS_LETTER[ord("A") : ord("Z") + 1] = True
_IS_DIGIT = np.zeros(256, dtype=bool)
_IS_DIGIT[ord("0") : ord("9") + 1] = True
_OMOCODIA = np.zeros(256, dtype=bool)  # digits or the letters that replace them
_OMOCODIA[_IS_DIGIT] = True
_OMOCODIA[[ord(c) for c in "LMNPQRSTUV"]] = True
_DIGIT_VALUE = np.zeros(256, dtype=np.int64)
_DIGIT_VALUE[ord("0") : ord("9") + 1] = np.arange(10)
_DIGIT_VALUE[[ord(c) for c in "LMNPQRSTUV"]] = np.arange(10)
_MONTH = np.zeros(256, dtype=np.int64)  # 0 = not a month letter
_MONTH[[ord(c) for c in "ABCDEHLMPRST"]] = np.arange(1, 13)
_VALUE = np.zeros(256, dtype=np.int64)  # even positions: 0-9 and A-Z as 0..25
_VALUE[ord("0") : ord("9") + 1] = np.arange(10)
_VALUE[ord("A") : ord("Z") + 1] = np.arange(26)


def check_codes(bodies: np.ndarray) -> np.ndarray:
    """The check character of each code, as an ASCII code (uint8): THE check of the package.

    `bodies` is an (n, 15) array of the ASCII codes of the first 15 characters (capital
    letters and digits; omocodia letters count as the letters they are). Odd positions (the
    1st, 3rd, ...) weigh by the table of the Ministry's decree, even ones by their value; the
    sum modulo 26 is the letter. The validation (`valid_array`) and the test-data generators
    (conciliare_cli.demo) both use it; tests compare it with python-stdnum.
    """
    total = np.zeros(len(bodies), dtype=np.int64)
    for i in range(15):
        value = _VALUE[bodies[:, i]]
        total += _ODD[value] if i % 2 == 0 else value
    return (ord("A") + total % 26).astype(np.uint8)


def check_character(body: str) -> str:
    """The check character of a codice fiscale from its first 15 characters."""
    raw = np.frombuffer(body[:15].encode("ascii"), dtype=np.uint8)
    if len(raw) != 15:
        raise ValueError(f"a codice fiscale needs 15 characters before the check: {body!r}")
    return chr(check_codes(raw.reshape(1, 15))[0])


def tax_code_valid(codes: pd.Series) -> pd.Series:
    """True/False per code, NA where missing or empty; vectorised.

    The same verdict as `taxcode.tax_code_problem(code) is None` (a test checks it):
    16 characters in the personal format (omocodia letters allowed), the check character,
    a birth date that exists (years 1920-2019, as python-stdnum reads them). Spaces around
    and case are ignored.
    """
    values = codes.astype("string")
    na = values.isna().to_numpy().copy()
    raw = values.to_numpy(dtype=object, na_value="")
    valid = valid_array(raw)
    # codes that fail as they are: retry the few with spaces around or lower case
    retry = np.flatnonzero(~valid & ~na)
    if len(retry):
        fixed = np.array([str(v).strip().upper() for v in raw[retry]], dtype=object)
        changed = fixed != raw[retry]
        if changed.any():
            valid[retry[changed]] = valid_array(fixed[changed])
        na[retry[fixed == ""]] = True
    return pd.Series(pd.arrays.BooleanArray(valid & ~na, na), index=codes.index)


def valid_array(raw: np.ndarray) -> np.ndarray:
    """True where the code (an object array of str) is a valid personal codice fiscale.

    The same verdict as python-stdnum's `codicefiscale.validate` for 16-character codes
    (format with omocodia, check character, a real date with the 1920-2019 century stdnum
    assumes), computed with numpy over all codes at once; tests compare both on random and
    mutated codes. Codes must already be stripped and upper-cased."""
    n = len(raw)
    if n == 0:
        return np.zeros(0, dtype=bool)
    # one row per character position: c[i] holds the i-th character of every code
    c = np.ascontiguousarray(raw.astype("U17").view(np.uint32).reshape(n, 17).T)
    ok = (c[15] != 0) & (c[16] == 0) & (c[:16].max(axis=0) < 128)
    b = np.where(ok, c[:16], ord("0")).astype(np.uint8)
    for i in range(6):
        ok &= _IS_LETTER[b[i]]
    for i in (6, 7, 9, 10, 12, 13, 14):
        ok &= _OMOCODIA[b[i]]
    ok &= (_MONTH[b[8]] > 0) & _IS_LETTER[b[11]] & _IS_LETTER[b[15]]
    ok &= b[15] == check_codes(b[:15].T)
    yy = _DIGIT_VALUE[b[6]] * 10 + _DIGIT_VALUE[b[7]]
    year = np.where(yy + 1900 >= 1920, yy + 1900, yy + 2000)
    day = (_DIGIT_VALUE[b[9]] * 10 + _DIGIT_VALUE[b[10]]) % 40
    month = np.maximum(_MONTH[b[8]], 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month]
    ok &= (day >= 1) & (day <= days + ((month == 2) & leap))
    return ok


ANALYSIS_COLUMNS = ["problem", "yy", "month", "day"]


def analyse(codes: Iterable[str]) -> pd.DataFrame:
    """Distinct codes -> problem (None when valid), and for valid codes the encoded birth
    date parts: yy (year mod 100), month, day (Int64, NA when not valid).

    The verdict comes from `valid_array`; stdnum itself is called only for the codes that fail,
    to say why.
    """
    index = pd.Index(pd.unique(np.asarray(list(codes), dtype=object)), dtype=object)
    out = pd.DataFrame(
        {name: pd.Series(pd.NA, index=index, dtype="Int64") for name in ("yy", "month", "day")},
        index=index,
    )
    problem = np.full(len(index), None, dtype=object)
    if len(index):
        ok = valid_array(np.asarray([str(c) for c in index], dtype=object))
        if ok.any():
            good = index[ok]
            raw = np.frombuffer("".join(good).encode("ascii"), dtype=np.uint8).reshape(-1, 16)
            out.loc[good, "yy"] = _DIGIT_VALUE[raw[:, 6]] * 10 + _DIGIT_VALUE[raw[:, 7]]
            out.loc[good, "month"] = _MONTH[raw[:, 8]]
            out.loc[good, "day"] = (_DIGIT_VALUE[raw[:, 9]] * 10 + _DIGIT_VALUE[raw[:, 10]]) % 40
        problem[~ok] = [tax_code_problem(str(c)) for c in index[~ok]]
    out.insert(0, "problem", pd.Series(problem, index=index, dtype=object))  # not inferred
    return out
