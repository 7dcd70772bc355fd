"""Invoice lines matched to the vouchers of the acts, vectorised over every line.

The lines are put in the order of spending (period start, invoice date, provider, invoice
number, then file and row), which never depends on the order of the files. A line is rejected
(counted 0) when: a value could not be read or a required one is missing; its amount is not
positive; its period ends before it starts; its provider is not in the list; its minor has no
voucher, or the voucher code it gives (when the invoices map one) is of no voucher or of
another child (a line with a valid code is matched by it); its service is not allowed (by the
call, or not declared by the provider); its period is outside the vouchers' validity; its
voucher was ended by an act (renounced, revoked, lapsed) before the period ends; it repeats a
line already presented (same provider, invoice number, minor, service, period and amount: the
first counts). A line above the agreed tariff of its provider and service (a unit price above
it, or a quantity whose tariff is less than the amount) claims only the tariff
(OLTRE_TARIFFA). The lines that pass count against their voucher in that order, up to the
amount awarded: the line that crosses it counts only what is left (OLTRE_IMPORTO_VOUCHER). The
cents counted are attributed to the funds of the voucher (attribution.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from conciliare_cli.config.spending_models import Spending
from conciliare_cli.findings import Severity, empty_findings, make_findings
from conciliare_cli.italian import date_short, number
from conciliare_cli.spending.attribution import attribute
from conciliare_cli.spending.euro_text import eur_each
from conciliare_cli.spending.provider_list import service_key, vat_key
from conciliare_cli.spending.voucher_list import REMOVED_LABELS, VoucherList

REQUIRED = {
    "provider_vat": "la partita IVA dell'erogatore",
    "minor_tax_code": "il codice fiscale del minore",
    "service": "il servizio",
    "period_from": "l'inizio del periodo",
    "amount_eur": "l'importo",
    "invoice_number": "il numero della fattura",
    "invoice_date": "la data della fattura",
}
ACCEPTED, REDUCED, REJECTED = "CONTEGGIATA", "CONTEGGIATA_IN_PARTE", "NON_CONTEGGIATA"
ORDER = ["period_from", "invoice_date", "vat", "invoice_key", "source_file", "source_row"]


@dataclass
class Matched:
    lines: pd.DataFrame  # one row per invoice line, in the order of spending
    findings: pd.DataFrame  # FINDING_COLUMNS (+ line: the position in `lines`)


def prepare(rows: pd.DataFrame) -> pd.DataFrame:
    """The lines with their keys, in the order of spending."""
    lines = rows.copy()
    lines["vat"] = on_uniques(lines["provider_vat"], vat_key)
    lines["voucher"] = on_uniques(lines["minor_tax_code"], lambda u: u.str.upper().str.strip())
    lines["code_key"] = on_uniques(lines["voucher_code"], code_key)
    lines["invoice_key"] = on_uniques(
        lines["invoice_number"], lambda u: u.str.upper().str.replace(r"\s+", "", regex=True)
    )
    lines["service_key"] = on_uniques(lines["service"], service_key)
    lines["amount_cents"] = lines["amount_eur"].astype("Int64")
    lines = lines.sort_values(ORDER, kind="mergesort", na_position="last")
    return lines.reset_index(drop=True)


def code_key(values: pd.Series) -> pd.Series:
    """A voucher code as compared: upper case, without spaces ('' -> NA)."""
    return values.str.upper().str.replace(r"\s+", "", regex=True).replace("", pd.NA)


def on_uniques(values: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """fn (string operations) applied once per distinct value; NA stays NA."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    done = fn(pd.Series(uniques, dtype="string")).to_numpy(dtype=object, na_value=None)
    out = np.append(done, None)[codes]
    return pd.Series(pd.array(out, dtype="string"), index=values.index)


def match(
    rows: pd.DataFrame,
    read_findings: pd.DataFrame,
    providers: pd.DataFrame,
    vouchers: VoucherList,
    spending: Spending,
    headers: dict[str, str],
) -> Matched:
    lines = prepare(rows)
    lines["line"] = np.arange(len(lines))
    checks = _Checks(lines, headers)
    checks.unreadable(read_findings)
    checks.missing()
    checks.values()
    checks.provider_and_voucher(providers, vouchers)
    checks.services(providers, spending)
    checks.validity(spending)
    checks.ended(vouchers)
    checks.duplicates()
    lines["claim_cents"] = checks.tariffs(providers)
    counted = _cap(lines, checks, vouchers)
    funds = attribute(lines["voucher_pos"].to_numpy(), counted, _shares(vouchers))
    for i, f in enumerate(vouchers.fund_ids):
        lines[f"fund_{f}_cents"] = funds[:, i]
    lines["counted_cents"] = counted
    lines["outcome"] = np.select(
        [counted <= 0, counted < lines["amount_cents"].fillna(0).to_numpy()],
        [REJECTED, REDUCED],
        ACCEPTED,
    )
    unpaid = (counted > 0) & lines["paid_date"].isna().to_numpy()
    checks.add("FATTURA_NON_PAGATA", unpaid, "paid_date")
    return Matched(lines, checks.result(lines))


def _shares(vouchers: VoucherList) -> np.ndarray:
    cols = [f"fund_{f}_cents" for f in vouchers.fund_ids]
    shape = (len(vouchers.vouchers), len(cols))
    return vouchers.vouchers[cols].to_numpy(dtype=np.int64).reshape(shape)


def _cap(lines: pd.DataFrame, checks: _Checks, vouchers: VoucherList) -> np.ndarray:
    """Cents counted per line: up to what is left of the voucher, in the order of spending."""
    v = vouchers.vouchers
    pos = pd.Series(np.arange(len(v)), index=v["voucher"].to_numpy())
    voucher_pos = lines["voucher"].map(pos).fillna(-1).astype(np.int64).to_numpy()
    lines["voucher_pos"] = voucher_pos
    amount = lines["claim_cents"].to_numpy(dtype=np.int64)
    ok = ~checks.rejected & (voucher_pos >= 0)
    wanted = np.where(ok, amount, 0)
    awards = np.append(v["awarded_cents"].to_numpy(dtype=np.int64), 0)  # -1: no voucher
    award = awards[voucher_pos]
    before = pd.Series(wanted).groupby(voucher_pos).cumsum().to_numpy() - wanted
    counted = np.clip(award - before, 0, wanted)
    over = ok & (counted < wanted)
    spent = np.minimum(before, award)
    detail = (
        "voucher di " + eur_each(award[over]) + ", già spesi " + eur_each(spent[over])
        + ": conteggiati " + eur_each(counted[over]) + " su " + eur_each(wanted[over])
    )  # fmt: skip
    checks.add("OLTRE_IMPORTO_VOUCHER", over, "amount_eur", detail=detail, reject=False)
    return counted.astype(np.int64)


class _Checks:
    """The findings of the lines, collected check by check; `rejected` per line."""

    def __init__(self, lines: pd.DataFrame, headers: dict[str, str]) -> None:
        self.lines = lines
        self.headers = headers
        self.rejected = np.zeros(len(lines), dtype=bool)
        self.parts: list[pd.DataFrame] = []
        self.blocked_cells: set[str] = set()

    def add(
        self,
        code: str,
        mask: np.ndarray,
        field: str,
        *,
        value: object = None,
        detail: object = None,
        label: str | None = None,
        reject: bool = True,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        rows = self.lines[mask]
        frame = pd.DataFrame(
            {
                "line": rows["line"].to_numpy(),
                "source_file": rows["source_file"].astype(object).to_numpy(),
                "source_sheet": rows["source_sheet"].astype(object).to_numpy(),
                "source_row": rows["source_row"].astype(object).to_numpy(),
                "column": self.headers.get(field, ""),
                "field": label or field,
            }
        )
        if value is not None:
            frame["value"] = value
        elif field in rows:
            frame["value"] = _shown(rows[field])
        if detail is not None:
            frame["detail"] = detail
        self.parts.append(make_findings(code, frame).assign(line=frame["line"].to_numpy()))
        if reject:
            self.rejected |= mask

    def unreadable(self, read_findings: pd.DataFrame) -> None:
        """Lines with a blocking finding of reading (an unreadable date or amount)."""
        f = read_findings[read_findings["severity"].eq(str(Severity.BLOCKING))]
        row = f["source_file"].astype(str) + "\x1f" + f["source_row"].astype(int).astype(str)
        self.blocked_cells = set(row + "\x1f" + f["field"].astype(str))
        self.rejected |= self._row_keys().isin(set(row)).to_numpy()

    def _row_keys(self) -> pd.Series:
        lines = self.lines
        return lines["source_file"].astype(str) + "\x1f" + lines["source_row"].astype(str)

    def missing(self) -> None:
        for field, label in REQUIRED.items():
            empty = self.lines[field].isna().to_numpy().copy()
            if field == "minor_tax_code":  # a voucher code says the child
                empty &= self.lines["code_key"].isna().to_numpy()
            if self.blocked_cells:
                cells = self._row_keys() + "\x1f" + field
                empty &= ~cells.isin(self.blocked_cells).to_numpy()
            self.add("CAMPO_OBBLIGATORIO_MANCANTE", empty, field, label=label, value="")

    def values(self) -> None:
        amount = self.lines["amount_cents"]
        self.add("IMPORTO_NON_POSITIVO", (amount <= 0).fillna(False).to_numpy(), "amount_eur")
        start, end = self.lines["period_from"], self.lines["period_to"]
        wrong = (end < start).fillna(False).to_numpy()
        self.add("PERIODO_INCOERENTE", wrong, "period_to", value=_periods(self.lines[wrong]))

    def provider_and_voucher(self, providers: pd.DataFrame, vouchers: VoucherList) -> None:
        known = self.lines["vat"].isin(set(providers["provider"])).to_numpy()
        has_vat = self.lines["vat"].notna().to_numpy()
        self.add("EROGATORE_NON_IN_ELENCO", has_vat & ~known, "provider_vat")
        has_code = self._by_code(vouchers)
        found = self.lines["voucher"].isin(set(vouchers.vouchers["voucher"])).to_numpy()
        has_cf = self.lines["voucher"].notna().to_numpy()
        self.add("VOUCHER_NON_TROVATO", has_cf & ~found & ~has_code, "minor_tax_code")

    def _by_code(self, vouchers: VoucherList) -> np.ndarray:
        """Lines with a voucher code are matched by it: a code of no voucher, or of another
        child than the one invoiced, is a finding; the others take the code's voucher.
        Per line: whether it has a code."""
        v = vouchers.vouchers
        codes = v[v["voucher_code"].astype(str).ne("")]
        owner = pd.Series(
            codes["voucher"].to_numpy(), index=code_key(codes["voucher_code"].astype("string"))
        )
        owner = owner[~owner.index.duplicated()]
        code = self.lines["code_key"]
        has = code.notna().to_numpy()
        if not has.any():
            return has
        of = code.map(owner)
        known = of.notna().to_numpy()
        child = self.lines["voucher"]
        other = has & known & child.notna().to_numpy() & (of != child).fillna(False).to_numpy()
        self.add("CODICE_VOUCHER_NON_TROVATO", has & ~known, "voucher_code")
        detail = "minore fatturato: " + child[other].astype(object).to_numpy()
        self.add("VOUCHER_DI_ALTRO_MINORE", other, "voucher_code", detail=detail)
        take = has & known & ~other
        self.lines.loc[take, "voucher"] = of[take].to_numpy()
        return has

    def services(self, providers: pd.DataFrame, spending: Spending) -> None:
        service = self.lines["service_key"]
        has = service.notna().to_numpy()
        if spending.services:
            allowed = {" ".join(s.casefold().split()) for s in spending.services}
            outside = has & ~service.isin(allowed).to_numpy()
            detail = "non è tra i servizi che il voucher può pagare"
            self.add("SERVIZIO_NON_AMMESSO", outside, "service", detail=detail)
        else:
            outside = np.zeros(len(self.lines), dtype=bool)
        declared = [
            f"{p}\x1f{service}"
            for p, services in zip(providers["provider"], providers["service_set"], strict=True)
            for service in services
        ]
        pairs = self.lines["vat"].fillna("") + "\x1f" + service.fillna("")
        ok = pairs.isin(declared).to_numpy()
        known = self.lines["vat"].isin(set(providers["provider"])).to_numpy()
        self.add(
            "SERVIZIO_NON_AMMESSO",
            has & known & ~outside & ~ok,
            "service",
            detail="l'erogatore non lo ha dichiarato nell'elenco degli erogatori",
        )

    def validity(self, spending: Spending) -> None:
        start = pd.Timestamp(spending.valid_from)
        end = pd.Timestamp(spending.valid_until)
        first = self.lines["period_from"]
        last = self.lines["period_to"].fillna(first)
        outside = ((first < start) | (last > end)).fillna(False).to_numpy()
        rows = self.lines[outside]
        detail = f"validità dal {date_short(start)} al {date_short(end)}"
        self.add("FUORI_VALIDITA", outside, "period_from", value=_periods(rows), detail=detail)

    def ended(self, vouchers: VoucherList) -> None:
        """A voucher ended by an act (rinuncia, revoca, decadenza) pays nothing after the date
        of the event: a line whose period ends after it is not counted."""
        v = vouchers.vouchers
        if not vouchers.ended.any():
            return
        gone = v[vouchers.ended]
        at = gone["voucher"].to_numpy()
        end = self.lines["voucher"].map(pd.Series(gone["ended"].to_numpy(), index=at))
        word = self.lines["voucher"].map(pd.Series(gone["status"].to_numpy(), index=at))
        last = self.lines["period_to"].fillna(self.lines["period_from"])
        after = (last > end).fillna(False).to_numpy(dtype=bool)
        rows = self.lines[after]
        labels = word[after].map(REMOVED_LABELS).to_numpy(dtype=object)
        detail = labels + " del " + each(end[after], date_short)
        self.add("VOUCHER_CESSATO", after, "period_from", value=_periods(rows), detail=detail)

    def tariffs(self, providers: pd.DataFrame) -> np.ndarray:
        """Per line, the cents it may claim: its amount, or less when the line gives a unit
        price above the agreed tariff of its provider and service, or a quantity whose
        tariff is less than the amount (OLTRE_TARIFFA): then quantity × tariff (rounded to
        the cent), or amount × tariff / unit price without a quantity."""
        lines = self.lines
        amount = lines["amount_cents"].fillna(0).to_numpy(dtype=np.int64)
        if "tariff_map" not in providers or not len(lines):
            return amount
        agreed = {
            f"{p}\x1f{service}": cents
            for p, tariffs in zip(providers["provider"], providers["tariff_map"], strict=True)
            for service, cents in tariffs.items()
        }
        pair = lines["vat"].fillna("") + "\x1f" + lines["service_key"].fillna("")
        tariff = pair.map(agreed).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        qty = lines["quantity"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        price = lines["unit_price_eur"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            by_qty = np.round(qty * tariff)
            by_price = np.floor(amount * tariff / price)
        allowed = np.where(~np.isnan(qty), by_qty, np.where(price > tariff, by_price, np.nan))
        over = ~np.isnan(tariff) & ~np.isnan(allowed) & (allowed < amount) & ~self.rejected
        over &= (price > tariff) | np.isnan(price)
        claim = np.where(over, allowed, amount).astype(np.int64)
        rows = lines[over]
        what = np.where(
            rows["unit_price_eur"].notna().to_numpy(),
            "prezzo unitario " + eur_each(rows["unit_price_eur"]),
            "quantità " + each(rows["quantity"], number),
        )
        detail = (
            "tariffa concordata " + eur_each(tariff[over].astype(np.int64)) + ", " + what
            + ": conteggiati " + eur_each(claim[over]) + " su " + eur_each(amount[over])
        )  # fmt: skip
        field = np.where(rows["unit_price_eur"].notna().to_numpy(), "unit_price_eur", "quantity")
        for name in ("unit_price_eur", "quantity"):
            mask = over.copy()
            mask[over] = field == name
            self.add("OLTRE_TARIFFA", mask, name, detail=detail[field == name], reject=False)
        return claim

    def duplicates(self) -> None:
        key = [
            "vat",
            "invoice_key",
            "voucher",
            "service_key",
            "period_from",
            "period_to",
            "amount_cents",
        ]
        complete = self.lines[[*key[:5], "amount_cents"]].notna().all(axis=1).to_numpy()
        codes = pd.DataFrame({k: pd.factorize(self.lines[k])[0] for k in key})
        again = codes.duplicated(keep="first").to_numpy() & complete
        group = codes.groupby(key, sort=False).ngroup().to_numpy()
        first_line = pd.Series(np.arange(len(codes))).groupby(group).transform("min")
        at = first_line[again].to_numpy()
        files = self.lines["source_file"].astype(object).to_numpy()[at]
        rows = self.lines["source_row"].astype(str).to_numpy(dtype=object)[at]
        detail = "è uguale alla riga " + rows + " di " + files
        self.add("FATTURA_DUPLICATA", again, "invoice_number", detail=detail)

    def result(self, lines: pd.DataFrame) -> pd.DataFrame:
        if not self.parts:
            return empty_findings().assign(line=pd.Series(dtype="int64"))
        out = pd.concat(self.parts, ignore_index=True)
        out["partner_id"] = _provider_of(lines, out["line"].to_numpy())
        return out


def _provider_of(lines: pd.DataFrame, at: np.ndarray) -> np.ndarray:
    """Whose a line is: the provider's VAT number as compared, as written when not valid."""
    vat = lines["vat"].astype(object).where(lines["vat"].notna(), "(senza partita IVA)")
    return vat.to_numpy()[at]


def each(values: np.ndarray | pd.Series, fmt: Callable[[object], str]) -> np.ndarray:
    """fmt (Babel) applied once per distinct value; NA -> ''. Object array of texts."""
    codes, uniques = pd.factorize(pd.Series(values), use_na_sentinel=True)
    texts = np.array([fmt(u) for u in uniques] + [""], dtype=object)
    return texts[codes]


def _shown(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(values):
        return each(values, date_short)
    if str(values.dtype) == "Int64":
        return eur_each(values)
    return values.astype(object).where(values.notna(), "").to_numpy()


def _periods(rows: pd.DataFrame) -> np.ndarray:
    start = "dal " + each(rows["period_from"], date_short)
    end = each(rows["period_to"], date_short)
    return np.where(end == "", start, start + " al " + end)
