"""Rule cases written as data (tests/cases/*.yaml, described in tests/cases/README.md): made-up
applications with the outcome the call gives for each, run through the real engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from conciliare_cli.demo import rules_data
from conciliare_cli.engine.result import RankResult
from conciliare_cli.trials import differences, outcome, rows_of
from conciliare_cli.trials import run_case as run_with

CASES = Path(__file__).resolve().parent / "cases"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        for i, case in enumerate(data["cases"]):
            out.append((f"{path.stem}[{i}] {case['title']}", case))
    return out


def run_case(case: dict[str, Any], folder: Path) -> RankResult:
    return run_with(case, rules_data(), folder)


@pytest.mark.parametrize(("name", "case"), load_cases(), ids=[n for n, _ in load_cases()])
def test_rule_case(name: str, case: dict[str, Any], tmp_path: Path) -> None:
    result = run_case(case, tmp_path)
    problems = []
    for app_id, expected in case["expected"].items():
        problems += [f"{app_id} {d}" for d in differences(expected, outcome(result, str(app_id)))]
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_the_cases_are_there_and_say_something() -> None:
    cases = load_cases()
    assert len(cases) >= 8
    for name, case in cases:
        assert case["expected"], name
        assert {str(a["id"]) for a in case["applications"]} >= set(map(str, case["expected"]))


def test_a_wrong_expectation_is_reported(tmp_path: Path) -> None:
    case = {
        "title": "sbagliato",
        "applications": [{"id": "A", "isee": 12500}],
        "expected": {"A": {"status": "ESCLUSA", "score": 1}},
    }
    got = outcome(run_case(case, tmp_path), "A")
    assert differences(case["expected"]["A"], got) == [
        "status: atteso ESCLUSA, ottenuto FINANZIATA",
        "score: atteso 1, ottenuto 12",
    ]


def test_dates_in_cases_are_read_as_dates() -> None:
    rows = rows_of(
        [{"id": "A", "submitted_at": dt.datetime(2017, 7, 1, 9, 30), "minors": [{}]}], None
    )
    assert rows[0]["submitted_at"] == dt.datetime(2017, 7, 1, 9, 30)
