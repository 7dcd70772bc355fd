"""How partners' systems export: file formats (xlsx and CSV dialects) and styles (layout,
headers, how dates, money and flags are written).

`generate_call` gives partner i the style STYLES[i % 5] and a format from the caller's list;
the example call (conciliare_cli.demo.example) declares its own six partners with the same
`Style`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileFormat:
    name: str
    extension: str
    delimiter: str | None = None  # CSV only
    encoding: str | None = None  # CSV only
    line_end: str = "\n"


FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in [
        FileFormat("xlsx", "xlsx"),
        FileFormat("csv", "csv", ";", "utf-8-sig", "\r\n"),
        FileFormat("csv-comma", "csv", ",", "cp1252", "\r\n"),
        FileFormat("csv-tab", "csv", "\t", "cp1252", "\r\n"),
        FileFormat("csv-utf8", "csv", ";", "utf-8", "\n"),
    ]
}
DEFAULT_FORMATS = ("xlsx", "csv", "csv-tab", "xlsx", "csv-comma")


@dataclass(frozen=True)
class Style:
    """How one partner's system exports: layout, headers, and how it writes values."""

    layout: str  # "minor" (a row per minor) or "application" (Figlio 1, Figlio 2, ...)
    headers: dict[str, str | tuple[str, str]]  # field -> header; a pair = date and time columns
    date: str  # strftime pattern of dates in text files
    time: str  # strftime pattern of the time (appended to the date, or its own column)
    money: str  # "it" 1.234,56 | "comma" 1234,56 | "euro" € 1.234,56
    yes_no: tuple[str, str]


_MINOR_A = {
    "minor_surname": "Cognome minore",
    "minor_name": "Nome minore",
    "minor_tax_code": "CF minore",
    "minor_birth_date": "Data nascita minore",
    "disability": "Disabilità L.104",
    "learning_difficulty": "DSA/BES",
    "service": "Servizio",
    "requested_eur": "Costo richiesto",
}

STYLES: tuple[Style, ...] = (
    Style(
        "minor",
        {
            "application_id": "Protocollo",
            "submitted_at": "Data presentazione",
            "applicant_surname": "Cognome",
            "applicant_name": "Nome",
            "applicant_tax_code": "Codice fiscale",
            "applicant_email": "E-mail",
            "applicant_address": "Indirizzo",
            "applicant_postcode": "CAP",
            "applicant_city": "Comune",
            "isee": "ISEE",
            "single_parent": "Monogenitore",
            "both_parents_working": "Entrambi lavoratori",
            "household_size": "Componenti nucleo",
            **_MINOR_A,
        },
        "%d/%m/%Y",
        " %H:%M",
        "it",
        ("SI", "NO"),
    ),
    Style(
        "application",
        {
            "application_id": "N. domanda",
            "submitted_at": ("Data invio", "Ora invio"),
            "applicant_surname": "Cognome dipendente",
            "applicant_name": "Nome dipendente",
            "applicant_tax_code": "C.F. dipendente",
            "applicant_email": "Email",
            "isee": "Valore ISEE",
            "single_parent": "Genitore solo",
            "both_parents_working": "Due genitori lavoratori",
            "household_size": "N. componenti",
            "minor_surname": "Cognome figlio {n}",
            "minor_name": "Nome figlio {n}",
            "minor_tax_code": "CF figlio {n}",
            "minor_birth_date": "Nato il figlio {n}",
            "disability": "L.104 figlio {n}",
            "learning_difficulty": "DSA figlio {n}",
            "service": "Servizio figlio {n}",
            "requested_eur": "Spesa figlio {n}",
        },
        "%d/%m/%Y",
        "%H:%M",
        "comma",
        ("X", ""),
    ),
    Style(
        "minor",
        {
            "application_id": "ID pratica",
            "submitted_at": "Timestamp",
            "applicant_surname": "Cognome richiedente",
            "applicant_name": "Nome richiedente",
            "applicant_tax_code": "CF richiedente",
            "applicant_email": "Posta elettronica",
            "applicant_address": "Via",
            "applicant_postcode": "Cap",
            "applicant_city": "Città",
            "isee": "Importo ISEE",
            "single_parent": "Nucleo monogenitoriale",
            "both_parents_working": "Genitori entrambi occupati",
            "minor_surname": "Cognome bambino",
            "minor_name": "Nome bambino",
            "minor_tax_code": "CF bambino",
            "minor_birth_date": "Nascita bambino",
            "disability": "Certificazione 104",
            "learning_difficulty": "DSA o BES",
            "service": "Tipo servizio",
            "requested_eur": "Importo richiesto",
        },
        "%Y-%m-%d",
        " %H:%M:%S",
        "comma",
        ("1", "0"),
    ),
    Style(
        "minor",
        {
            "application_id": "Numero protocollo",
            "submitted_at": "Data e ora domanda",
            "applicant_surname": "COGNOME",
            "applicant_name": "NOME",
            "applicant_tax_code": "CODICE FISCALE",
            "applicant_email": "EMAIL",
            "isee": "ISEE (euro)",
            "single_parent": "MONOGENITORE",
            "both_parents_working": "ENTRAMBI LAVORANO",
            "household_size": "COMPONENTI",
            "minor_surname": "COGNOME FIGLIO",
            "minor_name": "NOME FIGLIO",
            "minor_tax_code": "CODICE FISCALE FIGLIO",
            "minor_birth_date": "DATA NASCITA FIGLIO",
            "disability": "DISABILE",
            "learning_difficulty": "DSA",
            "service": "SERVIZIO",
            "requested_eur": "COSTO",
        },
        "%d.%m.%Y",
        " %H:%M",
        "euro",
        ("Sì", "No"),
    ),
    Style(
        "application",
        {
            "application_id": "Pratica",
            "submitted_at": "Presentata il",
            "applicant_surname": "Cognome",
            "applicant_name": "Nome",
            "applicant_tax_code": "Codice Fiscale",
            "applicant_email": "Indirizzo e-mail",
            "applicant_address": "Residenza",
            "applicant_city": "Comune di residenza",
            "isee": "ISEE",
            "single_parent": "Famiglia monogenitoriale",
            "both_parents_working": "Entrambi i genitori lavorano",
            "minor_surname": "Figlio {n} - Cognome",
            "minor_name": "Figlio {n} - Nome",
            "minor_tax_code": "Figlio {n} - Codice fiscale",
            "minor_birth_date": "Figlio {n} - Data di nascita",
            "disability": "Figlio {n} - L.104",
            "learning_difficulty": "Figlio {n} - DSA/BES",
            "service": "Figlio {n} - Servizio",
            "requested_eur": "Figlio {n} - Costo",
        },
        "%d/%m/%Y",
        " %H:%M",
        "it",
        ("SI", "NO"),
    ),
)
