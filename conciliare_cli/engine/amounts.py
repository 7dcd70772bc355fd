"""The voucher: what each minor may receive, in whole cents.

Today's rule (`voucher:` in bando.yaml): min(cap, requested cost) per minor, never negative;
the cap when the cost is missing and `missing_request: cap`; no amount (the minor is excluded
with COSTO_MANCANTE) when it is `exclude`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from conciliare_cli.config.models import Voucher
from conciliare_cli.money import to_cents


@dataclass(frozen=True)
class VoucherRule:
    cap_cents: int
    missing_request: str  # "cap" | "exclude"

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the amount is computed from."""
        return ("requested_eur",)

    @classmethod
    def of(cls, voucher: Voucher) -> VoucherRule:
        return cls(to_cents(voucher.cap_eur), voucher.missing_request)

    def requested_cents(self, table: pd.DataFrame) -> pd.Series:
        """Per minor: min(cap, requested) (never negative); the cap when the cost is missing
        and missing_request is 'cap', NA when it is 'exclude'."""
        if "requested_eur" in table.columns:
            req = pd.array(table["requested_eur"], dtype="Int64")
        else:
            req = pd.array([pd.NA] * len(table), dtype="Int64")
        s = pd.Series(req, index=table.index).clip(lower=0, upper=self.cap_cents)
        if self.missing_request == "cap":
            s = s.fillna(self.cap_cents)
        return s.astype("Int64")
