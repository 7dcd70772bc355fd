"""Codice fiscale checks, computed once per distinct value (a dict over pd.unique, then map).

A personal codice fiscale has 16 characters: 6 letters (surname, name), the birth date (2
digits of year, a month letter, the day + 40 for women), the birth place (1 letter, 3 digits)
and a check character. On clashes (omocodia) some digits are replaced by the letters
LMNPQRSTUV, which the check accepts. An 11-digit number is a partita IVA (or a provisional
code), never the codice fiscale of a person: it is reported as not valid.
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

_PATTERN = r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]"
_ODD = [
    1,
    0,
    5,
    7,
    9,
    13,
    15,
    17,
    19,
    21,
    2,
    4,
    18,
    20,
    11,
    3,
    6,
    8,
    12,
    14,
    16,
    10,
    22,
    25,
    24,
    23,
]


def _lookup(mapping: dict[str, int]) -> np.ndarray:
    table = np.zeros(128, dtype=np.int64)
    for ch, v in mapping.items():
        table[ord(ch)] = v
    return table


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_EVEN_T = _lookup(
    {**{c: i for i, c in enumerate("0123456789")}, **{c: i for i, c in enumerate(_LETTERS)}}
)
_ODD_T = _lookup(
    {
        **{c: _ODD[i] for i, c in enumerate("0123456789")},
        **{c: _ODD[i] for i, c in enumerate(_LETTERS)},
    }
)
_DIGIT_T = _lookup(_DIGITS)
_MONTH_T = _lookup(_MONTHS)

ANALYSIS_COLUMNS = ["problem", "yy", "month", "day"]


def analyse(codes: Iterable[str]) -> pd.DataFrame:
    """Distinct codes -> problem (None when valid), and for valid codes the encoded birth
    date parts: yy (year mod 100), month, day (Int64, NA when not valid).

    The same verdict as python-stdnum's `codicefiscale.validate` for 16-character codes
    (format, check character, a real date with the 1920-2019 century stdnum assumes), computed
    with numpy over all codes at once; stdnum itself is called only for the codes that fail,
    to say why (tests compare both on random and mutated codes).
    """
    index = pd.Index(pd.unique(np.asarray(list(codes), dtype=object)), dtype=object)
    out = pd.DataFrame(
        {
            "yy": pd.Series(pd.NA, index=index, dtype="Int64"),
            "month": pd.Series(pd.NA, index=index, dtype="Int64"),
            "day": pd.Series(pd.NA, index=index, dtype="Int64"),
        },
        index=index,
    )
    problem = np.full(len(index), None, dtype=object)
    out.insert(0, "problem", pd.Series(problem, index=index, dtype=object))
    if len(index) == 0:
        return out
    text = pd.Series(index.astype(str), index=index, dtype=object)
    shaped = text.str.fullmatch(_PATTERN).fillna(False).to_numpy(dtype=bool)
    ok = shaped.copy()
    if shaped.any():
        good = text[shaped]
        raw = np.frombuffer("".join(good).encode("ascii"), dtype=np.uint8).reshape(-1, 16)
        total = _ODD_T[raw[:, 0:15:2]].sum(axis=1) + _EVEN_T[raw[:, 1:15:2]].sum(axis=1)
        check = raw[:, 15] == (total % 26 + ord("A"))
        yy = _DIGIT_T[raw[:, 6]] * 10 + _DIGIT_T[raw[:, 7]]
        month = _MONTH_T[raw[:, 8]]
        day = (_DIGIT_T[raw[:, 9]] * 10 + _DIGIT_T[raw[:, 10]]) % 40
        year = np.where(yy >= 20, 1900 + yy, 2000 + yy)  # stdnum's minyear=1920 window
        real = pd.to_datetime(
            pd.DataFrame({"year": year, "month": month, "day": np.maximum(day, 1)}),
            errors="coerce",
        ).notna().to_numpy() & (day >= 1)
        valid = check & real
        ok[shaped] = valid
        where = index[shaped][valid]
        out.loc[where, "yy"] = yy[valid]
        out.loc[where, "month"] = month[valid]
        out.loc[where, "day"] = day[valid]
    problem[~ok] = [tax_code_problem(str(c)) for c in index[~ok]]
    out["problem"] = pd.Series(problem, index=index, dtype=object)  # not inferred as str
    return out
