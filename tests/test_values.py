"""The value parsers (conciliare_cli/read/values.py): every written form of dates, money,
numbers, yes/no, tax codes and text; properties: never a crash, each value parsed, missing
or flagged, exact cents, the same result whatever the order or the number of values."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliare_cli.fields import Kind
from conciliare_cli.read import values as v

D = dt.datetime


def parsed_list(parser, cells: list) -> tuple[list, list]:
    out, bad = parser(pd.Series(cells, dtype=object))
    return [None if pd.isna(x) else x for x in out.tolist()], bad.tolist()


# ------------------------------------------------------------------ money

MONEY = [
    ("€ 1.234,56", 123456),
    ("1234,56", 123456),
    ("1.234", 123400),  # a dot with three digits after it groups thousands
    ("1,234.56", 123456),
    ("EUR 300", 30000),
    ("300 €", 30000),
    ("300,00 euro", 30000),
    ("€300", 30000),
    ("1.234.567,89", 123456789),
    ("1 234,56", 123456),
    ("\u00a0300\u00a0€", 30000),
    ("1'234.50", 123450),
    ("12.5", 1250),
    ("0,5", 50),
    ("-150,00", -15000),
    ("€ -150,00", -15000),
    ("(12,00)", -1200),
    ("0,125", 13),  # ROUND_HALF_UP on the written digits
    ("0,124", 12),
    (1234.56, 123456),
    (300, 30000),
    (0.125, 13),
    (6e-3, 1),  # 1e-3 would round to 0,00 EUR: unreadable (tests/test_hostile_values.py)
    (-0.005, -1),  # half away from zero
    (2.675, 268),  # 2.675 is 2.67499999... in binary: the digits Excel shows are 2.675
]


@pytest.mark.parametrize(("cell", "cents"), MONEY)
def test_money_forms(cell, cents) -> None:
    assert parsed_list(v.parse_money, [cell]) == ([cents], [False])


@pytest.mark.parametrize("cell", ["n.d.", "nd", "ND", "N.D.", "-", "", "   ", None, np.nan])
def test_money_missing(cell) -> None:
    assert parsed_list(v.parse_money, [cell]) == ([None], [False])


@pytest.mark.parametrize(
    "cell",
    [
        "trecento",
        "1,2,3",
        "1.2.3",
        "12abc",
        "€",
        "1.234,5.6",
        True,
        D(2017, 1, 1),
        1e300,
        float("inf"),
        "1e5",
    ],
)
def test_money_unreadable(cell) -> None:
    assert parsed_list(v.parse_money, [cell]) == ([None], [True])


def test_money_mixed_column_keeps_the_fast_path_exact() -> None:
    cells = [1234.56, "", "€ 8.500,00", 0.1 + 0.2, None, 300, "x"]
    assert parsed_list(v.parse_money, cells) == (
        [123456, None, 850000, 30, None, 30000, None],
        [False, False, False, False, False, False, True],
    )


@given(st.decimals(min_value=-(10**11), max_value=10**11, places=2))
def test_money_written_any_way_gives_exact_cents(amount: Decimal) -> None:
    cents = int(amount * 100)
    sign = "-" if amount < 0 else ""
    whole, frac = f"{abs(amount):.2f}".split(".")
    it = f"{int(whole):,}".replace(",", ".")
    en = f"{int(whole):,}"
    forms = [
        f"{sign}{whole},{frac}",
        f"€ {sign}{it},{frac}",
        f"{sign}{en}.{frac}",
        f"{sign}{whole}.{frac}",
        f"{sign}{it},{frac} €",
        float(amount),
    ]
    got, bad = parsed_list(v.parse_money, forms)
    assert got == [cents] * len(forms)
    assert not any(bad)


@given(st.decimals(min_value=0, max_value=10**9, places=3))
def test_money_rounds_half_up_like_decimal(amount: Decimal) -> None:
    expected = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    text = f"{amount:.3f}".replace(".", ",")
    if expected == 0 and amount != 0:  # would be 0,00 EUR: unreadable, never a silent zero
        assert parsed_list(v.parse_money, [text]) == ([None], [True])
        return
    assert parsed_list(v.parse_money, [text]) == ([expected], [False])


@given(st.from_regex(r"\A[-+(]?(€|EUR)?[0-9.,']{1,14}(€|eur)?\)?\Z"))
def test_number_parts_fast_path_agrees_with_the_general_rules(text: str) -> None:
    t = "".join(text.split())
    if v._FAST_NUMBER.match(t) and not t.isdigit():
        assert v.number_parts(text) == v._number_parts_general(t)


# ------------------------------------------------------------------ numbers


def test_numbers_and_integers() -> None:
    assert parsed_list(v.parse_number, ["3,5", "1.000,5", 2.25, "1.234", "-0,5", "x", ""]) == (
        [3.5, 1000.5, 2.25, 1234.0, -0.5, None, None],
        [False] * 5 + [True, False],
    )
    assert parsed_list(v.parse_integer, ["3", 3.0, "1.000", " 4 ", 2.5, "2,5", "tre", "-"]) == (
        [3, 3, 1000, 4, None, None, None, None],
        [False] * 4 + [True, True, True, False],
    )


# ------------------------------------------------------------------ yes / no

TRUE = [
    "SI",
    "si",
    "Sì",
    "SÌ",
    "sì",
    "SI'",
    "S",
    "s",
    "YES",
    "X",
    "x",
    "1",
    1,
    1.0,
    "VERO",
    "vero",
    "TRUE",
    True,
    " si ",
]
FALSE = ["NO", "no", "N", "0", 0, 0.0, "FALSO", "FALSE", False]


def test_yes_no_forms() -> None:
    assert parsed_list(v.parse_bool, TRUE) == ([True] * len(TRUE), [False] * len(TRUE))
    assert parsed_list(v.parse_bool, FALSE) == ([False] * len(FALSE), [False] * len(FALSE))
    assert parsed_list(v.parse_bool, ["", "  ", None, "n.d."]) == ([None] * 4, [False] * 4)
    bad = ["forse", 2, "SIX", D(2017, 1, 1), "?"]
    assert parsed_list(v.parse_bool, bad) == ([None] * 5, [True] * 5)


# ------------------------------------------------------------------ dates

DATES = [
    (D(2017, 7, 15, 10, 32), D(2017, 7, 15, 10, 32)),
    (dt.date(2017, 7, 15), D(2017, 7, 15)),
    (pd.Timestamp("2017-07-15 10:32"), D(2017, 7, 15, 10, 32)),
    (42931, D(2017, 7, 15)),  # Excel serial number
    (42931.4375, D(2017, 7, 15, 10, 30)),
    ("42931", D(2017, 7, 15)),  # serial typed as text
    ("15/07/2017", D(2017, 7, 15)),
    ("1/7/17", D(2017, 7, 1)),
    ("1/7/70", D(1970, 7, 1)),
    ("15.07.2017", D(2017, 7, 15)),
    ("15-07-2017", D(2017, 7, 15)),
    ("2017-07-15", D(2017, 7, 15)),
    ("2017/07/15", D(2017, 7, 15)),
    ("15/07/2017 10:32", D(2017, 7, 15, 10, 32)),
    ("15/07/2017 10:32:05", D(2017, 7, 15, 10, 32, 5)),
    ("15.07.2017 10.32", D(2017, 7, 15, 10, 32)),
    ("15-07-2017, ore 10:32", D(2017, 7, 15, 10, 32)),
    ("2017-07-15 10:32:05", D(2017, 7, 15, 10, 32, 5)),
    ("2017-07-15T10:32:05", D(2017, 7, 15, 10, 32, 5)),
    ("2017-07-15 10:32:05.123", D(2017, 7, 15, 10, 32, 5)),
    (" 15/07/2017 ", D(2017, 7, 15)),
]


@pytest.mark.parametrize(("cell", "expected"), DATES)
def test_date_forms(cell, expected) -> None:
    assert parsed_list(v.parse_datetime, [cell]) == ([pd.Timestamp(expected)], [False])
    day = pd.Timestamp(expected).normalize()
    assert parsed_list(v.parse_date, [cell]) == ([day], [False])


@pytest.mark.parametrize(
    "cell",
    [
        "31/02/2017",
        "15/13/2010",
        "2017",
        2017,
        "ieri",
        dt.time(10, 0),
        True,
        99999999,
        "15/07/2017 25:61",
        "0/0/0",
        D(1200, 1, 1),
        "2017-07-15 10:32+02:00",
    ],
)
def test_date_unreadable(cell) -> None:
    assert parsed_list(v.parse_datetime, [cell]) == ([None], [True])


def test_many_text_dates_take_the_vectorised_path_with_the_same_result() -> None:
    base = D(2017, 6, 1, 8, 0)
    stamps = [base + dt.timedelta(minutes=37 * i) for i in range(600)]
    texts = [s.strftime("%d/%m/%Y %H:%M") for s in stamps]
    texts += ["31/02/2017 10:00", "2017-07-01", "", "ieri", "1/7/17 9:05"]
    got, bad = v.parse_datetime(pd.Series(texts, dtype=object))
    one_by_one = [v.parse_datetime(pd.Series([t], dtype=object)) for t in texts]
    assert got.tolist()[:600] == [pd.Timestamp(s) for s in stamps]
    assert [
        x.iloc[0] is pd.NaT or x.iloc[0] == g
        for (x, _), g in zip(one_by_one, got.tolist(), strict=True)
    ] == [True] * len(texts)
    assert bad.tolist() == [b[0] for _, b in one_by_one]
    assert bad.tolist()[600:] == [True, False, False, True, False]


@given(
    st.datetimes(min_value=D(1950, 1, 1), max_value=D(2099, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    )
)
def test_dates_written_any_way_read_back(stamp: dt.datetime) -> None:
    forms = [
        stamp.strftime("%d/%m/%Y %H:%M"),
        stamp.strftime("%d.%m.%Y %H:%M"),
        stamp.strftime("%d-%m-%Y %H:%M:%S"),
        stamp.strftime("%Y-%m-%d %H:%M"),
        f"{stamp.day}/{stamp.month}/{stamp.year} {stamp.hour}:{stamp.minute:02d}",
        stamp,
    ]
    assert parsed_list(v.parse_datetime, forms) == ([pd.Timestamp(stamp)] * 6, [False] * 6)


def test_times() -> None:
    cells = [
        "10:32",
        "9.05",
        "10:32:05",
        dt.time(8, 15),
        0.5,
        D(1899, 12, 30, 7, 0),
        "",
        "25:00",
        1.5,
        "x",
    ]
    got, bad = parsed_list(v.parse_time, cells)
    assert got[:6] == [
        pd.Timedelta(hours=10, minutes=32),
        pd.Timedelta(hours=9, minutes=5),
        pd.Timedelta(hours=10, minutes=32, seconds=5),
        pd.Timedelta(hours=8, minutes=15),
        pd.Timedelta(hours=12),
        pd.Timedelta(hours=7),
    ]
    assert bad == [False] * 7 + [True] * 3


# ------------------------------------------------------------------ text and tax codes


def test_text_and_tax_codes() -> None:
    assert parsed_list(
        v.parse_text,
        [
            "  Rossi   De\u00a0Luca ",
            26013.0,
            12.5,
            D(2017, 7, 15),
            True,
            "",
            "  ",
            None,
            "Dell'Acqua\n",
        ],
    ) == (
        ["Rossi De Luca", "26013", "12.5", "15/07/2017", "VERO", None, None, None, "Dell'Acqua"],
        [False] * 9,
    )
    assert parsed_list(v.parse_tax_code, [" rss mra 80a01 h501u ", "\u00a0abc\tdef", ""]) == (
        ["RSSMRA80A01H501U", "ABCDEF", None],
        [False] * 3,
    )


def test_formula_like_texts() -> None:
    cells = [
        "=SOMMA(A1:A3)",
        "+39 0373 2801",
        "-",
        "@centro",
        "-5",
        "+ciao",
        "- nota",
        "a=b",
        None,
        "(0373) 2801",
    ]
    assert v.formula_like(pd.Series(cells, dtype=object)).tolist() == [
        True,
        False,
        False,
        True,
        False,
        True,
        True,
        False,
        False,
        False,
    ]


# ------------------------------------------------------------------ properties

cells = st.one_of(
    st.text(max_size=25),
    st.sampled_from(
        [
            "",
            " ",
            "n.d.",
            "-",
            "SI",
            "no",
            "X",
            "€ 1.234,56",
            "1,234.56",
            "42917",
            "15/07/2017",
            "2017-07-15 10:32",
            "10:32",
            "1/7/17",
            "0,5",
            "(3)",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.none(),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.timedeltas(),
)

ALL_PARSERS = {**{k.value: p for k, p in v.PARSERS.items()}, "time": v.parse_time}


def _missing(kind: str, cell) -> bool:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return True
    if kind in (Kind.TEXT, Kind.TAX_CODE):
        return not v.cell_text(cell).strip()
    return isinstance(cell, str) and "".join(cell.split()).casefold() in v.MISSING_TOKENS


@pytest.mark.parametrize("kind", sorted(ALL_PARSERS))
@settings(max_examples=150, deadline=None)
@given(data=st.lists(cells, max_size=12))
def test_every_value_is_parsed_missing_or_flagged(kind: str, data: list) -> None:
    raw = pd.Series(data, dtype=object)
    parsed, bad = ALL_PARSERS[kind](raw)
    assert len(parsed) == len(data) and bad.dtype == bool and len(bad) == len(data)
    present = parsed.notna().to_numpy()
    assert not (present & bad).any()
    for cell, p, b in zip(data, present, bad, strict=True):
        if _missing(kind, cell):
            assert not p and not b, cell
        else:
            assert p or b, cell
    if kind in (Kind.TEXT, Kind.TAX_CODE):
        assert not bad.any()
    # the same answer for each value alone, whatever else is in the column
    for i in range(len(data)):
        alone, alone_bad = ALL_PARSERS[kind](raw.iloc[[i]])
        assert alone_bad[0] == bad[i]
        assert (pd.isna(alone.iloc[0]) and pd.isna(parsed.iloc[i])) or alone.iloc[0] == parsed.iloc[
            i
        ]


@pytest.mark.parametrize("kind", [k for k in Kind])
def test_dtypes_by_kind(kind: Kind) -> None:
    parsed, _ = v.PARSERS[kind](pd.Series(["1", None], dtype=object))
    assert str(parsed.dtype) == v.DTYPES[kind]


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=15),
            st.from_regex(r"\A\s?[-+(]?(€ ?|EUR)?[0-9.,' ]{1,14}( ?€|eur| euro)?\)?\s?\Z"),
            st.sampled_from(["n.d.", "N. D.", "-", "", " ", "nd", "0", "-0,005"]),
        ),
        max_size=10,
    )
)
def test_money_text_loop_agrees_with_the_general_parser(texts: list[str]) -> None:
    uniques = np.array(list(dict.fromkeys(texts)), dtype=object)
    fast, fast_bad = v.money_from_texts(uniques)
    slow, slow_bad = v._numeric_uniques(uniques, v._cents_of_parts, "Int64")
    assert fast_bad.tolist() == slow_bad.tolist()
    assert [None if pd.isna(x) else x for x in fast] == [None if pd.isna(x) else x for x in slow]
