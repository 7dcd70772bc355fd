"""The reports of spending as tables: per fund, per partner, per provider, per voucher, and
every movement (the audit trail). Money in whole cents; every table sorted by its keys, so the
reports never depend on the order of the files.

Awarded is what the acts gave (the final list and the scorrimenti; per fund: its share of each
voucher); for a voucher an act ended (rinuncia, revoca, decadenza) it is the part spent before
the event, since the act freed the voucher whole. Spent is what the invoices' lines counted
against the vouchers; unspent = awarded - spent, which returns to the pot (and can feed a
scorrimento).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from conciliare_cli.italian import date_short
from conciliare_cli.spending.voucher_list import REMOVED, REMOVED_LABELS, VoucherList
from conciliare_cli.status import status_label

OUTCOME_LABELS = {
    "CONTEGGIATA": "conteggiata",
    "CONTEGGIATA_IN_PARTE": "conteggiata in parte",
    "NON_CONTEGGIATA": "non conteggiata",
}


def movements(
    lines: pd.DataFrame, findings: pd.DataFrame, vouchers: VoucherList, providers: pd.DataFrame
) -> pd.DataFrame:
    """One row per invoice line with its voucher, partner, funds and the codes found on it."""
    v = vouchers.vouchers
    pos = lines["voucher_pos"].to_numpy()
    has = pos >= 0
    out = lines.copy()
    for col in ("application_id", "partner_id", "voucher_code"):
        values = np.full(len(lines), None, dtype=object)
        values[has] = v[col].to_numpy(dtype=object)[pos[has]]
        out[col] = values
    names = dict(zip(providers["provider"], providers["provider_name"], strict=True))
    out["provider_label"] = out["vat"].map(names)
    out["codes"] = (
        joined(findings["line"], findings["code"], ";").reindex(out["line"]).fillna("").to_numpy()
    )
    out["outcome_label"] = out["outcome"].map(OUTCOME_LABELS)
    out["document"] = (
        out["vat"].fillna(out["provider_vat"]).astype(str)
        + "/"
        + out["invoice_number"].astype("string").fillna("").astype(str)
    )
    return out


def joined(keys: pd.Series, values: pd.Series, sep: str) -> pd.Series:
    """Per key, its distinct values sorted and joined with `sep` (one str.join per key)."""
    pairs = pd.DataFrame({"k": keys.to_numpy(), "v": values.astype(str).to_numpy()})
    pairs = pairs.drop_duplicates().sort_values(["k", "v"], kind="mergesort")
    if not len(pairs):
        return pd.Series(dtype=object)
    k = pairs["k"].to_numpy()
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    groups = np.split(pairs["v"].to_numpy(dtype=object), starts[1:])
    return pd.Series([sep.join(g) for g in groups], index=k[starts], dtype=object)


def per_voucher(moves: pd.DataFrame, vouchers: VoucherList) -> pd.DataFrame:
    v = vouchers.vouchers.copy()
    counted = moves[moves["counted_cents"] > 0]
    spent = counted.groupby("voucher")["counted_cents"].sum()
    v["spent_cents"] = v["voucher"].map(spent).fillna(0).astype(np.int64)
    v["unspent_cents"] = v["awarded_cents"] - v["spent_cents"]
    for f in vouchers.fund_ids:
        col = f"fund_{f}_cents"
        v[f"spent_{f}_cents"] = v["voucher"].map(counted.groupby("voucher")[col].sum())
        v[f"spent_{f}_cents"] = v[f"spent_{f}_cents"].fillna(0).astype(np.int64)
    docs = joined(counted["voucher"], counted["document"], "; ")
    v["documents"] = v["voucher"].map(docs).astype(object).fillna("")
    # a voucher ended by an act (rinuncia, revoca, decadenza): the act freed it whole, so what
    # remains of it is the part spent before the event
    ended = vouchers.ended
    v["voucher_cents"] = v["awarded_cents"]
    v.loc[ended, "awarded_cents"] = v.loc[ended, "spent_cents"]
    for f in vouchers.fund_ids:
        v.loc[ended, f"fund_{f}_cents"] = v.loc[ended, f"spent_{f}_cents"]
    v["unspent_cents"] = v["awarded_cents"] - v["spent_cents"]
    v["status_label"] = _status_labels(v)
    return v.sort_values(["partner_id", "application_id", "voucher"]).reset_index(drop=True)


def _status_labels(v: pd.DataFrame) -> np.ndarray:
    """'finanziata', or for an ended voucher 'rinuncia del 02/10/2017'; and the act that
    funded it when it is a scorrimento."""
    words = [
        f"{REMOVED_LABELS[s]} del {date_short(end)}" if s in REMOVED and pd.notna(end)
        else status_label(s).lower()
        for s, end in zip(v["status"], v["ended"], strict=True)
    ]  # fmt: skip
    return np.array(
        [
            f"{w} ({act})" if str(act).startswith("scorrimento") else w
            for w, act in zip(words, v["act"], strict=True)
        ],
        dtype=object,
    )


def per_fund(
    vouchers_table: pd.DataFrame, vouchers: VoucherList, names: dict[str, str], moves: pd.DataFrame
) -> pd.DataFrame:
    counted = moves[moves["counted_cents"] > 0]
    ended = vouchers_table["ended"].notna().to_numpy()
    rows = []
    for f in vouchers.fund_ids:
        share = counted[counted[f"fund_{f}_cents"] != 0]
        rows.append(
            {
                "fund_id": f,
                "name": names.get(f, ""),
                "vouchers": int((vouchers_table[f"fund_{f}_cents"] > 0).sum()),
                "awarded_cents": int(vouchers_table[f"fund_{f}_cents"].sum()),
                # of which: spent on vouchers an act later ended (before the event), on top of
                # what the latest act awards — why 'awarded' can pass the fund's budget
                "ended_cents": int(vouchers_table.loc[ended, f"fund_{f}_cents"].sum()),
                "spent_cents": int(vouchers_table[f"spent_{f}_cents"].sum()),
                "documents": int(share["document"].nunique()),
                "lines": len(share),
            }
        )
    out = pd.DataFrame(rows)
    out["unspent_cents"] = out["awarded_cents"] - out["spent_cents"]
    return out


def per_partner(
    vouchers_table: pd.DataFrame, vouchers: VoucherList, names: dict[str, str], moves: pd.DataFrame
) -> pd.DataFrame:
    cols = ["awarded_cents", "spent_cents", *[f"spent_{f}_cents" for f in vouchers.fund_ids]]
    grouped = vouchers_table.groupby("partner_id", sort=True)
    out = grouped[cols].sum().reset_index()
    out["vouchers"] = grouped.size().to_numpy()
    counted = moves[moves["counted_cents"] > 0]
    docs = counted.groupby("partner_id")["document"].nunique()
    out["documents"] = out["partner_id"].map(docs).fillna(0).astype(np.int64)
    out["unspent_cents"] = out["awarded_cents"] - out["spent_cents"]
    out["name"] = out["partner_id"].map(names).fillna("")
    return out


def per_provider(
    moves: pd.DataFrame, providers: pd.DataFrame, findings: pd.DataFrame
) -> pd.DataFrame:
    key = moves["vat"].astype(object).where(moves["vat"].notna(), moves["provider_vat"])
    key = key.astype(object).where(key.notna(), "(senza partita IVA)")
    m = moves.assign(provider=key, invoiced=moves["amount_cents"].fillna(0).astype(np.int64))
    grouped = m.groupby("provider", sort=True)
    out = pd.DataFrame(
        {
            "lines": grouped.size(),
            "documents": grouped["document"].nunique(),
            "invoiced_cents": grouped["invoiced"].sum(),
            "counted_cents": grouped["counted_cents"].sum(),
        }
    ).reset_index()
    listed = providers[["provider", "provider_name"]]
    out = listed.merge(out, on="provider", how="outer").sort_values("provider")
    for col in ("lines", "documents", "invoiced_cents", "counted_cents"):
        out[col] = out[col].fillna(0).astype(np.int64)
    out["not_counted_cents"] = out["invoiced_cents"] - out["counted_cents"]
    blocking = findings[findings["severity"].eq("BLOCCANTE")].groupby("partner_id").size()
    out["blocking"] = out["provider"].map(blocking).fillna(0).astype(np.int64)
    out["provider_name"] = out["provider_name"].fillna("(non nell'elenco)")
    return out.reset_index(drop=True)
