"""Open a partner file as a grid of raw cells and find its header row.

Spreadsheets (.xlsx, .xlsm, .xlsb, .xls, .ods) are read with python-calamine; CSV and text
exports with pandas' C parser, after detecting the encoding (UTF-8 with or without BOM,
UTF-16 with BOM, else Windows-1252) and the delimiter (; , TAB |). Files are only read.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine as pc

from conciliare_cli import italian
from conciliare_cli.errors import UserError
from conciliare_cli.read import guard
from conciliare_cli.read.clean import CellError, nan_to_error, without_invisible
from conciliare_cli.read.ods_errors import ods_error_cells
from conciliare_cli.read.values import cell_text, clean_text
from conciliare_cli.read.xls_errors import xls_error_cells
from conciliare_cli.read.xlsb_errors import xlsb_error_cells

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
HEADER_SEARCH_ROWS = 30
DELIMITERS = (";", ",", "\t", "|")
_DELIMITER_NAMES = {";": "punto e virgola", ",": "virgola", "\t": "tabulazione", "|": "barra"}


@dataclass
class Grid:
    """The cells of one sheet (or CSV file): an object DataFrame with columns 0..w-1.

    `first_row` is the number Excel (or a text editor) shows for the grid's first row;
    `first_col` the 0-based index of its first column (for column letters).
    """

    cells: pd.DataFrame
    sheet: str  # '' for CSV
    first_row: int
    first_col: int = 0
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    line_numbers: np.ndarray | None = None  # CSV with line breaks inside quoted cells

    def head(self, n: int = HEADER_SEARCH_ROWS) -> list[list[object]]:
        return self.cells.iloc[:n].to_numpy(dtype=object).tolist()

    def row_numbers(self) -> np.ndarray:
        """The number Excel (or a text editor) shows for each row of the grid."""
        if self.line_numbers is not None:
            return self.line_numbers
        return self.first_row + np.arange(len(self.cells))

    def row_number(self, index: int) -> int:
        if 0 <= index < len(self.cells):
            return int(self.row_numbers()[index])
        return self.first_row + max(index, 0)


def normalise_header(value: object) -> str:
    """Header comparison key: casefold, NBSP -> space, spaces collapsed, trimmed, invisible
    characters removed."""
    return clean_text(without_invisible(cell_text(value))).casefold()


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def find_header(rows: Sequence[Sequence[object]], expected: Iterable[str]) -> tuple[int, int]:
    """The index of the row matching the most expected headers (normalised), and the count.

    The first such row wins; (-1, 0) when no row matches any.
    """
    wanted = set(expected)
    best, best_count = -1, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {normalise_header(v) for v in row} & wanted
        if len(found) > best_count:
            best, best_count = i, len(found)
    return best, best_count


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name` (compared normalised), if any is close enough."""
    by_key = {normalise_header(c): c for c in candidates if normalise_header(c)}
    close = difflib.get_close_matches(normalise_header(name), list(by_key), n=1, cutoff=0.5)
    return by_key[close[0]] if close else None


# ------------------------------------------------------------------ spreadsheets


def open_workbook(path: Path, rel: str) -> pc.CalamineWorkbook:
    """The workbook, once its size (and an ODS's repeated rows) are within the limits."""
    guard.check_size(path, rel)
    if path.suffix.lower() == ".ods":
        guard.check_ods(path, rel)
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError as exc:
        raise UserError(
            "il file è protetto da password e non si può leggere",
            file=rel,
            hint="aprilo, togli la password e salvalo di nuovo",
        ) from exc
    except Exception as exc:  # calamine raises several kinds for a corrupt file
        if "cell limit" in str(exc).lower():  # calamine's own limit (an ODS is read whole)
            raise guard.too_big(rel, "i dati superano il limite di celle") from exc
        raise _unreadable(rel, exc, path) from exc


def _unreadable(rel: str, exc: Exception, path: Path | None = None) -> UserError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    hint = "aprilo con Excel o LibreOffice e salvalo di nuovo come .xlsx"
    if path is not None and _looks_like_text(path):
        hint = "il file sembra una pagina web o un testo salvato con l'estensione di Excel: " + hint
    return UserError(
        f"il file non si riesce a leggere: è danneggiato o non è nel formato che dice "
        f"il suo nome ({detail})",
        file=rel,
        hint=hint,
    )


def _looks_like_text(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError:
        return False
    return bool(head) and b"\0" not in head and not head.startswith(b"PK")


def worksheet_names(wb: pc.CalamineWorkbook) -> list[str]:
    """Names of the worksheets (chart sheets and the like left out), in workbook order."""
    try:
        return [m.name for m in wb.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet] or list(
            wb.sheet_names
        )
    except Exception:  # pragma: no cover - formats without metadata
        return list(wb.sheet_names)


def sheet_grid(wb: pc.CalamineWorkbook, name: str, rel: str, path: Path | None = None) -> Grid:
    """One sheet as a Grid (merged ranges kept, relative to the grid).

    An xlsx/xlsm sheet is scanned first (read/guard.py): over the limits it is refused before
    calamine allocates it, and its error cells are put back (calamine gives them as '')."""
    errors: list[tuple[int, int, str]] = []
    suffix = path.suffix.lower() if path is not None else ""
    if path is not None and suffix in (".xlsx", ".xlsm"):
        scan = guard.scan_xlsx_sheet(path, rel, name)
        errors = scan.errors if scan is not None else []
    try:
        sheet = wb.get_sheet_by_name(name)
        guard.check_block(rel, name, sheet.height, sheet.width)
        rows = sheet.to_python(skip_empty_area=True)
    except pc.WorksheetNotFound as exc:
        raise _unreadable(rel, Exception(f"manca il contenuto del foglio '{name}'")) from exc
    except UserError:
        raise
    except Exception as exc:
        if "cell limit" in str(exc).lower():  # calamine's own cell limit
            raise guard.too_big(rel, "il foglio supera il limite di celle", name) from exc
        raise _unreadable(rel, exc) from exc
    start = sheet.start
    if start is None or not rows:
        return Grid(pd.DataFrame(dtype=object), name, 1, 0)
    r0, c0 = start
    width = max(len(r) for r in rows)
    if any(len(r) != width for r in rows):  # pragma: no cover - calamine gives rectangles
        rows = [list(r) + [""] * (width - len(r)) for r in rows]
    cells = nan_to_error(pd.DataFrame(rows, dtype=object))
    cells.columns = range(cells.shape[1])
    if path is not None and suffix == ".ods":
        errors = ods_error_cells(path, rel, name)
    elif path is not None and suffix == ".xls":
        errors = xls_error_cells(path, name)
    elif path is not None and suffix == ".xlsb":
        errors = xlsb_error_cells(path, rel, name)
    for r, c, text in errors:
        if 0 <= r - r0 < len(cells) and 0 <= c - c0 < width and cells.iat[r - r0, c - c0] == "":
            cells.iat[r - r0, c - c0] = CellError(text)
    merged = [
        ((top - r0, left - c0), (bottom - r0, right - c0))
        for (top, left), (bottom, right) in getattr(sheet, "merged_cell_ranges", None) or []
    ]
    return Grid(cells, name, r0 + 1, c0, merged)


def fill_merged(grid: Grid, below: int) -> None:
    """Give every cell of a merged range below row `below` the value of its top-left cell
    (as Excel shows it), e.g. the applicant's cells merged over the rows of its minors."""
    cells = grid.cells
    height, width = cells.shape
    for (top, left), (bottom, right) in grid.merged:
        if top <= below or left < 0 or bottom >= height or right >= width:
            continue
        value = cells.iat[top, left]
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                if (r, c) != (top, left) and cells.iat[r, c] == "":
                    cells.iat[r, c] = value


# ------------------------------------------------------------------ CSV


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (else Latin-1)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def decode(data: bytes, encoding: str, rel: str) -> tuple[str, str]:
    """The text, and the codec used (UTF-8 named with a BOM present: utf-8-sig)."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError as exc:
        raise UserError(
            f"codifica '{encoding}' sconosciuta",
            file=rel,
            hint="usa ad esempio utf-8 o cp1252 (encoding in bando.yaml)",
        ) from exc
    if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError as exc:
        raise UserError(
            f"il file non è nella codifica {encoding} indicata in bando.yaml "
            f"(byte non valido alla posizione {exc.start})",
            file=rel,
            hint="togli 'encoding' dal partner in bando.yaml: la codifica viene rilevata",
        ) from exc


def sample_lines(text: str, n: int = HEADER_SEARCH_ROWS) -> list[str]:
    return text[:200_000].splitlines()[:n]


def split_sample(lines: list[str], delimiter: str, rel: str = "") -> list[list[str]]:
    """The sample lines split into fields (Python's csv module, its field limit raised for
    the sample's longest line: a long cell is marked on its row later, see mark_long_cells;
    a line that still cannot be split is a UserError naming the file, not a traceback)."""
    before = csv.field_size_limit()
    try:
        csv.field_size_limit(max(before, max(map(len, lines), default=0) + 1))
        return [row for row in csv.reader(lines, delimiter=delimiter)] if lines else []
    except csv.Error as exc:
        raise UserError(
            f"una delle prime righe ha una cella troppo lunga o non si riesce a dividere ({exc})",
            file=rel,
            hint="controlla le virgolette del file: una virgoletta non chiusa unisce molte "
            f"righe in una cella (limite di una cella: {guard.MAX_CELL_CHARS} caratteri)",
        ) from exc
    finally:
        csv.field_size_limit(before)


def detect_delimiter(lines: list[str], expected: set[str], rel: str = "") -> str:
    """The delimiter under which a sample row matches the most expected headers; on a tie
    (or no match at all), the one that splits the header lines into the most fields."""
    best, best_key = ";", (-1, -1)
    for d in DELIMITERS:
        try:
            rows = split_sample(lines, d, rel)
        except UserError:  # a field too long under this delimiter: not the delimiter
            continue
        idx, count = find_header(rows, expected)
        fields = len(rows[idx]) if idx >= 0 else max((len(r) for r in rows), default=0)
        key = (count, fields)
        if key > best_key:
            best, best_key = d, key
    return best


_EXPECTED_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def csv_grid(
    text: str,
    delimiter: str,
    width: int,
    rel: str,
    data: bytes | None = None,
    encoding: str | None = None,
    shape: guard.TextShape | None = None,
) -> Grid:
    """The whole CSV as an object grid (every cell a string); line n is row n.

    UTF-8 bytes go to the parser as they are (faster than the decoded text). The grid's
    size is checked against the limits before each parse (read/guard.py)."""
    width = max(width, 1)
    utf8 = data is not None and encoding in ("utf-8", "utf-8-sig")
    for _ in range(50):
        if shape is not None:
            guard.check_csv_width(rel, shape.lines, width)
        try:
            cells = pd.read_csv(
                io.BytesIO(data) if utf8 and data is not None else io.StringIO(text),
                encoding=encoding if utf8 else None,
                sep=delimiter,
                header=None,
                names=range(width),
                dtype=object,
                na_filter=False,
                keep_default_na=False,
                skip_blank_lines=False,
                engine="c",
                index_col=False,
            )
        except pd.errors.ParserError as exc:
            m = _EXPECTED_FIELDS.search(str(exc))
            if not m:
                raise UserError(
                    f"il file CSV non si riesce a leggere ({exc})",
                    file=rel,
                    hint="controlla le virgolette; aprilo con Excel e salvalo come .xlsx",
                ) from exc
            width = int(m[3])
            continue
        except pd.errors.EmptyDataError:
            return Grid(pd.DataFrame(dtype=object), "", 1, 0)
        cells.columns = range(cells.shape[1])
        grid = Grid(cells, "", 1, 0, line_numbers=_line_numbers(text, cells))
        if shape is not None and shape.longest > guard.MAX_CELL_CHARS:
            mark_long_cells(cells)
        return grid
    raise UserError("il file CSV ha righe con troppi campi", file=rel)  # pragma: no cover


def mark_long_cells(cells: pd.DataFrame) -> None:
    """A cell over MAX_CELL_CHARS characters (Excel's own limit: an unclosed quote joining
    many lines, or a crafted file) becomes an error cell saying its length: unreadable on
    that row (CELLA_IN_ERRORE when its column is mapped), the rest of the file is read."""
    for c in cells.columns:
        lengths = cells[c].str.len()
        long = (lengths > guard.MAX_CELL_CHARS).to_numpy(dtype=bool)
        for i in np.flatnonzero(long):
            size = italian.number(int(lengths.iat[i]))
            limit = italian.number(guard.MAX_CELL_CHARS)
            cells.iat[i, c] = CellError(f"testo di {size} caratteri, oltre il limite di {limit}")


def _line_numbers(text: str, cells: pd.DataFrame) -> np.ndarray | None:
    """Line numbers of the rows when quoted cells hold line breaks (else None: row i is
    line i + 1)."""
    breaks = text.count("\n") or text.count("\r")
    lines = breaks + (0 if text.endswith(("\n", "\r")) else 1)
    if lines == len(cells) or '"' not in text:
        return None
    extra = np.zeros(len(cells), dtype=np.int64)
    for c in cells.columns:
        col = cells[c]
        has = col.str.contains("\n|\r", regex=True, na=False).to_numpy(dtype=bool)
        if has.any():
            counts = col[has].str.count("\r\n|\r|\n").to_numpy(dtype=np.int64)
            extra[np.flatnonzero(has)] += counts
    return 1 + np.arange(len(cells)) + np.concatenate([[0], np.cumsum(extra)[:-1]])


def delimiter_name(d: str) -> str:
    return _DELIMITER_NAMES.get(d, repr(d))
