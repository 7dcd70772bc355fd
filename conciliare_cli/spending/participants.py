"""The FSE participant data (Reg. UE 1304/2013, Annex I) and what is missing of them.

The participants of the FSE-financed part are the applicants (the employees) with at least one
voucher paid, even in part, by the FSE fund in the latest act (a voucher an act ended does not
count); each is counted once (by tax code), however many children and applications they have,
with the data of their first application. Gender and age (at the call's reference date) come
from the applicant's tax code; the other Annex I data from the fields of the call that
`spending.fse.indicators` names (declared in `fields:` and mapped in the partners' columns,
like any other field), read as corrected: the corrections on record (correzioni.xlsx) over the
partners' rows, as validate and rank see them. The report of what is missing says, for each
Annex I datum, whether the call collects it at all and, per partner, how many participants lack
it, so that the office can collect it in time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.atomic import atomic_write_bytes
from conciliare_cli.config import LoadedCall
from conciliare_cli.config.spending_models import ANNEX_I
from conciliare_cli.errors import UserError
from conciliare_cli.italian import yes_no
from conciliare_cli.read import read_call, table_fields
from conciliare_cli.spending.report_files import excel_safe
from conciliare_cli.spending.voucher_list import VoucherList
from conciliare_cli.taxcode import birth_date_not_after, birth_parts, valid_array
from conciliare_cli.validate.corrections import corrected_minors
from conciliare_cli.write.graduatoria import csv_text
from conciliare_cli.write.xlsx import Column, write_table, xlsx_workbook

DEFAULTS = {"single_adult_household": "single_parent"}  # a canonical field that says it
OMOCODIA = str.maketrans("LMNPQRSTUV", "0123456789")


@dataclass
class Participants:
    table: pd.DataFrame  # one row per participant
    missing: pd.DataFrame  # indicator, label, field, partner_id, participants, missing


def participants(call: LoadedCall, vouchers: VoucherList) -> Participants:
    spending = call.config.spending
    assert spending is not None
    fse = spending.fse
    column = f"fund_{fse.fund}_cents"
    if column not in vouchers.vouchers:
        raise UserError(
            f"il fondo '{fse.fund}' indicato in spending.fse.fund non è tra i fondi del bando",
            file=call.path.name,
        )
    mapping = {**DEFAULTS, **fse.indicators}
    known = table_fields(call)
    for name, field in fse.indicators.items():
        if field not in known:
            line = call.line_of(("spending", "fse", "indicators", name))
            raise UserError(
                f"spending.fse.indicators: il campo '{field}' (per {name}) non esiste",
                file=f"{call.path.name} riga {line}" if line else call.path.name,
                hint="dichiaralo in 'fields:' e mappalo nelle colonne dei partner",
            )
    v = vouchers.vouchers[(vouchers.vouchers[column] > 0) & ~vouchers.ended]
    v = v.assign(applicant_tax_code=v["applicant_tax_code"].astype(str).str.upper().str.strip())
    v = v.sort_values(["applicant_tax_code", "application_id"], kind="mergesort")
    people = v.drop_duplicates("applicant_tax_code").reset_index(drop=True)
    data = _data(call, people["application_id"], mapping)
    table = _table(call, people, data, mapping)
    return Participants(table, _missing(table, mapping))


def _data(call: LoadedCall, application_ids: pd.Series, mapping: dict[str, str]) -> pd.DataFrame:
    """The mapped fields of each participant's application (the first row of it), as
    corrected (validate/corrections.py: the corrections on record over the partners' rows)."""
    minors = corrected_minors(call, read_call(call).minors)
    cols = sorted(set(mapping.values()) & set(minors.columns))
    first = minors.drop_duplicates("application_id").set_index("application_id")[cols]
    return first.reindex(application_ids.astype(str).to_numpy())


def _table(
    call: LoadedCall, people: pd.DataFrame, data: pd.DataFrame, mapping: dict[str, str]
) -> pd.DataFrame:
    codes = people["applicant_tax_code"].astype(str).to_numpy()
    gender, age = _gender_and_age(codes, call.config.call.reference_date)
    out = pd.DataFrame(
        {
            "application_id": people["application_id"].to_numpy(dtype=object),
            "partner_id": people["partner_id"].to_numpy(dtype=object),
            "applicant_tax_code": codes,
            "gender": gender,
            "age": age,
        }
    )
    for name in ANNEX_I:
        field = mapping.get(name)
        values = data[field] if field in data.columns else pd.Series([pd.NA] * len(out))
        out[name] = [_text(x) for x in values.to_numpy(dtype=object)]
    return out


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return yes_no(value) if isinstance(value, bool | np.bool_) else str(value)


def _gender_and_age(codes: np.ndarray, reference) -> tuple[np.ndarray, np.ndarray]:
    """'F'/'M' from the day of birth in the tax code (+40 for women), age in whole years at
    the reference date; '' and NA when the code is not valid."""
    ok = valid_array(codes) if len(codes) else np.zeros(0, dtype=bool)
    gender = np.full(len(codes), "", dtype=object)
    age = pd.array([None] * len(codes), dtype="Int64")
    for i in np.flatnonzero(ok):
        code = codes[i]
        gender[i] = "F" if int(code[9].translate(OMOCODIA)) >= 4 else "M"
        born = birth_date_not_after(birth_parts(code), reference)
        if born is not None:
            years = reference.year - born.year
            age[i] = years - ((reference.month, reference.day) < (born.month, born.day))
    return gender, np.asarray(age, dtype=object)


def _missing(table: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    rows = []
    for name, label in ANNEX_I.items():
        field = mapping.get(name, "")
        empty = table[name].eq("")
        for partner, group in empty.groupby(table["partner_id"], sort=True):
            rows.append(
                {
                    "indicator": name, "label": label,
                    "field": field or "(non raccolto dal bando)",
                    "partner_id": partner, "participants": len(group),
                    "missing": int(group.sum()),
                }
            )  # fmt: skip
    return pd.DataFrame(
        rows, columns=["indicator", "label", "field", "partner_id", "participants", "missing"]
    )


PARTICIPANTS = "fse_partecipanti.csv"
MISSING = "fse_dati_mancanti.xlsx"
MISSING_COLUMNS = [
    Column("label", "Dato (Allegato I Reg. UE 1304/2013)", width=40, wrap=True),
    Column("field", "Campo del bando", width=22),
    Column("partner_id", "Partner", width=10),
    Column("participants", "Partecipanti", "int", total=True),
    Column("missing", "Senza il dato", "int", total=True),
]


def write_participants(
    result: Participants, target: Path, title: str, run_date: dt.date
) -> list[Path]:
    """`fse_partecipanti.csv` (one row per participant) and `fse_dati_mancanti.xlsx`."""
    table = result.table.astype(object).where(result.table.notna(), "").astype(str)
    for col in table.columns:
        table[col] = excel_safe(table[col])
    csv_path = atomic_write_bytes(target / PARTICIPANTS, csv_text(table).encode("utf-8"))
    notes = [
        "Partecipanti della parte finanziata dal FSE: i richiedenti con almeno un voucher "
        "pagato dal FSE, contati una volta. Genere ed età vengono dal codice fiscale.",
        "Un dato «non raccolto dal bando» va aggiunto ai campi del bando e alle colonne dei "
        "partner; gli altri vanno chiesti ai partecipanti che ne sono privi.",
    ]
    with xlsx_workbook(target / MISSING, run_date=run_date, title=title) as wb:
        write_table(wb, "Dati mancanti", result.missing, MISSING_COLUMNS, title=title,
                    run_date=run_date, subtitle="Dati FSE dei partecipanti da completare",
                    notes=notes)  # fmt: skip
    return [csv_path, target / MISSING]
