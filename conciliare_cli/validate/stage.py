"""The validation stage: read every partner file, apply the corrections on record, check the
table, fill birth dates, and settle what each finding blocks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from conciliare_cli.config import LoadedCall
from conciliare_cli.findings import FINDING_COLUMNS, Override, open_blocking, sort_findings
from conciliare_cli.read import ReadResult, read_call
from conciliare_cli.validate.checks import fill_birth_dates, validate_table
from conciliare_cli.validate.corrections import corrected, resolve
from conciliare_cli.validate.settle import settle

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


@dataclass(frozen=True)
class CheckOptions:
    """What the checks need beside the data: the fields the call's rules use (None: all of
    them count), the fields of the voucher's cost, the run date (a submission after it is
    implausible) and an override."""

    counted: frozenset[str] | None = None
    cost_fields: frozenset[str] = frozenset()
    run_date: dt.date | None = None
    override: Override | None = None


def check_read(
    call: LoadedCall, result: ReadResult, options: CheckOptions | None = None
) -> tuple[ReadResult, pd.DataFrame, int]:
    """Check what the reader produced: (result with the corrections applied and birth dates
    filled, all findings, how many birth dates were taken from the tax code).

    The corrections file (validate/corrections.py) is applied first, so the checks see the
    corrected values; the findings then say what they block (validate/settle.py)."""
    options = options or CheckOptions()
    minors, corrections, path = corrected(call, result.minors)
    checks = validate_table(call, minors, run_date=options.run_date)
    filled, n_filled = fill_birth_dates(call, minors)
    findings = merge_findings(result.findings, checks)
    findings = resolve(findings, corrections)
    if options.counted is not None:
        findings = settle(findings, options.counted, options.cost_fields)
    if options.override is not None:
        findings = overridden(findings, options.override)
    inputs = sorted({*result.input_files, *([path] if path is not None else [])})
    read = dataclasses.replace(result, minors=filled, corrections=corrections, input_files=inputs)
    return read, findings, n_filled


def overridden(findings: pd.DataFrame, override: Override) -> pd.DataFrame:
    """Every open blocking finding resolved by the override (on record in its resolution)."""
    out = findings.copy()
    out.loc[open_blocking(out), "resolution"] = override.text()
    return out


def validate_call(
    call: LoadedCall,
    on_file: Callable[[Path], None] | None = None,
    options: CheckOptions | None = None,
) -> tuple[ReadResult, pd.DataFrame]:
    """Read the partners' files and check them.

    Returns the ReadResult, whose `minors` table has the corrections applied and empty birth
    dates filled from the tax code (see fill_birth_dates), and every finding: the reader's
    and the checks', sorted by partner, file, sheet, row, column, code, with what each blocks.
    Findings never stop the run; a user error (a file or a mapped column that is not there,
    a correction that names something not there) raises UserError.
    """
    result, findings, _ = check_read(call, read_call(call, on_file=on_file), options)
    return result, findings
