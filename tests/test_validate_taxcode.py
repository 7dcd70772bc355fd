"""Codice fiscale checks: valid codes, omocodia, check character, length, century."""

from __future__ import annotations

import datetime as dt

import pytest
from codicefiscale import codicefiscale as cfgen
from hypothesis import given
from hypothesis import strategies as st
from stdnum.it import codicefiscale as stdcf

from conciliare_cli.validate import taxcode
from conciliare_cli.validate.taxcode import tax_code_problem


def cf(surname: str, name: str, born: str, gender: str = "M") -> str:
    return cfgen.encode(
        lastname=surname, firstname=name, gender=gender, birthdate=born, birthplace="Crema"
    )


def with_check(first15: str) -> str:
    return first15 + stdcf.calc_check_digit(first15)


MARIO = cf("Rossi", "Mario", "15/03/2012")


def test_valid_code_has_no_problem():
    assert tax_code_problem(MARIO) is None


def test_omocodia_is_valid_and_decodes_the_same_date():
    anna = cf("Rossi", "Anna", "15/03/2012", "F")
    omocodes = cfgen.decode(anna)["omocodes"]
    for code in omocodes[1:4]:
        assert code != anna
        assert tax_code_problem(code) is None
        assert taxcode.birth_parts(code) == (12, 3, 15)


def test_fully_omocode_date_digits_decode():
    # 12 -> MN, day 55 (woman, 15th) -> RR: every date digit replaced
    code = with_check("RSSNNAMNCRRD142")
    assert tax_code_problem(code) is None
    assert taxcode.birth_parts(code) == (12, 3, 15)


def test_wrong_check_character():
    wrong = MARIO[:-1] + ("A" if MARIO[-1] != "A" else "B")
    reason = tax_code_problem(wrong)
    assert reason is not None and "controllo" in reason


@pytest.mark.parametrize(
    "value, word",
    [
        (MARIO[:-1], "lunghezza"),
        (MARIO + "X", "lunghezza"),
        ("", "lunghezza"),
        ("RSSMRA1XC15D142N", "formato"),
        ("RSS MRA12C15D142", "caratteri"),
        ("00743110157", "11 cifre"),
    ],
)
def test_reasons(value, word):
    reason = tax_code_problem(value)
    assert reason is not None and word in reason


def test_impossible_date_in_code():
    # day 32 is neither a man's (1-31) nor a woman's (41-71) day
    code = with_check("RSSMRA12C32D142")
    assert tax_code_problem(code) is not None


@pytest.mark.parametrize(
    "parts, limit, expected",
    [
        ((12, 3, 15), dt.date(2017, 9, 1), dt.date(2012, 3, 15)),
        ((17, 9, 1), dt.date(2017, 9, 1), dt.date(2017, 9, 1)),
        ((17, 9, 2), dt.date(2017, 9, 1), dt.date(1917, 9, 2)),
        ((99, 12, 31), dt.date(2017, 9, 1), dt.date(1999, 12, 31)),
        ((0, 2, 29), dt.date(2017, 9, 1), dt.date(2000, 2, 29)),
        ((0, 2, 29), dt.date(1999, 9, 1), None),
    ],
)
def test_century_not_after_reference(parts, limit, expected):
    assert taxcode.birth_date_not_after(parts, limit) == expected


def test_nearest_century():
    assert taxcode.nearest_birth_date((12, 3, 15), dt.date(2013, 3, 15)) == dt.date(2012, 3, 15)
    assert taxcode.nearest_birth_date((98, 1, 2), dt.date(2001, 1, 1)) == dt.date(1998, 1, 2)


@given(st.text(max_size=20))
def test_any_text_gives_a_reason_or_none(text):
    reason = tax_code_problem(text)
    assert reason is None or isinstance(reason, str)
    if reason is None:
        assert stdcf.is_valid(text) and len(text) == 16


@given(
    st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2019, 12, 31)),
    st.sampled_from("MF"),
)
def test_generated_codes_decode_to_their_date(born, gender):
    code = with_check(
        "RSSMRA"
        + f"{born.year % 100:02d}"
        + "ABCDEHLMPRST"[born.month - 1]
        + f"{born.day + (40 if gender == 'F' else 0):02d}"
        + "D142"
    )
    assert tax_code_problem(code) is None
    assert taxcode.birth_date_not_after(taxcode.birth_parts(code), dt.date(2019, 12, 31)) == born
