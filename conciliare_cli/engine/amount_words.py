"""The voucher amount in Italian words: each minor's computation step by step (`explain`,
the letters) and the rule itself (the Criteri sheet).

    costo dichiarato 150,30 € × 75% (ISEE da 10.000,01 € a 20.000,00 €) = 112,725 €
    → 112,73 € (arrotondato al centesimo); entro il massimo di 250,00 €

Texts are built for the rows asked for only, and each distinct computation once.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from conciliare_cli.engine.amounts import MISSING, NO_BAND, AmountTrace, StepTrace, VoucherRule
from conciliare_cli.fields import Kind
from conciliare_cli.italian import eur, eur_exact, number, percent

REQUESTED = "requested_eur"
_MODE = {
    "half_up": "arrotondato",
    "down": "arrotondato per difetto",
    "up": "arrotondato per eccesso",
}


def amount_texts(trace: AmountTrace, rows: Iterable[int]) -> list[str]:
    """The computation of the minors at positions `rows` (of the result's minors table)."""
    cache: dict[tuple, str] = {}
    out = []
    for i in rows:
        key = _key(trace, int(i))
        if key not in cache:
            cache[key] = _text(trace, int(i))
        out.append(cache[key])
    return out


def _key(trace: AmountTrace, i: int) -> tuple:
    parts: list[Any] = [trace.reason[i], int(trace.cents[i])]
    if trace.final is not None:
        parts.append(int(trace.final[i]))
    for st in trace.steps:
        for arr in (st.num, st.band, st.factor, st.acted):
            parts.append(None if arr is None else _plain(arr[i]))
    return tuple(parts)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _amount(st: StepTrace, i: int) -> str:
    return eur_exact(Decimal(int(st.num[i])) / (st.scale * 100))


def _text(trace: AmountTrace, i: int) -> str:
    rule = trace.rule
    text = ""
    prev: StepTrace | None = None
    for st in trace.steps:
        phrase, stop = _phrase(rule, st, prev, i)
        text += phrase
        prev = st
        if stop:
            return text + ": nessun voucher"
    if trace.final is not None and int(trace.final[i]) < int(trace.cents[i]):
        cap = eur(rule.application_cap_cents)
        text += f"; tetto per domanda di {cap}: {eur(int(trace.final[i]))}"
    return text


def _phrase(rule: VoucherRule, st: StepTrace, prev: StepTrace | None, i: int) -> tuple[str, bool]:
    """The words of one step for row i, and whether the step excluded the minor."""
    kind = st.step.kind
    if kind == "cost":
        return _cost(rule, st, i)
    if kind == "fixed":
        return _fixed(rule, st, i)
    if kind == "share":
        return _share(rule, st, i)
    if kind in ("round", "final"):
        if prev is not None and _same(prev, st, i):
            return "", False
        how = "arrotondato" if kind == "final" else _MODE[st.step.model.mode]
        to = Decimal("0.01") if kind == "final" else st.step.model.to_eur
        return f" → {_amount(st, i)} ({how} {_step_words(to)})", False
    if kind == "cap":
        return _cap(rule, st, prev, i)
    minimum = eur_exact(st.step.model.eur)
    if st.acted is not None and st.acted[i]:
        return f"; sotto il minimo di {minimum}", True
    return f"; pari almeno al minimo di {minimum}", False


def _same(a: StepTrace, b: StepTrace, i: int) -> bool:
    return int(a.num[i]) * b.scale == int(b.num[i]) * a.scale


def _cost(rule: VoucherRule, st: StepTrace, i: int) -> tuple[str, bool]:
    name = st.step.model.field
    what = "costo" if name == REQUESTED else rule.labels.get(name, name)
    if st.acted is None or not st.acted[i]:
        declared = "costo dichiarato" if name == REQUESTED else what
        return f"{declared} {_amount(st, i)}", False
    if st.step.missing == "exclude":
        return f"{what} non indicato", True
    if st.step.short_form:
        return f"{what} non indicato: si assegna l'importo massimo di {_amount(st, i)}", False
    return f"{what} non indicato: costo convenzionale {_amount(st, i)}", False


def _why(rule: VoucherRule, st: StepTrace, i: int) -> tuple[str, bool]:
    """' (ISEE da ... a ...)' for a banded step, and whether the row has no usable band."""
    if st.band is None or st.step.bands is None:
        return "", False
    label = rule.labels.get(st.step.bands.field, st.step.bands.field)
    b = int(st.band[i])
    if b == MISSING:
        return f" ({label} non indicato)", st.step.missing == "exclude"
    if b == NO_BAND:
        return f" ({label} fuori da tutte le fasce)", True
    lo, hi = st.step.bands.bounds[b]
    return f" ({label} {band_words(lo, hi, st.step.bands.kind is Kind.MONEY)})", False


def _fixed(rule: VoucherRule, st: StepTrace, i: int) -> tuple[str, bool]:
    why, stop = _why(rule, st, i)
    model = st.step.model
    if stop:
        return f"importo{why}", True
    if model.per is None:
        head = "importo fisso" if st.band is None else "importo"
        return f"{head} {_amount(st, i)}{why}", False
    per_label = rule.labels.get(model.per, model.per)
    factor = int(st.factor[i]) if st.factor is not None else 0
    base = Decimal(int(st.num[i])) / 100 / factor if factor else None
    unit = eur_exact(base) if base is not None else ""
    return f"{unit}{why} × {number(factor)} ({per_label}) = {_amount(st, i)}", False


def _share(rule: VoucherRule, st: StepTrace, i: int) -> tuple[str, bool]:
    why, stop = _why(rule, st, i)
    if stop:
        return f" × quota{why}", True
    model = st.step.model
    if st.band is None:
        share = model.share
    elif int(st.band[i]) == MISSING:
        share = model.missing
    else:
        share = st.step.bands.values[int(st.band[i])]  # type: ignore[union-attr]
    return f" × {percent(share)}{why} = {_amount(st, i)}", False


def _cap(rule: VoucherRule, st: StepTrace, prev: StepTrace | None, i: int) -> tuple[str, bool]:
    if prev is not None and prev.step.short_form and prev.acted is not None and prev.acted[i]:
        return "", False  # a missing cost already got the cap
    why, stop = _why(rule, st, i)
    if stop:
        return f"; massimo{why}", True
    cap = int(st.factor[i]) if st.factor is not None else -1
    if cap < 0:
        return "", False  # no value: the cap does not apply
    model = st.step.model
    if model.field is not None and model.bands is None:
        why = f" ({rule.labels.get(model.field, model.field)})"
    if st.acted is not None and st.acted[i]:
        return f"; oltre il massimo di {eur(cap)}{why}: {_amount(st, i)}", False
    return f"; entro il massimo di {eur(cap)}{why}", False


def _step_words(to: Decimal) -> str:
    if to == Decimal("0.01"):
        return "al centesimo"
    if to == 1:
        return "all'euro"
    return f"a multipli di {eur_exact(to)}"


def band_words(lo: Decimal | None, hi: Decimal | None, money: bool) -> str:
    def fmt(d: Decimal) -> str:
        return eur_exact(d) if money else number(d)

    if lo is None and hi is None:
        return "qualsiasi valore"
    if lo is None:
        return f"fino a {fmt(hi)}"  # type: ignore[arg-type]
    if hi is None:
        return f"da {fmt(lo)}"
    return f"da {fmt(lo)} a {fmt(hi)}"


# ---------------------------------------------------------------------- the rule in words


def rule_rows(rule: VoucherRule) -> list[tuple[str, str]]:
    """The Criteri sheet's rows for the voucher: the short form as it always was, the steps
    one per line."""
    if rule.short_form:
        return [
            ("Importo massimo per minore", eur(rule.cap_cents)),
            (
                "Costo richiesto mancante",
                "si assegna l'importo massimo"
                if rule.missing_request == "cap"
                else "il minore è escluso",
            ),
        ]
    lines = [f"{n}. {step_words(rule, s.model)}" for n, s in enumerate(rule.steps, start=1)]
    rows = [("Importo del voucher per minore", "\n".join(lines))]
    if rule.application_cap_cents is not None:
        rows.append(("Tetto per domanda", eur(rule.application_cap_cents)))
    return rows


def step_words(rule: VoucherRule, model: Any) -> str:
    """One step of the rule in words (the Criteri sheet, the README)."""
    label = rule.labels.get(getattr(model, "field", None) or "", getattr(model, "field", ""))
    if model.step == "cost":
        miss = (
            "il minore è escluso"
            if model.missing == "exclude"
            else f"costo convenzionale {eur_exact(model.missing)}"
        )
        return f"costo dichiarato ({label}); se non indicato: {miss}"
    if model.step == "round":
        return f"{_MODE[model.mode]} {_step_words(model.to_eur)}"
    if model.step == "minimum":
        return f"minimo {eur_exact(model.eur)}: sotto, nessun voucher"
    money = rule.kinds.get(getattr(model, "field", None) or "") is Kind.MONEY
    value = _value_words(model, label, money)
    if model.step == "fixed":
        per = f" per ogni unità di «{rule.labels.get(model.per, model.per)}»" if model.per else ""
        return f"importo fisso {value}{per}"
    if model.step == "share":
        return f"quota del costo {value}"
    return f"massimo {value}"


def _value_words(model: Any, label: str, money: bool) -> str:
    constant = getattr(model, "eur", None) if model.step != "share" else model.share
    fmt = percent if model.step == "share" else eur_exact
    if constant is not None:
        return fmt(constant)
    if model.bands is None:
        return f"«{label}»" + (
            "; se non indicato: nessun tetto" if model.missing == "ignore" else ""
        )
    parts = [
        f"{band_words(b.min, b.max, money)}: {fmt(_band_value(model, b))}" for b in model.bands
    ]
    if model.missing == "exclude":
        miss = "il minore è escluso"
    elif model.missing == "ignore":
        miss = "nessun tetto"
    else:
        miss = fmt(model.missing)
    return f"per fascia di «{label}» ({'; '.join(parts)}; se non indicato: {miss})"


def _band_value(model: Any, band: Any) -> Decimal:
    return band.share if model.step == "share" else band.eur


__all__ = ["amount_texts", "band_words", "rule_rows", "step_words"]
