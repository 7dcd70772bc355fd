"""Benchmark of `conciliare letters`: N letters (singles + combined + index) on this machine.

    /tmp/venv/bin/python bench/letters_speed.py --letters 10000 [--workers 2] [--format pdf]

Builds a synthetic RankResult (tests/letters_fixtures.py: 1-3 minors per application, every
outcome), writes the letters into a temporary folder and prints the wall time of each step and
the CPU time of this process and its workers. With --split M (PDF only) it then lays out M of
the letters again in this process, one chunk at a time, and prints where a letter's CPU goes:
template, HTML parsing, styles and layout, drawing and PDF objects, the letter files.
Target (issue 6): 10,000 PDF letters in under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from letters_fixtures import synthetic_result  # noqa: E402

from conciliare_cli.letters import build_letters, write_letters  # noqa: E402

RUN_DATE = dt.date(2017, 9, 15)


def cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children (the pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cpu_split(result, count: int, chunk_size: int) -> dict[str, float]:
    """CPU seconds per step for `count` letters rendered in this process (like render_chunk)."""
    import gc

    from conciliare_cli.letters import common_context, prepare_letters
    from conciliare_cli.letters import render as r
    from conciliare_cli.letters.pdfparts import ChunkObjects, letter_pdf, pdf_identifier
    from conciliare_cli.letters.templating import read_css, template_dirs

    weasyprint = r.load_weasyprint()
    letters = prepare_letters(result, RUN_DATE)[:count]
    dirs = template_dirs(result.call.folder)
    job = r.RenderJob(
        template_dirs=tuple(str(d) for d in dirs),
        common=common_context(result.rules, RUN_DATE),
        css=read_css(dirs),
        call_title=result.call.config.call.title,
        author="bench",
        run_date=RUN_DATE,
    )
    items = [r.LetterItem(x.file_stem, x.template, x.context, x.application_id) for x in letters]
    steps = dict.fromkeys(
        [
            "template (Jinja2)",
            "HTML parsing",
            "styles and layout",
            "drawing, PDF objects",
            "letter files",
            "garbage collection",
        ],
        0.0,
    )
    clock = time.process_time
    with tempfile.TemporaryDirectory() as folder, r.layout_gc():
        r.render_chunk(job, 0, items[:chunk_size], folder)  # warm up (fonts, caches)
        for part in r.chunks(items, chunk_size):
            t0 = clock()
            html = r.html_document(
                [r.render_fragment(job, item) for item in part],
                css=job.css,
                title="bench",
                author="bench",
                run_date=RUN_DATE,
            )
            t1 = clock()
            parsed = r._html_class(weasyprint)(string=html)
            t2 = clock()
            document = parsed.render(font_config=r._font_config(weasyprint), cache=r._IMAGE_CACHE)
            t3 = clock()
            captured: list[ChunkObjects] = []

            def finisher(_document, pdf, captured=captured):
                captured.append(ChunkObjects.from_pydyf(pdf))
                pdf.write = r._no_write

            document.write_pdf(pdf_variant=r.PDF_VARIANT, pdf_identifier=False, finisher=finisher)
            t4 = clock()
            bounds = [*r.letter_page_starts(document, len(part)), len(document.pages)]
            objects = captured[0]
            for k, item in enumerate(part):
                with (Path(folder) / f"{item.stem}.pdf").open("wb") as out:
                    letter_pdf(
                        objects,
                        objects.pages[bounds[k] : bounds[k + 1]],
                        out,
                        title=item.title,
                        author="bench",
                        run_date=RUN_DATE,
                        identifier=pdf_identifier(item.stem),
                    )
            t5 = clock()
            del document, parsed
            gc.collect()
            t6 = clock()
            laps = (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)
            for step, seconds in zip(steps, laps, strict=True):
                steps[step] += seconds
    return {step: seconds / len(items) for step, seconds in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--format", default="pdf", choices=["pdf", "html"])
    parser.add_argument("--chunk", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    parser.add_argument(
        "--split",
        type=int,
        default=0,
        metavar="M",
        help="then measure the CPU split per letter on M letters in this process (PDF)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = synthetic_result(Path(tmp) / "bando", args.letters)
        t1 = time.perf_counter()
        letters = build_letters(result, RUN_DATE)
        t2 = time.perf_counter()
        out = args.keep or Path(tmp) / "lettere"
        extra = {"chunk_size": args.chunk} if args.chunk else {}
        cpu = cpu_seconds()
        report = write_letters(
            result, out, run_date=RUN_DATE, fmt=args.format, workers=args.workers, **extra
        )
        t3 = time.perf_counter()
        cpu = cpu_seconds() - cpu
        files = list(out.iterdir())
        size = sum(f.stat().st_size for f in files)
        n = max(1, report.letters)
        print(f"letters:            {report.letters} ({report.counts})")
        print(f"synthetic data:     {t1 - t0:7.2f} s")
        print(f"letter contexts:    {t2 - t1:7.2f} s  ({len(letters)} letters)")
        print(f"write_letters:      {t3 - t2:7.2f} s  (wall, all steps, format {args.format})")
        print(f"  CPU:              {cpu:7.2f} s  (this process and its workers)")
        print(
            f"per letter:         {(t3 - t2) / n * 1000:7.1f} ms wall, {cpu / n * 1000:.1f} ms CPU"
        )
        for step, seconds in report.timings.items():
            print(f"  {step:34s} {seconds:7.2f} s")
        print(f"combined pages:     {report.pages}")
        print(f"files:              {len(files)}, {size / 1e6:.1f} MB")
        if args.split and args.format == "pdf":
            print(f"CPU per letter, {min(args.split, args.letters)} letters in this process:")
            split = cpu_split(result, args.split, args.chunk or 25)
            for step, seconds in split.items():
                print(f"  {step:34s} {seconds * 1000:7.1f} ms")
            print(f"  {'total':34s} {sum(split.values()) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
