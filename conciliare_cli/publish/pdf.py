"""The public list as PDF/A-3b and PDF/UA-1 (tagged), drawn directly: fast and linear at any size.

The list is one long table, so it is laid out here rather than by an HTML engine: WeasyPrint
took a third of a second a page (50 s for 6,000 applications, hours for a region-wide call).
The design is the one the list had as HTML/CSS, measured on WeasyPrint's output and kept to
the same numbers (CSS px, 96 to the inch): A4 portrait, margins 22/15/18/15 mm, DejaVu Sans;
the page header has the call title on the left (8 pt, grey) and status – date on the right
(8 pt bold), the footer 'Pagina N di M'; the first page has the title (14 pt bold), the status
line (12 pt bold), the notes (8.5 pt italic) and 'Graduatoria' (11 pt bold); the table is
9.5 pt with a blue-grey header row repeated on every page, 0.5 pt borders, 2 mm cell padding,
numbers right-aligned, ids and amounts never wrapped, rows never split, the total once after
the last row (bold, 1 pt rule above it); then 'Domande non ammesse (N)' and their table.
Column widths follow CSS automatic table layout (each column its widest text, the spare width
shared in proportion), so the columns are the same on every page.

Tagged for accessibility (publish/tagging.py): the title, the notes, the headings and every
table cell are in a structure tree a screen reader follows; the running header and footer,
the repeated header rows and the rules are artifacts. The file is written by publish/pdfwrite.py
(one compression of the many small structure objects).

Reproducible byte for byte: the dates are the run date (never the wall clock), the PDF
identifier comes from the call title, status and run date, the font subset's name from its
glyphs. Texts are written as glyph ids of an embedded font subset with a ToUnicode map, so they
can be searched and copied.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.util
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

import numpy as np
import pandas as pd
import pydyf

from conciliare_cli import __version__
from conciliare_cli.atomic import atomic_file
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_short, eur, score_it
from conciliare_cli.publish.fonts import Font, load_fonts
from conciliare_cli.publish.listing import COLUMN_HEADERS, PublicList
from conciliare_cli.publish.pdfwrite import write_pdf
from conciliare_cli.publish.tagging import TH_COLUMN, Tags, add_pdfua_xmp, artifact

PDF_VARIANT = "pdf/a-3b"

# ----------------------------------------------------------------------------- geometry (px)

MM = 96 / 25.4
PT = 96 / 72


def _font_size(points: float) -> float:
    """A font size in px, rounded to 1/1024 as Pango does."""
    return round(points * PT * 1024) / 1024


PAGE_W, PAGE_H = 210 * MM, 297 * MM
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 22 * MM, 15 * MM, 18 * MM, 15 * MM
BODY_MARGIN = 8.0  # the HTML body's default margin
LEFT = MARGIN_LEFT + BODY_MARGIN
RIGHT = PAGE_W - MARGIN_RIGHT - BODY_MARGIN
TOP = MARGIN_TOP
BOTTOM = PAGE_H - MARGIN_BOTTOM

SIZE_BODY = _font_size(9.5)
SIZE_H1 = _font_size(14)
SIZE_STATUS = _font_size(12)
SIZE_NOTE = _font_size(8.5)
SIZE_H2 = _font_size(11)
SIZE_MARGIN = _font_size(8)

BORDER = 0.5 * PT
BORDER_TOTAL = 1.0 * PT
PAD_X = 2 * MM
PAD_HEAD_Y = 1.2 * MM
PAD_CELL_Y = 1 * MM

H1_AFTER = 2 * MM
STATUS_AFTER = 4 * MM
NOTE_AFTER = 2 * MM
H2_BEFORE, H2_AFTER = 7 * MM, 2 * MM
EMPTY_MARGIN = SIZE_BODY  # a paragraph's default 1em margins

HEADER_FILL = (0xD9 / 255, 0xE1 / 255, 0xF2 / 255)
HEAD_RULE = 0x77 / 255
CELL_RULE = 0xBB / 255
TOTAL_RULE = 0x44 / 255
MARGIN_GREY = 0x44 / 255

FONT_NAMES = {"regular": "F1", "bold": "F2", "italic": "F3"}


# ----------------------------------------------------------------------------- metadata


def pdf_timestamp(run_date: dt.date) -> str:
    """The run date as a W3C datetime (XMP)."""
    return f"{run_date.isoformat()}T00:00:00Z"


def pdf_date(run_date: dt.date) -> str:
    """The run date as a PDF date (document information)."""
    return f"D:{run_date.strftime('%Y%m%d')}000000Z"


def pdf_identifier(title: str, status: str, run_date: dt.date, name: str) -> bytes:
    """A stable PDF identifier (first half of /ID): same call, status, date, document → same."""
    text = f"conciliare|{name}|{title}|{status}|{run_date.isoformat()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32].encode("ascii")


XMP_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}
for _prefix, _uri in XMP_NS.items():
    register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class Metadata:
    """The document information, written both in /Info and in the XMP packet (PDF/A wants
    them equal)."""

    title: str
    author: str
    subject: str
    creator: str
    producer: str
    date: dt.date

    def info(self) -> pydyf.Dictionary:
        return pydyf.Dictionary(
            {
                "Title": pydyf.String(self.title),
                "Author": pydyf.String(self.author),
                "Subject": pydyf.String(self.subject),
                "Creator": pydyf.String(self.creator),
                "Producer": pydyf.String(self.producer),
                "CreationDate": pydyf.String(pdf_date(self.date)),
                "ModDate": pydyf.String(pdf_date(self.date)),
            }
        )

    def xmp(self) -> bytes:
        rdf_ns, dc, xmp = XMP_NS["rdf"], XMP_NS["dc"], XMP_NS["xmp"]
        rdf = Element(f"{{{rdf_ns}}}RDF")

        def description() -> Element:
            element = SubElement(rdf, f"{{{rdf_ns}}}Description")
            element.attrib[f"{{{rdf_ns}}}about"] = ""
            return element

        ident = description()
        ident.attrib[f"{{{XMP_NS['pdfaid']}}}part"] = "3"
        ident.attrib[f"{{{XMP_NS['pdfaid']}}}conformance"] = "B"
        add_pdfua_xmp(rdf)
        description().attrib[f"{{{XMP_NS['pdf']}}}Producer"] = self.producer
        for tag, value in (("title", self.title), ("description", self.subject)):
            alt = SubElement(SubElement(description(), f"{{{dc}}}{tag}"), f"{{{rdf_ns}}}Alt")
            li = SubElement(alt, f"{{{rdf_ns}}}li")
            li.attrib["xml:lang"] = "x-default"
            li.text = value
        seq = SubElement(SubElement(description(), f"{{{dc}}}creator"), f"{{{rdf_ns}}}Seq")
        SubElement(seq, f"{{{rdf_ns}}}li").text = self.author
        SubElement(description(), f"{{{xmp}}}CreatorTool").text = self.creator
        SubElement(description(), f"{{{xmp}}}CreateDate").text = pdf_timestamp(self.date)
        SubElement(description(), f"{{{xmp}}}ModifyDate").text = pdf_timestamp(self.date)
        return b"\n".join(
            (
                b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>',
                b'<x:xmpmeta xmlns:x="adobe:ns:meta/">',
                tostring(rdf, encoding="utf-8"),
                b"</x:xmpmeta>",
                b'<?xpacket end="r"?>',
            )
        )


# ----------------------------------------------------------------------------- tables


@dataclass
class Table:
    """A table to draw: headers, column-major cell texts, alignment and wrapping per column,
    and an optional total row."""

    headers: list[str]
    columns: list[list[str]]
    right: list[bool]  # right-aligned (numbers)
    wrap: list[bool]  # may wrap (free text); the others never do
    total: list[str] | None = None
    total_amount: int | None = None  # the column of the total's amount (right-aligned)

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def _public_table(plist: PublicList) -> Table:
    frame = plist.ranked
    headers: list[str] = []
    columns: list[list[str]] = []
    right: list[bool] = []
    wrap: list[bool] = []
    for c in plist.columns:
        if c == "rank":
            texts = _texts(frame["rank"].astype("Int64"), str)
            headers.append(COLUMN_HEADERS["rank"])
            right.append(True)
            wrap.append(False)
        elif c == "public_id":
            texts = _texts(frame["public_id"], str)
            headers.append(plist.id_header)
            right.append(False)
            wrap.append(False)
        elif c == "score":
            texts = _texts(frame["score"], score_it)
            headers.append(COLUMN_HEADERS["score"])
            right.append(True)
            wrap.append(False)
        elif c == "status":
            texts = _texts(frame["status"], str)
            headers.append(COLUMN_HEADERS["status"])
            right.append(False)
            wrap.append(True)
        elif c == "waiting_position":
            texts = _texts(frame["waiting_position"].astype("Int64"), str)
            headers.append(COLUMN_HEADERS["waiting_position"])
            right.append(True)
            wrap.append(True)
        elif c == "awarded_eur":
            cents = pd.to_numeric(frame["awarded_cents"]).astype("Int64").fillna(0)
            texts = _texts(cents, eur)
            headers.append(COLUMN_HEADERS["awarded_eur"])
            right.append(True)
            wrap.append(False)
        else:  # pragma: no cover - publication.columns is validated by the config model
            continue
        columns.append(texts)
    total = None
    if "awarded_eur" in plist.columns and len(frame):
        amount = int(pd.to_numeric(frame["awarded_cents"]).astype("Int64").fillna(0).sum())
        others = [c for c in plist.columns if c != "awarded_eur"]
        label_at = others[0] if others else None
        total = [
            eur(amount) if c == "awarded_eur" else ("Totale" if c == label_at else "")
            for c in plist.columns
        ]
    amount_at = plist.columns.index("awarded_eur") if total is not None else None
    return Table(headers, columns, right, wrap, total, amount_at)


def _excluded_table(plist: PublicList) -> Table:
    cols = [c for c in plist.columns if c in ("public_id", "status")] or ["status"]
    headers = [plist.id_header if c == "public_id" else COLUMN_HEADERS["status"] for c in cols]
    columns = [_texts(plist.excluded[c], str) for c in cols]
    return Table(headers, columns, [False] * len(cols), [False] * len(cols))


def _texts(series: pd.Series, fmt) -> list[str]:
    """Each value formatted once per distinct value (Babel is slow); NA is ''."""
    values = series.astype(object)
    na = values.isna().to_numpy()
    present = values[~na]
    out = np.full(len(values), "", dtype=object)
    if len(present):
        codes, uniques = pd.factorize(present, sort=False)
        formatted = np.array([fmt(v) for v in uniques], dtype=object)
        out[~na] = formatted[codes]
    return out.tolist()


# ----------------------------------------------------------------------------- layout


class Canvas:
    """The pages' content streams, in CSS px with y downwards (as WeasyPrint draws)."""

    def __init__(self, fonts: dict[str, Font]):
        self.fonts = fonts
        self.pages: list[list[str]] = []
        self.tags = Tags()  # the structure tree (PDF/UA): what each text is
        self.new_page()

    def new_page(self) -> None:
        self.pages.append([f"1 0 0 -1 0 {_n(PAGE_H * 0.75)} cm", "0.75 0 0 0.75 0 0 cm"])

    @property
    def ops(self) -> list[str]:
        return self.pages[-1]

    @property
    def page(self) -> int:
        return len(self.pages) - 1

    def mark(self, element: int | None, ops: str) -> str:
        """`ops` as the content of structure `element`, or an artifact when None."""
        return artifact(ops) if element is None else self.tags.mark(self.page, element, ops)

    def text(
        self,
        style: str,
        size: float,
        x: float,
        y: float,
        text: str,
        grey: float | None = None,
        element: int | None = None,
    ) -> None:
        """One line of text with its baseline at y, the content of structure `element` (an
        artifact when None)."""
        if not text:
            return
        (code,) = self.fonts[style].encode([text])
        color = f"{_n(grey)} g " if grey is not None else ""
        ops = (
            f"{color}BT /{FONT_NAMES[style]} {_n(size)} Tf 1 0 0 -1 {_n(x)} {_n(y)} Tm "
            f"<{code}> Tj ET" + (" 0 g" if grey is not None else "")
        )
        self.ops.append(self.mark(element, ops))

    def width(self, style: str, size: float, text: str) -> float:
        return self.fonts[style].width(text) * size


@functools.lru_cache(maxsize=1 << 16)  # positions repeat from page to page
def _n(value: float) -> str:
    """A number for a content stream: at most 3 decimals, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def wrap_words(text: str, font: Font, size: float, width: float) -> list[str]:
    """Greedy line breaking at spaces (a word longer than the line stays whole)."""
    words = text.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and font.width(candidate) * size > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


@dataclass
class Flow:
    """Where the next block goes: page, y of the last block's bottom edge, and its bottom
    margin (vertical margins collapse: the gap is the larger of the two)."""

    canvas: Canvas
    y: float
    margin: float = 0.0

    def place(self, before: float, height: float) -> float:
        """Top of a block of `height` with top margin `before`; a new page when it does not
        fit (margins at a page break are truncated)."""
        top = self.y + max(self.margin, before)
        if top + height > BOTTOM and self.y > TOP + 1e-6:
            self.canvas.new_page()
            top = TOP
        return top

    def paragraph(
        self,
        text: str,
        style: str,
        size: float,
        before: float,
        after: float,
        keep: float = 0,
        element: int | None = None,
    ) -> None:
        """A block of wrapped text, the content of structure `element`; `keep` is extra height
        that must follow on the same page."""
        font = self.canvas.fonts[style]
        lines = wrap_words(text, font, size, RIGHT - LEFT)
        line_h = size * font.line_height
        top = self.place(before, line_h * len(lines) + keep)
        for i, line in enumerate(lines):
            base = top + i * line_h + size * font.ascent
            self.canvas.text(style, size, LEFT, base, line, element=element)
        self.y = top + line_h * len(lines)
        self.margin = after


def column_widths(table: Table, fonts: dict[str, Font], available: float) -> list[float]:
    """CSS automatic table layout: each column its max-content width (widest text plus
    padding and border), the spare width shared in proportion; when the texts do not fit, the
    wrapping columns give way down to their longest word."""
    regular, bold = fonts["regular"], fonts["bold"]
    extra = 2 * PAD_X + BORDER
    max_w, min_w = [], []
    for j, texts in enumerate(table.columns):
        head = bold.width(table.headers[j]) * SIZE_BODY
        cells = regular.widths(texts) * SIZE_BODY if texts else np.zeros(0)
        widest = max([head, float(cells.max()) if len(cells) else 0.0])
        if table.total is not None and table.total[j]:
            widest = max(widest, bold.width(table.total[j]) * SIZE_BODY)
        max_w.append(widest + extra)
        if table.wrap[j]:
            words = {w for t in set(texts) for w in t.split(" ")} | set(table.headers[j].split())
            longest = max((regular.width(w) * SIZE_BODY for w in words), default=0.0)
            min_w.append(min(widest, longest) + extra)
        else:
            min_w.append(widest + extra)
    total_max = sum(max_w)
    if total_max <= available:
        ratio = available / total_max if total_max else 0.0
        return [w * ratio for w in max_w]
    total_min = sum(min_w)
    if total_min >= available:
        return min_w
    grow = [a - b for a, b in zip(max_w, min_w, strict=True)]
    ratio = (available - total_min) / sum(grow)
    return [b + g * ratio for b, g in zip(min_w, grow, strict=True)]


def draw_table(flow: Flow, table: Table, before: float, parent: int = -1) -> None:
    """The table: header row repeated on each page, rows never split, total row at the end.
    Tagged as Table → TR → TH / TD under structure `parent`; the header row repeated on later
    pages, the fills and the borders are artifacts."""
    canvas, fonts = flow.canvas, flow.canvas.fonts
    tags = canvas.tags
    table_el = tags.element("Table", parent)
    head_tr = tags.element("TR", table_el)
    head_cells = [tags.element("TH", head_tr, TH_COLUMN) for _ in table.headers]
    regular, bold = fonts["regular"], fonts["bold"]
    widths = column_widths(table, fonts, RIGHT - LEFT - BORDER)
    xs = [LEFT + BORDER / 2]
    for w in widths:
        xs.append(xs[-1] + w)
    inner = [w - 2 * PAD_X - BORDER for w in widths]
    line_h = SIZE_BODY * regular.line_height
    ascent = SIZE_BODY * regular.ascent

    def x_of(j: int, width: float) -> float:
        if table.right[j]:
            return xs[j + 1] - BORDER / 2 - PAD_X - width
        return xs[j] + BORDER / 2 + PAD_X

    head_lines = [
        wrap_words(h, bold, SIZE_BODY, inner[j]) if table.wrap[j] else [h]
        for j, h in enumerate(table.headers)
    ]
    head_h = max(len(lines) for lines in head_lines) * line_h + 2 * PAD_HEAD_Y + BORDER
    head_ops: list[tuple[float, str, int]] = []  # (x, line, column) per header line
    head_base: list[float] = []  # y of each header line, from the header's top
    for j, lines in enumerate(head_lines):
        for k, line in enumerate(lines):
            head_ops.append((x_of(j, bold.width(line) * SIZE_BODY), line, j))
            head_base.append(BORDER / 2 + PAD_HEAD_Y + k * line_h + ascent)

    n = table.n_rows
    # rows' line counts: only wrapping columns can make a row taller
    row_lines = np.ones(n, dtype=np.int64)
    wrapped: dict[int, dict[str, list[str]]] = {}  # per column: text -> its lines
    for j, texts in enumerate(table.columns):
        if table.wrap[j]:
            cache = {t: wrap_words(t, regular, SIZE_BODY, inner[j]) for t in set(texts)}
            wrapped[j] = cache
            counts = np.fromiter((len(cache[t]) for t in texts), dtype=np.int64, count=n)
            row_lines = np.maximum(row_lines, counts)
    heights = (row_lines * line_h + 2 * PAD_CELL_Y + BORDER).tolist()
    total_gap = (BORDER_TOTAL - BORDER) / 2  # the thicker rule pushes the total row down
    if table.total is not None:
        heights.append(total_gap + BORDER_TOTAL / 2 + 2 * PAD_CELL_Y + line_h + BORDER / 2)
    codes = [regular.encode(texts) for texts in table.columns]
    wrapped = {j: _encoded_lines(regular, cache) for j, cache in wrapped.items()}  # now codes
    xs_cells = [
        (regular.widths(texts) * SIZE_BODY).tolist() if table.right[j] else None
        for j, texts in enumerate(table.columns)
    ]
    left_x = [xs[j] + BORDER / 2 + PAD_X for j in range(len(table.columns))]
    right_x = [xs[j + 1] - BORDER / 2 - PAD_X for j in range(len(table.columns))]
    columns = range(len(table.columns))
    amount_at = table.total_amount

    top = flow.place(before, head_h + (heights[0] if heights else 0.0) + BORDER)
    i, rows = 0, len(heights)
    first_page = True
    while True:
        ops = canvas.ops
        head_top = top + BORDER / 2
        ops.append(
            artifact(
                f"{_rgb(HEADER_FILL)} rg {_n(xs[0])} {_n(head_top)} "
                f"{_n(xs[-1] - xs[0])} {_n(head_h)} re f 0 g"
            )
        )
        for (x, line, j), dy in zip(head_ops, head_base, strict=True):
            cell = head_cells[j] if first_page else None  # repeated: an artifact
            canvas.text("bold", SIZE_BODY, x, head_top + dy, line, element=cell)
        first_page = False
        y = head_top + head_h
        start, tops = i, []
        while i < rows and (y + heights[i] + BORDER / 2 <= BOTTOM + 1e-6 or i == start):
            tops.append(y)
            y += heights[i]
            i += 1
        body = [f"BT /F1 {_n(SIZE_BODY)} Tf"]
        total_top = None
        page = canvas.page
        for r, row_top in zip(range(start, i), tops, strict=True):
            if r == n:  # the total row
                total_top = row_top + total_gap
                continue
            row = tags.element("TR", table_el)
            base = row_top + BORDER / 2 + PAD_CELL_Y + ascent
            b = _n(base)
            for j in columns:
                cell = tags.element("TD", row)
                if j in wrapped and row_lines[r] > 1:
                    lines = []
                    for k, code in enumerate(wrapped[j][table.columns[j][r]]):
                        lines.append(
                            f"1 0 0 -1 {_n(left_x[j])} {_n(base + k * line_h)} Tm <{code}> Tj"
                        )
                    body.append(tags.mark(page, cell, " ".join(lines)))
                    continue
                code = codes[j][r]
                if code:
                    cell_w = xs_cells[j]
                    x = left_x[j] if cell_w is None else right_x[j] - cell_w[r]
                    body.append(tags.mark(page, cell, f"1 0 0 -1 {_n(x)} {b} Tm <{code}> Tj"))
        body.append("ET")
        ops.append("\n".join(body))
        if total_top is not None and table.total is not None:
            base = total_top + BORDER_TOTAL / 2 + PAD_CELL_Y + ascent
            row = tags.element("TR", table_el)
            for j, text in enumerate(table.total):  # the label left, the amount right
                cell = tags.element("TD", row)
                if text:
                    x = x_of(j, bold.width(text) * SIZE_BODY) if j == amount_at else left_x[j]
                    canvas.text("bold", SIZE_BODY, x, base, text, element=cell)
        _rules(ops, xs, head_top, head_h, tops, y, total_top)
        if i >= rows:
            break
        canvas.new_page()
        top = TOP
    flow.y = y + BORDER / 2
    flow.margin = 0.0


def _encoded_lines(font: Font, cache: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each text's wrapped lines as glyph codes, encoded in one call for the whole column (a
    line's characters are its text's, already recorded for the subset: the same bytes)."""
    codes = iter(font.encode([line for lines in cache.values() for line in lines]))
    return {t: [next(codes) for _ in lines] for t, lines in cache.items()}


def _rules(
    ops: list[str],
    xs: Sequence[float],
    head_top: float,
    head_h: float,
    tops: list[float],
    bottom: float,
    total_top: float | None,
) -> None:
    """The borders of one page of a table: cells in light grey, the header in mid grey, the
    rule above the total in dark grey and twice as thick."""
    left, right = xs[0] - BORDER / 2, xs[-1] + BORDER / 2
    head_bottom = head_top + head_h
    out = [f"{_n(BORDER)} w"]
    if bottom > head_bottom:
        out.append(f"{_n(CELL_RULE)} G")
        segs = [f"{_n(left)} {_n(t)} m {_n(right)} {_n(t)} l" for t in tops[1:]]
        segs.append(f"{_n(left)} {_n(bottom)} m {_n(right)} {_n(bottom)} l")
        segs += [
            f"{_n(x)} {_n(head_bottom - BORDER / 2)} m {_n(x)} {_n(bottom + BORDER / 2)} l"
            for x in xs
        ]
        out.append(" ".join(segs) + " S")
    out.append(f"{_n(HEAD_RULE)} G")
    segs = [
        f"{_n(left)} {_n(head_top)} m {_n(right)} {_n(head_top)} l",
        f"{_n(left)} {_n(head_bottom)} m {_n(right)} {_n(head_bottom)} l",
    ]
    segs += [
        f"{_n(x)} {_n(head_top - BORDER / 2)} m {_n(x)} {_n(head_bottom + BORDER / 2)} l"
        for x in xs
    ]
    out.append(" ".join(segs) + " S")
    if total_top is not None:
        out.append(
            f"{_n(BORDER_TOTAL)} w {_n(TOTAL_RULE)} G "
            f"{_n(left)} {_n(total_top)} m {_n(right)} {_n(total_top)} l S"
        )
    out.append("0 G")
    ops.append(artifact("\n".join(out)))


def _rgb(color: tuple[float, float, float]) -> str:
    return " ".join(_n(c) for c in color)


def _margin_boxes(canvas: Canvas, title: str, right_text: str) -> None:
    """Page header (title left, status – date right) and footer 'Pagina N di M' on every page."""
    fonts = canvas.fonts
    regular, bold = fonts["regular"], fonts["bold"]
    size = SIZE_MARGIN
    line_h = size * regular.line_height
    head_base = (MARGIN_TOP - line_h) / 2 + size * regular.ascent
    foot_base = BOTTOM + (MARGIN_BOTTOM - line_h) / 2 + size * regular.ascent
    right_w = bold.width(right_text) * size
    room = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT - right_w - 4 * MM
    title = _fit(title, regular, size, room)
    (title_code,) = regular.encode([title]) if title else ("",)
    (right_code,) = bold.encode([right_text])
    total = len(canvas.pages)
    footers = [f"Pagina {i} di {total}" for i in range(1, total + 1)]
    foot_codes = regular.encode(footers)
    foot_w = regular.widths(footers) * size
    right_x = PAGE_W - MARGIN_RIGHT - right_w
    for ops, code, width in zip(canvas.pages, foot_codes, foot_w.tolist(), strict=True):
        parts = [f"BT /F1 {_n(size)} Tf"]
        if title_code:
            parts.append(
                artifact(
                    f"{_n(MARGIN_GREY)} g 1 0 0 -1 {_n(MARGIN_LEFT)} {_n(head_base)} Tm "
                    f"<{title_code}> Tj 0 g",
                    "Header",
                )
            )
        parts.append(
            artifact(
                f"1 0 0 -1 {_n((PAGE_W - width) / 2)} {_n(foot_base)} Tm <{code}> Tj", "Footer"
            )
        )
        parts.append(f"/F2 {_n(size)} Tf")
        parts.append(
            artifact(f"1 0 0 -1 {_n(right_x)} {_n(head_base)} Tm <{right_code}> Tj", "Header")
        )
        parts.append("ET")
        ops.append("\n".join(parts))


def _fit(text: str, font: Font, size: float, width: float) -> str:
    """`text`, cut with '…' when wider than `width`."""
    if font.width(text) * size <= width:
        return text
    while text and font.width(text + "…") * size > width:
        text = text[:-1]
    return text.rstrip() + "…"


def layout(plist: PublicList, *, title: str, status: str, run_date: dt.date) -> Canvas:
    """Lay out the public list; returns the pages' drawing operations."""
    canvas = Canvas(load_fonts())
    tags = canvas.tags
    document = tags.element("Document")
    date = date_short(run_date)
    flow = Flow(canvas, TOP + BODY_MARGIN)
    flow.paragraph(title, "bold", SIZE_H1, 0.0, H1_AFTER, element=tags.element("H1", document))
    flow.paragraph(
        f"Graduatoria {status} – aggiornata al {date}",
        "bold",
        SIZE_STATUS,
        0.0,
        STATUS_AFTER,
        element=tags.element("P", document),
    )
    for note in plist.notes:
        flow.paragraph(
            note, "italic", SIZE_NOTE, 0.0, NOTE_AFTER, element=tags.element("P", document)
        )
    ranked = _public_table(plist)
    excluded = _excluded_table(plist)
    _section(flow, "Graduatoria", ranked, "Nessuna domanda in graduatoria.", document)
    _section(
        flow,
        f"Domande non ammesse ({len(plist.excluded)})",
        excluded,
        "Nessuna domanda non ammessa.",
        document,
    )
    _margin_boxes(canvas, title, f"{status} – {date}")
    return canvas


def _section(flow: Flow, heading: str, table: Table, empty_text: str, parent: int) -> None:
    """A heading and its table (or the text saying it is empty), tagged Sect → H2, Table."""
    fonts, tags = flow.canvas.fonts, flow.canvas.tags
    section = tags.element("Sect", parent)
    line_h = SIZE_BODY * fonts["regular"].line_height
    keep = H2_AFTER + 2 * (line_h + 2 * PAD_HEAD_Y + BORDER)  # the header and a first row
    h2 = tags.element("H2", section)
    flow.paragraph(heading, "bold", SIZE_H2, H2_BEFORE, H2_AFTER, keep=keep, element=h2)
    if table.n_rows:
        draw_table(flow, table, H2_AFTER, section)
    else:
        p = tags.element("P", section)
        flow.paragraph(empty_text, "italic", SIZE_BODY, EMPTY_MARGIN, EMPTY_MARGIN, element=p)


# ----------------------------------------------------------------------------- document


def _icc_profile() -> bytes:
    """The sRGB profile of the PDF/A output intent: the one WeasyPrint ships (found without
    importing WeasyPrint, which takes a second)."""
    spec = importlib.util.find_spec("weasyprint")
    if spec is None or not spec.submodule_search_locations:
        raise UserError(
            "impossibile creare il PDF: manca il profilo colore sRGB di WeasyPrint",
            hint="reinstallare conciliare con le sue dipendenze (pip install conciliare)",
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / "pdf" / "sRGB2014.icc").read_bytes()


def write_document(canvas: Canvas, meta: Metadata, path: Path, *, identifier: bytes) -> Path:
    """Assemble the pages, fonts, output intent and metadata into a PDF/A-3b file at `path`,
    atomically."""
    pdf = pydyf.PDF()
    font_refs = pydyf.Dictionary()
    for style, name in FONT_NAMES.items():
        font = canvas.fonts[style]
        if font.used:
            font_refs[name] = font.embed(pdf).reference
    resources_dict = pydyf.Dictionary({"Font": font_refs})
    pdf.add_object(resources_dict)
    box = pydyf.Array([0, 0, _n(PAGE_W * 0.75), _n(PAGE_H * 0.75)])
    pages = []
    for ops in canvas.pages:
        data = zlib.compress("\n".join(ops).encode("ascii"), 6)
        stream = pydyf.Stream([data], {"Filter": "/FlateDecode"})
        pdf.add_object(stream)
        page = pydyf.Dictionary(
            {
                "Type": "/Page",
                "Parent": pdf.pages.reference,
                "MediaBox": box,
                "Contents": stream.reference,
                "Resources": resources_dict.reference,
            }
        )
        pdf.add_page(page)
        pages.append(page)
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    profile = pydyf.Stream([_icc_profile()], pydyf.Dictionary({"N": 3}), compress=True)
    pdf.add_object(profile)
    intent = pydyf.Dictionary(
        {
            "Type": "/OutputIntent",
            "S": "/GTS_PDFA1",
            "OutputConditionIdentifier": pydyf.String("sRGB2014.icc"),
            "Info": pydyf.String("sRGB2014.icc"),
            "DestOutputProfile": profile.reference,
        }
    )
    pdf.catalog["OutputIntents"] = pydyf.Array([intent])
    xmp = pydyf.Stream([meta.xmp()], {"Type": "/Metadata", "Subtype": "/XML"})
    pdf.add_object(xmp)
    pdf.catalog["Metadata"] = xmp.reference
    pdf.catalog["Lang"] = pydyf.String("it")
    pdf.info.update(meta.info())
    pdf.add_object(pdf.info)
    # tagged for accessibility (PDF/UA-1): the structure tree, numbered after every other object
    structure = canvas.tags.objects(len(pdf.objects), pages)
    pdf.catalog["StructTreeRoot"] = f"{len(pdf.objects)} 0 R"
    with atomic_file(path) as tmp, open(tmp, "wb") as fh:
        write_pdf(pdf, fh, identifier=identifier, tail=structure)
    return Path(path)


def write_public_pdf(
    plist: PublicList, path: Path, *, title: str, status: str, run_date: dt.date
) -> Path:
    """Write the public list as PDF/A-3b at `path` (atomically)."""
    canvas = layout(plist, title=title, status=status, run_date=run_date)
    meta = Metadata(
        title=f"{title} – Graduatoria pubblica {status}",
        author="conciliare",
        subject=f"Graduatoria pubblica {status} aggiornata al {date_short(run_date)}",
        creator=f"conciliare {__version__}",
        producer=f"conciliare {__version__}",
        date=run_date,
    )
    ident = pdf_identifier(title, status, run_date, Path(path).name)
    return write_document(canvas, meta, Path(path), identifier=ident)
