"""The register of events (`eventi.xlsx` in the call folder; .xlsx, .ods or .csv): what the
office decided after the final list, one row per decision, headers in records.py:

- Data: the date of the decision (or of the renunciation's receipt), dd/mm/yyyy;
- Evento: accettazione, rinuncia, revoca, decadenza (an acceptance required and not given in
  time), controllo (the outcome of a check on a self-declaration, in 'Esito');
- Domanda: the application id as in the graduatoria; Minore: empty for the whole application,
  or one child by tax code or by its number in the application (1, 2, ...);
- Esito: for a check, `regolare` or `irregolare` (an irregular check revokes the award);
- Motivo, Atto, Registrato da, Note: why, the reference of the act (protocol, determina), who
  recorded it.

Renunciations, revocations, lapses and failed checks free the money of the minors they name
and take them off the list for good; acceptances and passed checks are on record only. The
register never changes the final list or the partners' files. Every row that cannot be read or
names something not in the final list is reported at once, by its row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.acts.finallist import FinalList
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_short
from conciliare_cli.read.office import read_register
from conciliare_cli.records import (
    ACCEPTANCE,
    CHECK,
    CHECK_FAILED,
    CHECK_PASSED,
    EVENTS_FILE,
    EVENTS_HEADERS,
    LAPSE,
    RENUNCIATION,
    REVOCATION,
)
from conciliare_cli.validate.corrections import minor_ordinals

REQUIRED = ("date", "event", "application")
KINDS = {
    "accettazione": ACCEPTANCE, "accetta": ACCEPTANCE, "accettata": ACCEPTANCE,
    "rinuncia": RENUNCIATION, "rinunciata": RENUNCIATION,
    "revoca": REVOCATION, "revocata": REVOCATION,
    "decadenza": LAPSE, "decaduta": LAPSE,
    "controllo": CHECK,
}  # fmt: skip
OUTCOMES = {"regolare": CHECK_PASSED, "positivo": CHECK_PASSED, "superato": CHECK_PASSED,
            "irregolare": CHECK_FAILED, "negativo": CHECK_FAILED,
            "non regolare": CHECK_FAILED, "non superato": CHECK_FAILED}  # fmt: skip
# what frees a minor's money, and how the act calls the minor afterwards
REMOVES = {RENUNCIATION: "RINUNCIA", REVOCATION: "REVOCA", LAPSE: "DECADENZA"}
EVENT_COLUMNS = ["row", "date", "kind", "outcome", "application_id", "minor", "reason", "act",
                 "by", "note"]  # fmt: skip


SUFFIXES = (".xlsx", ".ods", ".xls", ".csv")


def events_path(folder: Path) -> Path | None:
    """The register in the call folder: eventi.xlsx (or .ods, .xls, .csv); None when there is
    none; two of them is an error (which one counts?)."""
    stem = Path(EVENTS_FILE).stem
    found = [Path(folder) / f"{stem}{suffix}" for suffix in SUFFIXES]
    found = [p for p in found if p.is_file()]
    if len(found) > 1:
        raise UserError(
            "ci sono più registri degli eventi: " + ", ".join(p.name for p in found),
            hint="tenere un solo registro (eventi.xlsx) nella cartella del bando",
        )
    return found[0] if found else None


def read_events(folder: Path, base: FinalList) -> pd.DataFrame:
    """The events of the register (EVENT_COLUMNS; `minor` is the child's tax code, '' for the
    whole application), sorted canonically (date, application, minor, kind, the rest), so that
    the order of the rows in the file never matters. No register: no events."""
    path = events_path(folder)
    if path is None:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    rel = path.name
    rows = read_register(path, rel, EVENTS_HEADERS, REQUIRED, "registro degli eventi")
    final_date = dt.date.fromisoformat(str(base.manifest["run_date"]))
    index = _minors_index(base)
    out, problems = [], []
    for rec in rows.to_dict("records"):
        try:
            out.append(_event(rec, index, final_date))
        except ValueError as exc:
            problems.append(f"riga {rec['row']}: {exc}")
    if problems:
        raise UserError(
            "eventi non leggibili:\n  " + "\n  ".join(problems),
            file=rel,
            hint="correggi quelle righe del registro degli eventi (la graduatoria e i file dei "
            "partner non vanno toccati)",
        )
    frame = pd.DataFrame(out, columns=EVENT_COLUMNS)
    keys = ["date", "application_id", "minor", "kind", "outcome", "act", "reason", "by", "note"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def parse_event(rec: dict, base: FinalList) -> dict:
    """One row of the register (the keys of EVENTS_HEADERS as texts, and `row`) as
    read_events gives it; ValueError saying what is wrong (the same checks as the register's)."""
    final_date = dt.date.fromisoformat(str(base.manifest["run_date"]))
    return _event(rec, _minors_index(base), final_date)


def _minors_index(base: FinalList) -> dict[str, pd.DataFrame]:
    """Per application id (case-folded): its ranked minors (tax code, number)."""
    m = base.minors
    frame = pd.DataFrame(
        {
            "application_id": m["application_id"].astype(str),
            "tax_code": m["minor_tax_code"].astype("string").fillna("").str.upper(),
            "number": minor_ordinals(m).to_numpy(),
        }
    )
    return {k.casefold(): g for k, g in frame.groupby("application_id", sort=False)}


def _event(rec: dict, index: dict[str, pd.DataFrame], final_date: dt.date) -> dict:
    when = _date(rec["date"])
    if when < final_date:
        raise ValueError(
            f"data {date_short(when)} precedente alla graduatoria definitiva "
            f"({date_short(final_date)})"
        )
    kind = KINDS.get(rec["event"].casefold())
    if kind is None:
        raise ValueError(
            f"evento '{rec['event']}' sconosciuto (accettazione, rinuncia, revoca, decadenza, "
            "controllo)"
        )
    outcome = ""
    if kind == CHECK:
        outcome = OUTCOMES.get(rec["outcome"].casefold(), "")
        if not outcome:
            raise ValueError("per un controllo l'esito è 'regolare' o 'irregolare'")
    group = index.get(rec["application"].strip().casefold())
    if group is None:
        raise ValueError(
            f"la domanda '{rec['application']}' non è in graduatoria (né tra le finanziate né "
            "in lista d'attesa)"
        )
    return {
        "row": int(rec["row"]),
        "date": when,
        "kind": kind,
        "outcome": outcome,
        "application_id": str(group["application_id"].iloc[0]),
        "minor": _minor(group, rec["minor"]),
        "reason": rec["reason"],
        "act": rec["act"],
        "by": rec["by"],
        "note": rec["note"],
    }


def _date(text: str) -> dt.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"data '{text}' non leggibile (scrivere gg/mm/aaaa)" if text else
                     "manca la data")  # fmt: skip


def _minor(group: pd.DataFrame, text: str) -> str:
    text = text.strip().upper().replace(" ", "")
    if not text:
        return ""
    if text.isdigit():
        hit = group["tax_code"][group["number"].to_numpy() == int(text)]
    else:
        hit = group["tax_code"][group["tax_code"].eq(text).to_numpy()]
    if not len(hit):
        app = group["application_id"].iloc[0]
        raise ValueError(
            f"il minore '{text}' non è tra i minori in graduatoria della domanda {app}"
        )
    return str(hit.iloc[0])


def events_up_to(events: pd.DataFrame, after: dt.date | None, until: dt.date) -> pd.DataFrame:
    """The events dated after `after` (exclusive; None: from the start) and up to `until`."""
    dates = events["date"]
    keep = dates.le(until) if after is None else dates.gt(after) & dates.le(until)
    return events[keep.to_numpy(dtype=bool)].reset_index(drop=True)


def event_records(events: pd.DataFrame) -> list[dict]:
    """The events as the act's manifest records them (no file row: the order does not count)."""
    out = []
    for rec in events.drop(columns=["row"]).to_dict("records"):
        rec["date"] = rec["date"].isoformat()
        out.append({k: str(v) for k, v in rec.items()})
    return out


def events_sha256(events: pd.DataFrame) -> str:
    text = json.dumps(event_records(events), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def removed_rows(base: FinalList, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(per row of the final list: removed by an event, and the act's word for it: RINUNCIA,
    REVOCA, DECADENZA, '' when not removed). A failed check is a revocation; a later event
    on a minor already removed does not change the word."""
    m = base.minors
    apps = m["application_id"].astype(str).to_numpy()
    codes = m["minor_tax_code"].astype("string").fillna("").str.upper().to_numpy()
    word = np.full(len(m), "", dtype=object)
    for rec in events.to_dict("records"):  # in canonical order (read_events)
        kind = rec["kind"]
        if kind == CHECK:
            kind = REVOCATION if rec["outcome"] == CHECK_FAILED else ""
        if kind not in REMOVES:
            continue
        hit = apps == rec["application_id"]
        if rec["minor"]:
            hit &= codes == rec["minor"]
        word[hit & (word == "")] = REMOVES[kind]
    return word != "", word
