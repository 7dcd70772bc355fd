"""The six partners of the example call: who they are, the file each exports, its format and
style (headers, how dates, money and flags are written) and what the export exercises.

The descriptions go into the example's README; the headers into its bando.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conciliare_cli.demo.styles import Style

SEED = 2017  # of the example's people (and, plus one, of its unmapped columns)


@dataclass
class Partner:
    id: str
    name: str
    file: str  # relative to the call folder
    applications: int
    style: Style
    kind: str  # xlsx, xls, ods, csv
    description: str  # what the export exercises (README)
    protocol: str = "{n}"  # how the partner numbers its applications
    yaml_extra: dict[str, object] = field(default_factory=dict)
    delimiter: str = ";"
    encoding: str = "utf-8"
    extra_columns: list[str] = field(default_factory=list)  # unmapped, after the data


MINOR_COLS = {
    "minor_surname": "Cognome minore",
    "minor_name": "Nome minore",
    "minor_tax_code": "CF minore",
    "minor_birth_date": "Data nascita minore",
    "disability": "L. 104/92",
    "learning_difficulty": "DSA/BES",
    "service": "Servizio",
    "requested_eur": "Costo richiesto (€)",
}

PARTNERS = [
    Partner(
        "ASST",
        "ASST di Crema",
        "partner/ASST_domande_2017.xlsx",
        100,
        Style(
            "minor",
            {
                "application_id": "Protocollo",
                "submitted_at": "Data e ora presentazione",
                "applicant_surname": "Cognome",
                "applicant_name": "Nome",
                "applicant_tax_code": "Codice fiscale",
                "applicant_email": "E-mail",
                "applicant_address": "Indirizzo",
                "applicant_postcode": "CAP",
                "applicant_city": "Comune",
                "isee": "ISEE",
                "single_parent": "Genitore solo",
                "both_parents_working": "Entrambi i genitori lavorano",
                "household_size": "Componenti nucleo",
                **MINOR_COLS,
            },
            "%d/%m/%Y",
            " %H:%M",
            "it",
            ("SI", "NO"),
        ),
        "xlsx",
        "Excel .xlsx: two title rows (merged) above the header on row 3, a totals row at the "
        "bottom, two empty rows in the middle; date cells, and some birth dates typed as bare "
        "Excel serial numbers; lower-case tax codes, some with spaces; trailing spaces in "
        "names; a formula-looking text.",
        protocol="PG2017-{n:04d}",
    ),
    Partner(
        "ATS",
        "ATS Val Padana",
        "partner/ATS_richieste.xls",
        70,
        Style(
            "application",
            {
                "application_id": "N. richiesta",
                "submitted_at": ("Data invio", "Ora invio"),
                "applicant_surname": "Cognome",
                "applicant_name": "Nome",
                "applicant_tax_code": "Codice fiscale",
                "applicant_email": "Email",
                "isee": "ISEE",
                "single_parent": "Monogenitore",
                "both_parents_working": "Entrambi lavoratori",
                "household_size": "N. componenti",
                "minor_surname": "Cognome Figlio {n}",
                "minor_name": "Nome Figlio {n}",
                "minor_tax_code": "C.F. Figlio {n}",
                "minor_birth_date": "Data nascita Figlio {n}",
                "disability": "L.104 Figlio {n}",
                "learning_difficulty": "DSA Figlio {n}",
                "service": "Servizio Figlio {n}",
                "requested_eur": "Importo Figlio {n}",
            },
            "%d/%m/%Y",
            "%H:%M",
            "it",
            ("SI", "NO"),
        ),
        "xls",
        "Excel 97 .xls: an 'Istruzioni' sheet first, the data on the second sheet "
        "('Richieste'); one row per application with numbered groups of columns for the "
        "minors (Figlio 1, Figlio 2, Figlio 3); date and time of submission in two columns.",
        protocol="R{n:05d}",
    ),
    Partner(
        "COMUNE",
        "Comune di Crema",
        "partner/comune_crema.ods",
        60,
        Style(
            "minor",
            {
                "application_id": "ID",
                "submitted_at": "Data domanda",
                "applicant_surname": "Cognome dipendente",
                "applicant_name": "Nome dipendente",
                "applicant_tax_code": "CF dipendente",
                "applicant_email": "Mail",
                "isee": "ISEE",
                "single_parent": "Monogenitoriale",
                "both_parents_working": "Due redditi da lavoro",
                "minor_surname": "Cognome bambino",
                "minor_name": "Nome bambino",
                "minor_tax_code": "CF bambino",
                "minor_birth_date": "Nato il",
                "disability": "Disabilità",
                "learning_difficulty": "DSA",
                "service": "Servizio",
                "requested_eur": "Spesa",
            },
            "%Y-%m-%d",
            " %H:%M",
            "comma",
            ("X", ""),
        ),
        "ods",
        "OpenDocument .ods: ISO dates as text (2010-05-12, 2017-06-14 10:32), flags as X or "
        "blank, amounts as number cells.",
        protocol="{n}",
    ),
    Partner(
        "COOP",
        "Cooperativa Sociale Il Sorriso",
        "partner/coop_il_sorriso.csv",
        60,
        Style(
            "minor",
            {
                "application_id": "Prot.",
                "submitted_at": "Data domanda",
                "applicant_surname": "Cognome",
                "applicant_name": "Nome",
                "applicant_tax_code": "Cod. fiscale",
                "applicant_email": "Email",
                "isee": "ISEE",
                "single_parent": "Monogenitore",
                "both_parents_working": "Entrambi occupati",
                "minor_surname": "Cognome figlio",
                "minor_name": "Nome figlio",
                "minor_tax_code": "CF figlio",
                "minor_birth_date": "Data di nascita",
                "disability": "Disabile (L.104)",
                "learning_difficulty": "DSA/BES",
                "service": "Servizio",
                "requested_eur": "Costo",
            },
            "%d/%m/%Y",
            " %H:%M",
            "euro",
            ("SI", "NO"),
        ),
        "csv",
        "CSV with ';' in UTF-8 with BOM; dates dd/mm/yyyy; amounts as '€ 1.234,56'; "
        "flags SI/NO and Sì.",
        delimiter=";",
        encoding="utf-8-sig",
        protocol="S{n:03d}",
    ),
    Partner(
        "AZIENDA",
        "Manifattura Cremasca S.r.l.",
        "partner/manifattura_export.csv",
        60,
        Style(
            "minor",
            {
                "application_id": "Matricola pratica",
                "submitted_at": "Data/ora",
                "applicant_surname": "COGNOME",
                "applicant_name": "NOME",
                "applicant_tax_code": "CODICE FISCALE",
                "isee": "ISEE",
                "single_parent": "MONOGENITORE",
                "both_parents_working": "ENTRAMBI LAVORANO",
                "minor_surname": "COGNOME FIGLIO",
                "minor_name": "NOME FIGLIO",
                "minor_tax_code": "CF FIGLIO",
                "minor_birth_date": "NATO IL",
                "disability": "L104",
                "learning_difficulty": "DSA",
                "service": "SERVIZIO",
                "requested_eur": "IMPORTO",
            },
            "%d.%m.%Y",
            " %H:%M",
            "comma",
            ("1", "0"),
        ),
        "csv",
        "Tab-separated CSV in Windows-1252 with accented names; dates dd.mm.yyyy; amounts "
        "as '1234,56'; flags 1/0; an unmapped 'Note' column and two trailing columns without a "
        "header (one empty, one with stray marks).",
        delimiter="\t",
        encoding="cp1252",
        extra_columns=["Note", "", ""],
        protocol="M{n:04d}",
    ),
    Partner(
        "BANCA",
        "Banca di Credito Cremasco",
        "partner/banca_domande.csv",
        50,
        Style(
            "minor",
            {
                "application_id": "Numero domanda",
                "submitted_at": "Data",
                "applicant_surname": "Cognome richiedente",
                "applicant_name": "Nome richiedente",
                "applicant_tax_code": "CF richiedente",
                "isee": "ISEE",
                "single_parent": "Solo genitore",
                "both_parents_working": "Entrambi lavoratori",
                "minor_surname": "Cognome minore",
                "minor_name": "Nome minore",
                "minor_tax_code": "CF minore",
                "minor_birth_date": "Data nascita",
                "disability": "Handicap L.104",
                "learning_difficulty": "DSA",
                "service": "Servizio",
                "requested_eur": "Costo",
            },
            "%d/%m/%Y",
            " %H:%M",
            "it",
            ("Sì", "No"),
        ),
        "csv",
        "CSV with ',' in Windows-1252; amounts '1.234,56' in quotes; flags Sì/No; an unmapped "
        "'Reparto' column in the middle.",
        delimiter=",",
        encoding="cp1252",
        extra_columns=["Reparto"],
        protocol="2017{n:04d}",
    ),
]
