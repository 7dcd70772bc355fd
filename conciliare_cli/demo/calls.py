"""Synthetic calls: realistic applications in every layout and format the reader supports.

`generate_call` writes a complete call folder (bando.yaml with a `partners:` section, and the
partner files) for `conciliare demo-data`, tests and benchmarks, and returns the ground truth
(`GeneratedCall.table`) that the reader must give back. The same seed gives byte-identical
files.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.config import CONFIG_NAME, load_call
from conciliare_cli.demo.applications import (
    APPLICATION_FIELDS,
    MEAN_MINORS,
    MINOR_FIELDS,
    CallDates,
    population,
)
from conciliare_cli.demo.pools import PARTNERS
from conciliare_cli.demo.rules import bando_text, partners_yaml
from conciliare_cli.demo.sheets import BOOL_FIELDS, render
from conciliare_cli.demo.spreadsheets import write_csv, write_text, write_xlsx
from conciliare_cli.demo.styles import DEFAULT_FORMATS, FORMATS, STYLES, FileFormat, Style
from conciliare_cli.errors import UserError

MAX_ROWS_PER_FILE = 500_000  # data rows; larger partners are split into several files
CAP_CENTS = 30_000  # the voucher cap of the shipped rules (for `GeneratedCall.below_cap`)


def applications_for(minors: int) -> int:
    """How many applications give about `minors` minors (for benchmarks sized in minors)."""
    return max(1, round(minors / MEAN_MINORS))


@dataclass(frozen=True)
class GeneratedPartner:
    id: str
    name: str
    format: str
    layout: str
    files: list[str]  # relative to the call folder, / separators
    applications: int
    minors: int


@dataclass(frozen=True)
class GeneratedCall:
    """What `generate_call` wrote, with the ground truth for tests and benchmarks.

    `table` has one row per minor with the canonical fields as the reader should return them
    (money in integer cents, Int64; dates as datetime64; booleans) and the provenance columns
    (partner_id, source_file, source_sheet, source_row, minor_slot: the group number in
    per-application files, 1 in per-minor files, as conciliare_cli/fields.py says), plus
    `protocol` (as written in the file) and `minor_index` (the minor's place in its
    application).
    """

    folder: Path
    seed: int
    applications: int
    minors: int
    partners: list[GeneratedPartner]
    table: pd.DataFrame = field(repr=False)
    outside_window: int  # applications submitted outside the window
    missing_isee: int  # applications without ISEE
    missing_requested: int  # minors without a requested cost
    below_cap: int  # minors whose requested cost is below the voucher cap
    second_parent: int  # applications of the other parent, with the same minors
    seconds: float = 0.0


def generate_call(
    folder: Path,
    applications: int,
    seed: int,
    partners: int = 5,
    formats: list[str] | None = None,
) -> GeneratedCall:
    """Write a complete call folder with `applications` applications; see the module doc.

    Partner i uses style STYLES[i % 5] (layout, headers, how values are written) and
    format `formats[i % len(formats)]` (xlsx, csv, csv-comma, csv-tab, csv-utf8).
    """
    started = time.perf_counter()
    chosen = _checked(applications, partners, formats)
    folder = Path(folder)
    if (folder / CONFIG_NAME).exists():
        raise UserError(f"{folder / CONFIG_NAME} esiste già: non lo sovrascrivo")
    ids_names = [
        PARTNERS[i] if i < len(PARTNERS) else (f"P{i + 1:02d}", f"Partner {i + 1}")
        for i in range(partners)
    ]
    ids = [p for p, _ in ids_names]
    weights = [1.0 + 1.0 / (i + 1) for i in range(partners)]
    table = population(applications, seed, ids, weights=weights)

    (folder / "partner").mkdir(parents=True, exist_ok=True)
    sections, made, provenance = [], [], []
    for i, (pid, pname) in enumerate(ids_names):
        style = STYLES[i % len(STYLES)]
        fmt = FORMATS[chosen[i % len(chosen)]]
        part = table[table["partner_id"].to_numpy() == pid]
        files = _write_partner(folder, pid.lower(), part, style, fmt, provenance)
        sections.append((pid, pname, f"partner/{pid.lower()}_domande_*.{fmt.extension}", style, {}))
        apps = int(part["application_id"].nunique())
        made.append(GeneratedPartner(pid, pname, fmt.name, style.layout, files, apps, len(part)))
    write_text(folder / CONFIG_NAME, bando_text(partners_yaml(sections)))
    load_call(folder)  # the generated call must be valid

    prov = pd.concat(provenance) if provenance else pd.DataFrame()
    styles = {pid: STYLES[i % len(STYLES)] for i, pid in enumerate(ids)}
    table = as_written(table.join(prov), styles)
    return _generated(folder, seed, made, table, time.perf_counter() - started)


def _checked(applications: int, partners: int, formats: list[str] | None) -> list[str]:
    """The formats to use, or a UserError for arguments that make no call."""
    if applications < 1:
        raise UserError("il numero di domande deve essere almeno 1")
    if partners < 1:
        raise UserError("serve almeno un partner")
    chosen = list(formats) if formats else list(DEFAULT_FORMATS)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise UserError(
            f"formato sconosciuto: {', '.join(unknown)}",
            hint="formati disponibili: " + ", ".join(FORMATS),
        )
    return chosen


def _write_partner(
    folder: Path,
    stem: str,
    part: pd.DataFrame,
    style: Style,
    fmt: FileFormat,
    provenance: list[pd.DataFrame],
) -> list[str]:
    """Write one partner's files (split by `MAX_ROWS_PER_FILE`); their provenance goes to
    `provenance`. Returns the files, relative to the call folder."""
    files = []
    spreadsheet = fmt.extension == "xlsx"
    for k, chunk in enumerate(_chunks(part, style), start=1):
        rel = f"partner/{stem}_domande_{k}.{fmt.extension}"
        sheet_name = "Domande" if spreadsheet else ""
        sheet = render(chunk, style, spreadsheet=spreadsheet)
        if spreadsheet:
            write_xlsx(folder / rel, [(sheet_name, sheet)])
        else:
            write_csv(folder / rel, sheet, fmt)
        files.append(rel)
        provenance.append(_provenance(chunk, style, rel, sheet_name))
    return files


def _generated(
    folder: Path, seed: int, made: list[GeneratedPartner], table: pd.DataFrame, seconds: float
) -> GeneratedCall:
    apps = table.drop_duplicates("application_id")
    dates = CallDates.of_rules()
    sub = apps["submitted_at"].to_numpy(dtype="datetime64[m]")
    req = table["requested_eur"]
    return GeneratedCall(
        folder=folder,
        seed=seed,
        applications=len(apps),
        minors=len(table),
        partners=made,
        table=table,
        outside_window=int(((sub < dates.opens) | (sub > dates.closes)).sum()),
        missing_isee=int(apps["isee"].isna().sum()),
        missing_requested=int(req.isna().sum()),
        below_cap=int((req < CAP_CENTS).fillna(False).sum()),
        second_parent=_second_parents(table),
        seconds=seconds,
    )


def as_written(table: pd.DataFrame, styles: dict[str, Style]) -> pd.DataFrame:
    """The table as the files tell it: a field a partner does not export is missing, and so
    is a 'no' written as a blank cell (X/blank flags)."""
    out = table.copy()
    for pid, style in styles.items():
        rows = (out["partner_id"] == pid).to_numpy()
        for name in (*APPLICATION_FIELDS, *MINOR_FIELDS):
            if name in style.headers:
                continue
            out[name] = _with_missing(out[name], rows)
        if style.yes_no[1] == "":
            for name in BOOL_FIELDS:
                out[name] = _with_missing(
                    out[name], rows & ~out[name].fillna(False).to_numpy(dtype=bool)
                )
    return out


def _with_missing(values: pd.Series, where: np.ndarray) -> pd.Series:
    if not where.any():
        return values
    if values.dtype == bool:
        values = values.astype("boolean")
    return values.mask(pd.Series(where, index=values.index))


def _second_parents(table: pd.DataFrame) -> int:
    """Applications whose minors all appear in an earlier (by row order) application."""
    firsts = table.drop_duplicates("minor_tax_code", keep="first")
    return int(table["application_id"].nunique() - firsts["application_id"].nunique())


def _chunks(part: pd.DataFrame, style: Style) -> list[pd.DataFrame]:
    """Split a partner's rows into files of at most MAX_ROWS_PER_FILE data rows, never
    splitting an application."""
    if len(part) == 0:
        return [part]
    rows_per_app = (
        part.groupby("application_id", sort=False).size().to_numpy()
        if style.layout == "minor"
        else np.ones(part["application_id"].nunique(), dtype=np.int64)
    )
    file_of_app = (np.cumsum(rows_per_app) - 1) // MAX_ROWS_PER_FILE
    app_codes = pd.factorize(part["application_id"])[0]
    file_of_row = file_of_app[app_codes]
    return [part[file_of_row == k] for k in range(int(file_of_app.max()) + 1)]


def _provenance(chunk: pd.DataFrame, style: Style, rel: str, sheet: str) -> pd.DataFrame:
    if style.layout == "minor":
        row = np.arange(len(chunk)) + 2
    else:
        row = pd.factorize(chunk["application_id"])[0] + 2
    slot = chunk["minor_index"].to_numpy() if style.layout == "application" else 1
    return pd.DataFrame(
        {
            "source_file": rel,
            "source_sheet": sheet,
            "source_row": row.astype(np.int64),
            "minor_slot": np.broadcast_to(slot, len(chunk)).astype(np.int64),
        },
        index=chunk.index,
    )
