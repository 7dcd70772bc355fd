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


def problems_of(values: Iterable[str]) -> dict[str, str | None]:
    """Reason per distinct value (None = valid)."""
    return {v: tax_code_problem(v) for v in values}


def unique_codes(series: pd.Series) -> list[str]:
    """Distinct non-missing codes of a column."""
    return [str(v) for v in pd.unique(series.dropna())]
