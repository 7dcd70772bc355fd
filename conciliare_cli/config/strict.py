"""What every section of bando.yaml shares: strict models, amounts in euros, identifiers.

Unknown or misplaced keys are errors (extra="forbid"); models are frozen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from conciliare_cli.config import limits

Money = Annotated[
    Decimal,
    Field(
        ge=0,
        le=limits.MAX_EUR,
        decimal_places=2,
        description="Importo in euro (es. 300 o 1234.56)",
    ),
]
# Points and numbers of the rules, within limits no call comes near (config/limits.py).
Points = Annotated[Decimal, Field(ge=-limits.MAX_POINTS, le=limits.MAX_POINTS)]
Number = Annotated[Decimal, Field(ge=-limits.MAX_NUMBER, le=limits.MAX_NUMBER)]
CallDate = Annotated[date, AfterValidator(limits.in_date_range)]
CallDatetime = Annotated[datetime, AfterValidator(limits.in_date_range)]
Identifier = Annotated[
    str,
    Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", description="Identificativo: lettere, cifre e _"),
]
Expression = Annotated[
    str,
    Field(
        min_length=1,
        description='Condizione sui campi, es. "isee <= 35000 and not single_parent"',
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_bands(bands: Sequence[Any]) -> None:
    """Bands with inclusive `min` and `max`, in increasing order, without overlaps; only the
    first may omit `min`, only the last `max`. ValueError (Italian) otherwise."""
    for i, b in enumerate(bands):
        if b.min is not None and b.max is not None and b.min > b.max:
            raise ValueError(f"fascia {i + 1}: il minimo {b.min} supera il massimo {b.max}")
    for i in range(1, len(bands)):
        prev, cur = bands[i - 1], bands[i]
        if prev.max is None or cur.min is None:
            raise ValueError(
                f"fasce {i} e {i + 1}: solo la prima fascia può non avere minimo e solo "
                "l'ultima può non avere massimo; elencale in ordine crescente"
            )
        if cur.min <= prev.max:
            if prev.min is not None and cur.min < prev.min:
                raise ValueError(f"fasce {i} e {i + 1}: non sono in ordine crescente")
            raise ValueError(f"fasce {i} e {i + 1} si sovrappongono ({cur.min} ≤ {prev.max})")
