"""Vectorised parsers of raw cells, one per field kind.

Each parser takes a Series of raw cells as the readers give them (str, int, float, bool,
datetime, date, time, timedelta, None/NaN) and returns `(parsed, bad)`: the parsed Series
(pandas dtype of the kind, NA when missing or unreadable) and a boolean numpy mask of the
values that were present but could not be read. A value is either parsed, or missing, or
flagged: never silently dropped.

Distinct values are parsed once and mapped back (pandas.factorize): a column of 100,000
cells with a few hundred distinct values costs a few hundred parses. The reader factorizes
each column of a file once and calls `parse_coded` with the codes. Money is converted to
integer cents exactly (integer arithmetic on the digits, ROUND_HALF_UP), never with float
arithmetic on the text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from conciliare_cli.fields import Kind

Parsed = tuple[pd.Series, np.ndarray]
UniqueParsed = tuple[ExtensionArray, np.ndarray]  # one parsed value and a bad flag per unique

# Texts that mean "no value" in a number, money, date or yes/no column (compared casefolded).
MISSING_TOKENS = frozenset(
    {"", "-", "--", "---", "–", "—", "/", "n.d.", "n.d", "nd", "n/d", "n.a.", "n/a", "n.p."}
)
TRUE_TOKENS = frozenset(
    {"SI", "SÌ", "SÍ", "SI'", "SI`", "SÌ'", "S", "YES", "Y", "X", "1", "VERO", "TRUE"}
)
FALSE_TOKENS = frozenset({"NO", "N", "0", "FALSO", "FALSE"})

EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 date system)
SERIAL_MIN = 3654  # 1910-01-01: smaller numbers are not plausible dates (e.g. a bare year)
SERIAL_MAX = 73051  # 2100-01-01
DATE_MIN = dt.datetime(1800, 1, 1)  # outside this range a date is unreadable
DATE_MAX = dt.datetime(2200, 1, 1)
MAX_CENTS = 10**15  # ten thousand billion euros: anything larger is a typing error


# ---------------------------------------------------------------------------- helpers


def factorize(raw: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 for NA) and the distinct raw values (object array).

    True == 1 and False == 0 for a hash table, so a column where a yes/no cell may meet a
    number 0 or 1 is factorized again with the booleans kept apart.
    """
    values = raw.to_numpy(dtype=object) if isinstance(raw, pd.Series) else raw
    values = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    if _may_mix_bools(uniques):
        tagged = np.fromiter(
            ((_BoolKey(x) if type(x) in _BOOL_TYPES else x) for x in values),
            dtype=object,
            count=len(values),
        )
        codes, keys = pd.factorize(tagged, use_na_sentinel=True)
        uniques = np.array([k.value if isinstance(k, _BoolKey) else k for k in keys], dtype=object)
    return codes, uniques


_BOOL_TYPES = (bool, np.bool_)
_NUMBER_TYPES = (int, float, np.integer, np.floating)


def _may_mix_bools(uniques: np.ndarray) -> bool:
    """Whether a boolean and a number 0 or 1 may have been taken for the same value."""
    kind = pd.api.types.infer_dtype(uniques, skipna=True)
    if kind in ("string", "empty", "datetime", "date", "time", "timedelta", "bytes"):
        return False
    if kind in ("floating", "integer", "mixed-integer-float"):
        x = uniques.astype(np.float64)
        return bool(((x == 0) | (x == 1)).any())
    return any(type(u) in _BOOL_TYPES or (_is_number(u) and u in (0, 1)) for u in uniques)


class _BoolKey:
    """A boolean that does not compare equal to the numbers 0 and 1."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = bool(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _BoolKey) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("bool", self.value))


def expand(
    codes: np.ndarray, parsed: ExtensionArray, bad: np.ndarray
) -> tuple[ExtensionArray, np.ndarray]:
    """Per-unique results back to one per cell (code -1: NA, not bad)."""
    out = parsed.take(codes, allow_fill=True)
    bad_all = np.append(np.asarray(bad, dtype=bool), False)[codes]
    return out, bad_all


def clean_text(text: str) -> str:
    """Trim and collapse whitespace (non-breaking spaces, tabs, newlines count as spaces)."""
    return " ".join(text.split())


def _is_number(v: object) -> bool:
    return isinstance(v, _NUMBER_TYPES) and not isinstance(v, _BOOL_TYPES)


def cell_text(v: object) -> str:
    """A raw cell as a person reads it: 123.0 -> '123', a date -> '15/07/2017'."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool | np.bool_):
        return "VERO" if v else "FALSO"
    if isinstance(v, int | np.integer):
        return str(int(v))
    if _is_number(v):
        f = float(v)  # type: ignore[arg-type]
        if math.isnan(f):
            return ""
        if f.is_integer() and abs(f) < 2**63:
            return str(int(f))
        return repr(f) if isinstance(v, float) else str(v)
    if isinstance(v, dt.datetime):
        if v.hour or v.minute or v.second:
            return v.strftime("%d/%m/%Y %H:%M:%S" if v.second else "%d/%m/%Y %H:%M")
        return v.strftime("%d/%m/%Y")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S" if v.second else "%H:%M")
    if isinstance(v, dt.timedelta):
        secs = int(v.total_seconds())
        return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}"
    if v is pd.NA or v is pd.NaT:
        return ""
    return str(v)


def blank_uniques(uniques: np.ndarray) -> np.ndarray:
    """Per distinct value: True when it holds nothing ('' or only spaces)."""
    out = uniques == ""
    if pd.api.types.infer_dtype(uniques, skipna=True) == "string":
        return out | np.fromiter(map(str.isspace, uniques), dtype=bool, count=len(uniques))
    return out | np.fromiter(
        (type(v) is str and v.isspace() for v in uniques), dtype=bool, count=len(uniques)
    )


def is_blank(raw: pd.Series) -> np.ndarray:
    """True where a cell holds nothing (None, NaN, '' or only spaces)."""
    codes, uniques = factorize(raw)
    return np.append(blank_uniques(uniques), True)[codes]


def raw_text(raw: pd.Series) -> pd.Series:
    """Every raw cell as text (for messages and joins); '' when empty. Object dtype."""
    codes, uniques = factorize(raw)
    texts = np.array([cell_text(v) for v in uniques] + [""], dtype=object)
    return pd.Series(texts[codes], index=raw.index, dtype=object)


def _missing_token(text: str) -> bool:
    """'n.d.', 'N. D.', '-', '' and the like (spaces ignored, any case)."""
    return "".join(text.split()).casefold() in MISSING_TOKENS


def _no_bad(n: int) -> np.ndarray:
    return np.zeros(n, dtype=bool)


# ---------------------------------------------------------------------------- text


def text_uniques(uniques: np.ndarray) -> UniqueParsed:
    """Text: trimmed, inner spaces collapsed, numbers without '.0'; '' -> NA. Never bad."""
    texts = [" ".join(v.split()) if type(v) is str else clean_text(cell_text(v)) for v in uniques]
    arr = pd.array([t or None for t in texts], dtype="string")
    return arr, _no_bad(len(uniques))


def tax_code_uniques(uniques: np.ndarray) -> UniqueParsed:
    """Tax code: upper case, every space removed; '' -> NA. The checksum is validation's."""
    texts = ["".join((v if type(v) is str else cell_text(v)).split()).upper() for v in uniques]
    arr = pd.array([t or None for t in texts], dtype="string")
    return arr, _no_bad(len(uniques))


_PLAIN_NUMBER = re.compile(r"^[+\-]?[\d\s.,/()]*$", re.A)


_FORMULA_START = frozenset("=+-@")


def formula_uniques(texts: ExtensionArray | np.ndarray) -> np.ndarray:
    """Texts that begin with = + - @ (a spreadsheet would take them for a formula).

    A plain number or phone number ("+39 0373 2801", "-5") is not reported.
    """
    values = np.asarray(texts, dtype=object)
    starts = np.fromiter(
        (type(t) is str and t[:1] in _FORMULA_START for t in values),
        dtype=bool,
        count=len(values),
    )
    for i in np.flatnonzero(starts):
        if _PLAIN_NUMBER.match(values[i]):
            starts[i] = False
    return starts


def formula_like(text: pd.Series) -> np.ndarray:
    """formula_uniques() for a Series of texts."""
    codes, uniques = factorize(text)
    return np.append(formula_uniques(uniques), False)[codes]


# ---------------------------------------------------------------------------- numbers

_CURRENCY = re.compile(r"(?i)€|euro|eur")
_NUMERIC = re.compile(r"^[\d.,]+$", re.A)
_SWISS = re.compile(r"(?<=\d)'(?=\d{3})", re.A)


def _ascii_digits(text: str) -> bool:
    """Only the digits 0-9 ('²' or '٣' are digits to str.isdigit, not to a number)."""
    return text.isascii() and text.isdigit()


def _grouped(digits: str, sep: str) -> bool:
    """'1.234.567' with sep '.' is properly grouped by thousands."""
    if sep not in digits:
        return _ascii_digits(digits)
    return re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", digits, re.A) is not None


_FAST_NUMBER = re.compile(
    r"^(-)?(?:€|eur|euro)?"
    r"(?:([1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,(\d+))?|(\d{1,3}(?:,\d{3})+|\d+)\.(\d+))"
    r"(?:€|eur|euro)?$",
    re.I | re.A,
)


def number_parts(text: str) -> tuple[bool, str, str] | None:
    """(negative, integer digits, fraction digits) of an Italian or English number text.

    '€ 1.234,56', '1234,56', '1.234' (= 1234), '1,234.56', 'EUR 300', '300 €', '-12,5',
    '(12,00)' (negative). None when unreadable.
    """
    t = "".join(text.split())
    if _ascii_digits(t):
        return False, t, ""
    m = _FAST_NUMBER.match(t)
    if m:  # the common forms, in one step
        if m[2] is not None:
            return m[1] is not None, m[2].replace(".", ""), m[3] or ""
        return m[1] is not None, m[4].replace(",", ""), m[5]
    return _number_parts_general(t)


_HAS_DIGIT = re.compile(r"\d", re.A)


def _number_parts_general(t: str) -> tuple[bool, str, str] | None:
    t = _SWISS.sub("", _CURRENCY.sub("", t))
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1]
    if t[:1] in ("+", "-"):
        neg, t = t[0] == "-", t[1:]
    if not t or not _NUMERIC.match(t) or not _HAS_DIGIT.search(t):
        return None
    dots, commas = t.count("."), t.count(",")
    if dots and commas:
        last = max(t.rfind("."), t.rfind(","))
        dec = t[last]
        thou = "," if dec == "." else "."
        int_part, frac = t[:last], t[last + 1 :]
        if dec in int_part or not _ascii_digits(frac) or not _grouped(int_part, thou):
            return None
        return neg, int_part.replace(thou, ""), frac
    if dots + commas == 0:
        return neg, t, ""
    sep = "," if commas else "."
    if dots + commas > 1:
        return (neg, t.replace(sep, ""), "") if _grouped(t, sep) else None
    int_part, frac = t.split(sep)
    if not _ascii_digits(frac) or (int_part and not _ascii_digits(int_part)):
        return None
    if sep == "." and len(frac) == 3 and 1 <= len(int_part) <= 3 and int_part[0] != "0":
        return neg, int_part + frac, ""  # 1.234 = one thousand two hundred thirty-four
    return neg, int_part, frac


def text_to_decimal(text: str) -> Decimal | None:
    """number_parts() as a Decimal."""
    parts = number_parts(text)
    if parts is None:
        return None
    neg, ip, fp = parts
    d = Decimal(f"{ip or '0'}.{fp}" if fp else ip)
    return -d if neg else d


def _cents_of_parts(neg: bool, ip: str, fp: str) -> int | None:
    """Whole cents, rounding the third decimal half up (away from zero), exactly.

    None (unreadable) when too large, or when an amount that is not zero rounds to zero
    cents ('0,0000000001'): such an amount is never read as 0,00 EUR."""
    cents = int(ip or "0") * 100 + int((fp + "00")[:2])
    if len(fp) > 2 and fp[2] >= "5":
        cents += 1
    if cents >= MAX_CENTS or (cents == 0 and fp.strip("0")):
        return None
    return -cents if neg else cents


def _sub_cent(parts: tuple[bool, str, str] | bool | None) -> bool:
    return isinstance(parts, tuple) and bool(parts[2][2:].strip("0"))


_SUB_CENT_TEXT = r"[.,]\d{2}\d*[1-9]\d*[^\d.,]*$"  # a third decimal or more, not all zeros


def money_rounding(uniques: np.ndarray) -> np.ndarray:
    """Per distinct raw value: an amount with digits beyond the cents ('12,345', a computed
    42.857142...) that money_uniques rounded half up to whole cents. A binary float that is a
    whole number of cents to 9 significant digits (0.1 + 0.2) is not rounded. Texts are
    screened by one regex first; only the few candidates are parsed again."""
    out = np.zeros(len(uniques), dtype=bool)
    texts = np.fromiter((isinstance(v, str) for v in uniques), dtype=bool, count=len(uniques))
    if texts.any():
        screen = pd.Series(uniques[texts]).str.contains(_SUB_CENT_TEXT, regex=True)
        for i in np.flatnonzero(texts)[screen.to_numpy(dtype=bool)]:
            out[i] = _sub_cent(_parts(uniques[i]))
    for i in np.flatnonzero(~texts):
        v = uniques[i]
        if _is_number(v) and not isinstance(v, int | np.integer):
            c = float(v) * 100  # type: ignore[arg-type]
            if math.isfinite(c) and abs(c - round(c)) > 1e-9 * abs(c) + 1e-7:
                out[i] = _sub_cent(_number_to_parts(v))
    return out


def _number_to_parts(v: object) -> tuple[bool, str, str] | None:
    """A spreadsheet number as digits: Decimal(repr(float)), exact for what Excel shows."""
    if isinstance(v, int | np.integer):
        i = int(v)  # type: ignore[call-overload]
        return i < 0, str(abs(i)), ""
    f = float(v)  # type: ignore[arg-type]
    if not math.isfinite(f):
        return None
    sign, digits, exp = Decimal(repr(f)).as_tuple()
    s = "".join(map(str, digits))
    assert isinstance(exp, int)
    if exp >= 0:
        return bool(sign), s + "0" * exp, ""
    s = s.rjust(-exp + 1, "0")
    return bool(sign), s[:exp], s[exp:]


def _parts(v: object) -> tuple[bool, str, str] | bool | None:
    """Number parts, None (missing) or False (unreadable) for one distinct raw value."""
    if isinstance(v, str):
        if _missing_token(v.strip()):
            return None
        p = number_parts(v)
        return False if p is None else p
    if _is_number(v):
        p = _number_to_parts(v)
        return False if p is None else p
    return False  # bool, dates, times: not a number


def _numeric_uniques(
    uniques: np.ndarray, convert: Callable[[bool, str, str], object], dtype: str
) -> UniqueParsed:
    out: list[object] = []
    bad = np.zeros(len(uniques), dtype=bool)
    for i, v in enumerate(uniques):
        p = _parts(v)
        if p is None:
            out.append(None)
            continue
        value = None if p is False else convert(*p)  # type: ignore[misc]
        if value is None:
            bad[i] = True
        out.append(value)
    return pd.array(out, dtype=dtype), bad


def money_uniques(uniques: np.ndarray) -> UniqueParsed:
    """Euros to integer cents (Int64), exactly: ROUND_HALF_UP on the written digits."""
    kind = pd.api.types.infer_dtype(uniques, skipna=True)
    if kind == "string":
        return money_from_texts(uniques)
    numeric = np.fromiter(map(_is_number, uniques), dtype=bool, count=len(uniques))
    if not numeric.any():
        return _numeric_uniques(uniques, _cents_of_parts, "Int64")
    cents = np.zeros(len(uniques), dtype=np.int64)
    mask = np.ones(len(uniques), dtype=bool)
    bad = np.zeros(len(uniques), dtype=bool)
    fast_values, fast_bad = _money_from_numbers(uniques[numeric])
    cents[numeric] = fast_values.to_numpy(dtype=np.int64, na_value=0)
    mask[numeric] = fast_values.isna()
    bad[numeric] = fast_bad
    rest = ~numeric
    if rest.any():
        slow_values, slow_bad = _numeric_uniques(uniques[rest], _cents_of_parts, "Int64")
        cents[rest] = slow_values.to_numpy(dtype=np.int64, na_value=0)
        mask[rest] = slow_values.isna()
        bad[rest] = slow_bad
    return pd.arrays.IntegerArray(cents, mask), bad


def money_from_texts(texts: np.ndarray) -> UniqueParsed:
    """money_uniques() for distinct texts, in one tight loop (the common forms inline)."""
    n = len(texts)
    cents = np.zeros(n, dtype=np.int64)
    mask = np.ones(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    match = _FAST_NUMBER.match
    for i, v in enumerate(texts):
        t = "".join(v.split())
        m = match(t)
        if m is not None:
            if m[2] is not None:
                ip, fp = m[2].replace(".", ""), m[3] or ""
            else:
                ip, fp = m[4].replace(",", ""), m[5]
            c = int(ip) * 100
            if fp:
                c += int((fp + "0")[:2])
                if len(fp) > 2 and fp[2] >= "5":
                    c += 1
            if c >= MAX_CENTS or (c == 0 and fp.strip("0")):
                bad[i] = True
                continue
            cents[i] = -c if m[1] else c
            mask[i] = False
            continue
        if t.casefold() in MISSING_TOKENS:
            continue
        parts = _number_parts_general(t)
        value = None if parts is None else _cents_of_parts(*parts)
        if value is None:
            bad[i] = True
        else:
            cents[i] = value
            mask[i] = False
    return pd.arrays.IntegerArray(cents, mask), bad


def _money_from_numbers(uniques: np.ndarray) -> UniqueParsed:
    """Fast path for spreadsheet numbers: exact when they have at most 2 decimals."""
    x = uniques.astype(np.float64)
    finite = np.isfinite(x) & (np.abs(np.nan_to_num(x)) < MAX_CENTS / 100)
    c = np.where(finite, x, 0.0) * 100
    r = np.rint(c)
    exact = finite & (np.abs(c - r) <= 1e-9 * np.abs(c) + 1e-7)
    cents = np.zeros(len(x), dtype=np.int64)
    cents[exact] = r[exact].astype(np.int64)
    mask = ~exact
    bad = np.zeros(len(x), dtype=bool)
    for i in np.flatnonzero(mask):  # more than 2 decimals, huge or not finite: digits
        p = _number_to_parts(uniques[i])
        value = None if p is None else _cents_of_parts(*p)
        if value is None:
            bad[i] = True
        else:
            cents[i] = value
            mask[i] = False
    return pd.arrays.IntegerArray(cents, mask), bad


def _float_of_parts(neg: bool, ip: str, fp: str) -> float | None:
    f = float(f"{ip or '0'}.{fp or '0'}")
    return None if not math.isfinite(f) else (-f if neg else f)


def _int_of_parts(neg: bool, ip: str, fp: str) -> int | None:
    if fp.strip("0") or len(ip) > 15:
        return None
    i = int(ip or "0")
    return -i if neg else i


def number_uniques(uniques: np.ndarray) -> UniqueParsed:
    """A number (Float64): same text forms as money, without rounding."""
    return _numeric_uniques(uniques, _float_of_parts, "Float64")


def integer_uniques(uniques: np.ndarray) -> UniqueParsed:
    """A whole number (Int64): '3', 3.0, '1.000'; 2.5 is unreadable."""
    return _numeric_uniques(uniques, _int_of_parts, "Int64")


# ---------------------------------------------------------------------------- yes/no


def _bool_of(v: object) -> bool | str | None:
    """True/False, None (missing) or 'bad'."""
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if _is_number(v):
        f = float(v)  # type: ignore[arg-type]
        return True if f == 1 else False if f == 0 else "bad"
    if isinstance(v, str):
        t = v.strip()
        if _missing_token(t):
            return None
        u = "".join(t.split()).upper().rstrip(".")
        if u in TRUE_TOKENS:
            return True
        if u in FALSE_TOKENS:
            return False
    return "bad"


def bool_uniques(uniques: np.ndarray) -> UniqueParsed:
    """Yes/no: SI, Sì, SI', S, YES, X, 1, VERO, TRUE / NO, N, 0, FALSO, FALSE; blank -> NA."""
    values = [_bool_of(v) for v in uniques]
    bad = np.array([v == "bad" for v in values], dtype=bool)
    arr = pd.array([v if isinstance(v, bool) else None for v in values], dtype="boolean")
    return arr, bad


# ---------------------------------------------------------------------------- dates

_TIME = r"(?:(?:[ T]+|,\s*)(?:ore\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?)?"
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME + r"$", re.I | re.A)
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + r"$", re.I | re.A)
_SERIAL = re.compile(r"^\d{1,6}(?:[.,]\d+)?$", re.A)
_HMS = re.compile(r"^(?:ore\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?$", re.I | re.A)


def _from_serial(x: float) -> dt.datetime | None:
    if not math.isfinite(x) or not SERIAL_MIN <= x < SERIAL_MAX:
        return None
    return EXCEL_EPOCH + dt.timedelta(seconds=round(x * 86400))


def _year(y: str) -> int:
    if len(y) == 2:  # as strptime's %y: 69-99 -> 1900s, 00-68 -> 2000s
        n = int(y)
        return 1900 + n if n >= 69 else 2000 + n
    return int(y)


def _text_to_datetime(text: str) -> dt.datetime | bool | None:
    t = " ".join(text.split())
    if _missing_token(t):
        return None
    m = _DMY.match(t)
    if m:
        d, mo, y = int(m[1]), int(m[2]), _year(m[3])
    else:
        m = _YMD.match(t)
        if m:
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
        elif _SERIAL.match(t):
            value = _from_serial(float(t.replace(",", ".")))
            return False if value is None else value
        else:
            return False
    hh, mm, ss = (int(g) if g else 0 for g in (m[4], m[5], m[6]))
    try:
        return dt.datetime(y, mo, d, hh, mm, ss)
    except ValueError:
        return False


def _to_datetime(v: object) -> dt.datetime | bool | None:
    """A datetime, None (missing) or False (unreadable) for one distinct raw value."""
    if isinstance(v, str):
        return _text_to_datetime(v)
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if _is_number(v):
        value = _from_serial(float(v))  # type: ignore[arg-type]
        return False if value is None else value
    return False  # bool, a time without a date, anything else


def _strptime_format(text: str) -> str | None:
    """The strptime format of a date text in one of the forms _text_to_datetime reads."""
    t = " ".join(text.split())
    m = _DMY.match(t)
    if m:
        sep = t[len(m[1])]
        fmt = f"%d{sep}%m{sep}" + ("%Y" if len(m[3]) == 4 else "%y")
    else:
        m = _YMD.match(t)
        if not m:
            return None
        sep = t[4]
        fmt = f"%Y{sep}%m{sep}%d"
    if m[4] is None:
        return fmt
    rest = t[m.end(3) :]
    if not re.fullmatch(r" \d{1,2}:\d{2}(?::\d{2})?", rest, re.A):
        return None
    return fmt + (" %H:%M:%S" if m[6] else " %H:%M")


def datetime_uniques(uniques: np.ndarray) -> UniqueParsed:
    """Date and time: Excel dates and serials, dd/mm/yyyy [HH:MM[:SS]], d/m/yy, dd.mm.yyyy,
    dd-mm-yyyy, yyyy-mm-dd [HH:MM[:SS]], serials as text ('42917')."""
    n = len(uniques)
    kind = pd.api.types.infer_dtype(uniques, skipna=True)
    if kind in ("datetime", "date") and n:  # spreadsheet dates: the fast path
        try:
            stamps = pd.to_datetime(uniques)
        except (ValueError, OverflowError, TypeError):
            stamps = None
        if stamps is not None and stamps.tz is None:
            ok = (stamps >= DATE_MIN) & (stamps < DATE_MAX)
            if ok.all():
                return pd.array(stamps.astype("datetime64[ns]")), _no_bad(n)
    result = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = np.ones(n, dtype=bool)
    if kind == "string" and n > 200:  # many texts: one strptime format, vectorised
        fmt = next((f for f in map(_strptime_format, uniques[:20]) if f), None)
        if fmt is not None:
            stamps = pd.to_datetime(pd.Series(uniques), format=fmt, errors="coerce")
            ok = (stamps >= DATE_MIN) & (stamps < DATE_MAX)
            ok_np = ok.to_numpy(dtype=bool)
            result[ok_np] = stamps[ok].to_numpy(dtype="datetime64[ns]")
            todo = ~ok_np
    bad = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(todo):
        r = _to_datetime(uniques[i])
        if r is False or (isinstance(r, dt.datetime) and not DATE_MIN <= r < DATE_MAX):
            bad[i] = True
        elif r is not None:
            result[i] = np.datetime64(r, "ns")
    return pd.array(result), bad


def date_uniques(uniques: np.ndarray) -> UniqueParsed:
    """A date (at midnight): as datetime_uniques, the time dropped."""
    arr, bad = datetime_uniques(uniques)
    return pd.array(pd.Series(arr).dt.normalize()), bad


def _to_time(v: object) -> dt.timedelta | bool | None:
    """Time of day as an offset, None (missing) or False (unreadable)."""
    if isinstance(v, str):
        t = " ".join(v.split())
        if _missing_token(t):
            return None
        m = _HMS.match(t)
        if m:
            hh, mm, ss = int(m[1]), int(m[2]), int(m[3] or 0)
            if hh < 24 and mm < 60 and ss < 60:
                return dt.timedelta(hours=hh, minutes=mm, seconds=ss)
            return False
        if _SERIAL.match(t):
            return _to_time(float(t.replace(",", ".")))
        return False
    if isinstance(v, dt.datetime):  # a time cell read as a datetime on Excel's day 0
        if v.date() in (dt.date(1899, 12, 30), dt.date(1899, 12, 31), dt.date(1900, 1, 1)):
            return dt.timedelta(hours=v.hour, minutes=v.minute, seconds=v.second)
        return False
    if isinstance(v, dt.time):
        return dt.timedelta(hours=v.hour, minutes=v.minute, seconds=v.second)
    if isinstance(v, dt.timedelta):
        return v if dt.timedelta(0) <= v < dt.timedelta(days=1) else False
    if _is_number(v):
        f = float(v)  # type: ignore[arg-type]
        if math.isfinite(f) and 0 <= f < 1:
            return dt.timedelta(seconds=round(f * 86400))
        return False
    return False


def time_uniques(uniques: np.ndarray) -> UniqueParsed:
    """Time of day (timedelta64[ns]): time cells, fractions of a day (0.5 = 12:00), 'HH:MM'."""
    values: list[dt.timedelta | None] = []
    bad = np.zeros(len(uniques), dtype=bool)
    for i, v in enumerate(uniques):
        r = _to_time(v)
        if r is False:
            bad[i] = True
            r = None
        values.append(r)  # type: ignore[arg-type]
    series = pd.Series(values, dtype=object)
    return pd.array(pd.to_timedelta(series).astype("timedelta64[ns]")), bad


# ---------------------------------------------------------------------------- by kind

UNIQUE_PARSERS: dict[Kind, Callable[[np.ndarray], UniqueParsed]] = {
    Kind.TEXT: text_uniques,
    Kind.TAX_CODE: tax_code_uniques,
    Kind.DATE: date_uniques,
    Kind.DATETIME: datetime_uniques,
    Kind.MONEY: money_uniques,
    Kind.NUMBER: number_uniques,
    Kind.INTEGER: integer_uniques,
    Kind.BOOL: bool_uniques,
}

# The finding of an unreadable value, by kind (text and tax codes are always readable).
BAD_VALUE_CODE: dict[Kind, str] = {
    Kind.DATE: "DATA_NON_LEGGIBILE",
    Kind.DATETIME: "DATA_NON_LEGGIBILE",
    Kind.MONEY: "IMPORTO_NON_LEGGIBILE",
    Kind.NUMBER: "NUMERO_NON_LEGGIBILE",
    Kind.INTEGER: "NUMERO_NON_LEGGIBILE",
    Kind.BOOL: "SI_NO_NON_LEGGIBILE",
}

DTYPES: dict[Kind, str] = {
    Kind.TEXT: "string",
    Kind.TAX_CODE: "string",
    Kind.DATE: "datetime64[ns]",
    Kind.DATETIME: "datetime64[ns]",
    Kind.MONEY: "Int64",
    Kind.NUMBER: "Float64",
    Kind.INTEGER: "Int64",
    Kind.BOOL: "boolean",
}


def _series_parser(parse_u: Callable[[np.ndarray], UniqueParsed]) -> Callable[[pd.Series], Parsed]:
    def parse(raw: pd.Series) -> Parsed:
        codes, uniques = factorize(raw)
        values, bad = expand(codes, *parse_u(uniques))
        return pd.Series(values, index=raw.index), bad

    parse.__doc__ = parse_u.__doc__
    parse.__name__ = parse_u.__name__.replace("_uniques", "")
    return parse


parse_text = _series_parser(text_uniques)
parse_tax_code = _series_parser(tax_code_uniques)
parse_money = _series_parser(money_uniques)
parse_number = _series_parser(number_uniques)
parse_integer = _series_parser(integer_uniques)
parse_bool = _series_parser(bool_uniques)
parse_datetime = _series_parser(datetime_uniques)
parse_date = _series_parser(date_uniques)
parse_time = _series_parser(time_uniques)

PARSERS: dict[Kind, Callable[[pd.Series], Parsed]] = {
    Kind.TEXT: parse_text,
    Kind.TAX_CODE: parse_tax_code,
    Kind.DATE: parse_date,
    Kind.DATETIME: parse_datetime,
    Kind.MONEY: parse_money,
    Kind.NUMBER: parse_number,
    Kind.INTEGER: parse_integer,
    Kind.BOOL: parse_bool,
}


def parse_coded(
    kind: Kind, codes: np.ndarray, uniques: np.ndarray
) -> tuple[ExtensionArray, np.ndarray, np.ndarray | None]:
    """Parse a factorized column: (values, bad mask, formula mask for text or None)."""
    parsed_u, bad_u = UNIQUE_PARSERS[kind](uniques)
    values, bad = expand(codes, parsed_u, bad_u)
    formula = None
    if kind is Kind.TEXT:
        formula = np.append(formula_uniques(parsed_u), False)[codes]
    return values, bad, formula


def parse_datetime_parts(parts: list[pd.Series]) -> Parsed:
    """A date column and time column(s) combined: date + time (a datetime's own time is
    replaced by the time column when that is filled). A time without a date is unreadable."""
    date, bad = parse_datetime(parts[0])
    date_blank = is_blank(parts[0])
    for part in parts[1:]:
        offset, bad_t = parse_time(part)
        has_time = offset.notna().to_numpy()
        date = date.where(~has_time, date.dt.normalize() + offset)
        bad = bad | bad_t | (date_blank & has_time)
    date = date.where(~pd.Series(bad, index=date.index))
    return date.astype("datetime64[ns]"), bad


def parse_parts(kind: Kind, parts: list[pd.Series]) -> Parsed:
    """Parse one field from one column, or several combined (joined with a space)."""
    if len(parts) == 1:
        return PARSERS[kind](parts[0])
    if kind in (Kind.DATE, Kind.DATETIME):
        parsed, bad = parse_datetime_parts(parts)
        return (parsed.dt.normalize() if kind is Kind.DATE else parsed), bad
    return PARSERS[kind](join_parts(parts))


def join_parts(parts: list[pd.Series]) -> pd.Series:
    """The raw cells of several columns as one text, non-empty parts joined with a space."""
    joined: np.ndarray | None = None
    for part in parts:
        text = raw_text(part).to_numpy(dtype=object)
        if joined is None:
            joined = text
            continue
        left, right = joined != "", text != ""
        glued = np.where(left & right, joined + " " + text, "")
        joined = np.where(left & right, glued, np.where(left, joined, text))
    assert joined is not None
    return pd.Series(joined, index=parts[0].index, dtype=object)
