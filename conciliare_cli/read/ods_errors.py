"""The error cells of an ODS sheet, which python-calamine returns as empty strings.

LibreOffice marks a cell whose formula failed with `calcext:value-type="error"` and shows
the error (#DIV/0!, Err:502...) as its text. The content is parsed only when that marker
occurs at all (one byte search), with the positions counted as calamine counts them:
repeated rows and columns included. See read/clean.py for what an error cell reads as.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from conciliare_cli.read import guard

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CALC = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_CELLS = (f"{_T}table-cell", f"{_T}covered-table-cell")
_MARK = b'value-type="error"'


def ods_error_cells(path: Path, rel: str, sheet: str) -> list[tuple[int, int, str]]:
    """(row, column, text) of the error cells of `sheet`, 0-based; [] when there are none
    or the file cannot be opened (calamine then says what is wrong)."""
    zf = guard.check_zip(path, rel)
    if zf is None:
        return []
    with zf:
        if "content.xml" not in zf.NameToInfo or not any(
            _MARK in part for part in guard.chunks(zf, "content.xml", rel)
        ):
            return []
        with zf.open("content.xml") as fh:
            return _scan(fh, sheet)


def _scan(fh: zipfile.ZipExtFile, sheet: str) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    inside = False
    row = col = 0
    for event, elem in ET.iterparse(fh, events=("start", "end")):
        tag = elem.tag
        if tag == f"{_T}table":
            if event == "start":
                inside, row = elem.get(f"{_T}name") == sheet, 0
            elif inside:
                break
            continue
        if not inside or event != "end":
            continue
        if tag in _CELLS:
            repeat = int(elem.get(f"{_T}number-columns-repeated", "1"))
            if elem.get(f"{_CALC}value-type") == "error":
                text = "".join(elem.itertext()).strip() or "#ERRORE"
                out += [(row, col + k, text) for k in range(min(repeat, guard.MAX_COLUMNS))]
            col += repeat
        elif tag == f"{_T}table-row":
            row += int(elem.get(f"{_T}number-rows-repeated", "1"))
            col = 0
            elem.clear()
    return out
