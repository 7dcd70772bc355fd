"""Lists kept in other files (`lists:`, read/lists.py) used in conditions by name, and pasted
lists of any length."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from conciliare_cli.demo import call_from, minors_table, numbered_tax_code, rules_data
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.engine.phrasing import condition_words
from conciliare_cli.engine.stages import rank_call
from conciliare_cli.errors import ConfigError, UserError
from conciliare_cli.read.lists import normalise

CODES = [numbered_tax_code(i, pd.Timestamp("1980-01-01")) for i in range(1, 7)]


def write_csv(folder: Path, rel: str, lines: list[str]) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def applications() -> list[dict[str, Any]]:
    return [
        {
            "application_id": f"A{i}",
            "submitted_at": "2017-06-10 10:00",
            "applicant_tax_code": code,
            "isee": 12000,
            "minor_tax_code": numbered_tax_code(100 + i, pd.Timestamp("2010-01-01")),
            "minor_birth_date": "2010-01-01",
        }
        for i, code in enumerate(CODES)
    ]


def with_list(folder: Path, rule: str, **spec: Any) -> dict[str, Any]:
    data = rules_data()
    data["lists"] = [
        {
            "name": "beneficiari_2016",
            "description": "Beneficiari del bando 2016",
            "file": "allegati/beneficiari_2016.csv",
            "column": "Codice fiscale",
            "normalise": "tax_code",
            **spec,
        }
    ]
    data["eligibility"].append(
        {
            "code": "GIA_BENEFICIARIO",
            "level": "application",
            "require": rule,
            "message": "Il richiedente ha già ricevuto il voucher nel 2016.",
        }
    )
    return data


def test_a_list_from_a_csv_excludes_who_is_in_it(tmp_path: Path) -> None:
    # written by hand: lower case, spaces inside, a title row above the header, an empty cell
    write_csv(
        tmp_path,
        "allegati/beneficiari_2016.csv",
        [
            "Elenco beneficiari 2016;",
            "Cognome;Codice fiscale",
            f"Rossi;{CODES[0].lower()}",
            f"Bianchi; {CODES[2][:6]} {CODES[2][6:]} ",
            "Verdi;",
        ],
    )
    rules = compile_rules(
        call_from(with_list(tmp_path, "applicant_tax_code not in beneficiari_2016"), tmp_path)
    )
    named = rules.lists["beneficiari_2016"]
    assert named.values == {CODES[0], CODES[2]} and named.rows == 2
    assert named.file == "allegati/beneficiari_2016.csv"
    r = rank_call(rules, minors_table(applications()), pd.DataFrame())
    reasons = r.units.set_index("application_id").sort_index()["exclusion_reasons"]
    assert list(reasons) == ["GIA_BENEFICIARIO", "", "GIA_BENEFICIARIO", "", "", ""]


def test_a_list_from_a_spreadsheet_in_a_flag_criterion(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Note"
    ws2 = wb.create_sheet("Elenco")
    ws2.append(["Enti accreditati 2017"])
    ws2.append([])
    ws2.append(["Servizio", "Ente"])
    ws2.append(["Centro estivo Arcobaleno", "Coop"])
    ws2.append(["  pre-scuola   Rodari ", "Comune"])
    (tmp_path / "allegati").mkdir()
    wb.save(tmp_path / "allegati" / "accreditati.xlsx")
    data = rules_data()
    data["lists"] = [
        {
            "name": "accreditati",
            "description": "Servizi accreditati",
            "file": "allegati/accreditati.xlsx",
            "column": "Servizio",
        }
    ]
    data["criteria"].append(
        {
            "id": "accreditato",
            "type": "flag",
            "label": "Servizio accreditato",
            "condition": "any(service in accreditati)",
            "points": 7,
        }
    )
    rows = applications()[:3]
    rows[0]["service"] = "PRE-SCUOLA RODARI"
    rows[1]["service"] = "centro estivo arcobaleno"
    rows[2]["service"] = "ludoteca"
    rules = compile_rules(call_from(data, tmp_path))
    r = rank_call(rules, minors_table(rows), pd.DataFrame())
    assert list(r.units.sort_values("application_id")["crit_accreditato"]) == [7.0, 7.0, 0.0]

    # the rule said in words, as the Criteri sheet and explain show it: the list by its
    # description, never its name or an internal word
    said = condition_words(rules.criteria[-1].expressions["condition"], rules.fields)
    assert said == (
        "almeno un minore con Servizio richiesto: presente nell'elenco “Servizi accreditati”"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("applicant_tax_code not in beneficiari_2061", "forse l'elenco 'beneficiari_2016'"),
        ("beneficiari_2016", "è un elenco: si usa dopo 'in'"),
        ("isee in beneficiari_2016", "un elenco contiene testi"),
    ],
)
def test_misuse_of_a_list_is_reported_with_the_line(
    tmp_path: Path, rule: str, message: str
) -> None:
    write_csv(tmp_path, "allegati/beneficiari_2016.csv", ["Codice fiscale", CODES[0]])
    with pytest.raises(ConfigError) as err:
        compile_rules(call_from(with_list(tmp_path, rule), tmp_path))
    assert message in err.value.render()


@pytest.mark.parametrize(
    ("spec", "write", "message"),
    [
        ({}, False, "non trovo il file 'allegati/beneficiari_2016.csv'"),
        ({"column": "CF"}, True, "manca la colonna 'CF' dell'elenco 'beneficiari_2016'"),
        ({"file": "../fuori.csv"}, False, "deve stare nella cartella del bando"),
    ],
)
def test_a_list_that_cannot_be_read_is_a_clear_error(
    tmp_path: Path, spec: dict[str, Any], write: bool, message: str
) -> None:
    if write:
        write_csv(tmp_path, "allegati/beneficiari_2016.csv", ["Codice fiscale", CODES[0]])
    data = with_list(tmp_path, "applicant_tax_code not in beneficiari_2016", **spec)
    with pytest.raises(UserError) as err:
        compile_rules(call_from(data, tmp_path))
    assert message in err.value.render()


def test_a_list_name_cannot_be_a_field(tmp_path: Path) -> None:
    write_csv(tmp_path, "x.csv", ["Codice fiscale", CODES[0]])
    data = with_list(tmp_path, "true", name="isee", file="x.csv")
    with pytest.raises(ConfigError) as err:
        compile_rules(call_from(data, tmp_path))
    assert "il nome 'isee' è già usato" in err.value.render()


def test_a_pasted_list_has_no_length_limit() -> None:
    many = [numbered_tax_code(i, pd.Timestamp("1975-05-05")) for i in range(1, 2001)]
    data = rules_data()
    data["eligibility"].append(
        {
            "code": "ESCLUSO",
            "level": "application",
            "require": f"applicant_tax_code not in {[*many, CODES[1]]!r}",
            "message": "Escluso.",
        }
    )
    assert len(data["eligibility"][-1]["require"]) > 30_000
    r = rank_call(compile_rules(call_from(data)), minors_table(applications()), pd.DataFrame())
    reasons = r.units.set_index("application_id").sort_index()["exclusion_reasons"]
    assert list(reasons) == ["", "ESCLUSO", "", "", "", ""]


@given(
    code=st.sampled_from(CODES),
    spaces=st.lists(st.sampled_from([" ", "  ", "\t", "\u00a0"]), min_size=0, max_size=3),
    lower=st.booleans(),
)
def test_tax_codes_are_normalised_whatever_the_spacing_and_case(code, spaces, lower) -> None:
    text = code.lower() if lower else code
    for i, sp in enumerate(spaces):
        cut = 3 + 4 * i
        text = text[:cut] + sp + text[cut:]
    got = normalise(pd.Series([f" {text} "]), "tax_code").iloc[0]
    assert got == code


@given(
    words=st.lists(
        st.text(
            st.sampled_from("abcdefghilmnopqrstuvzàèéìòùABCZ0123456789"), min_size=1, max_size=6
        ),
        min_size=1,
        max_size=4,
    )
)
def test_texts_are_normalised_ignoring_case_and_spaces(words: list[str]) -> None:
    a = normalise(pd.Series(["  " + "   ".join(words) + " "]), "text").iloc[0]
    b = normalise(pd.Series([" ".join(w.upper() for w in words)]), "text").iloc[0]
    assert a == b
