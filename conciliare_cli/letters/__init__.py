"""`conciliare letters`: one letter per application, for every outcome, as PDF/A or HTML.

    report = write_letters(result, out_folder, run_date=date(2017, 9, 15))

writes, into `out_folder` (whole, at the end): `<application id>.pdf` for each application,
`lettere-tutte.pdf` (every letter in graduatoria order) and `indice.csv` (for sending by PEC).
Amounts are checked against graduatoria.csv first; templates are checked before any letter.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from conciliare_cli.engine.result import RankResult
from conciliare_cli.errors import UserError
from conciliare_cli.letters.context import (
    OUTCOMES,
    TEMPLATE_OF,
    Letter,
    build_letters,
    common_context,
    sample_context,
)
from conciliare_cli.letters.files import (
    COMBINED_STEM,
    INDEX_NAME,
    assign_file_stems,
    check_against_graduatoria,
    index_csv,
    letters_folder,
    sanitise_id,
)
from conciliare_cli.letters.pdfparts import CombinedPdf, pdf_identifier
from conciliare_cli.letters.render import (
    CHUNK_SIZE,
    LetterItem,
    PdfUnavailable,
    RenderJob,
    combined_title,
    html_document,
    load_weasyprint,
    pool_size,
    render_fragment,
    render_pdfs,
    start_pool,
)
from conciliare_cli.letters.templating import (
    BASE_NAME,
    make_environment,
    read_css,
    render_checked,
    static_check,
    template_dirs,
)

__all__ = [
    "COMBINED_STEM",
    "FORMATS",
    "INDEX_NAME",
    "OUTCOMES",
    "Letter",
    "LettersReport",
    "PdfUnavailable",
    "assign_file_stems",
    "build_letters",
    "check_templates",
    "load_weasyprint",
    "parse_ids",
    "parse_outcomes",
    "prepare_letters",
    "sanitise_id",
    "write_letters",
]

FORMATS = ("pdf", "html")


@dataclass
class LettersReport:
    """What a run of `letters` wrote."""

    folder: Path
    fmt: str
    counts: dict[str, int] = field(default_factory=dict)  # outcome -> letters
    letters: int = 0
    pages: int = 0  # PDF pages of the combined file (0 for HTML)
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


def check_templates(dirs: list[Path], common: dict[str, object], letters: Iterable[Letter]) -> None:
    """Every template must parse, use only known variables and render: else a UserError with
    the template's file and line, before any letter is written."""
    env = make_environment(dirs)
    names = {BASE_NAME, *TEMPLATE_OF.values()}
    for d in dirs[:-1]:  # the call's own templates, including partials they include
        names.update(p.name for p in d.glob("*.html"))
    static_check(env, sorted(names), {**common, "letter": sample_context(OUTCOMES[-1])})
    first_of: dict[str, Letter] = {}
    for letter in letters:
        first_of.setdefault(letter.outcome, letter)
    for outcome in OUTCOMES:
        contexts = [sample_context(outcome)]
        if outcome in first_of:
            contexts.insert(0, first_of[outcome].context)
        for ctx in contexts:
            render_checked(env, TEMPLATE_OF[outcome], {**common, "letter": ctx})


def prepare_letters(
    result: RankResult,
    run_date: dt.date,
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
            raise UserError("--ids: domande inesistenti " + ", ".join(unknown[:10]))
    # File names from every id of the call, so a letter's name never depends on the selection.
    stems = assign_file_stems(known)
    letters = build_letters(result, run_date, ids=ids or None, only=only or None)
    for letter in letters:
        letter.file_stem = stems[letter.application_id]
        total = sum(m["amount_cents"] for m in letter.context["minors"])
        if total != letter.total_cents:  # pragma: no cover - guards the builder
            raise UserError(f"domanda {letter.application_id}: il totale non torna")
    return letters


def write_letters(
    result: RankResult,
    out: Path,
    *,
    run_date: dt.date,
    fmt: str = "pdf",
    only: set[str] | None = None,
    ids: set[str] | None = None,
    graduatoria: Path | None = None,
    workers: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> LettersReport:
    """Write the letters of `result` into `out` (see the module docstring)."""
    started = time.perf_counter()
    if fmt not in FORMATS:
        raise UserError(f"--format: formato sconosciuto '{fmt}'", hint="pdf oppure html")
    if fmt == "pdf":
        load_weasyprint()
    with ExitStack() as stack:
        pool = None
        if fmt == "pdf":
            # Start the workers now: they load WeasyPrint while the letters' data is built.
            expected = len(ids) if ids else result.minors["application_id"].nunique()
            size = pool_size(expected, workers, chunk_size)
            if size > 1:
                pool = stack.enter_context(start_pool(size))
        return _write_letters(
            result,
            out,
            run_date=run_date,
            fmt=fmt,
            only=only,
            ids=ids,
            graduatoria=graduatoria,
            workers=workers,
            chunk_size=chunk_size,
            on_start=on_start,
            on_progress=on_progress,
            pool=pool,
            started=started,
        )


def _write_letters(
    result: RankResult,
    out: Path,
    *,
    run_date: dt.date,
    fmt: str,
    only: set[str] | None,
    ids: set[str] | None,
    graduatoria: Path | None,
    workers: int | None,
    chunk_size: int,
    on_start: Callable[[int], None] | None,
    on_progress: Callable[[int], None] | None,
    pool: ProcessPoolExecutor | None,
    started: float,
) -> LettersReport:
    call = result.call
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = timings.get(step, 0.0) + now - clock
        clock = now

    letters = prepare_letters(result, run_date, only=only, ids=ids, graduatoria=graduatoria)
    if not letters:
        raise UserError("nessuna lettera da scrivere con i filtri indicati")
    common = common_context(result.rules, run_date)
    dirs = template_dirs(call.folder)
    lap("letters data and graduatoria check")
    check_templates(dirs, common, letters)
    lap("template check")
    author = call.config.call.lead_partner.name
    job = RenderJob(
        template_dirs=tuple(str(d) for d in dirs),
        common=common,
        css=read_css(dirs),
        call_title=call.config.call.title,
        author=author,
        run_date=run_date,
    )
    items = [
        LetterItem(
            stem=letter.file_stem,
            template=letter.template,
            context=letter.context,
            title=f"Esito della domanda {letter.application_id} – {job.call_title}",
        )
        for letter in letters
    ]
    if on_start:
        on_start(len(items))
    report = LettersReport(folder=out, fmt=fmt, letters=len(letters))
    report.counts = dict(Counter(letter.outcome for letter in letters))
    with letters_folder(out) as tmp:
        if fmt == "pdf":
            title = combined_title(job.call_title)
            combined = CombinedPdf(
                tmp / f"{COMBINED_STEM}.pdf", title=title, author=author, run_date=run_date
            )
            try:
                pages = render_pdfs(
                    job,
                    items,
                    tmp,
                    workers=workers,
                    chunk_size=chunk_size,
                    on_progress=on_progress,
                    on_chunk=combined.add,
                    pool=pool,
                )
                lap("layout and PDF of each letter (and the combined PDF)")
                report.pages = combined.close(
                    pdf_identifier(title, "lettere-tutte", run_date.isoformat())
                )
            finally:
                combined.abort()
            if report.pages != pages:  # pragma: no cover - guards the combined file
                raise RuntimeError("the combined PDF does not have every page")
            lap("combined PDF (closing)")
            suffix = ".pdf"
        else:
            fragments = []
            for item in items:
                fragment = render_fragment(job, item)
                fragments.append(fragment)
                (tmp / f"{item.stem}.html").write_text(
                    html_document(
                        [fragment], css=job.css, title=item.title, author=author, run_date=run_date
                    ),
                    encoding="utf-8",
                )
                if on_progress:
                    on_progress(1)
            (tmp / f"{COMBINED_STEM}.html").write_text(
                html_document(
                    fragments,
                    css=job.css,
                    title=combined_title(job.call_title),
                    author=author,
                    run_date=run_date,
                ),
                encoding="utf-8",
            )
            suffix = ".html"
        (tmp / INDEX_NAME).write_text(index_csv(letters, suffix), encoding="utf-8")
        lap("HTML" if fmt == "html" else "index")
    lap("move into place")
    report.timings = timings
    report.seconds = time.perf_counter() - started
    return report
