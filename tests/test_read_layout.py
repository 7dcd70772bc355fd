"""Layouts and the shape of partner files: header row, sheets, empty and totals rows, extra
columns, one row per minor or per application, combined columns, ids and keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_read_support import (
    BASIC_COLUMNS,
    BASIC_HEADER,
    make_call,
    partner,
    write_csv,
    write_xlsx,
)

from conciliare_cli.fields import CANONICAL_FIELDS, PROVENANCE, ROW_KEY
from conciliare_cli.findings import FINDING_COLUMNS
from conciliare_cli.read import empty_table, read_call

D = dt.datetime


def row(
    proto,
    cf,
    minor,
    *,
    when=D(2017, 7, 1, 10, 0),
    isee=10000,
    born=D(2012, 5, 1),
    dis="NO",
    cost=300,
):
    return [proto, when, cf, isee, minor, born, dis, cost]


APPS = [
    row(1, "RSSMRA80A01H501U", "RSSLCU10A01D142Y"),
    row(1, "RSSMRA80A01H501U", "RSSANN12C41D142Z"),
    row(2, "BNCLCU80A01D142X", "BNCMRC11B02D142K", dis="SI"),
]


def codes(result, *cols: str) -> list[tuple]:
    return result.findings[["code", *cols]].to_records(index=False).tolist()


# ------------------------------------------------------------------ header and sheets


def test_header_on_row_3_under_a_merged_title(tmp_path: Path) -> None:
    write_xlsx(
        tmp_path / "c/partner/a.xlsx",
        {"Domande": [["Elenco domande 2017"], ["Ente: ASST di Crema"], BASIC_HEADER, *APPS]},
        merges={"Domande": ["A1:H1", "A2:D2"]},
    )
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert result.minors["source_row"].tolist() == [4, 5, 6]
    assert result.findings.empty


def test_source_row_is_the_excel_row_when_the_sheet_starts_lower_and_to_the_right(
    tmp_path: Path,
) -> None:
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"Dati": [BASIC_HEADER, *APPS]}, origin=(7, 3))
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert result.minors["source_row"].tolist() == [8, 9, 10]
    assert result.minors["minor_tax_code"].tolist() == [a[4] for a in APPS]


def test_data_sheet_not_first_and_sheet_by_name(tmp_path: Path) -> None:
    sheets = {
        "Istruzioni": [["Compilare una riga per figlio"], ["Protocollo", "una nota"]],
        "Vecchie": [["Protocollo", "Data domanda"], [99, D(2016, 1, 1)]],
        "Domande": [BASIC_HEADER, *APPS],
        "Copia": [BASIC_HEADER, APPS[0]],
    }
    write_xlsx(tmp_path / "c/partner/a.xlsx", sheets)
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert set(result.minors["source_sheet"]) == {"Domande"}  # first sheet that matches
    result = read_call(make_call(tmp_path / "c", [partner(sheet="Copia")]))
    assert result.minors["source_sheet"].tolist() == ["Copia"]


def test_header_row_given_in_yaml(tmp_path: Path) -> None:
    # row 1 looks like a header too (same names); header_row says which one is
    rows = [["Protocollo", "Codice fiscale"], ["x", "y"], BASIC_HEADER, *APPS]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner(header_row=3)]))
    assert result.minors["source_row"].tolist() == [4, 5, 6]


def test_headers_compared_loosely(tmp_path: Path) -> None:
    header = [
        "  PROTOCOLLO ",
        "data\u00a0domanda",
        "Codice\nfiscale",
        "isee",
        "CF  minore",
        "Nato il",
        "DISABILITÀ",
        "costo",
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": [header, *APPS]})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert len(result.minors) == 3 and result.findings.empty


# ------------------------------------------------------------------ rows and columns


def test_empty_rows_reported_but_not_trailing_ones(tmp_path: Path) -> None:
    rows = [
        BASIC_HEADER,
        None,
        APPS[0],
        None,
        None,
        APPS[1],
        ["", "  ", "\u00a0"],
        APPS[2],
        None,
        None,
        [" "],
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert result.minors["source_row"].tolist() == [3, 6, 8]
    assert codes(result, "source_row") == [
        ("RIGA_VUOTA_IGNORATA", 2),
        ("RIGA_VUOTA_IGNORATA", 4),
        ("RIGA_VUOTA_IGNORATA", 5),
        ("RIGA_VUOTA_IGNORATA", 7),  # only spaces
    ]
    assert result.partners[0].ignored_rows == 4


@pytest.mark.parametrize(
    "tail",
    [
        [["Totale", None, None, 30000]],
        [["TOTALE DOMANDE: 3"]],
        [[None, None, None, None, None, None, None, 900]],  # a bare sum
        [None, ["Note: dati aggiornati al 31/07/2017, firmato il responsabile"]],
        [["tot.", None, None, 30000, None, None, None, 900], ["Il responsabile", "Mario Rossi"]],
    ],
)
def test_totals_and_notes_at_the_bottom_are_not_applications(tmp_path: Path, tail) -> None:
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": [BASIC_HEADER, *APPS, *tail]})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert result.minors["source_row"].tolist() == [2, 3, 4]
    found = codes(result, "source_row")
    ignored = [r for c, r in found if c == "RIGA_TOTALI_IGNORATA"]
    assert ignored and all(r > 4 for r in ignored)
    assert {c for c, _ in found} <= {"RIGA_TOTALI_IGNORATA"}  # empty rows before are trailing


def test_a_full_row_without_tax_code_at_the_bottom_is_an_application(tmp_path: Path) -> None:
    last = row(3, None, None)
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": [BASIC_HEADER, *APPS, last]})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert result.minors["source_row"].tolist() == [2, 3, 4, 5]
    assert result.findings.empty  # missing tax codes are validation's to report


def test_totals_only_at_the_bottom(tmp_path: Path) -> None:
    rows = [BASIC_HEADER, APPS[0], ["Totale parziale", None, None, 100], *APPS[1:]]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert result.minors["source_row"].tolist() == [2, 3, 4, 5]  # in the middle: a row


def test_extra_columns(tmp_path: Path) -> None:
    header = [*BASIC_HEADER, "Reparto", None, None, "Note interne", None, None]
    rows = [header]
    for i, a in enumerate(APPS):
        rows.append([*a, "Chirurgia", None, "?" if i == 1 else None, None, None, None])
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert codes(result, "column", "source_row") == [
        ("COLONNA_VUOTA_IGNORATA", "K", 1),  # data without a header
        ("COLONNA_NON_USATA", "Note interne", 1),  # a header nobody maps (even if empty)
        ("COLONNA_NON_USATA", "Reparto", 1),
    ]
    assert result.partners[0].unused_columns == ["Note interne", "Reparto"]
    # trailing columns with neither header nor data: nothing to say


def test_text_cleaning_and_formula_like_text(tmp_path: Path) -> None:
    cols = {
        **BASIC_COLUMNS,
        "applicant_surname": "Cognome",
        "service": "Servizio",
        "applicant_phone": "Telefono",
    }
    header = [*BASIC_HEADER, "Cognome", "Servizio", "Telefono"]
    rows = [
        header,
        [*APPS[0], "  Rossi   De  Luca ", "=SOMMA(A1:A3)", "+39 0373 2801"],
        [*APPS[1], "Rossi", "@centro estivo", 3732801],
        [*APPS[2], "Bianchi", "-", "-"],
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner(columns=cols)]))
    m = result.minors
    assert m["applicant_surname"].tolist() == ["Rossi De Luca", "Rossi", "Bianchi"]
    assert m["service"].tolist() == ["=SOMMA(A1:A3)", "@centro estivo", "-"]  # kept as text
    assert m["applicant_phone"].tolist() == ["+39 0373 2801", "3732801", "-"]
    assert codes(result, "source_row", "field", "value") == [
        ("FORMULA_NEL_FILE", 2, "service", "=SOMMA(A1:A3)"),
        ("FORMULA_NEL_FILE", 3, "service", "@centro estivo"),
    ]


def test_merged_cells_in_the_data_are_filled(tmp_path: Path) -> None:
    rows = [BASIC_HEADER, APPS[0], [None, None, None, None, *APPS[1][4:]], APPS[2]]
    write_xlsx(
        tmp_path / "c/partner/a.xlsx",
        {"S": rows},
        merges={"S": ["A2:A3", "B2:B3", "C2:C3", "D2:D3"]},
    )
    result = read_call(make_call(tmp_path / "c", [partner()]))
    m = result.minors
    assert m["application_id"].tolist() == ["P1-1", "P1-1", "P1-2"]
    assert m["applicant_tax_code"].tolist()[:2] == ["RSSMRA80A01H501U"] * 2
    assert m["isee"].tolist() == [1000000, 1000000, 1000000]


# ------------------------------------------------------------------ values of each kind


def test_dtypes_of_the_canonical_table(tmp_path: Path) -> None:
    extra = [
        {"name": "shift_worker", "kind": "bool", "label": "Turnista"},
        {"name": "hours", "kind": "number", "level": "minor", "label": "Ore"},
        {"name": "badge", "kind": "text", "label": "Matricola"},
    ]
    cols = {**BASIC_COLUMNS, "shift_worker": "Turni", "household_size": "Componenti"}
    rows = [[*BASIC_HEADER, "Turni", "Componenti"]]
    rows += [[*a, "X", 4] for a in APPS]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    call = make_call(tmp_path / "c", [partner(columns=cols)], extra_fields=extra)
    m = read_call(call).minors
    expected = [*CANONICAL_FIELDS, "shift_worker", "hours", "badge", *PROVENANCE, ROW_KEY]
    assert list(m.columns) == expected
    kinds = {
        "application_id": "string",
        "submitted_at": "datetime64[ns]",
        "isee": "Int64",
        "requested_eur": "Int64",
        "single_parent": "boolean",
        "household_size": "Int64",
        "minor_birth_date": "datetime64[ns]",
        "minor_tax_code": "string",
        "shift_worker": "boolean",
        "hours": "Float64",
        "badge": "string",
        "source_row": "Int64",
        "minor_slot": "Int64",
        "row_key": "string",
        "source_sheet": "string",
        "partner_id": "string",
    }
    assert {k: str(m[k].dtype) for k in kinds} == kinds
    assert m["shift_worker"].tolist() == [True] * 3
    assert m["household_size"].tolist() == [4] * 3
    assert m["hours"].isna().all() and m["badge"].isna().all()  # declared, not mapped
    assert list(empty_table(call).columns) == expected
    assert dict(empty_table(call).dtypes) == dict(m.dtypes)


def test_unreadable_values_become_na_with_a_finding(tmp_path: Path) -> None:
    rows = [
        BASIC_HEADER,
        row(1, "RSSMRA80A01H501U", "A1", when="31/06/2017", isee="trecento", dis="forse"),
        row(1, "RSSMRA80A01H501U", "A2", born="ieri", cost="€ 1.2.3"),
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    m = result.minors
    assert m["submitted_at"].isna().tolist() == [True, False]
    assert m["isee"].isna().tolist() == [True, False]
    assert m["disability"].isna().tolist() == [True, False]
    f = result.findings
    assert f.columns.tolist() == FINDING_COLUMNS
    got = f[["code", "source_row", "column", "field", "value", "row_key"]]
    assert got.to_records(index=False).tolist() == [
        ("DATA_NON_LEGGIBILE", 2, "Data domanda", "submitted_at", "31/06/2017", "P1-1/A1"),
        ("SI_NO_NON_LEGGIBILE", 2, "Disabilità", "disability", "forse", "P1-1/A1"),
        ("IMPORTO_NON_LEGGIBILE", 2, "ISEE", "isee", "trecento", "P1-1/A1"),
        ("IMPORTO_NON_LEGGIBILE", 3, "Costo", "requested_eur", "€ 1.2.3", "P1-1/A2"),
        ("DATA_NON_LEGGIBILE", 3, "Nato il", "minor_birth_date", "ieri", "P1-1/A2"),
    ]
    assert set(f["application_id"]) == {"P1-1"}
    assert set(f["severity"]) == {"BLOCCANTE"}
    assert set(f["source_file"]) == {"partner/a.xlsx"} and set(f["source_sheet"]) == {"S"}


def test_split_date_and_time_columns(tmp_path: Path) -> None:
    cols = {**BASIC_COLUMNS, "submitted_at": ["Data invio", "Ora invio"]}
    header = ["Protocollo", "Data invio", "Ora invio", *BASIC_HEADER[2:]]
    rest = ["RSSMRA80A01H501U", 1, "M", None, None, None]
    rows = [
        header,
        [1, "15/07/2017", "10:32", *rest],  # two texts
        [2, D(2017, 7, 15), 0.4375, *rest],  # an Excel date and a time fraction (10:30)
        [3, D(2017, 7, 15), dt.time(9, 5), *rest],  # date and time cells
        [4, 42931, "8.15", *rest],  # serial number and 'HH.MM'
        [5, "15/07/2017", None, *rest],  # no time: midnight
        [6, None, "10:00", *rest],  # a time without a date
        [7, "15/07/2017", "25:00", *rest],  # an impossible time
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner(columns=cols)]))
    assert result.minors["submitted_at"].tolist() == [
        pd.Timestamp("2017-07-15 10:32"),
        pd.Timestamp("2017-07-15 10:30"),
        pd.Timestamp("2017-07-15 09:05"),
        pd.Timestamp("2017-07-15 08:15"),
        pd.Timestamp("2017-07-15 00:00"),
        pd.NaT,
        pd.NaT,
    ]
    assert codes(result, "source_row", "column", "value") == [
        ("DATA_NON_LEGGIBILE", 7, "Data invio + Ora invio", "10:00"),
        ("DATA_NON_LEGGIBILE", 8, "Data invio + Ora invio", "15/07/2017 25:00"),
    ]


def test_combined_text_columns(tmp_path: Path) -> None:
    cols = {**BASIC_COLUMNS, "applicant_address": ["Via", "Civico"]}
    rows = [
        [*BASIC_HEADER, "Via", "Civico"],
        [*APPS[0], "Via Roma", 12],
        [*APPS[1], "", 3],
        [*APPS[2], "Piazza Duomo", None],
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    m = read_call(make_call(tmp_path / "c", [partner(columns=cols)])).minors
    assert m["applicant_address"].tolist() == ["Via Roma 12", "3", "Piazza Duomo"]


# ------------------------------------------------------------------ layouts, ids and keys

PER_APP = {
    "application_id": "Protocollo",
    "submitted_at": "Data",
    "applicant_tax_code": "CF richiedente",
    "isee": "ISEE",
    "service": "Servizio",  # a minor field in one column: the same for every child
    "minor_tax_code": "CF figlio {n}",
    "minor_birth_date": "Nascita figlio {n}",
    "disability": "L.104 figlio {n}",
}


def _per_app_rows():
    header = ["Protocollo", "Data", "CF richiedente", "ISEE", "Servizio"]
    for n in (1, 2, 3):
        header += [f"CF figlio {n}", f"Nascita figlio {n}", f"L.104 figlio {n}"]
    when = D(2017, 7, 1, 9)
    return [
        header,
        [
            10,
            when,
            "AAA",
            500,
            "Centro estivo",
            "C1",
            D(2010, 1, 1),
            "X",
            "C2",
            D(2012, 1, 1),
            None,
            None,
            None,
            None,
        ],
        [
            11,
            when,
            "BBB",
            600,
            "Pre scuola",
            None,
            None,
            None,
            "C3",
            "01/02/2013",
            "SI",
            None,
            None,
            None,
        ],
        [
            12,
            when,
            "CCC",
            700,
            "Pre scuola",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],  # no child at all: kept as one row, validation says what is missing
        [
            13,
            when,
            "DDD",
            800,
            "Pre scuola",
            "C1",
            D(2010, 1, 1),
            None,
            "c1",
            D(2010, 1, 1),
            None,
            "C5",
            None,
            "NO",
        ],  # the same child twice; a group with only a flag
    ]


def test_per_application_layout(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": _per_app_rows()})
    result = read_call(make_call(tmp_path / "c", [partner(columns=PER_APP)]))
    m = result.minors
    got = m[["application_id", "source_row", "minor_slot", "minor_tax_code", "row_key"]]
    assert got.astype(object).where(got.notna(), None).to_records(index=False).tolist() == [
        ("P1-10", 2, 1, "C1", "P1-10/C1"),
        ("P1-10", 2, 2, "C2", "P1-10/C2"),
        ("P1-11", 3, 2, "C3", "P1-11/C3"),
        ("P1-12", 4, 1, None, "P1-12/#1"),
        ("P1-13", 5, 1, "C1", "P1-13/C1"),
        ("P1-13", 5, 2, "C1", "P1-13/C1~2"),
        ("P1-13", 5, 3, "C5", "P1-13/C5"),
    ]
    assert m["isee"].tolist() == [50000, 50000, 60000, 70000, 80000, 80000, 80000]
    assert m["service"].tolist()[:3] == ["Centro estivo", "Centro estivo", "Pre scuola"]
    assert m["disability"].tolist() == [True, pd.NA, True, pd.NA, pd.NA, pd.NA, False]
    assert m["minor_birth_date"].tolist()[2] == pd.Timestamp("2013-02-01")
    assert result.findings.empty
    report = result.partners[0]
    assert (report.rows_read, report.applications, report.minors) == (4, 4, 7)


def test_per_application_incomplete_group_is_an_error(tmp_path: Path) -> None:
    from conciliare_cli.errors import UserError

    rows = _per_app_rows()
    rows[0][-2] = "Nascita del terzo"  # 'Nascita figlio 3' missing, the rest of group 3 there
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    with pytest.raises(UserError) as err:
        read_call(make_call(tmp_path / "c", [partner(columns=PER_APP)]))
    assert "Nascita figlio 3" in err.value.message


def test_application_id_from_a_numeric_protocol_and_per_minor_grouping(tmp_path: Path) -> None:
    rows = [BASIC_HEADER, row(123.0, "X1", "M1"), row("123", "X1", "M2"), row(" A-7 ", "X2", "")]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    m = read_call(make_call(tmp_path / "c", [partner(pid="ASST")])).minors
    assert m["application_id"].tolist() == ["ASST-123", "ASST-123", "ASST-A-7"]
    assert m["row_key"].tolist() == ["ASST-123/M1", "ASST-123/M2", "ASST-A-7/r4"]
    assert m["minor_slot"].tolist() == [1, 1, 1]


def test_application_id_without_protocol(tmp_path: Path) -> None:
    cols = {k: v for k, v in BASIC_COLUMNS.items() if k != "application_id"}
    rows = [
        BASIC_HEADER[1:],
        row(None, "rssmra80a01h501u", "M1")[1:],
        row(None, "RSSMRA80A01H501U", "M2")[1:],  # same applicant and time: same application
        row(None, "RSSMRA80A01H501U", "M3", when=D(2017, 7, 2, 8, 30, 15))[1:],
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    m = read_call(make_call(tmp_path / "c", [partner(columns=cols)])).minors

    def expected(when: str) -> str:
        digest = hashlib.sha256(f"RSSMRA80A01H501U|{when}".encode()).hexdigest()
        return "P1-" + digest[:10].upper()

    first, second = expected("2017-07-01T10:00:00"), expected("2017-07-02T08:30:15")
    assert m["application_id"].tolist() == [first, first, second]
    assert m["row_key"].tolist() == [f"{first}/M1", f"{first}/M2", f"{second}/M3"]


def test_the_table_does_not_depend_on_the_order_of_files(tmp_path: Path) -> None:
    def build(folder: Path, order: list[str], patterns: list[str]) -> pd.DataFrame:
        for name in order:  # files created in a different order
            rows = [BASIC_HEADER, *(APPS if name == "b" else [row(9, "ZZZ", "Z1")])]
            if name == "c":
                write_csv(
                    folder / "partner" / "c.csv",
                    [BASIC_HEADER, ["5", "01/07/2017", "QQQ", "", "Q1", "", "", ""]],
                )
            else:
                write_xlsx(folder / "partner" / f"{name}.xlsx", {"S": rows})
        call = make_call(folder, [partner(files=patterns)])
        return read_call(call).minors

    one = build(tmp_path / "one", ["a", "b", "c"], ["partner/*.xlsx", "partner/*.csv"])
    two = build(tmp_path / "two", ["c", "b", "a"], ["partner/*.csv", "partner/b*", "partner/a*"])
    assert one["source_file"].tolist() == ["partner/a.xlsx"] + ["partner/b.xlsx"] * 3 + [
        "partner/c.csv"
    ]
    pd.testing.assert_frame_equal(one, two)


def test_lock_files_are_skipped_and_no_partners_give_an_empty_table(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": [BASIC_HEADER, *APPS]})
    (tmp_path / "c/partner/~$a.xlsx").write_bytes(b"lock")
    (tmp_path / "c/partner/.~lock.a.xlsx#").write_bytes(b"lock")
    result = read_call(make_call(tmp_path / "c", [partner(files="partner/*")]))
    assert [p.name for p in result.input_files] == ["a.xlsx"]
    empty = read_call(make_call(tmp_path / "e", []))
    assert empty.minors.empty and empty.findings.empty and empty.partners == []
    assert list(empty.minors.columns) == list(result.minors.columns)


def test_example_call_reads_with_its_planted_reading_defects(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"
    if not example.exists():
        pytest.skip("no example call")
    target = tmp_path / "example"
    shutil.copytree(example, target, ignore=shutil.ignore_patterns("esiti"))
    from conciliare_cli.config import load_call

    result = read_call(load_call(target))
    assert len(result.minors) == 673
    assert result.minors["application_id"].nunique() == 400
    assert result.minors["row_key"].is_unique
    got = set(codes(result, "partner_id", "source_row"))
    assert {
        ("FORMULA_NEL_FILE", "ASST", 56),
        ("DATA_NON_LEGGIBILE", "ATS", 58),
        ("SI_NO_NON_LEGGIBILE", "COMUNE", 69),
        ("IMPORTO_NON_LEGGIBILE", "COOP", 28),
    } <= got


def test_trailing_blank_columns_in_a_spreadsheet_say_nothing(tmp_path: Path) -> None:
    # a space typed far to the right stretches the sheet: those columns are empty
    rows = [[*BASIC_HEADER, None, None, " "], *APPS, [None] * 10 + ["\u00a0"]]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert result.minors["source_row"].tolist() == [2, 3, 4]
    assert result.findings.empty
