"""Make the .xls and .ods fixtures of tests/test_read_formats.py (run once, by hand).

    python tests/data/read/make_fixtures.py

Writes `partner_source.xlsx` with openpyxl, then converts it with LibreOffice
(`soffice --headless --convert-to xls|ods`), so the fixtures are real files written by a
spreadsheet program, not by the reader's own library. Needs `soffice` on the PATH
(Debian: apt-get install libreoffice-calc-nogui). The tests read the committed files and
never call LibreOffice.

Content: a first sheet 'Istruzioni' with a note, the data on the second sheet 'Domande'
starting at column B: a merged title on row 2, the header on row 4, minors on rows 5, 6
and 8 (row 7 empty), a totals row on row 9.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

HEADER = [
    "Protocollo",
    "Data domanda",
    "Ora",
    "Codice fiscale",
    "ISEE",
    "CF minore",
    "Nato il",
    "Disabilità",
    "Costo",
    "Note",
]
ROWS: list[list[object] | None] = [
    [
        501,
        dt.date(2017, 7, 1),
        dt.time(10, 32),
        "RSSMRA80A01H501U",
        12345.67,
        "RSSLCU10A01D142Y",
        dt.date(2010, 1, 1),
        "Sì",
        300,
        "urgente",
    ],
    [
        501,
        dt.date(2017, 7, 1),
        dt.time(10, 32),
        "RSSMRA80A01H501U",
        12345.67,
        "RSSANN12C41D142Z",
        41000,
        None,
        "250,50",
        None,
    ],
    None,
    [
        502,
        dt.date(2017, 7, 2),
        dt.time(9, 5),
        "bnc lcu 80a01 d142 x ",
        "€ 8.500,00",
        "BNCMRC11B02D142K",
        "15/03/2011",
        "X",
        "n.d.",
        None,
    ],
    ["Totale", None, None, None, None, None, None, None, 550.5, None],
]


def write_source(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Istruzioni"
    ws["A1"] = "Compilare una riga per ogni figlio."
    data = wb.create_sheet("Domande")
    data["B2"] = "Domande voucher conciliazione 2017"
    data.merge_cells("B2:K2")
    for j, h in enumerate(HEADER):
        data.cell(row=4, column=2 + j, value=h)
    for i, row in enumerate(ROWS):
        if row is None:
            continue
        for j, v in enumerate(row):
            cell = data.cell(row=5 + i, column=2 + j, value=v)
            if isinstance(v, dt.date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(v, dt.time):
                cell.number_format = "HH:MM"
    wb.save(path)


def main() -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("soffice not found: apt-get install libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "partner_source.xlsx"
        write_source(source)
        for fmt in ("xls", "ods"):
            subprocess.run(
                [soffice, "--headless", "--convert-to", fmt, "--outdir", tmp, str(source)],
                check=True,
                capture_output=True,
            )
            shutil.copyfile(Path(tmp) / f"partner_source.{fmt}", HERE / f"partner.{fmt}")
            print("wrote", HERE / f"partner.{fmt}")


if __name__ == "__main__":
    main()
