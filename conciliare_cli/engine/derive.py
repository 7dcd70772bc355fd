"""Derived fields the rules may use, computed from the canonical table (vectorised).

- `age`: completed years at the call's reference date (a minor born on 1 September 2013 is 4
  on 1 September 2017 and 3 on 31 August 2017; someone born on 29 February turns a year older
  on 1 March in non-leap years). Born after the reference date gives a negative age; a missing
  birth date gives NA.
- `applicant_tax_code_valid`, `minor_tax_code_valid`: the codice fiscale passes the same check
  as validation (conciliare_cli/taxcode.py: 16 characters, format, check character,
  a possible birth date; an 11-digit number is not a person's code), with the same vectorised
  checker (`valid_array`), so a million codes take a fraction of a second. A missing code
  gives NA.
- `minors`: rows (minors) of the application, all of them.
(`eligible_minors` needs the minor-level rules: see engine/eligibility.py.)
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from conciliare_cli.taxcode import tax_code_valid


def age_at(birth: pd.Series, reference: dt.date | pd.Timestamp) -> pd.Series:
    """Completed years at `reference`, as Int64 (NA where the birth date is missing)."""
    ref = pd.Timestamp(reference)
    b = pd.to_datetime(birth)
    before_birthday = (b.dt.month > ref.month) | ((b.dt.month == ref.month) & (b.dt.day > ref.day))
    years = ref.year - b.dt.year - before_birthday.astype("int64")
    return years.astype("Int64").where(b.notna(), pd.NA)


def derive(
    minors: pd.DataFrame, reference_date: dt.date, app_codes: np.ndarray | None = None
) -> pd.DataFrame:
    """A copy of `minors` with `age`, the tax-code validity flags and `minors` added.

    `app_codes` (per row, the application's index) saves grouping the ids again."""
    out = minors.copy()
    n = len(out)
    if "minor_birth_date" in out.columns:
        out["age"] = age_at(out["minor_birth_date"], reference_date)
    else:
        out["age"] = pd.array([pd.NA] * n, dtype="Int64")
    for field in ("applicant_tax_code", "minor_tax_code"):
        if field in out.columns:
            out[f"{field}_valid"] = tax_code_valid(out[field])
        else:
            out[f"{field}_valid"] = pd.array([pd.NA] * n, dtype="boolean")
    if app_codes is None:
        app_codes, _ = pd.factorize(out["application_id"].to_numpy(dtype=object))
    counts = np.bincount(app_codes, minlength=int(app_codes.max()) + 1) if n else app_codes
    out["minors"] = pd.array(counts[app_codes], dtype="Int64")
    return out
