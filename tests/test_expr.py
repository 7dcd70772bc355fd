"""The expression language: safe parsing, static types, Kleene logic, exact money."""

from __future__ import annotations

import contextlib

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliare_cli.engine.expr import (
    ExpressionError,
    call_constants,
    compile_expression,
)
from conciliare_cli.fields import CANONICAL_FIELDS, DERIVED_FIELDS, Level

FIELDS = {**CANONICAL_FIELDS, **DERIVED_FIELDS}
NA = pd.NA


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "application_id": ["A", "A", "B", "C"],
            "isee": pd.array([3_500_000, 3_500_001, None, 100], dtype="Int64"),
            "single_parent": pd.array([True, None, False, None], dtype="boolean"),
            "both_parents_working": pd.array([False, False, True, True], dtype="boolean"),
            "disability": pd.array([True, False, None, False], dtype="boolean"),
            "age": pd.array([3, 17, 5, None], dtype="Int64"),
            "household_size": pd.array([4, 4, 0, 2], dtype="Int64"),
            "requested_eur": pd.array([30_000, 12_345, 10, None], dtype="Int64"),
            "service": pd.Series(["Centro Estivo ", "pre scuola", None, "ludoteca"]),
            "submitted_at": pd.to_datetime(
                ["2017-06-01 09:00:00", "2017-06-01 09:00:00", None, "2017-07-31 12:00:01"]
            ),
            "minor_birth_date": pd.to_datetime(["2014-05-01", "2000-01-01", None, "2017-09-01"]),
        }
    )


CONSTANTS = {
    "submission_opens": pd.Timestamp("2017-06-01 09:00"),
    "submission_closes": pd.Timestamp("2017-07-31 12:00"),
    "reference_date": pd.Timestamp("2017-09-01"),
}


def ev(text: str, t: pd.DataFrame | None = None, **kw: object) -> list[object]:
    expr = compile_expression(text, FIELDS, expect="any")
    out = expr.evaluate(table() if t is None else t, CONSTANTS, **kw)  # type: ignore[arg-type]
    return [NA if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in out]


# ------------------------------------------------------------------ precedence and logic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # not binds tighter than and, and tighter than or
        ("not false and false", [False] * 4),
        ("true or true and false", [True] * 4),
        ("(true or true) and false", [False] * 4),
        ("not (true and false)", [True] * 4),
        # arithmetic before comparison, * before +
        ("1 + 2 * 3 == 7", [True] * 4),
        ("(1 + 2) * 3 == 9", [True] * 4),
        ("-household_size + 4 == 0", [True, True, False, False]),
        ("True != False", [True] * 4),
    ],
)
def test_precedence(text: str, expected: list[bool]) -> None:
    assert ev(text) == expected


def test_kleene_logic() -> None:
    # single_parent = [T, NA, F, NA]
    assert ev("single_parent") == [True, NA, False, NA]
    assert ev("not single_parent") == [False, NA, True, NA]
    assert ev("false and single_parent") == [False] * 4
    assert ev("single_parent and false") == [False] * 4
    assert ev("true and single_parent") == [True, NA, False, NA]
    assert ev("true or single_parent") == [True] * 4
    assert ev("single_parent or true") == [True] * 4
    assert ev("false or single_parent") == [True, NA, False, NA]
    # both_parents_working = [F, F, T, T]
    assert ev("single_parent and both_parents_working") == [False, False, False, NA]
    assert ev("single_parent or both_parents_working") == [True, NA, True, True]


def test_comparison_with_missing_is_na() -> None:
    assert ev("isee <= 35000") == [True, False, NA, True]
    assert ev("isee != 1") == [True, True, NA, False]  # 100 cents is 1 euro
    assert ev("service == 'ludoteca'") == [False, False, NA, True]
    assert ev("submitted_at <= submission_closes") == [True, True, NA, False]
    assert ev("is_missing(isee)") == [False, False, True, False]
    assert ev("is_missing(isee) or isee <= 0") == [False, False, True, False]


def test_chained_comparison() -> None:
    # age = [3, 17, 5, NA]
    assert ev("0 <= age <= 16") == [True, False, True, NA]
    assert ev("0 < age < 5 < 6") == [True, False, False, NA]


def test_missing_column_reads_as_missing() -> None:
    t = table().drop(columns=["single_parent"])
    assert ev("single_parent", t) == [NA] * 4
    assert ev("is_missing(single_parent)", t) == [True] * 4


# ------------------------------------------------------------------ money and numbers


def test_money_is_euros_and_exact() -> None:
    # isee cents = [3_500_000, 3_500_001, NA, 100]
    assert ev("isee <= 35000") == [True, False, NA, True]
    assert ev("isee == 35000.01") == [False, True, NA, False]
    assert ev("isee < 35000.005") == [True, False, NA, True]
    assert ev("isee > 35000.005") == [False, True, NA, False]
    assert ev("isee * 2 == 70000.02") == [False, True, NA, False]
    assert ev("isee + requested_eur == 35300") == [True, False, NA, NA]
    assert ev("isee - 0.01 == 35000") == [False, True, NA, False]
    # 0.1 + 0.2 is exact here (it is not in binary floats)
    assert ev("requested_eur * 0 + 0.1 + 0.2 == 0.3") == [True, True, True, NA]


def test_numbers_as_values() -> None:
    assert ev("isee") == [35000.0, 35000.01, NA, 1.0]
    assert ev("requested_eur / 2") == [150.0, 61.725, 0.05, NA]
    assert ev("household_size * 1.5") == [6.0, 6.0, 0.0, 3.0]
    # division by zero is missing, never inf
    assert ev("isee / household_size") == [8750.0, 8750.0025, NA, 0.5]
    assert ev("isee / 0") == [NA] * 4


def test_number_result_dtype() -> None:
    out = compile_expression("isee", FIELDS, expect="any").evaluate(table(), CONSTANTS)
    assert str(out.dtype) == "Float64"
    cond = compile_expression("isee <= 1", FIELDS).evaluate(table(), CONSTANTS)
    assert str(cond.dtype) == "boolean"


def test_in_list() -> None:
    # service = ['Centro Estivo ', 'pre scuola', NA, 'ludoteca']: case and spaces ignored
    assert ev("service in ['centro estivo', 'ludoteca']") == [True, False, NA, True]
    assert ev("service not in ['centro estivo']") == [False, True, NA, True]
    assert ev("household_size in [2, 4]") == [True, True, False, True]
    assert ev("household_size not in (2, 4)") == [False, False, True, False]
    assert ev("isee in [35000.01, 1]") == [False, True, NA, True]
    assert ev("age in []") == [False, False, False, NA]


# ------------------------------------------------------------------ dates


def test_dates_and_constants() -> None:
    assert ev("submitted_at >= submission_opens and submitted_at <= submission_closes") == [
        True,
        True,
        NA,
        False,
    ]
    assert ev("minor_birth_date < date('2014-06-01')") == [True, True, NA, False]
    assert ev("minor_birth_date <= reference_date") == [True, True, NA, True]
    assert ev('submitted_at > datetime("2017-07-31 12:00")') == [False, False, NA, True]


def test_constants_come_from_the_call() -> None:
    from conciliare_cli.config import load_call
    from conciliare_cli.resources import rules_dir

    call = load_call(rules_dir() / "conciliare-2017.yaml")
    c = call_constants(call.config)
    assert c["reference_date"] == pd.Timestamp("2017-09-01")
    assert c["submission_closes"] == pd.Timestamp("2017-07-31 12:00")


# ------------------------------------------------------------------ aggregates


def test_aggregates_over_the_application() -> None:
    # application A: disability [T, F], age [3, 17]; B: [NA], [5]; C: [F], [NA]
    assert ev("any(disability)") == [True, True, NA, False]
    assert ev("all(disability)") == [False, False, NA, False]
    assert ev("count(disability)") == [1.0, 1.0, NA, 0.0]
    assert ev("count(true)") == [2.0, 2.0, 1.0, 1.0]
    assert ev("sum(age)") == [20.0, 20.0, 5.0, NA]
    assert ev("sum(requested_eur) > 400") == [True, True, False, NA]
    assert ev("count(age <= 16) >= 1") == [True, True, True, NA]


def test_aggregates_only_over_members() -> None:
    members = pd.Series([True, False, True, False])
    # only the first minor of A counts; C has no member left
    assert ev("count(true)", members=members) == [1.0, 1.0, 1.0, 0.0]
    assert ev("all(disability)", members=members) == [True, True, NA, True]
    assert ev("any(disability)", members=members) == [True, True, NA, False]
    assert ev("sum(age)", members=members) == [3.0, 3.0, 5.0, 0.0]


def test_aggregates_by_another_group() -> None:
    group = pd.Series(["x", "y", "z", "w"])
    assert ev("count(true)", group=group) == [1.0] * 4


def test_aggregates_at_evaluation_depend_on_group_not_order() -> None:
    t = table()
    shuffled = t.iloc[[3, 1, 0, 2]]
    got = compile_expression("count(disability) >= 1", FIELDS).evaluate(shuffled, CONSTANTS)
    assert list(got.index) == [3, 1, 0, 2]
    assert [got.loc[i] for i in (0, 1, 3)] == [True, True, False]
    assert pd.isna(got.loc[2])


# ------------------------------------------------------------------ names and level


def test_names_and_level() -> None:
    e = compile_expression("isee <= 35000 and not single_parent", FIELDS)
    assert e.names == {"isee", "single_parent"}
    assert e.level is Level.APPLICATION
    assert not e.has_aggregates
    e = compile_expression("age <= 16 and isee < 1", FIELDS)
    assert e.level is Level.MINOR
    e = compile_expression("any(disability) and isee < 1", FIELDS)
    assert e.level is Level.APPLICATION
    assert e.has_aggregates
    assert e.names == {"disability", "isee"}
    e = compile_expression("submitted_at >= submission_opens", FIELDS)
    assert e.names == {"submitted_at"}


def test_level_context() -> None:
    with pytest.raises(ExpressionError, match="any"):
        compile_expression("disability", FIELDS, level=Level.APPLICATION)
    with pytest.raises(ExpressionError, match="livello di domanda"):
        compile_expression("count(disability) > 1", FIELDS, level=Level.MINOR)
    compile_expression("disability and isee < 10", FIELDS, level=Level.MINOR)
    compile_expression("any(disability)", FIELDS, level=Level.APPLICATION)


# ------------------------------------------------------------------ errors


def test_unknown_field_suggests_the_nearest() -> None:
    with pytest.raises(ExpressionError) as exc:
        compile_expression("iseee <= 35000", FIELDS)
    assert "campo sconosciuto 'iseee' (forse 'isee'?)" in str(exc.value)
    assert "colonna 1" in str(exc.value)
    with pytest.raises(ExpressionError) as exc:
        compile_expression("isee <= 1 and disabilty", FIELDS)
    assert "'disability'" in str(exc.value)
    assert "colonna 15" in str(exc.value)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('true')",
        "open('/etc/passwd')",
        "eval('1')",
        "isee.real",
        "isee.__class__",
        "().__class__.__bases__[0]",
        "lambda: 1",
        "(lambda x: x)(1)",
        "[x for x in [1]]",
        "{x for x in [1]}",
        "isee[0]",
        "{'a': 1}",
        "isee if true else 1",
        "f'{isee}'",
        "(x := 1)",
        "isee ** 2 > 1",
        "isee % 2 == 0",
        "isee // 2 == 0",
        "isee & 1",
        "~isee",
        "isee is None",
        "None",
        "b'x' == b'x'",
        "...",
        "1j == 1j",
        "any(disability, key=1)",
        "count(*[true])",
        "sum()",
    ],
)
def test_forbidden_constructs(text: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(text, FIELDS)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("isee < date('2017-01-01')", "non si può confrontare"),
        ("submitted_at > 5", "non si può confrontare"),
        ("not isee", "'not'"),
        ("isee and single_parent", "'and'"),
        ("service < 'a'", "solo con == e !="),
        ("single_parent < true", "solo con == e !="),
        ("service + 1 > 2", "solo ai numeri"),
        ("submitted_at - 1 > 2", "solo ai numeri"),
        ("isee in ['a']", "non si può confrontare"),
        ("isee in household_size", "lista"),
        ("isee in [household_size]", "valori fissi"),
        ("isee", "vera o falsa"),
        ("date('2017-13-01') < submitted_at", "data non valida"),
        ("date(reference_date) < submitted_at", "tra virgolette"),
        ("count(any(disability)) > 1", "aggregazione"),
        ("sum(disability) > 1", "somma numeri"),
        ("any(isee) ", "vuole una condizione"),
        ("maxi(isee) > 1", "funzione non ammessa"),
        ("isee <= (", "parentesi"),
        ("isee = 1", "=="),
        ("'abc", "virgolette"),
        ("1 / 0 > 1", "divisione per zero"),
        ("isee > 1e400", "troppo grande"),
        ("", "vuota"),
        ("   ", "vuota"),
        ("x" * 6000, "campo sconosciuto"),
        ("(" * 5000 + "true" + ")" * 5000, "non valida"),
        ("isee <= 1 AND single_parent", "sintassi"),
        ("null", "is_missing"),
    ],
)
def test_error_messages(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as exc:
        compile_expression(text, FIELDS)
    assert fragment in str(exc.value)


def test_error_column_counts_characters() -> None:
    # 'è' is two bytes in UTF-8 but one column for the person reading the message
    with pytest.raises(ExpressionError, match="colonna 20"):
        compile_expression("service == 'è' and iseee", FIELDS)
    with pytest.raises(ExpressionError, match="colonna 3"):
        compile_expression("  iseee > 1", FIELDS)


def test_folded_yaml_text_compiles() -> None:
    e = compile_expression("isee <= 35000\n  and not single_parent\n", FIELDS)
    assert e.names == {"isee", "single_parent"}


# ------------------------------------------------------------------ robustness

_WORDS = "isee age not and or in is true None any( count( sum( date( lambda __import__ disability"
_ALPHABET = st.sampled_from([*"()[]'\",.=<>!+-*/%&|~:;{}_ 0123456789eE\n\\é\x00", *_WORDS.split()])


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_random_text_never_crashes(text: str) -> None:
    try:
        e = compile_expression(text, FIELDS, expect="any")
    except ExpressionError:
        return
    out = e.evaluate(table(), CONSTANTS)
    assert len(out) == 4


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_unicode_never_crashes(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        compile_expression(text, FIELDS)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    for text in ["(" * 500 + "true" + ")" * 500, "not " * 5000 + "true", "-" * 20000 + "1 > 0"]:
        with contextlib.suppress(ExpressionError):
            compile_expression(text, FIELDS)
