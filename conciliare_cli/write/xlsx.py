"""Print-ready Italian Excel tables over XlsxWriter.

Usage::

    from conciliare_cli.write.xlsx import Column, write_table, xlsx_workbook

    cols = [
        Column("rank", "Posizione", "int"),
        Column("application_id", "Protocollo"),
        Column("awarded_cents", "Importo assegnato", "money_cents", total=True),
    ]
    with xlsx_workbook(path, run_date=date(2017, 9, 15), title=call_title) as wb:
        write_table(wb, "Graduatoria", frame, cols, title=call_title,
                    status="PROVVISORIA", run_date=date(2017, 9, 15))

Every text cell is written with `write_string` (never as a formula: "=1+1" stays text), NA is a
blank cell, numbers carry Italian-looking formats (Excel localises the separators), and the file
is byte-for-byte reproducible: the workbook's created date is the run date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Literal

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from conciliare_cli.atomic import atomic_file
from conciliare_cli.italian import date_short

ColumnKind = Literal["text", "int", "number", "money_cents", "score", "date", "datetime", "bool"]
KINDS: tuple[str, ...] = ColumnKind.__args__  # type: ignore[attr-defined]

# Number formats: Excel stores them with '.' and ',' and shows them with the user's locale, so an
# Italian Excel shows 1.234,56 € and 15/09/2017.
MONEY_FORMAT = '#,##0.00 "€"'
INT_FORMAT = "0"
NUMBER_FORMAT = "General"
SCORE_FORMAT = "General"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

FIXED_CREATED = dt.datetime(2000, 1, 1)  # when no run date is given: still reproducible
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
MAX_TEXT_WIDTH = 60
PAPER_A4 = 9
LINE_HEIGHT = 15  # points per line of 11-point text
FONT_SIZE = 11  # the cells' type: about 9 points printed on a table fitted to the page's width
ROW_BLOCK = 50_000  # rows converted to Python values at a time (bounds the memory)


@dataclass(frozen=True)
class Column:
    """One column of a table: where its values come from and how they look."""

    source: str  # column of the frame
    header: str  # Italian header
    kind: ColumnKind = "text"
    width: float | None = None  # characters; None = from the header and the values
    total: bool = False  # add this column's sum to a 'Totale' row (int / money_cents / number)
    wrap: bool = False  # wrap long text inside the cell

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} (one of {', '.join(KINDS)})")


ColumnSpec = Column | tuple


@dataclass(frozen=True)
class TableInfo:
    """Where write_table put things (0-based rows, as XlsxWriter counts)."""

    worksheet: Worksheet
    header_row: int
    first_row: int  # first data row
    last_row: int  # last row written (the totals row if any; header_row when no data)
    n_rows: int


# ----------------------------------------------------------------------------- workbooks


def new_workbook(
    target: str | os.PathLike | IO[bytes],
    *,
    run_date: dt.date | dt.datetime | None = None,
    title: str | None = None,
    subject: str | None = None,
) -> Workbook:
    """A Workbook set up for safe, reproducible output.

    Strings are never turned into formulas, URLs or numbers; the created date is the run date (or
    a fixed date), so two runs with the same inputs write identical bytes.
    """
    options = dict(WORKBOOK_OPTIONS)
    if not isinstance(target, str | os.PathLike):
        options["in_memory"] = True
    wb = xlsxwriter.Workbook(
        os.fspath(target) if isinstance(target, os.PathLike) else target, options
    )
    props: dict[str, object] = {"author": "conciliare", "created": _created(run_date)}
    if title:
        props["title"] = title
    if subject:
        props["subject"] = subject
    wb.set_properties(props)
    return wb


@contextlib.contextmanager
def xlsx_workbook(
    path: str | os.PathLike,
    *,
    run_date: dt.date | dt.datetime | None = None,
    title: str | None = None,
    subject: str | None = None,
) -> Iterator[Workbook]:
    """A workbook written atomically to `path`: whole on success, untouched on error."""
    with atomic_file(path) as tmp:
        wb = new_workbook(tmp, run_date=run_date, title=title, subject=subject)
        try:
            yield wb
        except BaseException:
            with contextlib.suppress(Exception):
                wb.close()  # release it; atomic_file discards the temp file
            raise
        wb.close()


def _created(run_date: dt.date | dt.datetime | None) -> dt.datetime:
    if run_date is None:
        return FIXED_CREATED
    if isinstance(run_date, pd.Timestamp):
        run_date = run_date.to_pydatetime()
    if isinstance(run_date, dt.datetime):
        return run_date.replace(tzinfo=None, microsecond=0)
    return dt.datetime.combine(run_date, dt.time())


# ----------------------------------------------------------------------------- formats


class _Formats:
    """The formats of one workbook, created once (XlsxWriter formats belong to a workbook)."""

    def __init__(self, wb: Workbook):
        base = {"valign": "top", "font_size": FONT_SIZE}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.subtitle = wb.add_format({"bold": True, "font_size": 12})
        self.note = wb.add_format({"italic": True, "font_size": FONT_SIZE})
        self.note_wrap = wb.add_format(
            {"italic": True, "font_size": FONT_SIZE, "text_wrap": True, "valign": "top"}
        )
        self.caption = wb.add_format({"bold": True, "font_size": 12})
        self.header = wb.add_format(
            {
                **base,
                "bold": True,
                "text_wrap": True,
                "bg_color": "#D9E1F2",
                "border": 1,
            }
        )
        num = {
            "text": None,
            "int": INT_FORMAT,
            "number": NUMBER_FORMAT,
            "money_cents": MONEY_FORMAT,
            "score": SCORE_FORMAT,
            "date": DATE_FORMAT,
            "datetime": DATETIME_FORMAT,
            "bool": None,
        }
        self.cell: dict[tuple[str, bool, bool], object] = {}
        for kind, nf in num.items():
            for wrap in (False, True):
                for bold in (False, True):
                    spec: dict[str, object] = {**base, "border": 1, "border_color": "#BFBFBF"}
                    if nf:
                        spec["num_format"] = nf
                    if wrap:
                        spec["text_wrap"] = True
                    if kind == "bool":
                        spec["align"] = "center"
                    if bold:
                        spec["bold"] = True
                        spec["top"] = 2
                    self.cell[(kind, wrap, bold)] = wb.add_format(spec)
        self.empty = wb.add_format({**base, "italic": True})
        # per sheet: the next free row (to append blocks) and the column widths so far
        self.next_row: dict[str, int] = {}
        self.widths: dict[str, dict[int, float]] = {}


def _formats(wb: Workbook) -> _Formats:
    fm = getattr(wb, "_conciliare_formats", None)
    if fm is None:
        fm = _Formats(wb)
        wb._conciliare_formats = fm  # type: ignore[attr-defined]
    return fm


# ----------------------------------------------------------------------------- tables

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def safe_sheet_name(name: str) -> str:
    """A valid Excel sheet name: no []:*?/\\ and at most 31 characters."""
    cleaned = _BAD_SHEET_CHARS.sub("-", str(name)).strip("'").strip() or "Foglio"
    return cleaned[:31]


def header_text(title: str | None, status: str | None, run_date: dt.date | None) -> str:
    """The page header: call title on the left, status and date on the right."""
    right = " – ".join(p for p in [status or "", date_short(run_date) if run_date else ""] if p)
    left = _escape_header(title or "")
    right = _escape_header(right)
    budget = 240 - len(right)  # Excel's limit on the header string is 255 characters
    if len(left) > budget:
        left = left[: max(budget - 1, 0)].rstrip("&") + "…"
    parts = []
    if left:
        parts.append(f"&L{_sized(left)}")
    if right:
        parts.append(f'&R&"-,Bold"{_sized(right)}')
    return "".join(parts)


def _sized(text: str) -> str:
    """The text in the cells' type size (Excel's header code &NN; a space keeps a leading digit
    of the text from being read as part of the size)."""
    return f"&{FONT_SIZE}" + (" " if text[:1].isdigit() else "") + text


FOOTER = "&CPagina &P di &N"


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")


def write_table(
    workbook: Workbook,
    sheet_name: str,
    frame: pd.DataFrame,
    columns: Sequence[ColumnSpec],
    *,
    title: str | None = None,
    status: Literal["PROVVISORIA", "DEFINITIVA"] | str | None = None,
    run_date: dt.date | dt.datetime | None = None,
    subtitle: str | None = None,
    notes: Sequence[str] = (),
    caption: str | None = None,
    empty_text: str = "Nessuna riga.",
    fixed_header: bool = True,
    freeze_columns: int = 0,
    footer: tuple[str, str] = ("", ""),
    wrap_notes: bool = False,
) -> TableInfo:
    """Write `frame` as a formatted, print-ready table on sheet `sheet_name`.

    The first call for a sheet creates it with: the title (bold) and a line with the subtitle,
    status and date, the `notes` lines, then the table with a bold, wrapped, frozen header,
    autofilter, landscape A4 fitted to one page wide, the header row repeated on every page,
    the page header (title, status, date) and the footer 'Pagina N di M' (with `footer`'s left
    and right texts beside it: the approving act, the signature); `freeze_columns` keeps that
    many columns (the names) in view when scrolling right. Calling it again with
    the same sheet name appends another table below (with its `caption`), e.g. a summary sheet
    with several blocks; only the first table gets the frozen panes, the autofilter and the
    repeated header, and only when `fixed_header` (pass False for a sheet of several blocks, where
    the first block's header would be misleading on later pages). A column's width is the widest
    any block of the sheet asks for.

    `columns` are Column specs (or tuples with Column's arguments). Text is always written as a
    string (a value '=1+1' stays text); NA becomes a blank cell; booleans are 'Sì'/'No'.
    """
    specs = [c if isinstance(c, Column) else Column(*c) for c in columns]
    missing = [c.source for c in specs if c.source not in frame.columns]
    if missing:
        raise KeyError(f"columns not in the frame: {missing}")
    fm = _formats(workbook)
    name = safe_sheet_name(sheet_name)
    ws = workbook.get_worksheet_by_name(name)
    next_rows = fm.next_row
    first_table = ws is None
    if ws is None:
        ws = workbook.add_worksheet(name)
        row = 0
        if title:
            ws.write_string(row, 0, title, fm.title)
            row += 1
        line = " – ".join(
            p
            for p in [
                subtitle or "",
                status or "",
                f"aggiornata al {date_short(run_date)}" if run_date else "",
            ]
            if p
        )
        if line:
            ws.write_string(row, 0, line, fm.subtitle)
            row += 1
        for note in notes:
            if wrap_notes and len(specs) > 1:  # within the table's width: never cut in print
                _wrapped_note(ws, row, str(note), frame, specs, fm)
            else:
                ws.write_string(row, 0, str(note), fm.note)
            row += 1
        if row:
            row += 1  # a blank line before the table
        _page_setup(ws, title, status, run_date, footer)
    else:
        row = next_rows.get(name, 0)
        for note in notes:
            ws.write_string(row, 0, str(note), fm.note)
            row += 1
    if caption:
        ws.write_string(row, 0, caption, fm.caption)
        row += 1

    header_row = row
    first_row = header_row + 1
    n = len(frame)
    widths = fm.widths.setdefault(name, {})
    header_lines = 1
    layout: list[tuple[Column, object, float | None]] = []  # spec, format, wrap width
    for j, c in enumerate(specs):
        width = c.width if c.width is not None else _auto_width(frame[c.source], c)
        width = max(width, header_word_width(c.header))  # a header never breaks inside a word
        if c.total and n:
            width = max(width, _total_width(frame[c.source], c))  # never '###' for the total
        wrap = c.wrap or (c.kind == "text" and c.width is None and width >= MAX_TEXT_WIDTH)
        widths[j] = max(width, widths.get(j, 0.0))
        ws.set_column(j, j, widths[j])
        header_lines = max(header_lines, _wrapped_lines([c.header], widths[j], bold=True)[0])
        layout.append((c, fm.cell[(c.kind, wrap, False)], widths[j] if wrap else None))
    # Rows are written in order, each whole, with its height set first: the workbook may be in
    # constant-memory mode, where a row is flushed to disk as soon as the next one starts.
    ws.set_row(header_row, LINE_HEIGHT * header_lines + 3)
    for j, c in enumerate(specs):
        ws.write_string(header_row, j, c.header, fm.header)
    for start in range(0, n, ROW_BLOCK):
        _write_block(ws, first_row + start, frame.iloc[start : start + ROW_BLOCK], layout)
    last_row = header_row + n
    if n == 0:
        ws.write_string(first_row, 0, empty_text, fm.empty)
        last_row = first_row
    if n and any(c.total for c in specs):
        last_row += 1
        _write_totals(ws, last_row, frame, specs, fm)

    if first_table and fixed_header:
        ws.freeze_panes(first_row, freeze_columns)
        ws.autofilter(header_row, 0, max(header_row + n, header_row), len(specs) - 1)
        ws.repeat_rows(header_row)
    next_rows[name] = last_row + 2
    return TableInfo(ws, header_row, first_row, last_row, n)


def _wrapped_note(
    ws: Worksheet, row: int, note: str, frame: pd.DataFrame, specs: list[Column], fm: _Formats
) -> None:
    """A note merged over the table's columns, wrapped, its row as tall as its lines."""
    widths = [
        max(c.width if c.width is not None else _auto_width(frame[c.source], c),
            header_word_width(c.header))
        for c in specs
    ]  # fmt: skip
    lines = int(_wrapped_lines([note], sum(widths))[0])
    ws.set_row(row, LINE_HEIGHT * lines + 2)
    ws.merge_range(row, 0, row, len(specs) - 1, note, fm.note_wrap)


def footer_text(left: str = "", right: str = "") -> str:
    """The page footer: `left` (the approving act), 'Pagina N di M', `right` (the signature);
    Excel's limit on the footer string is 255 characters."""
    parts = []
    if left:
        parts.append(f"&L{_sized(_escape_header(left)[:100])}")
    parts.append(f"&C{_sized(FOOTER[2:])}")
    if right:
        parts.append(f"&R{_sized(_escape_header(right)[:100])}")
    return "".join(parts)


def _page_setup(
    ws: Worksheet,
    title: str | None,
    status: str | None,
    run_date: dt.date | None,
    footer: tuple[str, str] = ("", ""),
) -> None:
    ws.set_landscape()
    ws.set_paper(PAPER_A4)
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    ws.set_margins(left=0.3, right=0.3, top=0.75, bottom=0.75)
    ws.set_header(header_text(title, status, _as_date(run_date)), {"margin": 0.3})
    ws.set_footer(footer_text(*footer), {"margin": 0.3})
    ws.hide_gridlines(1)  # gridlines on screen, not on paper: the table cells have borders


def _as_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _write_block(
    ws: Worksheet,
    first_row: int,
    frame: pd.DataFrame,
    layout: list[tuple[Column, object, float | None]],
) -> None:
    """Write the rows of `frame` from `first_row` on: text as strings, numbers as numbers, NA
    as a blank cell that keeps the table's borders; rows with wrapped text get the height of
    their longest cell.

    In constant-memory mode (every workbook written to a file) the rows' XML is made a column
    at a time and appended to the worksheet's row data, as XlsxWriter itself would write it;
    otherwise (a workbook in memory) each cell goes through XlsxWriter's typed methods."""
    n = len(frame)
    row_lines = np.ones(n, dtype=np.int64)
    columns: list[list | np.ndarray] = []
    for c, _fmt, wrap_width in layout:
        series = frame[c.source]
        if c.kind in ("text", "bool"):
            texts = _text_values(series) if c.kind == "text" else _bool_values(series)
            if wrap_width is not None and n:
                row_lines = np.maximum(row_lines, _wrapped_lines(texts, wrap_width))
            columns.append(texts)
        else:
            columns.append(_numeric_values(series, c.kind))
    heights = {
        first_row + int(i): LINE_HEIGHT * int(row_lines[i]) + 2
        for i in np.flatnonzero(row_lines > 1)
    }
    if n and _can_stream(ws, first_row):
        _stream_block(ws, first_row, n, layout, columns, heights)
        return
    kinds = [(j, c.kind in ("text", "bool"), fmt) for j, (c, fmt, _) in enumerate(layout)]
    lists = [col if isinstance(col, list) else col.tolist() for col in columns]
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    for i, values in enumerate(zip(*lists, strict=True)):
        r = first_row + i
        if r in heights:
            ws.set_row(r, heights[r])
        for (j, is_text, fmt), v in zip(kinds, values, strict=True):
            if is_text:
                if v:
                    write_string(r, j, v, fmt)
                else:
                    write_blank(r, j, None, fmt)
            elif v != v:  # NaN: missing
                write_blank(r, j, None, fmt)
            else:
                write_number(r, j, v, fmt)


def _can_stream(ws: Worksheet, first_row: int) -> bool:
    """Rows can be appended as XML: constant-memory mode, its row file open, rows in order."""
    return (
        bool(getattr(ws, "constant_memory", False))
        and getattr(ws, "row_data_fh", None) is not None
        and not getattr(ws, "row_data_fh_closed", True)
        and first_row >= ws.previous_row
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


_ROWS_AT_ONCE = 20_000  # rows of a block joined into one string: bounded memory


def _stream_block(
    ws: Worksheet,
    first_row: int,
    n: int,
    layout: list[tuple[Column, object, float | None]],
    columns: list[list | np.ndarray],
    heights: dict[int, float],
) -> None:
    """Append rows first_row.. as <row> XML to the worksheet's constant-memory row data.

    The XML is what XlsxWriter writes for write_string (inline string: escaped, control
    characters as _xHHHH_, xml:space="preserve" for edge spaces), write_number ('%.16G') and
    write_blank with a format, and set_row (ht in points of whole pixels, customHeight)."""
    ws._write_single_row(first_row)  # flush the row XlsxWriter still holds (the header)
    last = first_row + n - 1
    ws._check_dimensions(first_row, 0)
    ws._check_dimensions(last, len(layout) - 1)
    rows = (np.arange(first_row, last + 1) + 1).astype(str).astype(object)
    attrs = np.full(n, ">", dtype=object)
    for r, h in heights.items():
        pixels = int(h * 4.0 / 3.0 + 0.5)
        attrs[r - first_row] = f' ht="{pixels * 0.75:.16g}" customHeight="1">'
    if getattr(ws, "excel_version", 2007) == 2010:
        attrs = attrs + ' x14ac:dyDescent="0.25"'
    # the pieces of every row side by side (one column of the grid per piece), joined once:
    # adding column after column to a growing row string would copy each row ~30 times
    pieces: list[object] = ['<row r="', rows, '"', attrs]
    for j, ((_c, fmt, _), values) in enumerate(zip(layout, columns, strict=True)):
        style = f'" s="{fmt._get_xf_index()}"'  # type: ignore[attr-defined]
        if isinstance(values, list):
            cells = _inline_strings(values)
            empty = np.asarray(values, dtype=object) == ""
        else:
            cells = _number_texts(values)
            empty = np.isnan(values)
        pieces += [f'<c r="{xl_col_to_name(j)}', rows, style, np.where(empty, "/>", cells)]
    pieces.append("</row>")
    fh = ws.row_data_fh
    for start in range(0, n, _ROWS_AT_ONCE):
        stop = min(start + _ROWS_AT_ONCE, n)
        grid = np.empty((stop - start, len(pieces)), dtype=object)
        for k, piece in enumerate(pieces):
            grid[:, k] = piece if isinstance(piece, str) else piece[start:stop]
        fh.write("".join(grid.ravel().tolist()))
    ws.previous_row = last


def _inline_strings(texts: list[str]) -> np.ndarray:
    """The tail of each text cell: ' t="inlineStr"><is><t>…</t></is></c>', escaped.

    Worked out once per distinct text (a column of outcomes or partners has a handful)."""
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object), sort=False)
    values: list[str] = uniques.tolist()
    if _CONTROL.search("\n".join(values)):  # rare: control characters or '_xHHHH_' texts
        from xlsxwriter.xmlwriter import XMLwriter

        values = [XMLwriter._escape_control_characters(t) for t in values]
    tails = np.array(
        [
            (' t="inlineStr"><is><t xml:space="preserve">' if _edge_space(t) else
             ' t="inlineStr"><is><t>') + t.translate(_XML_ESCAPES) + "</t></is></c>"
            for t in values
        ],
        dtype=object,
    )  # fmt: skip
    return tails[codes] if len(tails) else np.full(len(texts), "", dtype=object)


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _edge_space(text: str) -> bool:
    return bool(text) and (text[0].isspace() or text[-1].isspace())


def _number_texts(values: np.ndarray) -> np.ndarray:
    """The tail of each number cell: '><v>…</v></c>' with XlsxWriter's '%.16G'."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([f"><v>{v:.16G}</v></c>" for v in uniques.tolist()] + ["/>"], dtype=object)
    return texts[codes]  # NaN's code -1 picks the last: a blank cell


def _wrapped_lines(texts: list[str], width: float, bold: bool = False) -> np.ndarray:
    """How many lines each text takes when wrapped in a column `width` characters wide.

    Computed once per distinct text (a column of outcomes has a handful of them).
    """
    chars = max(int(width * (1.0 if bold else 1.1)), 1)  # Carlito/Calibri 11: narrow
    cache: dict[str, int] = {}
    out = np.ones(len(texts), dtype=np.int64)
    for i, t in enumerate(texts):
        if len(t) > chars or "\n" in t:
            lines = cache.get(t)
            if lines is None:
                lines = sum(max(len(textwrap.wrap(p, chars)), 1) for p in t.split("\n"))
                cache[t] = lines
            out[i] = lines
    return out


def _text_values(series: pd.Series) -> list[str]:
    values = series.astype(object)
    na = values.isna().to_numpy()
    out = values.where(~na, "").map(str).tolist()
    return out


def _bool_values(series: pd.Series) -> list[str]:
    values = series.astype(object).to_numpy()
    out: list[str] = []
    for v in values:
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            out.append("")
        else:
            out.append("Sì" if bool(v) else "No")
    return out


def _numeric_values(series: pd.Series, kind: str) -> np.ndarray:
    if kind in ("date", "datetime"):
        ts = pd.to_datetime(series, errors="coerce")
        if getattr(ts.dt, "tz", None) is not None:
            ts = ts.dt.tz_localize(None)
        if kind == "date":
            ts = ts.dt.floor("D")
        delta = (ts - EXCEL_EPOCH) / pd.Timedelta(days=1)
        return delta.to_numpy(dtype=np.float64, na_value=np.nan)
    values = pd.to_numeric(series, errors="raise")
    if kind == "money_cents":
        cents = values.astype("Int64")
        return cents.to_numpy(dtype=np.float64, na_value=np.nan) / 100
    floats = values.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    if kind == "int":
        return np.round(floats)
    if kind == "score":
        return np.round(floats, 3)
    return floats


def _write_totals(
    ws: Worksheet, row: int, frame: pd.DataFrame, specs: list[Column], fm: _Formats
) -> None:
    label_written = False
    for j, c in enumerate(specs):
        fmt = fm.cell[(c.kind, False, True)]
        if c.total:
            values = pd.to_numeric(frame[c.source], errors="raise")
            if c.kind == "money_cents":
                total = int(values.astype("Int64").fillna(0).sum()) / 100
            elif c.kind == "int":
                total = int(values.astype("Int64").fillna(0).sum())
            else:
                total = float(values.astype("Float64").fillna(0).sum())
            ws.write_number(row, j, total, fmt)
        elif not label_written:
            ws.write_string(row, j, "Totale", fm.cell[("text", False, True)])
            label_written = True
        else:
            ws.write_blank(row, j, None, fmt)


def header_word_width(header: str) -> float:
    """The width (in characters) the header's longest word needs in bold, with the cell's
    padding: a narrower column would break the word ('dell'apprendim/ento')."""
    longest = max((len(w) for w in header.split()), default=0)
    return float(int(longest * 1.0 + 0.999) + 1)


def _total_width(series: pd.Series, c: Column) -> float:
    """The width the column's total needs in bold (as '1.234.567,89 €'), with the padding."""
    values = pd.to_numeric(series, errors="coerce")
    total = abs(float(values.fillna(0).sum())) / (100 if c.kind == "money_cents" else 1)
    digits = len(f"{int(total):,}") + (5 if c.kind in ("money_cents", "number") else 0)
    return float(digits + 2)


def _auto_width(series: pd.Series, c: Column) -> float:
    words = c.header.split()
    header_w = max(min(len(c.header), 18), max((len(w) for w in words), default=0))
    if c.kind == "money_cents":
        value_w = 14
    elif c.kind == "date":
        value_w = 11
    elif c.kind == "datetime":
        value_w = 16
    elif c.kind == "bool":
        value_w = 4
    elif c.kind in ("int", "score", "number"):
        value_w = 8
    else:
        values = series.dropna()
        value_w = int(values.astype(str).str.len().max()) if len(values) else 0
    return float(min(max(header_w, value_w) + 1, MAX_TEXT_WIDTH))
