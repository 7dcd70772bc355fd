"""Complete example letters, to check the templates before any real letter is written.

Compiling the templates on one letter of every outcome, provisional and final, with every
optional part filled (an excluded child, a partial award, several funds, a tie decided by the
lottery, vouchers) exercises the branches real data may reach only rarely: a template error
shows, with its file and line, before anything is written.
"""

from __future__ import annotations

from typing import Any

from conciliare_cli.letters.context import OUTCOME_LABELS, OUTCOMES
from conciliare_cli.status import Status


def _child(status: str, admitted: bool) -> dict[str, Any]:
    return {
        "name": "Giulia Esempio",
        "feminine": True,
        "born": "nata l'8 febbraio 2010",
        "service": "Centro estivo",
        "status": status,
        "admitted": admitted,
        "paid": admitted and status != Status.WAITING.value,
        "outcome_label": "finanziata" if admitted else "non ammessa",
        "amount": "300,00 €" if admitted else "0,00 €",
        "amount_cents": 30000 if admitted else 0,
        "due": "300,00 €" if admitted else "",
        "due_cents": 30000 if admitted else 0,
        "amount_note": "Calcolo del voucher: costo dichiarato 300,00 €." if admitted else "",
        "reasons": [] if admitted else ["La minore ha più di 16 anni (art. 3 del bando)."],
        "notes": ["Giulia Esempio è indicata 2 volte nella domanda: è considerata una sola volta."],
    }


def sample_letter(outcome: str, final: bool) -> dict[str, Any]:
    """A letter of `outcome` (provisional or final) with every optional part filled in."""
    unit = {
        "label": "Giulia Esempio",
        "criteria": [{"label": "Criterio", "reference": "art. 7", "value": "sì", "points": "5"}],
        "score": "5",
        "points": "5 punti",
        "rank": "1",
        "waiting": "1",
        "decided_by": "ISEE più basso",
        "decided_by_lottery": False,
    }
    return {
        "application_id": "ESEMPIO-1",
        "public_id": "ESEMPIO-1",
        "reference": "PREFISSO/ESEMPIO-1",
        "final": final,
        "list": {
            "status": "DEFINITIVA" if final else "PROVVISORIA",
            "label": "definitiva" if final else "provvisoria",
            "date": "15 settembre 2017",
            "date_short": "15/09/2017",
            "hash": "0123456789ab",
        },
        "outcome": outcome,
        "outcome_label": OUTCOME_LABELS[outcome],
        "submitted": "l'8 giugno 2017 alle ore 10:24",
        "recipient": {
            "name": "Maria Esempio",
            "feminine": True,
            "salutation": "Alla signora",
            "greeting": "Gentile signora Maria Esempio",
            "address": "Via Roma 1",
            "postcode_city": "26013 Crema",
            "email": "maria@example.org",
            "pec": "maria@pec.example.org",
            "channel": "PEC",
        },
        "children": [_child(outcome, True), _child(Status.EXCLUDED.value, False)],
        "children_phrase": "la minore indicata qui sotto",
        "reasons": [{"text": "Motivo di esempio (art. 1 del bando).", "reference": "art. 1"}],
        "total": "300,00 €",
        "due_total": "300,00 €",
        "funds": [
            {"name": "Fondo A", "amount": "200,00 €"},
            {"name": "Fondo B", "amount": "100,00 €"},
        ],
        "rank": "1",
        "waiting": "1",
        "points": "5 punti",
        "partial": "Al Suo posto in graduatoria restavano 300,00 €.",
        "units": [unit, {**unit, "decided_by_lottery": True}],
        "vouchers": [
            {
                "code": "PREFISSO-ESEMPIO-1-1",
                "child": "Giulia Esempio",
                "amount": "300,00 €",
                "service": "Centro estivo",
            }
        ]
        if final
        else [],
    }


def sample_letters() -> list[dict[str, Any]]:
    return [sample_letter(o, final) for final in (False, True) for o in OUTCOMES]
