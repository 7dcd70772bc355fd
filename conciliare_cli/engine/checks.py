"""The rules as the engine needs them: every expression compiled in its context, and the
checks that the YAML schema alone cannot make (which field a criterion may use, and where).

Contexts of the conditions:
- an eligibility rule: its `level` (a minor-level rule cannot use any/all/count/sum; an
  application-level rule can use minors' fields only inside them);
- flag criteria, funds and reserves: the application (with `ranking.unit: minor`, the minor:
  then minors' fields may be used directly);
- count and sum conditions: the minor.
Fields: bands need a number (money, number, integer), map a text, sum a number;
tie-breakers and bands/map fields belong to the application unless the unit is the minor.
Points have at most 3 decimals; the reserves of a fund do not exceed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from conciliare_cli.config.models import (
    BandsCriterion,
    CallConfig,
    CountCriterion,
    FlagCriterion,
    MapCriterion,
    SumCriterion,
)
from conciliare_cli.engine.expr import Expression, ExpressionError, compile_expression
from conciliare_cli.fields import Field, Kind, Level

Loc = tuple[str | int, ...]

NUMERIC = (Kind.MONEY, Kind.NUMBER, Kind.INTEGER)
TEXTUAL = (Kind.TEXT, Kind.TAX_CODE)


@dataclass
class Compiled:
    """Compiled conditions by place; `problems` are (YAML location, Italian message)."""

    rules: list[tuple[str, Level, Expression, str]] = field(default_factory=list)
    conditions: dict[str, Expression] = field(default_factory=dict)  # criterion id
    funds: dict[str, Expression] = field(default_factory=dict)
    reserves: dict[str, Expression] = field(default_factory=dict)
    problems: list[tuple[Loc, str]] = field(default_factory=list)
    # expressions that do not compile even without a context (the loader reports those)
    plain_errors: set[Loc] = field(default_factory=set)


def _fields(config: CallConfig) -> dict[str, Field]:
    from conciliare_cli.config.loader import known_fields

    return known_fields(config)


def compile_call(config: CallConfig) -> Compiled:
    """Compile every condition of the call in its context and check the criteria's fields."""
    fields = _fields(config)
    out = Compiled()
    by_minor = config.ranking.unit == "minor"
    unit_level = None if by_minor else Level.APPLICATION

    def comp(loc: Loc, text: str, level: Level | None) -> Expression | None:
        try:
            compile_expression(text, fields)
        except ExpressionError as exc:
            out.plain_errors.add(loc)
            out.problems.append((loc, str(exc)))
            return None
        try:
            return compile_expression(text, fields, level=level)
        except ExpressionError as exc:
            out.problems.append((loc, str(exc)))
            return None

    for i, rule in enumerate(config.eligibility):
        e = comp(("eligibility", i, "require"), rule.require, rule.level)
        if e is not None:
            out.rules.append((rule.code, rule.level, e, rule.on_missing))
    for i, crit in enumerate(config.criteria):
        loc: Loc = ("criteria", i)
        if isinstance(crit, FlagCriterion):
            e = comp((*loc, "condition"), crit.condition, unit_level)
        elif isinstance(crit, CountCriterion | SumCriterion) and crit.condition is not None:
            e = comp((*loc, "condition"), crit.condition, Level.MINOR)
        else:
            e = None
        if e is not None:
            out.conditions[crit.id] = e
        out.problems.extend(_field_problems(crit, loc, fields, by_minor))
        out.problems.extend(_points_problems(crit, loc))
    for i, fund in enumerate(config.funds):
        if fund.condition is not None:
            e = comp(("funds", i, "condition"), fund.condition, unit_level)
            if e is not None:
                out.funds[fund.id] = e
    for i, res in enumerate(config.reserves):
        e = comp(("reserves", i, "condition"), res.condition, unit_level)
        if e is not None:
            out.reserves[res.id] = e
    for i, tb in enumerate(config.ranking.tie_breakers):
        f = fields.get(tb.field)
        if f is not None and not by_minor and f.level is Level.MINOR:
            out.problems.append(
                (
                    ("ranking", "tie_breakers", i, "field"),
                    f"'{tb.field}' è un dato del minore: con la graduatoria per domanda i "
                    "criteri di parità usano dati della domanda",
                )
            )
    out.problems.extend(_reserve_problems(config))
    return out


def rule_problems(config: CallConfig) -> Iterable[tuple[Loc, str]]:
    """Problems the loader does not already report (it compiles expressions without context
    and checks that criterion and tie-breaker fields exist)."""
    compiled = compile_call(config)
    for loc, msg in compiled.problems:
        if loc not in compiled.plain_errors:
            yield loc, msg


def _field_problems(
    crit: object, loc: Loc, fields: dict[str, Field], by_minor: bool
) -> Iterable[tuple[Loc, str]]:
    name = getattr(crit, "field", None)
    f = fields.get(name) if name else None
    if f is None:
        return  # unknown field: reported by the loader
    where = (*loc, "field")
    if isinstance(crit, BandsCriterion | SumCriterion) and f.kind not in NUMERIC:
        yield where, f"il campo '{name}' non è un numero o un importo"
    if isinstance(crit, MapCriterion) and f.kind not in TEXTUAL:
        yield where, f"il campo '{name}' non è un testo: 'map' assegna punti a categorie"
    per_application = isinstance(crit, BandsCriterion | MapCriterion) and not by_minor
    if per_application and f.level is Level.MINOR:
        yield (
            where,
            (
                f"'{name}' è un dato del minore: con la graduatoria per domanda usa un "
                "criterio 'count' o 'sum'"
            ),
        )


def _decimals(d: Decimal) -> int:
    exp = d.as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def _points_problems(crit: object, loc: Loc) -> Iterable[tuple[Loc, str]]:
    values: list[tuple[Loc, Decimal]] = []
    for key in ("points", "max_points", "default"):
        v = getattr(crit, key, None)
        if isinstance(v, Decimal):
            values.append(((*loc, key), v))
    if isinstance(crit, BandsCriterion):
        values += [((*loc, "bands", j, "points"), b.points) for j, b in enumerate(crit.bands)]
        if isinstance(crit.missing, Decimal):
            values.append(((*loc, "missing"), crit.missing))
    if isinstance(crit, MapCriterion):
        values += [((*loc, "map", k), v) for k, v in crit.map.items()]
    for where, v in values:
        if _decimals(v) > 3:
            yield where, f"punti con al massimo 3 decimali, trovato {v}"


def _reserve_problems(config: CallConfig) -> Iterable[tuple[Loc, str]]:
    funds = {f.id: f for f in config.funds}
    total: dict[str, Decimal] = {}
    for i, res in enumerate(config.reserves):
        fund = funds.get(res.fund)
        if fund is None:
            continue  # reported by the model
        amount = res.amount_eur if res.amount_eur is not None else fund.amount_eur * res.share
        total[res.fund] = total.get(res.fund, Decimal(0)) + amount
        if total[res.fund] > fund.amount_eur:
            yield (
                ("reserves", i),
                (
                    f"le riserve del fondo {res.fund} superano la sua dotazione "
                    f"({total[res.fund]} > {fund.amount_eur} euro)"
                ),
            )
