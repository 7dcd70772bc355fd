"""The `spending:` section of bando.yaml: vouchers in use (issue 16).

Where the providers' list and the providers' invoices are, how their columns are called (read
like the partners' files: sheet and header found, CSV dialects detected), and what a voucher
may pay: its validity and the services of the call.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The fields a providers' list and an invoices file may map (name -> required).
PROVIDER_FIELDS: dict[str, bool] = {
    "provider_id": False,
    "provider_name": True,
    "vat_number": True,
    "services": True,
    "tariff_eur": False,
    "tariffs": False,
}
INVOICE_FIELDS: dict[str, bool] = {
    "provider_vat": True,
    "minor_tax_code": True,
    "voucher_code": False,
    "minor_name": False,
    "service": True,
    "period_from": True,
    "period_to": False,
    "amount_eur": True,
    "quantity": False,
    "unit_price_eur": False,
    "invoice_number": True,
    "invoice_date": True,
    "paid_date": False,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpendingFiles(_Strict):
    """Files read like a partner's: globs relative to the call folder, and their columns."""

    files: str | list[str] = Field(
        description="File, relativi alla cartella del bando (ammessi * e ?)"
    )
    sheet: str | None = Field(None, description="Foglio da leggere; se assente è cercato")
    header_row: int | None = Field(
        None, ge=1, description="Riga dell'intestazione come la mostra Excel; se assente è cercata"
    )
    columns: dict[str, str] = Field(description="Campo → intestazione della colonna")
    encoding: str | None = Field(None, description="Solo CSV: codifica, se non va rilevata")
    delimiter: str | None = Field(None, description="Solo CSV: separatore, se non va rilevato")

    @field_validator("columns")
    @classmethod
    def _headers_not_empty(cls, v: dict[str, str]) -> dict[str, str]:
        for key, header in v.items():
            if not str(header).strip():
                raise ValueError(f"intestazione vuota per il campo '{key}'")
        return v

    def _check_fields(self, known: dict[str, bool], what: str) -> None:
        unknown = sorted(set(self.columns) - set(known))
        if unknown:
            raise ValueError(
                f"{what}: campi sconosciuti {', '.join(unknown)}; ammessi: {', '.join(known)}"
            )
        missing = [k for k, required in known.items() if required and k not in self.columns]
        if missing:
            raise ValueError(f"{what}: mancano le colonne dei campi {', '.join(missing)}")


class ProvidersFiles(SpendingFiles):
    @model_validator(mode="after")
    def _fields(self) -> ProvidersFiles:
        self._check_fields(PROVIDER_FIELDS, "erogatori")
        return self


class InvoicesFiles(SpendingFiles):
    @model_validator(mode="after")
    def _fields(self) -> InvoicesFiles:
        self._check_fields(INVOICE_FIELDS, "fatture")
        return self


# The Annex I (Reg. UE 1304/2013) data on participants that a call may collect, by name; gender
# and age come from the applicant's tax code, the others from fields of the call.
ANNEX_I: dict[str, str] = {
    "employment_status": "Condizione occupazionale (occupato, disoccupato, inattivo)",
    "education_level": "Titolo di studio (livello ISCED)",
    "disability": "Partecipante con disabilità",
    "migrant": "Migrante, di origine straniera o appartenente a una minoranza",
    "homeless": "Senza dimora o escluso dall'alloggio",
    "single_adult_household": "Vive in un nucleo di un solo adulto con figli a carico",
    "jobless_household": "Vive in un nucleo in cui nessuno lavora",
    "other_disadvantage": "Altro svantaggio",
}


class FseData(_Strict):
    fund: str = Field("FSE", description="Il fondo FSE: i suoi voucher danno i partecipanti")
    indicators: dict[str, str] = Field(
        default_factory=dict,
        description="Dato dell'Allegato I → campo del bando che lo contiene (dichiarato in "
        "fields e mappato nelle colonne dei partner), es. education_level: titolo_studio",
    )

    @field_validator("indicators")
    @classmethod
    def _known(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(ANNEX_I))
        if unknown:
            raise ValueError(
                f"dati sconosciuti {', '.join(unknown)}; ammessi: {', '.join(ANNEX_I)}"
            )
        return v


class Spending(_Strict):
    valid_from: date = Field(description="Primo giorno di validità dei voucher")
    valid_until: date = Field(description="Ultimo giorno di validità dei voucher")
    services: list[str] = Field(
        default_factory=list,
        description="Servizi che il voucher può pagare (vuoto: quelli dichiarati da ciascun "
        "erogatore)",
    )
    providers: ProvidersFiles = Field(description="Elenco degli erogatori e sue colonne")
    invoices: InvoicesFiles = Field(description="Fatture o rendiconti degli erogatori")
    output: str = Field("spese", description="Cartella delle uscite, nella cartella del bando")
    transparency_identity: Literal["omit", "publish"] = Field(
        "omit",
        description="Registro della trasparenza (d.lgs. 33/2013 art. 26-27): omit omette il nome "
        "dei beneficiari (art. 26 c. 4: il voucher rivela un disagio economico o sanitario), "
        "publish lo pubblica",
    )
    fse: FseData = Field(FseData(), description="Dati dei partecipanti FSE (Allegato I)")
    keep_until: date | None = Field(
        None,
        description="Data fino a cui conservare i documenti (Reg. UE 1303/2013 art. 140: due "
        "anni dal 31 dicembre successivo ai conti che includono la spesa)",
    )

    @model_validator(mode="after")
    def _period(self) -> Spending:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until deve essere uguale o successiva a valid_from")
        return self
