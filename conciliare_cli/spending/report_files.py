"""The files of the spending reports, written whole or not at all into the output folder; each
file has one command that writes it:

- `rendiconto.xlsx` (`rendiconto`): per fund, per partner, per provider and per voucher
  (awarded, spent, unspent, the documents behind each figure), every movement, the findings
  and their legend;
- `movimenti.csv` (`rendiconto`): every invoice line (UTF-8, comma-separated, amounts
  '1234.56'); a text that Excel would take as a formula (= + - @) gets a leading apostrophe;
- `erogatori/<partita IVA>.xlsx` (`spese`): each provider's findings, to send back for
  correction, in the columns of the partners' anomalies (write/anomalies.SEND_BACK_COLUMNS).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from conciliare_cli.atomic import atomic_output, atomic_write_bytes
from conciliare_cli.findings import Severity
from conciliare_cli.italian import count_noun
from conciliare_cli.money import cents_to_plain
from conciliare_cli.spending.process import SpendingResult
from conciliare_cli.write.anomalies import LEGEND_COLUMNS, SEND_BACK_COLUMNS, legend_frame
from conciliare_cli.write.graduatoria import csv_text
from conciliare_cli.write.xlsx import Column, write_table, xlsx_workbook

REPORT = "rendiconto.xlsx"
MOVEMENTS = "movimenti.csv"
PROVIDER_FOLDER = "erogatori"
SPENDING_CODES = {
    "PARTITA_IVA_NON_VALIDA", "EROGATORE_RIPETUTO", "EROGATORE_NON_IN_ELENCO",
    "VOUCHER_NON_TROVATO", "SERVIZIO_NON_AMMESSO", "FUORI_VALIDITA", "PERIODO_INCOERENTE",
    "IMPORTO_NON_POSITIVO", "FATTURA_DUPLICATA", "OLTRE_IMPORTO_VOUCHER", "FATTURA_NON_PAGATA",
    "VOUCHER_CESSATO", "CODICE_VOUCHER_NON_TROVATO", "VOUCHER_DI_ALTRO_MINORE", "OLTRE_TARIFFA",
}  # fmt: skip
MONEY = "money_cents"


def _money(source: str, header: str) -> Column:
    return Column(source, header, MONEY, total=True)


def fund_columns() -> list[Column]:
    return [
        Column("fund_id", "Fondo", width=10),
        Column("name", "Nome del fondo", width=36, wrap=True),
        Column("vouchers", "Voucher", "int"),  # a voucher split between funds is in both
        _money("awarded_cents", "Assegnato"),
        _money("ended_cents", "di cui a voucher cessati"),
        _money("spent_cents", "Speso"),
        _money("unspent_cents", "Non speso (torna disponibile)"),
        Column("documents", "Fatture", "int"),
        Column("lines", "Righe di fattura", "int"),
    ]


def partner_columns(fund_ids: list[str]) -> list[Column]:
    return [
        Column("partner_id", "Partner", width=10),
        Column("name", "Ente", width=30, wrap=True),
        Column("vouchers", "Voucher", "int", total=True),
        _money("awarded_cents", "Assegnato"),
        _money("spent_cents", "Speso"),
        *[_money(f"spent_{f}_cents", f"di cui {f}") for f in fund_ids],
        _money("unspent_cents", "Non speso"),
        Column("documents", "Fatture", "int"),  # an invoice may serve several partners
    ]


PROVIDER_COLUMNS = [
    Column("provider", "Partita IVA", width=14),
    Column("provider_name", "Erogatore", width=30, wrap=True),
    Column("documents", "Fatture", "int", total=True),
    Column("lines", "Righe", "int", total=True),
    _money("invoiced_cents", "Fatturato"),
    _money("counted_cents", "Conteggiato"),
    _money("not_counted_cents", "Non conteggiato"),
    Column("blocking", "Anomalie bloccanti", "int", total=True),
]


def voucher_columns(fund_ids: list[str]) -> list[Column]:
    return [
        Column("partner_id", "Partner", width=10),
        Column("application_id", "Domanda"),
        Column("voucher", "CF minore", width=18),
        Column("voucher_code", "Codice voucher", width=22),
        Column("status_label", "Esito", width=22, wrap=True),
        _money("awarded_cents", "Assegnato"),
        *[_money(f"fund_{f}_cents", f"assegnato {f}") for f in fund_ids],
        _money("spent_cents", "Speso"),
        *[_money(f"spent_{f}_cents", f"speso {f}") for f in fund_ids],
        _money("unspent_cents", "Non speso"),
        Column("documents", "Fatture (partita IVA/numero)", width=40, wrap=True),
    ]


def movement_columns(fund_ids: list[str]) -> list[Column]:
    return [
        Column("provider_label", "Erogatore", width=24),
        Column("provider_vat", "Partita IVA"),
        Column("invoice_number", "Fattura"),
        Column("invoice_date", "Data fattura", "date"),
        Column("paid_date", "Pagata il", "date"),
        Column("minor_tax_code", "CF minore", width=18),
        Column("voucher_code", "Codice voucher", width=22),
        Column("application_id", "Domanda"),
        Column("partner_id", "Partner", width=10),
        Column("service", "Servizio"),
        Column("period_from", "Dal", "date"),
        Column("period_to", "Al", "date"),
        _money("amount_cents", "Fatturato"),
        _money("counted_cents", "Conteggiato"),
        *[_money(f"fund_{f}_cents", f"di cui {f}") for f in fund_ids],
        Column("outcome_label", "Esito", width=20),
        Column("codes", "Anomalie", width=24),
        Column("source_file", "File"),
        Column("source_row", "Riga", "int", width=7),
    ]


# The providers' findings, sent back like the partners' (write/anomalies.SEND_BACK_COLUMNS):
# the same columns in the same order, so an office sends both back the same way.
PROVIDER_FINDING_COLUMNS = SEND_BACK_COLUMNS
FINDING_COLUMNS_SHEET = [Column("partner_id", "Erogatore (P. IVA)", width=16), *SEND_BACK_COLUMNS]


def write_provider_files(result: SpendingResult, target: Path, run_date: dt.date) -> list[Path]:
    """`conciliare spese`: erogatori/<partita IVA>.xlsx, each provider's findings to send
    back (whole or not at all; the files of providers no longer concerned are removed)."""
    names = sorted(set(result.providers["provider"]) | set(result.findings["partner_id"]))
    with atomic_output(target, stale=_stale) as tmp:
        paths = [_provider_file(result, str(provider), tmp, run_date) for provider in names]
    return [target / p.relative_to(tmp) for p in paths]


def write_reports(result: SpendingResult, target: Path, run_date: dt.date) -> list[Path]:
    """`conciliare rendiconto`: rendiconto.xlsx and movimenti.csv (whole or not at all)."""
    with atomic_output(target) as tmp:
        _workbook(result, tmp / REPORT, run_date)
        atomic_write_bytes(tmp / MOVEMENTS, movements_csv(result).encode("utf-8"))
    return [target / REPORT, target / MOVEMENTS]


def _stale(target: Path) -> list[str]:
    folder = target / PROVIDER_FOLDER
    return [f"{PROVIDER_FOLDER}/{p.name}" for p in folder.glob("*.xlsx")] if folder.is_dir() else []


def _workbook(result: SpendingResult, path: Path, run_date: dt.date) -> None:
    title = result.call.config.call.title
    funds = result.vouchers.fund_ids
    note = (
        f"Voucher della {result.vouchers.describe()} (graduatoria.csv della definitiva, "
        f"SHA-256 {result.vouchers.sha256[:16]}…). Non speso = assegnato − speso: torna "
        "disponibile (per esempio per uno scorrimento)."
    )
    ended = (
        "Un voucher tolto da un atto (rinuncia, revoca, decadenza) vale fino alla data "
        "dell'evento: l'atto lo ha liberato per intero, quindi come assegnato conta solo la "
        "parte spesa prima dell'evento (colonna «di cui a voucher cessati»: per questo "
        "l'assegnato di un fondo può superare la sua dotazione)."
    )
    sheets = [
        ("Per fondo", result.fund_table(), fund_columns(), "Spesa per fondo", [note, ended]),
        ("Per partner", result.partner_table(), partner_columns(funds), "Spesa per partner", []),
        ("Per erogatore", result.provider_table(), PROVIDER_COLUMNS, "Spesa per erogatore", []),
        ("Voucher", result.voucher_table(), voucher_columns(funds), "Spesa per voucher", []),
        ("Movimenti", result.moves, movement_columns(funds), "Ogni riga di fattura", []),
        ("Anomalie", result.findings, FINDING_COLUMNS_SHEET, "Anomalie delle fatture", []),
        ("Legenda", _legend(), LEGEND_COLUMNS, "Codici delle anomalie", []),
    ]
    with xlsx_workbook(path, run_date=run_date, title=title, subject="Rendiconto") as wb:
        for name, frame, columns, subtitle, notes in sheets:
            write_table(
                wb, name, frame, columns, title=title, run_date=run_date,
                subtitle=subtitle, notes=notes, empty_text="Nessuna riga.",
            )  # fmt: skip


def _legend() -> pd.DataFrame:
    legend = legend_frame()
    reading = {"CAMPO_OBBLIGATORIO_MANCANTE", "DATA_NON_LEGGIBILE", "IMPORTO_NON_LEGGIBILE"}
    return legend[legend["code"].isin(SPENDING_CODES | reading)].reset_index(drop=True)


def _provider_file(result: SpendingResult, provider: str, tmp: Path, run_date: dt.date) -> Path:
    rows = result.findings[result.findings["partner_id"].astype(str).eq(provider)]
    names = dict(zip(result.providers["provider"], result.providers["provider_name"], strict=True))
    name = names.get(provider, "")
    lead = result.call.config.call.lead_partner
    blocking = int(rows["severity"].eq(str(Severity.BLOCKING)).sum())
    notes = [
        f"Fatture di {name or 'un erogatore non in elenco'} (partita IVA {provider}): "
        f"{count_noun(blocking, 'anomalia bloccante', 'anomalie bloccanti')} (righe di fattura "
        "non conteggiate o conteggiate in "
        "parte, righe dell'elenco degli erogatori da correggere), ciascuna con file, foglio, "
        "riga e colonna come li mostra Excel.",
        "Correggete le righe indicate e inviate di nuovo il file completo; il significato dei "
        "codici è nel foglio Legenda.",
        f"Per chiarimenti: {', '.join(p for p in [lead.office or lead.name, lead.email] if p)}.",
    ]
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in provider)
    path = tmp / PROVIDER_FOLDER / f"{safe}.xlsx"
    title = result.call.config.call.title
    with xlsx_workbook(path, run_date=run_date, title=title, subject="Anomalie") as wb:
        write_table(
            wb, "Anomalie", rows, PROVIDER_FINDING_COLUMNS, title=title, run_date=run_date,
            subtitle=f"Anomalie delle fatture – {name or provider}", notes=notes,
            empty_text="Nessuna anomalia: tutte le righe sono conteggiate.",
        )  # fmt: skip
        write_table(wb, "Legenda", _legend(), LEGEND_COLUMNS, title=title, run_date=run_date)
    return path


def movements_csv(result: SpendingResult) -> str:
    """movimenti.csv: every invoice line in the order of spending, texts safe for Excel."""
    m = result.moves
    out = pd.DataFrame(
        {
            "provider_vat": excel_safe(m["vat"].fillna(m["provider_vat"])),
            "provider_name": excel_safe(m["provider_label"]),
            "invoice_number": excel_safe(m["invoice_number"]),
            "invoice_date": _day(m["invoice_date"]),
            "paid_date": _day(m["paid_date"]),
            "minor_tax_code": excel_safe(m["minor_tax_code"]),
            "voucher_code": excel_safe(m["voucher_code"]),
            "application_id": excel_safe(m["application_id"]),
            "partner_id": excel_safe(m["partner_id"]),
            "service": excel_safe(m["service"]),
            "period_from": _day(m["period_from"]),
            "period_to": _day(m["period_to"]),
            "invoiced_eur": cents_to_plain(m["amount_cents"]),
            "counted_eur": cents_to_plain(m["counted_cents"]),
        }
    )
    for f in result.vouchers.fund_ids:
        out[f"fund_{f}_eur"] = cents_to_plain(m[f"fund_{f}_cents"])
    out["outcome"] = m["outcome"].to_numpy()
    out["codes"] = m["codes"].to_numpy()
    out["source_file"] = excel_safe(m["source_file"])
    out["source_row"] = m["source_row"].astype("Int64").astype(str).replace("<NA>", "")
    return csv_text(out.reset_index(drop=True))


def excel_safe(values: pd.Series) -> pd.Series:
    text = values.astype("string").fillna("")
    risky = text.str[:1].isin(["=", "+", "-", "@"])
    return ("'" + text).where(risky, text).astype(object)


def _day(values: pd.Series) -> pd.Series:
    return values.dt.strftime("%Y-%m-%d").fillna("").astype(object)
