"""What every kind of criterion shares: the compiled criterion, its inputs, the common checks.

A kind of criterion lives in one module of this package (flag.py, bands.py, ...): a subclass of
`CriterionRule` that knows, for that kind, everything the tool does with it:

- `build(model, ctx)`: the semantic checks the YAML schema cannot make and the compilation of
  its expressions (each compiled once, here, for the whole run);
- `raw_points(data)`: the points per ranking unit, vectorised, in integer thousandths, and
  which units lack the data; `points(data)` applies the criterion's `missing` policy and its
  `max_points` cap, the same for every kind;
- `describe(fields)`: its parameters in Italian words (the Criteri sheet);
- `explain(case)`: why a unit got its points (`conciliare explain`);
- `shown_values(view)`: the applicant's value as the letters show it.

Points are integer thousandths of a point (exact sums); the YAML's points are Decimals rounded
half away from zero to 0.001 (`thousandths`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from conciliare_cli.config.models import CriterionModel
from conciliare_cli.engine.expr import Expression
from conciliare_cli.engine.units import Units
from conciliare_cli.fields import Field, Kind, Level
from conciliare_cli.italian import value_text

Loc = tuple[str | int, ...]
NUMERIC = (Kind.MONEY, Kind.NUMBER, Kind.INTEGER)
TEXTUAL = (Kind.TEXT, Kind.TAX_CODE)


def thousandths(value: Decimal | int | float) -> int:
    """Points as integer thousandths, rounded half away from zero: '1.2345' -> 1235."""
    return int((Decimal(str(value)) * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ------------------------------------------------------------------ compiling


@dataclass
class CompileContext:
    """What a kind needs to check and compile one criterion of the YAML.

    `compile(loc, text, level)` compiles an expression once, recording a problem (YAML
    location, Italian message) instead of raising; `problem` records one of the kind's own."""

    fields: Mapping[str, Field]
    by_minor: bool  # ranking.unit is minor
    compile: Callable[[Loc, str, Level | None], Expression | None]
    problem: Callable[[Loc, str], None]

    @property
    def unit_level(self) -> Level | None:
        """The level of a condition read per ranking unit (flags, funds, reserves)."""
        return None if self.by_minor else Level.APPLICATION


# ------------------------------------------------------------------ scoring


@dataclass
class ScoreData:
    """The table being scored and how its rows group: into units, into applications, and which
    minors count (the eligible ones, which count/sum and any/all/count/sum gather)."""

    table: pd.DataFrame
    constants: Mapping[str, Any]
    fields: Mapping[str, Field]
    units: Units
    members: np.ndarray  # per row
    app_codes: np.ndarray | None = None  # per row

    def column(self, name: str) -> pd.Series:
        if name in self.table.columns:
            return self.table[name]
        return pd.Series(pd.NA, index=self.table.index, dtype="object")

    def numeric(self, name: str) -> tuple[np.ndarray, np.ndarray, int | None]:
        """(values, missing, scale) of a number field: integers scaled (cents: 100) or
        floats (scale None)."""
        values = self.column(name)
        kind = self.fields[name].kind
        na = values.isna().to_numpy()
        if kind is Kind.MONEY or kind is Kind.INTEGER:
            ints = pd.array(values, dtype="Int64").to_numpy(dtype=np.int64, na_value=0)
            return ints, na, 100 if kind is Kind.MONEY else 1
        floats = pd.array(values, dtype="Float64").to_numpy(dtype=np.float64, na_value=0.0)
        return floats, na, None


def truth(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(true, unknown) of a boolean column."""
    return values.to_numpy(dtype=bool, na_value=False), values.isna().to_numpy()


# ------------------------------------------------------------------ explaining and showing


@dataclass
class ExplainCase:
    """One ranking unit as `explain` sees it: its first row, its rows, the rows of its
    application and which of those are eligible minors."""

    first: pd.Series
    rows: pd.DataFrame
    app_rows: pd.DataFrame
    members: pd.Series  # over app_rows
    constants: Mapping[str, Any]
    fields: Mapping[str, Field]

    def counted(self) -> pd.DataFrame:
        """The unit's rows that count/sum gather (its admissible minors)."""
        col = "minor_admissible" if "minor_admissible" in self.rows else "minor_eligible"
        return self.rows[self.rows[col].fillna(False).astype(bool).to_numpy()]


@dataclass
class LetterView:
    """The minors of the letters being written, grouped by ranking unit (`unit`: per row)."""

    minors: pd.DataFrame
    unit: pd.Series
    admitted: pd.Series
    fields: Mapping[str, Field]

    def first_of(self, name: str) -> pd.Series:
        return self.minors.groupby(self.unit, sort=False)[name].first()

    def points(self, crit_id: str) -> pd.Series:
        col = f"crit_{crit_id}"
        if col in self.minors.columns:
            return pd.to_numeric(self.minors[col], errors="coerce")
        return pd.Series(np.nan, index=self.minors.index)


# ------------------------------------------------------------------ the compiled criterion


@dataclass(frozen=True)
class CriterionRule:
    """A criterion of the call, compiled. Subclasses: one per kind (its YAML `type`)."""

    model: CriterionModel
    expressions: dict[str, Expression] = field(default_factory=dict)  # by YAML key

    kind: ClassVar[str] = ""
    model_class: ClassVar[type[CriterionModel]]
    # Its `field`, if it has one: the kinds of field it reads, the message for another kind,
    # and whether it must be the application's own (not a minor's) when ranking applications.
    field_kinds: ClassVar[tuple[Kind, ...]] = ()
    field_kind_error: ClassVar[str] = ""
    field_per_application: ClassVar[bool] = False
    # Its `condition`, if it has one: read per ranking unit ("unit") or per minor (MINOR).
    condition_level: ClassVar[Level | str | None] = None

    # -- the YAML's words
    @property
    def id(self) -> str:
        return self.model.id

    @property
    def label(self) -> str:
        return self.model.label

    @property
    def reference(self) -> str | None:
        return self.model.reference

    @property
    def sensitive(self) -> bool:
        return self.model.sensitive

    @property
    def missing(self) -> Any:
        return getattr(self.model, "missing", "zero")

    @property
    def max_points(self) -> Decimal | None:
        return self.model.max_points

    @property
    def condition(self) -> Expression | None:
        return self.expressions.get("condition")

    @property
    def fields_used(self) -> frozenset[str]:
        """Every field the criterion reads (its field and its conditions' fields)."""
        names: set[str] = set()
        name = getattr(self.model, "field", None)
        if name:
            names.add(name)
        for expr in self.expressions.values():
            names |= expr.names
        return frozenset(names)

    # -- building
    @classmethod
    def build(cls, model: CriterionModel, loc: Loc, ctx: CompileContext) -> CriterionRule | None:
        """Check and compile `model` (at `loc` in the YAML); None when it has problems."""
        exprs = cls.compile_expressions(model, loc, ctx)
        ok = cls.check(model, loc, ctx)
        for where, value in cls.point_values(model, loc):
            if _decimals(value) > 3:
                ctx.problem(where, f"punti con al massimo 3 decimali, trovato {value}")
                ok = False
        if not ok or exprs is None:
            return None
        return cls(model=model, expressions=exprs)

    @classmethod
    def check(cls, model: Any, loc: Loc, ctx: CompileContext) -> bool:
        """The kind's own checks (its field and the field's kind); True when all pass."""
        if not cls.field_kinds:
            return True
        return check_field(
            model, loc, ctx, cls.field_kinds, cls.field_kind_error, cls.field_per_application
        )

    @classmethod
    def compile_expressions(
        cls, model: Any, loc: Loc, ctx: CompileContext
    ) -> dict[str, Expression] | None:
        """Its condition compiled where it is read; None when it does not compile."""
        text = getattr(model, "condition", None)
        if cls.condition_level is None or text is None:
            return {}
        level = ctx.unit_level if cls.condition_level == "unit" else cls.condition_level
        expr = ctx.compile((*loc, "condition"), text, level)  # type: ignore[arg-type]
        return None if expr is None else {"condition": expr}

    @classmethod
    def point_values(cls, model: Any, loc: Loc) -> Iterable[tuple[Loc, Decimal]]:
        for key in ("points", "max_points", "default"):
            v = getattr(model, key, None)
            if isinstance(v, Decimal):
                yield (*loc, key), v

    # -- scoring
    def raw_points(self, data: ScoreData) -> tuple[np.ndarray, np.ndarray]:
        """(points in thousandths, data missing) per unit, before `missing` and the cap."""
        raise NotImplementedError

    def points(self, data: ScoreData) -> tuple[np.ndarray, np.ndarray]:
        """(points, missing) per unit: `missing` is set only where the policy is exclude or
        error (those units get 0 points here and are excluded by the engine); with `zero` a
        unit without data gets no points for it; the cap applies last."""
        pts, missing = self.raw_points(data)
        pts = np.asarray(pts, dtype=np.int64)
        if self.missing in ("exclude", "error"):
            pts = np.where(missing, 0, pts)
        else:
            missing = np.zeros(data.units.n, dtype=bool)
        if self.max_points is not None:
            pts = np.minimum(pts, thousandths(self.max_points))
        return pts, missing

    # -- words
    def describe(self, fields: Mapping[str, Field]) -> str:
        """The parameters in Italian (bands, map, points, condition) for the Criteri sheet."""
        raise NotImplementedError

    def explain(self, case: ExplainCase) -> str:
        """Why the unit got its points, in Italian (without the cap, added by the caller)."""
        raise NotImplementedError

    def shown_values(self, view: LetterView) -> pd.Series:
        """The unit's value as the letters show it (index: unit key)."""
        return self.placeholder(view)

    def field_values(self, view: LetterView) -> pd.Series:
        """Its field's value on each unit's first row, as people read it."""
        name = self.model.field
        if name not in view.minors.columns:
            return self.placeholder(view)
        kind = field_kind(view.fields, name)
        return view.first_of(name).map(lambda v: value_text(v, kind))

    def placeholder(self, view: LetterView) -> pd.Series:
        return view.points(self.id).groupby(view.unit, sort=False).first().map(lambda _v: "—")


def _decimals(d: Decimal) -> int:
    exp = d.as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def field_label(fields: Mapping[str, Field], name: str) -> str:
    f = fields.get(name)
    return f.label if f is not None else name


def field_kind(fields: Mapping[str, Field], name: str) -> Kind | None:
    f = fields.get(name)
    return f.kind if f is not None else None


def check_field(
    model: Any,
    loc: Loc,
    ctx: CompileContext,
    kinds: tuple[Kind, ...],
    wrong_kind: str,
    per_application: bool,
) -> bool:
    """The criterion's `field`: of one of `kinds` (else `wrong_kind`, with {name}); with the
    application as ranking unit and `per_application`, not a minor's field. An unknown field
    is reported where the expressions' names are (CompileContext)."""
    name = model.field
    f = ctx.fields.get(name)
    if f is None:
        return False  # reported as unknown by the compiler of the rules
    ok = True
    where = (*loc, "field")
    if f.kind not in kinds:
        ctx.problem(where, wrong_kind.format(name=name))
        ok = False
    if per_application and not ctx.by_minor and f.level is Level.MINOR:
        ctx.problem(
            where,
            f"'{name}' è un dato del minore: con la graduatoria per domanda usa un "
            "criterio 'count' o 'sum'",
        )
        ok = False
    return ok
