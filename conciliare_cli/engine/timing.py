"""Time as the call counts it (`call.submission.granularity`), one setting used everywhere.

- `second` (the default): times compare as read, to the second.
- `minute`: seconds are ignored, not rounded: every date-and-time field the rules read
  (submitted_at and any declared datetime field) is cut to its minute before anything uses
  it, and so are the window's `opens` and `closes`. "Entro le 12:00" then includes the whole
  minute: 12:00:59 is in time, 12:01:00 is late. Two applications at 10:32:05 and 10:32:40 are
  at the same time for the duplicates and the tie-breakers (the lottery decides).

The value as read stays in `<field>_as_read` (only when something was cut), for `explain`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.fields import Field, Kind

MINUTE = "minute"
AS_READ = "_as_read"


def floor_times(table: pd.DataFrame, fields: Mapping[str, Field], granularity: str) -> None:
    """Cut the datetime fields of `table` to the minute, in place (`minute` only)."""
    if granularity != MINUTE:
        return
    for name, f in fields.items():
        if f.kind is not Kind.DATETIME or name not in table.columns:
            continue
        read = pd.to_datetime(table[name])
        cut = read.dt.floor("min")
        if (read.notna() & (read != cut)).any():
            table[name + AS_READ] = read
        table[name] = cut


def floor_constants(constants: dict[str, Any], granularity: str) -> dict[str, Any]:
    """The window's ends cut to the minute too (a YAML time with seconds)."""
    if granularity != MINUTE:
        return constants
    return {
        k: v.floor("min") if isinstance(v, pd.Timestamp) and k.startswith("submission") else v
        for k, v in constants.items()
    }


def in_window(times: pd.Series, constants: Mapping[str, Any]) -> np.ndarray:
    """Per value: submitted between `submission_opens` and `submission_closes` (both
    included), as counted; a missing time is not in the window."""
    t = pd.to_datetime(times)
    opens, closes = constants["submission_opens"], constants["submission_closes"]
    inside = (t >= opens) & (t <= closes)
    return inside.fillna(False).to_numpy(dtype=bool)


def granularity_words(granularity: str) -> str:
    if granularity == MINUTE:
        return "al minuto (i secondi non contano)"
    return "al secondo"
