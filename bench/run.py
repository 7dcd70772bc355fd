"""Benchmark: wall time and peak memory of each stage, against the floor, at several sizes.

    python bench/run.py                      # 10,000 and 100,000 minors
    python bench/run.py --minors 1000000     # one size
    python bench/run.py --letters 10000      # also letters on the first N applications

For each size a call is generated (conciliare_cli.demo, deterministic from --seed) in a
temporary folder, then each stage runs in this process and is timed; peak memory is the
highest resident set size seen by a sampler thread while the stage ran. The floor, measured in
the same run on the same files, is: reading every input file with the fastest reader
(python-calamine for spreadsheets, pandas' pyarrow or C engine for CSV) plus writing a plain
xlsx of the graduatoria's size with XlsxWriter in constant-memory mode. The headline figure is
tool / floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

RUN_DATE = dt.date(2017, 9, 15)
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE


class PeakSampler:
    """Samples the resident set size every few milliseconds in a background thread."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


@dataclass
class Timings:
    rows: list[tuple[str, float, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        gc.collect()
        start = time.perf_counter()
        with PeakSampler() as sampler:
            yield
        self.rows.append((name, time.perf_counter() - start, sampler.peak / 2**20))

    def total(self, names: list[str]) -> float:
        return sum(t for n, t, _ in self.rows if n in names)


def floor_read(files: list[Path]) -> int:
    """Read every input file with the fastest reader; return the number of rows."""
    import python_calamine

    rows = 0
    for path in files:
        if path.suffix.lower() in (".csv", ".txt"):
            raw = path.read_bytes()
            encoding = "utf-8-sig"
            try:
                raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                encoding = "cp1252"
            head = raw[:4096].decode(encoding, errors="replace").splitlines()[0]
            sep = max([";", ",", "\t"], key=head.count)
            engine = "pyarrow" if _has_pyarrow() and encoding != "cp1252" else "c"
            frame = pd.read_csv(
                path,
                sep=sep,
                dtype=str,
                encoding=encoding,
                engine=engine,
                header=None,
                keep_default_na=False,
            )
            rows += len(frame)
        else:
            wb = python_calamine.CalamineWorkbook.from_path(str(path))
            for name in wb.sheet_names:
                rows += len(wb.get_sheet_by_name(name).to_python())
    return rows


def floor_write(path: Path, frame: pd.DataFrame) -> None:
    """Write a plain xlsx of the same size as `frame` with the fastest writer."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, list(map(str, frame.columns)))
    values = frame.astype(object).where(frame.notna(), None).to_numpy()
    for i, row in enumerate(values, start=1):
        ws.write_row(i, 0, row)
    wb.close()


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def run_size(minors: int, seed: int, letters: int, workdir: Path) -> dict[str, Any]:
    from conciliare_cli.commands.rank import write_outputs
    from conciliare_cli.config import load_call
    from conciliare_cli.demo import applications_for, generate_call
    from conciliare_cli.engine.pipeline import rank_call
    from conciliare_cli.read import read_call
    from conciliare_cli.validate import validate_table
    from conciliare_cli.write.graduatoria import graduatoria_frame

    folder = workdir / f"call-{minors}"
    t0 = time.perf_counter()
    generated = generate_call(folder, applications=applications_for(minors), seed=seed)
    gen_s = time.perf_counter() - t0
    call = load_call(folder)
    t = Timings()
    with t.stage("read"):
        read = read_call(call)
    with t.stage("validate"):
        checks = validate_table(call, read.minors)
        findings = pd.concat([read.findings, checks], ignore_index=True)
    with t.stage("score+rank+allocate"):
        result = rank_call(call, read.minors, findings)
    result.input_files = sorted(str(p) for p in read.input_files)
    with t.stage("write outputs"):
        write_outputs(result, folder / "esiti", "PROVVISORIA", RUN_DATE)
    tool_stages = [n for n, _, _ in t.rows]
    if letters:
        from conciliare_cli.letters import write_letters

        ids = set(sorted(result.minors["application_id"].unique())[:letters])
        with t.stage(f"letters ({len(ids)} PDF + combined + index)"):
            write_letters(result, folder / "esiti" / "lettere", run_date=RUN_DATE, ids=ids)
    grad = graduatoria_frame(result)
    files = sorted(read.input_files)
    with t.stage("floor: read"):
        floor_read(files)
    with t.stage("floor: write xlsx"):
        floor_write(workdir / f"floor-{minors}.xlsx", grad)
    tool = t.total(tool_stages)
    floor = t.total(["floor: read", "floor: write xlsx"])
    return {
        "minors": len(read.minors),
        "applications": int(read.minors["application_id"].nunique()),
        "files": len(files),
        "generate_s": gen_s,
        "timings": t.rows,
        "tool_s": tool,
        "floor_s": floor,
        "ratio": tool / floor if floor else float("nan"),
        "generated": generated,
    }


def print_report(report: dict[str, Any], out: Callable[[str], None] = print) -> None:
    out(
        f"\n### {report['minors']:,} minors, {report['applications']:,} applications, "
        f"{report['files']} files (generated in {report['generate_s']:.1f} s)\n"
    )
    out("| stage | wall time (s) | peak RSS (MiB) |")
    out("| --- | ---: | ---: |")
    for name, secs, peak in report["timings"]:
        out(f"| {name} | {secs:.2f} | {peak:.0f} |")
    out(f"| **tool total (read → write)** | **{report['tool_s']:.2f}** | |")
    out(f"| **floor (read + plain xlsx)** | **{report['floor_s']:.2f}** | |")
    out(f"\n**tool / floor = {report['ratio']:.2f}**")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minors",
        type=int,
        action="append",
        help="size in minors (repeatable); default 10000 and 100000",
    )
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument(
        "--letters", type=int, default=0, help="also write letters for the first N applications"
    )
    parser.add_argument("--keep", type=Path, help="generate the calls here and keep them")
    args = parser.parse_args()
    sizes = args.minors or [10_000, 100_000]
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, pandas {pd.__version__}"
    )
    with tempfile.TemporaryDirectory(prefix="conciliare-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for minors in sizes:
            print_report(run_size(minors, args.seed, args.letters, workdir))


if __name__ == "__main__":
    main()
