"""Eligibility through rank_call: rules, missing values, findings, every reason kept."""

from __future__ import annotations

from typing import Any

import pandas as pd

from conciliare_cli.demo import call_from, minors_table, rules_data
from conciliare_cli.demo import numbered_tax_code as tax_code
from conciliare_cli.engine.stages import rank_call
from conciliare_cli.findings import FINDING_COLUMNS, make_findings

T = pd.Timestamp
NO_FINDINGS = pd.DataFrame(columns=FINDING_COLUMNS)


def app(app_id: str, seed: int, minors: list[dict[str, Any]], **facts: Any) -> list[dict]:
    base = {
        "application_id": app_id,
        "submitted_at": "2017-06-10 10:00",
        "applicant_tax_code": tax_code(seed, T("1980-01-01")),
        "isee": "15000",
    }
    base.update(facts)
    return [{**base, **m} for m in minors]


def minor(seed: int, born: str = "2010-05-05", **kw: Any) -> dict[str, Any]:
    code = tax_code(seed, T(born) if born else None)
    return {"minor_tax_code": code, "minor_birth_date": born, **kw}


def run(rows: list[dict], findings: pd.DataFrame = NO_FINDINGS, **changes: Any) -> Any:
    data = rules_data()
    data.update(changes)
    return rank_call(call_from(data), minors_table(rows), findings)


def by_key(result: Any) -> pd.DataFrame:
    return result.minors.set_index("row_key")


def test_minor_excluded_inside_an_admitted_application() -> None:
    rows = app("A", 1, [minor(11), minor(12, born="2000-01-01")])
    r = run(rows).minors
    kept, old = r.iloc[0], r.iloc[1]
    assert kept["status"] == "FINANZIATA" and kept["exclusion_reasons"] == ""
    assert old["status"] == "ESCLUSA" and old["exclusion_reasons"] == "ETA_NON_AMMESSA"
    assert pd.isna(old["rank"]) and kept["rank"] == 1
    # eligible_minors counts after the minor rules: numero_figli gives 2 points, not 4
    assert r["eligible_minors"].tolist() == [1, 1]
    assert kept["crit_numero_figli"] == 2.0


def test_every_failing_rule_is_a_reason() -> None:
    rows = app(
        "A", 1, [minor(11, born="2000-01-01")], submitted_at="2017-08-10 10:00", isee="50000"
    )
    r = run(rows).minors.iloc[0]
    # application codes first (rules in YAML order), then the minor's own
    assert r["exclusion_reasons"] == (
        "FUORI_TERMINE;ISEE_OLTRE_SOGLIA;NESSUN_MINORE_AMMISSIBILE;ETA_NON_AMMESSA"
    )


def test_on_missing_admit_and_exclude() -> None:
    rows = app("A", 1, [minor(11)], isee=None) + app(
        "B",
        2,
        [minor(21, born=None)],  # type: ignore[arg-type]
    )
    r = by_key(run(rows))
    a, b = r.iloc[0], r.iloc[1]
    assert a["status"] == "FINANZIATA"  # ISEE missing: on_missing admit
    # no birth date: age unknown, ETA_NON_AMMESSA fails closed
    assert "ETA_NON_AMMESSA" in b["exclusion_reasons"]
    assert "NESSUN_MINORE_AMMISSIBILE" in b["exclusion_reasons"]


def test_invalid_tax_codes() -> None:
    bad = "RSSMRA80A01H501X"  # wrong check character
    rows = app("A", 1, [minor(11)], applicant_tax_code=bad) + app(
        "B", 2, [{"minor_tax_code": bad, "minor_birth_date": "2010-01-01"}, minor(22)]
    )
    r = run(rows).minors.set_index("application_id")
    assert set(r.loc["A", "exclusion_reasons"].split(";")) == {"CF_RICHIEDENTE_NON_VALIDO"}
    b = r.loc["B"]
    assert b["exclusion_reasons"].tolist() == ["CF_MINORE_NON_VALIDO", ""]


def test_blocking_findings_suspend_the_application_and_never_exclude() -> None:
    rows = app("A", 1, [minor(11), minor(12)]) + app("B", 2, [minor(21)]) + app("C", 3, [minor(31)])
    table = minors_table(rows)
    keys = table["row_key"].tolist()
    findings = pd.concat(
        [
            make_findings(
                "DATA_NON_LEGGIBILE",
                pd.DataFrame({"application_id": ["A"], "row_key": [keys[1]], "value": ["x"]}),
            ),
            make_findings(  # resolved (a correction on record): blocks nothing any more
                "ISEE_NEGATIVO",
                pd.DataFrame({"application_id": ["B"], "value": ["-1"]}),
                resolution="correzione, riga 2 di correzioni.xlsx",
            ),
            make_findings(  # a warning blocks nothing
                "FORMULA_NEL_FILE",
                pd.DataFrame({"application_id": ["C"], "row_key": [keys[3]], "value": ["=1"]}),
            ),
        ],
        ignore_index=True,
    )
    result = rank_call(call_from(rules_data()), table, findings)
    r = result.minors.set_index("row_key")
    # A: every minor waits, with no reason of exclusion and no rank
    assert r.loc[keys[:2], "status"].tolist() == ["DA_REGOLARIZZARE"] * 2
    assert r.loc[keys[:2], "exclusion_reasons"].tolist() == ["", ""]
    assert r.loc[keys[:2], "rank"].isna().all()
    assert (r.loc[keys[:2], "awarded_cents"] == 0).all()
    assert r.loc[keys[2], "status"] == "FINANZIATA"
    assert r.loc[keys[3], "status"] == "FINANZIATA"
    units = result.units.set_index("unit_id")
    assert units.loc["A", "status"] == "DA_REGOLARIZZARE" and pd.isna(units.loc["A", "rank"])
    assert units["rank"].dropna().tolist() == [1, 2]  # B and C are ranked, A is not


def test_a_pending_application_neither_replaces_nor_is_replaced() -> None:
    rows = app("A", 1, [minor(11)], submitted_at="2017-06-10 10:00") + app(
        "B", 1, [minor(12)], submitted_at="2017-06-20 10:00"
    )
    table = minors_table(rows)
    pending_b = make_findings("ISEE_NEGATIVO", pd.DataFrame({"application_id": ["B"]}))
    r = rank_call(call_from(rules_data()), table, pending_b).minors.set_index("application_id")
    assert r.loc["A", "status"] == "FINANZIATA"  # B, the later one, is not decided yet
    assert r.loc["B", "status"] == "DA_REGOLARIZZARE"
    r = rank_call(call_from(rules_data()), table, NO_FINDINGS).minors.set_index("application_id")
    assert r.loc["A", "exclusion_reasons"] == "DOMANDA_SOSTITUITA"


def test_missing_cost_policy() -> None:
    rows = app("A", 1, [minor(11, requested_eur=None), minor(12, requested_eur="120.50")])
    r = run(rows).minors
    assert r["requested_cents"].tolist() == [30000, 12050]  # the cap when missing
    data = rules_data()
    data["voucher"] = {"cap_eur": 300, "missing_request": "exclude"}
    r2 = rank_call(call_from(data), minors_table(rows), NO_FINDINGS).minors
    assert r2["exclusion_reasons"].tolist() == ["COSTO_MANCANTE", ""]
    assert r2["crit_numero_figli"].tolist() == [2.0, 2.0]  # counted after minor exclusions


def test_aggregates_see_only_eligible_minors() -> None:
    data = rules_data()
    data["eligibility"].append(
        {
            "code": "SERVE_DISABILITA",
            "level": "application",
            "require": "any(disability)",
            "message": "Serve un minore con disabilità.",
        }
    )
    # the only minor with a disability is too old: any() looks at eligible minors only
    rows = app("A", 1, [minor(11, born="2000-01-01", disability=True), minor(12)])
    r = rank_call(call_from(data), minors_table(rows), NO_FINDINGS).minors
    assert r["exclusion_reasons"].tolist() == [
        "SERVE_DISABILITA;ETA_NON_AMMESSA",
        "SERVE_DISABILITA",
    ]


def test_reasons_have_sentences() -> None:
    rows = app("A", 1, [minor(11)], isee="50000")
    result = run(rows)
    for text in result.minors["exclusion_reasons"]:
        for code in filter(None, text.split(";")):
            assert result.reasons[code]
    assert result.reasons["ISEE_OLTRE_SOGLIA"].startswith("L'ISEE")
    for code in (
        "DOMANDA_SOSTITUITA",
        "MINORE_IN_ALTRA_DOMANDA",
        "COSTO_MANCANTE",
        "CRITERIO_NON_CALCOLABILE",
        "CRITERIO_ISEE_DATO_MANCANTE",
        "CF_NON_VALIDO",
    ):
        assert result.reasons[code]
