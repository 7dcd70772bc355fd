"""The lottery as the call defines it (`ranking.lottery`), compiled: `LotteryRule`.

- Which text: each unit's `key` — the ranking unit's id by default (the application id, or
  the minor's row key when ranking by minor), `protocol` (the partner's own number: the
  application id without "<partner>-"), or a text field (`applicant_tax_code`, ...); a
  missing value is the empty text.
- How: the SHA-256 of the UTF-8 bytes of `text` with {seed} and {key} put in (default
  "{seed}:{key}"), compared as lower-case hexadecimal.
- Direction: `asc` (default), the lower hash first; `desc`, the higher.
Two units with the same text (the minors of one application, with the applicant's tax code
as key) stay in their id order.

The same lottery decides ties among repeated applications (engine/duplicates.py) at the same
time of submission: there the text of an application is its own (the key read on its first
row; the application id when the key is the ranking unit's).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from conciliare_cli.engine.ranking import Lottery
from conciliare_cli.fields import Field, Kind, Level

PROTOCOL = "protocol"
DEFAULT_TEXT = "{seed}:{key}"
_PLACEHOLDER = re.compile(r"(\{seed\}|\{key\})")


@dataclass(frozen=True)
class LotteryRule:
    seed: str
    key: str | None = None  # None: the ranking unit's id
    text: str = DEFAULT_TEXT
    descending: bool = False

    @property
    def is_default(self) -> bool:
        return self.key is None and self.text == DEFAULT_TEXT and not self.descending

    def hashed_text(self, key: str) -> str:
        """The text whose SHA-256 is the key, for one unit's key value."""
        parts = _PLACEHOLDER.split(self.text)
        return "".join(self.seed if p == "{seed}" else key if p == "{key}" else p for p in parts)

    def draw(self, keys: np.ndarray | list[str]) -> Lottery:
        """The lottery of units whose key values are `keys`."""
        prefix, suffix = self.text.split("{key}")
        return Lottery.of_texts(
            [p.replace("{seed}", self.seed) for p in (prefix, suffix)],
            keys,
            descending=self.descending,
        )

    # -- the key of each unit / application
    def unit_keys(self, table: pd.DataFrame, first: np.ndarray, unit_ids: np.ndarray) -> np.ndarray:
        """The key value of each ranking unit (its first row)."""
        if self.key is None:
            return np.asarray(unit_ids, dtype=object)
        return self._values(table)[first]

    def application_keys(self, table: pd.DataFrame, app_first: np.ndarray) -> np.ndarray:
        """The key value of each application (its first row): for the duplicates' ties."""
        if self.key is None:
            ids = table["application_id"].astype("string").to_numpy(dtype=object, na_value="")
            return ids[app_first]
        return self._values(table)[app_first]

    def _values(self, table: pd.DataFrame) -> np.ndarray:
        if self.key == PROTOCOL:
            return protocols(table)
        if self.key not in table.columns:
            return np.full(len(table), "", dtype=object)
        return table[self.key].astype("string").to_numpy(dtype=object, na_value="")

    # -- words
    def recipe(self, key_words: str) -> str:
        """The recipe in Italian, for `explain` and the Criteri sheet."""
        direction = "la minore" if not self.descending else "la maggiore"
        text = self.text.replace("{seed}", self.seed).replace("{key}", f"<{key_words}>")
        return (
            f'impronta SHA-256 del testo "{text}" (UTF-8), in esadecimale minuscolo; '
            f"a pari punteggio e criteri precedenti viene prima {direction}"
        )


def protocols(table: pd.DataFrame) -> np.ndarray:
    """The partner's own number of each row: the application id without '<partner id>-'
    (vectorised per partner)."""
    ids = table["application_id"].astype("string").fillna("")
    out = ids.to_numpy(dtype=object).copy()
    if "partner_id" not in table.columns:
        return out
    pids = table["partner_id"].astype("string")
    for pid in pd.unique(pids.dropna()):
        prefix = f"{pid}-"
        mask = (pids == pid).fillna(False) & ids.str.startswith(prefix)
        if mask.any():
            out[mask.to_numpy()] = ids[mask].str.slice(len(prefix)).to_numpy(dtype=object)
    return out


def key_words(rule: LotteryRule, fields: Mapping[str, Field], by_minor: bool) -> str:
    """What the key is, in Italian: 'protocollo della domanda', 'CF richiedente', ..."""
    if rule.key is None:
        return "identificativo del minore" if by_minor else "protocollo della domanda"
    if rule.key == PROTOCOL:
        return "numero di protocollo del partner"
    f = fields.get(rule.key)
    return f.label if f is not None else rule.key


def check_key(key: str | None, fields: Mapping[str, Field], by_minor: bool) -> str | None:
    """An Italian problem with `ranking.lottery.key`, or None."""
    if key is None or key == PROTOCOL:
        return None
    f = fields.get(key)
    if f is None:
        return f"campo sconosciuto '{key}' (ammessi: protocol o un campo di testo)"
    if f.kind not in (Kind.TEXT, Kind.TAX_CODE):
        return f"il sorteggio usa un testo: '{key}' non è un campo di testo"
    if f.level is Level.MINOR and not by_minor:
        return (
            f"'{key}' è un dato del minore: con la graduatoria per domanda serve un dato "
            "della domanda"
        )
    return None
