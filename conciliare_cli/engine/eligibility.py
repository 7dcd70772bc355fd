"""Eligibility: who is excluded, and every reason why (not only the first); and which
applications wait for their data to be regularised (`pending_rows`).

The rows of the table are minors; an application is the group of rows with one
`application_id`. Reasons are of two levels:
- application-level (rules with `level: application`, DOMANDA_SOSTITUITA, a criterion's
  missing data when the unit is the application): they exclude every minor of the
  application;
- minor-level (rules with `level: minor`, COSTO_MANCANTE, MINORE_IN_ALTRA_DOMANDA): they
  exclude that minor only.
Exclusion is decided only by the call's rules on values that were read. A blocking finding
(a value that could not be read, a conflict between rows) does not exclude: the application
is DA_REGOLARIZZARE until the finding is resolved (`pending_rows`).

A rule passes where its `require` is true; where it is false the rule fails; where it cannot be
evaluated (NA, a missing value) `on_missing` decides: `exclude` (the default: fail closed) or
`admit`. An application-level rule is read on the application's first row (in minor order), so
one application has one outcome (rows that disagree on a field the rules use are a blocking
DOMANDA_INCOERENTE: the application waits until the office says which value holds).
Minor-level rules are evaluated first; `eligible_minors` then counts, per application, the
minors no minor-level reason excludes, and application-level rules see it (and their
any/all/count/sum aggregate over those minors only).

`exclusion_reasons` lists the codes joined by ';': application-level codes first, then the
minor's own, each group in the order the reasons were added (rules in YAML order, then duplicates,
missing data); a code appears once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from conciliare_cli.engine.compile import EligibilityRule
from conciliare_cli.fields import Level
from conciliare_cli.findings import open_blocking


@dataclass
class Groups:
    """Row → application codes, with each application's first row.

    Built from a table in canonical order (engine/stages.py: canonical_order), where the
    rows of an application are together and applications sorted by id: the codes follow the
    order of the ids."""

    app_codes: np.ndarray  # per row: application index 0..n_apps-1
    app_first: np.ndarray  # per application: index of its first row
    app_ids: np.ndarray  # per application: application_id

    @classmethod
    def of(cls, table: pd.DataFrame) -> Groups:
        ids = table["application_id"].astype("string").to_numpy(dtype=object, na_value="")
        n = len(ids)
        change = np.ones(n, dtype=bool)
        if n > 1:
            change[1:] = ids[1:] != ids[:-1]
        first = np.flatnonzero(change)
        codes = np.cumsum(change) - 1
        if len(set(ids[first])) != len(first):
            raise ValueError("rows of an application must be together (canonical order)")
        return cls(codes.astype(np.int64), first.astype(np.int64), ids[first])

    @property
    def n_apps(self) -> int:
        return len(self.app_ids)

    def broadcast_app(self, per_row: np.ndarray) -> np.ndarray:
        """The value on each application's first row, on every row of the application."""
        return per_row[self.app_first][self.app_codes]

    def count_per_app(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.app_codes, weights=mask, minlength=self.n_apps).astype(np.int64)


@dataclass
class Exclusions:
    """Reason masks over the rows, by level; `reasons()` joins them into strings."""

    n: int
    app: dict[str, np.ndarray] = field(default_factory=dict)
    minor: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, code: str, mask: np.ndarray, level: Level) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        target = self.app if level is Level.APPLICATION else self.minor
        target[code] = target[code] | mask if code in target else mask.copy()

    def app_excluded(self) -> np.ndarray:
        return _any(self.app.values(), self.n)

    def minor_excluded(self) -> np.ndarray:
        return _any(self.minor.values(), self.n)

    def excluded(self) -> np.ndarray:
        return self.app_excluded() | self.minor_excluded()

    def matrix(self) -> tuple[list[str], np.ndarray]:
        """The codes (application-level first) and a (rows, codes) mask; a code that is both
        application- and minor-level has two columns that never overlap on a row."""
        items = list(self.app.items()) + [
            (c, m & ~self.app[c]) if c in self.app else (c, m) for c, m in self.minor.items()
        ]
        if not items:
            return [], np.zeros((self.n, 0), dtype=bool)
        return [c for c, _ in items], np.column_stack([m for _, m in items])

    def reasons(self) -> np.ndarray:
        """Per row, the codes joined by ';' ('' when admitted)."""
        codes, matrix = self.matrix()
        return join_codes(codes, matrix)


def join_codes(codes: list[str], matrix: np.ndarray) -> np.ndarray:
    """Per row of a (rows, codes) mask, the codes it has joined by ';' in column order.

    Few distinct combinations occur, so each is joined once (vectorised over the rows)."""
    out = np.full(matrix.shape[0], "", dtype=object)
    rows = np.flatnonzero(matrix.any(axis=1)) if matrix.shape[1] else np.zeros(0, np.int64)
    if not len(rows):
        return out
    combos, inverse = np.unique(np.packbits(matrix[rows], axis=1), axis=0, return_inverse=True)
    on = np.unpackbits(combos, axis=1)[:, : len(codes)].astype(bool)
    texts = [
        ";".join(dict.fromkeys(c for c, hit in zip(codes, row, strict=True) if hit)) for row in on
    ]
    out[rows] = np.array(texts, dtype=object)[np.asarray(inverse).ravel()]
    return out


def _any(masks: object, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    for m in masks:  # type: ignore[attr-defined]
        out |= m
    return out


def rule_fails(values: pd.Series, on_missing: str) -> np.ndarray:
    """Where a rule fails: false, or NA with on_missing=exclude."""
    false = values.eq(False).fillna(False).to_numpy(dtype=bool)
    if on_missing == "exclude":
        return false | values.isna().to_numpy()
    return false


def apply_rules(
    table: pd.DataFrame,
    rules: Sequence[EligibilityRule],
    level: Level,
    constants: Mapping[str, object],
    groups: Groups,
    exclusions: Exclusions,
    members: np.ndarray | None = None,
) -> None:
    """Evaluate the compiled eligibility rules of one level."""
    mem = None if members is None else pd.Series(members, index=table.index)
    for rule in rules:
        if rule.level is not level:
            continue
        values = rule.require.evaluate(table, constants, group=groups.app_codes, members=mem)
        fails = rule_fails(values, rule.on_missing)
        if level is Level.APPLICATION:
            fails = groups.broadcast_app(fails)
        exclusions.add(rule.code, fails, level)


def pending_rows(table: pd.DataFrame, findings: pd.DataFrame) -> np.ndarray:
    """Per row: its application has an open blocking finding, on any of its rows (a defect
    in the data to put to the applicant before deciding): it is neither excluded nor ranked
    until the finding is resolved. A finding never decides an exclusion by itself."""
    if findings is None or not len(findings) or "application_id" not in table.columns:
        return np.zeros(len(table), dtype=bool)
    mine = findings[open_blocking(findings)]
    targets = set(mine["application_id"].dropna().astype(str))
    if not targets:
        return np.zeros(len(table), dtype=bool)
    ids = table["application_id"].astype("string")
    return ids.isin(targets).fillna(False).to_numpy(dtype=bool)
