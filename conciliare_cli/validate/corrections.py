"""Corrections on record (*soccorso istruttorio*): the office's answers, applied over the
partners' data, which stay untouched.

A defect in the data (a value that cannot be read, a tax code that fails its check, two rows
of one application that disagree) is first put to the applicant; the answer goes into the
call folder's corrections file (`istruttoria.corrections` in bando.yaml, by default
`correzioni.xlsx`; .xlsx, .ods or .csv), one row per answer:

- Domanda: the application id as the tool shows it (e.g. ASST-PG2017-0072);
- Minore: for a minor's field, the child's tax code as written or its number in the
  application (1, 2, ...); empty for the application's fields, or when it has one minor;
- Campo: the field, by its Italian label ("ISEE"), its name (isee) or the column header of
  the application's partner as bando.yaml maps it ("Componenti nucleo");
- Valore corretto: the value, written as a partner would write it ("8.500,00");
- Decisione: `correzione` (the default when a value is given) or `conferma` (the value as
  the partner wrote it stands, and the call's rules decide on it);
- Motivo, Richiesta, Risposta, Data: why; the references of the request to the applicant
  and of the reply; the date.

A correction replaces the value in the canonical table before the checks run, so a corrected
value is checked like any other; the findings on that cell are marked resolved (a reader's
finding cannot be read again from the partner's file). A row naming an application, a minor
or a field that is not there, or a value that cannot be read, is an error naming the row of
the corrections file: every such row is reported at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.config import LoadedCall
from conciliare_cli.errors import UserError
from conciliare_cli.fields import DERIVED_FIELDS, Field, Kind, Level
from conciliare_cli.italian import value_text
from conciliare_cli.read import relative, sources, table_fields
from conciliare_cli.read.office import read_register
from conciliare_cli.read.values import parse_parts
from conciliare_cli.records import CONFIRMATION, CORRECTION, CORRECTIONS_HEADERS

HEADERS = CORRECTIONS_HEADERS
REQUIRED = ("application", "field", "value")
CORRECT, CONFIRM = CORRECTION, CONFIRMATION
DECISIONS = {"": CORRECT, "correzione": CORRECT, "corretto": CORRECT, "rettifica": CORRECT,
             "conferma": CONFIRM, "confermato": CONFIRM, "invariato": CONFIRM}  # fmt: skip
APPLIED_COLUMNS = [
    "row",
    "application_id",
    "row_key",
    "field",
    "field_label",
    "old_value",
    "new_value",
    "decision",
    "reason",
    "request",
    "reply",
    "date",
    "file",
]


@dataclass
class Corrections:
    """The corrections applied (APPLIED_COLUMNS, one per row of the file) and the file."""

    applied: pd.DataFrame
    path: Path | None = None

    @classmethod
    def none(cls) -> Corrections:
        return cls(pd.DataFrame(columns=APPLIED_COLUMNS))


def corrections_path(call: LoadedCall) -> Path | None:
    """The corrections file of the call, if there is one (never outside the call folder)."""
    name = call.config.istruttoria.corrections
    path = (call.folder / name).resolve()
    folder = call.folder.resolve()
    if folder not in path.parents:
        raise UserError(
            f"il file delle correzioni '{name}' è fuori dalla cartella del bando",
            file=str(call.path),
            hint="indica in istruttoria.corrections un file della cartella del bando",
        )
    return path if path.is_file() else None


def read_corrections(path: Path, rel: str) -> pd.DataFrame:
    """The rows of the corrections file as texts (columns: the keys of HEADERS, and `row`,
    the row number as Excel shows it); empty rows dropped."""
    return read_register(path, rel, HEADERS, REQUIRED, "file delle correzioni")


def apply_corrections(
    call: LoadedCall, minors: pd.DataFrame, rows: pd.DataFrame, rel: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the table with the corrections applied, the corrections applied). UserError listing
    every row of the file that names something not there or cannot be read."""
    fields = {k: f for k, f in table_fields(call).items() if k not in DERIVED_FIELDS}
    headers = _partner_headers(call)
    out = minors.copy()
    applied, problems = [], []
    for rec in rows.to_dict("records"):
        try:
            applied.append(_one(out, fields, rec, rel, headers))
        except ValueError as exc:
            problems.append(f"riga {rec['row']}: {exc}")
    if problems:
        raise UserError(
            "correzioni non applicabili:\n  " + "\n  ".join(problems),
            file=rel,
            hint="correggi quelle righe del file delle correzioni (i file dei partner non "
            "vanno toccati)",
        )
    frame = pd.DataFrame(applied, columns=APPLIED_COLUMNS)
    return out, frame


def corrected(
    call: LoadedCall, minors: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, Path | None]:
    """(the partners' rows with the corrections on record applied, the corrections applied,
    the corrections file or None): the table validate and rank see."""
    path = corrections_path(call)
    if path is None:
        return minors, Corrections.none().applied, None
    rel = relative(path, call.folder)
    table, applied = apply_corrections(call, minors, read_corrections(path, rel), rel)
    return table, applied, path


def corrected_minors(call: LoadedCall, minors: pd.DataFrame) -> pd.DataFrame:
    """The partners' rows with the corrections on record applied."""
    return corrected(call, minors)[0]


def _partner_headers(call: LoadedCall) -> dict[str, list[tuple[re.Pattern[str], str]]]:
    """Per partner, its own column headers (as bando.yaml maps them; "Figlio {n}" matches
    "Figlio 2") and the field each one holds: the office may name a field as the partner's
    file does."""
    out: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    for partner in call.config.partners:
        pairs = []
        for name, heads in partner.columns.items():
            for head in [heads] if isinstance(heads, str) else heads:
                text = re.escape(head.strip().casefold()).replace(re.escape("{n}"), r"\d+")
                pairs.append((re.compile(text), name))
        out[partner.id] = pairs
    return out


def _one(
    table: pd.DataFrame,
    fields: dict[str, Field],
    rec: dict,
    rel: str,
    headers: dict[str, list[tuple[re.Pattern[str], str]]] | None = None,
) -> dict:
    field = _field(fields, rec["field"], _own_headers(table, rec, headers or {}))
    rows = _rows(table, field, rec)
    decision = DECISIONS.get(rec["decision"].casefold())
    if decision is None:
        raise ValueError(f"decisione '{rec['decision']}' sconosciuta (correzione o conferma)")
    if decision == CORRECT and not rec["value"]:
        raise ValueError("manca il valore corretto (per lasciare il valore com'è: conferma)")
    old = _shown(table.loc[rows, field.name].iloc[0], field.kind) if field.name in table else ""
    if decision == CORRECT:
        value = _parse(field, rec["value"])
        table.loc[rows, field.name] = value
    return {
        "row": int(rec["row"]),
        "application_id": str(table.loc[rows[0], "application_id"]),
        "row_key": str(table.loc[rows[0], "row_key"]) if field.level is Level.MINOR else None,
        "field": field.name,
        "field_label": field.label,
        "old_value": old,
        "new_value": rec["value"] if decision == CORRECT else old,
        "decision": decision,
        "reason": rec["reason"],
        "request": rec["request"],
        "reply": rec["reply"],
        "date": rec["date"],
        "file": rel,
    }


def _own_headers(
    table: pd.DataFrame, rec: dict, headers: dict[str, list[tuple[re.Pattern[str], str]]]
) -> list[tuple[re.Pattern[str], str]]:
    """The column headers of the partner whose application the row names (none if unknown)."""
    partner = table.loc[table["application_id"] == rec["application"].strip(), "partner_id"]
    return headers.get(str(partner.iloc[0]), []) if len(partner) else []


def _field(
    fields: dict[str, Field], text: str, own: list[tuple[re.Pattern[str], str]] = ()
) -> Field:
    key = text.strip().casefold()
    for f in fields.values():
        if key in (f.name.casefold(), f.label.casefold()):
            return f
    for pattern, name in own:
        if pattern.fullmatch(key) and name in fields:
            return fields[name]
    near = sources.nearest(text, [f.label for f in fields.values()] + list(fields))
    raise ValueError(f"campo '{text}' sconosciuto" + (f" (forse '{near}'?)" if near else ""))


def _rows(table: pd.DataFrame, field: Field, rec: dict) -> list[int]:
    """The rows a correction applies to: every row of the application for its fields, the
    named minor's row for a minor's field."""
    wanted = rec["application"].strip().casefold()
    ids = table["application_id"].astype("string").str.casefold()
    rows = np.flatnonzero(ids.eq(wanted).fillna(False).to_numpy())
    if not len(rows):
        near = sources.nearest(rec["application"], table["application_id"].dropna().astype(str))
        hint = f" (forse '{near}'?)" if near else ""
        raise ValueError(f"la domanda '{rec['application']}' non c'è tra quelle lette{hint}")
    if field.level is Level.APPLICATION:
        return [int(r) for r in rows]
    return [_minor_row(table, rows, rec["minor"], rec["application"])]


def minor_ordinals(table: pd.DataFrame) -> pd.Series:
    """Per row: the minor's number in its application (1, 2, ...), by slot and file row: what
    the corrections file's 'Minore' column may say, and what the lists to regularise show."""
    order = table.assign(
        _slot=pd.to_numeric(table["minor_slot"], errors="coerce").fillna(0),
        _row=pd.to_numeric(table["source_row"], errors="coerce").fillna(0),
    ).sort_values(["application_id", "_slot", "_row"], kind="stable")
    ordinal = order.groupby("application_id", sort=False).cumcount() + 1
    return ordinal.reindex(table.index)


def _minor_row(table: pd.DataFrame, rows: np.ndarray, minor: str, app: str) -> int:
    if not minor:
        if len(rows) == 1:
            return int(rows[0])
        raise ValueError(f"la domanda {app} ha {len(rows)} minori: indica quale in 'Minore'")
    if minor.isdigit():
        ordinal = minor_ordinals(table.iloc[rows]).to_numpy()
        hit = rows[ordinal == int(minor)]
    else:
        codes = table["minor_tax_code"].iloc[rows].astype("string").str.upper()
        hit = rows[codes.str.replace(" ", "").eq(minor.upper().replace(" ", "")).fillna(False)]
        if len(hit) > 1:
            raise ValueError(
                f"il minore '{minor}' compare {len(hit)} volte nella domanda {app}: indica il "
                "suo numero nella domanda (1, 2, ...)"
            )
    if not len(hit):
        raise ValueError(f"il minore '{minor}' non è nella domanda {app}")
    return int(hit[0])


def _parse(field: Field, text: str) -> object:
    values, bad = parse_parts(field.kind, [pd.Series([text], dtype=object)])
    if bool(np.asarray(bad)[0]):
        raise ValueError(f"valore '{text}' non leggibile per {field.label}")
    return values.iloc[0]


def _shown(value: object, kind: Kind) -> str:
    """The value in the table, as the coordinator reads it ('' when missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value_text(value, kind)


def resolve(findings: pd.DataFrame, applied: pd.DataFrame) -> pd.DataFrame:
    """The findings with `resolution` set where a correction or a confirmation settles them:
    the same application and field (and, for a minor's field, the same minor)."""
    out = findings.copy()
    if not len(applied) or not len(out):
        return out
    resolution = out["resolution"].astype(object).where(out["resolution"].notna(), "")
    app = out["application_id"].astype("string")
    field = out["field"].astype("string")
    key = out["row_key"].astype("string")
    for rec in applied.to_dict("records"):
        hit = app.eq(rec["application_id"]) & field.eq(rec["field"])
        if isinstance(rec["row_key"], str) and rec["row_key"]:  # a minor's field: that minor
            hit &= key.eq(rec["row_key"]) | key.isna()
        hit = hit.fillna(False).to_numpy() & resolution.eq("").to_numpy()
        what = "corretto" if rec["decision"] == CORRECT else "confermato"
        resolution[hit] = f"{what} ({rec['file']}, riga {rec['row']})"
    out["resolution"] = resolution
    return out
