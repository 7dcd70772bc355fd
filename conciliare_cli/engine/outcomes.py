"""One definition of an outcome, for every output that counts them.

- A minor's outcome is its own `status`.
- An application's outcome: DA_REGOLARIZZARE while its data are being regularised; ESCLUSA
  when every minor of it is excluded; otherwise, over its admitted minors, FINANZIATA when
  all are fully funded, AMMESSA_NON_FINANZIATA when none receives anything, and
  FINANZIATA_PARZIALMENTE in between (part of the award, or some minors funded and others
  waiting, when the ranking unit is the minor). A minor excluded in an admitted application
  is counted apart: "di cui minori esclusi in domande ammesse".

The terminal summary, the Riepilogo sheet, the manifest, the public list and the letters all
count with these functions, so their figures agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from conciliare_cli.engine.result import RankResult
from conciliare_cli.status import Status


def application_outcomes(minors: pd.DataFrame) -> pd.Series:
    """Per application id (index, sorted): its outcome code."""
    if not len(minors):
        return pd.Series([], dtype=object)
    status = minors["status"].astype("string").fillna(Status.EXCLUDED.value)
    flags = pd.DataFrame(
        {
            "pending": status.eq(Status.TO_REGULARISE.value),
            "admitted": status.isin([s.value for s in Status if s.admitted]),
            "full": status.eq(Status.FUNDED.value),
            "paid": status.isin([Status.FUNDED.value, Status.PARTIAL.value]),
        }
    ).astype(int)
    per_app = flags.groupby(minors["application_id"].astype("string")).sum()
    outcome = np.full(len(per_app), Status.PARTIAL.value, dtype=object)
    outcome[(per_app["full"] == per_app["admitted"]).to_numpy()] = Status.FUNDED.value
    outcome[(per_app["paid"] == 0).to_numpy()] = Status.WAITING.value
    outcome[(per_app["admitted"] == 0).to_numpy()] = Status.EXCLUDED.value
    outcome[(per_app["pending"] > 0).to_numpy()] = Status.TO_REGULARISE.value
    return pd.Series(outcome, index=per_app.index, dtype=object)


def excluded_in_admitted(minors: pd.DataFrame) -> pd.Series:
    """Per minor: excluded, in an application that is in the graduatoria."""
    outcome = application_outcomes(minors)
    app = minors["application_id"].astype("string")
    admitted = [s.value for s in Status if s.admitted]
    return minors["status"].eq(Status.EXCLUDED.value) & app.map(outcome).isin(admitted)


def outcome_counts(result: RankResult) -> pd.DataFrame:
    """Per outcome (every Status, in order): applications (by their outcome), minors (by
    their own), and the amount awarded. Each column adds up to the whole call."""
    m = result.minors
    outcome = application_outcomes(m)
    status = m["status"].astype("string").fillna(Status.EXCLUDED.value)
    awarded = pd.to_numeric(m["awarded_cents"]).astype("Int64").fillna(0)
    rows = []
    for s in Status:
        rows.append(
            {
                "status": s.value,
                "label": s.label,
                "applications": int((outcome == s.value).sum()),
                "minors": int((status == s.value).sum()),
                "awarded_cents": int(awarded[status == s.value].sum()),
            }
        )
    columns = ["status", "label", "applications", "minors", "awarded_cents"]
    return pd.DataFrame(rows, columns=columns)


def totals(result: RankResult) -> dict[str, int]:
    """Applications, minors, amount awarded, and minors excluded in admitted applications."""
    m = result.minors
    return {
        "applications": int(m["application_id"].nunique()),
        "minors": len(m),
        "awarded_cents": int(pd.to_numeric(m["awarded_cents"]).fillna(0).sum()),
        "excluded_in_admitted": int(excluded_in_admitted(m).sum()) if len(m) else 0,
    }
