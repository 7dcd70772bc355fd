"""The vouchers of the final list: graduatoria.csv of a DEFINITIVA result, checked against its
manifest.

A voucher is a funded minor (FINANZIATA or FINANZIATA_PARZIALMENTE with an amount above
zero): the minor's tax code, the application and partner, the amount awarded and the part of it
each fund pays (`fund_<ID>_eur`), all in whole cents. The list is read only from a result whose
manifest says DEFINITIVA and whose graduatoria.csv has the SHA-256 the manifest recorded: the
spending is matched to the published act, never to a file edited afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.errors import UserError
from conciliare_cli.status import Status

GRADUATORIA = "graduatoria.csv"
MANIFEST = "manifest.json"
FUNDED = (Status.FUNDED.value, Status.PARTIAL.value)


@dataclass
class VoucherList:
    vouchers: pd.DataFrame  # voucher, application_id, partner_id, awarded_cents, fund cents
    fund_ids: list[str]  # in the order of the rules
    run_date: str  # of the final list
    sha256: str  # of graduatoria.csv


def plain_to_cents(values: pd.Series, where: str) -> np.ndarray:
    """'1234.56' (the contract's format) as whole cents; '' as 0. UserError if unreadable."""
    text = values.astype("string").fillna("").str.strip()
    ok = text.str.fullmatch(r"-?\d+(\.\d{1,2})?|").fillna(False)
    if not ok.all():
        bad = text[~ok].iloc[0]
        raise UserError(f"importo non leggibile '{bad}' nella colonna {where}", file=GRADUATORIA)
    whole = text.str.extract(r"^(-?\d*)")[0].replace({"": "0", "-": "0"}).astype(np.int64)
    frac = text.str.extract(r"\.(\d{1,2})$")[0].fillna("0").str.ljust(2, "0").astype(np.int64)
    sign = np.where(text.str.startswith("-").to_numpy(), -1, 1)
    return (whole.to_numpy() * 100 + sign * frac.to_numpy()).astype(np.int64)


def read_vouchers(out_dir: Path, manifest: dict, fund_ids: list[str]) -> VoucherList:
    """The vouchers of the DEFINITIVA result in `out_dir` (its manifest already read)."""
    if manifest.get("status") != "DEFINITIVA":
        raise UserError(
            f"in {out_dir} la graduatoria non è DEFINITIVA "
            f"(stato: {manifest.get('status', 'sconosciuto')}): le spese si abbinano ai voucher "
            "della graduatoria definitiva",
            hint="pubblica prima la graduatoria definitiva con 'conciliare rank CARTELLA --final'",
        )
    path = out_dir / GRADUATORIA
    if not path.exists():
        raise UserError(f"manca {GRADUATORIA} in {out_dir}", hint="rifai 'conciliare rank --final'")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    recorded = {o.get("path"): o.get("sha256") for o in manifest.get("outputs", [])}
    if recorded.get(GRADUATORIA) != digest:
        raise UserError(
            f"{GRADUATORIA} in {out_dir} non è quello pubblicato: la sua impronta non "
            "corrisponde a manifest.json",
            hint="'conciliare verify CARTELLA' mostra cosa è cambiato; le spese si abbinano "
            "solo alla graduatoria pubblicata",
        )
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    funded = table[table["status"].isin(FUNDED)].copy()
    out = pd.DataFrame(
        {
            "voucher": funded["minor_tax_code"].str.upper().str.strip().to_numpy(dtype=object),
            "application_id": funded["application_id"].to_numpy(dtype=object),
            "partner_id": funded["partner_id"].to_numpy(dtype=object),
            "applicant_tax_code": funded["applicant_tax_code"].to_numpy(dtype=object),
            "awarded_cents": plain_to_cents(funded["awarded_eur"], "awarded_eur"),
        }
    )
    for f in fund_ids:
        column = f"fund_{f}_eur"
        values = funded[column] if column in funded else pd.Series([""] * len(funded))
        out[f"fund_{f}_cents"] = plain_to_cents(values, column)
    out = out[(out["awarded_cents"] > 0) & out["voucher"].ne("")]
    out = out.drop_duplicates("voucher", keep="first").reset_index(drop=True)
    return VoucherList(out, fund_ids, str(manifest.get("run_date", "")), digest)
