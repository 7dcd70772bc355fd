"""The vouchers in use in the example call: the providers' list, their invoices and the
mistakes planted in them (issue 16).

The invoices are for children of applications that the call's rules surely fund (ISEE up to
20.000 EUR gives at least 10 points, above the last funded score, and no case is planted on
them), for at most what their voucher is (min(cap, cost)), in the services each provider
declares. Planted: a provider with a wrong VAT check digit and a provider listed twice (in the
list); an invoice line over the voucher, one outside the vouchers' validity, a line presented
twice, the invoices of the provider whose VAT number is wrong (in the invoices), and a line of
a statement of hours above the agreed tariff (fatture/ludoteca_ore.csv).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from stdnum import luhn

from conciliare_cli.demo.sheets import Sheet, text_money
from conciliare_cli.demo.spreadsheets import write_csv, write_xlsx
from conciliare_cli.demo.styles import FORMATS

SEED = 2018
CAP = 30000
LIST_FILE = "erogatori/elenco_erogatori.xlsx"
INVOICE_HEADERS = [
    "P.IVA erogatore", "N. fattura", "Data fattura", "CF minore", "Minore", "Servizio",
    "Dal", "Al", "Importo (€)", "Pagata il",
]  # fmt: skip
LIST_HEADERS = ["Codice", "Ragione sociale", "Partita IVA", "Servizi offerti", "Tariffa (€)"]


@dataclass(frozen=True)
class Provider:
    code: str
    name: str
    number: int  # the first 7 digits of the VAT number (office 019, Cremona)
    services: tuple[str, ...]
    file: str
    kind: str  # xlsx or csv
    wrong_vat: bool = False


PROVIDERS = [
    Provider("KOALA", "Cooperativa Sociale Koala", 1234567,
             ("Pre e post scuola", "Doposcuola"), "fatture/koala_2018.xlsx", "xlsx"),
    Provider("ESTATE", "Associazione Sportiva Crema Estate", 2345671,
             ("Centro estivo", "Attività ricreative"), "fatture/crema_estate.csv", "csv"),
    Provider("LUDO", "Fondazione Ludoteca Cremasca", 3456712,
             ("Servizi nei periodi di chiusura scolastica", "Attività ricreative",
              "Centro estivo"), "fatture/ludoteca.xlsx", "xlsx"),
    Provider("ORATORIO", "Oratorio San Luigi", 4567123,
             ("Pre e post scuola", "Centro estivo", "Servizi nei periodi di chiusura scolastica"),
             "fatture/oratorio_san_luigi.csv", "csv"),
    Provider("PISCINA", "Piscina Comunale Gestioni S.r.l.", 5671234,
             ("Attività ricreative",), "fatture/piscina.xlsx", "xlsx", wrong_vat=True),
]  # fmt: skip


@dataclass
class SpendingPlant:
    file: str
    row: int
    what: str
    code: str


def vat_of(p: Provider) -> str:
    base = f"{p.number:07d}019"
    digit = luhn.calc_check_digit(base)  # the check digit of a partita IVA
    if p.wrong_vat:
        digit = str((int(digit) + 1) % 10)
    return base + digit


def build_spending(out: Path, pop: pd.DataFrame, used: set[str]) -> list[SpendingPlant]:
    """Write the providers' list and the invoices into `out`; the planted cases."""
    for folder in ("erogatori", "fatture"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    plants = _write_list(out)
    lines = _lines(pop, used)
    lines, planted = _plant(lines)
    for p in PROVIDERS:
        mine = lines[lines["provider"] == p.code].reset_index(drop=True)
        _write_invoices(out / p.file, mine, p)
        for i in np.flatnonzero(mine["plant"].to_numpy() != ""):
            code, what = planted[mine["plant"].iloc[i]]
            plants.append(SpendingPlant(p.file, int(i) + 2, what, code))
    return plants + _write_hours(out, lines)


HOURS_FILE = "fatture/ludoteca_ore.csv"
HOURS_HEADERS = [*INVOICE_HEADERS, "Quantità", "Prezzo unitario (€)"]
TARIFF = 4500  # the agreed tariff of every provider in the list (Tariffa (€): 45,00)


def _write_hours(out: Path, lines: pd.DataFrame) -> list[SpendingPlant]:
    """The Ludoteca's statement of hours (quantity and unit price; added after the other
    files, which it leaves as they were): a line at the agreed tariff and a line above it."""
    ludo = PROVIDERS[2]
    spent = lines.groupby("minor_tax_code")["amount"].sum()
    mine = lines[(lines["provider"] == ludo.code) & (lines["plant"] == "")]
    kids = mine.drop_duplicates("minor_tax_code").sort_values("minor_tax_code")
    room = kids["award"].to_numpy() - kids["minor_tax_code"].map(spent).to_numpy()
    kids = kids[room >= 2 * 5000].iloc[:2]
    rows = []
    for (_i, k), price in zip(kids.iterrows(), (TARIFF, 5000), strict=True):
        line = {**k.to_dict(), "period_from": dt.date(2018, 5, 1),
                "period_to": dt.date(2018, 5, 31), "invoice_date": dt.date(2018, 6, 5),
                "paid_date": dt.date(2018, 7, 5), "amount": 2 * price,
                "invoice_number": f"{60 + len(rows)}/2018"}  # fmt: skip
        rows.append(line)
    frame = pd.DataFrame(rows)

    def text(c: str) -> np.ndarray:
        return np.array([d.strftime("%d/%m/%Y") for d in frame[c]], dtype=object)

    columns = [
        frame["vat"].to_numpy(object), frame["invoice_number"].to_numpy(object),
        text("invoice_date"), frame["minor_tax_code"].to_numpy(object),
        frame["minor"].to_numpy(object), frame["service"].to_numpy(object),
        text("period_from"), text("period_to"),
        text_money(frame["amount"].astype("Int64"), "it"), text("paid_date"),
        np.array(["2"] * len(frame), dtype=object),
        text_money(pd.Series([TARIFF, 5000], dtype="Int64"), "it"),
    ]  # fmt: skip
    write_csv(out / HOURS_FILE, Sheet(HOURS_HEADERS, columns, ["text"] * 12), FORMATS["csv"])
    what = "2 hours at 50,00 €, above the agreed tariff of 45,00 € (counted: 90,00 €)"
    return [SpendingPlant(HOURS_FILE, 3, what, "OLTRE_TARIFFA")]


def _write_list(out: Path) -> list[SpendingPlant]:
    rows = [[p.code, p.name, vat_of(p), "; ".join(p.services), "45,00"] for p in PROVIDERS]
    rows.append([PROVIDERS[0].code, PROVIDERS[0].name + " (sede di Offanengo)",
                 "IT " + vat_of(PROVIDERS[0]), "Pre e post scuola", ""])  # fmt: skip
    columns = [np.array([r[i] for r in rows], dtype=object) for i in range(len(LIST_HEADERS))]
    write_xlsx(out / LIST_FILE, [("Erogatori", Sheet(LIST_HEADERS, columns, ["text"] * 5))])
    wrong = next(i for i, p in enumerate(PROVIDERS) if p.wrong_vat)
    return [
        SpendingPlant(LIST_FILE, wrong + 2, "VAT number with a wrong check digit",
                      "PARTITA_IVA_NON_VALIDA"),
        SpendingPlant(LIST_FILE, len(rows) + 1, "the first provider listed again (its VAT "
                      "number written with 'IT' and a space)", "EROGATORE_RIPETUTO"),
    ]  # fmt: skip


def _lines(pop: pd.DataFrame, used: set[str]) -> pd.DataFrame:
    """One to three monthly lines per child, for at most the child's voucher."""
    rng = np.random.default_rng(SEED)
    sure = pop[~pop["application_id"].isin(used) & (pop["isee"] <= 2_000_000).fillna(False)]
    kids = sure.sort_values("minor_tax_code").iloc[::6].reset_index(drop=True)
    listed = [p for p in PROVIDERS if not p.wrong_vat]
    offer = {s: [p for p in listed if s in p.services] for p in listed for s in p.services}
    rows = []
    for k in kids.itertuples():
        providers = offer.get(k.service)
        if not providers:
            continue
        p = providers[int(rng.integers(len(providers)))]
        award = _award(k.requested_eur)
        n = int(rng.integers(1, 4))
        spent = int(award * rng.uniform(0.5, 1.0)) // 100 * 100 or award
        parts = np.full(n, spent // n)
        parts[-1] += spent - parts.sum()
        months = SEASON.get(k.service, (9, 10, 11, 1, 2, 3))
        first = int(rng.integers(0, len(months) - n + 1))
        for j, amount in enumerate(parts):
            month = months[first + j]
            year = 2017 if month >= 9 else 2018
            rows.append({**_line(p, k, year, month, int(amount)), "award": award})
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(["provider", "period_from", "minor_tax_code"], kind="mergesort")
    frame = frame.reset_index(drop=True)
    number = frame.groupby("provider")["period_from"].rank(method="dense").astype(int)
    frame["invoice_number"] = [f"{n}/{d.year}" for n, d in
                               zip(number, frame["invoice_date"], strict=True)]  # fmt: skip
    frame["plant"] = ""
    return frame


def _award(requested: object) -> int:
    return CAP if pd.isna(requested) else min(CAP, int(requested))  # type: ignore[arg-type]


def _line(p: Provider, k, year: int, month: int, amount: int) -> dict:
    start = dt.date(year, month, 1)
    end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
    issued = end + dt.timedelta(days=5)
    return {
        "provider": p.code, "vat": vat_of(p), "minor_tax_code": k.minor_tax_code,
        "minor": f"{k.minor_surname} {k.minor_name}", "service": k.service,
        "period_from": start, "period_to": end, "invoice_date": issued,
        "paid_date": issued + dt.timedelta(days=30), "amount": amount,
    }  # fmt: skip


# the months of each service (a summer camp in summer, school closures at Christmas, Easter
# and in June); the others through the school year
SEASON = {
    "Centro estivo": (6, 7, 8),
    "Servizi nei periodi di chiusura scolastica": (12, 4, 6),
}

PLANTED = {
    "over": ("OLTRE_IMPORTO_VOUCHER", "a line that takes the child's spending 45,00 € over "
             "the voucher"),
    "outside": ("FUORI_VALIDITA", "a service in September 2018, after the vouchers' validity"),
    "duplicate": ("FATTURA_DUPLICATA", "the line above presented again (same invoice)"),
    "wrong_vat": ("EROGATORE_NON_IN_ELENCO", "an invoice of the provider whose VAT number is "
                  "wrong in the list"),
}  # fmt: skip


def _plant(lines: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    koala = lines.index[lines["provider"] == "KOALA"]
    over = lines.loc[koala[3]].copy()
    over["amount"] = (
        int(over["award"])
        + 4500
        - int(lines.loc[lines["minor_tax_code"] == over["minor_tax_code"], "amount"].sum())
    )
    over["period_from"] = dt.date(2018, 6, 1)
    over["period_to"] = dt.date(2018, 6, 30)
    over["invoice_date"] = dt.date(2018, 7, 5)
    over["paid_date"] = dt.date(2018, 8, 3)
    over["invoice_number"] = "48/2018"
    over["plant"] = "over"
    oratorio = lines.index[lines["provider"] == "ORATORIO"]
    outside = lines.loc[oratorio[2]].copy()
    outside["period_from"], outside["period_to"] = dt.date(2018, 9, 3), dt.date(2018, 9, 14)
    outside["invoice_date"], outside["paid_date"] = dt.date(2018, 9, 20), None
    outside["invoice_number"] = "77/2018"
    outside["amount"] = 2000
    outside["plant"] = "outside"
    ludo = lines.index[lines["provider"] == "LUDO"]
    duplicate = lines.loc[ludo[4]].copy()
    duplicate["plant"] = "duplicate"
    piscina = lines.loc[lines.index[lines["provider"] == "ESTATE"][:2]].copy()
    piscina["provider"] = "PISCINA"
    piscina["vat"] = vat_of(PROVIDERS[4])
    piscina["service"] = "Attività ricreative"
    piscina["plant"] = "wrong_vat"
    parts = [lines.loc[: ludo[4]], duplicate.to_frame().T, lines.loc[ludo[4] + 1 :]]
    lines = pd.concat([*parts, over.to_frame().T, outside.to_frame().T, piscina])
    return lines.reset_index(drop=True), PLANTED


def _write_invoices(path: Path, lines: pd.DataFrame, p: Provider) -> None:
    if p.kind == "xlsx":
        excel = pd.Timestamp("1899-12-30")

        def serial(c: str) -> np.ndarray:
            return np.array([None if pd.isna(d) else (pd.Timestamp(d) - excel).days
                             for d in lines[c]], dtype=object)  # fmt: skip

        columns = [
            lines["vat"].to_numpy(object),
            lines["invoice_number"].to_numpy(object),
            serial("invoice_date"),
            lines["minor_tax_code"].to_numpy(object),
            lines["minor"].to_numpy(object),
            lines["service"].to_numpy(object),
            serial("period_from"),
            serial("period_to"),
            (lines["amount"].astype(int) / 100).to_numpy(object),
            serial("paid_date"),
        ]
        kinds = ["text", "text", "date", "text", "text", "text", "date", "date", "number", "date"]
        write_xlsx(path, [("Fatture", Sheet(INVOICE_HEADERS, columns, kinds))])
        return

    def text(c: str) -> np.ndarray:
        return np.array(["" if pd.isna(d) else d.strftime("%d/%m/%Y") for d in lines[c]],
                        dtype=object)  # fmt: skip

    columns = [
        lines["vat"].to_numpy(object),
        lines["invoice_number"].to_numpy(object),
        text("invoice_date"),
        lines["minor_tax_code"].to_numpy(object),
        lines["minor"].to_numpy(object),
        lines["service"].to_numpy(object),
        text("period_from"),
        text("period_to"),
        text_money(lines["amount"].astype("Int64"), "it"),
        text("paid_date"),
    ]
    write_csv(path, Sheet(INVOICE_HEADERS, columns, ["text"] * 10), FORMATS["csv"])


SPENDING_YAML = """
# Voucher in uso (vedi README, "Vouchers in use"): validità e servizi dei voucher,
# l'elenco degli erogatori e le loro fatture, lette come i file dei partner.
spending:
  valid_from: 2017-09-01
  valid_until: 2018-08-31
  services:
    - "Pre e post scuola"
    - "Centro estivo"
    - "Servizi nei periodi di chiusura scolastica"
    - "Attività ricreative"
    - "Doposcuola"
  providers:
    files: "erogatori/elenco_erogatori.xlsx"
    columns:
      provider_id: "Codice"
      provider_name: "Ragione sociale"
      vat_number: "Partita IVA"
      services: "Servizi offerti"
      tariff_eur: "Tariffa (€)"
  invoices:
    files: "fatture/*"
    columns:
      provider_vat: "P.IVA erogatore"
      invoice_number: "N. fattura"
      invoice_date: "Data fattura"
      minor_tax_code: "CF minore"
      minor_name: "Minore"
      service: "Servizio"
      period_from: "Dal"
      period_to: "Al"
      amount_eur: "Importo (€)"
      quantity: "Quantità"                # solo in alcuni file (confronto con la tariffa)
      unit_price_eur: "Prezzo unitario (€)"
      paid_date: "Pagata il"
  # keep_until: 2022-12-31       # fino a quando conservare i documenti (data comunicata
  #                              # dalla Regione; vedi 'conciliare conservazione')
"""


_README = [
    "",
    "## Vouchers in use: providers and invoices",
    "",
    "`erogatori/elenco_erogatori.xlsx` is the providers' list (name, VAT number, services,",
    "tariff) and `fatture/` holds their invoices, one file per provider (xlsx, or CSV with",
    "';', Italian amounts and dd/mm/yyyy dates), all mapped in the `spending:` section of",
    "`bando.yaml`. Once the final list is published:",
    "",
    "```",
    "conciliare rank examples/conciliare-2017 --definitiva",
    "conciliare spese examples/conciliare-2017        # findings per provider in spese/erogatori/",
    "conciliare rendiconto examples/conciliare-2017   # spese/rendiconto.xlsx, spese/movimenti.csv",
    "```",
    "",
    "`fatture/ludoteca_ore.csv` (a statement of hours, with quantity and unit price, checked",
    "against the agreed tariff of the providers' list: 45,00 €) was added after the other",
    "files with one planted line above the tariff; regenerating the example",
    "(`python -m conciliare_cli.demo.example`) leaves every other file byte for byte as it",
    "was, except `bando.yaml`, which maps its two extra columns (optional: the other",
    "invoice files do not have them).",
    "",
    "The invoices are for children whose application is funded, within their voucher, in the",
    "services each provider declares; the lines below are planted, and",
    "`tests/test_example_spending.py` checks that each is reported with its code at its row",
    "and that nothing else is blocking.",
    "",
    "| # | File | Row | What is planted | Code |",
    "|---|---|---|---|---|",
]


def spending_readme(plants: list[SpendingPlant]) -> list[str]:
    """The example README's section on the vouchers in use, with the planted cases."""
    rows = [
        f"| {i} | `{p.file}` | {p.row} | {p.what} | `{p.code}` |"
        for i, p in enumerate(plants, start=1)
    ]
    return [*_README, *rows, ""]
