"""Reasons that hold: for every exclusion, the value that was read and the rule it failed.

A letter and `explain` give, beside the rule's own sentence, the fact behind it, in plain
Italian: "ISEE: 41.250,00 €, superiore a 35.000,00 €"; "Data e ora di presentazione:
03/08/2017 10:15, successiva alla chiusura delle domande (31/07/2017 12:00)";
"Età in anni compiuti alla data di riferimento: 17, superiore a 16"; "codice fiscale
RGGMNL04D57D142V non valido: carattere di controllo errato ..."; "sostituita dalla domanda
COOP-S097, presentata il 20/07/2017 10:12".

The words come from the rule's compiled conditions (engine/expr.py: `conditions`): each
elementary condition that is false (or cannot be read) on the row is said with the field's
label, the value as read, and the bound. Everything is computed over the excluded rows at once,
each distinct value formatted once.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli import taxcode
from conciliare_cli.engine.amount_words import amount_texts
from conciliare_cli.engine.amounts import AmountTrace
from conciliare_cli.engine.compile import EligibilityRule, Rules
from conciliare_cli.engine.eligibility import Exclusions
from conciliare_cli.engine.expr import Condition, conditions
from conciliare_cli.fields import Field, Kind, Level
from conciliare_cli.findings import (
    AMOUNT_DATA_MISSING,
    AMOUNT_OUTSIDE_BANDS,
    BELOW_MINIMUM,
    MISSING_COST,
    SUPERSEDED,
    criterion_missing_code,
)
from conciliare_cli.italian import date_short, datetime_short, eur, number, value_text

# The constants of the call as nouns with their article (for "anteriore all'apertura ...").
CONSTANT_WORDS = {
    "submission_opens": ("l'", "apertura delle domande"),
    "submission_closes": ("la ", "chiusura delle domande"),
    "reference_date": ("la ", "data di riferimento"),
}
_JOINED = {
    ("a", "l'"): "all'",
    ("a", "la "): "alla ",
    ("da", "l'"): "dall'",
    ("da", "la "): "dalla ",
}
FAILED_NUMBER = {
    "<=": "superiore a",
    "<": "pari o superiore a",
    ">=": "inferiore a",
    ">": "pari o inferiore a",
    "==": "diverso da",
    "!=": "pari a",
}
FAILED_TIME = {
    "<=": "successiva a",
    "<": "non anteriore a",
    ">=": "anteriore a",
    ">": "non successiva a",
    "==": "diversa da",
    "!=": "pari a",
}
VALIDITY = {
    "applicant_tax_code_valid": "applicant_tax_code",
    "minor_tax_code_valid": "minor_tax_code",
}


def rule_details(
    rule: EligibilityRule,
    table: pd.DataFrame,
    rows: np.ndarray,
    constants: Mapping[str, Any],
    fields: Mapping[str, Field],
    group: np.ndarray,
    members: pd.Series | None = None,
) -> pd.Series:
    """Per excluded row (`rows`: positions), the facts that make `rule` fail there ('' when
    its conditions cannot be put in words: the rule's sentence then stands alone)."""
    out = pd.Series("", index=rows, dtype=object)
    if not len(rows):
        return out
    for cond in conditions(rule.require):
        value = cond.expression.evaluate(table, constants, group=group, members=members)
        failed = value.iloc[rows].eq(False).fillna(True).to_numpy(dtype=bool)
        if not failed.any():
            continue
        where = rows[failed]
        texts = _words(cond, table, where, constants, fields)
        current = out.loc[where]
        out.loc[where] = np.where(current == "", texts, current + "; " + texts)
    return out


def _words(
    cond: Condition,
    table: pd.DataFrame,
    rows: np.ndarray,
    constants: Mapping[str, Any],
    fields: Mapping[str, Field],
) -> np.ndarray:
    f = fields.get(cond.field)
    label = f.label if f is not None else cond.field
    if cond.field in VALIDITY:
        return _tax_code_words(table, rows, VALIDITY[cond.field])
    column = table[cond.field] if cond.field in table.columns else None
    values = column.iloc[rows] if column is not None else pd.Series(pd.NA, index=rows)
    kind = f.kind if f is not None else Kind.TEXT
    if cond.field == "age":  # "età al 01/09/2017: 17 anni"
        label = f"età al {date_short(constants.get('reference_date'))}"
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    shown = [_one(cond, label, kind, v, constants, fields) for v in uniques]
    missing = f"{label}: non indicato"
    return np.array([*shown, missing], dtype=object)[codes]


def _one(
    cond: Condition,
    label: str,
    kind: Kind,
    value: Any,
    constants: Mapping[str, Any],
    fields: Mapping[str, Field],
) -> str:
    read = value_text(value, kind)
    if cond.field == "age" and int(value) < 0:  # born after the reference date: no age to say
        return f"{label.replace('età al', 'nascita successiva al')}"
    if cond.field == "age":
        read = f"{read} {'anno' if int(value) == 1 else 'anni'}"
    if cond.op == "is":
        return f"{label}: {read}"
    if cond.op == "not":
        return f"{label}: {read}"
    if cond.op in ("in", "not in"):
        listed = ", ".join(_bound_text(b, kind, constants, fields) for b in cond.bound)
        which = "non tra i valori ammessi" if cond.op == "in" else "tra i valori esclusi"
        return f"{label}: {read}, {which} ({listed})"
    relation = (FAILED_TIME if kind in (Kind.DATE, Kind.DATETIME) else FAILED_NUMBER)[cond.op]
    bound = _bound_text(cond.bound, kind, constants, fields)
    if isinstance(cond.bound, tuple) and cond.bound[0] == "const":
        article, _noun = CONSTANT_WORDS.get(cond.bound[1], ("", ""))
        words, prep = relation.rsplit(" ", 1)
        joined = _JOINED.get((prep, article))
        if joined is not None:
            return f"{label}: {read}, {words} {joined}{bound[len(article) :]}"
    return f"{label}: {read}, {relation} {bound}"


def _bound_text(
    bound: Any, kind: Kind, constants: Mapping[str, Any], fields: Mapping[str, Field]
) -> str:
    if isinstance(bound, tuple) and len(bound) == 2 and bound[0] == "const":
        name = bound[1]
        when = constants.get(name)
        shown = datetime_short(when) if name.startswith("submission") else date_short(when)
        article, noun = CONSTANT_WORDS.get(name, ("", name))
        return f"{article}{noun} ({shown})"
    if isinstance(bound, tuple) and len(bound) == 2 and bound[0] == "field":
        f = fields.get(bound[1])
        return f.label if f is not None else bound[1]
    if isinstance(bound, Decimal):
        if kind is Kind.MONEY:
            return eur(int(bound * 100))
        return number(bound)
    if isinstance(bound, pd.Timestamp):
        return datetime_short(bound) if kind is Kind.DATETIME else date_short(bound)
    return f"«{bound}»"


def _tax_code_words(table: pd.DataFrame, rows: np.ndarray, field: str) -> np.ndarray:
    codes = table[field].iloc[rows] if field in table.columns else pd.Series(pd.NA, index=rows)
    ids, uniques = pd.factorize(codes.astype(object), use_na_sentinel=True)
    words = []
    for code in uniques:
        problem = taxcode.tax_code_problem(str(code))
        words.append(f"codice fiscale {code} non valido" + (f": {problem}" if problem else ""))
    return np.array([*words, "codice fiscale non indicato"], dtype=object)[ids]


def reason_details(
    rules: Rules,
    table: pd.DataFrame,
    exclusions: Exclusions,
    app_codes: np.ndarray,
    minor_ok: np.ndarray,
    superseded_by: np.ndarray,
    amounts: AmountTrace | None = None,
) -> np.ndarray:
    """Per row: {code: the fact behind it} for every reason that excludes it (None when the
    row is not excluded). `superseded_by` holds, per row, the id and submission of the
    application that replaces its own ('' when none); `amounts`, the voucher's computation,
    gives the fact behind a voucher that could not be computed or is below the minimum."""
    out = np.full(len(table), None, dtype=object)
    texts: dict[str, pd.Series] = {}
    members = pd.Series(minor_ok, index=table.index)
    for rule in rules.eligibility:
        mask = _mask(exclusions, rule.code)
        if mask is None:
            continue
        group_members = members if rule.level is Level.APPLICATION else None
        texts[rule.code] = rule_details(
            rule, table, np.flatnonzero(mask), rules.constants, rules.fields, app_codes,
            group_members,
        )  # fmt: skip
    _engine_texts(rules, table, exclusions, superseded_by, texts)
    if amounts is not None:
        for code in (AMOUNT_DATA_MISSING, AMOUNT_OUTSIDE_BANDS, BELOW_MINIMUM):
            mask = _mask(exclusions, code)
            if mask is not None and mask.any():
                rows = np.flatnonzero(mask)
                said = amount_texts(amounts, rows)
                texts[code] = pd.Series(said, index=rows, dtype=object)
    for code, series in texts.items():
        for row, text in series.items():
            if text:
                if out[row] is None:
                    out[row] = {}
                out[row][code] = text
    return out


def _mask(exclusions: Exclusions, code: str) -> np.ndarray | None:
    masks = [m for m in (exclusions.app.get(code), exclusions.minor.get(code)) if m is not None]
    if not masks:
        return None
    return np.logical_or.reduce(masks)


def _engine_texts(
    rules: Rules,
    table: pd.DataFrame,
    exclusions: Exclusions,
    superseded_by: np.ndarray,
    texts: dict[str, pd.Series],
) -> None:
    mask = _mask(exclusions, SUPERSEDED)
    if mask is not None:
        rows = np.flatnonzero(mask)
        texts[SUPERSEDED] = pd.Series(superseded_by[rows], index=rows, dtype=object)
    mask = _mask(exclusions, MISSING_COST)
    if mask is not None:
        rows = np.flatnonzero(mask)
        texts[MISSING_COST] = pd.Series("costo del servizio non indicato", index=rows)
    for crit in rules.criteria:
        code = criterion_missing_code(crit.id)
        mask = _mask(exclusions, code)
        if mask is None:
            continue
        labels = sorted(rules.fields[n].label for n in crit.fields_used if n in rules.fields)
        rows = np.flatnonzero(mask)
        texts[code] = pd.Series("manca " + ", ".join(labels), index=rows, dtype=object)
