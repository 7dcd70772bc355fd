"""validate_table on small hand-made canonical tables: one test (or more) per check."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from codicefiscale import codicefiscale as cfgen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from stdnum.it import codicefiscale as stdcf

from conciliare_cli.config import LoadedCall
from conciliare_cli.config.models import CallConfig
from conciliare_cli.fields import CANONICAL_FIELDS, Kind
from conciliare_cli.findings import CATALOGUE, FINDING_COLUMNS, make_findings
from conciliare_cli.validate import fill_birth_dates, merge_findings, validate_table

RULES = Path(__file__).resolve().parent.parent / "rules" / "conciliare-2017.yaml"

PARTNERS: list[dict[str, Any]] = [
    {
        "id": "ASST",
        "name": "ASST di Crema",
        "files": "partner/asst*.csv",
        "columns": {
            "application_id": "Protocollo",
            "submitted_at": ["Data", "Ora"],
            "applicant_tax_code": "Codice fiscale",
            "isee": "ISEE",
            "single_parent": "Monogenitore",
            "minor_tax_code": "CF minore",
            "minor_birth_date": "Data nascita",
            "requested_eur": "Costo",
        },
    },
    {
        "id": "COMUNE",
        "name": "Comune di Crema",
        "files": "partner/comune*.xlsx",
        "columns": {
            "submitted_at": "Inviata il",
            "applicant_tax_code": "CF genitore",
            "isee": "ISEE",
            "minor_tax_code": "CF figlio {n}",
            "minor_birth_date": "Nato il {n}",
        },
    },
]

FILES = {"ASST": "partner/asst.csv", "COMUNE": "partner/comune.xlsx"}
SHEETS = {"ASST": "", "COMUNE": "Domande"}


@functools.cache
def make_call() -> LoadedCall:
    data = YAML(typ="safe").load(RULES.read_text(encoding="utf-8"))
    data["partners"] = PARTNERS
    config = CallConfig.model_validate(data)
    return LoadedCall(
        config=config, folder=RULES.parent, path=RULES, rules_sha256="0" * 64, lines={}
    )


@functools.cache
def cf(surname: str, name: str, born: str, gender: str = "M") -> str:
    """A valid codice fiscale (born as dd/mm/yyyy)."""
    return cfgen.encode(
        lastname=surname, firstname=name, gender=gender, birthdate=born, birthplace="Crema"
    )


PARENT = cf("Rossi", "Paolo", "01/02/1980")
PARENT2 = cf("Bianchi", "Laura", "03/04/1982", "F")
CHILD = cf("Rossi", "Marco", "15/03/2012")
CHILD2 = cf("Rossi", "Giulia", "20/07/2014", "F")
CHILD3 = cf("Bianchi", "Luca", "05/05/2009")

_DTYPES = {
    Kind.TEXT: "string",
    Kind.TAX_CODE: "string",
    Kind.DATE: "datetime64[ns]",
    Kind.DATETIME: "datetime64[ns]",
    Kind.MONEY: "Int64",
    Kind.NUMBER: "Float64",
    Kind.INTEGER: "Int64",
    Kind.BOOL: "boolean",
}


def minor(**kw: Any) -> dict[str, Any]:
    """A valid minor row of ASST (per-minor layout); keywords override."""
    row: dict[str, Any] = {
        "partner_id": "ASST",
        "application_id": "ASST-1",
        "submitted_at": pd.Timestamp("2017-06-15 10:30"),
        "applicant_tax_code": PARENT,
        "isee": 1_200_000,
        "minor_tax_code": CHILD,
        "minor_birth_date": pd.Timestamp("2012-03-15"),
        "requested_eur": 30_000,
        "minor_slot": 1,
    }
    row.update(kw)
    return row


def table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The canonical table as the reader makes it (dtypes, provenance, row keys)."""
    out: dict[str, Any] = {}
    for name, f in CANONICAL_FIELDS.items():
        out[name] = pd.Series([r.get(name) for r in rows], dtype=_DTYPES[f.kind])
    out["partner_id"] = pd.Series([r["partner_id"] for r in rows], dtype="string")
    out["source_file"] = pd.Series(
        [r.get("source_file", FILES[r["partner_id"]]) for r in rows], dtype="string"
    )
    out["source_sheet"] = pd.Series(
        [r.get("source_sheet", SHEETS[r["partner_id"]]) for r in rows], dtype="string"
    )
    out["source_row"] = pd.Series(
        [r.get("source_row", i + 2) for i, r in enumerate(rows)], dtype="Int64"
    )
    out["minor_slot"] = pd.Series([r.get("minor_slot", 1) for r in rows], dtype="Int64")
    out["row_key"] = pd.Series(
        [
            f"{r['application_id']}/{r.get('minor_tax_code') or '#' + str(i)}"
            for i, r in enumerate(rows)
        ],
        dtype="string",
    )
    return pd.DataFrame(out)


def run(rows: list[dict[str, Any]]) -> pd.DataFrame:
    found = validate_table(make_call(), table(rows))
    assert list(found.columns) == FINDING_COLUMNS
    assert set(found["code"]) <= set(CATALOGUE)
    return found


def codes(found: pd.DataFrame) -> list[str]:
    return sorted(found["code"])


def only(found: pd.DataFrame, code: str) -> pd.DataFrame:
    return found[found["code"] == code].reset_index(drop=True)


def with_check(first15: str) -> str:
    return first15 + stdcf.calc_check_digit(first15)


# ---------------------------------------------------------------- clean input


def test_clean_table_has_no_findings():
    rows = [
        minor(),
        minor(minor_tax_code=CHILD2, minor_birth_date=pd.Timestamp("2014-07-20")),
        minor(
            partner_id="COMUNE",
            application_id="COMUNE-9",
            applicant_tax_code=PARENT2,
            minor_tax_code=CHILD3,
            minor_birth_date=pd.Timestamp("2009-05-05"),
            source_row=7,
        ),
    ]
    assert codes(run(rows)) == []


def test_empty_table():
    found = validate_table(make_call(), table([]))
    assert len(found) == 0 and list(found.columns) == FINDING_COLUMNS


def test_input_table_is_not_modified():
    minors = table([minor(minor_birth_date=None, isee=-5)])
    before = minors.copy()
    validate_table(make_call(), minors)
    fill_birth_dates(make_call(), minors)
    pd.testing.assert_frame_equal(minors, before)


# ---------------------------------------------------------------- required fields


def test_required_fields_missing_point_at_the_partner_columns():
    found = run(
        [
            minor(submitted_at=None, source_row=4),
            minor(
                application_id="ASST-2",
                applicant_tax_code=PARENT2,
                minor_tax_code="   ",
                source_row=5,
            ),
        ]
    )
    missing = only(found, "CAMPO_OBBLIGATORIO_MANCANTE")
    got = {(r.field, r.column, r.source_row, r.scope) for r in missing.itertuples()}
    assert got == {
        ("submitted_at", "Data + Ora", 4, "application"),
        ("minor_tax_code", "CF minore", 5, "minor"),
    }
    row = missing[missing["field"] == "submitted_at"].iloc[0]
    assert row["partner_id"] == "ASST" and row["source_file"] == "partner/asst.csv"
    assert row["application_id"] == "ASST-1" and row["severity"] == "BLOCCANTE"
    assert "Data e ora di presentazione" in row["message"]


def test_per_application_layout_numbered_column_and_one_finding_per_file_row():
    found = run(
        [
            minor(
                partner_id="COMUNE",
                application_id="COMUNE-1",
                applicant_tax_code="XX",
                minor_tax_code=CHILD,
                minor_slot=1,
                source_row=3,
            ),
            minor(
                partner_id="COMUNE",
                application_id="COMUNE-1",
                applicant_tax_code="XX",
                minor_tax_code=None,
                minor_slot=2,
                source_row=3,
                minor_birth_date=pd.Timestamp("2014-07-20"),
            ),
        ]
    )
    assert codes(found) == ["CAMPO_OBBLIGATORIO_MANCANTE", "CF_NON_VALIDO"]
    missing = only(found, "CAMPO_OBBLIGATORIO_MANCANTE").iloc[0]
    assert missing["column"] == "CF figlio 2" and missing["source_sheet"] == "Domande"
    bad = only(found, "CF_NON_VALIDO").iloc[0]
    assert bad["column"] == "CF genitore" and bad["scope"] == "application"
    assert bad["value"] == "XX" and bad["source_row"] == 3


# ---------------------------------------------------------------- tax codes


def test_wrong_check_character_on_minor_and_applicant():
    wrong_child = CHILD[:-1] + ("A" if CHILD[-1] != "A" else "B")
    wrong_parent = PARENT[:-1] + ("Z" if PARENT[-1] != "Z" else "Y")
    found = run([minor(minor_tax_code=wrong_child, applicant_tax_code=wrong_parent)])
    bad = only(found, "CF_NON_VALIDO")
    assert sorted(bad["field"]) == ["applicant_tax_code", "minor_tax_code"]
    assert set(bad["value"]) == {wrong_child, wrong_parent}
    assert all("controllo" in m for m in bad["message"])
    assert dict(zip(bad["field"], bad["scope"], strict=True)) == {
        "applicant_tax_code": "application",
        "minor_tax_code": "minor",
    }


def test_wrong_length_and_company_number():
    found = run(
        [
            minor(minor_tax_code=CHILD[:15]),
            minor(
                application_id="ASST-2",
                applicant_tax_code="00743110157",
                minor_tax_code=CHILD2,
                minor_birth_date=pd.Timestamp("2014-07-20"),
            ),
        ]
    )
    bad = only(found, "CF_NON_VALIDO")
    assert len(bad) == 2
    assert any("lunghezza" in m for m in bad["message"])
    assert any("11 cifre" in m for m in bad["message"])


def test_omocodia_is_valid():
    anna = cf("Rossi", "Anna", "15/03/2012", "F")
    omocode = cfgen.decode(anna)["omocodes"][2]
    fully = with_check(anna[:6] + "MNC" + "RR" + anna[11:15])  # 12 -> MN, 55 -> RR
    found = run(
        [
            minor(minor_tax_code=omocode),
            minor(
                minor_tax_code=fully,
                source_row=9,
                application_id="ASST-2",
                applicant_tax_code=PARENT2,
            ),
        ]
    )
    assert codes(found) == []


def test_lowercase_code_with_spaces_normalised_by_the_reader_is_valid():
    raw = " " + CHILD.lower()[:8] + " " + CHILD.lower()[8:] + " "
    normalised = raw.upper().replace(" ", "")  # what the reader hands over
    assert codes(run([minor(minor_tax_code=normalised)])) == []
    # the raw text would not pass: the check does not hide a missing normalisation
    assert codes(run([minor(minor_tax_code=raw)])) == ["CF_NON_VALIDO"]


# ---------------------------------------------------------------- birth date and CF


def test_birth_date_differs_from_cf():
    found = run([minor(minor_birth_date=pd.Timestamp("2012-03-16"))])
    assert codes(found) == ["CF_DATA_NASCITA_DIVERSA"]
    f = found.iloc[0]
    assert f["column"] == "Data nascita" and f["value"] == "16/03/2012"
    assert "15/03/2012" in f["message"] and f["severity"] == "AVVISO"


def test_birth_date_compares_day_month_and_two_digit_year_only():
    rows = [
        # the century is not in the CF: 1912 is not a mismatch (the age rule decides)
        minor(minor_birth_date=pd.Timestamp("1912-03-15")),
        # a woman's day (+40), omocode digits
        minor(
            application_id="ASST-2",
            applicant_tax_code=PARENT2,
            minor_tax_code=cfgen.decode(cf("Neri", "Sara", "20/07/2014", "F"))["omocodes"][3],
            minor_birth_date=pd.Timestamp("2014-07-20"),
        ),
        minor(
            application_id="ASST-3",
            applicant_tax_code=cf("Verdi", "Ugo", "1/1/1970"),
            minor_tax_code=CHILD2,
            minor_birth_date=pd.Timestamp("2014-08-20"),
        ),
        minor(
            application_id="ASST-4",
            applicant_tax_code=cf("Gialli", "Ada", "1/1/1975", "F"),
            minor_tax_code=CHILD3,
            minor_birth_date=pd.Timestamp("2008-05-05"),
        ),
    ]
    found = run(rows)
    mism = only(found, "CF_DATA_NASCITA_DIVERSA")
    assert sorted(mism["application_id"]) == ["ASST-3", "ASST-4"]
    assert codes(found) == ["CF_DATA_NASCITA_DIVERSA"] * 2


def test_no_mismatch_reported_for_an_invalid_code():
    found = run(
        [minor(minor_tax_code=CHILD[:-1] + "0", minor_birth_date=pd.Timestamp("2001-01-01"))]
    )
    assert codes(found) == ["CF_NON_VALIDO"]


def test_fill_birth_dates_from_cf():
    late = with_check("RSSMRA17P15D142")  # 15/09/17: after the reference date 2017-09-01
    minors = table(
        [
            minor(minor_birth_date=None),
            minor(application_id="ASST-2", minor_tax_code=late, minor_birth_date=None),
            minor(
                application_id="ASST-3",
                minor_tax_code=CHILD2,
                minor_birth_date=pd.Timestamp("2014-08-20"),
            ),
            minor(application_id="ASST-4", minor_tax_code="NONVALIDO", minor_birth_date=None),
        ]
    )
    filled, n = fill_birth_dates(make_call(), minors)
    assert n == 2
    assert filled["minor_birth_date"].dtype == "datetime64[ns]"
    got = filled["minor_birth_date"]
    assert list(got.iloc[:3]) == [
        pd.Timestamp("2012-03-15"),
        pd.Timestamp("1917-09-15"),
        pd.Timestamp("2014-08-20"),  # declared: kept even if the CF says otherwise
    ]
    assert pd.isna(filled["minor_birth_date"].iloc[3])


def test_fill_birth_dates_when_the_column_is_not_in_the_table():
    minors = table([minor()]).drop(columns=["minor_birth_date"])
    filled, n = fill_birth_dates(make_call(), minors)
    assert n == 1 and filled["minor_birth_date"].iloc[0] == pd.Timestamp("2012-03-15")


# ---------------------------------------------------------------- impossible values


def test_negative_isee_and_amount():
    found = run([minor(isee=-100, requested_eur=-12_345)])
    assert codes(found) == ["IMPORTO_NEGATIVO", "ISEE_NEGATIVO"]
    isee = only(found, "ISEE_NEGATIVO").iloc[0]
    assert isee["scope"] == "application" and isee["column"] == "ISEE"
    assert isee["value"] == "-1,00\xa0€"
    amount = only(found, "IMPORTO_NEGATIVO").iloc[0]
    assert amount["value"] == "-123,45\xa0€" and amount["column"] == "Costo"


def test_zero_is_not_negative():
    assert codes(run([minor(isee=0, requested_eur=0)])) == []


def test_birth_after_reference_date():
    future = with_check("RSSMRA17R01D142")  # 01/10/2017, reference date 2017-09-01
    found = run([minor(minor_tax_code=future, minor_birth_date=pd.Timestamp("2017-10-01"))])
    assert codes(found) == ["NASCITA_FUTURA"]
    assert only(found, "NASCITA_FUTURA").iloc[0]["value"] == "01/10/2017"


@pytest.mark.parametrize(
    "when, implausible",
    [
        ("2017-06-15 10:00", False),  # in the window
        ("2017-09-15 10:00", False),  # late but plausible: FUORI_TERMINE decides
        ("2016-06-02 09:00", False),  # 364 days early
        ("2016-05-31 09:00", True),  # more than a year early
        ("2018-08-01 12:00", True),  # more than a year after closing
        ("1999-12-31 23:59", True),
        ("1900-01-01 00:00", True),
    ],
)
def test_implausible_submission_date(when, implausible):
    found = run([minor(submitted_at=pd.Timestamp(when))])
    assert codes(found) == (["DATA_PRESENTAZIONE_IMPLAUSIBILE"] if implausible else [])
    if implausible:
        f = found.iloc[0]
        assert f["scope"] == "application" and f["column"] == "Data + Ora"


# ---------------------------------------------------------------- duplicates


def test_same_minor_in_two_applications_of_two_partners():
    found = run(
        [
            minor(source_row=2),
            minor(
                partner_id="COMUNE",
                application_id="COMUNE-5",
                applicant_tax_code=PARENT2,
                source_row=6,
                minor_slot=2,
            ),
        ]
    )
    assert codes(found) == ["MINORE_IN_PIU_DOMANDE"] * 2
    by_app = {r.application_id: r for r in found.itertuples()}
    assert "COMUNE-5" in by_app["ASST-1"].message and "Comune di Crema" in by_app["ASST-1"].message
    assert "ASST-1" in by_app["COMUNE-5"].message and "ASST di Crema" in by_app["COMUNE-5"].message
    assert by_app["COMUNE-5"].column == "CF figlio 2"
    assert {r.severity for r in found.itertuples()} == {"AVVISO"}


def test_same_minor_in_three_applications_names_both_others():
    rows = [
        minor(),
        minor(application_id="ASST-2", applicant_tax_code=PARENT2),
        minor(application_id="ASST-3", applicant_tax_code=cf("Verdi", "Ugo", "1/1/1970")),
    ]
    found = only(run(rows), "MINORE_IN_PIU_DOMANDE")
    assert len(found) == 3
    first = found[found["application_id"] == "ASST-1"].iloc[0]["message"]
    assert "ASST-2" in first and "ASST-3" in first and "ASST-1" not in first


def test_same_minor_twice_in_one_application():
    found = run(
        [
            minor(source_row=8),
            minor(source_row=3),
            minor(minor_tax_code=CHILD2, minor_birth_date=pd.Timestamp("2014-07-20"), source_row=5),
        ]
    )
    assert codes(found) == ["MINORE_RIPETUTO_IN_DOMANDA"]
    f = found.iloc[0]
    assert f["source_row"] == 8 and f["severity"] == "BLOCCANTE"  # the repeat, not the first
    assert "riga 3" in f["message"]


def test_same_applicant_in_two_applications():
    rows = [
        minor(application_id="ASST-1"),
        minor(
            application_id="ASST-1",
            minor_tax_code=CHILD2,
            minor_birth_date=pd.Timestamp("2014-07-20"),
        ),
        minor(
            partner_id="COMUNE",
            application_id="COMUNE-2",
            minor_tax_code=CHILD3,
            minor_birth_date=pd.Timestamp("2009-05-05"),
            submitted_at=pd.Timestamp("2017-07-01 08:15"),
        ),
    ]
    found = run(rows)
    assert codes(found) == ["RICHIEDENTE_DUPLICATO"] * 2
    by_app = {r.application_id: r.message for r in found.itertuples()}
    assert "COMUNE-2" in by_app["ASST-1"] and "01/07/2017 08:15" in by_app["ASST-1"]
    assert "ASST-1" in by_app["COMUNE-2"]
    assert set(found["scope"]) == {"application"}


def test_incoherent_application_rows():
    rows = [
        minor(source_row=2),
        minor(
            source_row=3,
            isee=1_500_000,
            single_parent=True,
            minor_tax_code=CHILD2,
            minor_birth_date=pd.Timestamp("2014-07-20"),
        ),
        minor(
            source_row=4,
            isee=None,
            minor_tax_code=CHILD3,
            minor_birth_date=pd.Timestamp("2009-05-05"),
        ),  # blank: not a contradiction
    ]
    found = run(rows)
    assert codes(found) == ["DOMANDA_INCOERENTE"]
    f = found.iloc[0]
    assert f["field"] == "isee" and f["column"] == "ISEE" and f["source_row"] == 2
    assert "12.000,00" in f["message"] and "15.000,00" in f["message"]
    assert "riga 3" in f["message"]


def test_incoherent_application_on_two_fields():
    rows = [
        minor(single_parent=False),
        minor(
            source_row=3,
            applicant_tax_code=PARENT2,
            single_parent=True,
            minor_tax_code=CHILD2,
            minor_birth_date=pd.Timestamp("2014-07-20"),
        ),
    ]
    found = only(run(rows), "DOMANDA_INCOERENTE")
    assert sorted(found["field"]) == ["applicant_tax_code", "single_parent"]


# ---------------------------------------------------------------- whole-table properties


def _messy_rows() -> list[dict[str, Any]]:
    return [
        minor(source_row=2),
        minor(source_row=3, isee=-1),
        minor(
            source_row=4,
            application_id="ASST-2",
            applicant_tax_code=PARENT2,
            minor_tax_code=CHILD2,
            minor_birth_date=pd.Timestamp("2014-07-21"),
        ),
        minor(
            source_row=5,
            application_id="ASST-2",
            applicant_tax_code=PARENT2,
            minor_tax_code=CHILD2,
            minor_birth_date=pd.Timestamp("2014-07-20"),
        ),
        minor(
            partner_id="COMUNE",
            application_id="COMUNE-1",
            source_row=3,
            minor_slot=1,
            submitted_at=pd.Timestamp("1990-01-01"),
        ),
        minor(
            partner_id="COMUNE",
            application_id="COMUNE-1",
            source_row=3,
            minor_slot=2,
            minor_tax_code=None,
            submitted_at=pd.Timestamp("1990-01-01"),
        ),
        minor(
            partner_id="COMUNE",
            application_id="COMUNE-2",
            source_row=4,
            applicant_tax_code="BAD",
            minor_tax_code=CHILD3,
            requested_eur=-1,
            minor_birth_date=pd.Timestamp("2019-01-01"),
        ),
    ]


def test_every_check_fires_on_a_messy_table():
    found = run(_messy_rows())
    assert set(found["code"]) == {
        "CAMPO_OBBLIGATORIO_MANCANTE",
        "CF_NON_VALIDO",
        "CF_DATA_NASCITA_DIVERSA",
        "ISEE_NEGATIVO",
        "IMPORTO_NEGATIVO",
        "NASCITA_FUTURA",
        "DATA_PRESENTAZIONE_IMPLAUSIBILE",
        "MINORE_IN_PIU_DOMANDE",
        "MINORE_RIPETUTO_IN_DOMANDA",
        "RICHIEDENTE_DUPLICATO",
        "DOMANDA_INCOERENTE",
    }
    keys = found[["partner_id", "source_file", "source_sheet", "source_row"]]
    assert keys.notna().all().all()
    assert found["message"].str.len().gt(0).all()


@functools.cache
def _messy_findings() -> pd.DataFrame:
    return validate_table(make_call(), table(_messy_rows()))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(range(7)))
def test_findings_do_not_depend_on_row_order(order):
    minors = table(_messy_rows())
    expected = _messy_findings()
    assert len(minors) == 7
    shuffled = minors.iloc[list(order)].reset_index(drop=True)
    pd.testing.assert_frame_equal(validate_table(make_call(), shuffled), expected)


# ---------------------------------------------------------------- merging with the reader


def test_missing_finding_dropped_when_reader_reported_the_cell():
    minors = table([minor(submitted_at=None, source_row=4)])
    checks = validate_table(make_call(), minors)
    assert codes(checks) == ["CAMPO_OBBLIGATORIO_MANCANTE"]
    reader = make_findings(
        "DATA_NON_LEGGIBILE",
        pd.DataFrame(
            {
                "partner_id": ["ASST"],
                "source_file": ["partner/asst.csv"],
                "source_sheet": [""],
                "source_row": [4],
                "column": ["Data + Ora"],
                "field": ["submitted_at"],
                "value": ["31/02/2017"],
                "application_id": ["ASST-1"],
                "row_key": [f"ASST-1/{CHILD}"],
            }
        ),
    )
    unused = make_findings(
        "COLONNA_NON_USATA",
        pd.DataFrame(
            {
                "partner_id": ["ASST"],
                "source_file": ["partner/asst.csv"],
                "source_sheet": [""],
                "column": ["Note"],
            }
        ),
    )
    merged = merge_findings(pd.concat([unused, reader], ignore_index=True), checks)
    # one order for every output (findings.sort_findings): a finding without a row comes last
    assert list(merged["code"]) == ["DATA_NON_LEGGIBILE", "COLONNA_NON_USATA"]
    other_row = make_findings("DATA_NON_LEGGIBILE", reader.assign(source_row=9))
    merged = merge_findings(other_row, checks)
    assert sorted(merged["code"]) == ["CAMPO_OBBLIGATORIO_MANCANTE", "DATA_NON_LEGGIBILE"]
    assert list(merged["source_row"]) == [4, 9]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.dates(
            min_value=pd.Timestamp("1920-01-01").date(), max_value=pd.Timestamp("2019-12-31").date()
        ),
        min_size=1,
        max_size=20,
    )
)
def test_filled_birth_date_is_the_latest_century_not_after_the_reference(dates):
    from conciliare_cli import taxcode

    ref = make_call().config.call.reference_date
    codes = [
        with_check(f"RSSMRA{d.year % 100:02d}{'ABCDEHLMPRST'[d.month - 1]}{d.day:02d}D142")
        for d in dates
    ]
    minors = table([minor(minor_tax_code=c, minor_birth_date=None) for c in codes])
    filled, n = fill_birth_dates(make_call(), minors)
    assert n == len(dates)
    for code, got in zip(codes, filled["minor_birth_date"], strict=True):
        expected = taxcode.birth_date_not_after(taxcode.birth_parts(code), ref)
        assert got.date() == expected and got.date() <= ref


# ---------------------------------------------------------------- a date without a time


def test_date_without_time_blocks_only_on_the_days_the_hour_decides():
    rows = [
        minor(submitted_at=pd.Timestamp("2017-07-31")),  # closing day: before or after 12:00?
        minor(
            application_id="ASST-2",
            source_row=3,
            applicant_tax_code=PARENT2,
            minor_tax_code=CHILD2,
            minor_birth_date=pd.Timestamp("2014-07-20"),
            submitted_at=pd.Timestamp("2017-07-10"),  # any hour of that day is in time
        ),
    ]
    found = only(run(rows), "DATA_SENZA_ORA")
    assert list(found["source_row"]) == [2, 3]
    assert list(found["severity"]) == ["BLOCCANTE", "AVVISO"]
    assert "31/07/2017" in found.iloc[0]["message"]
    assert "12:00" in found.iloc[0]["message"]  # the window's time of day is named


def test_a_date_with_its_time_is_no_finding():
    assert only(run([minor(submitted_at=pd.Timestamp("2017-07-31 11:59"))]), "DATA_SENZA_ORA").empty
