"""The vouchers after every act: the final list and the scorrimenti in
CARTELLA/scorrimenti/scorrimento_<k>/ (acts/chain.py), read as published.

Each act's graduatoria.csv must have the SHA-256 its manifest records, and the manifests must
chain: act 1 names the final list's manifest, act k the manifest of act k-1 (`verify` checks the
rest: that each act is what the final list and the register give). Then, act by act:

- a minor still on the list gets the amount and the funds' parts the act gives; when they
  change (funded, completed by the scorrimento), the act is the one that set the voucher and
  what it added is a grant of that act (for the transparency register);
- a minor the act takes off the list (RINUNCIA, REVOCA, DECADENZA) keeps the voucher it had,
  which ends on the date of the event that took it off (from the act's manifest).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.acts.chain import act_date, act_dir, issued_acts
from conciliare_cli.acts.events import removal_word
from conciliare_cli.config.models import CallConfig
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_short
from conciliare_cli.publish.manifest import MANIFEST, sha256_file
from conciliare_cli.spending.voucher_codes import voucher_codes
from conciliare_cli.spending.voucher_list import (
    REMOVED,
    VoucherList,
    final_label,
    final_table,
    list_table,
    published_csv,
)

KEY = ["application_id", "voucher"]


def act_label(k: int, date: dt.date) -> str:
    return f"scorrimento n. {k} del {date_short(date)}"


@dataclass
class PublishedAct:
    number: int
    manifest: dict  # date, events.this_act (the events it took)
    table: pd.DataFrame  # voucher_list.list_table of its graduatoria.csv
    sha256: str  # of its graduatoria.csv


def vouchers_after_acts(
    folder: Path, out_dir: Path, manifest: dict, config: CallConfig
) -> VoucherList:
    """The vouchers as the final list in `out_dir` and every act issued in `folder` leave them,
    each with its code."""
    fund_ids = [f.id for f in config.funds]
    final, digest = final_table(out_dir, manifest, fund_ids)
    final_sha = sha256_file(out_dir / MANIFEST)
    previous = final_sha
    acts = []
    for k, act in enumerate(issued_acts(folder), start=1):
        where = act_dir(folder, k)
        label = act_label(k, act_date(act))
        chained = act.get("previous", {}).get("sha256") == previous
        if act.get("final", {}).get("sha256") != final_sha or not chained:
            raise UserError(
                f"lo {label} non è stato emesso su questa graduatoria definitiva o non segue "
                "l'atto precedente (le impronte dei manifest non corrispondono)",
                file=str(where / MANIFEST),
                hint="'conciliare verify CARTELLA' controlla la catena degli atti",
            )
        data, sha = published_csv(where, act, label)
        table = list_table(data, fund_ids, f"{where.name}/graduatoria.csv")
        acts.append(PublishedAct(k, act, table, sha))
        previous = sha256_file(where / MANIFEST)
    out = combine(final, str(manifest.get("run_date", "")), digest, acts, fund_ids)
    return with_codes(out, voucher_codes(config, final))


def with_codes(vouchers: VoucherList, codes: pd.Series) -> VoucherList:
    """The vouchers with their codes (voucher_codes.py) in `voucher_code`."""
    v = vouchers.vouchers
    at = pd.MultiIndex.from_frame(v[["application_id", "voucher"]])
    v["voucher_code"] = codes.reindex(at).fillna("").to_numpy(dtype=object)
    return vouchers


def combine(
    final: pd.DataFrame,
    run_date: str,
    digest: str,
    acts: list[PublishedAct],
    fund_ids: list[str],
) -> VoucherList:
    """The vouchers after the final list (`final`: list_table of its graduatoria.csv) and the
    acts, in their order."""
    funds = [f"fund_{f}_cents" for f in fund_ids]
    state = final.drop_duplicates(KEY, keep="first").reset_index(drop=True)
    state["ended"] = pd.Series(pd.NaT, index=state.index, dtype="datetime64[ns]")
    state["act"] = final_label(run_date)
    first = dt.date.fromisoformat(run_date)
    grants = [_grants(state, state["awarded_cents"].to_numpy(), first, final_label(run_date))]
    for act in acts:
        label = act_label(act.number, act_date(act.manifest))
        state, granted = _advance(state, act.table, act.manifest, label, funds)
        grants.append(granted)
    vouchers = state[(state["awarded_cents"] > 0) & state["voucher"].ne("")]
    vouchers = vouchers.drop_duplicates("voucher", keep="first").reset_index(drop=True)
    removed = set(zip(*(state.loc[state["ended"].notna(), k] for k in KEY), strict=True))
    grant = pd.concat(grants, ignore_index=True)
    grant["live"] = [
        (a, v) not in removed
        for a, v in zip(grant["application_id"], grant["voucher"], strict=True)
    ]
    keep = ["voucher", "application_id", "partner_id", "applicant_tax_code", "awarded_cents",
            *funds, "status", "ended", "act"]  # fmt: skip
    read = [(a.number, act_date(a.manifest).isoformat(), a.sha256) for a in acts]
    return VoucherList(vouchers[keep].copy(), fund_ids, run_date, digest, read, grant)


def _grants(state: pd.DataFrame, added: np.ndarray, date: dt.date, label: str) -> pd.DataFrame:
    """What an act added to the vouchers (positive amounts only), dated with the act."""
    has = added > 0
    return pd.DataFrame(
        {
            "voucher": state.loc[has, "voucher"].to_numpy(dtype=object),
            "application_id": state.loc[has, "application_id"].to_numpy(dtype=object),
            "applicant_tax_code": state.loc[has, "applicant_tax_code"].to_numpy(dtype=object),
            "date": date,
            "act": label,
            "granted_cents": added[has].astype(np.int64),
        }
    )


def _advance(
    state: pd.DataFrame, table: pd.DataFrame, act: dict, label: str, funds: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The state after one act, and what the act granted."""
    new = table.drop_duplicates(KEY, keep="first").set_index(KEY)
    at = pd.MultiIndex.from_frame(state[KEY])
    found = at.isin(new.index)
    rows = new.reindex(at)
    status = np.where(found, rows["status"].to_numpy(dtype=object), state["status"].to_numpy())
    out = state.copy()
    off = np.isin(status, REMOVED)
    newly = off & out["ended"].isna().to_numpy()
    if newly.any():
        out.loc[newly, "ended"] = pd.to_datetime(
            _event_dates(out[newly], status[newly], act)
        ).astype("datetime64[ns]")
    live = found & ~off
    awarded = rows["awarded_cents"].fillna(0).to_numpy(dtype=np.int64)
    before = out["awarded_cents"].to_numpy(dtype=np.int64)
    changed = live & (awarded != before)
    added = np.where(changed, awarded - before, 0)
    out.loc[changed, "awarded_cents"] = awarded[changed]
    for col in funds:
        out.loc[changed, col] = rows[col].fillna(0).to_numpy(dtype=np.int64)[changed]
    out.loc[changed, "act"] = label
    out["status"] = status
    return out, _grants(out, added, act_date(act), label)


def _event_dates(rows: pd.DataFrame, words: np.ndarray, act: dict) -> list[dt.date]:
    """The date of the event of the act that took each of these minors off the list (the
    earliest one naming the minor or its whole application with the act's word)."""
    events = act.get("events", {}).get("this_act", [])
    out = []
    for app, voucher, word in zip(rows["application_id"], rows["voucher"], words, strict=True):
        dates = [
            dt.date.fromisoformat(e["date"])
            for e in events
            if e.get("application_id") == app
            and e.get("minor", "").upper() in ("", voucher)
            and removal_word(e.get("kind", ""), e.get("outcome", "")) == word
        ]
        out.append(min(dates) if dates else act_date(act))
    return out
