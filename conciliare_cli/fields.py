"""The canonical data model: one row per minor, grouped by application.

Every stage reads and writes tables with these column names. The field catalogue is also
what the YAML's `columns` mapping and the rule expressions may refer to.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    TAX_CODE = "tax_code"
    DATE = "date"
    DATETIME = "datetime"
    MONEY = "money"  # euros in the files; held as integer cents (Int64) in the tables
    NUMBER = "number"  # Float64
    INTEGER = "integer"  # Int64
    BOOL = "bool"  # boolean (nullable)


class Level(StrEnum):
    APPLICATION = "application"
    MINOR = "minor"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    level: Level
    label: str  # Italian label used in reports
    required: bool = False
    personal: bool = False  # identifies a person: never in public outputs
    health: bool = False  # health-related: never in public outputs


F = Field
A, M = Level.APPLICATION, Level.MINOR

CANONICAL_FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        F("application_id", Kind.TEXT, A, "Protocollo"),
        F("submitted_at", Kind.DATETIME, A, "Data e ora di presentazione", required=True),
        F("applicant_surname", Kind.TEXT, A, "Cognome richiedente", personal=True),
        F("applicant_name", Kind.TEXT, A, "Nome richiedente", personal=True),
        F("applicant_tax_code", Kind.TAX_CODE, A, "CF richiedente", required=True, personal=True),
        F("applicant_email", Kind.TEXT, A, "E-mail richiedente", personal=True),
        F("applicant_pec", Kind.TEXT, A, "PEC richiedente", personal=True),
        F("applicant_address", Kind.TEXT, A, "Indirizzo richiedente", personal=True),
        F("applicant_postcode", Kind.TEXT, A, "CAP richiedente", personal=True),
        F("applicant_city", Kind.TEXT, A, "Comune richiedente", personal=True),
        F("applicant_phone", Kind.TEXT, A, "Telefono richiedente", personal=True),
        F("isee", Kind.MONEY, A, "ISEE"),
        F("single_parent", Kind.BOOL, A, "Nucleo monogenitoriale"),
        F("both_parents_working", Kind.BOOL, A, "Entrambi i genitori lavoratori"),
        F("household_size", Kind.INTEGER, A, "Componenti del nucleo"),
        F("minor_surname", Kind.TEXT, M, "Cognome minore", personal=True),
        F("minor_name", Kind.TEXT, M, "Nome minore", personal=True),
        F("minor_tax_code", Kind.TAX_CODE, M, "CF minore", required=True, personal=True),
        F("minor_birth_date", Kind.DATE, M, "Data di nascita minore", personal=True),
        F("disability", Kind.BOOL, M, "Disabilità (L. 104/92)", health=True),
        F("learning_difficulty", Kind.BOOL, M, "DSA/BES", health=True),
        F("service", Kind.TEXT, M, "Servizio richiesto"),
        F("requested_eur", Kind.MONEY, M, "Costo richiesto"),
    ]
}

# Columns every canonical table carries besides the fields (provenance and keys).
PARTNER_ID = "partner_id"
SOURCE_FILE = "source_file"  # path relative to the call folder, with / separators
SOURCE_SHEET = "source_sheet"  # sheet name; empty for CSV
SOURCE_ROW = "source_row"  # row number as Excel (or a text editor, for CSV) shows it
MINOR_SLOT = "minor_slot"  # 1.. for per-application layouts (Figlio 1, Figlio 2); 1 otherwise
ROW_KEY = "row_key"  # stable key of a minor row: application_id + minor tax code (+ slot)

PROVENANCE = [PARTNER_ID, SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW, MINOR_SLOT]

# Derived fields the rules may use (computed by the engine, documented in the README).
DERIVED_FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        F("age", Kind.INTEGER, M, "Età in anni compiuti alla data di riferimento"),
        F("applicant_tax_code_valid", Kind.BOOL, A, "CF richiedente valido"),
        F("minor_tax_code_valid", Kind.BOOL, M, "CF minore valido"),
        F("eligible_minors", Kind.INTEGER, A, "Minori ammissibili nella domanda"),
        F("minors", Kind.INTEGER, A, "Minori nella domanda"),
    ]
}
