"""The transparency register (d.lgs. 33/2013 art. 26-27): the economic benefits of the call
above 1,000 EUR in a calendar year to one person, in an open tabular format.

The beneficiary of a voucher is the applicant (the family). The amounts of every voucher of an
applicant's applications are summed over all the call's acts, per calendar year of the act:
what the final list gave, and what each scorrimento added (a child funded or completed by it),
each in the year of its act (spending/act_list.py); the award of a child that the latest act
says was renounced, revoked or lapsed is taken out entirely. An applicant above 1.000,00 EUR in
a year is listed for that year, with the fields of art. 27 c. 1: beneficiary, amount, the title
of the award, the office and the person responsible, the way the beneficiary was chosen, and
the act. Art. 26 c. 4 forbids publishing the identity of a person when it reveals their health
or economic and social hardship: with `spending.transparency_identity: omit` (the default, and
the case of a means-tested voucher with disability points) the name is replaced by that
statement and the applicant is known by the public code of the published list.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.atomic import atomic_write_bytes
from conciliare_cli.config import LoadedCall
from conciliare_cli.money import cents_to_plain
from conciliare_cli.publish.listing import public_id_for
from conciliare_cli.read import read_call
from conciliare_cli.spending.report_files import excel_safe
from conciliare_cli.spending.voucher_list import VoucherList
from conciliare_cli.validate.corrections import corrected_minors
from conciliare_cli.write.graduatoria import csv_text

REGISTER = "trasparenza.csv"
THRESHOLD_CENTS = 100_000  # art. 26 c. 2: "superiore a mille euro" nell'anno solare
OMITTED = "dato omesso (art. 26 c. 4 d.lgs. 33/2013)"


def register(call: LoadedCall, vouchers: VoucherList) -> pd.DataFrame:
    """One row per applicant and calendar year above the threshold, by public code."""
    g = vouchers.grants
    assert g is not None
    g = g[g["live"].to_numpy(dtype=bool)].assign(year=[d.year for d in g.loc[g["live"], "date"]])
    per = g.groupby(["applicant_tax_code", "year"], sort=True).agg(
        awarded_cents=("granted_cents", "sum"),
        application_id=("application_id", lambda a: sorted(set(a))),
        act=("act", lambda a: "; ".join(dict.fromkeys(a))),
    )
    per = per[per["awarded_cents"] > THRESHOLD_CENTS].reset_index()
    config = call.config
    codes = per["application_id"].map(
        lambda ids: ", ".join(public_id_for(config, str(i)) for i in ids)
    )
    out = pd.DataFrame(
        {
            "year": per["year"].to_numpy(dtype=np.int64),
            "code": codes.to_numpy(dtype=object),
            "beneficiary": _names(call, per),
            "awarded_cents": per["awarded_cents"].to_numpy(dtype=np.int64),
        }
    )
    lead = config.call.lead_partner
    out["title"] = f"{config.call.title} (voucher di conciliazione vita-lavoro)"
    out["office"] = ", ".join(p for p in [lead.office, lead.name, lead.signatory] if p)
    out["method"] = "graduatoria per punteggio secondo i criteri del bando, nei limiti dei fondi"
    out["act"] = per["act"].to_numpy(dtype=object)
    return out.sort_values(["year", "code"], kind="mergesort").reset_index(drop=True)


def _names(call: LoadedCall, per: pd.DataFrame) -> list[str]:
    spending = call.config.spending
    if spending is None or spending.transparency_identity == "omit" or not len(per):
        return [OMITTED] * len(per)
    minors = corrected_minors(call, read_call(call).minors)
    full = (
        minors["applicant_surname"].fillna("").astype(str)
        + " "
        + minors["applicant_name"].fillna("").astype(str)
    ).str.strip()
    by_app = dict(zip(minors["application_id"].astype(str), full, strict=True))
    missing = "nome non indicato nei file dei partner"
    return [by_app.get(str(ids[0]), "") or missing for ids in per["application_id"]]


CSV_HEADERS = {
    "year": "Anno",
    "code": "Codice",
    "beneficiary": "Beneficiario",
    "awarded_eur": "Importo (euro)",
    "title": "Norma o titolo a base dell'attribuzione",
    "office": "Ufficio e responsabile del procedimento",
    "method": "Modalità di individuazione del beneficiario",
    "act": "Atto",
}


def register_csv(frame: pd.DataFrame) -> str:
    """The register as CSV (UTF-8, comma-separated, Italian headers, amounts '1234.56')."""
    out = frame.assign(awarded_eur=cents_to_plain(frame["awarded_cents"]))
    out = out[list(CSV_HEADERS)].astype(str)
    for col in ("code", "beneficiary"):
        out[col] = excel_safe(out[col])
    return csv_text(out.rename(columns=CSV_HEADERS))


def write_register(frame: pd.DataFrame, target: Path) -> Path:
    return atomic_write_bytes(target / REGISTER, register_csv(frame).encode("utf-8"))
