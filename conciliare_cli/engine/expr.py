"""The small expression language of the rules: parsed safely, type-checked, evaluated vectorised.

A condition in bando.yaml ("isee <= 35000 and not single_parent") is parsed with
`ast.parse(text, mode="eval")` and only a whitelist of nodes is accepted; nothing of the text is
ever executed. The tree is compiled into typed nodes that evaluate over a whole DataFrame at once.

Grammar
- logic: `and`, `or`, `not`, parentheses;
- comparisons: `== != < <= > >=`, chained (`0 <= age <= 16`); `x in [..]` / `x not in [..]`
  with a literal list (of any length), or with the name of a list kept in another file
  (`applicant_tax_code in beneficiari_2018`, read/lists.py: both sides normalised as the list
  says);
- arithmetic: `+ - * /` on numbers (unary `-` too);
- literals: numbers, 'text' or "text", true/false/True/False, `date("2017-06-01")`,
  `datetime("2017-07-31 12:00")`;
- constants of the call: `submission_opens`, `submission_closes` (datetimes),
  `reference_date` (date), bound at evaluation;
- `is_missing(x)`: true when x has no value (never missing itself);
- aggregates over the minors of an application: `any(cond)`, `all(cond)`, `count(cond)`,
  `sum(number)`. Which minors: the rows passed as `members` to `Expression.evaluate` (the engine
  passes the minors still eligible after the minor-level rules, see engine/eligibility.py;
  without `members`, every row of the application). The group is the application
  (`application_id`) unless `group` says otherwise (the engine groups by minor when the
  ranking unit is the minor). Aggregates cannot be nested.

Types and missing values
- Three-valued (Kleene) logic: a comparison involving a missing value is NA; `false and NA` is
  false, `true or NA` is true, `not NA` is NA. `x in [..]` with x missing is NA.
- Aggregates fail closed: `any` is true if some member is true, else NA if some member is NA,
  else false (false for no members); `all` is false if some member is false, else NA if some
  member is NA, else true; `count` and `sum` are NA as soon as one member's value is NA
  (`count(disability and not is_missing(disability))` counts only the known ones). An empty
  count or sum is 0.
- Money fields are integer cents in the table and euros in expressions: `isee <= 35000` means
  35,000.00 EUR. Money, integers and literals are compared and added exactly (scaled integers,
  literals read as Decimal from the text); a division, or a NUMBER (float) field, switches to
  floating point. Division by zero gives NA.
- Text: `==`, `!=`, `in` ignore case and leading/trailing spaces; texts cannot be ordered.
- Dates and datetimes compare with each other (a date is midnight of that day), with `date()`
  and `datetime()` literals and with the constants; no arithmetic on dates.
- Statically wrong types (a date compared with a number, `not` on an amount, `and` between
  numbers) are ExpressionErrors at compile time, with the column of the offending part.
"""

from __future__ import annotations

import ast
import difflib
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any, Literal

import numpy as np
import pandas as pd

from conciliare_cli.fields import Field, Kind, Level
from conciliare_cli.read.lists import NamedList

_MAX_ABS_LITERAL = Decimal(10) ** 15
_MAX_SCALE = 10**9
_INT_LIMIT = 2**62

BOOL, NUM, TEXT, TIME = "bool", "number", "text", "date"
ValueType = Literal["bool", "number", "text", "date"]

_KIND_TYPE: dict[Kind, str] = {
    Kind.TEXT: TEXT,
    Kind.TAX_CODE: TEXT,
    Kind.DATE: TIME,
    Kind.DATETIME: TIME,
    Kind.MONEY: NUM,
    Kind.NUMBER: NUM,
    Kind.INTEGER: NUM,
    Kind.BOOL: BOOL,
}

_KIND_TEXT: dict[Kind, str] = {
    Kind.TEXT: "testo",
    Kind.TAX_CODE: "codice fiscale",
    Kind.DATE: "data",
    Kind.DATETIME: "data e ora",
    Kind.MONEY: "importo",
    Kind.NUMBER: "numero",
    Kind.INTEGER: "numero intero",
    Kind.BOOL: "sì/no",
}

_TYPE_TEXT = {BOOL: "una condizione sì/no", NUM: "un numero", TEXT: "un testo", TIME: "una data"}

CONSTANTS: dict[str, Kind] = {
    "submission_opens": Kind.DATETIME,
    "submission_closes": Kind.DATETIME,
    "reference_date": Kind.DATE,
}

AGGREGATES = ("any", "all", "count", "sum")
FUNCTIONS = (*AGGREGATES, "date", "datetime", "is_missing")


class ExpressionError(ValueError):
    """An expression that cannot be compiled; the message is Italian and says where."""


def call_constants(config: Any) -> dict[str, pd.Timestamp]:
    """The named constants of a call (a CallConfig), ready for `Expression.evaluate`."""
    return {
        "submission_opens": pd.Timestamp(config.call.submission.opens),
        "submission_closes": pd.Timestamp(config.call.submission.closes),
        "reference_date": pd.Timestamp(config.call.reference_date),
    }


# ====================================================================== evaluated values


@dataclass
class _Num:
    """A numeric column: exact (Int64 holding value * scale) or float (Float64, scale None)."""

    data: pd.Series
    scale: int | None


@dataclass
class _Ctx:
    table: pd.DataFrame
    constants: Mapping[str, Any]
    group: pd.Series | np.ndarray | None
    members: pd.Series | None
    _codes: np.ndarray | None = None
    _ngroups: int = 0

    @property
    def n(self) -> int:
        return len(self.table)

    @property
    def index(self) -> pd.Index:
        return self.table.index

    def codes(self) -> tuple[np.ndarray, int]:
        if self._codes is None:
            if isinstance(self.group, np.ndarray) and self.group.dtype.kind in "iu":
                self._codes = self.group.astype(np.int64)  # already group codes 0..k-1
                self._ngroups = int(self._codes.max()) + 1 if len(self._codes) else 0
                return self._codes, self._ngroups
            key = self.group if self.group is not None else self.table["application_id"]
            codes, uniques = pd.factorize(pd.Series(key).to_numpy(), use_na_sentinel=False)
            self._codes, self._ngroups = codes, len(uniques)
        return self._codes, self._ngroups

    def member_mask(self) -> np.ndarray:
        if self.members is None:
            return np.ones(self.n, dtype=bool)
        return pd.Series(self.members).fillna(False).to_numpy(dtype=bool)


def _bool_series(values: np.ndarray, na: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.BooleanArray(values & ~na, na.copy()), index=index)


def _broadcast_bool(value: Any, ctx: _Ctx) -> pd.Series:
    if isinstance(value, pd.Series):
        return value
    n = ctx.n
    return _bool_series(np.full(n, bool(value)), np.zeros(n, dtype=bool), ctx.index)


def _na_mask(v: Any) -> np.ndarray | bool:
    if isinstance(v, _Num):
        return v.data.isna().to_numpy()
    if isinstance(v, pd.Series):
        return v.isna().to_numpy()
    return False


# ====================================================================== nodes


@dataclass
class _Node:
    type: str
    desc: str  # Italian, for messages: "il campo 'isee' (importo)"

    def eval(self, ctx: _Ctx) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def is_const(self) -> bool:
        return False


@dataclass
class _Const(_Node):
    value: Any = None  # bool | Decimal | str | pd.Timestamp

    def eval(self, ctx: _Ctx) -> Any:
        return self.value

    def is_const(self) -> bool:
        return True


@dataclass
class _NamedConst(_Node):
    name: str = ""

    def eval(self, ctx: _Ctx) -> Any:
        if self.name not in ctx.constants:
            raise KeyError(f"constant {self.name!r} not bound")
        value = ctx.constants[self.name]
        return pd.NaT if value is None else pd.Timestamp(value)


@dataclass
class _FieldRef(_Node):
    name: str = ""
    kind: Kind = Kind.TEXT

    def eval(self, ctx: _Ctx) -> Any:
        table, n = ctx.table, ctx.n
        col = table[self.name] if self.name in table.columns else None
        k = self.kind
        if k is Kind.MONEY or k is Kind.INTEGER:
            data = (
                pd.Series(pd.array([pd.NA] * n, dtype="Int64"), index=ctx.index)
                if col is None
                else col.astype("Int64")
            )
            return _Num(data, 100 if k is Kind.MONEY else 1)
        if k is Kind.NUMBER:
            data = (
                pd.Series(pd.array([pd.NA] * n, dtype="Float64"), index=ctx.index)
                if col is None
                else col.astype("Float64")
            )
            return _Num(data, None)
        if k is Kind.BOOL:
            if col is None:
                return _bool_series(np.zeros(n, bool), np.ones(n, bool), ctx.index)
            return col.astype("boolean")
        if k in (Kind.DATE, Kind.DATETIME):
            if col is None:
                return pd.Series(pd.NaT, index=ctx.index, dtype="datetime64[ns]")
            return col if pd.api.types.is_datetime64_any_dtype(col) else pd.to_datetime(col)
        if col is None:
            return pd.Series(pd.array([pd.NA] * n, dtype="string"), index=ctx.index)
        return col.astype("string")


@dataclass
class _Not(_Node):
    arg: _Node = None  # type: ignore[assignment]

    def eval(self, ctx: _Ctx) -> Any:
        v = self.arg.eval(ctx)
        return ~v if isinstance(v, pd.Series) else not v


@dataclass
class _BoolOp(_Node):
    op: str = "and"
    args: list[_Node] = field(default_factory=list)

    def eval(self, ctx: _Ctx) -> Any:
        out: Any = None
        for a in self.args:
            v = a.eval(ctx)
            if out is None:
                out = v
            elif self.op == "and":
                out = _kleene(out, v, "and")
            else:
                out = _kleene(out, v, "or")
        return out


def _kleene(a: Any, b: Any, op: str) -> Any:
    if not isinstance(a, pd.Series) and not isinstance(b, pd.Series):
        return (a and b) if op == "and" else (a or b)
    if not isinstance(a, pd.Series):
        a, b = b, a
    return (a & b) if op == "and" else (a | b)


@dataclass
class _IsMissing(_Node):
    arg: _Node = None  # type: ignore[assignment]

    def eval(self, ctx: _Ctx) -> Any:
        v = self.arg.eval(ctx)
        if isinstance(v, _Num | pd.Series):
            na = _na_mask(v)
            return _bool_series(np.asarray(na, bool), np.zeros(ctx.n, bool), ctx.index)
        return v is None or v is pd.NaT or v is pd.NA


@dataclass
class _Neg(_Node):
    arg: _Node = None  # type: ignore[assignment]

    def eval(self, ctx: _Ctx) -> Any:
        v = self.arg.eval(ctx)
        if isinstance(v, _Num):
            return _Num(-v.data, v.scale)
        return -v


@dataclass
class _Arith(_Node):
    op: str = "+"
    left: _Node = None  # type: ignore[assignment]
    right: _Node = None  # type: ignore[assignment]

    def eval(self, ctx: _Ctx) -> Any:
        return _arith(self.op, self.left.eval(ctx), self.right.eval(ctx))


@dataclass
class _Compare(_Node):
    op: str = "=="
    left: _Node = None  # type: ignore[assignment]
    right: _Node = None  # type: ignore[assignment]
    operand_type: str = NUM

    def eval(self, ctx: _Ctx) -> Any:
        a, b = self.left.eval(ctx), self.right.eval(ctx)
        if self.operand_type == NUM:
            return _compare_num(self.op, a, b, ctx)
        if self.operand_type == TEXT:
            return _compare_text(self.op, a, b, ctx)
        if self.operand_type == TIME:
            return _compare_time(self.op, a, b, ctx)
        return _compare_bool(self.op, a, b, ctx)


@dataclass
class _InList(_Node):
    left: _Node = None  # type: ignore[assignment]
    values: tuple[Any, ...] = ()
    negate: bool = False
    operand_type: str = NUM

    def eval(self, ctx: _Ctx) -> Any:
        v = self.left.eval(ctx)
        if self.operand_type == TEXT:
            allowed = {_norm_text(x) for x in self.values}
            if isinstance(v, pd.Series):
                s = v.astype("string").str.strip().str.casefold()
                res = s.isin(allowed).to_numpy(dtype=bool, na_value=False)
                out = _bool_series(res, s.isna().to_numpy(), ctx.index)
                return ~out if self.negate else out
            return (_norm_text(v) in allowed) != self.negate
        parts = [
            _Compare(
                BOOL,
                "",
                "==",
                _Wrap(self.left.type, "", v),
                _Const(self.operand_type, "", x),
                self.operand_type,
            ).eval(ctx)
            for x in self.values
        ]
        if not parts:
            out = _broadcast_bool(False, ctx) if isinstance(v, _Num | pd.Series) else False
            if isinstance(out, pd.Series):
                na = np.asarray(_na_mask(v), bool)
                out = _bool_series(np.zeros(ctx.n, bool), na, ctx.index)
        else:
            out = parts[0]
            for p in parts[1:]:
                out = _kleene(out, p, "or")
        if self.negate:
            return ~out if isinstance(out, pd.Series) else not out
        return out


@dataclass
class _InNamedList(_Node):
    """`x in name` / `x not in name` with a list kept in another file (read/lists.py): the
    value normalised as the list says, then looked up (vectorised)."""

    left: _Node = None  # type: ignore[assignment]
    named: NamedList = None  # type: ignore[assignment]
    negate: bool = False

    def eval(self, ctx: _Ctx) -> Any:
        v = self.left.eval(ctx)
        if not isinstance(v, pd.Series):
            s = pd.Series([v] * ctx.n, index=ctx.index, dtype="string")
        else:
            s = v
        out = self.named.contains(s)
        return ~out if self.negate else out


@dataclass
class _Wrap(_Node):
    """An already evaluated value, as a node (used by `in` to reuse the comparison)."""

    value: Any = None

    def eval(self, ctx: _Ctx) -> Any:
        return self.value


@dataclass
class _Aggregate(_Node):
    fn: str = "any"
    arg: _Node = None  # type: ignore[assignment]

    def eval(self, ctx: _Ctx) -> Any:
        codes, ng = ctx.codes()
        member = ctx.member_mask()
        v = self.arg.eval(ctx)
        if self.fn == "sum":
            return _aggregate_sum(v, codes, ng, member, ctx)
        s = _broadcast_bool(v, ctx)
        vals = s.to_numpy(dtype=bool, na_value=False)
        na = s.isna().to_numpy() & member
        na_g = np.bincount(codes, weights=na, minlength=ng) > 0
        if self.fn == "any":
            hit = np.bincount(codes, weights=vals & member, minlength=ng) > 0
            return _bool_series(hit[codes], (~hit & na_g)[codes], ctx.index)
        if self.fn == "all":
            miss = np.bincount(codes, weights=~vals & ~na & member, minlength=ng) > 0
            return _bool_series(~miss[codes], (~miss & na_g)[codes], ctx.index)
        counts = np.bincount(codes, weights=vals & member, minlength=ng).astype(np.int64)
        data = pd.arrays.IntegerArray(counts[codes], na_g[codes])
        return _Num(pd.Series(data, index=ctx.index), 1)


def _aggregate_sum(v: Any, codes: np.ndarray, ng: int, member: np.ndarray, ctx: _Ctx) -> _Num:
    if isinstance(v, Decimal):
        counts = np.bincount(codes, weights=member, minlength=ng)
        s = pd.Series(counts[codes], index=ctx.index)
        return _arith("*", _Num(s.astype("Int64"), 1), v)
    na = v.data.isna().to_numpy() & member
    na_g = np.bincount(codes, weights=na, minlength=ng) > 0
    if v.scale is not None:
        vals = v.data.to_numpy(dtype=np.int64, na_value=0) * member
        acc = np.zeros(ng, dtype=np.int64)
        np.add.at(acc, codes, vals)
        return _Num(
            pd.Series(pd.arrays.IntegerArray(acc[codes], na_g[codes]), index=ctx.index), v.scale
        )
    vals = v.data.to_numpy(dtype=np.float64, na_value=0.0) * member
    acc = np.bincount(codes, weights=vals, minlength=ng)
    return _Num(pd.Series(pd.arrays.FloatingArray(acc[codes], na_g[codes]), index=ctx.index), None)


# ====================================================================== numeric helpers


def _decimal_parts(d: Decimal) -> tuple[int, int]:
    """d == p / 10**k with integers p and k >= 0."""
    exp = d.as_tuple().exponent
    k = max(0, -int(exp)) if isinstance(exp, int) else 0
    return int(d.scaleb(k)), 10**k


def _to_float(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    if v.scale is None:
        return v.data
    return v.data.astype("Float64") / v.scale


def _fits(data: pd.Series, factor: int) -> bool:
    if factor == 1:
        return True
    if factor > _MAX_SCALE:
        return False
    m = data.abs().max()
    return m is pd.NA or pd.isna(m) or int(m) * factor < _INT_LIMIT


def _exact_pair(a: Any, b: Any) -> tuple[Any, Any, int] | None:
    """Both operands as integers of one common scale, or None when they must go float."""
    if isinstance(a, Decimal):
        pa, sa = _decimal_parts(a)
    elif a.scale is not None:
        pa, sa = a.data, a.scale
    else:
        return None
    if isinstance(b, Decimal):
        pb, sb = _decimal_parts(b)
    elif b.scale is not None:
        pb, sb = b.data, b.scale
    else:
        return None
    s = max(sa, sb)
    if s > _MAX_SCALE:
        return None
    out = []
    for p, sp in ((pa, sa), (pb, sb)):
        f = s // sp
        if isinstance(p, int):
            if abs(p * f) >= _INT_LIMIT:
                return None
            out.append(p * f)
        else:
            if not _fits(p, f):
                return None
            out.append(p * f if f != 1 else p)
    return out[0], out[1], s


def _arith(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return _fold_arith(op, a, b)
    if op in "+-":
        pair = _exact_pair(a, b)
        if pair is not None:
            x, y, s = pair
            return _Num(_as_series(x + y if op == "+" else x - y), s)
        x, y = _to_float(a), _to_float(b)
        return _Num(_as_series(x + y if op == "+" else x - y).astype("Float64"), None)
    if op == "*":
        if not isinstance(a, Decimal) and isinstance(b, Decimal):
            a, b = b, a
        if isinstance(a, Decimal) and b.scale is not None:
            p, s = _decimal_parts(a)
            if b.scale * s <= _MAX_SCALE and _fits(b.data, abs(p) or 1):
                return _Num(b.data * p, b.scale * s)
        elif (
            not isinstance(a, Decimal)
            and a.scale is not None
            and b.scale is not None
            and a.scale * b.scale <= _MAX_SCALE
        ):
            ma, mb = a.data.abs().max(), b.data.abs().max()
            if pd.isna(ma) or pd.isna(mb) or int(ma) * int(mb) < _INT_LIMIT:
                return _Num(a.data * b.data, a.scale * b.scale)
        x, y = _to_float(a), _to_float(b)
        return _Num(_as_series(x * y).astype("Float64"), None)
    # division: floating point; a zero divisor gives NA
    x, y = _to_float(a), _to_float(b)
    if isinstance(y, float):
        if y == 0.0:
            na = pd.array([pd.NA] * len(x), dtype="Float64")
            return _Num(pd.Series(na, index=x.index), None)
        return _Num(_as_series(x / y).astype("Float64"), None)
    y = y.mask(y == 0)
    return _Num(_as_series(x / y).astype("Float64"), None)


def _as_series(x: Any) -> pd.Series:
    return x if isinstance(x, pd.Series) else pd.Series([x])


def _fold_arith(op: str, a: Decimal, b: Decimal) -> Decimal:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b


_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda x, y: x == y,
    "!=": lambda x, y: x != y,
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
}


def _finish_cmp(res: Any, na: Any, ctx: _Ctx) -> Any:
    """A comparison result as a boolean Series with NA where an operand is missing."""
    if not isinstance(res, pd.Series | np.ndarray):
        if isinstance(na, np.ndarray):
            return _bool_series(np.full(ctx.n, bool(res)), na, ctx.index)
        return pd.NA if na else bool(res)
    vals = np.asarray(pd.Series(res).to_numpy(dtype=bool, na_value=False), bool)
    na_arr = np.asarray(na, bool) if isinstance(na, np.ndarray) else np.full(len(vals), bool(na))
    na_arr = na_arr | np.asarray(pd.Series(res).isna().to_numpy(), bool)
    return _bool_series(vals, na_arr, ctx.index)


def _or_na(a: Any, b: Any) -> Any:
    na_a, na_b = _na_mask(a), _na_mask(b)
    if isinstance(na_a, np.ndarray) and isinstance(na_b, np.ndarray):
        return na_a | na_b
    if isinstance(na_a, np.ndarray):
        return na_a | bool(na_b)
    if isinstance(na_b, np.ndarray):
        return na_b | bool(na_a)
    return bool(na_a or na_b)


def _compare_num(op: str, a: Any, b: Any, ctx: _Ctx) -> Any:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return _CMP[op](a, b)
    pair = _exact_pair(a, b)
    if pair is not None:
        x, y, _ = pair
    else:
        x, y = _to_float(a), _to_float(b)
    res = _CMP[op](x, y)
    return _finish_cmp(res, _or_na(a, b), ctx)


def _norm_text(v: Any) -> Any:
    return v.strip().casefold() if isinstance(v, str) else v


def _compare_text(op: str, a: Any, b: Any, ctx: _Ctx) -> Any:
    def norm(v: Any) -> Any:
        if isinstance(v, pd.Series):
            return v.astype("string").str.strip().str.casefold()
        return _norm_text(v)

    x, y = norm(a), norm(b)
    if not isinstance(x, pd.Series) and not isinstance(y, pd.Series):
        return _CMP[op](x, y)
    return _finish_cmp(_CMP[op](x, y), _or_na(x, y), ctx)


def _compare_time(op: str, a: Any, b: Any, ctx: _Ctx) -> Any:
    na = _or_na(a, b)
    if not isinstance(a, pd.Series) and not isinstance(b, pd.Series):
        if pd.isna(a) or pd.isna(b):
            return _finish_cmp(False, np.ones(ctx.n, bool), ctx)
        return _CMP[op](a, b)
    if not isinstance(a, pd.Series) and pd.isna(a):
        na = np.ones(ctx.n, bool)
        a = pd.Timestamp(0)
    if not isinstance(b, pd.Series) and pd.isna(b):
        na = np.ones(ctx.n, bool)
        b = pd.Timestamp(0)
    return _finish_cmp(_CMP[op](a, b), na, ctx)


def _compare_bool(op: str, a: Any, b: Any, ctx: _Ctx) -> Any:
    if not isinstance(a, pd.Series) and not isinstance(b, pd.Series):
        return _CMP[op](a, b)
    return _finish_cmp(_CMP[op](a, b), _or_na(a, b), ctx)


# ====================================================================== the compiled expression


@dataclass(frozen=True)
class Expression:
    """A compiled expression. Evaluate it with `evaluate(table, constants)`."""

    text: str
    names: frozenset[str]  # fields used (not constants, not functions)
    level: Level  # MINOR when a minor-level field is used outside an aggregate
    type: str  # "bool", "number", "text", "date"
    has_aggregates: bool
    _root: _Node

    def evaluate(
        self,
        table: pd.DataFrame,
        constants: Mapping[str, Any] | None = None,
        *,
        group: pd.Series | np.ndarray | None = None,
        members: pd.Series | None = None,
    ) -> pd.Series:
        """The value for every row of `table`, vectorised.

        Conditions give a `boolean` Series with NA, numbers a `Float64` Series in euros (money
        converted from cents), text a `string` Series, dates `datetime64`. A field absent from
        the table is read as missing on every row. `group` (default `table.application_id`;
        an integer array is taken as group codes 0..k-1 as they are)
        says which rows an aggregate gathers; `members` (boolean, default all) which rows of
        the group it counts.
        """
        ctx = _Ctx(table, constants or {}, group, members)
        v = self._root.eval(ctx)
        n, index = len(table), table.index
        if self.type == BOOL:
            if isinstance(v, pd.Series):
                return v.astype("boolean").set_axis(index)
            if v is pd.NA:
                return _bool_series(np.zeros(n, bool), np.ones(n, bool), index)
            return _bool_series(np.full(n, bool(v)), np.zeros(n, bool), index)
        if self.type == NUM:
            if isinstance(v, Decimal):
                return pd.Series(pd.array([float(v)] * n, dtype="Float64"), index=index)
            return pd.Series(
                _to_float(v).astype("Float64").to_numpy(), index=index, dtype="Float64"
            )
        if isinstance(v, pd.Series):
            return v.set_axis(index)
        return pd.Series([v] * n, index=index)


# ====================================================================== the compiler

_SYNTAX_HINTS = [
    (re.compile(r"was never closed"), "parentesi aperta e mai chiusa"),
    (re.compile(r"unmatched"), "parentesi chiusa senza una aperta"),
    (re.compile(r"unterminated string"), "testo tra virgolette non chiuso"),
    (re.compile(r"Maybe you meant '=='"), "per l'uguaglianza si scrive =="),
    (re.compile(r"unexpected EOF|incomplete input"), "l'espressione è incompleta"),
    (re.compile(r"invalid character"), "carattere non ammesso"),
    (re.compile(r"invalid decimal literal"), "numero scritto in modo non valido"),
]

# 1.500, 35.000, 1.000.000: thousands written the Italian way (three digits after each dot);
# read as decimals they would be 1.5, 35, ...: refused with the number to write instead
_ITALIAN_NUMBER = re.compile(r"(?<![\w.'\"])\d{1,3}(?:\.\d{3})+(?![\w.'\"])")

_CMP_OPS: dict[type, str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_ARITH_OPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_FORBIDDEN: dict[type, str] = {
    ast.Attribute: "l'accesso ad attributi (il punto) non è ammesso",
    ast.Subscript: "gli indici tra parentesi quadre non sono ammessi",
    ast.Lambda: "lambda non è ammessa",
    ast.ListComp: "le comprensioni non sono ammesse",
    ast.SetComp: "le comprensioni non sono ammesse",
    ast.DictComp: "le comprensioni non sono ammesse",
    ast.GeneratorExp: "le comprensioni non sono ammesse",
    ast.IfExp: "'... if ... else ...' non è ammesso",
    ast.JoinedStr: "le f-string non sono ammesse",
    ast.NamedExpr: "':=' non è ammesso",
    ast.Dict: "i dizionari non sono ammessi",
    ast.Set: "gli insiemi tra graffe non sono ammessi",
    ast.Starred: "'*' davanti a un valore non è ammesso",
    ast.Await: "'await' non è ammesso",
    ast.Yield: "'yield' non è ammesso",
    ast.YieldFrom: "'yield' non è ammesso",
}


class _Compiler:
    def __init__(
        self,
        text: str,
        fields: Mapping[str, Field],
        lead: int = 0,
        lists: Mapping[str, NamedList] | None = None,
    ):
        self.text = text
        self.lead = lead
        self.fields = fields
        self.lists = lists or {}
        self.names: set[str] = set()
        self.minor_outside = False
        self.aggregates = False

    # ---------------------------------------------------------------- errors

    def where(self, node: ast.AST | None) -> str:
        if node is None or not hasattr(node, "col_offset"):
            return ""
        src = self.text
        col = len(src.encode("utf-8")[: node.col_offset].decode("utf-8", errors="ignore"))
        return f" (colonna {col + 1 + self.lead})"

    def error(self, msg: str, node: ast.AST | None = None) -> ExpressionError:
        return ExpressionError(f"{msg}{self.where(node)}")

    def segment(self, node: ast.AST) -> str:
        seg = ast.get_source_segment(self.text, node)
        return seg if seg else ast.unparse(node)

    # ---------------------------------------------------------------- entry

    def compile(self, node: ast.AST, in_aggregate: bool = False) -> _Node:
        method = getattr(self, f"c_{type(node).__name__}", None)
        if method is None:
            for cls, msg in _FORBIDDEN.items():
                if isinstance(node, cls):
                    raise self.error(f"espressione non valida: {msg}", node)
            raise self.error(f"espressione non valida: '{self.segment(node)}' non è ammesso", node)
        return method(node, in_aggregate)

    # ---------------------------------------------------------------- leaves

    def c_Constant(self, node: ast.Constant, agg: bool) -> _Node:
        v = node.value
        if isinstance(v, bool):
            return _Const(BOOL, "vero" if v else "falso", v)
        if isinstance(v, int | float):
            if isinstance(v, float) and not np.isfinite(v):
                raise self.error("numero troppo grande", node)
            try:
                d = Decimal(self.segment(node).replace("_", ""))
            except InvalidOperation:
                d = Decimal(v) if isinstance(v, int) else Decimal(repr(v))
            if not d.is_finite() or abs(d) >= _MAX_ABS_LITERAL:
                raise self.error("numero troppo grande", node)
            return _Const(NUM, f"il numero {self.segment(node)}", d)
        if isinstance(v, str):
            return _Const(TEXT, f"il testo {v!r}", v)
        if v is None:
            raise self.error("None non è ammesso: per un dato mancante usa is_missing(campo)", node)
        raise self.error(f"valore non ammesso: {self.segment(node)}", node)

    def c_Name(self, node: ast.Name, agg: bool) -> _Node:
        name = node.id
        if name in ("true", "false"):
            return _Const(BOOL, "vero" if name == "true" else "falso", name == "true")
        if name in CONSTANTS:
            return _NamedConst(TIME, f"la costante '{name}'", name)
        f = self.fields.get(name)
        if f is None and name in self.lists:
            raise self.error(
                f"'{name}' è un elenco: si usa dopo 'in', es. applicant_tax_code in {name}", node
            )
        if f is None:
            if name in ("null", "none", "None", "NULL", "nan", "NaN"):
                raise self.error(
                    f"'{name}' non è ammesso: per un dato mancante usa is_missing(campo)", node
                )
            if name.lower() in ("and", "or", "not", "in"):
                raise self.error(f"scrivi '{name.lower()}' in minuscolo", node)
            candidates = [*self.fields, *CONSTANTS, *self.lists]
            close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
            hint = f" (forse '{close[0]}'?)" if close else ""
            raise self.error(f"campo sconosciuto '{name}'{hint}", node)
        self.names.add(name)
        if f.level is Level.MINOR and not agg:
            self.minor_outside = True
        kind = f.kind
        return _FieldRef(_KIND_TYPE[kind], f"il campo '{name}' ({_KIND_TEXT[kind]})", name, kind)

    # ---------------------------------------------------------------- logic

    def want_bool(self, node: _Node, what: str, src: ast.AST) -> None:
        if node.type != BOOL:
            raise self.error(
                f"{what} richiede condizioni vere o false, ma {node.desc} è "
                f"{_TYPE_TEXT[node.type]}",
                src,
            )

    def c_BoolOp(self, node: ast.BoolOp, agg: bool) -> _Node:
        op = "and" if isinstance(node.op, ast.And) else "or"
        args = []
        for v in node.values:
            c = self.compile(v, agg)
            self.want_bool(c, f"'{op}'", v)
            args.append(c)
        return _BoolOp(BOOL, "una condizione", op, args)

    def c_UnaryOp(self, node: ast.UnaryOp, agg: bool) -> _Node:
        arg = self.compile(node.operand, agg)
        if isinstance(node.op, ast.Not):
            self.want_bool(arg, "'not'", node.operand)
            if isinstance(arg, _Const):
                return _Const(BOOL, arg.desc, not arg.value)
            return _Not(BOOL, "una condizione", arg)
        if isinstance(node.op, ast.USub | ast.UAdd):
            if arg.type != NUM:
                raise self.error(f"il segno si applica solo ai numeri, non a {arg.desc}", node)
            if isinstance(node.op, ast.UAdd):
                return arg
            if isinstance(arg, _Const):
                return _Const(NUM, f"il numero -{arg.value}", -arg.value)
            return _Neg(NUM, "un numero", arg)
        raise self.error(
            "espressione non valida: '~' non è ammesso (per negare si scrive 'not')", node
        )

    def c_BinOp(self, node: ast.BinOp, agg: bool) -> _Node:
        op = _ARITH_OPS.get(type(node.op))
        if op is None:
            symbol = {
                ast.BitAnd: "&",
                ast.BitOr: "|",
                ast.BitXor: "^",
                ast.Pow: "**",
                ast.Mod: "%",
                ast.FloorDiv: "//",
                ast.LShift: "<<",
                ast.RShift: ">>",
                ast.MatMult: "@",
            }.get(type(node.op), "?")
            hint = {"&": " (usa 'and')", "|": " (usa 'or')"}.get(symbol, "")
            raise self.error(
                f"espressione non valida: l'operatore '{symbol}' non è ammesso{hint}", node
            )
        left, right = self.compile(node.left, agg), self.compile(node.right, agg)
        for side in (left, right):
            if side.type != NUM:
                raise self.error(f"'{op}' si applica solo ai numeri, non a {side.desc}", node)
        if isinstance(left, _Const) and isinstance(right, _Const):
            try:
                value = _fold_arith(op, left.value, right.value)
            except (DivisionByZero, InvalidOperation, ZeroDivisionError) as exc:
                raise self.error("divisione per zero", node) from exc
            if abs(value) >= _MAX_ABS_LITERAL:
                raise self.error("numero troppo grande", node)
            return _Const(NUM, f"il numero {self.segment(node)}", value)
        return _Arith(NUM, "un numero", op, left, right)

    def c_Compare(self, node: ast.Compare, agg: bool) -> _Node:
        parts: list[_Node] = []
        left = self.compile(node.left, agg)
        for op_node, right_ast in zip(node.ops, node.comparators, strict=True):
            if isinstance(op_node, ast.In | ast.NotIn):
                parts.append(
                    self.in_list(left, right_ast, isinstance(op_node, ast.NotIn), agg, node)
                )
                if len(node.ops) > 1:
                    raise self.error("'in' non si può concatenare ad altri confronti", node)
                continue
            op = _CMP_OPS.get(type(op_node))
            if op is None:
                word = "is not" if isinstance(op_node, ast.IsNot) else "is"
                raise self.error(
                    f"espressione non valida: '{word}' non è ammesso (usa == oppure "
                    "is_missing(campo))",
                    node,
                )
            right = self.compile(right_ast, agg)
            parts.append(self.compare(op, left, right, right_ast))
            left = right
        if len(parts) == 1:
            return parts[0]
        return _BoolOp(BOOL, "una condizione", "and", parts)

    def compare(self, op: str, left: _Node, right: _Node, where: ast.AST) -> _Node:
        if left.type != right.type:
            raise self.error(f"non si può confrontare {left.desc} con {right.desc}", where)
        if left.type in (TEXT, BOOL) and op not in ("==", "!="):
            what = "i testi" if left.type == TEXT else "le condizioni sì/no"
            raise self.error(f"{what} si confrontano solo con == e !=", where)
        node = _Compare(BOOL, "un confronto", op, left, right, left.type)
        if isinstance(left, _Const) and isinstance(right, _Const):
            value = _CMP[op](_norm_text(left.value), _norm_text(right.value))
            return _Const(BOOL, "un confronto", bool(value))
        return node

    def in_list(
        self, left: _Node, right_ast: ast.AST, negate: bool, agg: bool, where: ast.AST
    ) -> _Node:
        if isinstance(right_ast, ast.Name) and right_ast.id in self.lists:
            if left.type != TEXT:
                raise self.error(
                    f"un elenco contiene testi: non si può cercarvi {left.desc}", where
                )
            named = self.lists[right_ast.id]
            return _InNamedList(BOOL, "un confronto", left, named, negate)
        if not isinstance(right_ast, ast.List | ast.Tuple):
            hint = ""
            if isinstance(right_ast, ast.Name):
                close = difflib.get_close_matches(right_ast.id, list(self.lists), n=1)
                hint = f" (forse l'elenco '{close[0]}'?)" if close else ""
            raise self.error(
                "dopo 'in' serve una lista tra parentesi quadre, es. ['a', 'b'], o il nome di "
                f"un elenco dichiarato in lists{hint}",
                right_ast,
            )
        values = []
        for elt in right_ast.elts:
            c = self.compile(elt, agg)
            if not isinstance(c, _Const):
                raise self.error("la lista dopo 'in' può contenere solo valori fissi", elt)
            if c.type != left.type:
                raise self.error(f"non si può confrontare {left.desc} con {c.desc}", elt)
            values.append(c.value)
        if left.type == BOOL:
            raise self.error("'in' non si usa con le condizioni sì/no", where)
        return _InList(BOOL, "un confronto", left, tuple(values), negate, left.type)

    # ---------------------------------------------------------------- calls

    def c_Call(self, node: ast.Call, agg: bool) -> _Node:
        if not isinstance(node.func, ast.Name):
            raise self.error(
                "espressione non valida: si possono chiamare solo le funzioni "
                + ", ".join(FUNCTIONS),
                node,
            )
        fn = node.func.id
        if fn not in FUNCTIONS:
            close = difflib.get_close_matches(fn, FUNCTIONS, n=1, cutoff=0.6)
            hint = f" (forse '{close[0]}'?)" if close else ""
            raise self.error(
                f"funzione non ammessa '{fn}'{hint}; ammesse: {', '.join(FUNCTIONS)}", node
            )
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise self.error(f"{fn}(...) vuole un solo argomento", node)
        arg_ast = node.args[0]
        if fn in ("date", "datetime"):
            return self.literal_time(fn, arg_ast, node)
        if fn == "is_missing":
            arg = self.compile(arg_ast, agg)
            if arg.is_const():
                raise self.error("is_missing(...) si usa su un campo", node)
            return _IsMissing(BOOL, f"is_missing({self.segment(arg_ast)})", arg)
        # aggregates
        if agg:
            raise self.error(f"{fn}(...) non può stare dentro un'altra aggregazione", node)
        self.aggregates = True
        arg = self.compile(arg_ast, True)
        if fn == "sum":
            if arg.type != NUM:
                raise self.error(f"sum(...) somma numeri, non {arg.desc}", arg_ast)
            return _Aggregate(NUM, f"sum({self.segment(arg_ast)})", fn, arg)
        if arg.type != BOOL:
            raise self.error(f"{fn}(...) vuole una condizione, non {arg.desc}", arg_ast)
        typ = NUM if fn == "count" else BOOL
        return _Aggregate(typ, f"{fn}({self.segment(arg_ast)})", fn, arg)

    def literal_time(self, fn: str, arg_ast: ast.AST, node: ast.AST) -> _Node:
        if not (isinstance(arg_ast, ast.Constant) and isinstance(arg_ast.value, str)):
            example = '"2017-06-01"' if fn == "date" else '"2017-07-31 12:00"'
            raise self.error(f"{fn}(...) vuole una data tra virgolette, es. {fn}({example})", node)
        raw = arg_ast.value.strip()
        try:
            value = (
                datetime.combine(date.fromisoformat(raw), datetime.min.time())
                if fn == "date"
                else datetime.fromisoformat(raw)
            )
        except ValueError as exc:
            example = "AAAA-MM-GG" if fn == "date" else "AAAA-MM-GG HH:MM"
            raise self.error(
                f"{fn}({arg_ast.value!r}): data non valida (formato {example})", node
            ) from exc
        if value.tzinfo is not None:
            raise self.error(f"{fn}(...): indica la data senza fuso orario", node)
        return _Const(TIME, f"{fn}({arg_ast.value!r})", pd.Timestamp(value))

    # ---------------------------------------------------------------- lists outside 'in'

    def c_List(self, node: ast.List, agg: bool) -> _Node:
        raise self.error("una lista si usa solo dopo 'in', es. service in ['a', 'b']", node)

    c_Tuple = c_List


def compile_expression(
    text: str,
    fields: Mapping[str, Field],
    *,
    level: Level | None = None,
    expect: Literal["condition", "any"] = "condition",
    lists: Mapping[str, NamedList] | None = None,
) -> Expression:
    """Parse and type-check `text` against the known `fields`; raise ExpressionError.

    `level` is the context the expression is used in: APPLICATION forbids minor-level fields
    outside an aggregate; MINOR forbids aggregates; None accepts both. With
    `expect="condition"` the result must be true/false.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("espressione vuota")
    # YAML may fold a long condition over lines: columns count on the text as one line.
    flat = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    lead = len(flat) - len(flat.lstrip())
    source = flat.strip()
    italian = _ITALIAN_NUMBER.search(source)
    if italian:
        number = italian.group(0)
        raise ExpressionError(
            f"il numero {number} sembra scritto all'italiana, con il punto delle migliaia: "
            f"nelle regole il punto separa i decimali; scrivi {number.replace('.', '')} "
            f"(colonna {italian.start() + 1 + lead})"
        )
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        hint = next((h for rx, h in _SYNTAX_HINTS if rx.search(str(exc.msg))), "sintassi errata")
        offset = exc.offset if (exc.lineno or 1) == 1 else None
        if offset and source[offset - 1 : offset] == "=" and source[offset : offset + 1] != "=":
            hint = "per l'uguaglianza si scrive =="
        where = f" (colonna {offset + lead})" if offset else ""
        raise ExpressionError(f"espressione non valida: {hint}{where}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(
            "espressione non valida: caratteri o annidamenti non ammessi"
        ) from None
    comp = _Compiler(source, fields, lead, lists)
    try:
        root = comp.compile(tree.body)
    except RecursionError:
        raise ExpressionError("espressione troppo complessa") from None
    if expect == "condition" and root.type != BOOL:
        raise ExpressionError(
            f"la condizione deve essere vera o falsa, ma è {_TYPE_TEXT[root.type]}"
        )
    expr = Expression(
        text=text,
        names=frozenset(comp.names),
        level=Level.MINOR if comp.minor_outside else Level.APPLICATION,
        type=root.type,
        has_aggregates=comp.aggregates,
        _root=root,
    )
    if level is not None:
        check_level(expr, level, fields)
    return expr


def check_level(expr: Expression, level: Level, fields: Mapping[str, Field]) -> None:
    """Raise ExpressionError when `expr` cannot be used in the context `level`: APPLICATION
    forbids minor-level fields outside an aggregate, MINOR forbids aggregates."""
    if level is Level.APPLICATION and expr.level is Level.MINOR:
        minor = sorted(n for n in expr.names if fields[n].level is Level.MINOR)
        raise ExpressionError(
            "condizione a livello di domanda che usa dati del minore ("
            + ", ".join(minor)
            + "): usa any(...), all(...) o count(...)"
        )
    if level is Level.MINOR and expr.has_aggregates:
        raise ExpressionError(
            "any/all/count/sum si usano solo nelle condizioni a livello di domanda"
        )


# ====================================================================== its conditions


@dataclass(frozen=True)
class Condition:
    """One elementary condition of an expression, for the words of a reason: a field compared
    with a bound (`op`: == != < <= > >=), a field in a list (`in`, `not in`), or a yes/no field
    (`is` true, `not` true). `bound` is a literal (Decimal, text, Timestamp, a tuple for `in`),
    or ("const", name) for a constant of the call, or ("field", name) for another field.
    `expression` is the condition alone, ready to evaluate."""

    field: str
    op: str
    bound: Any
    expression: Expression


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def conditions(expr: Expression) -> list[Condition]:
    """The elementary conditions of `expr` joined by and/or, in order. Parts that are not
    a field against a bound (an aggregate, arithmetic) are left out: their words come from
    the rule's own message."""
    out: list[Condition] = []
    _collect(expr._root, expr, out)
    return out


def _collect(node: _Node, expr: Expression, out: list[Condition]) -> None:
    if isinstance(node, _BoolOp):
        for arg in node.args:
            _collect(arg, expr, out)
        return
    found = _condition(node)
    if found is not None:
        field_name, op, bound = found
        alone = Expression(
            text=expr.text,
            names=frozenset({field_name}),
            level=expr.level,
            type=BOOL,
            has_aggregates=False,
            _root=node,
        )
        out.append(Condition(field_name, op, bound, alone))


def _condition(node: _Node) -> tuple[str, str, Any] | None:
    if isinstance(node, _FieldRef) and node.kind is Kind.BOOL:
        return node.name, "is", True
    if isinstance(node, _Not) and isinstance(node.arg, _FieldRef):
        return node.arg.name, "not", True
    if isinstance(node, _InList) and isinstance(node.left, _FieldRef):
        return node.left.name, "not in" if node.negate else "in", tuple(node.values)
    if isinstance(node, _Compare):
        left, right, op = node.left, node.right, node.op
        if not isinstance(left, _FieldRef) and isinstance(right, _FieldRef):
            left, right, op = right, left, _FLIP[op]
        if isinstance(left, _FieldRef):
            bound = _bound(right)
            if bound is not None:
                return left.name, op, bound
    return None


def _bound(node: _Node) -> Any:
    if isinstance(node, _Const):
        return node.value
    if isinstance(node, _NamedConst):
        return ("const", node.name)
    if isinstance(node, _FieldRef):
        return ("field", node.name)
    if isinstance(node, _Neg) and isinstance(node.arg, _Const):
        return -node.arg.value
    return None
