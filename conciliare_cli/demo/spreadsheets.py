"""Writing rendered sheets: xlsx (XlsxWriter, constant memory) and CSV in a partner's
dialect, reproducibly (a fixed document date, no clock), each file whole or not at all
(conciliare_cli.atomic).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import xlsxwriter

from conciliare_cli.atomic import atomic_file, atomic_write_text
from conciliare_cli.demo.sheets import Sheet
from conciliare_cli.demo.styles import FileFormat

FIXED_CREATED = dt.datetime(2017, 8, 1, 9, 0, 0)  # xlsx document date: files are reproducible
_NUMBER_FORMATS = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "time": "hh:mm"}


def write_xlsx(path: Path, sheets: list[tuple[str, Sheet]]) -> None:
    """Write sheets with XlsxWriter (constant memory): a bold header row, then the data."""
    with atomic_file(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        wb.set_properties({"created": FIXED_CREATED, "author": "conciliare demo-data"})
        bold = wb.add_format({"bold": True})
        formats = {kind: wb.add_format({"num_format": f}) for kind, f in _NUMBER_FORMATS.items()}
        for name, sheet in sheets:
            ws = wb.add_worksheet(name)
            ws.write_row(0, 0, sheet.headers, bold)
            _write_rows(ws, sheet, formats)
        wb.close()


def _write_rows(ws, sheet: Sheet, formats: dict[str, object]) -> None:
    """The data rows, row by row (constant memory), skipping empty cells."""
    lists = [c.tolist() for c in sheet.columns]
    writers: list[Callable[[int, int, object], object]] = []
    for kind in sheet.kinds:
        if kind == "text":
            writers.append(ws.write_string)
        elif kind == "number":
            writers.append(ws.write_number)
        else:
            writers.append(functools.partial(_write_fmt, ws.write_number, fmt=formats[kind]))
    n = len(lists[0]) if lists else 0
    for r in range(n):
        row = r + 1
        for c, values in enumerate(lists):
            v = values[r]
            if v is not None and v != "":
                writers[c](row, c, v)


def _write_fmt(
    write: Callable[..., object], row: int, col: int, value: object, fmt: object
) -> object:
    return write(row, col, value, fmt)


def write_csv(path: Path, sheet: Sheet, fmt: FileFormat) -> None:
    """A CSV in the format's delimiter, encoding and line ends; empty cells are ''."""
    frame = pd.DataFrame(
        {i: pd.Series(c, dtype=object).where(pd.notna(c), "") for i, c in enumerate(sheet.columns)}
    )
    frame.columns = sheet.headers
    with atomic_file(path) as tmp:
        frame.to_csv(
            tmp,
            sep=fmt.delimiter or ";",
            index=False,
            encoding=fmt.encoding,
            lineterminator=fmt.line_end,
        )


def write_text(path: Path, text: str) -> None:
    """UTF-8 text, whole or not at all."""
    atomic_write_text(path, text)
