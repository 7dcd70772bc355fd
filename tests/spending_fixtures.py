"""Small hand-made inputs for the spending tests: vouchers, providers and invoice lines."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from conciliare_cli.config.spending_models import Spending
from conciliare_cli.read.values import DTYPES
from conciliare_cli.spending.act_list import PublishedAct, combine
from conciliare_cli.spending.provider_list import split_services
from conciliare_cli.spending.reading import INVOICE_COLUMNS
from conciliare_cli.spending.voucher_list import VoucherList

VAT_A = "12345670199"  # valid (office 019, Luhn check digit)
VAT_B = "23456710195"
SERVICES = ["Pre e post scuola", "Centro estivo"]


def spending() -> Spending:
    return Spending.model_validate(
        {
            "valid_from": "2017-09-01",
            "valid_until": "2018-08-31",
            "services": SERVICES,
            "providers": {
                "files": "erogatori.csv",
                "columns": {
                    "provider_name": "Nome",
                    "vat_number": "P.IVA",
                    "services": "Servizi",
                },
            },
            "invoices": {
                "files": "fatture/*",
                "columns": {
                    "provider_vat": "P.IVA",
                    "minor_tax_code": "CF",
                    "service": "Servizio",
                    "period_from": "Dal",
                    "amount_eur": "Importo",
                    "invoice_number": "Numero",
                    "invoice_date": "Data",
                    "paid_date": "Pagata",
                },
            },
        }
    )


def vouchers(awards: list[tuple[int, int]]) -> VoucherList:
    """Vouchers V0, V1, ... each paid (FSE cents, ATS cents)."""
    fse = np.array([a for a, _ in awards], dtype=np.int64)
    ats = np.array([b for _, b in awards], dtype=np.int64)
    frame = pd.DataFrame(
        {
            "voucher": [f"V{i}" for i in range(len(awards))],
            "application_id": [f"P-{i // 2}" for i in range(len(awards))],
            "partner_id": ["P1" if i % 2 else "P2" for i in range(len(awards))],
            "applicant_tax_code": [f"A{i // 2}" for i in range(len(awards))],
            "awarded_cents": fse + ats,
            "fund_FSE_cents": fse,
            "fund_ATS_cents": ats,
        }
    )
    return VoucherList(frame, ["FSE", "ATS"], "2017-09-20", "0" * 64)


def providers() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "provider": [VAT_A, VAT_B],
            "provider_name": ["Koala", "Estate"],
            "services": ["Pre e post scuola; Centro estivo", "Centro estivo"],
        }
    )
    frame["service_set"] = split_services(frame["services"])
    return frame


def lines(records: list[dict]) -> pd.DataFrame:
    """Invoice rows as the reader gives them (amount_eur in cents)."""
    defaults = {
        "provider_vat": VAT_A,
        "service": "Pre e post scuola",
        "period_from": dt.date(2017, 10, 1),
        "period_to": dt.date(2017, 10, 31),
        "invoice_date": dt.date(2017, 11, 5),
        "paid_date": dt.date(2017, 12, 5),
        "invoice_number": "1/2017",
    }
    rows = [{**defaults, **r} for r in records]
    out = pd.DataFrame(index=range(len(rows)))
    for name, f in INVOICE_COLUMNS.items():
        values = [r.get(name) for r in rows]
        if f.kind.value == "date":
            out[name] = pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")
        else:
            out[name] = pd.Series(pd.array(values, dtype=DTYPES[f.kind]))
    out["source_file"] = pd.array([r.get("file", "fatture/a.csv") for r in rows], dtype="string")
    out["source_sheet"] = pd.array([""] * len(rows), dtype="string")
    out["source_row"] = pd.array([r.get("row", i + 2) for i, r in enumerate(rows)], dtype="Int64")
    return out


HEADERS = dict(spending().invoices.columns)


def _table(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    """A published list as voucher_list.list_table gives it: (voucher, status, FSE, ATS)."""
    return pd.DataFrame(
        {
            "voucher": [r[0] for r in rows],
            "application_id": [f"P-{r[0][1:]}" for r in rows],
            "partner_id": ["P1"] * len(rows),
            "applicant_tax_code": [f"A{r[0][1:]}" for r in rows],
            "status": [r[1] for r in rows],
            "awarded_cents": np.array([r[2] + r[3] for r in rows], dtype=np.int64),
            "fund_FSE_cents": np.array([r[2] for r in rows], dtype=np.int64),
            "fund_ATS_cents": np.array([r[3] for r in rows], dtype=np.int64),
        }
    )


def acted(
    final: list[tuple[int, int]], after: list[tuple[str, int, int, dt.date | None]]
) -> VoucherList:
    """Vouchers V0, V1, ... of a final list (FSE, ATS cents; 0 and 0: waiting) and one
    scorrimento of 2018-03-01 that gives each minor (status, FSE, ATS, date of the event that
    took it off the list)."""
    first = [
        (f"V{i}", "FINANZIATA" if a + b else "AMMESSA_NON_FINANZIATA", a, b)
        for i, (a, b) in enumerate(final)
    ]
    rows = [(f"V{i}", s, a, b) for i, (s, a, b, _) in enumerate(after)]
    events = [
        {"date": d.isoformat(), "kind": s.lower() if s != "REVOCA" else "revoca", "outcome": "",
         "application_id": f"P-{i}", "minor": f"V{i}"}
        for i, (s, _a, _b, d) in enumerate(after) if d is not None
    ]  # fmt: skip
    manifest = {"date": "2018-03-01", "events": {"this_act": events}}
    act = PublishedAct(1, manifest, _table(rows), "1" * 64)
    return combine(_table(first), "2017-09-20", "0" * 64, [act], ["FSE", "ATS"])
