"""Benchmark of `conciliare letters`: N letters with their voucher slips, the combined PDF, the
index and the letters' manifest, against the floor of laying the same letters out once.

    python bench/letters_speed.py --letters 10000 [--workers 2] [--provisional] [--floor]

Builds a synthetic RankResult (tests/letters_fixtures.py: 1-3 minors per application, every
outcome; from a final list, so every funded child has a slip), writes the letters into a
temporary folder and prints the wall time, the CPU of this process and its workers, the CPU per
letter and the peak resident memory of the process tree (sampled every 5 ms).
With --floor it then lays the same chunks out once more in this process with one warm Typst
compiler (the letters, then their pages' footers drawn over them), writing nothing (no
cutting, no files, no combined PDF): the ratio of the run's CPU
to that floor is the cost of everything around the layout.
Target (issue 14): 10,000 letters with slips in under 60 s on 2 cores, PDF/A, bounded memory.
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
sys.path.insert(0, str(ROOT / "bench"))

from letters_fixtures import synthetic_result  # noqa: E402
from run import PeakSampler  # noqa: E402

from conciliare_cli.letters import ListSource, prepare_letters, write_letters  # noqa: E402

RUN_DATE = dt.date(2017, 9, 15)


def cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children (the pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def floor_cpu(result, source: ListSource) -> float:
    """CPU seconds to compile every chunk once in this process, writing nothing."""
    from conciliare_cli.letters import _items
    from conciliare_cli.letters.common import common_context
    from conciliare_cli.letters.engine import Compiler, project
    from conciliare_cli.letters.render import CHUNK_SIZE, RenderJob, chunks, lay_out_chunk

    letters = prepare_letters(result, source)
    with project(result.call.folder, []) as proj:
        job = RenderJob(
            proj, common_context(result.rules, RUN_DATE, []), "bench", "bench", RUN_DATE
        )
        compiler = Compiler(proj)
        lay_out_chunk(compiler, job, _items(letters[:10], "bench"))  # fonts
        items = _items(letters, "bench")
        started = time.process_time()
        for part in chunks(items, CHUNK_SIZE):
            lay_out_chunk(compiler, job, part)  # the letters, then their pages' footers
        return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--provisional", action="store_true", help="a provisional list: no slips")
    parser.add_argument("--floor", action="store_true", help="also measure the layout floor")
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    args = parser.parse_args()
    status = "PROVVISORIA" if args.provisional else "DEFINITIVA"
    source = ListSource(status, RUN_DATE, "0" * 64)

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = synthetic_result(Path(tmp) / "bando", args.letters)
        t1 = time.perf_counter()
        out = args.keep or Path(tmp) / "lettere"
        cpu = cpu_seconds()
        with PeakSampler() as peak:
            report = write_letters(
                result, out, source=source, run_date=RUN_DATE, workers=args.workers
            )
        t2 = time.perf_counter()
        cpu = cpu_seconds() - cpu
        files = [p for p in out.rglob("*") if p.is_file()]
        size = sum(f.stat().st_size for f in files)
        n = max(1, report.letters)
        print(f"letters:            {report.letters} ({report.counts}), {report.slips} slips")
        print(f"synthetic data:     {t1 - t0:7.2f} s")
        print(f"write_letters:      {t2 - t1:7.2f} s  (wall: data, templates, PDFs, index)")
        print(f"  CPU:              {cpu:7.2f} s  (this process and its workers)")
        print(
            f"per letter:         {(t2 - t1) / n * 1000:7.1f} ms wall, {cpu / n * 1000:.1f} ms CPU"
        )
        for step, seconds in report.timings.items():
            print(f"  {step:44s} {seconds:7.2f} s")
        print(f"peak RSS:           {peak.peak / 2**20:7.0f} MiB (process and workers)")
        print(f"combined pages:     {report.pages}")
        print(f"files:              {len(files)}, {size / 1e6:.1f} MB")
        if args.floor:
            floor = floor_cpu(result, source)
            print(f"floor (layout once, one process, no files): {floor:7.2f} s CPU")
            print(f"run CPU / floor:    {cpu / floor:7.2f}")


if __name__ == "__main__":
    main()
