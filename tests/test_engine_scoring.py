"""Scoring criteria: each type, caps, exact thousandths, missing data policies, unit minor."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from conciliare_cli.demo import call_from, minors_table, rules_data
from conciliare_cli.demo import numbered_tax_code as tax_code
from conciliare_cli.engine.criteria.base import thousandths
from conciliare_cli.engine.stages import rank_call

T = pd.Timestamp
NO_FINDINGS = pd.DataFrame()


def rows_for(apps: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """{app_id: {facts..., "minors": [dict, ...]}} -> rows."""
    out = []
    for i, (app_id, facts) in enumerate(apps.items()):
        facts = dict(facts)
        minors = facts.pop("minors", [{}])
        for j, m in enumerate(minors):
            out.append(
                {
                    "application_id": app_id,
                    "submitted_at": "2017-06-10 10:00",
                    "applicant_tax_code": tax_code(i + 1, T("1980-01-01")),
                    "minor_tax_code": tax_code(100 * (i + 1) + j, T("2010-01-01")),
                    "minor_birth_date": "2010-01-01",
                    **facts,
                    **m,
                }
            )
    return out


def run(apps: dict[str, dict[str, Any]], criteria: list[dict], **changes: Any) -> Any:
    data = rules_data()
    data["eligibility"] = []
    data["criteria"] = criteria
    data.update(changes)
    return rank_call(call_from(data), minors_table(rows_for(apps)), NO_FINDINGS)


def unit(result: Any, app_id: str) -> pd.Series:
    u = result.units.set_index("unit_id")
    return u.loc[app_id]


ISEE_BANDS = {
    "id": "isee",
    "type": "bands",
    "label": "ISEE",
    "field": "isee",
    "bands": [
        {"max": 10000, "points": 15},
        {"min": 10000.01, "max": 20000, "points": 10},
        {"min": 20000.01, "max": 35000, "points": 5},
    ],
}


def test_readme_worked_example() -> None:
    # ISEE 12.500 €, single parent, one minor with a disability and one without
    data = rules_data()
    rows = rows_for(
        {
            "A": {
                "isee": "12500",
                "single_parent": True,
                "minors": [{"disability": True}, {"disability": False}],
            }
        }
    )
    r = rank_call(call_from(data), minors_table(rows), NO_FINDINGS)
    a = r.units.iloc[0]
    assert (a["crit_disabilita"], a["crit_dsa_bes"], a["crit_isee"]) == (10.0, 0.0, 10.0)
    assert (a["crit_monogenitore"], a["crit_genitori_lavoratori"]) == (5.0, 0.0)
    assert a["crit_numero_figli"] == 4.0
    assert a["score"] == 29.0


@pytest.mark.parametrize(
    ("isee", "points"),
    [
        ("0", 15),
        ("10000", 15),
        ("10000.01", 10),
        ("20000", 10),
        ("20000.01", 5),
        ("35000", 5),
        ("35000.01", 0),
    ],
)
def test_bands_are_inclusive_and_exact_in_cents(isee: str, points: int) -> None:
    r = run({"A": {"isee": isee}}, [ISEE_BANDS])
    assert unit(r, "A")["crit_isee"] == points


@pytest.mark.parametrize(
    ("missing", "points", "reason"),
    [
        ("zero", 0.0, ""),
        (7, 7.0, ""),
        ("exclude", 0.0, "CRITERIO_ISEE_DATO_MANCANTE"),
        ("error", 0.0, "CRITERIO_NON_CALCOLABILE"),
    ],
)
def test_bands_missing_value(missing: Any, points: float, reason: str) -> None:
    crit = {**ISEE_BANDS, "missing": missing}
    r = run({"A": {"isee": None}, "B": {"isee": "5000"}}, [crit])
    a = unit(r, "A")
    assert a["crit_isee"] == points
    assert a["exclusion_reasons"] == reason
    assert unit(r, "B")["status"] == "FINANZIATA"
    errors = r.findings[r.findings["code"] == "CRITERIO_NON_CALCOLABILE"]
    if missing == "error":
        assert errors["application_id"].tolist() == ["A"]
        assert errors["severity"].tolist() == ["BLOCCANTE"]
        assert errors["field"].tolist() == ["isee"]
    else:
        assert errors.empty


def test_flag_with_aggregate_and_missing() -> None:
    crits = [
        {
            "id": "dis",
            "type": "flag",
            "label": "Disabilità",
            "condition": "any(disability)",
            "points": 4,
        },
        {
            "id": "mono",
            "type": "flag",
            "label": "Mono",
            "condition": "single_parent",
            "points": 2.5,
            "missing": "exclude",
        },
    ]
    r = run(
        {
            "A": {"single_parent": True, "minors": [{"disability": False}, {"disability": True}]},
            "B": {"single_parent": False, "minors": [{"disability": False}]},
            "C": {"minors": [{"disability": True}]},  # single_parent missing
        },
        crits,
    )
    assert (unit(r, "A")["crit_dis"], unit(r, "A")["crit_mono"]) == (4.0, 2.5)
    assert (unit(r, "B")["crit_dis"], unit(r, "B")["crit_mono"]) == (0.0, 0.0)
    assert unit(r, "C")["exclusion_reasons"] == "CRITERIO_MONO_DATO_MANCANTE"


def test_map_ignores_case_and_uses_default() -> None:
    crit = {
        "id": "svc",
        "type": "map",
        "label": "Servizio",
        "field": "service",
        "map": {"Centro estivo": 3, "pre scuola": 1.5},
        "default": 0.5,
        "missing": "zero",
    }
    data = {
        "A": {"service": " centro ESTIVO "},
        "B": {"service": "Pre Scuola"},
        "C": {"service": "ludoteca"},
        "D": {"service": None},
    }
    # service is a minor field: map per unit needs the unit to be the minor
    r = run(data, [crit], ranking={**rules_data()["ranking"], "unit": "minor"})
    pts = r.minors.set_index("application_id")["crit_svc"]
    assert pts.to_dict() == {"A": 3.0, "B": 1.5, "C": 0.5, "D": 0.0}


def test_count_with_cap_and_missing_condition() -> None:
    crit = {
        "id": "dis",
        "type": "count",
        "label": "Disabili",
        "condition": "disability",
        "points": 10,
        "max_points": 20,
    }
    apps = {
        "A": {"minors": [{"disability": True}] * 3},  # 30 capped at 20
        "B": {"minors": [{"disability": True}, {"disability": None}]},
    }
    r = run(apps, [crit])
    assert unit(r, "A")["crit_dis"] == 20.0
    assert unit(r, "B")["crit_dis"] == 10.0  # missing: zero, not counted
    r2 = run(apps, [{**crit, "missing": "exclude"}])
    assert unit(r2, "B")["exclusion_reasons"] == "CRITERIO_DIS_DATO_MANCANTE"
    assert unit(r2, "A")["status"] == "FINANZIATA"


def test_count_only_over_eligible_minors() -> None:
    crit = {"id": "n", "type": "count", "label": "Figli", "condition": "true", "points": 2}
    data = rules_data()
    rule = next(r for r in data["eligibility"] if r["code"] == "ETA_NON_AMMESSA")
    r = run(
        {
            "A": {
                "minors": [
                    {},
                    {
                        "minor_birth_date": "2000-01-01",
                        "minor_tax_code": tax_code(555, T("2000-01-01")),
                    },
                ]
            }
        },
        [crit],
        eligibility=[rule],
    )
    assert unit(r, "A")["crit_n"] == 2.0


def test_sum_of_money_rounds_half_away_from_zero() -> None:
    crit = {
        "id": "cost",
        "type": "sum",
        "label": "Costo",
        "field": "requested_eur",
        "points": 0.01,
        "condition": "age <= 16",
    }
    # 123.45 € + 100.00 € = 223.45 € × 0.01 = 2.2345 points -> 2.235
    r = run({"A": {"minors": [{"requested_eur": "123.45"}, {"requested_eur": "100"}]}}, [crit])
    assert unit(r, "A")["crit_cost"] == 2.235
    # a missing value adds nothing with missing: zero
    r2 = run({"A": {"minors": [{"requested_eur": "10"}, {"requested_eur": None}]}}, [crit])
    assert unit(r2, "A")["crit_cost"] == 0.1


def test_points_sum_exactly() -> None:
    crits = [
        {"id": f"c{i}", "type": "flag", "label": "x", "condition": "true", "points": p}
        for i, p in enumerate(["0.1", "0.2", "0.001"])
    ]
    r = run({"A": {}}, crits)
    assert unit(r, "A")["score"] == 0.301
    assert thousandths("1.2345") == 1235 and thousandths("-0.0005") == -1


def test_unit_minor_each_minor_its_own_score() -> None:
    data = rules_data()
    ranking = {**data["ranking"], "unit": "minor"}
    crits = [
        {"id": "dis", "type": "count", "label": "Dis", "condition": "disability", "points": 10},
        {"id": "mono", "type": "flag", "label": "Mono", "condition": "single_parent", "points": 5},
    ]
    r = run(
        {"A": {"single_parent": True, "minors": [{"disability": True}, {"disability": False}]}},
        crits,
        ranking=ranking,
    )
    m = r.minors.sort_values("minor_slot")
    assert m["crit_dis"].tolist() == [10.0, 0.0]
    assert m["crit_mono"].tolist() == [5.0, 5.0]
    assert m["rank"].tolist() == [1, 2]
    assert set(r.units["unit_id"]) == set(m["row_key"])
