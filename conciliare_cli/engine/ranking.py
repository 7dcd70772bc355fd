"""Ranking: score (highest first), the tie-breakers in order, then the lottery.

- Tie-breakers read the unit's value of a field (its first row): `order: asc` puts the
  smaller value first (earlier dates, lower ISEE), `desc` the larger; `missing: last` (the
  default) or `first` places the units without a value. Text compares without case.
- The lottery key of a unit is the hexadecimal SHA-256 of "<seed>:<unit id>" (unit id =
  application_id, or row_key when the unit is the minor); lower keys come first. The call
  may hash another text or reverse the direction (engine/lottery.py). Anyone can
  recompute it, and it never depends on the order of the input rows: the whole order is one
  sort (np.lexsort) on complete keys.
- `decided_by`: for a unit with the same score as the unit before or after it, the label of the
  first tie-breaker that differs between them ('sorteggio' for the lottery); when it ties
  with both neighbours, the later of the two in the list of tie-breakers (the one that fixed
  its exact place). '' for a unit whose score is unique.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from conciliare_cli.fields import Kind

LOTTERY_LABEL = "sorteggio"


@dataclass
class Lottery:
    """The lottery keys of the units: SHA-256 digests as 4 big-endian 64-bit words (they sort
    like the hexadecimal text) and, for the outputs, the hexadecimal text itself."""

    words: np.ndarray  # (units, 4) uint64
    descending: bool = False  # the higher hash first

    @classmethod
    def of(cls, seed: str, unit_ids: np.ndarray | list[str]) -> Lottery:
        return cls.of_texts([f"{seed}:", ""], unit_ids)

    @classmethod
    def of_texts(
        cls, around: list[str], keys: np.ndarray | list[str], descending: bool = False
    ) -> Lottery:
        """SHA-256 of around[0] + key + around[1] (UTF-8) per unit."""
        prefix, suffix = around[0].encode("utf-8"), around[1].encode("utf-8")
        sha = hashlib.sha256
        digests = b"".join([sha(prefix + str(u).encode("utf-8") + suffix).digest() for u in keys])
        words = np.frombuffer(digests, dtype=">u8").reshape(-1, 4).astype(np.uint64)
        return cls(words, descending)

    @property
    def sort_words(self) -> np.ndarray:
        """The words to sort on: the hash, or its complement for `desc` (reversed order)."""
        return ~self.words if self.descending else self.words

    def subset(self, idx: np.ndarray) -> Lottery:
        return Lottery(self.words[idx], self.descending)

    def hex(self) -> np.ndarray:
        """The keys as text: hex SHA-256 of "<seed>:<unit id>" (object array of str)."""
        text = self.words.astype(">u8").tobytes().hex()
        return np.array([text[i : i + 64] for i in range(0, len(text), 64)], dtype=object)


def lottery_keys(seed: str, unit_ids: np.ndarray | list[str]) -> np.ndarray:
    """hex SHA-256 of f"{seed}:{unit_id}" per unit."""
    return Lottery.of(seed, unit_ids).hex()


@dataclass
class TieKey:
    """One tie-breaker as sortable arrays (per unit)."""

    label: str
    value: np.ndarray  # int64 or float64, already negated for desc
    missing_flag: np.ndarray  # 0/1: sorts before value
    raw: pd.Series | None = None  # the values as read (for the outputs)

    @classmethod
    def of(cls, values: pd.Series, kind: Kind, order: str, missing: str, label: str) -> TieKey:
        na = values.isna().to_numpy()
        if kind in (Kind.TEXT, Kind.TAX_CODE):
            text = values.astype("string").str.strip().str.casefold()
            codes, _ = pd.factorize(text.to_numpy(dtype=object), sort=True)
            key = codes.astype(np.int64)
        elif kind in (Kind.DATE, Kind.DATETIME):
            t = pd.to_datetime(values)
            key = t.to_numpy(dtype="datetime64[ns]").astype(np.int64)
        elif kind is Kind.BOOL:
            key = values.astype("boolean").to_numpy(dtype=np.int64, na_value=0)
        elif kind in (Kind.MONEY, Kind.INTEGER):
            key = pd.array(values, dtype="Int64").to_numpy(dtype=np.int64, na_value=0)
        else:
            key = pd.array(values, dtype="Float64").to_numpy(dtype=np.float64, na_value=0.0)
        key = np.where(na, 0, key)
        if order == "desc":
            key = -key
        flag = (~na if missing == "first" else na).astype(np.int64)
        return cls(label, key, flag, values)


@dataclass
class Ranked:
    order: np.ndarray  # positions of the ranked units, best first
    decided_by: np.ndarray  # per ranked position (aligned with order)


def rank(
    score_th: np.ndarray,
    ties: list[TieKey],
    lottery: Lottery,
    tiebreak: np.ndarray | None = None,
) -> Ranked:
    """Order the given units (all arrays aligned, one entry per unit to rank). `tiebreak`
    (default: position) only separates units with the same lottery key, i.e. the same id."""
    n = len(score_th)
    if n == 0:
        return Ranked(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object))
    keys: list[np.ndarray] = [-np.asarray(score_th, dtype=np.int64)]
    for t in ties:
        keys += [t.missing_flag, t.value]
    keys += [lottery.sort_words[:, i] for i in range(4)]
    keys.append(np.arange(n) if tiebreak is None else np.asarray(tiebreak))
    order = np.lexsort(tuple(reversed(keys)))
    return Ranked(order, _decided_by(order, score_th, ties, lottery))


def _decided_by(
    order: np.ndarray, score_th: np.ndarray, ties: list[TieKey], lottery: Lottery
) -> np.ndarray:
    n = len(order)
    labels = np.array([t.label for t in ties] + [LOTTERY_LABEL, ""], dtype=object)
    out = np.full(n, "", dtype=object)
    if n < 2:
        return out
    s = np.asarray(score_th)[order]
    same = s[1:] == s[:-1]  # pair (i, i+1)
    diffs = []
    for t in ties:
        v, f = t.value[order], t.missing_flag[order]
        diffs.append((v[1:] != v[:-1]) | (f[1:] != f[:-1]))
    lot = lottery.words[order]
    diffs.append((lot[1:] != lot[:-1]).any(axis=1))
    diffs.append(np.ones(n - 1, dtype=bool))  # same lottery key: cannot happen
    level = np.full(n - 1, -1, dtype=np.int64)  # first differing level per tied pair
    tied = np.flatnonzero(same)
    if len(tied):
        level[tied] = np.argmax(np.column_stack([d[tied] for d in diffs]), axis=1)
    before = np.concatenate([[-1], level])  # pair with the previous unit
    after = np.concatenate([level, [-1]])  # pair with the next unit
    deepest = np.maximum(before, after)
    has = deepest >= 0
    out[has] = labels[deepest[has]]
    return out
