"""Rule cases written as data (tests/cases/*.yaml, described in tests/cases/README.md): made-up
applications with the outcome the call gives for each, run through the real engine."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from ruamel.yaml import YAML

from conciliare_cli.demo import call_from, minors_table, rules_data
from conciliare_cli.demo import numbered_tax_code as tax_code
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.engine.result import RankResult
from conciliare_cli.engine.stages import rank_call

CASES = Path(__file__).resolve().parent / "cases"
APP_KEYS = ("status", "score", "rank", "waiting_position", "awarded_eur", "reasons")


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        for i, case in enumerate(data["cases"]):
            out.append((f"{path.stem}[{i}] {case['title']}", case))
    return out


def merged(base: Any, changes: Any) -> Any:
    """`changes` over `base`: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(changes, dict):
        out = dict(base)
        for key, value in changes.items():
            out[key] = merged(base.get(key), value)
        return out
    return copy.deepcopy(changes)


def _date(value: Any) -> pd.Timestamp:
    return pd.Timestamp(value if value is not None else "2010-01-01")


def rows_of(applications: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The canonical rows of the case's applications, with made-up valid tax codes."""
    applicants: dict[str, str] = {}
    children: dict[str, tuple[str, pd.Timestamp]] = {}  # 'A.1' -> (tax code, birth date)
    for i, app in enumerate(applications):
        applicants[app["id"]] = tax_code(i + 1, pd.Timestamp("1980-01-01"))
        for j, m in enumerate(app.get("minors", [{}]), start=1):
            born = pd.Timestamp(m.get("birth_date", "2010-01-01"))
            children[f"{app['id']}.{j}"] = (tax_code(1000 * (i + 1) + j, born), born)
    rows = []
    for app in applications:
        facts = {k: v for k, v in app.items() if k not in ("id", "minors", "same_applicant_as")}
        facts.setdefault("submitted_at", "2017-06-10 10:00")
        for j, m in enumerate(app.get("minors", [{}]), start=1):
            child = {k: v for k, v in m.items() if k not in ("same_minor_as", "birth_date")}
            code, born = children[m.get("same_minor_as", f"{app['id']}.{j}")]
            rows.append(
                {
                    "application_id": str(app["id"]),
                    "applicant_tax_code": applicants[app.get("same_applicant_as", app["id"])],
                    "minor_tax_code": code,
                    "minor_birth_date": born,
                    **facts,
                    **child,
                }
            )
    return rows


def run_case(case: dict[str, Any], folder: Path) -> RankResult:
    data = merged(rules_data(), case.get("rules", {}))
    rules = compile_rules(call_from(data, folder))
    return rank_call(rules, minors_table(rows_of(case["applications"])), pd.DataFrame())


def outcome(result: RankResult, app_id: str) -> dict[str, Any]:
    m = result.minors
    rows = m[m["application_id"] == app_id].sort_values("minor_slot")
    assert len(rows), f"no application {app_id}"
    statuses = list(rows["status"])
    admitted = [s for s in statuses if s != "ESCLUSA"]
    ranks = rows["rank"].dropna()
    waits = rows["waiting_position"].dropna()
    codes = []
    for text in rows["exclusion_reasons"]:
        codes += [c for c in str(text).split(";") if c and c not in codes]
    return {
        "status": admitted[0] if admitted else "ESCLUSA",
        "score": float(rows["score"].iloc[0]),
        "rank": int(ranks.min()) if len(ranks) else None,
        "waiting_position": int(waits.min()) if len(waits) else None,
        "awarded_eur": Decimal(int(rows["awarded_cents"].sum())) / 100,
        "reasons": codes,
        "minors": [
            {
                "status": r["status"],
                "awarded_eur": Decimal(int(r["awarded_cents"])) / 100,
                "reasons": [c for c in str(r["exclusion_reasons"]).split(";") if c],
            }
            for _, r in rows.iterrows()
        ],
    }


def differences(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    out = []
    for key in APP_KEYS:
        if key in expected and _norm(expected[key]) != _norm(got[key]):
            out.append(f"{key}: atteso {expected[key]!r}, ottenuto {got[key]!r}")
    for i, want in enumerate(expected.get("minors", []), start=1):
        have = got["minors"][i - 1] if i <= len(got["minors"]) else {}
        for key, value in want.items():
            if _norm(value) != _norm(have.get(key)):
                out.append(f"minore {i} {key}: atteso {value!r}, ottenuto {have.get(key)!r}")
    return out


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).normalize()
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


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
        "status: atteso 'ESCLUSA', ottenuto 'FINANZIATA'",
        "score: atteso 1, ottenuto 12.0",
    ]


def test_dates_in_cases_are_read_as_dates() -> None:
    rows = rows_of([{"id": "A", "submitted_at": dt.datetime(2017, 7, 1, 9, 30), "minors": [{}]}])
    assert rows[0]["submitted_at"] == dt.datetime(2017, 7, 1, 9, 30)
