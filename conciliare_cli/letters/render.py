"""Letters and voucher slips to PDF/A: chunks of letters compiled by warm Typst compilers.

Speed: a chunk of CHUNK_SIZE letters (each followed by its slips) is one Typst document,
compiled once; the chunk's PDF is cut into one file per letter and per slip at the pages its
bookmarks point to (pdfparts.py). Chunks run in a pool of processes (one per core), each
keeping one compiler warm (fonts loaded once, Typst's layout cache kept between chunks); the
parent appends each chunk's objects to the combined PDF, in graduatoria order, while the next
chunks are laid out. Memory is bounded by the chunks in flight, never the whole run.

Reproducibility: fonts are Typst's own (and the call's), every timestamp is the run date, the
PDF identifiers are derived from the call, the file and the date; a chunk's bytes depend only on
its letters, and chunks are cut the same way whatever the number of processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from conciliare_cli.letters.engine import LETTER_MARK, SLIP_MARK, Compiler, Project
from conciliare_cli.letters.pdfparts import ChunkObjects, Pieces, letter_pdf, pdf_identifier

# Letters per Typst document: ~100 makes the per-document cost small and keeps memory low (one
# document of 10,000 letters takes gigabytes). Fixed, so the bytes never depend on the workers.
CHUNK_SIZE = 100


@dataclass(frozen=True)
class RenderJob:
    """What every worker needs, the same for all letters of a run (picklable)."""

    project: Project
    common: dict[str, Any]
    call_title: str
    author: str
    run_date: dt.date


@dataclass(frozen=True)
class LetterItem:
    """One letter to render: its file, its document title, its data, and its slips' files."""

    stem: str
    title: str
    context: dict[str, Any]
    slips: tuple[tuple[str, str], ...] = field(default=())  # (relative file, title) per voucher


@dataclass(frozen=True)
class ChunkResult:
    index: int
    pages: int
    objects: ChunkObjects  # the chunk's PDF objects, for the combined PDF
    files: dict[str, tuple[str, int]]  # relative file -> (SHA-256, bytes), for the manifest


def combined_title(call_title: str) -> str:
    return f"Lettere di esito – {call_title}"


_COMPILERS: dict[str, Compiler] = {}


def compiler_for(project: Project) -> Compiler:
    """This process's warm compiler for the run's project."""
    if project.root not in _COMPILERS:
        _COMPILERS.clear()
        _COMPILERS[project.root] = Compiler(project)
    return _COMPILERS[project.root]


def chunk_document(job: RenderJob, items: Sequence[LetterItem]) -> dict[str, Any]:
    return {
        "title": combined_title(job.call_title),
        "author": job.author,
        "common": job.common,
        "letters": [item.context for item in items],
    }


@dataclass(frozen=True)
class Part:
    """A letter or a slip inside a chunk: its file, its title, its pages (indexes)."""

    name: str
    title: str
    start: int
    end: int
    letter_of: str | None  # the application id for a letter, None for a slip


def _parts(objects: ChunkObjects, items: Sequence[LetterItem]) -> list[Part]:
    """Every letter and slip of the chunk, in order, with the pages its bookmark begins."""
    index_of = {page: i for i, page in enumerate(objects.pages)}
    marks = {t: index_of[p] for t, p in objects.bookmarks() if p in index_of}
    starts: list[tuple[str, str, int, str | None]] = []
    for i, item in enumerate(items):
        app = str(item.context["application_id"])
        starts.append((f"{item.stem}.pdf", item.title, marks[f"{LETTER_MARK}{i}"], app))
        for k, (name, title) in enumerate(item.slips):
            starts.append((name, title, marks[f"{SLIP_MARK}{i}-{k}"], None))
    ends = [start for _n, _t, start, _a in starts[1:]] + [len(objects.pages)]
    return [
        Part(name, title, start, end, app)
        for (name, title, start, app), end in zip(starts, ends, strict=True)
    ]


def lay_out_chunk(
    compiler: Compiler, job: RenderJob, items: Sequence[LetterItem]
) -> tuple[ChunkObjects, list[Part]]:
    """Lay a chunk out: its letters and slips, then every letter page's footer, drawn over it."""
    pdf = compiler.compile(chunk_document(job, items), job.run_date)
    objects = ChunkObjects.from_pdf(pdf)
    parts = _parts(objects, items)
    footers: list[dict[str, Any]] = []
    targets: list[int] = []
    for part in parts:
        if part.letter_of is None:
            continue
        pages = part.end - part.start
        for n in range(pages):
            footers.append({"id": part.letter_of, "page": n + 1, "pages": pages})
            targets.append(objects.pages[part.start + n])
    if footers:
        data = {"title": combined_title(job.call_title), "author": job.author, "pages": footers}
        overlay = ChunkObjects.from_pdf(compiler.compile_footers(data, job.run_date))
        objects.stamp(overlay, targets)
    return objects, parts


def render_chunk(
    job: RenderJob, index: int, items: Sequence[LetterItem], folder: str
) -> ChunkResult:
    """Compile a chunk once, write one PDF/A file per letter and per slip (hashed here, while
    the bytes are at hand, so the manifest does not read them back)."""
    objects, parts = lay_out_chunk(compiler_for(job.project), job, items)
    files: dict[str, tuple[str, int]] = {}
    made: set[Path] = set()
    cut: dict[int, Pieces] = {}
    for part in parts:
        buffer = io.BytesIO()
        letter_pdf(
            objects,
            objects.pages[part.start : part.end],
            buffer,
            title=part.title,
            author=job.author,
            run_date=job.run_date,
            identifier=pdf_identifier(job.call_title, part.name, job.run_date.isoformat()),
            cut=cut,
        )
        data = buffer.getvalue()
        name = part.name
        path = Path(folder) / name
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)
        files[name] = (hashlib.sha256(data).hexdigest(), len(data))
    return ChunkResult(index=index, pages=len(objects.pages), objects=objects, files=files)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def pool_size(letters: int, workers: int | None, chunk_size: int = CHUNK_SIZE) -> int:
    """Processes for `letters` letters: one per core, at most one per chunk."""
    parts = -(-letters // chunk_size)
    return max(1, min(workers or default_workers(), parts))


def _init_worker(project: Project) -> None:
    compiler_for(project)  # load the fonts while the parent builds the letters' data


def start_pool(workers: int, project: Project) -> ProcessPoolExecutor:
    """A pool of `workers` processes, started now, each with a warm compiler."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_init_worker,
        initargs=(project,),
    )


def chunks(items: Sequence[LetterItem], size: int) -> list[list[LetterItem]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def render_pdfs(
    job: RenderJob,
    items: Sequence[LetterItem],
    folder: Path,
    *,
    chunk_size: int = CHUNK_SIZE,
    on_progress: Callable[[int], None] | None = None,
    on_chunk: Callable[[ChunkObjects], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
    files: dict[str, tuple[str, int]] | None = None,
) -> int:
    """Render every letter and slip into `folder`; return the number of pages.

    `on_chunk` receives each chunk's PDF objects in order (for the combined PDF), as soon as
    the chunk and those before it are done. With a `pool` the chunks run in its processes.
    `files`, when given, receives each written file's SHA-256 and size.
    """
    parts = chunks(items, chunk_size)
    pages = 0
    if pool is None:
        for i, part in enumerate(parts):
            result = render_chunk(job, i, part, str(folder))
            pages += result.pages
            if files is not None:
                files.update(result.files)
            if on_chunk:
                on_chunk(result.objects)
            if on_progress:
                on_progress(len(part))
        return pages
    pending: dict[Future[ChunkResult], int] = {}
    queue = list(reversed(list(enumerate(parts))))
    finished: dict[int, ChunkResult] = {}
    next_index = 0

    def submit() -> None:
        i, part = queue.pop()
        pending[pool.submit(render_chunk, job, i, part, str(folder))] = len(part)

    for _ in range(min(len(queue), 2 * (pool._max_workers or 1))):  # a few chunks in flight
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
                result = finished.pop(next_index)
                pages += result.pages
                if files is not None:
                    files.update(result.files)
                if on_chunk:
                    on_chunk(result.objects)
                next_index += 1
    except BaseException:
        for future in pending:
            future.cancel()
        raise
    return pages
