"""The error cells of an .xls sheet, which python-calamine returns as empty strings.

An .xls file is an OLE2 compound file whose 'Workbook' stream is a list of BIFF8 records.
Excel writes an error as a BOOLERR record (a typed #N/A) or as a FORMULA record whose saved
result is an error (=1/0 saved as #DIV/0!). This module reads the compound file's sector
chains (every chain bounded by the file's size, so a loop in a damaged file ends), finds the
sheet's records through its BOUNDSHEET record, and gives (row, column, text) 0-based, as
calamine counts them. A file it cannot follow gives [] (calamine then says what is wrong, or
reads it as before). See read/clean.py for what an error cell reads as.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE
_BOUNDSHEET, _BOF, _EOF, _BOOLERR, _FORMULA = 0x0085, 0x0809, 0x000A, 0x0205, 0x0006
ERROR_TEXTS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}


class _Broken(Exception):
    """The compound file cannot be followed (calamine will say what is wrong)."""


def xls_error_cells(path: Path, sheet: str) -> list[tuple[int, int, str]]:
    """(row, column, text) of the error cells of `sheet`, 0-based; [] when there are none
    or the file cannot be followed."""
    data = path.read_bytes()
    try:
        stream = workbook_stream(data)
        if not any(m in stream for m in (b"\x05\x02", b"\x06\x00")):
            return []
        start = sheet_offset(stream, sheet)
        return [] if start is None else _scan(stream, start)
    except (_Broken, struct.error, IndexError, UnicodeDecodeError):
        return []


# ------------------------------------------------------------------ the compound file


def _chain(fat: list[int], first: int, limit: int) -> list[int]:
    out: list[int] = []
    sector = first
    while sector != _END and 0 <= sector < len(fat):
        out.append(sector)
        if len(out) > limit:
            raise _Broken("a loop in a sector chain")
        sector = fat[sector]
    return out


def workbook_stream(data: bytes) -> bytes:
    """The 'Workbook' stream of an .xls compound file (_Broken if it cannot be followed)."""
    if len(data) < 512 or data[:8] != _MAGIC:
        raise _Broken("not a compound file")
    size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    if size not in (512, 4096) or mini_size > size:
        raise _Broken("odd sector size")
    limit = len(data) // size + 1

    def sector(i: int) -> bytes:
        return data[(i + 1) * size : (i + 2) * size]

    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_mini_fat, _, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
    difat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _END]
    nxt = first_difat
    for _ in range(min(n_difat, limit)):
        block = struct.unpack(f"<{size // 4}I", sector(nxt))
        difat += [s for s in block[:-1] if s < _END]
        nxt = block[-1]
    fat: list[int] = []
    for s in difat[: min(n_fat, limit)]:
        fat += struct.unpack(f"<{size // 4}I", sector(s))
    directory = b"".join(sector(s) for s in _chain(fat, first_dir, limit))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    root = entries[0]
    for entry in entries:
        length = struct.unpack_from("<H", entry, 0x40)[0]
        name = entry[: max(0, length - 2)].decode("utf-16-le", "replace")
        if entry[0x42] == 2 and name in ("Workbook", "Book"):
            first, stream_size = struct.unpack_from("<II", entry, 0x74)
            if stream_size >= cutoff:
                body = b"".join(sector(s) for s in _chain(fat, first, limit))
                return body[:stream_size]
            mini_fat: list[int] = []
            for s in _chain(fat, first_mini_fat, limit):
                mini_fat += struct.unpack(f"<{size // 4}I", sector(s))
            root_first = struct.unpack_from("<I", root, 0x74)[0]  # the mini stream's sectors
            ministream = b"".join(sector(s) for s in _chain(fat, root_first, limit))
            chain = _chain(mini_fat, first, len(ministream) // mini_size + 1)
            body = b"".join(ministream[s * mini_size : (s + 1) * mini_size] for s in chain)
            return body[:stream_size]
    raise _Broken("no Workbook stream")


# ------------------------------------------------------------------ BIFF8 records


def records(stream: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    """(type, body) of the BIFF records from `start` (a truncated last record is cut)."""
    pos = start
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield kind, stream[pos + 4 : pos + 4 + length]
        pos += 4 + length


def sheet_offset(stream: bytes, sheet: str) -> int | None:
    """Where the sheet's records begin (its BOUNDSHEET record in the globals)."""
    for kind, body in records(stream, 0):
        if kind == _EOF:
            return None
        if kind == _BOUNDSHEET and len(body) >= 8:
            offset = struct.unpack_from("<I", body, 0)[0]
            count, wide = body[6], body[7] & 1
            raw = body[8 : 8 + count * (2 if wide else 1)]
            name = raw.decode("utf-16-le" if wide else "latin-1")
            if name == sheet:
                return offset
    return None


def _scan(stream: bytes, start: int) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for n, (kind, body) in enumerate(records(stream, start)):
        if kind == _EOF or (kind == _BOF and n):
            break
        if kind == _BOOLERR and len(body) >= 8 and body[7] == 1:
            row, col = struct.unpack_from("<HH", body, 0)
            out.append((row, col, ERROR_TEXTS.get(body[6], "#ERRORE")))
        elif kind == _FORMULA and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":
            row, col = struct.unpack_from("<HH", body, 0)
            out.append((row, col, ERROR_TEXTS.get(body[8], "#ERRORE")))
    return out
