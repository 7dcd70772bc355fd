"""The planted cases of the example call, partner by partner, in the README's order.

Each case changes the people (`b.pop`: the tax code and the date agree, or on purpose do
not) or overrides one cell as the partner's file shows it (`b.cell`), and records a README
row (`b.plant`) with the code that `validate` or `rank` must report. Which application gets a
case is chosen by position in the partner's file (`b.pick`), so the cases spread over the
file; the order of the calls below fixes the choice and the README's numbering.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from conciliare_cli.demo.example.builder import Builder, Plant
from conciliare_cli.demo.people import bad_check, recode_birth, with_surname


def plant_everything(b: Builder) -> None:
    """Plant every case of the example call, in the README's order."""
    asst_dup = _asst_codes(b)
    _asst_values(b)
    _ats(b)
    _comune(b)
    _coop_values(b, asst_dup)
    _coop_applicants(b)
    _azienda(b)
    _banca(b)
    _file_level(b)


def _asst_codes(b: Builder) -> str:
    """ASST (xlsx): a wrong check character, a birth date that disagrees with the tax code, a
    formula, and the minor that COOP repeats (its application is returned)."""
    pop = b.pop
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
    return asst_dup


def _asst_values(b: Builder) -> None:
    """ASST: a minor aged 17, markup in a name, a household size in words."""
    pop = b.pop
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


def _ats(b: Builder) -> None:
    """ATS (xls, one row per application): a repeated minor, an impossible and a late
    submission, a birth date that is no date."""
    pop = b.pop
    app = b.pick("ATS", 2, 0.15)
    first = b.minor(app, 1)
    second = b.minor(app, 2)
    for name in ("minor_surname", "minor_name", "minor_tax_code", "minor_birth_date"):
        b.truth[(app, 2, name)] = pop.at[second, name]
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


def _comune(b: Builder) -> None:
    """COMUNE (ods): a missing tax code, a negative and a high ISEE, a flag that is no flag,
    a birth after the reference date."""
    pop = b.pop
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
    b.truth[(app, None, "isee")] = 850_000
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


def _coop_values(b: Builder, asst_dup: str) -> None:
    """COOP (csv ;): the minor of the ASST application `asst_dup` again, costs that are no costs."""
    pop = b.pop
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
    b.truth[(app, 1, "requested_eur")] = 15_000
    pop.loc[b.rows(app), "requested_eur"] = -15_000
    b.plant("COOP", app, 1, "requested_eur", "cost '€ -150,00'", "IMPORTO_NEGATIVO")


def _coop_applicants(b: Builder) -> None:
    """COOP: the same applicant twice, an application without eligible minors."""
    pop = b.pop
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
    pop.at[c, "minor_tax_code"] = with_surname(
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


def _azienda(b: Builder) -> None:
    """AZIENDA (tab, cp1252): an application incoherent across its rows, a wrong applicant code."""
    pop = b.pop
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


def _banca(b: Builder) -> None:
    """BANCA (csv ,): a month 13."""
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


def _file_level(b: Builder) -> None:
    """Cases of a whole file: empty and totals rows, unmapped and headerless columns."""
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
