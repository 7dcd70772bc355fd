"""The example's files, each written the way its partner's system writes it: a formatted xlsx
with title rows and a totals formula (ASST), an Excel 97 .xls with an instructions sheet (ATS),
an OpenDocument spreadsheet (COMUNE), CSV in three dialects (COOP, AZIENDA, BANCA).

xlwt (for .xls) and odfpy (pandas' .ods writer) are NOT dependencies of conciliare, which reads
those formats with python-calamine: they are imported only here, when the example is rebuilt
(`pip install xlwt odfpy`). Every file is reproducible: fixed document dates, fixed zip
timestamps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import xlsxwriter

from conciliare_cli.atomic import atomic_file, atomic_write_bytes
from conciliare_cli.demo.example.builder import Builder
from conciliare_cli.demo.example.layout import Laid
from conciliare_cli.demo.example.partners import Partner
from conciliare_cli.demo.sheets import MONEY_FIELDS
from conciliare_cli.demo.spreadsheets import FIXED_CREATED

ZIP_TIME = (2017, 8, 1, 9, 0, 0)
ATS_INSTRUCTIONS = [
    "ATS Val Padana - Richieste voucher di conciliazione 2017",
    "",
    "Compilare una riga per ogni richiesta. Per ogni figlio (fino a tre) compilare il "
    "gruppo di colonne Figlio 1, Figlio 2, Figlio 3.",
    "Data invio nel formato gg/mm/aaaa, ora invio nel formato hh:mm.",
    "L.104 e DSA: SI oppure NO.",
    "I dati sono nel foglio 'Richieste'.",
]


def write_asst(path: Path, laid: Laid, p: Partner) -> None:
    """xlsx: two merged title rows, the header on row 3, a totals row with a SUM formula."""
    with atomic_file(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        wb.set_properties({"created": FIXED_CREATED, "author": "Ufficio Risorse Umane"})
        title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
        sub = wb.add_format({"italic": True, "align": "center"})
        bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        fdate = wb.add_format({"num_format": "dd/mm/yyyy"})
        fdt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        fmoney = wb.add_format({"num_format": "#,##0.00"})
        ws = wb.add_worksheet("Domande voucher")
        last = len(laid.headers) - 1
        heading = "ASST di Crema - Domande voucher di conciliazione 2017"
        ws.merge_range(0, 0, 0, last, heading, title)
        ws.merge_range(1, 0, 1, last, "Estrazione del 01/08/2017 - Ufficio Risorse Umane", sub)
        ws.write_row(laid.header_row - 1, 0, laid.headers, bold)
        ws.set_column(0, last, 16)
        money_cols = {laid.headers.index(p.style.headers[n]) for n in MONEY_FIELDS}
        formats = {"date": fdate, "datetime": fdt}
        _write_asst_rows(ws, laid, formats, {c: fmoney for c in money_cols})
        cost = laid.headers.index(p.style.headers["requested_eur"])
        total = sum(r[cost] for r in laid.rows if isinstance(r[cost], float))
        t = laid.total_row - 1
        ws.write_string(t, 0, "TOTALE")
        ws.write_string(t, 1, f"{len(laid.first_row_of)} domande")
        col = xlsxwriter.utility.xl_col_to_name(cost)
        formula = f"=SUM({col}{laid.header_row + 1}:{col}{t})"
        ws.write_formula(t, cost, formula, fmoney, round(total, 2))
        wb.close()


def _write_asst_rows(ws, laid: Laid, formats: dict, money: dict) -> None:
    """The data rows: texts, date cells, dates typed as bare serial numbers, amounts."""
    for row, excel in zip(laid.rows, laid.excel_row, strict=True):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            kind = laid.kinds[c]
            if isinstance(v, tuple):  # ("serial", number): a date typed as a bare number
                ws.write_number(excel - 1, c, int(v[1]))
            elif isinstance(v, str):
                ws.write_string(excel - 1, c, v)
            elif kind in formats:
                ws.write_number(excel - 1, c, v, formats[kind])
            else:
                ws.write_number(excel - 1, c, v, money.get(c))


def write_ats(path: Path, laid: Laid) -> None:
    """Excel 97 .xls: an 'Istruzioni' sheet first, the data on 'Richieste'."""
    import xlwt  # only to rebuild the example

    wb = xlwt.Workbook(encoding="utf-8")
    info = wb.add_sheet("Istruzioni")
    for i, line in enumerate(ATS_INSTRUCTIONS):
        info.write(i, 0, line)
    ws = wb.add_sheet("Richieste")
    hstyle = xlwt.easyxf("font: bold on")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    time_style = xlwt.easyxf(num_format_str="HH:MM")
    for c, h in enumerate(laid.headers):
        ws.write(0, c, h, hstyle)
    for row, excel in zip(laid.rows, laid.excel_row, strict=True):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            kind = laid.kinds[c]
            if isinstance(v, dt.date):
                ws.write(excel - 1, c, v, date_style)
            elif isinstance(v, str):
                ws.write(excel - 1, c, v)
            elif kind == "date":
                ws.write(excel - 1, c, float(v), date_style)
            elif kind == "time":
                ws.write(excel - 1, c, float(v), time_style)
            else:
                ws.write(excel - 1, c, float(v))
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue())


def write_ods(path: Path, laid: Laid, b: Builder, p: Partner) -> None:
    """ODS through pandas' odf writer; amounts as number cells, the rest as text."""
    money = {laid.headers.index(p.style.headers[n]): n for n in MONEY_FIELDS}
    part = b.pop[b.pop["partner_id"] == p.id].reset_index(drop=True)
    data = []
    for r, row in enumerate(laid.rows):
        out = []
        for c, v in enumerate(row):
            if c in money and v not in (None, ""):
                cents = part.at[r, money[c]]
                v = None if pd.isna(cents) else int(cents) / 100
            out.append(v)
        data.append(out)
    frame = pd.DataFrame(data, columns=laid.headers, dtype=object)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        tmp = Path(folder) / path.name
        with pd.ExcelWriter(tmp, engine="odf") as xw:
            frame.to_excel(xw, sheet_name="Domande", index=False)
        atomic_write_bytes(path, _fixed_zip(tmp.read_bytes()))


def write_csv(path: Path, laid: Laid, p: Partner) -> None:
    """CSV in the partner's delimiter and encoding, Windows line ends."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=p.delimiter, lineterminator="\r\n")
    w.writerow(laid.headers)
    for row in laid.rows:
        w.writerow(["" if v is None else v for v in row])
    atomic_write_bytes(path, buf.getvalue().encode(p.encoding))


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps and without volatile metadata (reproducible)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            z = zipfile.ZipInfo(info.filename, ZIP_TIME)
            z.compress_type = (
                zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            )
            z.external_attr = 0o644 << 16
            dst.writestr(z, body)
    return out.getvalue()
