"""Every file format the reader accepts: xlsx, xlsm, xls, ods, CSV in every encoding and
delimiter; source_row is the row number Excel (or a text editor) shows; inputs unchanged."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_read_support import DATA, digests, make_call, partner, write_csv

from conciliare_cli.errors import UserError
from conciliare_cli.read import read_call


def _load_fixture_maker():
    spec = importlib.util.spec_from_file_location("read_fixtures", DATA / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


write_source = _load_fixture_maker().write_source

FIXTURE_COLUMNS = {
    "application_id": "Protocollo",
    "submitted_at": ["Data domanda", "Ora"],
    "applicant_tax_code": "Codice fiscale",
    "isee": "ISEE",
    "minor_tax_code": "CF minore",
    "minor_birth_date": "Nato il",
    "disability": "Disabilità",
    "requested_eur": "Costo",
}


def _fixture_call(tmp_path: Path, suffix: str):
    target = tmp_path / "call" / "partner" / f"domande{suffix}"
    target.parent.mkdir(parents=True)
    if suffix in (".xls", ".ods"):
        shutil.copyfile(DATA / f"partner{suffix}", target)
    else:  # the same workbook as the fixtures' source, written by openpyxl
        write_source(target)
    call = make_call(
        tmp_path / "call", [partner(files=f"partner/*{suffix}", columns=FIXTURE_COLUMNS)]
    )
    return call


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm", ".xls", ".ods"])
def test_spreadsheet_formats_read_the_same(tmp_path: Path, suffix: str) -> None:
    call = _fixture_call(tmp_path, suffix)
    before = digests(call.folder)
    result = read_call(call)
    assert digests(call.folder) == before  # the input is never written
    m = result.minors
    # the data sheet is the second one; header on row 4 under a merged title; column B on
    assert m["source_sheet"].tolist() == ["Domande"] * 3
    assert m["source_row"].tolist() == [5, 6, 8]  # row 7 is empty, row 9 the totals
    assert m["source_file"].tolist() == [f"partner/domande{suffix}"] * 3
    assert m["application_id"].tolist() == ["P1-501", "P1-501", "P1-502"]
    assert m["submitted_at"].tolist() == [
        pd.Timestamp("2017-07-01 10:32"),
        pd.Timestamp("2017-07-01 10:32"),
        pd.Timestamp("2017-07-02 09:05"),
    ]
    assert m["applicant_tax_code"].tolist() == [
        "RSSMRA80A01H501U",
        "RSSMRA80A01H501U",
        "BNCLCU80A01D142X",  # lower case, spaces and a trailing space in the file
    ]
    assert m["isee"].tolist() == [1234567, 1234567, 850000]  # 12345.67 and '€ 8.500,00'
    serial = dt.datetime(1899, 12, 30) + dt.timedelta(days=41000)
    assert m["minor_birth_date"].tolist() == [
        pd.Timestamp("2010-01-01"),
        pd.Timestamp(serial),  # a bare Excel serial number
        pd.Timestamp("2011-03-15"),  # text dd/mm/yyyy
    ]
    assert m["disability"].tolist() == [True, pd.NA, True]  # 'Sì', blank, 'X'
    assert m["requested_eur"].tolist() == [30000, 25050, pd.NA]  # 300, '250,50', 'n.d.'
    codes = result.findings[["code", "source_row", "column"]].to_records(index=False).tolist()
    assert ("RIGA_VUOTA_IGNORATA", 7, None) in codes
    assert ("RIGA_TOTALI_IGNORATA", 9, None) in codes
    assert ("COLONNA_NON_USATA", 4, "Note") in codes
    assert len(codes) == 3
    (report,) = result.partners
    assert (report.rows_read, report.applications, report.minors, report.ignored_rows) == (
        3,
        2,
        3,
        2,
    )
    assert report.unused_columns == ["Note"]


ROWS = [
    ["Protocollo", "Data domanda", "Codice fiscale", "Cognome", "ISEE", "CF minore", "Costo"],
    [
        "1",
        "01/07/2017 10:00",
        "RSSMRA80A01H501U",
        "Niccolò Dell'Acqua",
        "1.234,56",
        "RSSLCU10A01D142Y",
        "€ 300,00",
    ],
    [
        "2",
        "02/07/2017",
        "BNCLCU80A01D142X",
        "Gaëlle Müller; Sòrt",
        "n.d.",
        "BNCMRC11B02D142K",
        "250,5",
    ],
]
CSV_COLUMNS = {
    "application_id": "Protocollo",
    "submitted_at": "Data domanda",
    "applicant_tax_code": "Codice fiscale",
    "applicant_surname": "Cognome",
    "isee": "ISEE",
    "minor_tax_code": "CF minore",
    "requested_eur": "Costo",
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    line_end = "\r\n" if encoding == "cp1252" else "\n"
    write_csv(tmp_path / "c" / "partner" / "p.csv", ROWS, delimiter, encoding, line_end)
    call = make_call(tmp_path / "c", [partner(files="partner/p.csv", columns=CSV_COLUMNS)])
    before = digests(call.folder)
    result = read_call(call)
    assert digests(call.folder) == before
    m = result.minors
    assert m["applicant_surname"].tolist() == ["Niccolò Dell'Acqua", "Gaëlle Müller; Sòrt"]
    assert m["isee"].tolist() == [123456, pd.NA]
    assert m["requested_eur"].tolist() == [30000, 25050]
    assert m["submitted_at"].tolist() == [
        pd.Timestamp("2017-07-01 10:00"),
        pd.Timestamp("2017-07-02"),
    ]
    assert m["source_sheet"].tolist() == ["", ""]
    assert m["source_row"].tolist() == [2, 3]  # the header is line 1
    assert result.findings.empty


def test_csv_title_lines_and_line_numbers(tmp_path: Path) -> None:
    rows = [
        ["Esportazione domande", "", ""],
        [],
        *ROWS[:2],
        [],
        ROWS[2],
        [],
        [],
    ]
    write_csv(tmp_path / "c" / "partner" / "p.txt", rows, ";", "cp1252")
    call = make_call(tmp_path / "c", [partner(files="partner/p.txt", columns=CSV_COLUMNS)])
    result = read_call(call)
    assert result.minors["source_row"].tolist() == [4, 6]
    codes = result.findings[["code", "source_row"]].to_records(index=False).tolist()
    assert codes == [("RIGA_VUOTA_IGNORATA", 5)]  # the trailing empty lines are not reported


def test_csv_rows_longer_than_the_header(tmp_path: Path) -> None:
    rows = [ROWS[0], ROWS[1] + ["", "segno"], ROWS[2]]
    write_csv(tmp_path / "c" / "partner" / "p.csv", rows, ";")
    call = make_call(tmp_path / "c", [partner(files="partner/p.csv", columns=CSV_COLUMNS)])
    result = read_call(call)
    assert len(result.minors) == 2
    codes = result.findings[["code", "column"]].to_records(index=False).tolist()
    assert codes == [("COLONNA_VUOTA_IGNORATA", "I")]  # data under no header, column I


def test_csv_explicit_encoding_and_delimiter(tmp_path: Path) -> None:
    write_csv(tmp_path / "c" / "partner" / "p.csv", ROWS, ",", "cp1252")
    p = partner(files="partner/p.csv", columns=CSV_COLUMNS, encoding="cp1252", delimiter=",")
    result = read_call(make_call(tmp_path / "c", [p]))
    assert result.minors["applicant_surname"].tolist()[0] == "Niccolò Dell'Acqua"
    p = partner(files="partner/p.csv", columns=CSV_COLUMNS, encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_call(make_call(tmp_path / "c", [p]))
    assert "utf-8" in err.value.message and err.value.file == "partner/p.csv"


def test_tab_delimiter_named_in_yaml(tmp_path: Path) -> None:
    write_csv(tmp_path / "c" / "partner" / "p.tsv", ROWS, "\t")
    p = partner(files="partner/p.tsv", columns=CSV_COLUMNS, delimiter="tab")
    result = read_call(make_call(tmp_path / "c", [p]))
    assert len(result.minors) == 2 and result.findings.empty


def test_every_input_unchanged_across_formats(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    (folder / "partner").mkdir(parents=True)
    for suffix in (".xls", ".ods"):
        shutil.copyfile(DATA / f"partner{suffix}", folder / "partner" / f"a{suffix}")
    write_source(folder / "partner" / "a.xlsx")
    write_csv(folder / "partner" / "b.csv", ROWS, ";", "cp1252")
    call = make_call(
        folder,
        [
            *(
                partner(files=f"partner/a.{ext}", columns=FIXTURE_COLUMNS, pid=f"A{ext.upper()}")
                for ext in ("ods", "xls", "xlsx")
            ),
            partner(files="partner/b.csv", columns=CSV_COLUMNS, pid="B"),
        ],
    )
    before = digests(folder)
    seen: list[Path] = []
    result = read_call(call, on_file=seen.append)
    assert digests(folder) == before
    assert [p.name for p in seen] == ["a.ods", "a.xls", "a.xlsx", "b.csv"]
    assert [p.name for p in result.input_files] == ["a.ods", "a.xls", "a.xlsx", "b.csv"]
    assert len(result.minors) == 3 * 3 + 2
    assert result.minors["row_key"].is_unique


def test_two_copies_of_one_partners_file_are_an_error_naming_both(tmp_path: Path) -> None:
    """A corrected copy left beside the original would count every application twice."""
    folder = tmp_path / "c"
    (folder / "partner").mkdir(parents=True)
    shutil.copyfile(DATA / "partner.xls", folder / "partner" / "a.xls")
    write_source(folder / "partner" / "a (copia).xlsx")
    call = make_call(folder, [partner(files=["partner/a*"], columns=FIXTURE_COLUMNS, pid="A")])
    with pytest.raises(UserError) as info:
        read_call(call)
    text = info.value.render()
    assert "partner/a (copia).xlsx" in text and "partner/a.xls" in text
    assert "stesse domande" in text


def test_csv_line_numbers_with_line_breaks_inside_quoted_cells(tmp_path: Path) -> None:
    cols = {**CSV_COLUMNS, "applicant_address": "Indirizzo"}
    rows = [
        [*ROWS[0], "Indirizzo"],
        [*ROWS[1], "Via Roma 1\nscala B\r\ninterno 3"],  # lines 2-4
        [*ROWS[2], "Piazza Duomo"],  # line 5
    ]
    write_csv(tmp_path / "c" / "partner" / "p.csv", rows, ";", "utf-8", "\r\n")
    result = read_call(make_call(tmp_path / "c", [partner(files="partner/p.csv", columns=cols)]))
    assert result.minors["source_row"].tolist() == [2, 5]
    assert result.minors["applicant_address"].tolist() == [
        "Via Roma 1 scala B interno 3",
        "Piazza Duomo",
    ]


def test_bom_with_utf8_named_in_yaml(tmp_path: Path) -> None:
    write_csv(tmp_path / "c" / "partner" / "p.csv", ROWS, ";", "utf-8-sig")
    p = partner(files="partner/p.csv", columns=CSV_COLUMNS, encoding="UTF-8")
    result = read_call(make_call(tmp_path / "c", [p]))
    assert result.minors["application_id"].tolist() == ["P1-1", "P1-2"]


def test_trailing_empty_columns_are_ignored_silently(tmp_path: Path) -> None:
    rows = [[*r, "", "", ""] for r in ROWS]  # 'a;b;c;;;' as spreadsheets export them
    write_csv(tmp_path / "c" / "partner" / "p.csv", rows, ";")
    write_csv(tmp_path / "d" / "partner" / "p.csv", ROWS, ";")
    call = make_call(tmp_path / "c", [partner(files="partner/p.csv", columns=CSV_COLUMNS)])
    result = read_call(call)
    assert result.findings.empty
    plain = read_call(
        make_call(tmp_path / "d", [partner(files="partner/p.csv", columns=CSV_COLUMNS)])
    )
    pd.testing.assert_frame_equal(
        result.minors.drop(columns="source_file"), plain.minors.drop(columns="source_file")
    )
