"""Why an application got its outcome, in Italian: `explain_application(result, id)`.

For each ranking unit of the application (the application, or each minor when the unit is the
minor): every criterion with the value read, the points and why (band matched, condition true
or false, minors counted), the tie-breaker values and which one placed it, the rank and the
outcome, the award per minor and per fund; or, when excluded, every reason with its sentence.
Everything is read from the RankResult (the same computation as the graduatoria); conditions
are evaluated again on the application's rows only to say whether they were true.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal

import numpy as np
import pandas as pd
from babel.dates import format_datetime

from conciliare_cli.engine.amount_words import amount_texts
from conciliare_cli.engine.criteria.base import ExplainCase
from conciliare_cli.engine.outcomes import application_outcomes
from conciliare_cli.engine.result import RankResult
from conciliare_cli.engine.timing import AS_READ, granularity_words
from conciliare_cli.errors import UserError
from conciliare_cli.findings import open_blocking
from conciliare_cli.italian import LOCALE, datetime_short, eur, number, points_text, value_text
from conciliare_cli.status import Status
from conciliare_cli.taxcode import is_female


def nearest_ids(result: RankResult, wanted: str, n: int = 3) -> list[str]:
    ids = sorted(set(result.minors["application_id"].astype(str)))
    return difflib.get_close_matches(wanted, ids, n=n, cutoff=0.5)


def explain_application(result: RankResult, application_id: str) -> str:
    """The explanation as plain text (Italian); UserError for an unknown id."""
    m = result.minors
    rows = m[m["application_id"].astype(str) == str(application_id)]
    if not len(rows):
        close = nearest_ids(result, str(application_id))
        raise UserError(
            f"la domanda '{application_id}' non c'è tra quelle lette",
            hint=("forse: " + ", ".join(close)) if close else None,
        )
    rows = rows.sort_values(["minor_slot", "row_key"], kind="stable")
    first = rows.iloc[0]
    applicant = _person(first, "applicant_surname", "applicant_name")
    out = [f"Domanda {application_id}" + (f", richiedente {applicant}" if applicant else "")]
    facts = []
    if _has(first, "partner_id"):
        facts.append(f"partner {first['partner_id']}")
    if _has(first, "submitted_at"):
        facts.append(f"presentata il {_submitted(first, result.rules.granularity)}")
    if _has(first, "source_file"):
        facts.append(f"file {first['source_file']}, riga {first.get('source_row', '')}")
    if facts:
        out.append("  " + "; ".join(str(f) for f in facts))
    total = int(pd.to_numeric(rows["awarded_cents"], errors="coerce").fillna(0).sum())
    out.append(f"Importo assegnato in totale: {eur(total)}")
    by_minor = result.rules.by_minor
    units = [rows.iloc[[i]] for i in range(len(rows))] if by_minor else [rows]
    for unit_rows in units:
        out.append("")
        out.extend(_explain_unit(result, unit_rows, by_minor))
    return _elide("\n".join(out))


# "il 08/06/2017", "il 11/04/2018" are read "l'otto", "l'undici": Italian elides the article.
_IL_8_11 = re.compile(r"\b([Ii]l) (0?8|11)(?=/)")


def _elide(text: str) -> str:
    """ "presentata il 11/04/2018" -> "presentata l'11/04/2018" (and "il 08/06" -> "l'08/06")."""
    return _IL_8_11.sub(lambda m: ("L'" if m.group(1) == "Il" else "l'") + m.group(2), text)


def _person(row: pd.Series, surname: str, name: str) -> str:
    return " ".join(str(row[c]).strip() for c in (surname, name) if _has(row, c))


def _has(row: pd.Series, col: str) -> bool:
    return col in row.index and not pd.isna(row[col]) and str(row[col]) != ""


def _explain_unit(result: RankResult, rows: pd.DataFrame, by_minor: bool) -> list[str]:
    first = rows.iloc[0]
    out: list[str] = []
    if by_minor:
        out.append(f"Minore {_minor_name(first)}")
    admitted = rows["minor_eligible"].fillna(False).astype(bool)
    status = application_outcomes(rows).iloc[0]
    known = Status.of(status)
    out.append(f"Esito: {known.heading if known else status}")
    if admitted.any():
        r = rows.loc[admitted, "rank"].iloc[0]
        out.append(f"Posizione in graduatoria: {int(r)}")
        wait = rows.loc[admitted, "waiting_position"].iloc[0]
        if not pd.isna(wait):
            out.append(f"Posizione nella lista d'attesa: {int(wait)}")
    out.append(f"Punteggio: {number(first['score'])}")
    out.append("")
    out.append("Criteri di punteggio:")
    out.extend(_criteria_lines(result, rows, first))
    out.append("")
    out.extend(_ties_lines(result, rows, first, admitted.any()))
    out.append("")
    out.extend(_minors_lines(result, rows))
    reasons = _reasons_lines(result, rows)
    if reasons:
        out.append("")
        out.extend(reasons)
    pending = _pending_lines(result, rows)
    if pending:
        out.append("")
        out.extend(pending)
    return out


def _minor_name(row: pd.Series) -> str:
    parts = [str(row[c]) for c in ("minor_surname", "minor_name") if _has(row, c)]
    code = str(row["minor_tax_code"]) if _has(row, "minor_tax_code") else ""
    name = " ".join(parts)
    return f"{name} ({code})" if name and code else (name or code or str(row.get("row_key", "")))


def _criteria_lines(result: RankResult, rows: pd.DataFrame, first: pd.Series) -> list[str]:
    """Each criterion: its points and why (the words come from the criterion's kind)."""
    rules = result.rules
    app_rows = result.minors[result.minors["application_id"] == first["application_id"]]
    members = app_rows.get("minor_admissible", app_rows["minor_eligible"]).fillna(False)
    case = ExplainCase(first, rows, app_rows, members, rules.constants, rules.fields)
    out = []
    for crit in rules.criteria:
        pts = Decimal(str(first.get(f"crit_{crit.id}", 0.0) or 0)).normalize()
        head = f"- {crit.label}"
        if crit.reference:
            head += f" ({crit.reference})"
        why = crit.explain(case)
        if crit.max_points is not None:
            why += f" (massimo {number(float(crit.max_points))})"
        out.append(f"{head}: {points_text(pts)} — {why}")
    out.append(f"Totale: {points_text(Decimal(str(first['score'])).normalize())}")
    return out


def _ties_lines(
    result: RankResult, rows: pd.DataFrame, first: pd.Series, admitted: bool
) -> list[str]:
    rules = result.rules
    out = [
        "Criteri di parità (a pari punteggio, in quest'ordine; orari contati "
        f"{granularity_words(rules.granularity)}):"
    ]
    for i, tb in enumerate(rules.tie_breakers, start=1):
        label = tb.own_label or tb.field_label
        out.append(f"  {i}. {label}: {value_text(first.get(tb.field), tb.kind)}")
    out.append(f"  {len(rules.tie_breakers) + 1}. sorteggio: {_lottery_line(result, rows)}")
    decided = str(first.get("decided_by", "") or "")
    if admitted and decided:
        out.append(f"La posizione rispetto a chi ha lo stesso punteggio è decisa da: {decided}")
    elif admitted:
        out.append("Nessuna parità di punteggio con le posizioni vicine.")
    return out


def _submitted(first: pd.Series, granularity: str) -> str:
    """When it was submitted, and how the call counts it (to the minute: the seconds read)."""
    text = datetime_short(first["submitted_at"])
    read = first.get("submitted_at" + AS_READ)
    if read is not None and not pd.isna(read):
        exact = format_datetime(read.to_pydatetime(), "dd/MM/yyyy HH:mm:ss", locale=LOCALE)
        return f"{exact} (al minuto: {text})"
    return text


def _lottery_line(result: RankResult, rows: pd.DataFrame) -> str:
    """The recipe with this unit's own text and the beginning of its hash (recomputable)."""
    rules = result.rules
    lot = rules.lottery
    first = rows.iloc[[0]].reset_index(drop=True)
    unit_id = first["row_key"].iloc[0] if rules.by_minor else first["application_id"].iloc[0]
    key = lot.unit_keys(first, np.array([0]), np.array([str(unit_id)], dtype=object))[0]
    direction = "l'impronta più bassa" if not lot.descending else "l'impronta più alta"
    digest = str(rows.iloc[0]["lottery_key"])
    return (
        f'impronta SHA-256 (UTF-8, esadecimale minuscolo) del testo "{lot.hashed_text(str(key))}"'
        f" = {digest[:16]}…; viene prima {direction}"
    )


def _minors_lines(result: RankResult, rows: pd.DataFrame) -> list[str]:
    rules = result.rules
    out = ["Minori:"]
    steps = amount_texts(result.amounts, rows.index) if result.amounts is not None else []
    for k, (_, r) in enumerate(rows.iterrows()):
        line = f"- {_minor_name(r)}"
        if _has(r, "age"):
            age = int(r["age"])
            line += f", {age} anno" if age == 1 else f", {age} anni"
        eligible = bool(r["minor_eligible"]) if not pd.isna(r["minor_eligible"]) else False
        if eligible:
            line += f": spettante {eur(r['requested_cents'])}, assegnato {eur(r['awarded_cents'])}"
            parts = [
                f"{f.id} {eur(r[f'fund_{f.id}_cents'])}"
                for f in rules.funds
                if int(r.get(f"fund_{f.id}_cents", 0) or 0) > 0
            ]
            parts += [
                f"riserva {res.id} {eur(r[f'reserve_{res.id}_cents'])}"
                for res in rules.reserves
                if int(r.get(f"reserve_{res.id}_cents", 0) or 0) > 0
            ]
            if parts:
                line += " (" + ", ".join(parts) + ")"
        else:
            known = Status.of(r["status"])
            feminine = is_female(r.get("minor_tax_code"))
            line += f": {known.minor_label(feminine) if known else 'escluso'}"
        out.append(line)
        if steps and eligible:  # an excluded minor's computation, if it matters, is a reason
            out.append(f"  calcolo del voucher: {steps[k]}")
    return out


def _reasons_lines(result: RankResult, rows: pd.DataFrame) -> list[str]:
    """Every reason of exclusion: the rule's sentence and article, then the fact behind it
    on each row it concerns (the value that was read and the bound it failed)."""
    per_row = [[c for c in t.split(";") if c] for t in rows["exclusion_reasons"].fillna("")]
    codes = list(dict.fromkeys(c for row in per_row for c in row))
    if not codes:
        return []
    details = (
        rows["reason_details"] if "reason_details" in rows else pd.Series(None, index=rows.index)
    )
    out = ["Motivi di esclusione:"]
    for code in codes:
        reason = result.rules.reason(code)
        ref = f" ({reason.reference})" if reason is not None and reason.reference else ""
        out.append(f"- {code}{ref}: {result.rules.sentence(code)}")
        facts: dict[str, list[str]] = {}
        for (_, row), row_codes, d in zip(rows.iterrows(), per_row, details, strict=True):
            if code in row_codes:
                fact = d.get(code, "") if isinstance(d, dict) else ""
                facts.setdefault(fact, []).append(_minor_name(row))
        for fact, who in facts.items():
            if not fact:
                continue
            whose = "" if len(who) == len(rows) or len(rows) == 1 else f" [{', '.join(who)}]"
            out.append(f"  {fact}{whose}")
    return out


def _pending_lines(result: RankResult, rows: pd.DataFrame) -> list[str]:
    """The open blocking findings that keep the application out of the graduatoria."""
    findings = result.findings
    if findings is None or not len(findings) or "application_id" not in findings:
        return []
    mine = findings[findings["application_id"].astype(str) == str(rows.iloc[0]["application_id"])]
    mine = mine[open_blocking(mine)]
    if not len(mine):
        return []
    out = ["Da regolarizzare prima di decidere (soccorso istruttorio):"]
    for _, f in mine.iterrows():
        where = f"{f['source_file']}, riga {f['source_row']}" if _has(f, "source_row") else ""
        column = f", colonna «{f['column']}»" if _has(f, "column") else ""
        out.append(f"- {f['message']} ({where}{column})" if where else f"- {f['message']}")
    return out
