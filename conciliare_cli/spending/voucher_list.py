"""The vouchers as the acts leave them: the final list (graduatoria.csv of a DEFINITIVA result,
checked against its manifest) and every scorrimento after it (spending/act_list.py).

A voucher is a funded minor: the minor's tax code, the application and partner, the amount of
the voucher and the part of it each fund pays (`fund_<ID>_cents`), all in whole cents, as the
latest act that changed them says (the final list, or the scorrimento that funded or completed
it). A minor that an act takes off the list (RINUNCIA, REVOCA, DECADENZA) keeps the voucher it
had until the date of the event (`ended`): what was spent before it counts, nothing after it.
The lists are read only from published acts whose files have the SHA-256 their manifests
recorded: the spending is matched to the acts, never to a file edited afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_short
from conciliare_cli.status import Status

GRADUATORIA = "graduatoria.csv"
MANIFEST = "manifest.json"
FUNDED = (Status.FUNDED.value, Status.PARTIAL.value)
REMOVED = ("RINUNCIA", "REVOCA", "DECADENZA")  # a minor taken off the list by an act
REMOVED_LABELS = {"RINUNCIA": "rinuncia", "REVOCA": "revoca", "DECADENZA": "decadenza"}


@dataclass
class VoucherList:
    """vouchers: voucher, application_id, partner_id, applicant_tax_code, awarded_cents, the
    funds' cents, status (in the latest act), ended (date of the event that took the minor off
    the list, NaT), act (the act that set the amount), voucher_code (as the slip prints it,
    spending/voucher_codes.py; '' when not known); grants: what each act gave each minor
    (spending/act_list.py); acts: the scorrimenti read (number, date, SHA-256)."""

    vouchers: pd.DataFrame
    fund_ids: list[str]  # in the order of the rules
    run_date: str  # of the final list
    sha256: str  # of graduatoria.csv
    acts: list[tuple[int, str, str]] = field(default_factory=list)
    grants: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        v = self.vouchers
        if "status" not in v:
            v["status"] = Status.FUNDED.value
        if "ended" not in v:
            v["ended"] = pd.Series(pd.NaT, index=v.index, dtype="datetime64[ns]")
        if "act" not in v:
            v["act"] = final_label(self.run_date)
        if "voucher_code" not in v:
            v["voucher_code"] = ""
        if self.grants is None:
            self.grants = pd.DataFrame(
                {
                    "voucher": v["voucher"].to_numpy(dtype=object),
                    "application_id": v["application_id"].to_numpy(dtype=object),
                    "applicant_tax_code": v["applicant_tax_code"].to_numpy(dtype=object),
                    "date": dt.date.fromisoformat(self.run_date),
                    "act": final_label(self.run_date),
                    "granted_cents": v["awarded_cents"].to_numpy(dtype=np.int64),
                    "live": v["ended"].isna().to_numpy(),
                }
            )

    @property
    def ended(self) -> np.ndarray:
        """Per voucher: taken off the list by an act."""
        return self.vouchers["ended"].notna().to_numpy()

    def describe(self) -> str:
        """'graduatoria DEFINITIVA del 20/09/2017 e scorrimenti n. 1 del ..., n. 2 del ...'."""
        text = f"graduatoria DEFINITIVA del {date_short(dt.date.fromisoformat(self.run_date))}"
        if not self.acts:
            return text
        acts = ", ".join(
            f"n. {k} del {date_short(dt.date.fromisoformat(d))}" for k, d, _ in self.acts
        )
        return f"{text} e {'scorrimento' if len(self.acts) == 1 else 'scorrimenti'} {acts}"


def final_label(run_date: str) -> str:
    return f"graduatoria definitiva del {date_short(dt.date.fromisoformat(run_date))}"


def plain_to_cents(values: pd.Series, where: str, file: str = GRADUATORIA) -> np.ndarray:
    """'1234.56' (the contract's format) as whole cents; '' as 0. UserError if unreadable."""
    text = values.astype("string").fillna("").str.strip()
    ok = text.str.fullmatch(r"-?\d+(\.\d{1,2})?|").fillna(False)
    if not ok.all():
        bad = text[~ok].iloc[0]
        raise UserError(f"importo non leggibile '{bad}' nella colonna {where}", file=file)
    whole = text.str.extract(r"^(-?\d*)")[0].replace({"": "0", "-": "0"}).astype(np.int64)
    frac = text.str.extract(r"\.(\d{1,2})$")[0].fillna("0").str.ljust(2, "0").astype(np.int64)
    sign = np.where(text.str.startswith("-").to_numpy(), -1, 1)
    return (whole.to_numpy() * 100 + sign * frac.to_numpy()).astype(np.int64)


def published_csv(out_dir: Path, manifest: dict, what: str) -> tuple[bytes, str]:
    """graduatoria.csv of a published act in `out_dir`, checked against its manifest:
    (its bytes, its SHA-256)."""
    path = out_dir / GRADUATORIA
    if not path.exists():
        raise UserError(f"manca {GRADUATORIA} in {out_dir} ({what})", hint="'conciliare verify'")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    recorded = {o.get("path"): o.get("sha256") for o in manifest.get("outputs", [])}
    if recorded.get(GRADUATORIA) != digest:
        raise UserError(
            f"{GRADUATORIA} in {out_dir} non è quello pubblicato ({what}): la sua impronta non "
            "corrisponde a manifest.json",
            hint="'conciliare verify CARTELLA' mostra cosa è cambiato; le spese si abbinano "
            "solo agli atti pubblicati",
        )
    return data, digest


def list_table(data: bytes, fund_ids: list[str], where: str) -> pd.DataFrame:
    """A published graduatoria.csv (final list or act) as one row per minor: voucher (the
    tax code as compared), application_id, partner_id, applicant_tax_code, minor_slot,
    status, awarded_cents and the funds' cents."""
    table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    out = pd.DataFrame(
        {
            "voucher": table["minor_tax_code"].str.upper().str.strip().to_numpy(dtype=object),
            "application_id": table["application_id"].to_numpy(dtype=object),
            "partner_id": table["partner_id"].to_numpy(dtype=object),
            "applicant_tax_code": table["applicant_tax_code"].str.upper().str.strip()
            .to_numpy(dtype=object),
            "status": table["status"].to_numpy(dtype=object),
            "awarded_cents": plain_to_cents(table["awarded_eur"], "awarded_eur", where),
        }
    )  # fmt: skip
    if "minor_slot" in table:
        out["minor_slot"] = table["minor_slot"].to_numpy(dtype=object)
    for f in fund_ids:
        column = f"fund_{f}_eur"
        values = table[column] if column in table else pd.Series([""] * len(table))
        out[f"fund_{f}_cents"] = plain_to_cents(values, column, where)
    return out


def read_vouchers(out_dir: Path, manifest: dict, fund_ids: list[str]) -> VoucherList:
    """The vouchers of the DEFINITIVA result in `out_dir` (its manifest already read), as the
    final list gives them (the acts after it: spending/act_list.py)."""
    table, digest = final_table(out_dir, manifest, fund_ids)
    funded = table[table["status"].isin(FUNDED)]
    out = funded[(funded["awarded_cents"] > 0) & funded["voucher"].ne("")]
    out = out.drop(columns=["minor_slot"], errors="ignore")
    out = out.drop_duplicates("voucher", keep="first").reset_index(drop=True)
    return VoucherList(out, fund_ids, str(manifest.get("run_date", "")), digest)


def final_table(out_dir: Path, manifest: dict, fund_ids: list[str]) -> tuple[pd.DataFrame, str]:
    """Every minor of the DEFINITIVA result in `out_dir`, and the SHA-256 of its CSV."""
    if manifest.get("status") != "DEFINITIVA":
        raise UserError(
            f"in {out_dir} la graduatoria non è DEFINITIVA "
            f"(stato: {manifest.get('status', 'sconosciuto')}): le spese si abbinano ai voucher "
            "della graduatoria definitiva",
            hint="pubblica prima la graduatoria definitiva con "
            "'conciliare rank CARTELLA --definitiva'",
        )
    data, digest = published_csv(out_dir, manifest, "graduatoria definitiva")
    return list_table(data, fund_ids, GRADUATORIA), digest
