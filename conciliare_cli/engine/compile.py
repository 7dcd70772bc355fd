"""The rules of a call, compiled once: `compile_rules(call) -> Rules`.

Loading (config/loader.py) reads bando.yaml and checks it against the schema and the fields;
compiling, here, makes everything the engine, `explain`, the writers, the public list and the
letters use: every expression compiled in its context (once for the whole run), each criterion
built by its kind (engine/criteria/), funds and reserves in cents, the tie-breakers, the
voucher rule and the reasons of exclusion with their level and article. The checks the YAML
schema cannot make are made here, and all their problems are raised together as one
ConfigError, each with the line of bando.yaml.

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

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from conciliare_cli.config import LoadedCall
from conciliare_cli.config.loader import Loc, dotted, suggest
from conciliare_cli.config.models import Allocation, Duplicates
from conciliare_cli.engine.amount_checks import build_voucher
from conciliare_cli.engine.amounts import VoucherRule
from conciliare_cli.engine.criteria import CriterionRule, rule_class
from conciliare_cli.engine.criteria.base import CompileContext
from conciliare_cli.engine.expr import (
    CONSTANTS,
    FUNCTIONS,
    Expression,
    ExpressionError,
    call_constants,
    check_level,
    compile_expression,
)
from conciliare_cli.engine.lottery import LotteryRule, check_key
from conciliare_cli.engine.timing import floor_constants
from conciliare_cli.errors import ConfigError
from conciliare_cli.fields import Field, Kind, Level
from conciliare_cli.findings import (
    AMOUNT_DATA_MISSING,
    AMOUNT_OUTSIDE_BANDS,
    BELOW_MINIMUM,
    CRITERION_MISSING,
    ENGINE_REASONS,
    MINOR_ELSEWHERE,
    MISSING_COST,
    SUPERSEDED,
    Reason,
    criterion_missing_code,
    finding_reasons,
)
from conciliare_cli.italian import eur_exact
from conciliare_cli.money import to_cents
from conciliare_cli.read.lists import NamedList, read_lists

# What identifies an application and a minor, and decides between repeated ones.
IDENTITY_FIELDS = ("application_id", "applicant_tax_code", "minor_tax_code", "submitted_at")
# The fields a derived field is computed from (engine/derive.py).
DERIVED_SOURCES: dict[str, frozenset[str]] = {
    "age": frozenset({"minor_birth_date"}),
    "applicant_tax_code_valid": frozenset({"applicant_tax_code"}),
    "minor_tax_code_valid": frozenset({"minor_tax_code"}),
}


@dataclass(frozen=True)
class EligibilityRule:
    code: str
    level: Level
    require: Expression
    on_missing: str  # "exclude" | "admit"
    message: str
    reference: str
    label: str = ""  # the requirement in words, as the YAML says it (else from `require`)


@dataclass(frozen=True)
class FundRule:
    id: str
    name: str
    budget_cents: int
    condition: Expression | None


@dataclass(frozen=True)
class ReserveRule:
    id: str
    fund: str
    description: str
    amount_cents: int  # amount_eur, or share of the fund rounded down to the cent
    amount_eur: Decimal | None
    share: Decimal | None
    condition: Expression


@dataclass(frozen=True)
class TieBreakerRule:
    field: str
    kind: Kind
    order: str  # "asc" | "desc"
    missing: str  # "last" | "first"
    own_label: str | None  # the YAML's label
    field_label: str

    @property
    def label(self) -> str:
        """What `decided_by` says: the YAML's label, or the field and the direction."""
        direction = "crescente" if self.order == "asc" else "decrescente"
        return self.own_label or f"{self.field_label} ({direction})"


@dataclass(frozen=True)
class Rules:
    """Everything the call's rules say, compiled; travels with the result of a run."""

    call: LoadedCall
    fields: Mapping[str, Field]
    constants: Mapping[str, Any]
    eligibility: tuple[EligibilityRule, ...]
    criteria: tuple[CriterionRule, ...]
    funds: tuple[FundRule, ...]
    reserves: tuple[ReserveRule, ...]
    tie_breakers: tuple[TieBreakerRule, ...]
    lottery_seed: str
    voucher: VoucherRule
    unit: str  # "application" | "minor"
    duplicates: Duplicates
    allocation: Allocation
    lottery: LotteryRule  # ranking.lottery: the seed, the text hashed, the direction
    granularity: str  # call.submission.granularity: second | minute (engine/timing.py)
    reasons: Mapping[str, Reason] = field(default_factory=dict)
    lists: Mapping[str, NamedList] = field(default_factory=dict)  # lists: read, by name

    @property
    def by_minor(self) -> bool:
        return self.unit == "minor"

    @property
    def unit_level(self) -> Level:
        return Level.MINOR if self.by_minor else Level.APPLICATION

    @property
    def sensitive_criteria(self) -> tuple[str, ...]:
        """Ids of the criteria whose points reveal health data: `sensitive: true`, or a field
        or condition that uses a health field (disability, learning difficulty, declared
        fields with `health: true`), even if nobody flagged it."""
        health = {name for name, f in self.fields.items() if f.health}
        return tuple(c.id for c in self.criteria if c.sensitive or (c.fields_used & health))

    @property
    def fields_that_count(self) -> frozenset[str]:
        """Every field the rules read, directly or through a derived field: the eligibility
        rules, criteria, the voucher, funds, reserves, tie-breakers, and what identifies an
        application and a minor (ids, tax codes, the submission time of the duplicates)."""
        names = set(IDENTITY_FIELDS) | set(self.voucher.fields)
        for rule in self.eligibility:
            names |= rule.require.names
        for crit in self.criteria:
            names |= crit.fields_used
        for fund in self.funds:
            names |= fund.condition.names if fund.condition is not None else set()
        for res in self.reserves:
            names |= res.condition.names
        names |= {tb.field for tb in self.tie_breakers}
        for derived, sources in DERIVED_SOURCES.items():
            if derived in names:
                names |= sources
        return frozenset(names)

    def reason(self, code: str) -> Reason | None:
        return self.reasons.get(code)

    def sentence(self, code: str) -> str:
        reason = self.reasons.get(code)
        return reason.sentence if reason is not None else ""


# ---------------------------------------------------------------------- compiling


class _Problems:
    """Problems in two rounds, as a coordinator reads them: first what is wrong in a text
    by itself (syntax, unknown fields), then what is wrong where it is used."""

    _SECTIONS = ("eligibility", "criteria", "ranking", "funds", "reserves")

    def __init__(self, fields: Mapping[str, Field], lists: Mapping[str, NamedList] | None = None):
        self.fields = fields
        self.lists = lists or {}
        self.plain: list[tuple[Loc, str]] = []
        self.contextual: list[tuple[Loc, str]] = []

    def compile(self, loc: Loc, text: str, level: Level | None) -> Expression | None:
        try:
            expr = compile_expression(text, self.fields, lists=self.lists)
        except ExpressionError as exc:
            self.plain.append((loc, str(exc)))
            return None
        if level is not None:
            try:
                check_level(expr, level, self.fields)
            except ExpressionError as exc:
                self.contextual.append((loc, str(exc)))
                return None
        return expr

    def unknown_field(self, loc: Loc, name: str) -> None:
        self.plain.append((loc, f"campo sconosciuto '{name}'{suggest(name, self.fields)}"))

    def add(self, loc: Loc, message: str) -> None:
        self.contextual.append((loc, message))

    def all(self) -> list[tuple[Loc, str]]:
        section = {s: i for i, s in enumerate(self._SECTIONS)}
        plain = sorted(self.plain, key=lambda p: section.get(str(p[0][0]), len(section)))
        return plain + self.contextual


def compile_rules(call: LoadedCall) -> Rules:
    """Compile the rules of `call`; ConfigError (every problem, with its line) otherwise."""
    cfg = call.config
    fields = call.fields
    lists = read_lists(call)  # the annexes' values, once: the conditions hold them
    problems = _Problems(fields, lists)
    _check_list_names(cfg, fields, problems)
    by_minor = cfg.ranking.unit == "minor"
    ctx = CompileContext(fields, by_minor, problems.compile, problems.add)
    eligibility = _eligibility(cfg, problems)
    criteria = _criteria(cfg, ctx, problems)
    funds = _funds(cfg, ctx)
    reserves = _reserves(cfg, ctx, problems)
    ties = _tie_breakers(cfg, fields, by_minor, problems)
    voucher = build_voucher(cfg.voucher, fields, problems.add)
    lottery = _lottery(cfg, fields, by_minor, problems)
    found = problems.all()
    if found:
        raise ConfigError(
            [
                f"{call.path.name}, riga {call.line_of(loc) or 1}, {dotted(loc)}: {msg}"
                for loc, msg in found
            ]
        )
    return Rules(
        call=call,
        fields=fields,
        constants=floor_constants(call_constants(cfg), cfg.call.submission.granularity),
        eligibility=eligibility,
        criteria=criteria,
        funds=funds,
        reserves=reserves,
        tie_breakers=ties,
        lottery_seed=cfg.ranking.lottery.seed,
        voucher=voucher,  # type: ignore[arg-type]  # None only with problems
        unit=cfg.ranking.unit,
        duplicates=cfg.duplicates,
        allocation=cfg.allocation,
        reasons=_reasons(cfg, criteria, by_minor, voucher),
        lottery=lottery,
        granularity=cfg.call.submission.granularity,
        lists=lists,
    )


def _eligibility(cfg: Any, problems: _Problems) -> tuple[EligibilityRule, ...]:
    out = []
    for i, rule in enumerate(cfg.eligibility):
        expr = problems.compile(("eligibility", i, "require"), rule.require, rule.level)
        if expr is not None:
            out.append(
                EligibilityRule(
                    rule.code,
                    rule.level,
                    expr,
                    rule.on_missing,
                    rule.message,
                    rule.reference or "",
                    rule.label or "",
                )
            )
    return tuple(out)


def _criteria(cfg: Any, ctx: CompileContext, problems: _Problems) -> tuple[CriterionRule, ...]:
    out = []
    for i, model in enumerate(cfg.criteria):
        loc: Loc = ("criteria", i)
        built = rule_class(model).build(model, loc, ctx)
        name = getattr(model, "field", None)
        if name is not None and name not in ctx.fields:
            problems.unknown_field((*loc, "field"), name)
        if built is not None:
            out.append(built)
    return tuple(out)


def _funds(cfg: Any, ctx: CompileContext) -> tuple[FundRule, ...]:
    out = []
    for i, fund in enumerate(cfg.funds):
        expr = None
        if fund.condition is not None:
            expr = ctx.compile(("funds", i, "condition"), fund.condition, ctx.unit_level)
        out.append(FundRule(fund.id, fund.name, to_cents(fund.amount_eur), expr))
    return tuple(out)


def _reserves(cfg: Any, ctx: CompileContext, problems: _Problems) -> tuple[ReserveRule, ...]:
    budgets = {f.id: f.amount_eur for f in cfg.funds}
    out = []
    total: dict[str, Decimal] = {}
    for i, res in enumerate(cfg.reserves):
        expr = ctx.compile(("reserves", i, "condition"), res.condition, ctx.unit_level)
        budget = budgets.get(res.fund)
        if budget is None:
            continue  # reported by the model
        amount = res.amount_eur if res.amount_eur is not None else budget * res.share
        total[res.fund] = total.get(res.fund, Decimal(0)) + amount
        if total[res.fund] > budget:
            problems.add(
                ("reserves", i),
                f"le riserve del fondo {res.fund} superano la sua dotazione "
                f"({total[res.fund]} > {budget} euro)",
            )
        if res.amount_eur is not None:
            cents = to_cents(res.amount_eur)
        else:
            cents = int(to_cents(budget) * res.share)  # rounded down to the cent
        if expr is not None:
            out.append(
                ReserveRule(
                    res.id, res.fund, res.description, cents, res.amount_eur, res.share, expr
                )
            )
    return tuple(out)


def _tie_breakers(
    cfg: Any, fields: Mapping[str, Field], by_minor: bool, problems: _Problems
) -> tuple[TieBreakerRule, ...]:
    out = []
    for i, tb in enumerate(cfg.ranking.tie_breakers):
        loc: Loc = ("ranking", "tie_breakers", i, "field")
        f = fields.get(tb.field)
        if f is None:
            problems.unknown_field(loc, tb.field)
            continue
        if not by_minor and f.level is Level.MINOR:
            problems.add(
                loc,
                f"'{tb.field}' è un dato del minore: con la graduatoria per domanda i "
                "criteri di parità usano dati della domanda",
            )
            continue
        out.append(TieBreakerRule(tb.field, f.kind, tb.order, tb.missing, tb.label, f.label))
    return tuple(out)


def _check_list_names(cfg: Any, fields: Mapping[str, Field], problems: _Problems) -> None:
    """A list's name is not a field's, a constant's or a function's."""
    taken = {*fields, *CONSTANTS, *FUNCTIONS, "true", "false"}
    for i, lst in enumerate(cfg.lists):
        if lst.name in taken:
            problems.add(
                ("lists", i, "name"),
                f"il nome '{lst.name}' è già usato da un campo o da una funzione: "
                "scegline un altro",
            )


def _lottery(
    cfg: Any, fields: Mapping[str, Field], by_minor: bool, problems: _Problems
) -> LotteryRule:
    lot = cfg.ranking.lottery
    problem = check_key(lot.key, fields, by_minor)
    if problem is not None:
        problems.add(("ranking", "lottery", "key"), problem)
    return LotteryRule(lot.seed, lot.key, lot.text, lot.order == "desc")


def amount_reasons(voucher: VoucherRule | None) -> dict[str, Reason]:
    """The reasons the voucher's steps can give (the minimum's sentence names it)."""
    minimum = next(
        (s.model.eur for s in (voucher.steps if voucher else ()) if s.kind == "minimum"), None
    )
    out = {}
    for code in (AMOUNT_DATA_MISSING, AMOUNT_OUTSIDE_BANDS, BELOW_MINIMUM):
        level, template = ENGINE_REASONS[code]
        sentence = template.format(minimum=eur_exact(minimum) if minimum is not None else "")
        out[code] = Reason(code, level, sentence)
    return out


def _reasons(
    cfg: Any, criteria: tuple[CriterionRule, ...], by_minor: bool, voucher: VoucherRule | None
) -> dict[str, Reason]:
    """Every code that can appear in exclusion_reasons, with its level and sentence."""
    out = finding_reasons()
    for rule in cfg.eligibility:
        out[rule.code] = Reason(rule.code, rule.level, rule.message, rule.reference or "", "rule")
    which = "l'ultima presentata" if cfg.duplicates.applicant == "last" else "la prima presentata"
    if cfg.duplicates.applicant_among == "admitted":
        which += " tra quelle ammissibili"
    kept = (
        "presentata prima"
        if cfg.duplicates.minor == "earlier"
        else "con il punteggio più alto (a parità, presentata prima)"
    )
    for code, params in ((SUPERSEDED, {"which": which}), (MINOR_ELSEWHERE, {"kept": kept})):
        level, template = ENGINE_REASONS[code]
        out[code] = Reason(code, level, template.format(**params))
    level, template = ENGINE_REASONS[MISSING_COST]
    out[MISSING_COST] = Reason(MISSING_COST, level, template)
    out.update(amount_reasons(voucher))
    level, template = ENGINE_REASONS[CRITERION_MISSING]
    unit_level = Level.MINOR if by_minor else level
    for crit in criteria:
        code = criterion_missing_code(crit.id)
        out[code] = Reason(code, unit_level, template.format(label=crit.label))
    return out
