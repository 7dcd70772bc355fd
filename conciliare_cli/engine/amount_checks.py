"""Compiling `voucher:` into a VoucherRule (engine/amounts.py), with the checks the YAML
schema cannot make: every field a step reads exists and is of the right kind (the cost and a
cap read from a field are amounts, bands read a number, `per` an integer), shares have at
most 6 decimals. Problems are reported with their place in bando.yaml, like the criteria's.

The short form (`cap_eur`, `missing_request`) becomes the steps `cost` (a missing cost: the
cap, or exclusion) and `cap`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from conciliare_cli.config.voucher import CapStep, CostStep, Voucher
from conciliare_cli.engine.amounts import AmountStep, Bands, VoucherRule
from conciliare_cli.fields import Field, Kind, Level
from conciliare_cli.money import to_cents

Loc = tuple[str | int, ...]
Problem = Callable[[Loc, str], None]
MAX_SHARE_DECIMALS = 6
_NUMERIC = (Kind.MONEY, Kind.NUMBER, Kind.INTEGER)
_KIND_WORDS = {
    Kind.MONEY: "un importo",
    Kind.INTEGER: "un numero intero",
    Kind.NUMBER: "un numero",
}


def build_voucher(
    voucher: Voucher, fields: Mapping[str, Field], problem: Problem
) -> VoucherRule | None:
    """The compiled rule, or None after reporting every problem through `problem`."""
    if voucher.short_form:
        steps: list[AmountStep] | None = _short_form(voucher)
    else:
        steps = _steps(voucher, fields, problem)
    if steps is None:
        return None
    used = {s.model.field for s in steps if getattr(s.model, "field", None)}
    used |= {s.model.per for s in steps if getattr(s.model, "per", None)}
    known = [n for n in sorted(used) if n in fields]
    app_cap = voucher.application_cap_eur
    return VoucherRule(
        steps=tuple(steps),
        application_cap_cents=None if app_cap is None else to_cents(app_cap),
        labels={n: fields[n].label for n in known},
        kinds={n: fields[n].kind for n in known},
        levels={n: fields[n].level for n in known},
        short_form=voucher.short_form,
        missing_request=(voucher.missing_request or "cap") if voucher.short_form else None,
    )


def _short_form(voucher: Voucher) -> list[AmountStep]:
    cap = voucher.cap_eur
    missing: Any = "exclude" if voucher.missing_request == "exclude" else cap
    return [
        AmountStep("cost", CostStep(step="cost", missing=missing), short_form=True),
        AmountStep("cap", CapStep(step="cap", eur=cap)),
    ]


def _steps(voucher: Voucher, fields: Mapping[str, Field], problem: Problem) -> list | None:
    out: list[AmountStep] = []
    ok = True
    for i, model in enumerate(voucher.steps or []):
        loc: Loc = ("voucher", "steps", i)
        step_ok = _check_step(model, loc, fields, problem)
        ok = ok and step_ok
        if step_ok:
            out.append(AmountStep(model.step, model, _bands(model, fields)))
    return out if ok else None


def _check_step(model: Any, loc: Loc, fields: Mapping[str, Field], problem: Problem) -> bool:
    ok = True
    name = getattr(model, "field", None)
    if name is not None:
        if model.step == "cost" or (model.step == "cap" and model.bands is None):
            kinds: tuple[Kind, ...] = (Kind.MONEY,)
        else:
            kinds = _NUMERIC
        ok = _check_field(name, kinds, (*loc, "field"), fields, problem)
    per = getattr(model, "per", None)
    if per is not None:
        ok = _check_field(per, (Kind.INTEGER,), (*loc, "per"), fields, problem) and ok
    if model.step == "share":
        shares = [model.share] if model.bands is None else [b.share for b in model.bands]
        if isinstance(model.missing, Decimal):
            shares.append(model.missing)
        for value in shares:
            if value is not None and _decimals(value) > MAX_SHARE_DECIMALS:
                problem(loc, f"quota con al massimo {MAX_SHARE_DECIMALS} decimali: {value}")
                ok = False
    return ok


def _check_field(
    name: str, kinds: tuple[Kind, ...], loc: Loc, fields: Mapping[str, Field], problem: Problem
) -> bool:
    f = fields.get(name)
    if f is None:
        close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.6)
        hint = f" (forse '{close[0]}'?)" if close else ""
        problem(loc, f"campo sconosciuto '{name}'{hint}")
        return False
    if f.kind not in kinds:
        want = " o ".join(_KIND_WORDS[k] for k in kinds)
        problem(loc, f"il campo '{name}' non è {want}")
        return False
    return True


def _bands(model: Any, fields: Mapping[str, Field]) -> Bands | None:
    bands = getattr(model, "bands", None)
    if bands is None:
        return None
    f = fields[model.field]
    values = tuple(b.share if model.step == "share" else b.eur for b in bands)
    level = f.level if isinstance(f.level, Level) else Level(f.level)
    return Bands(model.field, f.kind, level, tuple((b.min, b.max) for b in bands), values)


def _decimals(d: Decimal) -> int:
    exp = d.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0
