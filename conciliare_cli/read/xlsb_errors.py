"""The error cells of an .xlsb sheet, which python-calamine returns as empty strings.

An .xlsb is a zip of BIFF12 record streams. Excel writes an error as a BrtCellError record (a
typed #N/A) or a BrtFmlaError record (a formula whose saved result is an error). This module
finds the sheet's part through xl/workbook.bin (BrtBundleSh: relationship id and name) and
its relationships, walks the part's records (BrtRowHdr gives the row) and gives (row,
column, text) 0-based, as calamine counts them. The walk is one Python step per record
(about as long as calamine's own reading, see the README): it is skipped when the part
holds no byte pair that can begin an error record. A part it cannot follow gives what was
found so far (calamine then says what is wrong, or reads it as before). See read/clean.py
for what an error cell reads as.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

from conciliare_cli.read import guard
from conciliare_cli.read.xls_errors import ERROR_TEXTS

_ROW_HDR, _CELL_ERROR, _FMLA_ERROR, _BUNDLE_SH = 0x00, 0x03, 0x0B, 0x9C
_ERROR_KINDS = frozenset((_CELL_ERROR, _FMLA_ERROR))
# an error record's first bytes: its type, then its size (9 for a cell, 15 or more for a
# formula: a varint, so any byte from 0x0F)
_MAYBE_ERROR = re.compile(rb"\x03\x09|\x0b[\x0f-\xff]")
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def xlsb_error_cells(path: Path, rel: str, sheet: str) -> list[tuple[int, int, str]]:
    """(row, column, text) of the error cells of `sheet`, 0-based; [] when there are none
    or the file cannot be followed."""
    zf = guard.check_zip(path, rel)
    if zf is None:
        return []
    with zf:
        try:
            part = _sheet_part(zf, sheet)
            if part is None or part not in zf.NameToInfo:
                return []
            data = zf.read(part)  # its unpacked size is within guard's limit
        except (KeyError, ValueError, zipfile.BadZipFile, ET.ParseError, OSError):
            return []
    if not _MAYBE_ERROR.search(data):
        return []
    return _scan(data)


def records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(type, start, end) of each BIFF12 record of `data` (a truncated last one is cut)."""
    pos, n = 0, len(data)
    while pos < n:
        kind = shift = 0
        for _ in range(2):  # the type: at most 2 bytes of 7 bits
            byte = data[pos]
            pos += 1
            kind |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80 or pos >= n:
                break
        size = shift = 0
        for _ in range(4):  # the size: at most 4 bytes of 7 bits
            if pos >= n:
                return
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        yield kind, pos, min(pos + size, n)
        pos += size


def _wide(data: bytes, at: int) -> tuple[str | None, int]:
    """An XLWideString (or a null XLNullableWideString) at `at`: (text, where it ends)."""
    count = struct.unpack_from("<I", data, at)[0]
    if count == 0xFFFFFFFF:
        return None, at + 4
    end = at + 4 + 2 * count
    if end > len(data):
        raise ValueError("a string past the record")
    return data[at + 4 : end].decode("utf-16-le", "replace"), end


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member of `sheet`: its relationship id in xl/workbook.bin, its target in the
    workbook's relationships."""
    book = zf.read("xl/workbook.bin")
    rel_id = None
    for kind, start, end in records(book):
        if kind == _BUNDLE_SH and end - start >= 12:
            body = book[start:end]
            rid, at = _wide(body, 8)
            name, _ = _wide(body, at)
            if name == sheet:
                rel_id = rid
                break
    if rel_id is None:
        return None
    rels = ET.fromstring(zf.read("xl/_rels/workbook.bin.rels"))
    for item in rels.iter(_RELS):
        if item.get("Id") == rel_id:
            target = item.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _scan(data: bytes) -> list[tuple[int, int, str]]:
    """The error cells of a sheet part: `records`' walk written out in one loop (a sheet has
    a record per cell: this is the reader's only Python step per cell of an .xlsb)."""
    out: list[tuple[int, int, str]] = []
    row = pos = 0
    n = len(data)
    unpack = struct.unpack_from
    while pos < n:
        kind = data[pos]
        pos += 1
        if kind & 0x80:  # a type of two bytes
            if pos >= n:
                break
            kind = (kind & 0x7F) | ((data[pos] & 0x7F) << 7)
            pos += 1
        if pos >= n:
            break
        size = data[pos]
        pos += 1
        if size & 0x80:  # a size of up to four bytes
            size, shift = size & 0x7F, 7
            for _ in range(3):
                if pos >= n:
                    return out
                byte = data[pos]
                pos += 1
                size |= (byte & 0x7F) << shift
                shift += 7
                if byte < 0x80:
                    break
        if kind == _ROW_HDR and size >= 4 and pos + 4 <= n:
            row = unpack("<I", data, pos)[0]
        elif kind in _ERROR_KINDS and size >= 9 and pos + 9 <= n:
            text = ERROR_TEXTS.get(data[pos + 8], "#ERRORE")
            out.append((row, unpack("<I", data, pos)[0], text))
        pos += size
    return out
