"""Canonical tables built in code, for unit tests and the engine's benchmark.

`minors_table(rows)` turns a few dicts into a table with the dtypes the reader produces
(money in cents, dates as datetime64, booleans nullable), filling the keys and provenance.
`random_minors(n, seed)` generates a large plausible table quickly (vectorised), with valid
tax codes from `people.numbered_tax_codes`. Whole call folders come from `calls`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.demo.people import numbered_tax_codes
from conciliare_cli.fields import CANONICAL_FIELDS, Kind

_DTYPES = {
    Kind.TEXT: "string",
    Kind.TAX_CODE: "string",
    Kind.MONEY: "Int64",
    Kind.INTEGER: "Int64",
    Kind.NUMBER: "Float64",
    Kind.BOOL: "boolean",
}


def minors_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical table from dicts: money in euros (Decimal/str/number) becomes cents."""
    df = pd.DataFrame(rows)
    n = len(df)
    out = pd.DataFrame(index=range(n))
    for name, f in CANONICAL_FIELDS.items():
        if name not in df.columns:
            continue
        col = df[name]
        if f.kind is Kind.MONEY:
            cents = [None if _missing(v) else int(Decimal(str(v)) * 100) for v in col]
            out[name] = pd.array(cents, dtype="Int64")
        elif f.kind in (Kind.DATE, Kind.DATETIME):
            out[name] = pd.to_datetime(col.where(col.notna(), None), format="mixed")
        else:
            out[name] = col.astype(object).where(col.notna(), None).astype(_DTYPES[f.kind])
    for name in df.columns:
        if name not in out.columns:
            out[name] = df[name]
    if "minor_slot" not in out.columns:
        out["minor_slot"] = out.groupby("application_id").cumcount() + 1
    out["minor_slot"] = out["minor_slot"].astype("Int64")
    for col, default in (
        ("partner_id", "P1"),
        ("source_file", "partner/p1.xlsx"),
        ("source_sheet", "Domande"),
    ):
        if col not in out.columns:
            out[col] = default
        out[col] = out[col].astype("string")
    if "source_row" not in out.columns:
        out["source_row"] = np.arange(2, n + 2)
    out["source_row"] = out["source_row"].astype("Int64")
    if "row_key" not in out.columns:
        cf = out["minor_tax_code"].astype("string").fillna("")
        out["row_key"] = (
            out["application_id"].astype("string") + "|" + cf + "|" + out["minor_slot"].astype(str)
        )
    out["row_key"] = out["row_key"].astype("string")
    return out


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA


def random_minors(n: int, seed: int = 0, applications: int | None = None) -> pd.DataFrame:
    """About `n` minors in `applications` applications (default n * 0.6), vectorised."""
    rng = np.random.default_rng(seed)
    m = applications or max(1, int(n * 0.6))
    app_of = np.sort(rng.integers(0, m, size=n))
    app_of[: min(m, n)] = np.arange(min(m, n))  # every application has at least one minor
    app_of = np.sort(app_of)
    ids = np.char.add("A", np.char.zfill(np.arange(m).astype(str), 7))
    slot = pd.Series(app_of).groupby(app_of).cumcount().to_numpy() + 1
    isee = rng.integers(0, 4_500_000, size=m)
    isee_na = rng.random(m) < 0.05
    submitted = pd.Timestamp("2017-06-01 09:00") + pd.to_timedelta(
        rng.integers(0, 61 * 24 * 60, size=m), unit="min"
    )
    birth = pd.Timestamp("2000-09-02") + pd.to_timedelta(rng.integers(0, 6200, size=n), unit="D")
    minor_cf = numbered_tax_codes(np.arange(n) + 1_000_000, birth)
    app_cf = numbered_tax_codes(np.arange(m) + 50_000_000, pd.DatetimeIndex(["1980-05-17"] * m))
    requested = rng.integers(5_000, 60_000, size=n)
    requested_na = rng.random(n) < 0.2
    table = pd.DataFrame(
        {
            "application_id": pd.array(ids[app_of], dtype="string"),
            "submitted_at": np.asarray(submitted)[app_of],
            "applicant_tax_code": pd.array(app_cf[app_of], dtype="string"),
            "isee": pd.arrays.IntegerArray(isee[app_of], isee_na[app_of]),
            "single_parent": pd.array(rng.random(m)[app_of] < 0.2, dtype="boolean"),
            "both_parents_working": pd.array(rng.random(m)[app_of] < 0.6, dtype="boolean"),
            "minor_tax_code": pd.array(minor_cf, dtype="string"),
            "minor_birth_date": birth,
            "disability": pd.array(rng.random(n) < 0.04, dtype="boolean"),
            "learning_difficulty": pd.array(rng.random(n) < 0.08, dtype="boolean"),
            "requested_eur": pd.arrays.IntegerArray(requested, requested_na),
            "partner_id": pd.array(np.array(["ASST", "ATS", "COMUNE"])[app_of % 3], "string"),
            "source_file": pd.array(["partner/file.xlsx"] * n, dtype="string"),
            "source_sheet": pd.array(["Domande"] * n, dtype="string"),
            "source_row": pd.array(np.arange(2, n + 2), dtype="Int64"),
            "minor_slot": pd.array(slot, dtype="Int64"),
        }
    )
    table["row_key"] = table["application_id"] + "|" + table["minor_tax_code"]
    return table
