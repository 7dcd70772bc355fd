"""Benchmark of `conciliare letters`: N letters (singles + combined + index) on this machine.

    /tmp/venv/bin/python bench/letters_speed.py --letters 10000 [--workers 2] [--format pdf]

Builds a synthetic RankResult (tests/letters_fixtures.py: 1-3 minors per application, every
outcome), writes the letters into a temporary folder and prints the time of each step.
Target (issue): 10,000 PDF letters in under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from letters_fixtures import synthetic_result  # noqa: E402

from conciliare_cli.letters import build_letters, write_letters  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--format", default="pdf", choices=["pdf", "html"])
    parser.add_argument("--chunk", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = synthetic_result(Path(tmp) / "bando", args.letters)
        t1 = time.perf_counter()
        letters = build_letters(result, dt.date(2017, 9, 15))
        t2 = time.perf_counter()
        out = args.keep or Path(tmp) / "lettere"
        extra = {"chunk_size": args.chunk} if args.chunk else {}
        report = write_letters(
            result,
            out,
            run_date=dt.date(2017, 9, 15),
            fmt=args.format,
            workers=args.workers,
            **extra,
        )
        t3 = time.perf_counter()
        files = list(out.iterdir())
        size = sum(f.stat().st_size for f in files)
        print(f"letters:            {report.letters} ({report.counts})")
        print(f"synthetic data:     {t1 - t0:7.2f} s")
        print(f"letter contexts:    {t2 - t1:7.2f} s  ({len(letters)} letters)")
        print(f"write_letters:      {t3 - t2:7.2f} s  (all steps, format {args.format})")
        print(f"per letter:         {(t3 - t2) / max(1, report.letters) * 1000:7.1f} ms")
        for step, seconds in report.timings.items():
            print(f"  {step:34s} {seconds:7.2f} s")
        print(f"combined pages:     {report.pages}")
        print(f"files:              {len(files)}, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
