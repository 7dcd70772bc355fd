"""A run of the call, in one place: load → read → validate → rank, and the outputs of `rank`.

The commands (rank, explain, letters) and `verify` all call `run`, so a letter, an explanation
and the graduatoria always come from the same computation; `rank` and `verify` both write
through `write_outputs`, so a re-run writes exactly what `rank` wrote.

A run depends on two facts beside the files: its date (a submission after it is implausible)
and an override of open blocking findings, if the office decided one. `rank` takes them from
its options and records them in manifest.json; `explain`, `letters` and `verify` take them
from there (`recorded`), so they see the graduatoria that was published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from conciliare_cli.atomic import atomic_output
from conciliare_cli.background import in_background
from conciliare_cli.config import LoadedCall, load_call
from conciliare_cli.engine.compile import Rules, compile_rules
from conciliare_cli.engine.result import RankResult
from conciliare_cli.engine.stages import rank_call
from conciliare_cli.findings import Override
from conciliare_cli.publish import read_manifest, write_manifest, write_public
from conciliare_cli.validate import CheckOptions, validate_call
from conciliare_cli.validate.idsecret import check_derived_ids, derived_of
from conciliare_cli.write.graduatoria import (
    ordered_minors,
    write_graduatoria_csv,
    write_graduatoria_xlsx,
)


@dataclass(frozen=True)
class Recorded:
    """What a published graduatoria's manifest says about its run."""

    run_date: dt.date | None = None
    override: Override | None = None


def run(
    folder: Path | str,
    on_file: Callable[[Path], None] | None = None,
    call: LoadedCall | None = None,
    *,
    run_date: dt.date | None = None,
    override: Override | None = None,
) -> RankResult:
    """Run the call in `folder` and return the ranked, allocated result."""
    call = call or load_call(folder)
    rules = compile_rules(call)  # once for the whole run; errors before any reading
    call.require_partners()
    read, findings = validate_call(
        call, on_file=on_file, options=check_options(rules, run_date, override)
    )
    result = rank_call(rules, read.minors, findings)
    files = [_relative(call.folder, p) for p in read.input_files]
    files += [lst.file for lst in rules.lists.values()]  # the annexes are inputs too
    result.input_files = sorted(set(files))
    result.derived_ids = derived_of(read.partners)
    result.corrections = read.corrections
    result.override = override
    return result


def check_options(
    rules: Rules, run_date: dt.date | None = None, override: Override | None = None
) -> CheckOptions:
    """What validation needs to know of the rules: the fields that count, the cost."""
    return CheckOptions(
        counted=rules.fields_that_count,
        cost_fields=rules.voucher.cost_fields,
        run_date=run_date,
        override=override,
    )


def recorded(out_dir: Path) -> Recorded:
    """The run date and override of the graduatoria in `out_dir` (nothing when there is none)."""
    manifest = read_manifest(out_dir)
    if not manifest:
        return Recorded()
    when = manifest.get("run_date")
    run_date = dt.date.fromisoformat(when) if isinstance(when, str) else None
    data = manifest.get("override")
    override = None
    if isinstance(data, dict) and data.get("by") and data.get("reason"):
        override = Override(str(data["by"]), str(data["reason"]))
    return Recorded(run_date, override)


# From this many minors the public list is written by a second process while this one writes
# the graduatoria (background.py): below it the fork costs more than it saves.
PARALLEL_FROM = 5_000


def write_outputs(result: RankResult, target: Path, status: str, run_date: dt.date) -> None:
    """Write every output of a run into `target`, whole or not at all; nothing when ids
    anyone could recompute would be published (validate/idsecret.py). On a large call the
    public list is written in a second process at the same time (same bytes)."""
    check_derived_ids(result.call, result.derived_ids)
    with atomic_output(target) as tmp:
        public = partial(write_public, result, tmp, status, run_date)
        with in_background(public, parallel=len(result.minors) >= PARALLEL_FROM):
            ordered = ordered_minors(result)  # sorted once for the CSV and the xlsx
            write_graduatoria_csv(result, tmp / "graduatoria.csv", ordered)
            write_graduatoria_xlsx(
                result, tmp / "graduatoria.xlsx", status=status, run_date=run_date, ordered=ordered
            )
        write_manifest(result, tmp, status, run_date)  # last: it lists every file above


def _relative(folder: Path, path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()
