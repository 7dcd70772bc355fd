"""The validation stage: read every partner file, check the table, fill birth dates."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from conciliare_cli.config import LoadedCall
from conciliare_cli.findings import FINDING_COLUMNS, sort_findings
from conciliare_cli.read import ReadResult, read_call
from conciliare_cli.validate.checks import fill_birth_dates, validate_table

# A reader finding on a cell already says why the value is missing: no "missing" finding too.
_SUPERSEDED = {"CAMPO_OBBLIGATORIO_MANCANTE"}
_CELL = ["source_file", "source_sheet", "source_row"]


def merge_findings(reader: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    """Reader findings + check findings, sorted; a CAMPO_OBBLIGATORIO_MANCANTE on a cell the
    reader already reported (an unreadable date, say) is dropped."""
    if len(reader) and len(checks):
        seen = reader[[*_CELL, "field", "column"]].astype("string").fillna("")
        mine = checks[[*_CELL, "field", "column"]].astype("string").fillna("")
        by_field = pd.MultiIndex.from_frame(seen[[*_CELL, "field"]])
        by_column = pd.MultiIndex.from_frame(seen[[*_CELL, "column"]])
        dup = pd.MultiIndex.from_frame(mine[[*_CELL, "field"]]).isin(by_field) | (
            pd.MultiIndex.from_frame(mine[[*_CELL, "column"]]).isin(by_column)
            & mine["column"].ne("").to_numpy()
        )
        drop = checks["code"].isin(_SUPERSEDED).to_numpy() & dup
        checks = checks[~drop]
    frames = [f[FINDING_COLUMNS] for f in (reader, checks) if len(f)]
    if not frames:
        return sort_findings(checks[FINDING_COLUMNS].iloc[0:0])
    return sort_findings(pd.concat(frames, ignore_index=True))


def check_read(call: LoadedCall, result: ReadResult) -> tuple[ReadResult, pd.DataFrame, int]:
    """Check what the reader produced: (result with birth dates filled, all findings, how many
    birth dates were taken from the tax code)."""
    checks = validate_table(call, result.minors)
    filled, n_filled = fill_birth_dates(call, result.minors)
    findings = merge_findings(result.findings, checks)
    return dataclasses.replace(result, minors=filled), findings, n_filled


def validate_call(
    call: LoadedCall, on_file: Callable[[Path], None] | None = None
) -> tuple[ReadResult, pd.DataFrame]:
    """Read the partners' files and check them.

    Returns the ReadResult, whose `minors` table has empty birth dates filled from the
    tax code (see fill_birth_dates), and every finding: the reader's and the checks', sorted
    by partner, file, sheet, row, column, code. Findings never stop the run; a user error
    (a file or a mapped column that is not there) raises UserError.
    """
    result, findings, _ = check_read(call, read_call(call, on_file=on_file))
    return result, findings
