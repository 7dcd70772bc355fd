"""The voucher amount of bando.yaml (`voucher:`), as strict models.

Two forms, one meaning each:

- the short form of the first calls: `cap_eur` (at most this much per minor: min(cap, cost))
  and `missing_request` (a minor without a stated cost gets the cap, or is excluded);
- `steps`: the amount as the call computes it, one step after the other in the order written
  (cost or a fixed amount first, then shares, rounding, caps, a minimum), and optionally
  `application_cap_eur`, a cap on the sum of an application's vouchers, applied last.

engine/amounts.py computes them; the README's "Voucher amount" section has worked examples.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import Field, model_validator

from conciliare_cli.config.strict import Money, Strict, check_bands

Share = Annotated[Decimal, Field(ge=0, le=1, description="Quota del costo, da 0 a 1 (0.75 = 75%)")]
FieldName = Annotated[str, Field(min_length=1, description="Nome di un campo, es. isee")]


class ShareBand(Strict):
    min: Decimal | None = Field(None, description="Da (incluso); assente = nessun minimo")
    max: Decimal | None = Field(None, description="A (incluso); assente = nessun massimo")
    share: Share = Field(description="Quota del costo nella fascia, es. 0.75")


class AmountBand(Strict):
    min: Decimal | None = Field(None, description="Da (incluso); assente = nessun minimo")
    max: Decimal | None = Field(None, description="A (incluso); assente = nessun massimo")
    eur: Money = Field(description="Importo in euro nella fascia")


def _value_or_bands(step: Any, constant: str, bands_allowed_alone: bool = False) -> None:
    """A step's value: the constant (`eur` / `share`), or bands on a field (`field` +
    `bands`); with `bands_allowed_alone` (the cap) also a field by itself."""
    has_constant = getattr(step, constant) is not None
    has_field = step.field is not None
    has_bands = step.bands is not None
    if has_constant == (has_field or has_bands):
        alone = " oppure field da solo" if bands_allowed_alone else ""
        raise ValueError(f"indicare {constant} oppure field con bands{alone} (uno solo dei modi)")
    if has_bands and not has_field:
        raise ValueError("con bands serve field: il campo su cui si leggono le fasce")
    if has_field and not has_bands and not bands_allowed_alone:
        raise ValueError("con field servono le fasce (bands)")
    if has_bands:
        if not step.bands:
            raise ValueError("bands: serve almeno una fascia")
        check_bands(step.bands)


class CostStep(Strict):
    """The declared cost of the minor's service (the first step)."""

    step: Literal["cost"] = Field(description="Tipo di passo")
    field: FieldName = Field(
        "requested_eur", description="Campo del costo dichiarato (un importo del minore)"
    )
    missing: Literal["exclude"] | Money = Field(
        "exclude",
        description="Costo non dichiarato: exclude (il minore è escluso) o un costo "
        "convenzionale in euro",
    )


class FixedStep(Strict):
    """A fixed amount (the first step): per minor, or per unit of a field (per week)."""

    step: Literal["fixed"] = Field(description="Tipo di passo")
    eur: Money | None = Field(None, description="Importo fisso in euro")
    field: FieldName | None = Field(None, description="Campo su cui si leggono le fasce")
    bands: list[AmountBand] | None = Field(None, description="Importo per fascia del campo")
    missing: Literal["exclude"] | Money = Field(
        "exclude", description="Campo delle fasce mancante: exclude o un importo in euro"
    )
    per: FieldName | None = Field(
        None,
        description="Campo intero per cui si moltiplica l'importo, es. settimane di servizio",
    )

    @model_validator(mode="after")
    def _value(self) -> FixedStep:
        _value_or_bands(self, "eur")
        return self


class ShareStep(Strict):
    """A share of the amount so far: a constant, or by bands of a field (ISEE)."""

    step: Literal["share"] = Field(description="Tipo di passo")
    share: Share | None = Field(None, description="Quota fissa, es. 0.75")
    field: FieldName | None = Field(None, description="Campo su cui si leggono le fasce, es. isee")
    bands: list[ShareBand] | None = Field(None, description="Quota per fascia del campo")
    missing: Literal["exclude"] | Share = Field(
        "exclude",
        description="Campo delle fasce mancante: exclude (il minore è escluso) o la quota da "
        "applicare, es. 0.5",
    )

    @model_validator(mode="after")
    def _value(self) -> ShareStep:
        _value_or_bands(self, "share")
        return self


class RoundStep(Strict):
    """Rounding of the amount so far to a multiple of `to_eur`."""

    step: Literal["round"] = Field(description="Tipo di passo")
    to_eur: Decimal = Field(
        Decimal("0.01"),
        gt=0,
        decimal_places=2,
        description="Passo dell'arrotondamento in euro: 0.01 al centesimo, 1 all'euro",
    )
    mode: Literal["half_up", "down", "up"] = Field(
        "half_up",
        description="half_up: da mezzo passo in su per eccesso; down: per difetto; up: per eccesso",
    )


class CapStep(Strict):
    """A cap on the amount so far: a constant, by bands of a field, or a field's value."""

    step: Literal["cap"] = Field(description="Tipo di passo")
    eur: Money | None = Field(None, description="Tetto in euro per minore")
    field: FieldName | None = Field(
        None,
        description="Con bands: il campo delle fasce; da solo: un importo che fa da tetto, es. "
        "requested_eur (non oltre il costo)",
    )
    bands: list[AmountBand] | None = Field(None, description="Tetto per fascia del campo")
    missing: Literal["exclude", "ignore"] | Money = Field(
        "exclude",
        description="Campo mancante: exclude (il minore è escluso), ignore (il tetto non si "
        "applica) o un tetto in euro",
    )

    @model_validator(mode="after")
    def _value(self) -> CapStep:
        _value_or_bands(self, "eur", bands_allowed_alone=True)
        return self


class MinimumStep(Strict):
    """A minimum: below it no voucher is given (the minor is excluded)."""

    step: Literal["minimum"] = Field(description="Tipo di passo")
    eur: Money = Field(description="Importo minimo in euro: sotto, nessun voucher")


STEP_MODELS: list[type[Strict]] = [
    CostStep,
    FixedStep,
    ShareStep,
    RoundStep,
    CapStep,
    MinimumStep,
]

Step = Annotated[Union[tuple(STEP_MODELS)], Field(discriminator="step")]  # noqa: UP007


class Voucher(Strict):
    cap_eur: Money | None = Field(
        None, description="Forma breve: importo massimo per minore (il costo, fino a questo)"
    )
    missing_request: Literal["cap", "exclude"] | None = Field(
        None,
        description="Forma breve: costo mancante, si assegna il massimo (cap, il predefinito) "
        "o si esclude (exclude)",
    )
    steps: list[Step] | None = Field(
        None, description="Il calcolo dell'importo per minore, passo per passo, in quest'ordine"
    )
    application_cap_eur: Money | None = Field(
        None,
        description="Tetto della somma dei voucher di una domanda, applicato per ultimo (i "
        "minori nell'ordine della domanda)",
    )

    @model_validator(mode="after")
    def _one_form(self) -> Voucher:
        if (self.cap_eur is None) == (self.steps is None):
            raise ValueError("indicare cap_eur (forma breve) oppure steps (uno solo dei due)")
        if self.steps is not None:
            if self.missing_request is not None:
                raise ValueError(
                    "missing_request vale solo con cap_eur: con steps il costo mancante si "
                    "indica nel passo cost (missing)"
                )
            _check_order(self.steps)
        return self

    @property
    def short_form(self) -> bool:
        return self.steps is None


def _check_order(steps: list[Any]) -> None:
    if not steps:
        raise ValueError("steps: serve almeno un passo (cost o fixed)")
    if steps[0].step not in ("cost", "fixed"):
        raise ValueError(
            "il primo passo dice da dove parte l'importo: cost (il costo dichiarato) o fixed "
            f"(un importo fisso), non {steps[0].step}"
        )
    for i, s in enumerate(steps[1:], start=2):
        if s.step in ("cost", "fixed"):
            raise ValueError(f"passo {i}: {s.step} può essere solo il primo passo")
