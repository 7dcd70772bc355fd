"""Each kind of criterion on its own (engine/criteria/): checks, scoring, words — without the
pipeline; and a made-up kind added with one model class and one rule class."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import pandas as pd
import pytest
from pydantic import Field, TypeAdapter

from conciliare_cli.config import models
from conciliare_cli.config.models import Criterion, CriterionModel
from conciliare_cli.demo import minors_table
from conciliare_cli.demo import numbered_tax_code as tax_code
from conciliare_cli.engine import criteria as kinds
from conciliare_cli.engine.criteria.base import (
    CompileContext,
    CriterionRule,
    ExplainCase,
    LetterView,
    ScoreData,
    thousandths,
)
from conciliare_cli.engine.expr import compile_expression
from conciliare_cli.engine.units import Units
from conciliare_cli.fields import CANONICAL_FIELDS, DERIVED_FIELDS, Level

FIELDS = {**CANONICAL_FIELDS, **DERIVED_FIELDS}
T = pd.Timestamp


def build(spec: dict[str, Any], by_minor: bool = False) -> tuple[CriterionRule | None, list]:
    """The criterion of `spec` (a YAML item) built by its kind, and the problems found."""
    model = TypeAdapter(Criterion).validate_python({"id": "c", "label": "Criterio", **spec})
    problems: list[tuple[Any, str]] = []

    def compile_(loc: Any, text: str, level: Level | None) -> Any:
        return compile_expression(text, FIELDS, level=level)

    ctx = CompileContext(FIELDS, by_minor, compile_, lambda loc, msg: problems.append((loc, msg)))
    return kinds.rule_class(model).build(model, ("criteria", 0), ctx), problems


def table(apps: dict[str, list[dict[str, Any]]]) -> pd.DataFrame:
    rows = []
    for i, (app, minors) in enumerate(apps.items()):
        for j, m in enumerate(minors):
            rows.append(
                {
                    "application_id": app,
                    "submitted_at": "2017-06-10 10:00",
                    "applicant_tax_code": tax_code(i + 1, T("1980-01-01")),
                    "minor_tax_code": tax_code(100 * (i + 1) + j, T("2010-01-01")),
                    "minor_birth_date": "2010-01-01",
                    **m,
                }
            )
    out = minors_table(rows)
    out["minor_admissible"] = pd.array([True] * len(out), dtype="boolean")
    out["minor_eligible"] = out["minor_admissible"]
    return out


def data(frame: pd.DataFrame) -> ScoreData:
    codes, _ = pd.factorize(frame["application_id"])
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    units = Units.of(frame, codes, first, by_minor=False)
    members = frame["minor_admissible"].to_numpy(dtype=bool)
    return ScoreData(frame, {}, FIELDS, units, members, codes)


def points(rule: CriterionRule, frame: pd.DataFrame) -> tuple[list[float], list[bool]]:
    pts, missing = rule.points(data(frame))
    return [p / 1000 for p in pts], list(missing)


def case(rule: CriterionRule, frame: pd.DataFrame, app: str) -> ExplainCase:
    rows = frame[frame["application_id"] == app]
    return ExplainCase(rows.iloc[0], rows, rows, rows["minor_admissible"], {}, FIELDS)


def shown(rule: CriterionRule, frame: pd.DataFrame) -> dict[str, str]:
    view = LetterView(frame, frame["application_id"], frame["minor_eligible"], FIELDS)
    return rule.shown_values(view).to_dict()


ISEE = {
    "type": "bands",
    "field": "isee",
    "bands": [
        {"max": 10000, "points": 15},
        {"min": 10000.01, "max": 20000, "points": 10},
    ],
}


# ---------------------------------------------------------------- flag


def test_flag_points_missing_and_words():
    rule, problems = build({"type": "flag", "condition": "single_parent", "points": 5})
    assert rule is not None and not problems
    frame = table({"A": [{"single_parent": True}], "B": [{"single_parent": None}], "C": [{}]})
    assert points(rule, frame) == ([5.0, 0.0, 0.0], [False, False, False])
    strict, _ = build(
        {"type": "flag", "condition": "single_parent", "points": 5, "missing": "exclude"}
    )
    assert points(strict, frame)[1] == [False, True, True]
    assert rule.describe(FIELDS) == "5 punti se: Nucleo monogenitoriale"
    assert rule.explain(case(rule, frame, "A")) == "Nucleo monogenitoriale: sì"
    assert rule.explain(case(rule, frame, "B")) == "Nucleo monogenitoriale: non indicato"
    assert shown(rule, frame) == {"A": "sì", "B": "non indicato", "C": "non indicato"}


def test_flag_condition_with_minors_needs_an_aggregate():
    with pytest.raises(Exception, match="any"):
        build({"type": "flag", "condition": "disability", "points": 5})
    rule, _ = build({"type": "flag", "condition": "any(disability)", "points": 5})
    frame = table({"A": [{"disability": False}, {"disability": True}], "B": [{}]})
    assert points(rule, frame)[0] == [5.0, 0.0]
    frame["crit_c"] = [5.0, 5.0, 0.0]  # as the engine writes them
    assert shown(rule, frame) == {"A": "sì", "B": "no"}  # not a bare field: points earned


# ---------------------------------------------------------------- bands


def test_bands_edges_exact_in_cents_and_numeric_missing():
    rule, _ = build({**ISEE, "missing": 2})
    frame = table(
        {
            "A": [{"isee": "10000"}],
            "B": [{"isee": "10000.01"}],
            "C": [{"isee": "20000.01"}],
            "D": [{}],
        }
    )
    assert points(rule, frame) == ([15.0, 10.0, 0.0, 2.0], [False] * 4)
    assert (
        rule.explain(case(rule, frame, "B"))
        == "ISEE: 10.000,01\xa0€, fascia da 10.000,01\xa0€ a 20.000,00\xa0€ (10 punti)"
    )
    assert rule.explain(case(rule, frame, "C")).endswith(", in nessuna fascia")
    assert rule.describe(FIELDS).startswith("ISEE — fino a 10.000,00\xa0€: 15 punti")
    assert shown(rule, frame)["D"] == "non indicato"


def test_bands_needs_a_number_of_the_application():
    rule, problems = build({"type": "bands", "field": "service", "bands": [{"points": 1}]})
    assert rule is None and "non è un numero" in problems[0][1]
    rule, problems = build({"type": "bands", "field": "requested_eur", "bands": [{"points": 1}]})
    assert rule is None and "dato del minore" in problems[0][1]
    rule, problems = build(
        {"type": "bands", "field": "requested_eur", "bands": [{"points": 1}]}, by_minor=True
    )
    assert rule is not None and not problems


# ---------------------------------------------------------------- map


def test_map_ignores_case_and_spaces_and_has_a_default():
    rule, _ = build(
        {"type": "map", "field": "service", "map": {"Centro estivo": 3}, "default": 1},
        by_minor=True,
    )
    frame = table({"A": [{"service": " centro ESTIVO "}], "B": [{"service": "altro"}]})
    assert points(rule, frame)[0] == [3.0, 1.0]
    assert (
        rule.describe(FIELDS)
        == "Servizio richiesto — Centro estivo: 3 punti; altri valori: 1 punto"
    )
    assert rule.explain(case(rule, frame, "B")) == "Servizio richiesto: altro (valore non elencato)"


def test_map_needs_a_text():
    rule, problems = build({"type": "map", "field": "isee", "map": {"a": 1}})
    assert rule is None and "non è un testo" in problems[0][1]


# ---------------------------------------------------------------- count and sum


def test_count_counts_eligible_minors_and_caps():
    rule, _ = build({"type": "count", "condition": "disability", "points": 10, "max_points": 15})
    frame = table({"A": [{"disability": True}, {"disability": True}], "B": [{"disability": None}]})
    assert points(rule, frame) == ([15.0, 0.0], [False, False])
    frame.loc[1, "minor_admissible"] = False  # A's second minor is not eligible
    assert points(rule, frame)[0] == [10.0, 0.0]
    assert rule.explain(case(rule, frame, "A")).startswith(
        "minori ammissibili con «Disabilità (L. 104/92)»: 1 su 1"
    )
    assert rule.describe(FIELDS) == (
        "10 punti per ogni minore ammissibile con: Disabilità (L. 104/92)"
    )


def test_count_condition_cannot_aggregate():
    with pytest.raises(Exception, match="any/all/count/sum"):
        build({"type": "count", "condition": "any(disability)", "points": 1})


def test_sum_per_euro_rounded_half_away_from_zero():
    rule, _ = build({"type": "sum", "field": "requested_eur", "points": "0.001"})
    frame = table({"A": [{"requested_eur": "100.50"}, {"requested_eur": "0.01"}], "B": [{}]})
    pts, _missing = points(rule, frame)
    assert pts == [0.101, 0.0]  # 100.51 € x 0.001 = 0.10051 -> 0.101
    assert thousandths("0.1005") == 101
    assert rule.explain(case(rule, frame, "A")) == "somma di Costo richiesto: 100,51\xa0€"


def test_points_with_more_than_three_decimals_are_a_problem():
    rule, problems = build({"type": "flag", "condition": "single_parent", "points": "0.0001"})
    assert rule is None
    assert problems == [
        (("criteria", 0, "points"), "punti con al massimo 3 decimali, trovato 0.0001")
    ]


def test_every_shipped_kind_is_registered():
    assert set(kinds.KINDS) == {"flag", "bands", "map", "count", "sum"}
    assert {m.model_fields["type"].annotation.__args__[0] for m in models.CRITERION_MODELS} >= set(
        kinds.KINDS
    )


# ---------------------------------------------------------------- a made-up kind


class ThresholdCriterion(CriterionModel):
    """Made up for the test: `points` when a number of the application reaches `at_least`."""

    type: Literal["soglia"] = Field(description="Tipo di criterio")
    field: str
    at_least: Decimal
    points: Decimal


class ThresholdRule(CriterionRule):
    kind = "soglia"
    model_class = ThresholdCriterion

    def raw_points(self, d: ScoreData) -> tuple[np.ndarray, np.ndarray]:
        values, na, scale = d.numeric(self.model.field)
        reached = values >= int(self.model.at_least * (scale or 1))
        pts = np.where(reached & ~na, thousandths(self.model.points), 0)
        return d.units.at_first(pts), d.units.at_first(na)

    def describe(self, fields: Any) -> str:
        return (
            f"{self.model.points} punti se {fields[self.model.field].label} ≥ {self.model.at_least}"
        )

    def explain(self, c: ExplainCase) -> str:
        return f"{c.fields[self.model.field].label}: {c.first.get(self.model.field)}"


@pytest.fixture
def threshold_kind() -> Iterator[None]:
    saved_models, saved_kinds = list(models.CRITERION_MODELS), dict(kinds.KINDS)
    kinds.register(ThresholdRule)
    yield
    models.CRITERION_MODELS[:] = saved_models
    kinds.KINDS.clear()
    kinds.KINDS.update(saved_kinds)
    models.rebuild_criteria()


def test_a_new_kind_is_one_model_class_and_one_rule_class(threshold_kind, tmp_path):
    from conciliare_cli.demo import call_from, rules_data
    from conciliare_cli.engine.compile import compile_rules
    from conciliare_cli.engine.explanation import explain_application
    from conciliare_cli.engine.stages import rank_call
    from conciliare_cli.letters.common import ListSource
    from conciliare_cli.letters.context import build_letters
    from conciliare_cli.write.graduatoria import criteria_tables

    data = rules_data()
    data["criteria"] = [
        {"id": "grandi", "type": "soglia", "label": "Nucleo numeroso", "field": "household_size",
         "at_least": 5, "points": 4},
    ]  # fmt: skip
    rules = compile_rules(call_from(data, tmp_path))
    frame = table({"A": [{"household_size": 6}], "B": [{"household_size": 3}]})
    result = rank_call(rules, frame, pd.DataFrame())
    assert result.units.set_index("unit_id")["crit_grandi"].to_dict() == {"A": 4.0, "B": 0.0}
    assert "Nucleo numeroso: 4 punti — Componenti del nucleo: 6" in explain_application(result, "A")
    described = criteria_tables(result)["criteria"].iloc[0]
    assert (described["type"], described["parameters"]) == (
        "soglia",
        "4 punti se Componenti del nucleo ≥ 5",
    )
    letter = next(
        x
        for x in build_letters(result, ListSource("PROVVISORIA", T("2017-09-15").date(), "0" * 64))
        if x.application_id == "A"
    )
    assert letter.context["units"][0]["criteria"][0]["value"] == "—"  # no words of its own: a dash
