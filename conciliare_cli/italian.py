"""Italian formats for everything people read, made by Babel: 1.234,56 €, 15/09/2017, scores,
yes/no. Machine-readable amounts are in conciliare_cli/money.py."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import numpy as np
import pandas as pd
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from conciliare_cli.fields import Kind

LOCALE = "it_IT"
_LOCALE = Locale.parse(LOCALE)  # parsed once: Babel would parse the name on every call


def eur(cents: int | None) -> str:
    """Whole cents as Italian euros: 123456 -> '1.234,56 €'; None/NA -> ''."""
    if cents is None or pd.isna(cents):
        return ""
    return _eur(int(cents))


@functools.lru_cache(maxsize=1 << 16)
def _eur(cents: int) -> str:
    # Babel takes ~50 µs a call; amounts repeat (a letter, a list of thousands of rows)
    return format_currency(Decimal(cents) / 100, "EUR", locale=_LOCALE)


def number(value: float | Decimal | int | None, max_decimals: int = 3) -> str:
    """A number in Italian: 1234.5 -> '1.234,5'."""
    if value is None or pd.isna(value):
        return ""
    fmt = "#,##0." + "#" * max_decimals if max_decimals else "#,##0"
    return format_decimal(Decimal(str(value)), format=fmt, locale=_LOCALE)


def date_short(value: dt.date | dt.datetime | pd.Timestamp | None) -> str:
    """15/09/2017."""
    if value is None or pd.isna(value):
        return ""
    return format_date(_as_date(value), format="dd/MM/yyyy", locale=_LOCALE)


def date_long(value: dt.date | dt.datetime | pd.Timestamp | None) -> str:
    """15 settembre 2017."""
    if value is None or pd.isna(value):
        return ""
    return format_date(_as_date(value), format="d MMMM yyyy", locale=_LOCALE)


def datetime_short(value: dt.datetime | pd.Timestamp | None) -> str:
    """15/09/2017 10:32."""
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return format_datetime(value, format="dd/MM/yyyy HH:mm", locale=_LOCALE)


def _as_date(value: dt.date | dt.datetime | pd.Timestamp) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def eur_decimal(amount: Decimal | int | None) -> str:
    """A Decimal of euros in Italian: Decimal('1234.5') -> '1.234,50 €'."""
    if amount is None or pd.isna(amount):
        return ""
    return format_currency(Decimal(amount), "EUR", locale=_LOCALE)


def eur_exact(amount: Decimal) -> str:
    """Euros with the decimals they have, at least two: Decimal('112.725') -> '112,725 €'
    (a step of a computation, before rounding to the cent)."""
    return _eur_exact(Decimal(amount).normalize())


@functools.lru_cache(maxsize=1 << 14)
def _eur_exact(amount: Decimal) -> str:
    return format_currency(
        amount, "EUR", format="#,##0.00######\xa0¤", currency_digits=False, locale=LOCALE
    )


def percent(share: Decimal) -> str:
    """A share as a percentage: Decimal('0.75') -> '75%', Decimal('0.3333') -> '33,33%'."""
    return format_percent(Decimal(share), format="#,##0.####%", locale=LOCALE)


def score_it(value: float | Decimal | None) -> str:
    """A score in Italian: 23.5 -> '23,5', 23.0 -> '23' (at most 3 decimals)."""
    if value is None or pd.isna(value):
        return ""
    return _score_it(round(float(value), 3))


@functools.lru_cache(maxsize=1 << 14)
def _score_it(rounded: float) -> str:
    return format_decimal(Decimal(str(rounded)), format="#,##0.###", locale=_LOCALE)


def yes_no(value: object) -> str:
    """True -> 'Sì', False -> 'No', missing -> ''."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return "Sì" if bool(value) else "No"


def value_text(value: object, kind: Kind | None) -> str:
    """A field's value as people read it: '1.234,56 €', '15/09/2017', 'sì'; 'non indicato'
    when missing; text as written (without surrounding spaces)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "non indicato"
    if kind is Kind.MONEY:
        return eur(int(value))  # type: ignore[call-overload]
    if kind is Kind.BOOL:
        return "sì" if bool(value) else "no"
    if kind in (Kind.NUMBER, Kind.INTEGER):
        return number(value)  # type: ignore[arg-type]
    if kind is Kind.DATE:
        return date_short(value)  # type: ignore[arg-type]
    if kind is Kind.DATETIME:
        return datetime_short(value)  # type: ignore[arg-type]
    return str(value).strip()


def points_text(value: Decimal | float | int) -> str:
    """'1 punto', '2,5 punti'."""
    text = number(value)
    return f"{text} punto" if Decimal(str(value)) == 1 else f"{text} punti"


def count_noun(count: int, one: str, many: str) -> str:
    """ "1 minore", "2 minori", "0 minori"; `one`/`many` may go on with words that agree
    ("anomalia bloccante" / "anomalie bloccanti")."""
    return f"{count} {one if count == 1 else many}"
