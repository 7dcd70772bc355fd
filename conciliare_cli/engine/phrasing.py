"""A compiled condition said in Italian words, for the people who read the rules.

`condition_words(expr, fields, constants)` turns `isee <= 35000` into "ISEE: non superiore a
35.000,00 €", `submitted_at >= submission_opens and submitted_at <= submission_closes` into
"Data e ora di presentazione: non prima dell'apertura delle domande (01/06/2017 09:00) e non
dopo la chiusura delle domande (31/07/2017 12:00)", `any(disability)` into "almeno un minore
con Disabilità (L. 104/92)". Fields are named by their Italian label, never by their name;
`true` is "sempre". The Criteri sheet, `explain` and the criteria's own descriptions use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from conciliare_cli.engine import expr as ex
from conciliare_cli.fields import Field, Kind
from conciliare_cli.italian import date_short, datetime_short, eur_decimal, number

# The call's named dates: (the noun with its article, "di" + article, "a" + article).
CONSTANTS = {
    "submission_opens": ("l'apertura delle domande", "dell'apertura delle domande"),
    "submission_closes": ("la chiusura delle domande", "della chiusura delle domande"),
    "reference_date": ("la data di riferimento", "della data di riferimento"),
}

NUMBER_OPS = {
    "<=": "non superiore a",
    "<": "inferiore a",
    ">=": "almeno",
    ">": "superiore a",
    "==": "uguale a",
    "!=": "diverso da",
}
AGGREGATES = {
    "any": "almeno un minore con {}",
    "all": "tutti i minori con {}",
    "count": "numero dei minori con {}",
    "sum": "somma sui minori di {}",
}
ARITH = {"+": "+", "-": "−", "*": "×", "/": "÷"}


class _Words:
    def __init__(self, fields: Mapping[str, Field], constants: Mapping[str, Any]):
        self.fields = fields
        self.constants = constants

    def say(self, node: Any, top: bool = False) -> str:
        method = getattr(self, f"w{type(node).__name__}", None)
        if method is None:  # pragma: no cover - every node kind has its words
            return node.desc or "condizione"
        return method(node, top)

    def label(self, node: Any) -> str:
        f = self.fields.get(getattr(node, "name", ""))
        return f.label if f is not None else str(getattr(node, "name", ""))

    def kind_of(self, node: Any) -> Kind | None:
        if isinstance(node, ex._FieldRef):
            return node.kind
        if isinstance(node, ex._Aggregate) and node.fn == "sum":
            return self.kind_of(node.arg)
        return None

    def value(self, value: Any, kind: Kind | None) -> str:
        if isinstance(value, bool):
            return "sì" if value else "no"
        if isinstance(value, Decimal | int | float):
            return eur_decimal(Decimal(str(value))) if kind is Kind.MONEY else number(value)
        if isinstance(value, pd.Timestamp):
            plain = value.hour == 0 and value.minute == 0
            return date_short(value) if plain else datetime_short(value)
        return f"«{value}»"

    # ------------------------------------------------------------------ nodes

    def w_Const(self, node: ex._Const, top: bool) -> str:
        if isinstance(node.value, bool) and top:
            return "sempre" if node.value else "mai"
        return self.value(node.value, None)

    def w_NamedConst(self, node: ex._NamedConst, top: bool) -> str:
        noun = CONSTANTS.get(node.name, (node.name, node.name))[0]
        return noun + self._when(node.name)

    def _when(self, name: str) -> str:
        value = self.constants.get(name)
        return f" ({self.value(pd.Timestamp(value), None)})" if value is not None else ""

    def w_FieldRef(self, node: ex._FieldRef, top: bool) -> str:
        return self.label(node)

    def w_Wrap(self, node: Any, top: bool) -> str:  # pragma: no cover - only inside `in`
        return "valore"

    def w_Not(self, node: ex._Not, top: bool) -> str:
        if isinstance(node.arg, ex._FieldRef):
            return f"{self.label(node.arg)}: no"
        if isinstance(node.arg, ex._IsMissing):
            return f"{self.say(node.arg.arg)}: indicato"
        return f"non è vero che {self.say(node.arg)}"

    def w_BoolOp(self, node: ex._BoolOp, top: bool) -> str:
        joiner = " e " if node.op == "and" else " oppure "
        same = {
            a.left.name if isinstance(a, ex._Compare) and isinstance(a.left, ex._FieldRef) else None
            for a in node.args
        }
        if len(same) == 1 and None not in same:  # one field, several bounds: said once
            first = node.args[0].left
            return f"{self.label(first)}: " + joiner.join(self._bound(a) for a in node.args)
        parts = []
        for arg in node.args:
            text = self.say(arg)
            if isinstance(arg, ex._BoolOp) and arg.op != node.op:
                text = f"({text})"
            parts.append(text)
        return joiner.join(parts)

    def w_IsMissing(self, node: ex._IsMissing, top: bool) -> str:
        return f"{self.say(node.arg)}: non indicato"

    def w_Neg(self, node: ex._Neg, top: bool) -> str:
        return f"−{self.say(node.arg)}"

    def w_Arith(self, node: ex._Arith, top: bool) -> str:
        return f"{self.say(node.left)} {ARITH.get(node.op, node.op)} {self.say(node.right)}"

    def w_Aggregate(self, node: ex._Aggregate, top: bool) -> str:
        return AGGREGATES[node.fn].format(self.say(node.arg))

    def w_InList(self, node: ex._InList, top: bool) -> str:
        kind = self.kind_of(node.left)
        values = ", ".join(self.value(v, kind) for v in node.values)
        which = "nessuno tra" if node.negate else "uno tra"
        return f"{self.say(node.left)}: {which} {values}"

    def w_InNamedList(self, node: ex._InNamedList, top: bool) -> str:
        where = "non presente" if node.negate else "presente"
        return f"{self.say(node.left)}: {where} nell'elenco “{node.named.description}”"

    def w_Compare(self, node: ex._Compare, top: bool) -> str:
        return f"{self.say(node.left)}: {self._bound(node)}"

    def _bound(self, node: ex._Compare) -> str:
        """What a comparison asks of its left side: 'non superiore a 35.000,00 €'."""
        left, right = node.left, node.right
        if node.operand_type == ex.TIME:
            return self._time(node.op, right)
        kind = self.kind_of(left) or self.kind_of(right)
        if node.operand_type == ex.BOOL and isinstance(right, ex._Const):
            return "no" if (node.op == "!=") == right.value else "sì"
        other = self.value(right.value, kind) if isinstance(right, ex._Const) else self.say(right)
        return f"{NUMBER_OPS[node.op]} {other}"

    def _time(self, op: str, right: Any) -> str:
        if isinstance(right, ex._NamedConst):
            noun, of = CONSTANTS.get(right.name, (right.name, right.name))
            when = self._when(right.name)
        elif isinstance(right, ex._Const):
            date = self.say(right)
            noun, of, when = f"il {date}", f"del {date}", ""
        else:
            noun = self.say(right)
            of, when = f"di {noun}", ""
        return {
            "<": f"prima {of}{when}",
            "<=": f"non dopo {noun}{when}",
            ">": f"dopo {noun}{when}",
            ">=": f"non prima {of}{when}",
            "==": f"uguale a {noun}{when}",
            "!=": f"diverso da {noun}{when}",
        }[op]


def condition_words(
    expression: ex.Expression | None,
    fields: Mapping[str, Field],
    constants: Mapping[str, Any] | None = None,
) -> str:
    """The condition in Italian words ('sempre' for none, or for `true`)."""
    if expression is None:
        return "sempre"
    return _Words(fields, constants or {}).say(expression._root, top=True)
