"""Benchmark: wall time and peak memory of each stage of validate, rank and letters, against
the floor, at several sizes.

    python bench/run.py                                  # 10,000 and 100,000 minors
    python bench/run.py --minors 1000000                 # one size (repeatable)
    python bench/run.py --letters 10000                  # also 10,000 letters (see below)
    python bench/run.py --markdown bench/results.md      # also write the tables as Markdown

For each size a call is generated (conciliare_cli.demo, deterministic from --seed) in a
temporary folder; then the commands run in this process, stage by stage, as the CLI runs them:

- validate: read the partners' files, check them, write the anomalies workbooks;
- rank: read, check, score + rank + allocate, write the outputs (graduatoria.csv,
  graduatoria.xlsx, the public list in xlsx and PDF, manifest.json: each timed on its own);
- letters (with --letters N): the PDF letters of the first N applications, combined PDF and
  index; once, at the first size with at least N applications.

Peak memory is the highest resident set size of this process and its children (the letters'
workers), sampled every 5 ms while the stage runs. The floor, measured in the same run on the
same files, is what no tool can beat: reading every input file with the fastest reader
(python-calamine for spreadsheets, pandas' pyarrow or C engine for CSV) plus writing a plain
xlsx of the graduatoria's size (graduatoria.csv's rows and columns) with XlsxWriter in
constant-memory mode. The headline figure is rank / floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import math
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

RUN_DATE = dt.date(2017, 9, 15)
PAGE = os.sysconf("SC_PAGE_SIZE")
LIBRARIES = ("pandas", "numpy", "XlsxWriter", "python-calamine", "pydyf", "fonttools",
             "typst", "pyarrow")  # fmt: skip


# ----------------------------------------------------------------------------- memory


def _rss(pid: int | str) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int | str) -> list[str]:
    out: list[str] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += fh.read().split()
        except OSError:
            continue
    return out


def tree_rss() -> int:
    """Resident set size of this process and all its descendants, in bytes."""
    total, todo = 0, [str(os.getpid())]
    while todo:
        pid = todo.pop()
        total += _rss(pid)
        todo += _children(pid)
    return total


class PeakSampler:
    """Samples the resident set size (process tree) every few ms in a background thread."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.peak = tree_rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss())
            time.sleep(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss())


# ----------------------------------------------------------------------------- timings


@dataclass
class Row:
    name: str
    group: str  # validate, rank, letters, floor
    seconds: float
    peak_mib: float | None  # None for a part of a stage (timed, not sampled)


@dataclass
class Timings:
    rows: list[Row] = field(default_factory=list)

    @contextmanager
    def stage(self, group: str, name: str) -> Iterator[None]:
        gc.collect()
        at = len(self.rows)  # the stage's row goes before the parts timed inside it
        start = time.perf_counter()
        with PeakSampler() as sampler:
            yield
        row = Row(name, group, time.perf_counter() - start, sampler.peak / 2**20)
        self.rows.insert(at, row)

    def part(self, group: str, name: str, seconds: float) -> None:
        self.rows.append(Row(name, group, seconds, None))

    def total(self, group: str) -> float:
        return sum(r.seconds for r in self.rows if r.group == group and r.peak_mib is not None)

    def peak(self, group: str) -> float:
        return max((r.peak_mib or 0.0 for r in self.rows if r.group == group), default=0.0)


@contextmanager
def timed_parts(t: Timings, group: str, module: Any, names: dict[str, str]) -> Iterator[None]:
    """Time the functions `names` (attribute -> label) of `module` while the block runs."""
    saved = {attr: getattr(module, attr) for attr in names}

    def wrap(attr: str, func: Callable) -> Callable:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                t.part(group, names[attr], time.perf_counter() - start)

        return timed

    for attr, func in saved.items():
        setattr(module, attr, wrap(attr, func))
    try:
        yield
    finally:
        for attr, func in saved.items():
            setattr(module, attr, func)


# ----------------------------------------------------------------------------- floor


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


# ----------------------------------------------------------------------------- one size


WRITERS = {
    "write_graduatoria_csv": "write graduatoria.csv",
    "write_graduatoria_xlsx": "write graduatoria.xlsx",
    "write_public": "write public list (xlsx + PDF/A)",
    "write_manifest": "write manifest.json",
}


def run_size(minors: int, seed: int, letters: int, workdir: Path) -> dict[str, Any]:
    from conciliare_cli import runs
    from conciliare_cli.config import load_call
    from conciliare_cli.demo import applications_for, generate_call
    from conciliare_cli.engine.stages import rank_call
    from conciliare_cli.read import read_call
    from conciliare_cli.validate import check_read
    from conciliare_cli.write.anomalies import write_anomalies

    folder = workdir / f"call-{minors}"
    t0 = time.perf_counter()
    gen_s: float | None = None  # None: generated by an earlier run (--keep)
    if not (folder / "bando.yaml").exists():
        generate_call(folder, applications=applications_for(minors), seed=seed)
        gen_s = time.perf_counter() - t0
    call = load_call(folder)
    t = Timings()

    with t.stage("validate", "read"):
        read = read_call(call)
    with t.stage("validate", "checks"):
        read, findings, _ = check_read(call, read)
    with t.stage("validate", "write anomalies workbooks"):
        write_anomalies(findings, read.partners, folder / "esiti", call, RUN_DATE)
    del read, findings

    with t.stage("rank", "read"):
        read = read_call(call)
    with t.stage("rank", "checks"):
        read, findings, _ = check_read(call, read)
    engine: dict[str, float] = {}
    with t.stage("rank", "rules engine (rank_call)"):
        result = rank_call(call, read.minors, findings, timings=engine)
        for name, seconds in engine.items():
            t.part("rank", f"engine: {name}", seconds)
    files = sorted(p if Path(p).is_absolute() else folder / p for p in read.input_files)
    result.input_files = sorted(
        Path(p).resolve().relative_to(folder.resolve()).as_posix() for p in files
    )
    n_minors = len(read.minors)
    n_apps = int(read.minors["application_id"].nunique())
    del read, findings
    with (
        t.stage("rank", "write outputs"),
        timed_parts(t, "rank", runs, WRITERS),
    ):
        runs.write_outputs(result, folder / "esiti", "PROVVISORIA", RUN_DATE)

    if letters and n_apps >= letters:
        from conciliare_cli.letters import ListSource, write_letters

        ids = set(sorted(result.minors["application_id"].astype(str).unique())[:letters])
        source = ListSource.read(folder / "esiti")
        with t.stage("letters", f"{len(ids):,} letters (PDF each + combined + index)"):
            write_letters(
                result, folder / "esiti" / "lettere", source=source, run_date=RUN_DATE, ids=ids
            )

    out_csv = folder / "esiti" / "graduatoria.csv"
    grad = pd.read_csv(out_csv, dtype=str, keep_default_na=False)
    del result
    with t.stage("floor", "read the inputs (calamine / pandas CSV)"):
        floor_read(files)
    with t.stage("floor", "write a plain xlsx of the graduatoria's size"):
        floor_write(workdir / f"floor-{minors}.xlsx", grad)
    floor = t.total("floor")
    return {
        "minors": n_minors,
        "applications": n_apps,
        "files": len(files),
        "generate_s": gen_s,
        "timings": t,
        "floor_s": floor,
        "rank_s": t.total("rank"),
        "ratio": t.total("rank") / floor if floor else float("nan"),
        "engine_core_s": sum(engine.get(k, 0.0) for k in ("scoring", "ranking", "allocation")),
        "grad_shape": grad.shape,
        "letters": any(r.group == "letters" for r in t.rows),
    }


# ----------------------------------------------------------------------------- report


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as fh:
            kib = int(next(line.split()[1] for line in fh if line.startswith("MemTotal")))
            mem = f"{kib / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        pass
    versions = []
    for lib in LIBRARIES:
        try:
            versions.append(f"{lib} {metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            continue
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; " + ", ".join(versions)
    )


def report_lines(report: dict[str, Any]) -> list[str]:
    t: Timings = report["timings"]
    rows, cols = report["grad_shape"]
    out = [
        f"### {report['minors']:,} minors, {report['applications']:,} applications, "
        f"{report['files']} files ("
        + (
            f"generated in {report['generate_s']:.0f} s)"
            if report["generate_s"] is not None
            else "generated by an earlier run)"
        ),
        "",
        "| command | stage | wall time (s) | peak RSS (MiB) |",
        "| --- | --- | ---: | ---: |",
    ]
    for r in t.rows:
        name = r.name if r.peak_mib is not None else f"· {r.name}"
        peak = f"{r.peak_mib:,.0f}" if r.peak_mib is not None else ""
        out.append(f"| {r.group} | {name} | {r.seconds:,.2f} | {peak} |")
    for group in ("validate", "rank", "letters", "floor"):
        if any(r.group == group for r in t.rows):
            out.append(
                f"| **{group}** | **total** | **{t.total(group):,.2f}** | "
                f"**{t.peak(group):,.0f}** |"
            )
    out += [
        "",
        f"Floor: reading the same {report['files']} files, plus a plain xlsx of "
        f"{rows:,} rows × {cols} columns.",
        "",
        f"**rank / floor = {report['ratio']:.2f}**; scoring + ranking + allocation "
        f"(engine): {report['engine_core_s']:.2f} s",
        "",
    ]
    return out


def growth_lines(reports: list[dict[str, Any]]) -> list[str]:
    """Each stage at every size, and how its time grows (exponent k of n^k between sizes)."""
    if len(reports) < 2:
        return []
    sizes = [r["minors"] for r in reports]
    keys: list[tuple[str, str]] = []
    for r in reports:
        for row in r["timings"].rows:
            key = (row.group, row.name)
            if key not in keys and row.group != "letters":
                keys.append(key)
    head = " | ".join(f"{n:,} minors (s)" for n in sizes)
    steps = " | ".join(f"k {a:,}→{b:,}" for a, b in itertools.pairwise(sizes))
    out = [
        "### Growth with size",
        "",
        "k is the exponent of n in time ∝ n^k between two sizes: 1 is linear, "
        "n log n is about 1.1 over a tenfold step.",
        "",
        f"| command | stage | {head} | {steps} |",
        "| --- | --- | " + " | ".join(["---:"] * (2 * len(sizes) - 1)) + " |",
    ]
    for group, name in keys:
        secs = []
        for r in reports:
            match = [x.seconds for x in r["timings"].rows if (x.group, x.name) == (group, name)]
            secs.append(match[0] if match else float("nan"))
        ks = [
            math.log(b / a) / math.log(nb / na) if a > 0.05 and b > 0 else float("nan")
            for a, b, na, nb in zip(secs, secs[1:], sizes, sizes[1:], strict=False)
        ]
        cells = " | ".join(f"{s:,.2f}" for s in secs)
        kcells = " | ".join("–" if math.isnan(k) else f"{k:.2f}" for k in ks)
        out.append(f"| {group} | {name} | {cells} | {kcells} |")
    totals = [r["rank_s"] for r in reports]
    ks = [
        math.log(b / a) / math.log(nb / na)
        for a, b, na, nb in zip(totals, totals[1:], sizes, sizes[1:], strict=False)
    ]
    out.append(
        "| **rank** | **total** | "
        + " | ".join(f"**{s:,.2f}**" for s in totals)
        + " | "
        + " | ".join(f"**{k:.2f}**" for k in ks)
        + " |"
    )
    out.append("")
    return out


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
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    sizes = args.minors or [10_000, 100_000]
    lines = [f"Machine: {machine()}", ""]
    print("\n".join(lines), flush=True)
    reports = []
    with tempfile.TemporaryDirectory(prefix="conciliare-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for minors in sizes:
            done = any(r["letters"] for r in reports)
            report = run_size(minors, args.seed, 0 if done else args.letters, workdir)
            reports.append(report)
            part = report_lines(report)
            print("\n".join(part), flush=True)
            lines += part
    growth = growth_lines(reports)
    print("\n".join(growth))
    lines += growth
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
