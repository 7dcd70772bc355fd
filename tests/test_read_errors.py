"""Problems that stop the run: an Italian UserError naming the file (and sheet, row, header),
never a traceback. Finding-level problems are in test_read_layout.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_read_support import BASIC_COLUMNS, BASIC_HEADER, make_call, partner, write_xlsx

from conciliare_cli.errors import UserError
from conciliare_cli.read import read_call

APP = [1, "01/07/2017", "RSSMRA80A01H501U", 100, "RSSLCU10A01D142Y", "01/01/2012", "NO", 300]


def _error(tmp_path: Path, **kw) -> UserError:
    with pytest.raises(UserError) as err:
        read_call(make_call(tmp_path / "c", [partner(**kw)]))
    return err.value


def test_missing_header_names_file_sheet_row_and_the_nearest_header(tmp_path: Path) -> None:
    header = [*BASIC_HEADER]
    header[1] = "Data presentaz."  # the YAML says 'Data domanda'
    write_xlsx(
        tmp_path / "c/partner/a.xlsx", {"Istruzioni": [["x"]], "Dati": [["Titolo"], header, APP]}
    )
    cols = {**BASIC_COLUMNS, "submitted_at": "Data presentazione"}
    err = _error(tmp_path, columns=cols)
    assert err.file == "partner/a.xlsx"
    text = err.render()
    assert "foglio 'Dati', riga 2" in text
    assert (
        "manca la colonna 'Data presentazione' (campo submitted_at; forse 'Data presentaz.'?)"
        in text
    )
    assert "'Protocollo'" in text and "'Costo'" in text  # the headers found
    assert "Traceback" not in text


def test_missing_header_in_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "c/partner/a.csv"
    path.parent.mkdir(parents=True)
    path.write_text("Protocollo;Data;Codice fiscale\n1;01/07/2017;X\n", encoding="utf-8")
    err = _error(tmp_path, files="partner/a.csv")
    assert err.file == "partner/a.csv"
    assert "riga 1: manca la colonna 'Data domanda'" in err.message
    assert "foglio" not in err.message


def test_no_sheet_has_the_headers(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"Uno": [["a", "b"]], "Due": [["c"]]})
    err = _error(tmp_path)
    assert "nessun foglio" in err.message and "'Uno', 'Due'" in err.message


def test_sheet_missing_lists_the_sheets(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"Domande 2017": [BASIC_HEADER, APP], "Note": []})
    err = _error(tmp_path, sheet="Domande")
    assert "il foglio 'Domande' non esiste" in err.message
    assert "'Domande 2017', 'Note'" in err.message
    assert "forse 'Domande 2017'?" in (err.hint or "")


def test_header_row_outside_the_sheet(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": [BASIC_HEADER, APP]})
    err = _error(tmp_path, header_row=40)
    assert "40" in err.message and "header_row" in (err.hint or "")


def test_duplicated_mapped_header(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": [[*BASIC_HEADER, "ISEE"], [*APP, 5]]})
    err = _error(tmp_path)
    assert "'ISEE' compare in più colonne (D, I)" in err.message


def test_pattern_matching_no_file(tmp_path: Path) -> None:
    (tmp_path / "c/partner").mkdir(parents=True)
    err = _error(tmp_path, files="partner/asst_*.xlsx")
    assert "nessun file corrisponde a 'partner/asst_*.xlsx'" in err.message
    assert err.file == "bando.yaml"


def test_unsupported_format(tmp_path: Path) -> None:
    path = tmp_path / "c/partner/a.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-1.4")
    err = _error(tmp_path, files="partner/*")
    assert "formato non supportato" in err.message and err.file == "partner/a.pdf"


@pytest.mark.parametrize(
    ("name", "content", "hint"),
    [
        ("a.xlsx", b"PK\x03\x04 this is not a zip at all", "salvalo di nuovo"),
        ("a.xlsx", b"\x00\x01\x02 garbage", "salvalo di nuovo"),
        (
            "a.xls",
            b"<html><body><table><tr><td>Protocollo</td></tr></table></body></html>",
            "pagina web",
        ),
        ("a.ods", b"", "salvalo di nuovo"),
    ],
)
def test_corrupt_files(tmp_path: Path, name: str, content: bytes, hint: str) -> None:
    path = tmp_path / "c/partner" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    err = _error(tmp_path, files=f"partner/{name}")
    assert err.file == f"partner/{name}"
    assert "non si riesce a leggere" in err.message
    assert hint in (err.hint or "")


def test_truncated_xlsx(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [BASIC_HEADER, APP]})
    path = tmp_path / "c/partner/a.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(good.read_bytes()[:800])
    err = _error(tmp_path)
    assert "non si riesce a leggere" in err.message


def test_xlsx_without_the_sheet_part(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"S": [BASIC_HEADER, APP]})
    path = tmp_path / "c/partner/a.xlsx"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            if "worksheets/sheet" not in item.filename:
                dst.writestr(item, src.read(item.filename))
    err = _error(tmp_path)
    assert "non si riesce a leggere" in err.message


def test_bad_delimiter_in_yaml(tmp_path: Path) -> None:
    path = tmp_path / "c/partner/a.csv"
    path.parent.mkdir(parents=True)
    path.write_text(";".join(BASIC_HEADER) + "\n", encoding="utf-8")
    err = _error(tmp_path, files="partner/a.csv", delimiter=";;")
    assert "separatore" in err.message
