"""Lists kept in other files (`lists:` in bando.yaml): last year's beneficiaries, a register
of accredited providers, the employees of a partner. Each is one column of a spreadsheet or
CSV in the call folder, read by conciliare_cli/read/lists.py and used in conditions by its
name: `applicant_tax_code not in beneficiari_2018`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from conciliare_cli.config.strict import Identifier, Strict


class NamedList(Strict):
    name: Identifier = Field(description="Nome dell'elenco nelle condizioni, es. beneficiari_2018")
    description: str = Field(description="Che cosa contiene, in italiano")
    file: str = Field(
        description="File dell'elenco (xlsx, xls, ods, csv), relativo alla cartella del bando"
    )
    sheet: str | None = Field(None, description="Foglio da leggere; se assente è cercato")
    header_row: int | None = Field(
        None, ge=1, description="Riga dell'intestazione come la mostra Excel; se assente è cercata"
    )
    column: str = Field(description="Intestazione della colonna con i valori")
    normalise: Literal["tax_code", "text"] = Field(
        "text",
        description="Come si confrontano i valori: tax_code (maiuscole, senza spazi), text "
        "(spazi ai bordi e doppi tolti, maiuscole e minuscole uguali)",
    )
    encoding: str | None = Field(None, description="Solo CSV: codifica, se non va rilevata")
    delimiter: str | None = Field(None, description="Solo CSV: separatore, se non va rilevato")
