"""The Excel table writer (conciliare_cli/write/xlsx.py)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conciliare_cli.write.xlsx import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    MONEY_FORMAT,
    Column,
    new_workbook,
    safe_sheet_name,
    write_table,
    xlsx_workbook,
)

RUN = dt.date(2017, 9, 15)
TITLE = "Conciliare le responsabilità - Voucher 2017 & co."

COLUMNS = [
    Column("rank", "Posizione", "int"),
    Column("id", "Protocollo"),
    Column("note", "Nota"),
    Column("amount", "Importo assegnato", "money_cents", total=True),
    Column("score", "Punteggio", "score"),
    Column("born", "Data di nascita", "date"),
    Column("sent", "Presentata il", "datetime"),
    Column("disabled", "Disabilità", "bool"),
]


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rank": pd.array([1, 2, None, 4], dtype="Int64"),
            "id": ["A-1", "A-2", "A-3", "A-4"],
            "note": ["=1+1", "+39 333", "@x", "-3"],
            "amount": pd.array([30000, 12345, None, 123456], dtype="Int64"),
            "score": [23.0, 23.5, 0.1 + 0.2, None],
            "born": pd.to_datetime(["2010-05-03", None, "2001-01-31", "2017-09-01"]),
            "sent": pd.to_datetime(
                ["2017-06-01 09:15", "2017-07-31 11:59", None, "2017-06-02 00:00"]
            ),
            "disabled": pd.array([True, False, None, True], dtype="boolean"),
        }
    )


def write(path: Path, data: pd.DataFrame | None = None, status: str = "PROVVISORIA") -> None:
    with xlsx_workbook(path, run_date=RUN, title=TITLE) as wb:
        write_table(
            wb,
            "Graduatoria",
            frame() if data is None else data,
            COLUMNS,
            title=TITLE,
            status=status,
            run_date=RUN,
            subtitle="Graduatoria",
        )


@pytest.fixture
def sheet(tmp_path: Path):
    path = tmp_path / "g.xlsx"
    write(path)
    wb = openpyxl.load_workbook(path)
    return wb["Graduatoria"]


def find_header_row(ws) -> int:
    for row in ws.iter_rows(min_row=1, max_row=10):
        if row[0].value == "Posizione":
            return row[0].row
    raise AssertionError("header not found")


def test_headers_title_and_layout(sheet):
    assert sheet["A1"].value == TITLE
    assert "PROVVISORIA" in sheet["A2"].value and "15/09/2017" in sheet["A2"].value
    h = find_header_row(sheet)
    assert [c.value for c in sheet[h]] == [c.header for c in COLUMNS]
    assert sheet[h][0].font.bold
    assert sheet.freeze_panes == f"A{h + 1}"
    assert sheet.auto_filter.ref == f"A{h}:H{h + 4}"


def test_values_and_number_formats(sheet):
    h = find_header_row(sheet)
    r1 = sheet[h + 1]
    assert r1[0].value == 1 and r1[0].data_type == "n"
    assert r1[3].value == 300 and r1[3].number_format == MONEY_FORMAT
    assert sheet.cell(h + 2, 4).value == pytest.approx(123.45)
    assert sheet.cell(h + 3, 4).value is None  # NA -> blank
    assert r1[4].value == 23
    assert sheet.cell(h + 2, 5).value == 23.5
    assert sheet.cell(h + 3, 5).value == 0.3  # rounded to thousandths, no float noise
    assert r1[5].value == dt.datetime(2010, 5, 3) and r1[5].number_format == DATE_FORMAT
    assert r1[6].value == dt.datetime(2017, 6, 1, 9, 15)
    assert r1[6].number_format == DATETIME_FORMAT
    assert [sheet.cell(h + i, 8).value for i in (1, 2, 3, 4)] == ["Sì", "No", None, "Sì"]
    # totals row: exact sum of the cents
    total = sheet[h + 5]
    assert total[0].value == "Totale"
    assert total[3].value == pytest.approx(1658.01)


def test_formula_like_text_stays_text(sheet):
    h = find_header_row(sheet)
    cells = [sheet.cell(h + i, 3) for i in (1, 2, 3, 4)]
    assert [c.value for c in cells] == ["=1+1", "+39 333", "@x", "-3"]
    assert all(c.data_type == "s" for c in cells)


def test_print_settings(sheet):
    h = find_header_row(sheet)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth or 1) == 1  # absent means 1 in OOXML
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows.replace("$", "") == f"{h}:{h}"
    header = sheet.oddHeader
    assert "PROVVISORIA" in header.right.text and "15/09/2017" in header.right.text
    assert header.right.text == "PROVVISORIA – 15/09/2017"
    assert header.left.text == TITLE.replace("&", "&&")  # a literal & is escaped
    assert sheet.oddFooter.center.text == "Pagina &P di &N"


def test_definitiva_in_header(tmp_path):
    path = tmp_path / "d.xlsx"
    write(path, status="DEFINITIVA")
    ws = openpyxl.load_workbook(path)["Graduatoria"]
    assert "DEFINITIVA" in ws.oddHeader.right.text


def test_two_writes_identical_bytes(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write(a)
    write(b)
    assert a.read_bytes() == b.read_bytes()


def test_empty_frame_and_appended_blocks(tmp_path):
    path = tmp_path / "r.xlsx"
    cols = [Column("fund", "Fondo"), Column("budget", "Budget", "money_cents", total=True)]
    funds = pd.DataFrame({"fund": ["FSE", "ATS"], "budget": pd.array([10000000, 4400000])})
    with xlsx_workbook(path, run_date=RUN) as wb:
        first = write_table(wb, "Riepilogo", funds, cols, title=TITLE, caption="Fondi")
        second = write_table(wb, "Riepilogo", funds.iloc[0:0], cols, caption="Riserve")
    assert second.header_row > first.last_row
    ws = openpyxl.load_workbook(path)["Riepilogo"]
    assert ws.cell(first.last_row + 1, 2).value == 144000
    assert ws.cell(second.header_row, 1).value == "Riserve"  # caption above the header
    assert ws.cell(second.header_row + 1, 1).value == "Fondo"
    assert ws.cell(second.first_row + 1, 1).value == "Nessuna riga."


def test_unknown_column_and_kind():
    with pytest.raises(ValueError):
        Column("x", "X", "float")
    wb = new_workbook(io.BytesIO())
    with pytest.raises(KeyError):
        write_table(wb, "S", pd.DataFrame({"a": [1]}), [Column("b", "B")])
    wb.close()


def test_safe_sheet_name():
    assert safe_sheet_name("a/b:c?" + "x" * 40) == ("a-b-c-" + "x" * 40)[:31]


def test_big_table_is_fast(tmp_path):
    import time

    n = 8_000  # ~1 s on a laptop; the bound leaves room for a loaded CI machine
    big = pd.concat([frame()] * (n // 4), ignore_index=True)
    start = time.perf_counter()
    write(tmp_path / "big.xlsx", big)
    assert time.perf_counter() - start < 20


def test_xlsx_workbook_error_leaves_old_file(tmp_path):
    target = tmp_path / "g.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), xlsx_workbook(target, run_date=RUN) as wb:
        write_table(wb, "S", frame(), COLUMNS)
        raise RuntimeError
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.xlsx"]


def test_blocks_share_the_widest_column_and_no_fixed_header(tmp_path):
    path = tmp_path / "c.xlsx"
    narrow = pd.DataFrame({"a": ["x"]})
    wide = pd.DataFrame({"a": ["y" * 30]})
    with xlsx_workbook(path, run_date=RUN) as wb:
        write_table(wb, "Criteri", wide, [Column("a", "A")], title=TITLE, fixed_header=False)
        write_table(wb, "Criteri", narrow, [Column("a", "A")])
    ws = openpyxl.load_workbook(path)["Criteri"]
    assert ws.column_dimensions["A"].width >= 30
    assert not ws.print_title_rows and ws.freeze_panes is None and not ws.auto_filter.ref
