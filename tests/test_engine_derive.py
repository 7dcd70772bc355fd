"""Derived fields: age in completed years, tax-code validity (same verdict as validation)."""

from __future__ import annotations

import datetime as dt
import string

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliare_cli.demo import numbered_tax_code as tax_code
from conciliare_cli.demo import numbered_tax_codes as tax_codes
from conciliare_cli.engine.derive import age_at, derive, tax_code_valid
from conciliare_cli.taxcode import tax_code_problem


def test_age_in_completed_years() -> None:
    births = pd.Series(
        pd.to_datetime(["2013-09-01", "2013-09-02", "2000-09-01", "2016-02-29", None, "2017-09-02"])
    )
    ages = age_at(births, dt.date(2017, 9, 1)).tolist()
    assert ages[:4] == [4, 3, 17, 1]
    assert pd.isna(ages[4])
    assert ages[5] == -1  # born after the reference date
    # born on 29 February: one year older on 1 March of a non-leap year
    leap = pd.Series(pd.to_datetime(["2016-02-29"]))
    assert age_at(leap, dt.date(2017, 2, 28)).tolist() == [0]
    assert age_at(leap, dt.date(2017, 3, 1)).tolist() == [1]


def test_tax_code_validity_examples() -> None:
    good = tax_code(7, pd.Timestamp("2011-05-31"))
    codes = pd.Series(
        [
            good,
            f" {good.lower()} ",
            good[:-1] + "A",
            "12345678901",
            None,
            "",
            good[:15],
            good + "X",
            "RSSMRA80B30H501Q",
        ],
        dtype="string",
    )
    got = tax_code_valid(codes).tolist()
    assert got[:4] == [True, True, good[-1] == "A", False]
    assert pd.isna(got[4]) and pd.isna(got[5])
    assert got[6:] == [False, False, False]  # 30 February does not exist


_CF_CHARS = string.ascii_uppercase + string.digits


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 26**6 - 1),
    st.dates(dt.date(1920, 1, 1), dt.date(2019, 12, 31)),
    st.integers(0, 15),
    st.sampled_from(list(_CF_CHARS)),
    st.booleans(),
)
def test_same_verdict_as_validation(
    seed: int, born: dt.date, pos: int, ch: str, mutate: bool
) -> None:
    code = tax_codes([seed], pd.DatetimeIndex([born]))[0]
    if mutate:
        code = code[:pos] + ch + code[pos + 1 :]
    expected = tax_code_problem(code) is None
    assert tax_code_valid(pd.Series([code])).tolist() == [expected]


def test_derive_adds_columns_without_touching_the_input() -> None:
    table = pd.DataFrame(
        {
            "application_id": ["A", "A", "B"],
            "minor_birth_date": pd.to_datetime(["2010-01-01", "2012-01-01", None]),
            "minor_tax_code": pd.array([tax_code(1), "x", None], dtype="string"),
        }
    )
    before = table.copy()
    out = derive(table, dt.date(2017, 9, 1))
    pd.testing.assert_frame_equal(table, before)
    assert out["age"].tolist()[:2] == [7, 5]
    assert out["minors"].tolist() == [2, 2, 1]
    assert out["minor_tax_code_valid"].tolist()[:2] == [True, False]
    assert out["applicant_tax_code_valid"].isna().all()
