"""Benchmark: wall time and peak memory of each stage of validate, rank and letters, against
the floor, at several sizes.

    python bench/run.py                                  # 10,000 and 100,000 minors
    python bench/run.py --minors 1000000                 # one size (repeatable)
    python bench/run.py --letters 10000                  # also 10,000 letters (see below)
    python bench/run.py --markdown bench/results.md      # also write the tables as Markdown

For each size a call is generated (conciliare_cli.demo, deterministic from --seed) in a
temporary folder; then the commands run in this process, stage by stage, as the CLI runs them:

- validate: read the partners' files, check them, write the anomalies workbooks;
- rank: read, check, score + rank + allocate, write the outputs (graduatoria.csv and
  graduatoria.xlsx here, the public list in xlsx and PDF in a second process at the same
  time, then manifest.json); each writer is also timed alone, one after the other;
- letters (with --letters N): the PDF letters of the first N applications, combined PDF and
  index; once, at the first size with at least N applications.

CPU is user + system time of the process and its children (the second process that writes the
public list, the letters' workers): on a shared machine the wall time varies with the others'
load, the CPU time much less. Peak memory is the highest resident set size of this process and
its children (the letters' workers), sampled every 5 ms while the stage runs. The floor,
measured in the same run on the same files, is what no tool can beat: reading every input file
with the fastest reader (python-calamine for spreadsheets, pandas' pyarrow or C engine for CSV)
plus writing the graduatoria's main sheet (its rows, columns and types, read back from
graduatoria.xlsx) as a plain xlsx with XlsxWriter in constant-memory mode. Rank and floor run
in pairs (--pairs, default 3) and the medians are reported: the machine's speed drifts. The
headline figures are rank / floor and rank / its own read stage (what checking, ranking and
writing cost on top of reading the files).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import math
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
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
    cpu: float | None = None  # user + system seconds of the process and its children


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended: the
    second process that writes the public list counts once it is reaped."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass
class Timings:
    rows: list[Row] = field(default_factory=list)

    @contextmanager
    def stage(self, group: str, name: str) -> Iterator[None]:
        gc.collect()
        at = len(self.rows)  # the stage's row goes before the parts timed inside it
        start, cpu = time.perf_counter(), _cpu()
        with PeakSampler() as sampler:
            yield
        row = Row(name, group, time.perf_counter() - start, sampler.peak / 2**20, _cpu() - cpu)
        self.rows.insert(at, row)

    def part(self, group: str, name: str, seconds: float) -> None:
        self.rows.append(Row(name, group, seconds, None))

    def total_cpu(self, group: str) -> float:
        return sum(r.cpu or 0.0 for r in self.rows if r.group == group and r.peak_mib is not None)

    def total(self, group: str) -> float:
        return sum(r.seconds for r in self.rows if r.group == group and r.peak_mib is not None)

    def peak(self, group: str) -> float:
        return max((r.peak_mib or 0.0 for r in self.rows if r.group == group), default=0.0)


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


def main_sheet_rows(path: Path) -> list[list[Any]]:
    """The rows of graduatoria.xlsx's main sheet (Graduatoria), with their types as the tool
    wrote them (numbers as numbers, texts as texts, empty cells as None)."""
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python(skip_empty_area=False)
    return [[None if v == "" else v for v in row] for row in rows]


def floor_write(path: Path, rows: list[list[Any]]) -> None:
    """Write the main sheet's rows, columns and types as a plain xlsx with the fastest writer
    (XlsxWriter, constant memory): what no tool writing that sheet can beat."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    for i, row in enumerate(rows):
        ws.write_row(i, 0, row)
    wb.close()


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


# ----------------------------------------------------------------------------- one size


def run_size(minors: int, seed: int, letters: int, workdir: Path, pairs: int) -> dict[str, Any]:
    from conciliare_cli.config import load_call
    from conciliare_cli.demo import applications_for, generate_call
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
    files = sorted(p if Path(p).is_absolute() else folder / p for p in read.input_files)
    n_minors = len(read.minors)
    n_apps = int(read.minors["application_id"].nunique())
    del read, findings

    # rank and the floor in pairs, one after the other: the machine's speed drifts, so each
    # pair's ratio is taken and the medians reported
    rank_runs: list[Timings] = []
    floor_runs: list[Timings] = []
    engine: dict[str, float] = {}
    result = None
    for k in range(pairs):
        del result
        r = Timings()
        result = rank_once(r, call, folder, files, engine if k == 0 else {})
        rank_runs.append(r)
        rows = main_sheet_rows(folder / "esiti" / "graduatoria.xlsx")
        f = Timings()
        with f.stage("floor", "read the inputs (calamine / pandas CSV)"):
            floor_read(files)
        with f.stage("floor", "write the main sheet's rows and types (XlsxWriter)"):
            floor_write(workdir / f"floor-{minors}.xlsx", rows)
        floor_runs.append(f)
        del rows
    t.rows += median_rows(rank_runs)
    for name, seconds in engine.items():
        t.part("rank", f"engine: {name}", seconds)
    writers_alone(t, result, folder)

    if letters and n_apps >= letters:
        from conciliare_cli.letters import ListSource, write_letters

        ids = set(sorted(result.minors["application_id"].astype(str).unique())[:letters])
        source = ListSource.read(folder / "esiti")
        with t.stage("letters", f"{len(ids):,} letters (PDF each + combined + index)"):
            write_letters(
                result, folder / "esiti" / "lettere", source=source, run_date=RUN_DATE, ids=ids
            )
    del result
    t.rows += median_rows(floor_runs)
    ratios = [
        r.total("rank") / f.total("floor") for r, f in zip(rank_runs, floor_runs, strict=True)
    ]
    reads = [  # rank against its own reading of the files: what the rest costs on top
        r.total("rank") / next(x.seconds for x in r.rows if x.name == "read") for r in rank_runs
    ]
    main = main_sheet_rows(folder / "esiti" / "graduatoria.xlsx")
    return {
        "minors": n_minors,
        "applications": n_apps,
        "files": len(files),
        "generate_s": gen_s,
        "timings": t,
        "pairs": pairs,
        "floor_s": t.total("floor"),
        "rank_s": t.total("rank"),
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "read_ratio": statistics.median(reads),
        "engine_core_s": sum(engine.get(k, 0.0) for k in ("scoring", "ranking", "allocation")),
        "grad_shape": (len(main), max((len(r) for r in main), default=0)),
        "letters": any(r.group == "letters" for r in t.rows),
    }


def rank_once(
    t: Timings, call: Any, folder: Path, files: list[Path], engine: dict[str, float]
) -> Any:
    """One `rank`, stage by stage as the command runs it (outputs in folder/esiti)."""
    from conciliare_cli import runs
    from conciliare_cli.engine.stages import rank_call
    from conciliare_cli.read import read_call
    from conciliare_cli.validate import check_read

    with t.stage("rank", "read"):
        read = read_call(call)
    with t.stage("rank", "checks"):
        read, findings, _ = check_read(call, read)
    with t.stage("rank", "rules engine (rank_call)"):
        result = rank_call(call, read.minors, findings, timings=engine)
    result.input_files = sorted(
        Path(p).resolve().relative_to(folder.resolve()).as_posix() for p in files
    )
    del read, findings
    with t.stage("rank", "write outputs (public list in a second process)"):
        runs.write_outputs(result, folder / "esiti", "PROVVISORIA", RUN_DATE)
    return result


def writers_alone(t: Timings, result: Any, folder: Path) -> None:
    """Each writer on its own, one after the other (not part of the total: `write outputs`
    runs the public list at the same time as the others)."""
    from conciliare_cli import runs
    from conciliare_cli.write.graduatoria import ordered_minors

    out = folder / "writers-alone"
    out.mkdir(exist_ok=True)
    start = time.perf_counter()
    ordered = ordered_minors(result)
    t.part("rank", "alone: sort the minors once", time.perf_counter() - start)
    jobs = {
        "write graduatoria.csv": lambda: runs.write_graduatoria_csv(
            result, out / "graduatoria.csv", ordered
        ),
        "write graduatoria.xlsx": lambda: runs.write_graduatoria_xlsx(
            result,
            out / "graduatoria.xlsx",
            status="PROVVISORIA",
            run_date=RUN_DATE,
            ordered=ordered,
        ),
        "write public list (xlsx + PDF/A)": lambda: runs.write_public(
            result, out, "PROVVISORIA", RUN_DATE
        ),
        "write manifest.json": lambda: runs.write_manifest(result, out, "PROVVISORIA", RUN_DATE),
    }
    for name, job in jobs.items():
        gc.collect()
        start = time.perf_counter()
        job()
        t.part("rank", f"alone: {name}", time.perf_counter() - start)


def median_rows(runs: list[Timings]) -> list[Row]:
    """Per stage, the median wall time over the runs and the highest peak."""
    out = []
    for i, row in enumerate(runs[0].rows):
        same = [r.rows[i] for r in runs]
        peaks = [x.peak_mib for x in same if x.peak_mib is not None]
        cpus = [x.cpu for x in same if x.cpu is not None]
        out.append(
            Row(
                row.name,
                row.group,
                statistics.median(x.seconds for x in same),
                max(peaks) if peaks else None,
                statistics.median(cpus) if cpus else None,
            )
        )
    return out


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
        "| command | stage | wall time (s) | CPU (s) | peak RSS (MiB) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for r in t.rows:
        name = r.name if r.peak_mib is not None else f"· {r.name}"
        peak = f"{r.peak_mib:,.0f}" if r.peak_mib is not None else ""
        cpu = f"{r.cpu:,.2f}" if r.cpu is not None else ""
        out.append(f"| {r.group} | {name} | {r.seconds:,.2f} | {cpu} | {peak} |")
    for group in ("validate", "rank", "letters", "floor"):
        if any(r.group == group for r in t.rows):
            out.append(
                f"| **{group}** | **total** | **{t.total(group):,.2f}** | "
                f"**{t.total_cpu(group):,.2f}** | **{t.peak(group):,.0f}** |"
            )
    out += [
        "",
        f"Floor: reading the same {report['files']} files, plus the main sheet's {rows:,} rows "
        f"× {cols} columns with their types, as a plain xlsx. Rank and floor ran in "
        f"{report['pairs']} pair(s), one after the other; medians above.",
        "",
        f"**rank / floor = {report['ratio']:.2f}** (per pair: "
        + ", ".join(f"{r:.2f}" for r in report["ratios"])
        + f"); **rank / its read stage = {report['read_ratio']:.2f}**; scoring + ranking + "
        f"allocation (engine): {report['engine_core_s']:.2f} s",
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
    parser.add_argument(
        "--pairs", type=int, default=3, help="rank + floor pairs per size (medians); default 3"
    )
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
            report = run_size(minors, args.seed, 0 if done else args.letters, workdir, args.pairs)
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
