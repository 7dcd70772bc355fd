"""Regenerate the example call examples/conciliare-2017/ (bando.yaml, partner files, README).

    /tmp/venv/bin/pip install xlwt odfpy     # only for this script: .xls and .ods writers
    /tmp/venv/bin/python bench/make_example.py [--out examples/conciliare-2017]

xlwt and odfpy are NOT dependencies of conciliare (the tool reads .xls and .ods with
python-calamine); they are needed only here, to write the committed example files.

The people come from conciliare_cli.demo (seeded, valid codici fiscali); this script then lays
out six partners' exports, each in its own format, and plants the defects listed in the
README's tables. The row numbers in the README are computed from the layout, so the README,
the files and tests/test_example_call.py cannot drift apart. Running it twice gives the same
bytes (fixed document dates, fixed zip timestamps).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from codicefiscale import codicefiscale as cf_lib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conciliare_cli import demo  # noqa: E402
from conciliare_cli.config import load_call  # noqa: E402
from conciliare_cli.demo import Sheet, Style  # noqa: E402

SEED = 2017
ZIP_TIME = (2017, 8, 1, 9, 0, 0)
REFERENCE = dt.date(2017, 9, 1)

# ------------------------------------------------------------------------ partners


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

# ------------------------------------------------------------------------ planted cases


@dataclass
class Plant:
    partner: str
    app: str  # application id
    slot: int | None  # minor slot (per-minor rows: which minor); None = application / file
    column: str  # header as the partner sees it ('' for a file-level case)
    what: str
    code: str
    by: str  # validate or rank
    row: str = ""  # resolved Excel row ('—' for file-level)
    file: str = ""


def recode_birth(code: str, birth: dt.date) -> str:
    """The same codice fiscale with another birth date (library pieces, new check char)."""
    gender = (
        "F" if int(code[9:11].translate(str.maketrans("LMNPQRSTUV", "0123456789"))) > 40 else "M"
    )
    when = dt.datetime(birth.year, birth.month, birth.day)
    body = code[:6] + cf_lib.encode_birthdate(when, gender) + code[11:15]
    return body + cf_lib.encode_cin(body)


def bad_check(code: str) -> str:
    """The same code with a wrong check character."""
    last = code[-1]
    return code[:-1] + chr((ord(last) - 65 + 7) % 26 + 65)


class Builder:
    """Holds the population and the planted cases while the files are laid out."""

    def __init__(self) -> None:
        ids = [p.id for p in PARTNERS]
        self.pop = demo.population(
            sum(p.applications for p in PARTNERS),
            SEED,
            ids,
            counts=[p.applications for p in PARTNERS],
            second_parent=0.0,
            outside_window=0.0,
            too_old=0.0,
        )
        self._protocols()
        self.plants: list[Plant] = []
        self.used: set[str] = set()
        self.cells: dict[str, dict[tuple[str, int | None, str], object]] = {
            p.id: {} for p in PARTNERS
        }

    def _protocols(self) -> None:
        """Each partner numbers its applications its own way (in order of submission)."""
        pop = self.pop
        seq = pd.Series(pd.factorize(pop["application_id"])[0], index=pop.index)
        first = seq.groupby(pop["partner_id"]).transform("min")
        n = (seq - first + 1).astype(int)
        pattern = {p.id: p.protocol for p in PARTNERS}
        protocol = [pattern[pid].format(n=k) for pid, k in zip(pop["partner_id"], n, strict=True)]
        pop["protocol"] = pd.Series(protocol, index=pop.index, dtype=object)
        pop["application_id"] = (pop["partner_id"] + "-" + pop["protocol"]).astype(object)

    # -- choosing applications
    def pick(
        self,
        partner: str,
        minors: int,
        at: float,
        before: str | None = None,
        after: pd.Timestamp | None = None,
    ) -> str:
        """An unused application of `partner` with `minors` minors, about `at` of the way
        through the file (0..1)."""
        apps = self.pop[self.pop["partner_id"] == partner].groupby("application_id", sort=True)
        sizes = apps.size()
        when = apps["submitted_at"].first()
        ids = list(sizes.index)
        start = int(at * len(ids))
        for app in ids[start:] + ids[:start]:
            if app in self.used or sizes[app] != minors:
                continue
            if after is not None and when[app] <= after:
                continue
            self.used.add(app)
            return app
        raise RuntimeError(f"no application of {partner} with {minors} minors")

    def rows(self, app: str) -> pd.Index:
        return self.pop.index[self.pop["application_id"] == app]

    def minor(self, app: str, slot: int) -> int:
        idx = self.pop.index[
            (self.pop["application_id"] == app) & (self.pop["minor_index"] == slot)
        ]
        return int(idx[0])

    def header(self, partner: str, name: str, slot: int | None = None) -> str:
        style = next(p.style for p in PARTNERS if p.id == partner).headers[name]
        text = style[0] if isinstance(style, tuple) else style
        return text.replace("{n}", str(slot or 1))

    def plant(
        self,
        partner: str,
        app: str,
        slot: int | None,
        field_name: str,
        what: str,
        code: str,
        by: str = "validate",
    ) -> None:
        column = self.header(partner, field_name, slot) if field_name else ""
        self.plants.append(Plant(partner, app, slot, column, what, code, by))

    def cell(self, partner: str, app: str, slot: int | None, header: str, value: object) -> None:
        """Override one cell (as written in the file) of an application / minor."""
        self.cells[partner][(app, slot, header)] = value


def plant_everything(b: Builder) -> None:
    pop = b.pop

    # ---------------- ASST (xlsx)
    app = b.pick("ASST", 2, 0.10)
    i = b.minor(app, 2)
    b.cell("ASST", app, 2, "CF minore", bad_check(pop.at[i, "minor_tax_code"]))
    b.plant(
        "ASST",
        app,
        2,
        "minor_tax_code",
        "minor's tax code with a wrong check character",
        "CF_NON_VALIDO",
    )
    b.plant(
        "ASST",
        app,
        2,
        "minor_tax_code",
        "(same minor) excluded by the rules",
        "CF_MINORE_NON_VALIDO",
        "rank",
    )

    app = b.pick("ASST", 1, 0.20)
    i = b.minor(app, 1)
    wrong = pop.at[i, "minor_birth_date"] + pd.Timedelta(days=9)
    pop.at[i, "minor_birth_date"] = wrong
    b.plant(
        "ASST",
        app,
        1,
        "minor_birth_date",
        "declared birth date 9 days after the one in the tax code",
        "CF_DATA_NASCITA_DIVERSA",
    )

    app = b.pick("ASST", 1, 0.30)
    b.cell("ASST", app, 1, "Servizio", "=SOMMA(T4:T9)")
    b.plant("ASST", app, 1, "service", "service written as '=SOMMA(T4:T9)'", "FORMULA_NEL_FILE")

    asst_dup = b.pick("ASST", 1, 0.40)
    b.plant(
        "ASST",
        asst_dup,
        1,
        "minor_tax_code",
        "the same minor as in the COOP application of the other parent",
        "MINORE_IN_PIU_DOMANDE",
    )

    app = b.pick("ASST", 2, 0.50)
    i = b.minor(app, 2)
    born = dt.date(2000, 3, 15)
    pop.at[i, "minor_birth_date"] = pd.Timestamp(born)
    pop.at[i, "minor_tax_code"] = recode_birth(pop.at[i, "minor_tax_code"], born)
    b.plant(
        "ASST",
        app,
        2,
        "minor_birth_date",
        "a minor aged 17 at the reference date (born 15/03/2000), with an eligible sibling",
        "ETA_NON_AMMESSA",
        "rank",
    )

    app = b.pick("ASST", 1, 0.60)
    i = b.minor(app, 1)
    b.cell("ASST", app, 1, "Nome minore", "<b>Anna</b>")
    b.plant(
        "ASST",
        app,
        1,
        "minor_name",
        "minor's name '<b>Anna</b>': letters must print it as text, never as markup",
        "—",
        "letters",
    )

    app = b.pick("ASST", 1, 0.70)
    b.cell("ASST", app, 1, "Componenti nucleo", "tre")
    b.plant(
        "ASST", app, 1, "household_size", "household size written 'tre'", "NUMERO_NON_LEGGIBILE"
    )

    # ---------------- ATS (xls, one row per application)
    app = b.pick("ATS", 2, 0.15)
    first = b.minor(app, 1)
    second = b.minor(app, 2)
    for name in ("minor_surname", "minor_name", "minor_tax_code", "minor_birth_date"):
        pop.at[second, name] = pop.at[first, name]
    b.plant(
        "ATS",
        app,
        2,
        "minor_tax_code",
        "Figlio 2 is Figlio 1 again (same tax code)",
        "MINORE_RIPETUTO_IN_DOMANDA",
    )

    app = b.pick("ATS", 1, 0.35)
    b.cell("ATS", app, None, "Data invio", dt.date(2071, 7, 15))
    b.plant(
        "ATS",
        app,
        None,
        "submitted_at",
        "submitted on 15/07/2071 (typo for 2017)",
        "DATA_PRESENTAZIONE_IMPLAUSIBILE",
    )

    app = b.pick("ATS", 1, 0.55)
    pop.loc[b.rows(app), "submitted_at"] = pd.Timestamp(2017, 8, 3, 10, 15)
    b.plant(
        "ATS",
        app,
        None,
        "submitted_at",
        "submitted on 03/08/2017, after the deadline",
        "FUORI_TERMINE",
        "rank",
    )

    app = b.pick("ATS", 1, 0.75)
    b.cell("ATS", app, 1, "Data nascita Figlio 1", "31/02/2011")
    b.plant(
        "ATS",
        app,
        1,
        "minor_birth_date",
        "birth date '31/02/2011' typed as text",
        "DATA_NON_LEGGIBILE",
    )

    # ---------------- COMUNE (ods)
    app = b.pick("COMUNE", 1, 0.10)
    b.cell("COMUNE", app, 1, "CF bambino", None)
    b.plant(
        "COMUNE",
        app,
        1,
        "minor_tax_code",
        "minor's tax code left empty",
        "CAMPO_OBBLIGATORIO_MANCANTE",
    )

    app = b.pick("COMUNE", 1, 0.30)
    pop.loc[b.rows(app), "isee"] = -850_000
    b.plant("COMUNE", app, None, "isee", "ISEE -8500", "ISEE_NEGATIVO")

    app = b.pick("COMUNE", 1, 0.50)
    b.cell("COMUNE", app, 1, "Disabilità", "forse")
    b.plant("COMUNE", app, 1, "disability", "disability flag 'forse'", "SI_NO_NON_LEGGIBILE")

    app = b.pick("COMUNE", 2, 0.65)
    i = b.minor(app, 2)
    born = dt.date(2018, 2, 11)
    pop.at[i, "minor_birth_date"] = pd.Timestamp(born)
    pop.at[i, "minor_tax_code"] = recode_birth(pop.at[i, "minor_tax_code"], born)
    b.plant(
        "COMUNE",
        app,
        2,
        "minor_birth_date",
        "born 11/02/2018, after the reference date (tax code agrees)",
        "NASCITA_FUTURA",
    )

    app = b.pick("COMUNE", 1, 0.85)
    pop.loc[b.rows(app), "isee"] = 4_125_000
    b.plant(
        "COMUNE",
        app,
        None,
        "isee",
        "ISEE 41.250,00, above the 35.000 threshold",
        "ISEE_OLTRE_SOGLIA",
        "rank",
    )

    # ---------------- COOP (csv ;)
    when = pop.loc[b.rows(asst_dup), "submitted_at"].iloc[0]
    app = b.pick("COOP", 1, 0.50, after=when)
    src, dst = b.minor(asst_dup, 1), b.minor(app, 1)
    for name in (
        "minor_surname",
        "minor_name",
        "minor_tax_code",
        "minor_birth_date",
        "disability",
        "learning_difficulty",
    ):
        pop.at[dst, name] = pop.at[src, name]
    b.plant(
        "COOP",
        app,
        1,
        "minor_tax_code",
        "the same minor as in the ASST application (the other parent applied there, earlier)",
        "MINORE_IN_PIU_DOMANDE",
    )

    app = b.pick("COOP", 1, 0.20)
    b.cell("COOP", app, 1, "Costo", "trecento")
    b.plant("COOP", app, 1, "requested_eur", "cost 'trecento'", "IMPORTO_NON_LEGGIBILE")

    app = b.pick("COOP", 1, 0.30)
    pop.loc[b.rows(app), "requested_eur"] = -15_000
    b.plant("COOP", app, 1, "requested_eur", "cost '€ -150,00'", "IMPORTO_NEGATIVO")

    first_app = b.pick("COOP", 1, 0.05)
    second_app = b.pick("COOP", 1, 0.90)
    a, c = b.minor(first_app, 1), b.minor(second_app, 1)
    for name in (
        "applicant_surname",
        "applicant_name",
        "applicant_tax_code",
        "applicant_email",
        "isee",
        "single_parent",
        "both_parents_working",
    ):
        pop.loc[b.rows(second_app), name] = pop.at[a, name]
    pop.at[c, "minor_surname"] = pop.at[a, "minor_surname"]
    pop.at[c, "minor_tax_code"] = _with_surname(
        pop.at[c, "minor_tax_code"], pop.at[a, "minor_surname"]
    )
    for app_id, what in ((first_app, "first"), (second_app, "second")):
        b.plant(
            "COOP",
            app_id,
            None,
            "applicant_tax_code",
            f"the same applicant applies twice (this is the {what} application, for another child)",
            "RICHIEDENTE_DUPLICATO",
        )

    app = b.pick("COOP", 2, 0.70)
    for slot, born in ((1, dt.date(1999, 5, 20)), (2, dt.date(2000, 7, 2))):
        i = b.minor(app, slot)
        pop.at[i, "minor_birth_date"] = pd.Timestamp(born)
        pop.at[i, "minor_tax_code"] = recode_birth(pop.at[i, "minor_tax_code"], born)
    b.plant(
        "COOP",
        app,
        None,
        "",
        "no eligible minor: the two minors are 18 and 17 at the reference date",
        "NESSUN_MINORE_AMMISSIBILE",
        "rank",
    )

    # ---------------- AZIENDA (tab, cp1252)
    app = b.pick("AZIENDA", 2, 0.25)
    b.cell("AZIENDA", app, 2, "ISEE", "9999,99")
    b.plant(
        "AZIENDA",
        app,
        None,
        "isee",
        "the application's second row has another ISEE (9999,99)",
        "DOMANDA_INCOERENTE",
    )

    app = b.pick("AZIENDA", 1, 0.60)
    bad = bad_check(pop.at[b.minor(app, 1), "applicant_tax_code"])
    pop.loc[b.rows(app), "applicant_tax_code"] = bad
    b.plant(
        "AZIENDA",
        app,
        None,
        "applicant_tax_code",
        "applicant's tax code with a wrong check character",
        "CF_NON_VALIDO",
    )
    b.plant(
        "AZIENDA",
        app,
        None,
        "applicant_tax_code",
        "(same application) excluded",
        "CF_RICHIEDENTE_NON_VALIDO",
        "rank",
    )

    # ---------------- BANCA (csv ,)
    app = b.pick("BANCA", 1, 0.40)
    b.cell("BANCA", app, 1, "Data nascita", "15/13/2010")
    b.plant(
        "BANCA",
        app,
        1,
        "minor_birth_date",
        "birth date '15/13/2010' (month 13)",
        "DATA_NON_LEGGIBILE",
    )

    # file-level cases
    for partner, column, what, code in (
        ("ASST", "", "two empty rows between the applications", "RIGA_VUOTA_IGNORATA"),
        ("ASST", "", "a totals row at the bottom", "RIGA_TOTALI_IGNORATA"),
        ("AZIENDA", "Note", "an unmapped 'Note' column", "COLONNA_NON_USATA"),
        (
            "AZIENDA",
            "",
            "the last of two trailing columns without a header holds a few "
            "stray marks ('ok'); the other is empty (no finding)",
            "COLONNA_VUOTA_IGNORATA",
        ),
        ("BANCA", "Reparto", "an unmapped 'Reparto' column", "COLONNA_NON_USATA"),
    ):
        b.plants.append(Plant(partner, "", None, column, what, code, "validate"))


def _with_surname(code: str, surname: str) -> str:
    body = cf_lib.encode_lastname(surname) + code[3:15]
    return body + cf_lib.encode_cin(body)


# ------------------------------------------------------------------------ layout


@dataclass
class Laid:
    """A partner's file as rows of cells, and where each application / minor landed."""

    header_row: int  # Excel row of the header
    headers: list[str]
    rows: list[list[object]]  # data rows (None = empty cell), as written
    kinds: list[str]
    excel_row: list[int]  # Excel row of each data row
    row_of: dict[tuple[str, int], int]  # (application id, slot) -> Excel row
    first_row_of: dict[str, int]  # application id -> first Excel row
    blank_rows: list[int] = field(default_factory=list)
    total_row: int | None = None


def lay_out(b: Builder, p: Partner, spreadsheet: bool) -> Laid:
    part = b.pop[b.pop["partner_id"] == p.id].reset_index(drop=True)
    sheet: Sheet = demo.render(part, p.style, spreadsheet=spreadsheet)
    headers = list(sheet.headers)
    cols = [c.copy() for c in sheet.columns]
    kinds = list(sheet.kinds)
    if p.style.layout == "minor":
        keys = list(zip(part["application_id"], part["minor_index"], strict=True))
        row_index = {k: r for r, k in enumerate(keys)}
        app_rows: dict[str, list[int]] = {}
        for r, (a, _) in enumerate(keys):
            app_rows.setdefault(a, []).append(r)
    else:
        apps = list(pd.unique(part["application_id"]))
        row_index = {}
        app_rows = {a: [r] for r, a in enumerate(apps)}
        for a, s in zip(part["application_id"], part["minor_index"], strict=True):
            row_index[(a, int(s))] = apps.index(a)

    # overrides of single cells
    for (app, slot, header), value in b.cells[p.id].items():
        c = headers.index(header)
        r = row_index[(app, slot)] if slot is not None else app_rows[app][0]
        cols[c][r] = value
    rows = [[col[r] for col in cols] for r in range(len(cols[0]))]

    # extra (unmapped) columns
    if p.extra_columns:
        rng = np.random.default_rng(SEED + 1)
        notes = [
            "",
            "",
            "",
            "integrazione ISEE in arrivo",
            "già beneficiario 2016",
            "chiede part-time",
            "documenti completi",
        ]
        reparti = ["Filiale Crema", "Filiale Lodi", "Sede", "Back office", "Filiale Cremona"]
        headers_added: list[str] = []
        for name in p.extra_columns:
            if name == "Note":
                values = [notes[i] for i in rng.integers(0, len(notes), len(rows))]
            elif name == "Reparto":
                values = [reparti[i] for i in rng.integers(0, len(reparti), len(rows))]
            elif name == "" and len(headers_added) == len(p.extra_columns) - 1:
                # a column without a header with a few stray marks: reported, not read
                values = ["ok" if i % 23 == 5 else None for i in range(len(rows))]
            else:
                values = [None] * len(rows)
            headers_added.append(name)
            if name == "Reparto":  # in the middle, after the applicant's columns
                at = headers.index(p.style.headers["both_parents_working"]) + 1
            else:
                at = len(headers)
            headers.insert(at, name)
            kinds.insert(at, "text")
            for row, v in zip(rows, values, strict=True):
                row.insert(at, v)

    header_row = 3 if p.id == "ASST" else 1
    excel_row = []
    blank_rows = []
    r = header_row + 1
    blank_after = set()
    if p.id == "ASST":  # empty rows between applications, about 1/3 and 2/3 of the way
        ends = sorted(rows_[-1] for rows_ in app_rows.values())
        blank_after = {ends[len(ends) // 3], ends[2 * len(ends) // 3]}
    for i in range(len(rows)):
        excel_row.append(r)
        r += 1
        if i in blank_after:
            blank_rows.append(r)
            r += 1
    total_row = r if p.id == "ASST" else None
    row_of = {k: excel_row[v] for k, v in row_index.items()}
    first_row_of = {a: excel_row[v[0]] for a, v in app_rows.items()}
    return Laid(
        header_row, headers, rows, kinds, excel_row, row_of, first_row_of, blank_rows, total_row
    )


def asst_touches(b: Builder, laid: Laid) -> None:
    """Lower-case tax codes (some with spaces), trailing spaces, bare serial dates."""
    h = laid.headers
    cf, cfm = h.index("Codice fiscale"), h.index("CF minore")
    sur, nam = h.index("Cognome"), h.index("Nome")
    birth = h.index("Data nascita minore")
    apps = [row[h.index("Protocollo")] for row in laid.rows]
    distinct = list(dict.fromkeys(apps))
    lower = set(distinct[3:60:7])  # every 7th application: lower case
    spaced = set(distinct[5:60:17])  # some with spaces inside
    trailing = set(distinct[2:90:6])
    for r, row in enumerate(laid.rows):
        a = apps[r]
        if a in lower and isinstance(row[cf], str):
            row[cf] = row[cf].lower() + "  "
            if isinstance(row[cfm], str):
                row[cfm] = row[cfm].lower()
        if a in spaced and isinstance(row[cf], str):
            c = row[cf].strip().upper()
            row[cf] = f"{c[:3]} {c[3:6]} {c[6:11]} {c[11:]}".lower()
        if a in trailing:
            row[sur] = f"{row[sur]}  "
            row[nam] = f"{row[nam]} "
        if 40 <= r < 50 and row[birth] is not None:
            row[birth] = ("serial", row[birth])  # a bare number, no date format


# ------------------------------------------------------------------------ writers


def write_asst(path: Path, laid: Laid, p: Partner) -> None:
    tmp = path.with_name(path.name + ".tmp")
    wb = xlsxwriter.Workbook(
        str(tmp),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    wb.set_properties({"created": demo.FIXED_CREATED, "author": "Ufficio Risorse Umane"})
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    sub = wb.add_format({"italic": True, "align": "center"})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    fdate = wb.add_format({"num_format": "dd/mm/yyyy"})
    fdt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    fmoney = wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet("Domande voucher")
    last = len(laid.headers) - 1
    ws.merge_range(0, 0, 0, last, "ASST di Crema - Domande voucher di conciliazione 2017", title)
    ws.merge_range(1, 0, 1, last, "Estrazione del 01/08/2017 - Ufficio Risorse Umane", sub)
    ws.write_row(laid.header_row - 1, 0, laid.headers, bold)
    ws.set_column(0, last, 16)
    money_cols = {laid.headers.index(p.style.headers[n]) for n in demo.MONEY_FIELDS}
    for row, excel in zip(laid.rows, laid.excel_row, strict=True):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            kind = laid.kinds[c]
            if isinstance(v, tuple):  # ("serial", number): a date typed as a bare number
                ws.write_number(excel - 1, c, int(v[1]))
            elif isinstance(v, str):
                ws.write_string(excel - 1, c, v)
            elif kind == "date":
                ws.write_number(excel - 1, c, v, fdate)
            elif kind == "datetime":
                ws.write_number(excel - 1, c, v, fdt)
            else:
                ws.write_number(excel - 1, c, v, fmoney if c in money_cols else None)
    cost = laid.headers.index(p.style.headers["requested_eur"])
    total = sum(r[cost] for r in laid.rows if isinstance(r[cost], float))
    n_apps = len(laid.first_row_of)
    t = laid.total_row - 1
    ws.write_string(t, 0, "TOTALE")
    ws.write_string(t, 1, f"{n_apps} domande")
    col = xlsxwriter.utility.xl_col_to_name(cost)
    ws.write_formula(t, cost, f"=SUM({col}{laid.header_row + 1}:{col}{t})", fmoney, round(total, 2))
    wb.close()
    tmp.replace(path)


def write_ats(path: Path, laid: Laid) -> None:
    import xlwt  # only for this script

    wb = xlwt.Workbook(encoding="utf-8")
    info = wb.add_sheet("Istruzioni")
    lines = [
        "ATS Val Padana - Richieste voucher di conciliazione 2017",
        "",
        "Compilare una riga per ogni richiesta. Per ogni figlio (fino a tre) compilare il "
        "gruppo di colonne Figlio 1, Figlio 2, Figlio 3.",
        "Data invio nel formato gg/mm/aaaa, ora invio nel formato hh:mm.",
        "L.104 e DSA: SI oppure NO.",
        "I dati sono nel foglio 'Richieste'.",
    ]
    for i, line in enumerate(lines):
        info.write(i, 0, line)
    ws = wb.add_sheet("Richieste")
    hstyle = xlwt.easyxf("font: bold on")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    time_style = xlwt.easyxf(num_format_str="HH:MM")
    for c, h in enumerate(laid.headers):
        ws.write(0, c, h, hstyle)
    for row, excel in zip(laid.rows, laid.excel_row, strict=True):
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            kind = laid.kinds[c]
            if isinstance(v, dt.date):
                ws.write(excel - 1, c, v, date_style)
            elif isinstance(v, str):
                ws.write(excel - 1, c, v)
            elif kind == "date":
                ws.write(excel - 1, c, float(v), date_style)
            elif kind == "time":
                ws.write(excel - 1, c, float(v), time_style)
            else:
                ws.write(excel - 1, c, float(v))
    buf = io.BytesIO()
    wb.save(buf)
    _atomic(path, buf.getvalue())


def write_ods(path: Path, laid: Laid, b: Builder, p: Partner) -> None:
    """ODS through pandas' odf writer; amounts as number cells, the rest as text."""
    money = {laid.headers.index(p.style.headers[n]): n for n in demo.MONEY_FIELDS}
    part = b.pop[b.pop["partner_id"] == p.id].reset_index(drop=True)
    data = []
    for r, row in enumerate(laid.rows):
        out = []
        for c, v in enumerate(row):
            if c in money and v not in (None, ""):
                cents = part.at[r, money[c]]
                v = None if pd.isna(cents) else int(cents) / 100
            out.append(v)
        data.append(out)
    frame = pd.DataFrame(data, columns=laid.headers, dtype=object)
    tmp = path.with_name(path.name + ".tmp.ods")
    with pd.ExcelWriter(tmp, engine="odf") as xw:
        frame.to_excel(xw, sheet_name="Domande", index=False)
    _atomic(path, _fixed_zip(tmp.read_bytes()))
    tmp.unlink()


def write_csv(path: Path, laid: Laid, p: Partner, b: Builder) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=p.delimiter, lineterminator="\r\n")
    w.writerow(laid.headers)
    for row in laid.rows:
        w.writerow(["" if v is None else v for v in row])
    _atomic(path, buf.getvalue().encode(p.encoding))


def _atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps and without volatile metadata (reproducible)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            z = zipfile.ZipInfo(info.filename, ZIP_TIME)
            z.compress_type = (
                zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            )
            z.external_attr = 0o644 << 16
            dst.writestr(z, body)
    return out.getvalue()


# ------------------------------------------------------------------------ the call


def build(out: Path) -> None:
    b = Builder()
    plant_everything(b)
    partner_dir = out / "partner"
    if partner_dir.exists():
        shutil.rmtree(partner_dir)
    partner_dir.mkdir(parents=True)
    laid_out: dict[str, Laid] = {}
    for p in PARTNERS:
        spreadsheet = p.kind in ("xlsx", "xls")
        laid = lay_out(b, p, spreadsheet)
        if p.kind == "xlsx":
            asst_touches(b, laid)
            write_asst(out / p.file, laid, p)
        elif p.kind == "xls":
            write_ats(out / p.file, laid)
        elif p.kind == "ods":
            write_ods(out / p.file, laid, b, p)
        else:
            if p.id == "COOP":
                _mix_si(laid, p)
            write_csv(out / p.file, laid, p, b)
        laid_out[p.id] = laid

    sections = []
    for p in PARTNERS:
        extra: dict[str, object] = dict(p.yaml_extra)
        sections.append((p.id, p.name, p.file, p.style, extra))
    text = demo.bando_text(demo.partners_yaml(sections))
    text = text.replace(
        "\npartners:\n",
        "\n# Le sei esportazioni dell'esempio: ogni partner ha il suo formato e le sue\n"
        "# intestazioni (vedi examples/conciliare-2017/README.md).\npartners:\n",
        1,
    )
    demo.write_text(out / "bando.yaml", text)
    load_call(out)

    # resolve the rows of the planted cases
    for pl in b.plants:
        laid = laid_out[pl.partner]
        pl.file = next(p.file for p in PARTNERS if p.id == pl.partner)
        if not pl.app:
            if pl.code == "RIGA_VUOTA_IGNORATA":
                pl.row = ", ".join(str(r) for r in laid.blank_rows)
            elif pl.code == "RIGA_TOTALI_IGNORATA":
                pl.row = str(laid.total_row)
            else:
                pl.row = "—"
        elif pl.slot is not None and (pl.app, pl.slot) in laid.row_of:
            pl.row = str(laid.row_of[(pl.app, pl.slot)])
        else:
            pl.row = str(laid.first_row_of[pl.app])
    write_readme(out, b, laid_out)


def _mix_si(laid: Laid, p: Partner) -> None:
    """COOP's system writes 'Sì' in some rows and 'SI' in others."""
    flags = [laid.headers.index(p.style.headers[n]) for n in demo.BOOL_FIELDS]
    for r, row in enumerate(laid.rows):
        if r % 3 == 0:
            for c in flags:
                if row[c] == "SI":
                    row[c] = "Sì"


def write_readme(out: Path, b: Builder, laid_out: dict[str, Laid]) -> None:
    pop = b.pop
    lines = [
        "# The example call: Conciliare le responsabilità 2017",
        "",
        "A complete call folder with invented people (valid tax codes, made with",
        "python-codicefiscale): `bando.yaml` (the shipped rules `rules/conciliare-2017.yaml`",
        "plus the `partners:` section) and the exports of six partners, each in its own",
        "format, with the defects a real call meets planted in known places.",
        "",
        "```",
        "conciliare validate examples/conciliare-2017",
        "conciliare rank examples/conciliare-2017",
        "```",
        "",
        "Regenerate it with `python bench/make_example.py` (needs `pip install xlwt odfpy`,",
        "only for writing the .xls and .ods files). The tables below are written by that",
        "script and read by `tests/test_example_call.py`: the test fails when the validator",
        "misses a planted case or reports a blocking finding anywhere else.",
        "",
        f"There are {pop['application_id'].nunique()} applications with {len(pop)} minors: the",
        "funds (144.000 € = 480 vouchers of 300 €) run out, so the graduatoria has funded,",
        "one partly funded, waiting-list and excluded applications.",
        "",
        "## Partner files",
        "",
        "| Partner | Name | File | Format | Applications | Minors | What it exercises |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in PARTNERS:
        part = pop[pop["partner_id"] == p.id]
        lines.append(
            f"| {p.id} | {p.name} | `{p.file}` | {p.kind} | {part['application_id'].nunique()} "
            f"| {len(part)} | {p.description} |"
        )
    lines += [
        "",
        "## Planted cases",
        "",
        "Row is the row number as Excel (or a text editor, for CSV) shows it; `—` means the",
        "whole file. `Checked by` says which stage must report the code: `validate` (a",
        "finding, see the codes in the main README), `rank` (the exclusion reason in the",
        "graduatoria), `letters` (no code: the letter must show the text as it is).",
        "",
        "| # | Partner | File | Row | Column | What is planted | Code | Checked by |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, pl in enumerate(b.plants, start=1):
        what = pl.what.replace("|", "\\|")
        column = pl.column or "—"
        lines.append(
            f"| {n} | {pl.partner} | `{pl.file}` | {pl.row} | {column} | {what} | {pl.code} "
            f"| {pl.by} |"
        )
    lines += [
        "",
        "Besides these, the files carry variations that must be read correctly, with no",
        "finding: header rows that are not the first, lower-case tax codes with spaces,",
        "trailing spaces in names, dates as date cells, bare Excel serial numbers, ISO text,",
        "dd/mm/yyyy and dd.mm.yyyy, times in their own column, amounts as numbers,",
        "'€ 1.234,56', '1.234,56' and '1234,56', flags SI/NO/Sì, X/blank and 1/0, UTF-8 with",
        "BOM and Windows-1252.",
        "",
    ]
    demo.write_text(out / "README.md", "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "conciliare-2017")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    build(args.out)
    print(f"example call written to {args.out}")


if __name__ == "__main__":
    main()
