"""`conciliare letters`: one letter per application, a voucher slip per funded child, as PDF/A.

    source = ListSource.read(call_folder / "esiti")
    report = write_letters(result, out_folder, source=source, run_date=date(2017, 9, 15))

writes, into `out_folder` (whole, at the end): `<application id>.pdf` for each application,
`buoni/<application id>-<n>.pdf` for each voucher of a final list, `lettere-tutte.pdf` (every
letter followed by its slips, in graduatoria order), `indice.csv` and `indice.xlsx` (for
sending) and `manifest-lettere.json` (every file's SHA-256 and the graduatoria it comes from).
Amounts are checked against graduatoria.csv first; templates are checked before any letter.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from conciliare_cli.engine.result import RankResult
from conciliare_cli.errors import UserError
from conciliare_cli.letters.common import ListSource, common_context, formal_gaps, logo_files
from conciliare_cli.letters.context import OUTCOMES, Letter, build_letters
from conciliare_cli.letters.delivery import (
    INDEX_CSV,
    INDEX_XLSX,
    index_csv,
    index_frame,
    without_channel,
    write_index_xlsx,
)
from conciliare_cli.letters.engine import Compiler, PdfUnavailable, load_typst, logo_paths, project
from conciliare_cli.letters.files import (
    COMBINED_STEM,
    LETTERS_MANIFEST,
    SLIPS_DIR,
    assign_file_stems,
    check_against_graduatoria,
    check_selection_target,
    letters_folder,
    sanitise_id,
)
from conciliare_cli.letters.issued import write_letters_manifest
from conciliare_cli.letters.pdfparts import CombinedPdf, pdf_identifier
from conciliare_cli.letters.render import (
    CHUNK_SIZE,
    LetterItem,
    RenderJob,
    combined_title,
    pool_size,
    render_pdfs,
    start_pool,
)
from conciliare_cli.letters.samples import sample_letters

__all__ = [
    "COMBINED_STEM",
    "OUTCOMES",
    "Letter",
    "LettersReport",
    "ListSource",
    "PdfUnavailable",
    "assign_file_stems",
    "build_letters",
    "formal_gaps",
    "load_typst",
    "parse_ids",
    "parse_outcomes",
    "prepare_letters",
    "sanitise_id",
    "write_letters",
]


@dataclass
class LettersReport:
    """What a run of `letters` wrote."""

    folder: Path
    counts: dict[str, int] = field(default_factory=dict)  # outcome -> letters
    letters: int = 0
    slips: int = 0
    pages: int = 0  # PDF pages of the combined file
    no_channel: list[str] = field(default_factory=list)  # application ids with no contact
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # step -> seconds (wall)


def parse_outcomes(text: str | None) -> set[str] | None:
    """--only FINANZIATA,ESCLUSA -> {'FINANZIATA', 'ESCLUSA'}; an unknown outcome is an error."""
    if not text:
        return None
    chosen = {t.strip().upper() for t in text.split(",") if t.strip()}
    unknown = sorted(chosen - set(OUTCOMES))
    if unknown:
        raise UserError(
            "--only: esito sconosciuto " + ", ".join(unknown),
            hint="esiti possibili: " + ", ".join(OUTCOMES),
        )
    return chosen


def parse_ids(text: str | None) -> set[str] | None:
    if not text:
        return None
    return {t.strip() for t in text.split(",") if t.strip()} or None


def prepare_letters(
    result: RankResult,
    source: ListSource,
    *,
    only: set[str] | None = None,
    ids: set[str] | None = None,
    graduatoria: Path | None = None,
) -> list[Letter]:
    """The letters of a run, checked against graduatoria.csv, with file stems, selected."""
    if graduatoria is not None:
        check_against_graduatoria(result.minors, graduatoria)
    known = set(result.minors["application_id"].astype(str).unique())
    if ids:
        unknown = sorted(ids - known)
        if unknown:
            raise UserError("--protocolli: domande inesistenti " + ", ".join(unknown[:10]))
    # File names from every id of the call, so a letter's name never depends on the selection.
    stems = assign_file_stems(known)
    letters = build_letters(result, source, ids=ids or None, only=only or None)
    for letter in letters:
        letter.file_stem = stems[letter.application_id]
        total = sum(c["amount_cents"] for c in letter.context["children"])
        if total != letter.total_cents:  # pragma: no cover - guards the builder
            raise UserError(f"domanda {letter.application_id}: il totale non torna")
    return letters


def _items(letters: list[Letter], call_title: str) -> list[LetterItem]:
    items = []
    for letter in letters:
        slips = tuple(
            (
                f"{SLIPS_DIR}/{letter.file_stem}-{k}.pdf",
                f"Voucher {v['code']} – {call_title}",
            )
            for k, v in enumerate(letter.vouchers, start=1)
        )
        items.append(
            LetterItem(
                stem=letter.file_stem,
                title=f"Esito della domanda {letter.application_id} – {call_title}",
                context=letter.context,
                slips=slips,
            )
        )
    return items


def check_templates(compiler: Compiler, job: RenderJob, letters: list[Letter]) -> None:
    """Compile the templates on an example letter of every outcome (provisional and final)
    and on the first real letter of each outcome, and their page footers: a template error
    stops the run here, with its file and line, before any letter is written."""
    firsts: dict[str, Letter] = {}
    for letter in letters:
        firsts.setdefault(letter.outcome, letter)
    contexts = sample_letters() + [letter.context for letter in firsts.values()]
    compiler.compile(
        {"title": "prova", "author": job.author, "common": job.common, "letters": contexts},
        job.run_date,
    )
    pages = [{"id": str(letter["application_id"]), "page": 1, "pages": 2} for letter in contexts]
    compiler.compile_footers({"title": "prova", "author": job.author, "pages": pages}, job.run_date)


def write_letters(
    result: RankResult,
    out: Path,
    *,
    source: ListSource,
    run_date: dt.date,
    only: set[str] | None = None,
    ids: set[str] | None = None,
    graduatoria: Path | None = None,
    workers: int | None = None,
    protocol: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    adjust: Callable[[list[Letter]], None] | None = None,
) -> LettersReport:
    """Write the letters of `result` into `out` (see the module docstring). `adjust` may add
    to the letters' contexts before they are checked and rendered (the letters of a
    scorrimento act, acts/act_letters.py)."""
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(step: str) -> None:
        timings[step] = time.perf_counter() - started - sum(timings.values())

    load_typst()
    call = result.call
    logos = logo_files(call)
    with ExitStack() as stack:
        proj = stack.enter_context(project(call.folder, logos))
        expected = len(ids) if ids else result.minors["application_id"].nunique()
        size = pool_size(expected, workers, chunk_size)
        # Start the workers now: they load the fonts while the letters' data is built.
        pool = stack.enter_context(start_pool(size, proj)) if size > 1 else None
        lap("start of the workers")
        letters = prepare_letters(result, source, only=only, ids=ids, graduatoria=graduatoria)
        if adjust is not None:
            adjust(letters)
        lap("letters' data and graduatoria check")
        if not letters:
            raise UserError("nessuna lettera da scrivere con i filtri indicati")
        job = RenderJob(
            project=proj,
            common=common_context(result.rules, run_date, logo_paths(len(logos), logos), protocol),
            call_title=call.config.call.title,
            author=call.config.call.lead_partner.name,
            run_date=run_date,
        )
        check_templates(Compiler(proj), job, letters)
        lap("template check")
        report = LettersReport(folder=out, letters=len(letters))
        report.counts = dict(Counter(letter.outcome for letter in letters))
        report.no_channel = [letter.application_id for letter in without_channel(letters)]
        items = _items(letters, job.call_title)
        report.slips = sum(len(item.slips) for item in items)
        if ids or only:
            writes = {f"{item.stem}.pdf" for item in items}
            writes |= {name for item in items for name, _title in item.slips}
            check_selection_target(out, writes)
        if on_start:
            on_start(len(items))
        with letters_folder(out) as tmp:
            digests: dict[str, tuple[str, int]] = {}
            report.pages = _render(job, items, tmp, chunk_size, on_progress, pool, digests)
            lap("layout, letter and slip files, combined PDF")
            frame = index_frame(
                letters,
                {
                    letter.application_id: [name for name, _t in item.slips]
                    for letter, item in zip(letters, items, strict=True)
                },
            )
            (tmp / INDEX_CSV).write_bytes(index_csv(frame))
            write_index_xlsx(
                frame,
                tmp / INDEX_XLSX,
                title=job.call_title,
                status=source.status,
                run_date=run_date,
            )
            write_letters_manifest(
                tmp,
                letters=letters,
                items=items,
                source=source,
                run_date=run_date,
                protocol=protocol,
                selection={
                    "ids": sorted(ids) if ids else None,
                    "only": sorted(only) if only else None,
                },
                project=proj,
                known=digests,
            )
            lap("index and manifest")
        lap("move into place")
    lap("end of the workers")
    report.timings = timings
    report.seconds = time.perf_counter() - started
    return report


def _render(
    job: RenderJob,
    items: list[LetterItem],
    tmp: Path,
    chunk_size: int,
    on_progress: Callable[[int], None] | None,
    pool: object,
    digests: dict[str, tuple[str, int]],
) -> int:
    """Lay out every letter and slip into `tmp` and write the combined PDF; `digests` receives
    each file's SHA-256 and size."""
    title = combined_title(job.call_title)
    combined = CombinedPdf(
        tmp / f"{COMBINED_STEM}.pdf", title=title, author=job.author, run_date=job.run_date
    )
    try:
        pages = render_pdfs(
            job,
            items,
            tmp,
            chunk_size=chunk_size,
            on_progress=on_progress,
            on_chunk=combined.add,
            pool=pool,  # type: ignore[arg-type]
            files=digests,
        )
        written = combined.close(pdf_identifier(title, COMBINED_STEM, job.run_date.isoformat()))
        digests[f"{COMBINED_STEM}.pdf"] = combined.sha256
    finally:
        combined.abort()
    if written != pages:  # pragma: no cover - guards the combined file
        raise RuntimeError("the combined PDF does not have every page")
    return pages


__all__ += ["LETTERS_MANIFEST"]
