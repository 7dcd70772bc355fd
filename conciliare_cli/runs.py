"""A run of the call, in one place: load → read → validate → rank, and the outputs of `rank`.

The commands (rank, explain, letters) and `verify` all call `run`, so a letter, an explanation
and the graduatoria always come from the same computation; `rank` and `verify` both write
through `write_outputs`, so a re-run writes exactly what `rank` wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from conciliare_cli.atomic import atomic_output
from conciliare_cli.config import LoadedCall, load_call
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.engine.result import RankResult
from conciliare_cli.engine.stages import rank_call
from conciliare_cli.publish import write_manifest, write_public
from conciliare_cli.validate import validate_call
from conciliare_cli.validate.idsecret import check_derived_ids, derived_of
from conciliare_cli.write.graduatoria import write_graduatoria_csv, write_graduatoria_xlsx


def run(
    folder: Path | str,
    on_file: Callable[[Path], None] | None = None,
    call: LoadedCall | None = None,
) -> RankResult:
    """Run the call in `folder` and return the ranked, allocated result."""
    call = call or load_call(folder)
    rules = compile_rules(call)  # once for the whole run; errors before any reading
    call.require_partners()
    read, findings = validate_call(call, on_file=on_file)
    result = rank_call(rules, read.minors, findings)
    result.input_files = [_relative(call.folder, p) for p in read.input_files]
    result.derived_ids = derived_of(read.partners)
    return result


def write_outputs(result: RankResult, target: Path, status: str, run_date: dt.date) -> None:
    """Write every output of a run into `target`, whole or not at all; nothing when ids
    anyone could recompute would be published (validate/idsecret.py)."""
    check_derived_ids(result.call, result.derived_ids)
    with atomic_output(target) as tmp:
        write_graduatoria_csv(result, tmp / "graduatoria.csv")
        write_graduatoria_xlsx(result, tmp / "graduatoria.xlsx", status=status, run_date=run_date)
        write_public(result, tmp, status, run_date)
        write_manifest(result, tmp, status, run_date)  # last: it lists every file above


def _relative(folder: Path, path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()
