"""What the istruttoria sends and keeps: the lists to regularise with each partner, the
corrections on record, and each partner's own view of its anomalies.

- `regularisation_frame`: one row per open blocking finding, with the applicant's name, the
  partner's own protocol number and the value as written, and the empty columns of the
  corrections file (validate/corrections.py) to fill with the answer: a row copied into the
  corrections file is a correction on record.
- `corrections_frame`: the corrections applied, for the Correzioni sheets.
- `partner_view`: a partner's findings as that partner may see them: never another body's
  application (a child or an applicant also in an application at another partner is said
  to be "in un'altra domanda, gestita dal capofila").
- `state_text`: per finding, "da regolarizzare", how it was resolved, or nothing (a warning).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from conciliare_cli.findings import Severity, open_blocking
from conciliare_cli.validate.corrections import HEADERS, minor_ordinals

CROSS_PARTNER = {
    "MINORE_IN_PIU_DOMANDE": "lo stesso minore compare anche in un'altra domanda, gestita dal "
    "capofila: sarà finanziato una sola volta",
    "RICHIEDENTE_DUPLICATO": "lo stesso richiedente ha presentato anche un'altra domanda, "
    "gestita dal capofila: vale quella indicata dal bando",
}

ANSWER_KEYS = ("value", "decision", "reason", "request", "reply", "date")


def state_text(findings: pd.DataFrame) -> pd.Series:
    """Per finding: 'da regolarizzare' while blocking and open, its resolution once settled,
    '' for a warning."""
    out = pd.Series("", index=findings.index, dtype=object)
    if not len(findings):
        return out
    resolution = findings["resolution"].astype(object).where(findings["resolution"].notna(), "")
    blocking = findings["severity"].astype("string").eq(str(Severity.BLOCKING)).fillna(False)
    out[blocking.to_numpy()] = "risolta: " + resolution[blocking.to_numpy()].astype(str)
    out[open_blocking(findings)] = "da regolarizzare"
    return out


def people(minors: pd.DataFrame | None) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(applicant's name, the partner's own protocol number) per application id, and the
    minor's name and number in the application per row key."""
    if minors is None or not len(minors):
        empty = pd.Series(dtype=object)
        return empty, empty, empty, empty
    first = minors.drop_duplicates("application_id").set_index("application_id")
    name = _join(first, "applicant_surname", "applicant_name")
    prefix = first["partner_id"].astype(str) + "-"
    ids = pd.Series(first.index.astype(str), index=first.index)
    own = pd.Series(
        [i[len(p) :] if i.startswith(p) else i for i, p in zip(ids, prefix, strict=True)],
        index=first.index,
        dtype=object,
    )
    rows = minors.drop_duplicates("row_key").set_index("row_key")
    ordinal = minor_ordinals(minors)
    ordinal.index = minors["row_key"]
    names = _join(rows, "minor_surname", "minor_name")
    return name, own, names, ordinal[~ordinal.index.duplicated()]


def _join(frame: pd.DataFrame, *cols: str) -> pd.Series:
    parts = [frame[c].astype("string").fillna("") for c in cols if c in frame.columns]
    if not parts:
        return pd.Series("", index=frame.index, dtype=object)
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + " " + p
    return joined.str.strip().astype(object)


def with_people(table: pd.DataFrame, minors: pd.DataFrame | None) -> pd.DataFrame:
    """The findings with the applicant's name, the partner's protocol and the minor's name."""
    name, own, minor, ordinal = people(minors)
    out = table.copy()
    app = out["application_id"].astype(object)
    out["applicant"] = app.map(name).where(app.notna(), None)
    out["own_protocol"] = app.map(own).where(app.notna(), None)
    out["minor_name"] = out["row_key"].astype(object).map(minor)
    out["minor_number"] = out["row_key"].astype(object).map(ordinal)
    out["state"] = state_text(out)
    return out


def partner_view(table: pd.DataFrame, partner_id: str) -> pd.DataFrame:
    """The rows of `table` (every partner's findings) that `partner_id` may see, with the
    messages that would name another body's application made neutral."""
    pid = table["partner_id"].astype(object).map(str, na_action="ignore")
    mine = table[(pid == partner_id).to_numpy()].copy()
    for code, neutral in CROSS_PARTNER.items():
        rows = mine["code"].eq(code).to_numpy()
        if not rows.any():
            continue
        others = table[(table["code"] == code).to_numpy() & (pid != partner_id).to_numpy()]
        shared = set(others["value"].dropna().astype(str))
        hit = rows & mine["value"].astype(str).isin(shared).to_numpy()
        mine.loc[hit, "message"] = neutral
    return mine.reset_index(drop=True)


def regularisation_frame(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The open blocking findings (with people, see `with_people`) as rows to send, with the
    corrections file's columns: Domanda, Minore, Campo filled in, the answer left empty."""
    open_ = table[open_blocking(table)].reset_index(drop=True)
    out = pd.DataFrame(
        {
            "own_protocol": open_["own_protocol"],
            "applicant": open_["applicant"],
            "minor_name": open_["minor_name"],
            "source_file": open_["source_file"],
            "source_row": open_["source_row"],
            "column": open_["column"],
            "value": open_["value"],
            "message": open_["message"],
            "application": open_["application_id"],
            "minor": _minor_key(open_),
            "field": open_["field"].map(lambda f: labels.get(str(f), f), na_action="ignore"),
        }
    )
    for key in ANSWER_KEYS:
        out[f"answer_{key}"] = ""
    return out


def _minor_key(findings: pd.DataFrame) -> pd.Series:
    """The minor of a finding as the corrections file names it: its number in the
    application (1, 2, ...), or empty for the application's fields."""
    number = pd.to_numeric(findings["minor_number"], errors="coerce").astype("Int64")
    minor = findings["scope"].astype("string").eq("minor").fillna(False)
    return number.astype("string").where(minor & number.notna(), "").fillna("").astype(object)


def corrections_frame(corrections: pd.DataFrame | None) -> pd.DataFrame:
    """The corrections applied, as the Correzioni sheet shows them."""
    if corrections is None or not len(corrections):
        return pd.DataFrame(columns=["row", "application_id", "field_label", "old_value"])
    out = corrections.copy()
    out["decision"] = np.where(out["decision"] == "conferma", "conferma", "correzione")
    return out


REGULARISATION_HEADERS = {
    "own_protocol": "Vostro protocollo",
    "applicant": "Richiedente",
    "minor_name": "Minore (nome)",
    "source_file": "File",
    "source_row": "Riga",
    "column": "Colonna",
    "value": "Valore nel file",
    "message": "Da regolarizzare",
    "application": HEADERS["application"],
    "minor": HEADERS["minor"],
    "field": HEADERS["field"],
    **{f"answer_{k}": HEADERS[k] for k in ANSWER_KEYS},
}
