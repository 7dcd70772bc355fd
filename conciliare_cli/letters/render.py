"""Letters to HTML and to PDF/A: many letters laid out as one document, split by page ranges.

Speed: WeasyPrint lays out a chunk of letters as ONE HTML document (each letter starts a new
page), writes that chunk once as PDF/A, and pypdf cuts it into one PDF per letter by page ranges
(the pages of a letter are found from the anchor at its start). Chunks run in parallel in a
process pool (one process per core); the combined PDF is the chunks joined in graduatoria order.

Reproducibility: every timestamp is the run date (`--date`), the PDF identifiers are derived
from the call, the letter and the date, so two runs over the same data give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from markupsafe import escape

from conciliare_cli import __version__
from conciliare_cli.errors import UserError
from conciliare_cli.letters.templating import make_environment, render_checked

PDF_VARIANT = "pdf/a-3b"
ANCHOR = "conciliare-lettera-"
CHUNK_SIZE = 25  # letters per WeasyPrint document: layout time grows faster than linearly
INSTALL_HINT = "apt-get install libpango-1.0-0 libpangoft2-1.0-0"


class PdfUnavailable(UserError):
    """WeasyPrint's system libraries (Pango) are missing: PDFs cannot be made here."""


def load_weasyprint() -> Any:
    """Import WeasyPrint, or say in Italian how to install its system libraries."""
    try:
        import weasyprint
    except (OSError, ImportError) as exc:
        raise PdfUnavailable(
            "per creare i PDF mancano le librerie di sistema di WeasyPrint (Pango): "
            f"installale con '{INSTALL_HINT}' oppure usa --format html",
        ) from exc
    return weasyprint


@dataclass(frozen=True)
class RenderJob:
    """What every worker needs, the same for all letters of a run (picklable)."""

    template_dirs: tuple[str, ...]
    common: dict[str, Any]
    css: str
    call_title: str
    author: str
    run_date: dt.date


@dataclass(frozen=True)
class LetterItem:
    """One letter to render: its file stem, template, context and document title."""

    stem: str
    template: str
    context: dict[str, Any]
    title: str


# ---------------------------------------------------------------- HTML


def timestamp(run_date: dt.date) -> str:
    """The run date as a W3C datetime (what WeasyPrint reads from dcterms meta tags)."""
    return f"{run_date.isoformat()}T00:00:00Z"


def html_document(
    fragments: Sequence[str], *, css: str, title: str, author: str, run_date: dt.date
) -> str:
    """Wrap rendered letters in one HTML document; each letter begins a new page.

    The wrapper (and its anchor, used to split the PDF) is added here, not by the templates,
    so an overridden template cannot break the page split.
    """
    stamp = timestamp(run_date)
    head = (
        '<!DOCTYPE html>\n<html lang="it">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        f'<meta name="author" content="{escape(author)}">\n'
        f'<meta name="generator" content="conciliare {__version__}">\n'
        f'<meta name="dcterms.created" content="{stamp}">\n'
        f'<meta name="dcterms.modified" content="{stamp}">\n'
        f"<style>\n{css}\n</style>\n"
        "<style>article.conciliare-lettera { break-before: page; }</style>\n"
        "</head>\n<body>\n"
    )
    body = "".join(
        f'<article class="conciliare-lettera" id="{ANCHOR}{i}">\n{fragment}\n</article>\n'
        for i, fragment in enumerate(fragments)
    )
    return head + body + "</body>\n</html>\n"


_ENV: dict[tuple[str, ...], Any] = {}


def _environment(dirs: tuple[str, ...]) -> Any:
    if dirs not in _ENV:
        _ENV[dirs] = make_environment([Path(d) for d in dirs])
    return _ENV[dirs]


def render_fragment(job: RenderJob, item: LetterItem) -> str:
    """The HTML of one letter (its template, with the shared and the letter's data)."""
    env = _environment(job.template_dirs)
    return render_checked(env, item.template, {**job.common, "letter": item.context})


def combined_title(call_title: str) -> str:
    return f"Lettere di esito – {call_title}"


# ---------------------------------------------------------------- PDF assembly (pypdf)


def pdf_date(run_date: dt.date) -> str:
    return f"D:{run_date:%Y%m%d}000000Z"


def pdf_identifier(*parts: str) -> bytes:
    """A stable 16-byte PDF identifier from the given parts (call, document, date)."""
    return hashlib.sha256("|".join(("conciliare", *parts)).encode("utf-8")).digest()[:16]


def _xmp(title: str, author: str, run_date: dt.date) -> bytes:
    stamp = timestamp(run_date)
    producer = f"WeasyPrint, pypdf (conciliare {__version__})"
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
        "<pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
        "</rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f"<pdf:Producer>{escape(producer)}</pdf:Producer></rdf:Description>"
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


def assemble_pdf(
    sources: Sequence[tuple[Any, range]],
    *,
    title: str,
    author: str,
    run_date: dt.date,
    identifier: bytes,
) -> bytes:
    """A PDF/A-3b file of the given page ranges of WeasyPrint PDF/A files (pypdf readers).

    Carries over what PDF/A needs from the first source (output intent, language) and writes
    its own metadata (Info and XMP agreeing with each other) and a fixed identifier.
    """
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        NameObject,
        StreamObject,
        TextStringObject,
    )

    writer = PdfWriter()
    for reader, pages in sources:
        for i in pages:
            writer.add_page(reader.pages[i])
    root = writer.root_object if hasattr(writer, "root_object") else writer._root_object
    first_root = sources[0][0].trailer["/Root"]
    if "/OutputIntents" in first_root:
        root[NameObject("/OutputIntents")] = first_root["/OutputIntents"].clone(writer)
    root[NameObject("/Lang")] = TextStringObject("it")
    metadata = StreamObject()
    metadata.set_data(_xmp(title, author, run_date))
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    root[NameObject("/Metadata")] = writer._add_object(metadata)
    stamp = pdf_date(run_date)
    writer.add_metadata(
        {
            "/Title": title,
            "/Author": author,
            "/Creator": f"conciliare {__version__}",
            "/Producer": f"WeasyPrint, pypdf (conciliare {__version__})",
            "/CreationDate": stamp,
            "/ModDate": stamp,
        }
    )
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- PDF rendering (workers)


@dataclass(frozen=True)
class ChunkResult:
    index: int
    path: str  # the chunk's own PDF (all its letters), joined later into the combined PDF
    pages: list[int]  # pages of each letter of the chunk


# WeasyPrint's own HTML stylesheet matches ~250 rules against every element; letters use a
# handful of elements, so this reduced one (same values for them) saves ~15% of the layout.
LETTER_UA_CSS = """
html, body, div, p, header, footer, article, section, main, nav, aside, address, blockquote,
figure, figcaption, h1, h2, h3, h4, h5, h6, hr, ul, ol, dl, dt, dd, pre, center { display: block }
head, meta, title, style, script, link, template, base, [hidden] { display: none }
li { display: list-item }
table { display: table; box-sizing: border-box; border-spacing: 2px; border-collapse: separate;
  text-indent: initial }
caption { display: table-caption; text-align: center }
colgroup { display: table-column-group } col { display: table-column }
thead { display: table-header-group; vertical-align: middle }
tbody { display: table-row-group; vertical-align: middle }
tfoot { display: table-footer-group; vertical-align: middle }
tr { display: table-row; vertical-align: inherit }
td, th { display: table-cell; padding: 1px; vertical-align: inherit }
th { font-weight: bold; text-align: center }
body { margin: 8px }
p, blockquote, figure, pre, ul, ol, dl { margin-top: 1em; margin-bottom: 1em }
:is(ul, ol) :is(ul, ol) { margin-top: 0; margin-bottom: 0 }
blockquote, figure { margin-left: 40px; margin-right: 40px }
dd { margin-left: 40px }
ul, ol { padding-left: 40px; counter-reset: list-item }
ul { list-style-type: disc } ol { list-style-type: decimal }
h1 { font-size: 2em; margin-top: .67em; margin-bottom: .67em }
h2 { font-size: 1.5em; margin-top: .83em; margin-bottom: .83em }
h3 { font-size: 1.17em; margin-top: 1em; margin-bottom: 1em }
h4 { margin-top: 1.33em; margin-bottom: 1.33em }
h5 { font-size: .83em; margin-top: 1.67em; margin-bottom: 1.67em }
h6 { font-size: .67em; margin-top: 2.33em; margin-bottom: 2.33em }
h1, h2, h3, h4, h5, h6, b, strong { font-weight: bold }
em, i, cite, var, dfn, address { font-style: italic }
u, ins { text-decoration: underline } s, del { text-decoration: line-through }
small { font-size: smaller } big { font-size: larger }
sub { vertical-align: sub; font-size: smaller } sup { vertical-align: super; font-size: smaller }
pre, code, kbd, samp, tt { font-family: monospace } pre { white-space: pre }
center { text-align: center }
hr { color: gray; border-style: inset; border-width: 1px; margin: .5em auto }
br::before { content: "\\A"; white-space: pre-line }
img, svg { overflow: hidden }
"""

_UA: list[Any] = []


def _html_class(weasyprint: Any) -> Any:
    """WeasyPrint's HTML with the reduced stylesheet (the standard one if that API changed)."""
    if not _UA:
        base = weasyprint.HTML
        if callable(getattr(base, "_ua_stylesheets", None)):
            sheet = weasyprint.CSS(string=LETTER_UA_CSS)

            class LetterHTML(base):  # type: ignore[misc, valid-type]
                def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
                    return [sheet]

            _UA.append(LetterHTML)
        else:  # pragma: no cover - another WeasyPrint
            _UA.append(base)
    return _UA[0]


_FONT_CONFIG: list[Any] = []


def _font_config(weasyprint: Any) -> Any:
    if not _FONT_CONFIG:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG.append(FontConfiguration())
    return _FONT_CONFIG[0]


def letter_page_starts(document: Any, count: int) -> list[int]:
    """The first page of each letter in a rendered document, from the letters' anchors."""
    starts: list[int | None] = [None] * count
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith(ANCHOR):
                k = int(anchor[len(ANCHOR) :])
                if 0 <= k < count and starts[k] is None:
                    starts[k] = number
    if any(s is None for s in starts):  # pragma: no cover - the wrapper always has the anchor
        raise RuntimeError("a letter has no page")
    return [int(s) for s in starts]  # type: ignore[arg-type]


def render_chunk(
    job: RenderJob, index: int, items: Sequence[LetterItem], folder: str
) -> ChunkResult:
    """Lay out a chunk of letters once, write its PDF, cut it into one PDF per letter."""
    weasyprint = load_weasyprint()
    from pypdf import PdfReader

    fragments = [render_fragment(job, item) for item in items]
    html = html_document(
        fragments,
        css=job.css,
        title=combined_title(job.call_title),
        author=job.author,
        run_date=job.run_date,
    )
    document = _html_class(weasyprint)(string=html).render(font_config=_font_config(weasyprint))
    starts = letter_page_starts(document, len(items))
    data = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_identifier=pdf_identifier(job.call_title, "chunk", str(index)),
    )
    chunk_path = Path(folder) / f".parte-{index:06d}.pdf"
    chunk_path.write_bytes(data)
    reader = PdfReader(io.BytesIO(data))
    bounds = [*starts, len(document.pages)]
    pages = []
    for k, item in enumerate(items):
        span = range(bounds[k], bounds[k + 1])
        pages.append(len(span))
        single = assemble_pdf(
            [(reader, span)],
            title=item.title,
            author=job.author,
            run_date=job.run_date,
            identifier=pdf_identifier(job.call_title, item.stem, job.run_date.isoformat()),
        )
        (Path(folder) / f"{item.stem}.pdf").write_bytes(single)
    return ChunkResult(index=index, path=str(chunk_path), pages=pages)


def chunks(items: Sequence[LetterItem], size: int) -> list[list[LetterItem]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def render_pdfs(
    job: RenderJob,
    items: Sequence[LetterItem],
    folder: Path,
    *,
    workers: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> list[ChunkResult]:
    """Render every letter to `folder`/<stem>.pdf; return the chunks in order.

    Uses a process pool when there is more than one chunk and more than one core.
    """
    parts = chunks(items, chunk_size)
    workers = min(workers or default_workers(), len(parts)) if parts else 1
    results: list[ChunkResult] = []
    if workers <= 1:
        for i, part in enumerate(parts):
            results.append(render_chunk(job, i, part, str(folder)))
            if on_progress:
                on_progress(len(part))
        return results
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        pending: dict[Future[ChunkResult], int] = {}
        queue = list(enumerate(parts))
        queue.reverse()

        def submit() -> None:
            i, part = queue.pop()
            pending[pool.submit(render_chunk, job, i, part, str(folder))] = len(part)

        # Keep a few chunks in flight per worker, so progress is smooth and memory bounded.
        for _ in range(min(len(queue), workers * 3)):
            submit()
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    size = pending.pop(future)
                    results.append(future.result())
                    if on_progress:
                        on_progress(size)
                    if queue:
                        submit()
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    results.sort(key=lambda r: r.index)
    return results


def join_chunks(
    results: Sequence[ChunkResult], target: Path, *, title: str, author: str, run_date: dt.date
) -> int:
    """Join the chunks' PDFs into one PDF/A (the letters in order); return its page count."""
    from pypdf import PdfReader

    readers = [PdfReader(r.path) for r in results]
    sources = [(reader, range(len(reader.pages))) for reader in readers]
    data = assemble_pdf(
        sources,
        title=title,
        author=author,
        run_date=run_date,
        identifier=pdf_identifier(title, "lettere-tutte", run_date.isoformat()),
    )
    target.write_bytes(data)
    for r in results:
        Path(r.path).unlink(missing_ok=True)
    return sum(len(reader.pages) for reader in readers)
