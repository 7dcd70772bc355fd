"""The reader's limits, checked before a file is read, and what python-calamine does not say.

python-calamine builds a sheet as one dense block from its first to its last cell when the
sheet is opened (`get_sheet_by_name`), before its `height`/`width` can be asked: a 28 KB xlsx
with one value at XFD1048576 asks for 2^34 cells (550 GB) and the process aborts. So the sheet
XML of an xlsx/xlsm is scanned first, streamed out of the zip, for the block the cells span
(and for its error cells, which calamine returns as empty strings: see read/clean.py). ODS
content is bounded by its repeated rows and columns; .xls cannot exceed 65,536 x 256 cells.
CSV files are checked on their text before pandas parses them.

Every limit is here, in one place, with the reason for its value (README "Limiti e garanzie").
A file over a limit stops the run with an Italian UserError naming file and sheet (exit 2).
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from conciliare_cli.errors import UserError

# Excel's own sheet limits: a partner's file must open in Excel to be corrected.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
# The block of cells a sheet spans (rows x columns, empty cells included): 1,000,000 minors
# on one row each, with 32 columns, fit. Measured (README "Limiti e garanzie"): reading an
# xlsx of 1,000,001 x 21 cells (110 MB) peaks at 2.96 GB, about 140 bytes a cell (calamine's
# 32-byte cells, then Python's lists and pandas), so this limit is about 4.5 GB of memory.
MAX_CELLS = 32_000_000
# Excel's limit on the characters of one cell.
MAX_CELL_CHARS = 32_767
# A file on disk, and what a spreadsheet's zip may unpack to (all its parts together).
MAX_FILE_BYTES = 1 << 30  # 1 GiB
MAX_UNPACKED_BYTES = 4 << 30  # 4 GiB

HINT_SPLIT = (
    "se il file è davvero così grande dividilo in più file (il partner può indicarne più "
    "d'uno in 'files'); altrimenti aprilo con Excel, cancella le righe e le colonne vuote in "
    "fondo e a destra dei dati e salvalo di nuovo"
)
_CHUNK = 1 << 24
_FIRST_LOOK = 1 << 20  # bytes of the first chunk looked at cell by cell


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def too_big(rel: str, what: str, sheet: str = "") -> UserError:
    where = f"foglio '{sheet}': " if sheet else ""
    return UserError(f"{where}{what}: il file non viene letto", file=rel, hint=HINT_SPLIT)


def check_size(path: Path, rel: str) -> None:
    """The file on disk is not over MAX_FILE_BYTES."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise too_big(rel, f"il file è di {_n(size)} byte, oltre il limite di {_n(MAX_FILE_BYTES)}")


def check_block(rel: str, sheet: str, rows: int, cols: int) -> None:
    """A block of rows x columns within MAX_ROWS, MAX_COLUMNS and MAX_CELLS."""
    if rows > MAX_ROWS:
        raise too_big(rel, f"{_n(rows)} righe, oltre il limite di {_n(MAX_ROWS)}", sheet)
    if cols > MAX_COLUMNS:
        raise too_big(rel, f"{_n(cols)} colonne, oltre il limite di {_n(MAX_COLUMNS)}", sheet)
    if rows * cols > MAX_CELLS:
        raise too_big(
            rel,
            f"i dati occupano {_n(rows)} righe per {_n(cols)} colonne ({_n(rows * cols)} "
            f"celle), oltre il limite di {_n(MAX_CELLS)} celle",
            sheet,
        )


# ------------------------------------------------------------------ xlsx / xlsm


@dataclass
class SheetScan:
    """What the sheet XML says before calamine reads it: the block its cells span (0-based
    first row and column, as calamine counts them) and its error cells."""

    first_row: int = -1
    first_col: int = -1
    rows: int = 0
    cols: int = 0
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # row, col, '#N/A'


_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix (x:c)
_CELL_REF = re.compile(rb"<" + _P + rb'c\b[^>]*?\br="([A-Z]{1,4})(\d{1,8})"[^>]*(?<!/)>')
_CELL_NO_REF = re.compile(rb"<" + _P + rb'c(?:\s(?![^>]*\br=")[^>]*)?>')
_ROW_TAG = re.compile(rb"<" + _P + rb"row\b")
_ROW_NUM = re.compile(rb"<" + _P + rb'row\b[^>]*?\br="(\d{1,8})"')
_ERROR_CELL = re.compile(rb"<" + _P + rb'c\b[^>]*?\bt="e"[^>]*>(.{0,400}?)</' + _P + rb"c>", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,4})(\d{1,8})"')
_ANY_REF = re.compile(rb'<c r="([A-Z]{1,4})\d')
_VALUE = re.compile(rb"<" + _P + rb"v>([^<]{0,100})</")


def column_number(letters: bytes | str) -> int:
    """b'A' -> 0, b'XFD' -> 16383."""
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def xlsx_sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member of its XML, from workbook.xml and its relationships."""
    try:
        book = _small(zf, "xl/workbook.xml")
        rels = _small(zf, "xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        rid, target = re.search(rb'\bId="([^"]*)"', tag), re.search(rb'\bTarget="([^"]*)"', tag)
        if rid and target:
            t = html.unescape(target[1].decode("utf-8", "replace"))
            targets[rid[1]] = t.lstrip("/") if t.startswith("/") else posixpath.join("xl", t)
    out = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book):
        name, rid = re.search(rb'\bname="([^"]*)"', tag), re.search(rb'\bid="([^"]*)"', tag)
        if name and rid and rid[1] in targets:
            out[html.unescape(name[1].decode("utf-8", "replace"))] = posixpath.normpath(
                targets[rid[1]]
            )
    return out


def _small(zf: zipfile.ZipFile, member: str, limit: int = 64 << 20) -> bytes:
    with zf.open(member) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise KeyError(member)
    return data


def check_zip(path: Path, rel: str) -> zipfile.ZipFile | None:
    """The file's zip (None when it is not a zip), its parts within MAX_UNPACKED_BYTES."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    total = sum(max(i.file_size, 0) for i in zf.infolist())
    if total > MAX_UNPACKED_BYTES:
        zf.close()
        raise too_big(
            rel,
            f"il file compresso si espande a {_n(total)} byte, "
            f"oltre il limite di {_n(MAX_UNPACKED_BYTES)}",
        )
    return zf


def scan_xlsx_sheet(path: Path, rel: str, sheet: str) -> SheetScan | None:
    """Scan one sheet of an xlsx/xlsm (None when the file or sheet cannot be found: calamine
    then says what is wrong); raise UserError when its block is over the limits."""
    zf = check_zip(path, rel)
    if zf is None:
        return None
    with zf:
        member = xlsx_sheet_parts(zf).get(sheet)
        if member is None or member not in zf.NameToInfo:
            return None
        scan = _scan_member(zf, member, rel, sheet)
    check_block(rel, sheet, scan.rows, scan.cols)
    return scan


@dataclass
class _Tally:
    """Running counts over the chunks of a sheet's XML.

    Fast path (a chunk whose cells all start `<c r="` with a column already seen): one regex
    search that finds nothing, no Python object per cell: about 4 s a GB of XML. Otherwise
    the chunk's cells are looked at one by one (the first chunk, new columns, cells without
    a reference or with a namespace prefix)."""

    first: int = -1  # the row of the first and of the last cell (0-based)
    last: int = -1
    columns: set[bytes] = field(default_factory=set)  # of the cells with a value
    seen: set[bytes] = field(default_factory=set)  # of every cell with a reference
    unnamed: int = 0  # cells without a reference (placed one after the other)
    row_tags: int = 0
    max_row_attr: int = 0
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    unusual: re.Pattern[bytes] | None = None

    def add(self, part: bytes) -> None:
        if self.unusual is None and len(part) > _FIRST_LOOK:
            # the first chunk: cell by cell only for its first rows, which name the columns;
            # the rest of it takes the fast path like every later chunk
            cut = part.rfind(b"row>", 0, _FIRST_LOOK) + 4
            if cut >= 4:
                self.add(part[:cut])
                self.add(part[cut:])
                return
        if self.unusual is None or self.unusual.search(part) or self.unnamed:
            self._look(part)
        window = 1 << 16
        while True:  # the last cell of the chunk, looking further back until one is found
            tail = _CELL_REF.findall(part[-window:])
            if tail or window >= len(part):
                break
            window *= 4
        if tail:
            self.last = int(tail[-1][1]) - 1
        if b't="e"' in part:
            self.errors += _error_cells(part)

    def _look(self, part: bytes) -> None:
        refs = _CELL_REF.findall(part)
        if refs and self.first < 0:
            self.first = int(refs[0][1]) - 1
        self.columns |= {r[0] for r in refs}
        self.seen |= set(_ANY_REF.findall(part))  # empty styled cells too (fast path only)
        self.unnamed += len(_CELL_NO_REF.findall(part))
        self.row_tags += len(_ROW_TAG.findall(part))
        nums = _ROW_NUM.findall(part)
        if nums:
            self.max_row_attr = max(self.max_row_attr, *map(int, nums))
        if re.search(rb"<\w+:sheetData", part[:65536]):
            self.unusual = re.compile(rb"<")  # a namespace prefix: look at every chunk
        else:
            known = b"|".join(sorted(self.columns | self.seen, key=len, reverse=True)) or b"@"
            self.unusual = re.compile(rb'<c(?:>| (?!r="(?:' + known + rb")\d))")

    def block(self) -> tuple[int, int, int]:
        """(rows, columns, first column) of the block calamine will allocate."""
        cols = sorted(column_number(c) for c in self.columns)
        rows = self.last - self.first + 1 if self.first >= 0 else 0
        width = cols[-1] - cols[0] + 1 if cols else 0
        if self.unnamed:  # calamine places them after the previous cell, on their row
            rows = max(rows, self.row_tags, self.max_row_attr)
            width = max(width, min(self.unnamed, MAX_COLUMNS + 1))
        return rows, width, cols[0] if cols else -1


def chunks(zf: zipfile.ZipFile, member: str, rel: str, sheet: str = "") -> Iterator[bytes]:
    """The member's bytes in pieces cut after a row (or a tag), within MAX_UNPACKED_BYTES."""
    unpacked = 0
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            unpacked += len(chunk)
            if unpacked > MAX_UNPACKED_BYTES:
                raise too_big(rel, "il contenuto si espande oltre il limite", sheet)
            data = tail + chunk
            cut = data.rfind(b"row>") + 4
            if cut < 4:
                cut = data.rfind(b">") + 1
            yield data[:cut]
            tail = data[cut:]
    yield tail


def _scan_member(zf: zipfile.ZipFile, member: str, rel: str, sheet: str) -> SheetScan:
    t = _Tally()
    for part in chunks(zf, member, rel, sheet):
        t.add(part)
    if t.last < t.first:
        raise UserError(
            f"foglio '{sheet}': le righe sono in un ordine non valido, il file è danneggiato",
            file=rel,
            hint="aprilo con Excel o LibreOffice e salvalo di nuovo",
        )
    rows, cols, first_col = t.block()
    return SheetScan(t.first, first_col, rows, cols, t.errors)


def _error_cells(part: bytes) -> list[tuple[int, int, str]]:
    out = []
    for m in _ERROR_CELL.finditer(part):
        ref = _REF.search(m[0][: m[0].find(b">") + 1])
        value = _VALUE.search(m[1])
        if ref is None:
            continue
        text = value[1].decode("utf-8", "replace").strip() if value else ""
        out.append((int(ref[2]) - 1, column_number(ref[1]), html.unescape(text) or "#ERRORE"))
    return out


# ------------------------------------------------------------------ ods

_REPEAT = re.compile(rb'number-(rows|columns)-repeated="(\d{1,10})"')


def check_ods(path: Path, rel: str) -> None:
    """An ODS whose repeated rows or columns (table:number-rows-repeated) go beyond Excel's
    limits is refused; so is content that unpacks beyond MAX_UNPACKED_BYTES."""
    zf = check_zip(path, rel)
    if zf is None:
        return
    rows = cols = 0
    with zf:
        if "content.xml" not in zf.NameToInfo:
            return
        for part in chunks(zf, "content.xml", rel):
            for kind, count in _REPEAT.findall(part):
                if kind == b"rows":
                    rows = max(rows, int(count))
                else:
                    cols = max(cols, int(count))
    _check_repeats(rel, rows, cols)


def _check_repeats(rel: str, rows: int, cols: int) -> None:
    # calamine skips trailing repeated empty rows and columns; a repeat above Excel's limits
    # is refused whatever it holds (LibreOffice itself never writes one).
    if rows > MAX_ROWS or cols > MAX_COLUMNS:
        check_block(rel, "", min(rows, MAX_ROWS + 1), min(cols, MAX_COLUMNS + 1))


# ------------------------------------------------------------------ CSV


@dataclass
class TextShape:
    lines: int  # line breaks (an upper bound of the rows)
    longest: int  # bytes of the longest line (an upper bound of a cell's characters)


def check_csv(data: bytes, rel: str) -> TextShape:
    """A CSV's lines within MAX_ROWS; its longest line, measured without decoding it."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    lines = len(ends) + (0 if data.endswith(b"\n") or not data else 1)
    if lines > MAX_ROWS:
        raise too_big(rel, f"{_n(lines)} righe, oltre il limite di {_n(MAX_ROWS)}")
    bounds = np.concatenate([[-1], ends, [len(data)]])
    longest = int(np.diff(bounds).max()) if len(data) else 0
    return TextShape(lines, longest)


def check_csv_width(rel: str, lines: int, width: int) -> None:
    """A CSV parsed into `width` columns stays within MAX_COLUMNS and MAX_CELLS."""
    check_block(rel, "", lines, width)
