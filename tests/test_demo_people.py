"""The generator's people and tables: codes that validate, edits of one code, canonical tables
with the reader's dtypes, rules as data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from codicefiscale import codicefiscale as cf_lib
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.it import codicefiscale as stdnum_cf

from conciliare_cli import taxcode
from conciliare_cli.demo import (
    call_from,
    minors_table,
    numbered_tax_code,
    numbered_tax_codes,
    random_minors,
    rules_data,
)
from conciliare_cli.demo.people import bad_check, recode_birth, with_surname
from conciliare_cli.errors import ConfigError

# ---------------------------------------------------------------- numbered codes


@settings(max_examples=50)
@given(
    numbers=st.lists(st.integers(0, 26**6 - 1), min_size=1, max_size=30, unique=True),
    born=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2019, 12, 31)),
    female=st.booleans(),
)
def test_numbered_codes_are_valid_distinct_and_carry_the_birth(numbers, born, female):
    births = pd.DatetimeIndex([pd.Timestamp(born)] * len(numbers))
    codes = numbered_tax_codes(numbers, births, [female] * len(numbers))
    assert len(set(codes)) == len(numbers)
    for code in codes:
        assert stdnum_cf.is_valid(code), code
        assert stdnum_cf.get_birth_date(code) == born
        assert stdnum_cf.get_gender(code) == ("F" if female else "M")
    assert numbered_tax_code(numbers[0], pd.Timestamp(born), female) == codes[0]


def test_numbered_code_defaults_to_a_boy_born_in_2010():
    code = numbered_tax_code(7)
    assert stdnum_cf.get_birth_date(code) == dt.date(2010, 1, 1)
    assert stdnum_cf.get_gender(code) == "M"


# ---------------------------------------------------------------- editing one code

MARIO = cf_lib.encode(
    lastname="Rossi", firstname="Mario", gender="M", birthdate="15/03/2012", birthplace="Crema"
)
ANNA = cf_lib.encode(
    lastname="Rossi", firstname="Anna", gender="F", birthdate="15/03/2012", birthplace="Crema"
)


@pytest.mark.parametrize("code, gender", [(MARIO, "M"), (ANNA, "F")])
def test_recode_birth_keeps_the_person_and_moves_the_date(code, gender):
    born = dt.date(2000, 7, 2)
    moved = recode_birth(code, born)
    expected = cf_lib.encode(
        lastname="Rossi",
        firstname="Mario" if gender == "M" else "Anna",
        gender=gender,
        birthdate="02/07/2000",
        birthplace="Crema",
    )
    assert moved == expected
    assert stdnum_cf.get_birth_date(moved) == born


def test_with_surname_is_the_code_of_the_other_surname():
    expected = cf_lib.encode(
        lastname="Bianchi",
        firstname="Mario",
        gender="M",
        birthdate="15/03/2012",
        birthplace="Crema",
    )
    assert with_surname(MARIO, "Bianchi") == expected


def test_bad_check_breaks_only_the_check_character():
    wrong = bad_check(MARIO)
    assert wrong[:15] == MARIO[:15] and wrong != MARIO
    assert not stdnum_cf.is_valid(wrong)


# ---------------------------------------------------------------- canonical tables


def test_minors_table_has_the_reader_dtypes_and_keys():
    t = minors_table(
        [
            {"application_id": "A", "minor_tax_code": "X", "isee": "1234.5", "disability": True},
            {"application_id": "A", "minor_tax_code": None, "isee": None, "disability": None},
            {"application_id": "B", "minor_tax_code": "Y", "isee": 12, "disability": False},
        ]
    )
    assert t["isee"].tolist()[0] == 123450 and pd.isna(t["isee"].iloc[1])
    assert str(t["isee"].dtype) == "Int64"
    assert str(t["disability"].dtype) == "boolean"
    assert t["minor_slot"].tolist() == [1, 2, 1]
    assert t["source_row"].tolist() == [2, 3, 4]
    assert t["row_key"].tolist() == ["A|X|1", "A||2", "B|Y|1"]


def test_random_minors_is_plausible_and_reproducible():
    t = random_minors(2000, seed=4)
    assert len(t) == 2000
    pd.testing.assert_frame_equal(t, random_minors(2000, seed=4))
    assert not t.equals(random_minors(2000, seed=5))
    assert (t.groupby("application_id").size() >= 1).all()
    assert t["minor_tax_code"].is_unique
    codes = pd.concat([t["minor_tax_code"], t["applicant_tax_code"]]).unique()
    assert taxcode.valid_array(np.asarray(codes, dtype=object)).all()
    births = pd.to_datetime(t["minor_birth_date"])
    parts = t["minor_tax_code"].map(taxcode.birth_parts)
    assert (parts.map(lambda p: p[1]) == births.dt.month).all()


# ---------------------------------------------------------------- rules as data


def test_call_from_validates_rules_given_as_data():
    data = rules_data()
    call = call_from(data)
    assert call.config.call.title == data["call"]["title"]
    assert call.rules_sha256 == call_from(rules_data()).rules_sha256
    data["funds"][0]["amount_eur"] += 1
    assert call_from(data).rules_sha256 != call.rules_sha256


def test_call_from_refuses_rules_that_do_not_hold_together():
    from conciliare_cli.engine.compile import compile_rules

    data = rules_data()
    data["partners"] = [{"id": "P", "name": "P", "files": "x.csv", "columns": {"nope": "X"}}]
    with pytest.raises(ConfigError):  # the mappings are checked as load_call checks them
        call_from(data)
    data = rules_data()
    data["eligibility"][0]["require"] = "no_such_field > 1"
    with pytest.raises(ConfigError):  # the rules when they are compiled, as every run does
        compile_rules(call_from(data))
