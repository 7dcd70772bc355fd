"""Codice fiscale checks: valid codes, omocodia, check character, length, century."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from codicefiscale import codicefiscale as cfgen
from hypothesis import given
from hypothesis import strategies as st
from stdnum.it import codicefiscale as stdcf

from conciliare_cli import taxcode
from conciliare_cli.taxcode import tax_code_problem


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


# ---------------------------------------------------------------- vectorised analysis


def _agrees_with_stdnum(codes: list[str]) -> None:
    info = taxcode.analyse(codes)
    for code in codes:
        row = info.loc[code]
        valid = len(code) == 16 and stdcf.is_valid(code)
        assert (row["problem"] is None) == valid, code
        assert row["problem"] == tax_code_problem(code)
        if valid:
            assert (row["yy"], row["month"], row["day"]) == taxcode.birth_parts(code)
        else:
            assert pd.isna(row["yy"]) and pd.isna(row["month"]) and pd.isna(row["day"])


ALPHABET = "ABCDEHLMPRSTXZ0123456789LMNPQRSTUV"


@given(st.lists(st.text(alphabet=ALPHABET, min_size=15, max_size=17), max_size=30))
def test_analyse_agrees_with_stdnum_on_random_codes(codes):
    _agrees_with_stdnum(codes)


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2019, 12, 31)),
            st.integers(0, 15),
            st.sampled_from(ALPHABET),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_analyse_agrees_with_stdnum_on_mutated_valid_codes(items):
    codes = []
    for born, pos, char, mutate in items:
        code = with_check(
            "RSSMRA"
            + f"{born.year % 100:02d}"
            + "ABCDEHLMPRST"[born.month - 1]
            + f"{born.day:02d}"
            + "D142"
        )
        if mutate:  # a typo anywhere: another character at one position
            code = code[:pos] + char + code[pos + 1 :]
        codes.append(code)
    _agrees_with_stdnum(codes)


def test_analyse_omocodia_and_edge_days():
    anna = cf("Rossi", "Anna", "15/03/2012", "F")
    codes = [
        *cfgen.decode(anna)["omocodes"],
        with_check("RSSMRA00B29D142"),  # 29/02/2000: a real date
        with_check("RSSMRA01B29D142"),  # 29/02/2001: not a date
        with_check("RSSMRA12C00D142"),  # day 0
        with_check("RSSMRA12C40D142"),  # day 40 -> 0
        with_check("RSSMRA12C71D142"),  # a woman born on the 31st
        "00743110157",
        "",
    ]
    _agrees_with_stdnum(codes)
    info = taxcode.analyse(codes)
    assert info.loc["00743110157", "problem"].startswith("11 cifre")


def test_analyse_empty():
    info = taxcode.analyse([])
    assert len(info) == 0 and list(info.columns) == taxcode.ANALYSIS_COLUMNS


# ---------------------------------------------------------------- the check character

BODY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@given(st.text(alphabet=BODY_ALPHABET, min_size=15, max_size=15))
def test_check_character_agrees_with_stdnum(body):
    assert taxcode.check_character(body) == stdcf.calc_check_digit(body)


@given(st.lists(st.text(alphabet=BODY_ALPHABET, min_size=15, max_size=15), max_size=40))
def test_vectorised_check_agrees_with_stdnum(bodies):
    raw = np.frombuffer("".join(bodies).encode("ascii"), dtype=np.uint8).reshape(-1, 15)
    got = [chr(c) for c in taxcode.check_codes(raw)]
    assert got == [stdcf.calc_check_digit(b) for b in bodies]


def test_check_character_needs_fifteen_characters():
    with pytest.raises(ValueError):
        taxcode.check_character("RSSMRA80A01")
