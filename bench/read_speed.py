"""Benchmark of the reader: read_call against plain pandas reads of the same files.

    python bench/read_speed.py                       # 100,000 applications, 5 partners
    python bench/read_speed.py --applications 20000 --formats xlsx csv
    python bench/read_speed.py --repeat 3

A call is generated with conciliare_cli.demo (deterministic from --seed) in a temporary
folder: 5 partners, one file each, in the demo's layouts (a row per minor, or a row per
application with numbered groups of minor columns) and formats. Then, best of --repeat runs:

- tool: `read_call(call)` — find header rows, map columns, parse every value (dates, money to
  cents, yes/no, tax codes), provenance, ids, findings;
- floor: `pandas.read_excel(engine="calamine")` / `pandas.read_csv` of the same files, with
  the header row, delimiter and encoding given (so the floor does no detection at all).

The headline figure is tool / floor (target: at most 1.5).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def floor_reader(call: object, per_file: dict[str, float], repeat: int) -> Callable[[], None]:
    """Plain pandas reads of every partner file, the header row etc. known in advance."""
    from conciliare_cli.read import partner_files, relative, sources
    from conciliare_cli.read.table import choose_grid

    jobs: list[tuple[str, Callable[[], object]]] = []
    for partner in call.config.partners:  # type: ignore[attr-defined]
        for path in partner_files(call.folder, partner):  # type: ignore[attr-defined]
            rel = relative(path, call.folder)  # type: ignore[attr-defined]
            grid, idx = choose_grid(path, rel, partner)
            if path.suffix.lower() in sources.TEXT_SUFFIXES:
                data = path.read_bytes()
                enc = sources.detect_encoding(data)
                lines = sources.sample_lines(sources.decode(data, enc, rel)[0])
                expected = {
                    sources.normalise_header(h.replace("{n}", "1"))
                    for hs in partner.columns.values()
                    for h in ([hs] if isinstance(hs, str) else hs)
                }
                sep = sources.detect_delimiter(lines, expected)

                def job(p: Path = path, e: str = enc, s: str = sep, h: int = idx) -> object:
                    return pd.read_csv(p, sep=s, encoding=e, skiprows=h)

            else:

                def job(p: Path = path, sh: str = grid.sheet, h: int = idx) -> object:
                    return pd.read_excel(p, sheet_name=sh, header=h, engine="calamine")

            jobs.append((rel, job))

    def run() -> None:
        for _, job in jobs:
            job()

    for rel, job in jobs:
        per_file[rel] = best_of(repeat, job)
    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--applications", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--formats", nargs="*", default=None, help="demo formats (default: mixed)")
    ap.add_argument("--folder", type=Path, default=None, help="reuse/generate the call here")
    args = ap.parse_args(argv)

    from conciliare_cli.config import load_call
    from conciliare_cli.demo import generate_call
    from conciliare_cli.read import read_call

    with tempfile.TemporaryDirectory(prefix="read-speed-") as tmp:
        folder = args.folder or Path(tmp) / "call"
        if not (folder / "bando.yaml").exists():
            t0 = time.perf_counter()
            generate_call(
                folder, applications=args.applications, seed=args.seed, formats=args.formats
            )
            print(f"generated in {time.perf_counter() - t0:.1f} s: {folder}")
        call = load_call(folder)
        result = read_call(call)
        per_file: dict[str, float] = {}
        floor_run = floor_reader(call, per_file, args.repeat)
        floor = tool = float("inf")
        for _ in range(args.repeat):  # interleaved, so that a busy machine hurts both alike
            floor = min(floor, best_of(1, floor_run))
            tool = min(tool, best_of(1, lambda: read_call(call)))

        print(
            f"\n{len(result.minors):,} minors, "
            f"{result.minors['application_id'].nunique():,} applications, "
            f"{len(result.input_files)} files, {len(result.findings):,} findings\n"
        )
        print("| file | floor (s) |")
        print("| --- | ---: |")
        for rel, secs in per_file.items():
            print(f"| {rel} | {secs:.2f} |")
        print("\n| reader | wall time (s) |")
        print("| --- | ---: |")
        print(f"| floor: pandas read_excel(calamine) / read_csv | {floor:.2f} |")
        print(f"| conciliare read_call | {tool:.2f} |")
        print(f"| **ratio tool / floor** | **{tool / floor:.2f}** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
