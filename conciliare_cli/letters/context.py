"""From a RankResult to the data of each letter: plain dicts of Italian strings for the templates.

Nothing here renders: `build_letters` turns the engine's tables into one `Letter` per
application (its outcome, amounts, reasons and the statement of reasons required by
L. 241/1990 art. 3), and `common_context` into what every letter shares (sender, call, texts).
The heavy lifting (outcomes, totals, ranks, criterion values) is done with vectorised pandas
over the whole table; only the final assembly of each letter's dict is a loop per letter.
"""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from conciliare_cli.config import LoadedCall
from conciliare_cli.engine.compile import Rules
from conciliare_cli.engine.criteria.base import LetterView
from conciliare_cli.engine.outcomes import application_outcomes
from conciliare_cli.engine.result import RankResult
from conciliare_cli.errors import UserError
from conciliare_cli.fields import Level
from conciliare_cli.findings import Reason
from conciliare_cli.italian import date_long, date_short, datetime_short, eur, score_it
from conciliare_cli.status import Status

FINANZIATA = Status.FUNDED.value
PARZIALE = Status.PARTIAL.value
ATTESA = Status.WAITING.value
ESCLUSA = Status.EXCLUDED.value
OUTCOMES = (FINANZIATA, PARZIALE, ATTESA, ESCLUSA)

# The template of each outcome (same names in a call folder's templates/ override them).
TEMPLATE_OF = {
    FINANZIATA: "finanziata.html",
    PARZIALE: "finanziata_parzialmente.html",
    ATTESA: "ammessa_non_finanziata.html",
    ESCLUSA: "esclusa.html",
}

OUTCOME_LABELS = {s.value: s.letter_label for s in Status}

MINOR_STATUS_LABELS = {s.value: s.minor_label() for s in Status}

_RECORD_COLUMNS = [
    "applicant_name",
    "applicant_surname",
    "applicant_address",
    "applicant_postcode",
    "applicant_city",
    "applicant_email",
    "applicant_pec",
    "submitted_at",
    "minor_name",
    "minor_surname",
    "minor_tax_code",
    "minor_birth_date",
    "service",
    "exclusion_reasons",
    "decided_by",
    "reason_details",
]

_BARE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class Letter:
    """One application's letter: what the templates see (`context`) and what the index needs."""

    application_id: str
    outcome: str
    recipient_name: str
    email: str
    pec: str
    total_cents: int
    order: int  # position in graduatoria order (rank, then excluded by id)
    context: dict[str, Any] = field(repr=False)
    file_stem: str = ""  # set by files.assign_file_stems

    @property
    def template(self) -> str:
        return TEMPLATE_OF[self.outcome]


def _text(value: Any) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    return str(value).strip()


def _col(df: pd.DataFrame, name: str, default: Any = pd.NA) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series(default, index=df.index, dtype="object")


def _cents(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("Int64").fillna(0).astype("int64")


# ---------------------------------------------------------------- shared context


def logo_sources(call: LoadedCall) -> list[dict[str, str]]:
    """The logos named in the YAML, as data: URIs (relative to the call folder).

    A missing file is a UserError naming it; nothing is fetched from the network.
    """
    letters = call.config.letters
    out: list[dict[str, str]] = []
    if letters is None:
        return out
    for name in letters.logos:
        path = (call.folder / name).resolve()
        if not path.is_file():
            raise UserError(
                f"il logo '{name}' indicato in letters.logos non esiste",
                file=str(call.path),
                hint=f"il percorso è relativo alla cartella del bando: {call.folder}",
            )
        mime = mimetypes.guess_type(path.name)[0] or ""
        if mime not in {"image/png", "image/jpeg", "image/svg+xml", "image/gif"}:
            raise UserError(
                f"il logo '{name}' non è un'immagine PNG, JPEG, GIF o SVG",
                file=str(call.path),
            )
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        out.append({"src": f"data:{mime};base64,{data}", "alt": Path(name).stem})
    return out


def common_context(rules: Rules, run_date: dt.date) -> dict[str, Any]:
    """What every letter shares: sender, call, the letters' texts, logos, the date."""
    call = rules.call
    cfg = call.config
    letters = cfg.letters
    if letters is None:
        raise UserError(
            "manca la sezione 'letters' (testi delle lettere)",
            file=str(call.path),
            hint="copiala dal modello rules/conciliare-2017.yaml e adattala al bando",
        )
    lp = cfg.call.lead_partner
    sender = {
        "name": lp.name,
        "office": lp.office or "",
        "address": lp.address or "",
        "city": lp.city or "",
        "email": lp.email or "",
        "pec": lp.pec or "",
        "phone": lp.phone or "",
        "signatory": lp.signatory or "",
    }
    texts = {
        "services": letters.services,
        "validity": letters.validity,
        "how_to_use": letters.how_to_use,
        "renounce": letters.renounce,
        "review": letters.review,
        "appeal": letters.appeal,
        "fse_statement": letters.fse_statement or "",
        "signature": letters.signature or "",
    }
    return {
        "sender": sender,
        "call": {
            "title": cfg.call.title,
            "year": cfg.call.year,
            "rules_version": cfg.call.rules_version,
            "protocol_prefix": cfg.call.protocol_prefix or "",
            "cap": eur(rules.voucher.cap_cents),
            "funds": [f.name for f in rules.funds],
        },
        "texts": texts,
        "logos": logo_sources(call),
        "date": date_long(run_date),
        "date_short": date_short(run_date),
    }


# ---------------------------------------------------------------- per-letter data


def _stated_for_application(reason: Reason | None, code: str, shared: set[str]) -> bool:
    """Whether an excluded application's letter states `code` once, for the whole application
    (else under each minor it concerns).

    A rule of the call says its level, and a finding blocking a whole application is the
    application's. Other codes (a row-level finding, the engine's own) are placed by where
    they occur: shared by every minor of the application, they are the application's. (A
    row-level finding may concern the applicant's data on that row, so its scope alone does
    not say whose it is.)"""
    declared = reason is not None and (
        reason.source == "rule"
        or (reason.source == "finding" and reason.level is Level.APPLICATION)
    )
    if declared:
        return reason.level is Level.APPLICATION  # type: ignore[union-attr]
    return code in shared


def _unit_key(rules: Rules, minors: pd.DataFrame) -> pd.Series:
    if rules.by_minor:
        key = _col(minors, "row_key")
        fallback = pd.Series(minors.index.astype(str), index=minors.index)
        return key.astype("string").fillna(fallback.astype("string")).astype(str)
    return minors["application_id"].astype(str)


def build_letters(
    result: RankResult,
    run_date: dt.date,
    *,
    ids: set[str] | None = None,
    only: set[str] | None = None,
) -> list[Letter]:
    """One Letter per application of `result`, in graduatoria order (rank, then excluded by id).

    With `ids` (application ids) or `only` (outcomes), only those letters are built: the others'
    data is dropped before the per-letter work, and what each letter says does not depend on the
    others (its rank and position come from its own rows).
    """
    rules = result.rules
    cfg = result.call.config
    minors = result.minors
    if ids is not None:
        minors = minors[minors["application_id"].astype(str).isin(ids)]
    if not minors.empty:  # no letter while the data of an application are regularised
        app = minors["application_id"].astype(str)
        wanted = application_outcomes(minors)
        wanted = wanted[wanted != Status.TO_REGULARISE.value]
        if only is not None:
            wanted = wanted[wanted.isin(only)]
        minors = minors[app.isin(wanted.index)]
    minors = minors.reset_index(drop=True)
    if minors.empty:
        return []
    app = minors["application_id"].astype(str)
    status = _col(minors, "status").astype("string").fillna(ESCLUSA).astype(str)
    admitted = status != ESCLUSA
    awarded = _cents(_col(minors, "awarded_cents", 0))
    requested = _cents(_col(minors, "requested_cents", 0))
    rank = pd.to_numeric(_col(minors, "rank"), errors="coerce").astype("Int64")
    waiting = pd.to_numeric(_col(minors, "waiting_position"), errors="coerce").astype("Int64")
    score = pd.to_numeric(_col(minors, "score"), errors="coerce")
    unit = _unit_key(rules, minors)
    by_unit = rules.by_minor

    outcome = application_outcomes(minors)
    app_rank = rank.where(admitted).groupby(app, sort=False).min()
    app_wait = waiting.groupby(app, sort=False).min()
    app_total = awarded.groupby(app, sort=False).sum()
    app_requested = requested.where(admitted, 0).groupby(app, sort=False).sum()

    view = LetterView(minors, unit, admitted, rules.fields)
    crit_values = {c.id: c.shown_values(view) for c in rules.criteria}
    fund_cols = [(f.id, f.name, f"fund_{f.id}_cents") for f in rules.funds]
    fund_cents = {fid: _cents(_col(minors, col, 0)) for fid, _n, col in fund_cols}

    prefix = cfg.call.protocol_prefix or ""
    tie_labels = {tb.own_label for tb in rules.tie_breakers if tb.own_label}

    # Graduatoria order: rank, then the excluded by id.
    order_frame = pd.DataFrame({"app": app_rank.index, "rank": app_rank.to_numpy()})
    order_frame["excluded"] = order_frame["rank"].isna()
    order_frame = order_frame.sort_values(
        ["excluded", "rank", "app"], kind="stable", na_position="last"
    )
    position = {a: i for i, a in enumerate(order_frame["app"])}

    keep = [c for c in _RECORD_COLUMNS if c in minors.columns]
    keep += [c for c in minors.columns if c.startswith("crit_")]
    records = minors[keep].assign(
        x_app=app,
        x_status=status,
        x_awarded=awarded,
        x_requested=requested,
        x_rank=rank,
        x_wait=waiting,
        x_score=score,
        x_unit=unit,
        **{f"x_fund_{fid}": s for fid, s in fund_cents.items()},
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for rec in records.to_dict("records"):
        groups.setdefault(rec["x_app"], []).append(rec)
    letters: list[Letter] = []
    for app_id, rows in groups.items():
        letters.append(
            _one_letter(
                app_id,
                rows,
                outcome=str(outcome[app_id]),
                rank=app_rank.get(app_id),
                waiting=app_wait.get(app_id),
                total=int(app_total[app_id]),
                requested=int(app_requested[app_id]),
                order=position[app_id],
                prefix=prefix,
                by_unit=by_unit,
                rules=rules,
                crit_values=crit_values,
                fund_cols=fund_cols,
                tie_labels=tie_labels,
                run_date=run_date,
            )
        )
    letters.sort(key=lambda letter: letter.order)
    return letters


def _split_codes(value: Any) -> list[str]:
    return [c.strip() for c in _text(value).split(";") if c.strip()]


def _join(*parts: Any) -> str:
    return " ".join(t for t in (_text(p) for p in parts) if t)


def _one_letter(
    app_id: str,
    rows: list[dict[str, Any]],
    *,
    outcome: str,
    rank: Any,
    waiting: Any,
    total: int,
    requested: int,
    order: int,
    prefix: str,
    by_unit: bool,
    rules: Rules,
    crit_values: dict[str, pd.Series],
    fund_cols: list[tuple[str, str, str]],
    tie_labels: set[str],
    run_date: dt.date,
) -> Letter:
    first = rows[0]
    name = _join(first.get("applicant_name"), first.get("applicant_surname"))
    email = _text(first.get("applicant_email"))
    pec = _text(first.get("applicant_pec"))

    def reason(code: str, row: dict[str, Any]) -> dict[str, str]:
        """The rule's sentence, and the fact behind it on this row (engine/wording.py)."""
        known = rules.reason(code)
        text = (known.sentence if known is not None else f"Motivo {code}.").strip()
        details = row.get("reason_details")
        detail = details.get(code, "") if isinstance(details, dict) else ""
        clause = text.rstrip(". ") + (f" — {detail}" if detail else "")
        return {
            "code": code,
            "text": text,
            "detail": detail,
            "clause": clause,  # to end with the reference: "... (art. 6 del bando)."
            "reference": known.reference if known is not None and known.source == "rule" else "",
        }

    # Application-level reasons: declared so in the rules, or (codes the rules do not declare,
    # e.g. the engine's own) shared by every minor of the application.
    row_codes = [_split_codes(r.get("exclusion_reasons")) for r in rows]
    shared = set.intersection(*(set(c) for c in row_codes))
    app_codes: list[str] = []
    # An admitted application has no application-level exclusion: every code is its minor's.
    for codes in row_codes if outcome == ESCLUSA else []:
        for code in codes:
            if code not in app_codes and _stated_for_application(rules.reason(code), code, shared):
                app_codes.append(code)

    minors_out = []
    funds_paid = {fid: 0 for fid, _n, _c in fund_cols}
    for r, codes in zip(rows, row_codes, strict=True):
        st = r["x_status"]
        for fid, _n, _c in fund_cols:
            funds_paid[fid] += int(r[f"x_fund_{fid}"])
        minors_out.append(
            {
                "name": _join(r.get("minor_name"), r.get("minor_surname")),
                "tax_code": _text(r.get("minor_tax_code")),
                "birth_date": date_short(r.get("minor_birth_date")),
                "service": _text(r.get("service")),
                "status": st,
                "status_label": MINOR_STATUS_LABELS.get(st, st),
                "admitted": st != ESCLUSA,
                "requested": eur(int(r["x_requested"])) if st != ESCLUSA else "",
                "amount": eur(int(r["x_awarded"])),
                "amount_cents": int(r["x_awarded"]),
                "reasons": [reason(c, r) for c in codes if c not in app_codes],
            }
        )

    units = []
    admitted_rows = [r for r in rows if r["x_status"] != ESCLUSA]
    seen: set[str] = set()
    for r in admitted_rows:
        key = r["x_unit"]
        if key in seen or (seen and not by_unit):
            continue
        seen.add(key)
        decided = _text(r.get("decided_by"))
        units.append(
            {
                "label": _join(r.get("minor_name"), r.get("minor_surname")) if by_unit else "",
                "criteria": [
                    {
                        "id": c.id,
                        "label": c.label,
                        "reference": c.reference or "",
                        "value": _lookup(crit_values.get(c.id), key),
                        "points": score_it(_points(r, c.id)),
                    }
                    for c in rules.criteria
                ],
                "score": score_it(r["x_score"]),
                "rank": _int_text(r["x_rank"]),
                "waiting_position": _int_text(r["x_wait"]),
                "decided_by": decided,
                "decided_by_lottery": bool(decided) and decided not in tie_labels,
            }
        )

    funds = [
        {"name": fname, "amount": eur(funds_paid[fid])}
        for fid, fname, _c in fund_cols
        if funds_paid[fid] > 0
    ]
    excluded_minors = [m for m in minors_out if not m["admitted"]]
    context = {
        "application_id": app_id,
        "reference": f"{prefix}/{app_id}" if prefix else app_id,
        "outcome": outcome,
        "outcome_label": OUTCOME_LABELS[outcome],
        "submitted_at": datetime_short(_none_if_na(first.get("submitted_at"))),
        "recipient": {
            "name": name,
            "address": _text(first.get("applicant_address")),
            "postcode_city": _join(first.get("applicant_postcode"), first.get("applicant_city")),
            "email": email,
            "pec": pec,
        },
        "minors": minors_out,
        "admitted_minors": [m for m in minors_out if m["admitted"]],
        "excluded_minors": excluded_minors,
        "reasons": [reason(c, first) for c in app_codes],
        "total": eur(total),
        "total_cents": total,
        "requested_total": eur(requested),
        "funds": funds,
        "rank": _int_text(rank),
        "waiting_position": _int_text(waiting),
        "score": units[0]["score"] if units else "",
        "units": units,
        "by_minor": by_unit,
        "decided_by": next((u["decided_by"] for u in units if u["decided_by"]), ""),
        "awarded": outcome in (FINANZIATA, PARZIALE),
        # Review and appeal are stated for every negative or partial outcome.
        "can_appeal": outcome != FINANZIATA or bool(excluded_minors),
        "date": date_long(run_date),
    }
    return Letter(
        application_id=app_id,
        outcome=outcome,
        recipient_name=name,
        email=email,
        pec=pec,
        total_cents=total,
        order=order,
        context=context,
    )


def _none_if_na(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if value is pd.NaT:
        return None
    return value


def _lookup(series: pd.Series | None, key: Any) -> str:
    if series is None:
        return "—"
    value = series.get(key)
    return "—" if value is None else str(value)


def _points(row: dict[str, Any], crit_id: str) -> Any:
    value = row.get(f"crit_{crit_id}")
    return 0 if value is None or pd.isna(value) else value


def _int_text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(int(value))


def sample_context(outcome: str) -> dict[str, Any]:
    """A letter of `outcome` with every optional part filled in, to check templates with.

    Rendering each template with it exercises the branches real data may reach only rarely
    (excluded minors, tie-breakers, several funds), so a template error shows before any
    letter is written.
    """
    minor = {
        "name": "Minore Esempio",
        "tax_code": "RSSLCU10B01C089X",
        "birth_date": "01/02/2010",
        "service": "centro estivo",
        "status": FINANZIATA,
        "status_label": MINOR_STATUS_LABELS[FINANZIATA],
        "admitted": True,
        "requested": "300,00 €",
        "amount": "300,00 €",
        "amount_cents": 30000,
        "reasons": [],
    }
    reason = {
        "code": "ESEMPIO",
        "text": "Motivo di esempio.",
        "detail": "ISEE: 41.250,00 €, superiore a 35.000,00 €",
        "clause": "Motivo di esempio — ISEE: 41.250,00 €, superiore a 35.000,00 €",
        "reference": "art. 1",
    }
    excluded = {
        **minor,
        "status": ESCLUSA,
        "admitted": False,
        "amount": "0,00 €",
        "reasons": [reason],
    }
    unit = {
        "label": "Minore Esempio",
        "criteria": [
            {"id": "c", "label": "Criterio", "reference": "art. 7", "value": "sì", "points": "5"}
        ],
        "score": "5",
        "rank": "1",
        "waiting_position": "1",
        "decided_by": "ISEE più basso",
        "decided_by_lottery": False,
    }
    return {
        "application_id": "ESEMPIO-1",
        "reference": "PREFISSO/ESEMPIO-1",
        "outcome": outcome,
        "outcome_label": OUTCOME_LABELS[outcome],
        "submitted_at": "01/07/2017 10:00",
        "recipient": {
            "name": "Nome Cognome",
            "address": "Via Roma 1",
            "postcode_city": "26013 Crema",
            "email": "nome@example.org",
            "pec": "nome@pec.example.org",
        },
        "minors": [minor, excluded],
        "admitted_minors": [minor],
        "excluded_minors": [excluded],
        "reasons": [reason],
        "total": "300,00 €",
        "total_cents": 30000,
        "requested_total": "300,00 €",
        "funds": [{"name": "Fondo", "amount": "300,00 €"}],
        "rank": "1",
        "waiting_position": "1",
        "score": "5",
        "units": [unit, {**unit, "decided_by_lottery": True}],
        "by_minor": True,
        "decided_by": "ISEE più basso",
        "awarded": outcome in (FINANZIATA, PARZIALE),
        "can_appeal": True,
        "date": "1 settembre 2017",
    }
