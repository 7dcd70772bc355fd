"""The whole job as plain stages: load → read → validate → eligibility/score/rank/allocate.

The commands (rank, explain, letters, verify) all call `run`, so a letter, an explanation and
the graduatoria always come from the same computation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conciliare_cli.config import LoadedCall, load_call
from conciliare_cli.engine.pipeline import rank_call
from conciliare_cli.engine.result import RankResult
from conciliare_cli.validate import validate_call


def run(
    folder: Path | str,
    on_file: Callable[[Path], None] | None = None,
    call: LoadedCall | None = None,
) -> RankResult:
    """Run the call in `folder` and return the ranked, allocated result."""
    call = call or load_call(folder)
    call.require_partners()
    read, findings = validate_call(call, on_file=on_file)
    result = rank_call(call, read.minors, findings)
    result.input_files = [_relative(call.folder, p) for p in read.input_files]
    return result


def _relative(folder: Path, path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()
