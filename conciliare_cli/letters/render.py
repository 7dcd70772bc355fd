"""Letters to HTML and to PDF/A: many letters laid out as one document, split by page ranges.

Speed: WeasyPrint lays out a chunk of letters as ONE HTML document (each letter starts a new
page) and builds its PDF once; each letter's PDF/A file is written from that PDF's objects by
page ranges (the pages of a letter are found from the anchor at its start), see pdfparts.py.
Chunks run in parallel in a process pool (one process per core); the combined PDF is written by
the parent from the chunks' objects, in graduatoria order, while the other chunks are laid out.
The letters' templates and stylesheet are kept lean (see lettera.css) and Python's collector is
tuned for layout (see _tune_gc).

Reproducibility: every timestamp is the run date (`--date`), the PDF identifiers are derived
from the call, the letter and the date, so two runs over the same data give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from markupsafe import escape

from conciliare_cli import __version__
from conciliare_cli.errors import UserError
from conciliare_cli.letters.pdfparts import (
    ChunkObjects,
    letter_pdf,
    pdf_identifier,
    timestamp,
)
from conciliare_cli.letters.templating import make_environment, render_checked

PDF_VARIANT = "pdf/a-3b"
ANCHOR = "conciliare-lettera-"
# Letters per WeasyPrint document. A document costs ~15 ms of its own (styles, fonts, PDF
# skeleton): 25 letters make that small, keep the workers evenly loaded and memory low.
CHUNK_SIZE = 25
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


# ---------------------------------------------------------------- PDF rendering (workers)


@dataclass(frozen=True)
class ChunkResult:
    index: int
    pages: list[int]  # pages of each letter of the chunk
    objects: ChunkObjects  # the chunk's PDF objects, for the combined PDF


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
# Images (logos) decoded once per process, not once per chunk: WeasyPrint's image cache.
_IMAGE_CACHE: dict[str, Any] = {}


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


# Python's cyclic garbage collector, tuned for layout. WeasyPrint allocates millions of small
# objects per chunk (boxes, styles); with the default thresholds the collector runs thousands of
# times and each older-generation pass walks every object alive, the imported modules included.
# Freezing what exists before rendering (it lives as long as the process) and collecting young
# objects less often saves about a tenth of the CPU; each chunk's garbage is collected at its
# end (without that, memory grows and the run is slower).
LAYOUT_GC_THRESHOLD = (50_000, 20, 100)


def _tune_gc() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*LAYOUT_GC_THRESHOLD)


@contextmanager
def layout_gc() -> Iterator[None]:
    """The tuned collector for the duration of a block (when rendering in this process)."""
    threshold = gc.get_threshold()
    _tune_gc()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _init_worker() -> None:
    """A pool process: load WeasyPrint and the fonts' configuration once, tune the collector."""
    weasyprint = load_weasyprint()
    _html_class(weasyprint)
    _font_config(weasyprint)
    _tune_gc()


def render_chunk(
    job: RenderJob, index: int, items: Sequence[LetterItem], folder: str
) -> ChunkResult:
    """Lay out a chunk of letters once, build its PDF once, write one PDF/A file per letter."""
    weasyprint = load_weasyprint()
    fragments = [render_fragment(job, item) for item in items]
    html = html_document(
        fragments,
        css=job.css,
        title=combined_title(job.call_title),
        author=job.author,
        run_date=job.run_date,
    )
    document = _html_class(weasyprint)(string=html).render(
        font_config=_font_config(weasyprint), cache=_IMAGE_CACHE
    )
    starts = letter_page_starts(document, len(items))
    bounds = [*starts, len(document.pages)]
    captured: list[ChunkObjects] = []

    def finisher(_document: Any, pdf: Any) -> None:
        captured.append(ChunkObjects.from_pydyf(pdf))
        pdf.write = _no_write  # the objects are written by pdfparts, not as one file

    # No identifier: it would make pydyf serialise and compress every object again to hash it.
    document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=False, finisher=finisher)
    objects = captured[0]
    if len(objects.pages) != len(document.pages):  # pragma: no cover - WeasyPrint changed
        raise RuntimeError("the chunk's PDF does not have one page object per page")
    pages = []
    for k, item in enumerate(items):
        own = objects.pages[bounds[k] : bounds[k + 1]]
        pages.append(len(own))
        with (Path(folder) / f"{item.stem}.pdf").open("wb") as out:
            letter_pdf(
                objects,
                own,
                out,
                title=item.title,
                author=job.author,
                run_date=job.run_date,
                identifier=pdf_identifier(job.call_title, item.stem, job.run_date.isoformat()),
            )
    del document
    gc.collect()  # this chunk's garbage, while the collector runs seldom (see _tune_gc)
    return ChunkResult(index=index, pages=pages, objects=objects)


def _no_write(*_args: Any, **_kwargs: Any) -> None:
    return None


def pool_size(letters: int, workers: int | None, chunk_size: int = CHUNK_SIZE) -> int:
    """Processes for `letters` letters: one per core, at most one per chunk."""
    parts = -(-letters // chunk_size)
    return max(1, min(workers or default_workers(), parts))


def start_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes, started now: each loads WeasyPrint and the fonts while
    the caller goes on (e.g. building the letters' data), so both cores work from the start."""
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker
    )
    for _ in range(workers):
        pool.submit(_ready)
    return pool


def _ready() -> None:
    return None


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
    on_chunk: Callable[[ChunkObjects], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> int:
    """Render every letter to `folder`/<stem>.pdf; return the number of pages.

    `on_chunk` receives each chunk's PDF objects in order (for the combined PDF), as soon as the
    chunk and those before it are done. Uses a process pool when there is more than one chunk
    and more than one core: `pool` if given (see start_pool), else one of its own.
    """
    parts = chunks(items, chunk_size)
    workers = pool_size(len(items), workers, chunk_size)
    pages = 0

    def done(result: ChunkResult) -> None:
        nonlocal pages
        pages += sum(result.pages)
        if on_chunk:
            on_chunk(result.objects)

    if workers <= 1 and pool is None:
        with layout_gc():
            for i, part in enumerate(parts):
                done(render_chunk(job, i, part, str(folder)))
                if on_progress:
                    on_progress(len(part))
        return pages
    with pool or start_pool(workers) as pool:
        pending: dict[Future[ChunkResult], int] = {}
        queue = list(enumerate(parts))
        queue.reverse()
        finished: dict[int, ChunkResult] = {}
        next_index = 0

        def submit() -> None:
            i, part = queue.pop()
            pending[pool.submit(render_chunk, job, i, part, str(folder))] = len(part)

        # A few chunks in flight per worker, so no worker waits and memory stays bounded.
        for _ in range(min(len(queue), workers * 3)):
            submit()
        try:
            while pending:
                completed, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in completed:
                    size = pending.pop(future)
                    if queue:
                        submit()
                    result = future.result()
                    finished[result.index] = result
                    if on_progress:
                        on_progress(size)
                while next_index in finished:  # in order, while the others are laid out
                    done(finished.pop(next_index))
                    next_index += 1
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return pages
