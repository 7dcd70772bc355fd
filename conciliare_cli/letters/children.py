"""The children of one letter: each child once, with one outcome, its amount and its reasons.

The graduatoria has one row per minor as the partner wrote it, so a child typed twice in one
application has two rows (one admitted, one excluded as a repeat). A letter speaks of each
child once: rows with the same tax code are one child, whose outcome is the best of its rows,
and the repeat is a note, never a second outcome. In a partly funded application a child's
amount may be whole, partial or nothing yet: the letter says which, and why that order.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from conciliare_cli.engine.compile import Rules
from conciliare_cli.fields import Level
from conciliare_cli.findings import Reason
from conciliare_cli.italian import eur
from conciliare_cli.letters.words import (
    agree,
    agree_sentence,
    born,
    feminine_from_tax_code,
    names_list,
    spell_dates,
)
from conciliare_cli.status import Status

ESCLUSA = Status.EXCLUDED.value
_RANK = {s.value: i for i, s in enumerate(Status)}  # best outcome first


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _codes(value: Any) -> list[str]:
    return [c.strip() for c in _text(value).split(";") if c.strip()]


def _detail(row: dict[str, Any], code: str) -> str:
    """The fact behind a reason on this row (engine/wording.py), e.g. "ISEE: 41.250,00 €,
    superiore a 35.000,00 €"; '' when the engine gives none."""
    details = row.get("reason_details")
    return spell_dates(_text(details.get(code))) if isinstance(details, dict) else ""


def reason_text(rules: Rules, code: str, detail: str = "") -> dict[str, str]:
    """A reason as the letter prints it: its sentence, the fact behind it (after a dash) and
    the article of the call: "... — ISEE: 41.250,00 €, superiore a 35.000,00 € (art. 2 del
    bando)."."""
    known = rules.reason(code)
    sentence = known.sentence.strip() if known is not None else ""
    if not sentence:
        sentence = "Il requisito previsto dal bando non è soddisfatto."
    reference = known.reference if known is not None and known.source == "rule" else ""
    clause = sentence.rstrip(". ") + (f" — {detail.rstrip('. ')}" if detail else "")
    if reference:
        text = f"{clause} ({reference} del bando)."
    else:
        text = f"{clause}." if detail else sentence
    return {"text": text, "reference": reference, "detail": detail}


def _stated_for_application(reason: Reason | None, code: str, shared: set[str]) -> bool:
    """Whether an excluded application's letter states `code` once, for the whole application
    (else under each minor it concerns): a rule or finding declares its level; other codes
    shared by every minor of the application are the application's."""
    declared = reason is not None and (
        reason.source == "rule"
        or (reason.source == "finding" and reason.level is Level.APPLICATION)
    )
    if declared:
        return reason.level is Level.APPLICATION  # type: ignore[union-attr]
    return code in shared


def application_codes(rows: list[dict[str, Any]], outcome: str, rules: Rules) -> list[str]:
    """The reasons an excluded application's letter states once, for the whole application."""
    if outcome != ESCLUSA:  # an admitted application has no application-level exclusion
        return []
    row_codes = [_codes(r.get("exclusion_reasons")) for r in rows]
    shared = set.intersection(*(set(c) for c in row_codes))
    found: list[str] = []
    for codes in row_codes:
        for code in codes:
            if code not in found and _stated_for_application(rules.reason(code), code, shared):
                found.append(code)
    return found


def _key(row: dict[str, Any], index: int) -> str:
    code = _text(row.get("minor_tax_code")).upper().replace(" ", "")
    return code or f"#{index}"


def _slot(row: dict[str, Any]) -> float:
    try:
        slot = float(row.get("minor_slot"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if slot != slot else slot


def _order(row: dict[str, Any]) -> tuple[float, str]:
    """The allocation's order of the minors of a unit: minor_slot, then tax code."""
    return (_slot(row), _text(row.get("minor_tax_code")))


def children_of(
    rows: list[dict[str, Any]], outcome: str, rules: Rules
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """(each child once, in the order the allocation pays them; the application's reasons)."""
    app_codes = application_codes(rows, outcome, rules)
    children = [_child(group, outcome, app_codes, rules) for group in child_groups(rows)]
    return children, [_application_reason(rules, c, rows) for c in app_codes]


def child_groups(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The rows of one application (each with minor_tax_code and minor_slot), one group per
    child (rows with the same tax code are one child), in the order the allocation pays them:
    a child's place in this list (from 1) is the number of its voucher."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for i, row in enumerate(sorted(rows, key=_order)):
        groups.setdefault(_key(row, i), []).append(row)
    return list(groups.values())


def voucher_code(public_id: str, number: int, prefix: str) -> str:
    """The code printed on a voucher slip: '<protocol_prefix>-<public code>-<n>', n the child's
    place in the application (child_groups); without a prefix '<public code>-<n>'."""
    code = f"{public_id}-{number}"
    return f"{prefix}-{code}" if prefix else code


def _application_reason(rules: Rules, code: str, rows: list[dict[str, Any]]) -> dict[str, str]:
    """An application's reason, with the fact of the first row that has one."""
    detail = next((d for d in (_detail(r, code) for r in rows) if d), "")
    return reason_text(rules, code, detail)


def _child(
    group: list[dict[str, Any]], outcome: str, app_codes: list[str], rules: Rules
) -> dict[str, Any]:
    best = min(group, key=lambda r: _RANK.get(r["x_status"], 9))
    feminine = feminine_from_tax_code(best.get("minor_tax_code"))
    name = " ".join(
        t for t in (_text(best.get("minor_name")), _text(best.get("minor_surname"))) if t
    )
    status = best["x_status"]
    awarded, due = int(best["x_awarded"]), int(best["x_requested"])
    admitted = status != ESCLUSA
    reasons: list[str] = []
    if not admitted:
        for row in group:
            for code in _codes(row.get("exclusion_reasons")):
                said = reason_text(rules, code, _detail(row, code))["text"]
                text = agree_sentence(said, feminine)
                if code not in app_codes and text not in reasons:
                    reasons.append(text)
    notes = []
    if len(group) > 1:
        once = agree(feminine, "è considerato", "è considerata")
        notes.append(
            f"{name or 'Un minore'} è {agree(feminine, 'indicato', 'indicata')} "
            f"{len(group)} volte nella domanda: {once} una sola volta."
        )
    return {
        "name": name,
        "slot": _slot(best),
        "feminine": feminine,
        "born": born(feminine, best.get("minor_birth_date")),
        "service": _service(best.get("service")),
        "status": status,
        "admitted": admitted,
        "paid": awarded > 0,
        "outcome_label": _label(status, awarded, due, feminine),
        "amount": eur(awarded),
        "amount_cents": awarded,
        "due": eur(due) if admitted else "",
        "due_cents": due if admitted else 0,
        "amount_note": _amount_note(best.get("amount_explanation")) if admitted else "",
        "reasons": reasons,
        "notes": notes,
    }


def _amount_note(value: Any) -> str:
    """How the voucher was computed, as a sentence ('Calcolo del voucher: costo dichiarato
    150,30 € x 75% = 112,725 € → 112,73 € (arrotondato al centesimo).'), '' when unknown."""
    text = _text(value)
    return f"Calcolo del voucher: {text}." if text else ""


def _service(value: Any) -> str:
    """The service as the partner wrote it; a spreadsheet formula ('=SOMMA(T4:T9)', reported as
    FORMULA_NEL_FILE) is not a service and is not printed."""
    text = _text(value)
    return "" if text.startswith("=") else text


def _label(status: str, awarded: int, due: int, feminine: bool | None) -> str:
    """The child's own outcome: in a partly funded application a child may be paid in full,
    in part or not yet."""
    if status == ESCLUSA:
        return agree(feminine, "non ammesso", "non ammessa")
    if status == Status.WAITING.value:
        return "in lista d'attesa"
    if awarded <= 0:
        return agree(feminine, "non ancora finanziato", "non ancora finanziata")
    if awarded < due:
        return agree(feminine, "finanziato in parte", "finanziata in parte")
    return agree(feminine, "finanziato", "finanziata")


def partial_explanation(children: list[dict[str, Any]], outcome: str, total: int) -> str:
    """Why a partly funded application gets what it gets, child by child."""
    if outcome != Status.PARTIAL.value:
        return ""
    admitted = [c for c in children if c["admitted"]]
    whole = [c for c in admitted if c["paid"] and c["amount_cents"] >= c["due_cents"]]
    part = [c for c in admitted if c["paid"] and c["amount_cents"] < c["due_cents"]]
    none = [c for c in admitted if not c["paid"]]
    parts = [f"{c['name']} riceve {c['amount']} su {c['due']} spettanti" for c in part] + [
        f"{c['name']} riceve l'intero importo di {c['amount']}" for c in whole
    ]
    text = (
        f"Al Suo posto in graduatoria restavano {eur(total)}: all'interno di una domanda i "
        f"voucher si assegnano ai minori uno dopo l'altro, {_order_words(admitted)}. "
    )
    if parts:
        text += "; ".join(parts) + ". "
    if none:
        verb = "riceve" if len(none) == 1 else "ricevono"
        text += f"{names_list([c['name'] for c in none])} per ora non {verb} alcun importo. "
    text += (
        "Se si renderanno disponibili altre risorse (per esempio per rinunce), i voucher saranno "
        "completati nello stesso ordine e riceverà una nuova comunicazione."
    )
    return text


def _order_words(admitted: list[dict[str, Any]]) -> str:
    """How the allocation ordered these children (see engine/allocation.py): by their place in
    the application when the partner's file gives one (Figlio 1, Figlio 2), else by tax code."""
    slots = [c["slot"] for c in admitted]
    if len(set(slots)) == len(slots):
        return "nell'ordine in cui sono indicati nella domanda"
    if len(set(slots)) == 1:
        return "in ordine alfabetico di codice fiscale"
    return (
        "nell'ordine in cui sono indicati nella domanda e, a pari posizione, in ordine "
        "alfabetico di codice fiscale"
    )


def vouchers_of(
    children: list[dict[str, Any]], public_id: str, prefix: str
) -> list[dict[str, str]]:
    """One voucher per funded child: its code is the application's public code and the
    child's place in the application (the same on every run)."""
    out = []
    for number, child in enumerate(children, start=1):
        if not child["paid"]:
            continue
        out.append(
            {
                "code": voucher_code(public_id, number, prefix),
                "child": child["name"],
                "amount": child["amount"],
                "service": child["service"],
            }
        )
    return out
