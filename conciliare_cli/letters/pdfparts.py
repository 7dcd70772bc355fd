"""Letters' PDF/A files written straight from the PDF objects Typst builds for a chunk.

Typst lays a chunk of letters (and their voucher slips) out as one document and writes one PDF.
Its objects are read once (`ChunkObjects.from_pdf`: Typst writes plain objects and a classic
cross-reference table, no object streams) and:

- each letter's file is written from its pages, their contents and the resources they use
  (fonts, colour profile), renumbered from 1, with its own catalog, page tree, XMP metadata and
  document information (`letter_pdf`);
- the combined file takes every chunk's objects in order, renumbered after the previous
  chunk's, appended to the file as the chunks come in (`CombinedPdf`), so nothing is left to
  do once the last chunk is laid out but the page tree and the cross-reference table.

Only the dictionaries are rewritten (references "N 0 R"); streams (page contents, fonts,
colour profile) are copied byte for byte. The output is deterministic: the same chunk gives
the same bytes, in a pool process or not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from markupsafe import escape

from conciliare_cli import __version__

HEADER = b"%PDF-1.7\n%\xf0\x9f\x96\xa4\n"
# A reference "12 0 R", or a literal string (skipped whole: pydyf escapes the parentheses
# and backslashes inside its strings, so a string never ends early).
_TOKENS = re.compile(rb"\((?:[^\\)]|\\.)*\)|(?<![\d.])(\d+) (\d+) R(?![A-Za-z0-9_])", re.S)
_STREAM = b"\nstream\n"


def _refs(head: bytes) -> list[int]:
    return [int(m.group(1)) for m in _TOKENS.finditer(head) if m.group(1) is not None]


def renumber(head: bytes, numbers: Callable[[int], int | None]) -> bytes:
    """`head` with each reference "N G R" made "numbers(N) 0 R" (or null when None)."""

    def one(match: re.Match[bytes]) -> bytes:
        if match.group(1) is None:
            return match.group(0)
        new = numbers(int(match.group(1)))
        return b"null" if new is None else b"%d 0 R" % new

    return _TOKENS.sub(one, head)


Pieces = tuple[bytes | int, ...]  # literal bytes and, between them, referenced objects


def pieces(head: bytes) -> Pieces:
    """`head` cut at its references: renumbering is then a join (`renumber_pieces`), faster
    than `renumber` when the same dictionary (a font, a colour space) goes into many files."""
    out: list[bytes | int] = []
    last = 0
    for match in _TOKENS.finditer(head):
        if match.group(1) is not None:
            out += [head[last : match.start()], int(match.group(1))]
            last = match.end()
    out.append(head[last:])
    return tuple(out)


def renumber_pieces(cut: Pieces, numbers: Callable[[int], int | None]) -> bytes:
    """The same as `renumber` on the head `cut` came from."""
    out = []
    for piece in cut:
        if isinstance(piece, bytes):
            out.append(piece)
        else:
            new = numbers(piece)
            out.append(b"null" if new is None else b"%d 0 R" % new)
    return b"".join(out)


# ---------------------------------------------------------------- metadata


def timestamp(run_date: dt.date) -> str:
    """The run date as a W3C datetime (XMP)."""
    return f"{run_date.isoformat()}T00:00:00Z"


def pdf_date(run_date: dt.date) -> str:
    return f"D:{run_date:%Y%m%d}000000Z"


def pdf_identifier(*parts: str) -> bytes:
    """A stable 16-byte PDF identifier from the given parts (call, document, date)."""
    return hashlib.sha256("|".join(("conciliare", *parts)).encode("utf-8")).digest()[:16]


PRODUCER = f"Typst (conciliare {__version__})"


def xmp(title: str, author: str, run_date: dt.date) -> bytes:
    """The XMP packet of a letters' PDF/A-3b file (agrees with `info`)."""
    stamp = timestamp(run_date)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
        "<pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
        "</rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f"<pdf:Producer>{escape(PRODUCER)}</pdf:Producer></rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{escape(title)}</rdf:li></rdf:Alt></dc:title>"
        f"<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>"
        "<dc:language><rdf:Bag><rdf:li>it</rdf:li></rdf:Bag></dc:language>"
        "</rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f"<xmp:CreatorTool>conciliare {__version__}</xmp:CreatorTool>"
        f"<xmp:CreateDate>{stamp}</xmp:CreateDate>"
        f"<xmp:ModifyDate>{stamp}</xmp:ModifyDate>"
        f"<xmp:MetadataDate>{stamp}</xmp:MetadataDate>"
        "</rdf:Description>"
        "</rdf:RDF></x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    ).encode()


def _text(value: str) -> bytes:
    """A PDF text string: literal when ASCII, else UTF-16BE with its byte order mark."""
    try:
        raw = value.encode("ascii")
    except UnicodeEncodeError:
        return b"<feff" + value.encode("utf-16-be").hex().encode() + b">"
    return b"(" + re.sub(rb"([\\()])", rb"\\\1", raw) + b")"


def info(title: str, author: str, run_date: dt.date) -> bytes:
    stamp = _text(pdf_date(run_date))
    return b"".join(
        (
            b"<</Title ",
            _text(title),
            b"/Author ",
            _text(author),
            b"/Creator ",
            _text(f"conciliare {__version__}"),
            b"/Producer ",
            _text(PRODUCER),
            b"/CreationDate ",
            stamp,
            b"/ModDate ",
            stamp,
            b">>",
        )
    )


def _metadata_stream(title: str, author: str, run_date: dt.date) -> bytes:
    packet = xmp(title, author, run_date)  # not compressed: readable by any PDF/A reader
    head = b"<</Type /Metadata/Subtype /XML/Length %d>>" % len(packet)
    return head + _STREAM + packet + b"\nendstream"


# ---------------------------------------------------------------- a chunk's objects


@dataclass
class ChunkObjects:
    """The serialised PDF objects of a chunk of letters (picklable, sent to the parent)."""

    heads: dict[int, bytes]  # object number -> its dictionary (or other value)
    bodies: dict[int, bytes]  # object number -> "\nstream\n...\nendstream" (streams only)
    refs: dict[int, list[int]]  # object number -> the objects its dictionary refers to
    pages: list[int]  # page objects, in order
    page_tree: int  # the pages' /Parent
    catalog: int
    output_intents: bytes  # the catalog's /OutputIntents array (refers to the ICC profile)

    @classmethod
    def from_pdf(cls, data: bytes) -> ChunkObjects:
        """From the bytes of a PDF written by Typst (plain objects, a classic xref table)."""
        xref = data.rfind(b"\nxref\n")
        offsets = sorted(
            (int(m.group(1)), i)
            for i, m in enumerate(_XREF_ENTRY.finditer(data, xref))
            if m.group(3) == b"n"
        )
        heads: dict[int, bytes] = {}
        bodies: dict[int, bytes] = {}
        ends = [o for o, _n in offsets[1:]] + [xref + 1]
        for (start, _n), end in zip(offsets, ends, strict=True):
            head = _OBJECT.match(data, start)
            if head is None:  # pragma: no cover - not Typst's layout
                raise ValueError("unexpected PDF object layout")
            number = int(head.group(1))
            body = data[head.end() : data.rindex(b"endobj", start, end)].rstrip(b"\r\n")
            cut = body.find(_STREAM)
            if cut >= 0:
                heads[number], bodies[number] = body[:cut], body[cut:]
            else:
                heads[number] = body
        trailer = data[data.index(b"trailer", xref) :]
        catalog = _refs(_value(trailer, b"/Root"))[0]
        page_tree = _refs(_value(heads[catalog], b"/Pages"))[0]
        intents = _value(heads[catalog], b"/OutputIntents")
        if intents and _refs(intents) and not intents.startswith(b"["):
            intents = heads[_refs(intents)[0]]  # an array object: written inline instead
        return cls(
            heads=heads,
            bodies=bodies,
            refs={n: _refs(head) for n, head in heads.items()},
            pages=_refs(_value(heads[page_tree], b"/Kids")),
            page_tree=page_tree,
            catalog=catalog,
            output_intents=intents,
        )

    def bookmarks(self) -> list[tuple[str, int]]:
        """The outline entries (title, page object), in the order they appear in the file
        (Typst writes them in document order)."""
        marks = []
        for number in sorted(self.heads):
            head = self.heads[number]
            if b"/Title(" not in head or b"/Dest " not in head:
                continue
            title = _TITLE.search(head)
            dest = _refs(_value(head, b"/Dest"))
            if title is None or not dest or dest[0] not in self.heads:
                continue
            target = _refs(self.heads[dest[0]])  # [page 0 R /XYZ ...]
            if target:
                marks.append((title.group(1).decode("latin-1"), target[0]))
        return marks

    def closure(self, pages: Iterable[int]) -> list[int]:
        """The objects the given pages need (contents, resources, fonts...), in number order.

        The page tree and the catalog are not followed (each file has its own), nor pages
        outside `pages` (a link to another letter's page: it becomes null).
        """
        wanted = list(pages)
        excluded = {self.page_tree, self.catalog} | (set(self.pages) - set(wanted))
        roots = wanted + [r for r in _refs(self.output_intents) if r in self.heads]
        seen: set[int] = set(roots)
        todo = list(roots)
        while todo:
            for ref in self.refs.get(todo.pop(), ()):
                if ref not in seen and ref not in excluded and ref in self.heads:
                    seen.add(ref)
                    todo.append(ref)
        return sorted(seen)

    def stamp(self, overlay: ChunkObjects, targets: Sequence[int]) -> None:
        """Draw page k of `overlay` over page `targets[k]` (the letters' page footers).

        Each overlay page becomes a form XObject (its content stream, its resources) that the
        target page draws after its own content: the page's contents become [q, own, Q + draw]
        and it gets its own copy of its resources naming the form. The overlay's objects are
        added after this chunk's; those equal to one of this chunk's (the colour profile) are
        not added twice. Only dictionaries are written; streams are copied byte for byte.
        """
        if len(overlay.pages) != len(targets):
            raise ValueError("one overlay page per target page")
        page_parts = [_page_parts(overlay.heads[p]) for p in overlay.pages]
        contents = {c for _r, c in page_parts}
        same = {(self.heads[n], self.bodies.get(n, b"")): n for n in sorted(self.heads)}
        number = max(self.heads) + 1
        mapping: dict[int, int] = {}
        for old in _postorder(overlay, [r for r, _c in page_parts]):
            if old in contents:  # a page's content stream: it becomes a form, below
                continue
            head = renumber(overlay.heads[old], mapping.get)
            body = overlay.bodies.get(old, b"")
            if (head, body) in same:
                mapping[old] = same[(head, body)]
                continue
            mapping[old] = number
            self._add(number, head, body)
            number += 1
        before, after = number, number + 1
        draw = b"\nQ q /" + FOOTER_FORM + b" Do Q\n"
        for stream_number, data in ((before, b"q\n"), (after, draw)):
            self._add(stream_number, b"<</Length %d>>" % len(data), _STREAM + data + b"\nendstream")
        number += 2
        for target, (resources, content) in zip(targets, page_parts, strict=True):
            box = _value(self.heads[target], b"/MediaBox") or b"[0 0 595.2756 841.8898]"
            head = overlay.heads[content]
            form = (
                b"<</Type/XObject/Subtype/Form/BBox"
                + box
                + b"/Resources %d 0 R" % mapping[resources]
                + head[2:]
            )
            self._add(number, form, overlay.bodies[content])
            own_resources, own_content = _page_parts(self.heads[target])
            self._add(number + 1, _with_form(self.heads[own_resources], number))
            page = self.heads[target]
            page = page.replace(
                b"/Resources %d 0 R" % own_resources, b"/Resources %d 0 R" % (number + 1), 1
            )
            page = page.replace(
                b"/Contents %d 0 R" % own_content,
                b"/Contents [%d 0 R %d 0 R %d 0 R]" % (before, own_content, after),
                1,
            )
            self.heads[target] = page
            self.refs[target] = _refs(page)
            number += 2

    def _add(self, number: int, head: bytes, body: bytes = b"") -> None:
        self.heads[number] = head
        if body:
            self.bodies[number] = body
        self.refs[number] = _refs(head)


FOOTER_FORM = b"ConciliarePiede"


def _page_parts(head: bytes) -> tuple[int, int]:
    """(resources, contents) object numbers of a page dictionary written by Typst."""
    resources = _refs(_value(head, b"/Resources"))
    contents = _refs(_value(head, b"/Contents"))
    if len(resources) != 1 or len(contents) != 1:  # pragma: no cover - not Typst's layout
        raise ValueError("unexpected page layout")
    return resources[0], contents[0]


def _with_form(resources: bytes, form: int) -> bytes:
    """A resources dictionary that also names the footer's form XObject."""
    entry = b"/" + FOOTER_FORM + b" %d 0 R" % form
    if b"/XObject<<" in resources:
        return resources.replace(b"/XObject<<", b"/XObject<<" + entry, 1)
    if not resources.endswith(b">>"):  # pragma: no cover - not a dictionary
        raise ValueError("unexpected resources")
    return resources[:-2] + b"/XObject<<" + entry + b">>>>"


def _postorder(chunk: ChunkObjects, roots: Iterable[int]) -> list[int]:
    """The objects reachable from `roots`, each after the objects it refers to."""
    out: list[int] = []
    seen: set[int] = set()

    def visit(number: int) -> None:
        seen.add(number)
        for ref in chunk.refs.get(number, ()):
            if ref not in seen and ref in chunk.heads:
                visit(ref)
        out.append(number)

    for root in roots:
        if root not in seen:
            visit(root)
    return out


_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])\s")
_OBJECT = re.compile(rb"(\d+) 0 obj\s*")
_TITLE = re.compile(rb"/Title\(([^()\\]*)\)")
# A key's value in a dictionary: a reference, an array, a dictionary or a name/number.
_VALUE = rb"\s*(\d+ \d+ R|\[[^\]]*\]|<<.*?>>|[^/>\s]+)"


def _value(head: bytes, key: bytes) -> bytes:
    match = re.search(re.escape(key) + _VALUE, head, re.S)
    return match.group(1) if match else b""


# ---------------------------------------------------------------- writing


class _Writer:
    """Objects appended to a binary file, then the cross-reference table and the trailer."""

    def __init__(self, out: IO[bytes], *, hashed: bool = False) -> None:
        self.out = out
        self.offsets: dict[int, int] = {}
        self.position = 0
        self.digest = hashlib.sha256() if hashed else None  # of every byte written
        self._write(HEADER)

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)
        if self.digest is not None:
            self.digest.update(data)

    def add(self, number: int, head: bytes, body: bytes = b"") -> None:
        self.offsets[number] = self.position
        self._write(b"%d 0 obj\n" % number + head + body + b"\nendobj\n")

    def finish(self, root: int, info_number: int, identifier: bytes) -> None:
        size = max(self.offsets) + 1
        xref = self.position
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        lines += [
            b"%010d 00000 n \n" % self.offsets[n] if n in self.offsets else b"0000000000 65535 f \n"
            for n in range(1, size)
        ]
        ident = b"<" + identifier.hex().encode() + b">"
        lines.append(
            b"trailer\n<</Size %d/Root %d 0 R/Info %d 0 R/ID [%s %s]>>\nstartxref\n%d\n%%%%EOF\n"
            % (size, root, info_number, ident, ident, xref)
        )
        self._write(b"".join(lines))


def _catalog(page_tree: int, metadata: int, output_intents: bytes) -> bytes:
    intents = b"/OutputIntents " + output_intents if output_intents else b""
    return b"<</Type /Catalog/Pages %d 0 R/Lang (it)%s/Metadata %d 0 R>>" % (
        page_tree,
        intents,
        metadata,
    )


def _page_tree(kids: Sequence[int]) -> bytes:
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    return b"<</Type /Pages/Kids [%s]/Count %d>>" % (refs, len(kids))


def letter_pdf(
    chunk: ChunkObjects,
    pages: Sequence[int],
    out: IO[bytes],
    *,
    title: str,
    author: str,
    run_date: dt.date,
    identifier: bytes,
    cut: dict[int, Pieces] | None = None,
) -> None:
    """Write one letter (the given pages of the chunk) as a PDF/A-3b file to `out`.

    `cut` keeps the chunk's dictionaries cut at their references (`pieces`) from one letter
    of the chunk to the next."""
    needed = chunk.closure(pages)
    # 1 page tree, 2 catalog, 3 metadata, 4 info, then the chunk's objects in order.
    new = {old: i for i, old in enumerate(needed, start=5)}
    new[chunk.page_tree] = 1
    new[chunk.catalog] = 2
    cut = {} if cut is None else cut
    writer = _Writer(out)
    for old in needed:
        if old not in cut:
            cut[old] = pieces(chunk.heads[old])
        writer.add(new[old], renumber_pieces(cut[old], new.get), chunk.bodies.get(old, b""))
    writer.add(1, _page_tree([new[p] for p in pages]))
    intents = renumber(chunk.output_intents, new.get)
    writer.add(2, _catalog(1, 3, intents))
    writer.add(3, _metadata_stream(title, author, run_date))
    writer.add(4, info(title, author, run_date))
    writer.finish(2, 4, identifier)


class CombinedPdf:
    """The combined PDF/A-3b file, written as the chunks come in (in order), then closed."""

    def __init__(self, target: Path, *, title: str, author: str, run_date: dt.date) -> None:
        self.target = target
        self.title = title
        self.author = author
        self.run_date = run_date
        self.out = target.open("wb")
        self.writer = _Writer(self.out, hashed=True)
        self.kids: list[int] = []
        self.next_number = 5  # 1 page tree, 2 catalog, 3 metadata, 4 info
        self.output_intents = b""

    def add(self, chunk: ChunkObjects) -> None:
        needed = chunk.closure(chunk.pages)
        new = {old: i for i, old in enumerate(needed, start=self.next_number)}
        new[chunk.page_tree] = 1
        new[chunk.catalog] = 2
        self.next_number += len(needed)
        for old in needed:
            head = renumber(chunk.heads[old], new.get)
            self.writer.add(new[old], head, chunk.bodies.get(old, b""))
        self.kids.extend(new[p] for p in chunk.pages)
        if not self.output_intents:
            self.output_intents = renumber(chunk.output_intents, new.get)

    def close(self, identifier: bytes) -> int:
        """Write the page tree, catalog, metadata and trailer; return the number of pages."""
        writer = self.writer
        writer.add(1, _page_tree(self.kids))
        writer.add(2, _catalog(1, 3, self.output_intents))
        writer.add(3, _metadata_stream(self.title, self.author, self.run_date))
        writer.add(4, info(self.title, self.author, self.run_date))
        writer.finish(2, 4, identifier)
        self.out.close()
        return len(self.kids)

    @property
    def sha256(self) -> tuple[str, int]:
        """(SHA-256, bytes) of the file written (after close)."""
        assert self.writer.digest is not None
        return self.writer.digest.hexdigest(), self.writer.position

    def abort(self) -> None:
        self.out.close()
