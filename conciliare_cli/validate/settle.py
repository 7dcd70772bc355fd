"""What a finding blocks, once the call's rules are known: a finding never decides silently.

The reader and the checks report what they see; whether a defect matters depends on the rules
(engine/compile.py: `Rules.fields_that_count`, the fields an eligibility rule, a criterion, an
amount, a fund, a reserve, a tie-breaker or the duplicates read):

- a value that cannot be read (DATA_NON_LEGGIBILE, IMPORTO_NON_LEGGIBILE, NUMERO_NON_LEGGIBILE,
  SI_NO_NON_LEGGIBILE, CELLA_IN_ERRORE) in a field no rule uses is a warning: it decides
  nothing, and the report says so;
- an unreadable cost is treated as the call treats a missing cost (the voucher's rule), with a
  warning;
- rows of one application that disagree on a field the rules use (DOMANDA_INCOERENTE) block the
  application: the tool never picks one of the values; on another field it is a warning.
Blocking findings do not exclude: the application is DA_REGOLARIZZARE until the finding is
resolved (validate/corrections.py) or the office decides with an override on record.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from conciliare_cli.findings import Scope, Severity

UNREADABLE = (
    "DATA_NON_LEGGIBILE",
    "IMPORTO_NON_LEGGIBILE",
    "NUMERO_NON_LEGGIBILE",
    "SI_NO_NON_LEGGIBILE",
    "CELLA_IN_ERRORE",
)
CONFLICT = "DOMANDA_INCOERENTE"
UNUSED_NOTE = "il campo non è usato dalle regole del bando: non decide nulla"
COST_NOTE = "trattato come costo non indicato, come il bando prevede"


def settle(
    findings: pd.DataFrame, counted: frozenset[str], cost_fields: frozenset[str]
) -> pd.DataFrame:
    """The findings with the severity their field's use gives them (see the module)."""
    if not len(findings):
        return findings
    out = findings.copy()
    code = out["code"].astype("string")
    field = out["field"].astype("string")
    used = field.isin(list(counted)).fillna(False).to_numpy()
    cost = field.isin(list(cost_fields)).fillna(False).to_numpy()
    unreadable = code.isin(UNREADABLE).fillna(False).to_numpy()
    conflict = code.eq(CONFLICT).fillna(False).to_numpy()
    _downgrade(out, unreadable & cost, COST_NOTE)
    _downgrade(out, unreadable & ~cost & ~used, UNUSED_NOTE)
    _downgrade(out, conflict & ~used, UNUSED_NOTE)
    block = conflict & used
    out.loc[block, "severity"] = str(Severity.BLOCKING)
    out.loc[block, "scope"] = str(Scope.APPLICATION)
    return out


def _downgrade(out: pd.DataFrame, mask: np.ndarray, note: str) -> None:
    if not mask.any():
        return
    out.loc[mask, "severity"] = str(Severity.WARNING)
    messages = out.loc[mask, "message"].astype(object).fillna("").astype(str)
    out.loc[mask, "message"] = messages + f" ({note})"
