"""Italian that reads right in a letter: gender from the codice fiscale, articles before dates,
plurals, and the words that agree with a person.

    feminine_from_tax_code("RSSMRA80A41H501X")  -> True   (day of birth + 40 for women)
    date_with_article(date(2017, 6, 8))           -> "l'8 giugno 2017"
    points_text(1)                                -> "1 punto"

Dates and numbers are made by Babel (conciliare_cli.italian); only the article and the
agreement are decided here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

import pandas as pd

from conciliare_cli.italian import date_long, score_it

_DAY_DIGITS = {c: i % 10 for i, c in enumerate("0123456789LMNPQRSTUV")}  # omocodia letters too
_TAX_CODE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}")


def feminine_from_tax_code(code: object) -> bool | None:
    """True for a woman (day of birth + 40), False for a man, None when it cannot be read."""
    text = str(code or "").strip().upper().replace(" ", "")
    if not _TAX_CODE.match(text):
        return None
    day = _DAY_DIGITS[text[9]] * 10 + _DAY_DIGITS[text[10]]
    if 1 <= day <= 31:
        return False
    if 41 <= day <= 71:
        return True
    return None


def agree(feminine: bool | None, masculine_form: str, feminine_form: str) -> str:
    """The form that agrees with the person (masculine when the gender is not known)."""
    return feminine_form if feminine else masculine_form


def _as_date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def article_for_day(day: int) -> str:
    """'l'' before 8 and 11 (l'8, l'11), 'il' otherwise (il 1°, il 15)."""
    return "l'" if day in (8, 11) else "il "


def date_with_article(value: object) -> str:
    """A date with its article: "l'8 giugno 2017", "il 1° settembre 2017"; '' when missing."""
    day = _as_date(value)
    return "" if day is None else _day_with_article(day)


@functools.lru_cache(maxsize=1 << 16)
def _day_with_article(day: dt.date) -> str:
    # Babel takes tens of µs a call; a call's letters share few dates
    text = date_long(day)
    if day.day == 1:
        text = "1°" + text[1:]
    return article_for_day(day.day) + text


def datetime_with_article(value: object) -> str:
    """A date and time with its article: "l'8 giugno 2017 alle ore 10:24"; '' when missing."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    stamp = value if isinstance(value, dt.datetime) else pd.Timestamp(value)
    if pd.isna(stamp):
        return ""
    text = _day_with_article(stamp.date())
    if stamp.hour or stamp.minute:
        text += f" alle ore {stamp.hour:02d}:{stamp.minute:02d}"
    return text


_IL_NUMERIC_DATE = re.compile(r"\bil (\d\d)/(\d\d)/(\d{4})(?: (\d\d):(\d\d))?")


def _spelled(match: re.Match[str]) -> str:
    day, month, year, hour, minute = match.groups()
    try:
        when = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        return match.group(0)
    return datetime_with_article(when)


def spell_dates(text: str) -> str:
    """ "presentata il 08/06/2017 10:24" -> "presentata l'8 giugno 2017 alle ore 10:24": the
    engine's facts write dates as numbers after "il"; a letter writes them as its own dates."""
    return _IL_NUMERIC_DATE.sub(_spelled, text)


def born(feminine: bool | None, value: object) -> str:
    """ "nata il 3 marzo 2015", "nato l'8 maggio 2012"; '' when the date is missing."""
    text = date_with_article(value)
    return f"{agree(feminine, 'nato', 'nata')} {text}" if text else ""


def points_text(score: float | Decimal | None) -> str:
    """ "1 punto", "9 punti", "1,5 punti", "0 punti"."""
    if score is None or pd.isna(score):
        return ""
    text = score_it(score)
    return f"{text} {'punto' if text == '1' else 'punti'}"


def names_list(names: list[str]) -> str:
    """ "Elia", "Elia e Aurora", "Elia, Aurora e Roberto"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " e " + names[-1]


# Generic reason sentences speak of "il minore"; under a girl's name they agree with her.
_FEMININE_FORMS = [
    (re.compile(r"\bIl minore\b"), "La minore"),
    (re.compile(r"\bil minore\b"), "la minore"),
    (re.compile(r"\bdel minore\b"), "della minore"),
    (re.compile(r"\bal minore\b"), "alla minore"),
    (re.compile(r"\bper lui\b"), "per lei"),
    (re.compile(r"\bè nato\b"), "è nata"),
    (re.compile(r"\bnon è ammesso\b"), "non è ammessa"),
]


def agree_sentence(text: str, feminine: bool | None) -> str:
    """A sentence about a minor made to agree with a girl ("La minore ... per lei")."""
    if not feminine:
        return text
    for pattern, replacement in _FEMININE_FORMS:
        text = pattern.sub(replacement, text)
    return text
