"""The register of events (`eventi.xlsx` in the call folder; .xlsx, .ods or .csv): what the
office decided after the final list, one row per decision, headers in records.py:

- Data: the date of the decision (or of the renunciation's receipt), dd/mm/yyyy;
- Evento: accettazione, rinuncia, revoca, decadenza (an acceptance required and not given in
  time), controllo (the outcome of a check on a self-declaration, in 'Esito'), riammissione
  and correzione (after an observation or an appeal: a minor or an application put back on
  the list, a voucher raised to 'Importo');
- Domanda: the application id as in the graduatoria; Minore: empty for the whole application,
  or one child by tax code or by its number in the application (1, 2, ...);
- Esito: for a check, `regolare` or `irregolare` (an irregular check revokes the award); for a
  riammissione or a correzione, empty or `precedenza` (the act funds it before the list);
- Importo: for a correzione, the new voucher of the child; for a riammissione of a child whose
  voucher the data do not give (it was excluded for that), its voucher;
- Motivo, Atto, Registrato da, Note: why, the reference of the act (protocol, determina), who
  recorded it.

Renunciations, revocations, lapses and failed checks free the money of the minors they name
and take them off the list; acceptances and passed checks are on record only; a riammissione
puts back on the list a minor an event took off, or one excluded in the final list (at the
place acts/reinstate.py gives it); a correzione raises a minor's voucher. The
register never changes the final list or the partners' files. Every row that cannot be read or
names something not in the final list is reported at once, by its row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.acts.compute import Effects
from conciliare_cli.acts.finallist import FinalList
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_short
from conciliare_cli.read.office import read_register
from conciliare_cli.read.values import money_from_texts
from conciliare_cli.records import (
    ACCEPTANCE,
    CHECK,
    CHECK_FAILED,
    CHECK_PASSED,
    CORRECTION,
    EVENTS_FILE,
    EVENTS_HEADERS,
    LAPSE,
    PRIORITY,
    REINSTATEMENT,
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
    "riammissione": REINSTATEMENT, "riammessa": REINSTATEMENT,
    "correzione": CORRECTION, "rettifica": CORRECTION,
}  # fmt: skip
KIND_NAMES = "accettazione, rinuncia, revoca, decadenza, controllo, riammissione, correzione"
OUTCOMES = {"regolare": CHECK_PASSED, "positivo": CHECK_PASSED, "superato": CHECK_PASSED,
            "irregolare": CHECK_FAILED, "negativo": CHECK_FAILED,
            "non regolare": CHECK_FAILED, "non superato": CHECK_FAILED}  # fmt: skip
# what frees a minor's money, and how the act calls the minor afterwards
REMOVES = {RENUNCIATION: "RINUNCIA", REVOCATION: "REVOCA", LAPSE: "DECADENZA"}
EVENT_COLUMNS = ["row", "date", "kind", "outcome", "application_id", "minor", "reason", "act",
                 "by", "note", "amount_cents"]  # fmt: skip


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
    index = _Index.of(base)
    out, problems = [], []
    for rec in rows.to_dict("records"):
        try:
            out.append(_event(rec, index, final_date))
        except ValueError as exc:
            problems.append(f"riga {rec['row']}: {exc}")
    problems += _sequence_problems(base, out)
    if problems:
        raise UserError(
            "eventi non leggibili:\n  " + "\n  ".join(problems),
            file=rel,
            hint="correggi quelle righe del registro degli eventi (la graduatoria e i file dei "
            "partner non vanno toccati)",
        )
    frame = pd.DataFrame(out, columns=EVENT_COLUMNS)
    return _canonical(frame)


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["date", "application_id", "minor", "kind", "outcome", "act", "reason", "by", "note",
            "amount_cents"]  # fmt: skip
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def parse_event(rec: dict, base: FinalList) -> dict:
    """One row of the register (the keys of EVENTS_HEADERS as texts, and `row`) as
    read_events gives it; ValueError saying what is wrong (the same checks as the register's)."""
    final_date = dt.date.fromisoformat(str(base.manifest["run_date"]))
    return _event({"amount": "", **rec}, _Index.of(base), final_date)


@dataclass
class _Index:
    """Per application id (case-folded): its ranked minors, and all its minors (the excluded
    too: a riammissione may name them), each with tax code and number in the application."""

    ranked: dict[str, pd.DataFrame]
    every: dict[str, pd.DataFrame]

    @classmethod
    def of(cls, base: FinalList) -> _Index:
        ranked = _by_application(base.minors[base.in_final].reset_index(drop=True))
        every = ranked if base.result is None else _by_application(base.result.minors)
        return cls(ranked, every)


def _by_application(m: pd.DataFrame) -> dict[str, pd.DataFrame]:
    frame = pd.DataFrame(
        {
            "application_id": m["application_id"].astype(str),
            "tax_code": m["minor_tax_code"].astype("string").fillna("").str.upper(),
            "number": minor_ordinals(m).to_numpy(),
            "requested": pd.array(m["requested_cents"], dtype="Int64")
            if "requested_cents" in m
            else pd.array([0] * len(m), dtype="Int64"),
        }
    )
    return {k.casefold(): g for k, g in frame.groupby("application_id", sort=False)}


def _event(rec: dict, index: _Index, final_date: dt.date) -> dict:
    when = _date(rec["date"])
    if when < final_date:
        raise ValueError(
            f"data {date_short(when)} precedente alla graduatoria definitiva "
            f"({date_short(final_date)})"
        )
    kind = KINDS.get(rec["event"].casefold())
    if kind is None:
        raise ValueError(f"evento '{rec['event']}' sconosciuto ({KIND_NAMES})")
    outcome = _outcome(kind, rec["outcome"])
    app = rec["application"].strip().casefold()
    group = index.ranked.get(app)
    if kind == REINSTATEMENT and (group is None or _names_excluded(group, index, app, rec)):
        group = index.every.get(app)  # an excluded application or child
    if group is None:
        excluded = app in index.every
        raise ValueError(
            f"la domanda '{rec['application']}' non è in graduatoria (né tra le finanziate né "
            "in lista d'attesa)"
            + (": è esclusa; se un ricorso la riammette, evento 'riammissione'" if excluded else "")
        )
    minor = _minor(group, rec["minor"])
    amount = _amount(kind, rec.get("amount", ""), group, minor)
    unranked = kind == REINSTATEMENT and app not in index.ranked and not minor
    if unranked and not group["requested"].notna().any():
        raise ValueError(
            "nessun minore della domanda ha un voucher calcolabile dai dati: indicare il "
            "minore (Minore) e il suo voucher (Importo)"
        )
    return {
        "row": int(rec["row"]),
        "date": when,
        "kind": kind,
        "outcome": outcome,
        "application_id": str(group["application_id"].iloc[0]),
        "minor": minor,
        "reason": rec["reason"],
        "act": rec["act"],
        "by": rec["by"],
        "note": rec["note"],
        "amount_cents": amount,
    }


def _names_excluded(group: pd.DataFrame, index: _Index, app: str, rec: dict) -> bool:
    """A riammissione of a ranked application naming one of its excluded children."""
    text = rec["minor"].strip().upper().replace(" ", "")
    if not text:
        return False
    every = index.every.get(app, group)
    if text.isdigit():
        return True  # numbers count every child of the application (see _minor)
    return bool(every["tax_code"].eq(text).any()) and not bool(group["tax_code"].eq(text).any())


def _outcome(kind: str, text: str) -> str:
    text = text.strip().casefold()
    if kind == CHECK:
        outcome = OUTCOMES.get(text, "")
        if not outcome:
            raise ValueError("per un controllo l'esito è 'regolare' o 'irregolare'")
        return outcome
    if kind in (REINSTATEMENT, CORRECTION):
        if text in ("", "posizione", "in posizione"):
            return ""
        if text == PRIORITY:
            return PRIORITY
        raise ValueError(
            f"per una {kind} l'esito è vuoto (i fondi seguono la posizione) o 'precedenza' "
            "(l'atto la finanzia per prima)"
        )
    return ""


def _amount(kind: str, text: str, group: pd.DataFrame, minor: str) -> int:
    """The voucher an event sets, in cents (0 when it sets none)."""
    text = text.strip()
    if not text:
        if kind == CORRECTION:
            raise ValueError("per una correzione serve il nuovo importo del voucher (Importo)")
        if kind == REINSTATEMENT and minor:
            got = group["requested"][group["tax_code"].eq(minor).to_numpy()]
            if len(got) and pd.isna(got.iloc[0]):
                raise ValueError(
                    f"il voucher del minore {minor} non si calcola dai dati: indicarlo in Importo"
                )
        return 0
    if kind not in (CORRECTION, REINSTATEMENT):
        raise ValueError(f"l'importo vale solo per una correzione o una riammissione, non per "
                         f"una {kind}")  # fmt: skip
    values, bad = money_from_texts(np.array([text], dtype=object))
    if bad[0] or pd.isna(values[0]) or int(values[0]) <= 0:
        raise ValueError(f"importo '{text}' non leggibile (es. 300,00)")
    if not minor and len(group) != 1:
        raise ValueError("l'importo è di un minore: indicare quale (Minore)")
    return int(values[0])


def _sequence_problems(base: FinalList, events: list[dict]) -> list[str]:
    """In date order: a riammissione names a minor off the list (taken off by an earlier event
    or excluded), a correzione one on the list whose voucher it raises."""
    if not events:
        return []
    frame = _canonical(pd.DataFrame(events, columns=EVENT_COLUMNS))
    problems = []
    for i in range(len(frame)):
        rec = frame.iloc[i]
        if rec["kind"] not in (REINSTATEMENT, CORRECTION):
            continue
        before = effects_of(base, frame.iloc[:i])
        hit = _hit(base, rec)
        if not hit.any():
            continue  # an excluded child not yet added to the base (acts/reinstate.py)
        if rec["kind"] == REINSTATEMENT and not (before.word[hit] != "").any():
            problems.append(
                f"riga {rec['row']}: la domanda {rec['application_id']}"
                + (f" (minore {rec['minor']})" if rec["minor"] else "")
                + " è già in graduatoria: non c'è nulla da riammettere"
            )
        if rec["kind"] == CORRECTION:
            if (before.word[hit] != "").all():
                problems.append(f"riga {rec['row']}: il minore non è in graduatoria: prima la "
                                "riammissione")  # fmt: skip
            elif int(rec["amount_cents"]) <= int(before.need[hit].max()):
                problems.append(
                    f"riga {rec['row']}: una correzione aumenta il voucher: "
                    f"{_eur(int(rec['amount_cents']))} non supera "
                    f"{_eur(int(before.need[hit].max()))} (per toglierlo: rinuncia o revoca)"
                )
    return problems


def _eur(cents: int) -> str:
    from conciliare_cli.italian import eur

    return eur(cents)


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
    if not hit.iloc[0]:
        raise ValueError(f"il minore n. {text} non ha un codice fiscale: indicarlo per codice")
    return str(hit.iloc[0])


def events_up_to(events: pd.DataFrame, after: dt.date | None, until: dt.date) -> pd.DataFrame:
    """The events dated after `after` (exclusive; None: from the start) and up to `until`."""
    dates = events["date"]
    keep = dates.le(until) if after is None else dates.gt(after) & dates.le(until)
    return events[keep.to_numpy(dtype=bool)].reset_index(drop=True)


def event_records(events: pd.DataFrame) -> list[dict]:
    """The events as the act's manifest records them (no file row: the order does not count;
    `amount_cents` only when an event sets one, so acts issued before it existed verify)."""
    out = []
    for rec in events.drop(columns=["row"]).to_dict("records"):
        rec["date"] = rec["date"].isoformat()
        if not rec.get("amount_cents"):
            rec.pop("amount_cents", None)
        out.append({k: str(v) for k, v in rec.items()})
    return out


def events_sha256(events: pd.DataFrame) -> str:
    text = json.dumps(event_records(events), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hit(base: FinalList, rec: dict | pd.Series) -> np.ndarray:
    m = base.minors
    hit = m["application_id"].astype(str).to_numpy() == rec["application_id"]
    if rec["minor"]:
        codes = m["minor_tax_code"].astype("string").fillna("").str.upper().to_numpy()
        hit &= codes == rec["minor"]
    return hit


def effects_of(base: FinalList, events: pd.DataFrame) -> Effects:
    """What the events (in canonical order, read_events) make of each row of the final list:
    the word of a minor taken off (RINUNCIA, REVOCA, DECADENZA; ESCLUSA for a row added for a
    reinstatement, until it; a failed check is a revocation; a later event on a minor already
    off does not change the word), the voucher (a correction raises it) and the precedence."""
    effects = Effects.none(base)
    word, need, first = effects.word, effects.need, effects.first
    for rec in events.to_dict("records"):
        kind = rec["kind"]
        said = removal_word(kind, rec["outcome"])
        hit = _hit(base, rec)
        if said:
            word[hit & (word == "")] = said
        elif kind == REINSTATEMENT:
            word[hit] = ""
            if rec.get("amount_cents"):
                need[hit] = int(rec["amount_cents"])
            first[hit] |= rec["outcome"] == PRIORITY
        elif kind == CORRECTION:
            need[hit] = np.maximum(need[hit], int(rec["amount_cents"]))
            first[hit] |= rec["outcome"] == PRIORITY
    return effects


def removal_word(kind: str, outcome: str) -> str:
    """The act's word for the minors an event takes off the list (RINUNCIA, REVOCA,
    DECADENZA; a failed check is a revocation), '' for an event on record only."""
    if kind == CHECK:
        kind = REVOCATION if outcome == CHECK_FAILED else ""
    return REMOVES.get(kind, "")
