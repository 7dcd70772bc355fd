"""The vouchers in use for a call folder: read, check, match, attribute, tabulate.

`spending_of(call, out_dir)` reads the published final list in `out_dir` (the `rank --definitiva`
result), the providers' list and the invoices declared in bando.yaml, and returns everything
the reports need. Nothing is written here (report_files.py writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from conciliare_cli.config import LoadedCall
from conciliare_cli.errors import UserError
from conciliare_cli.findings import FINDING_COLUMNS, sort_findings
from conciliare_cli.publish.manifest import read_manifest
from conciliare_cli.spending import report_tables as tables
from conciliare_cli.spending.act_list import vouchers_after_acts
from conciliare_cli.spending.matching import match
from conciliare_cli.spending.provider_list import check_providers, vat_key
from conciliare_cli.spending.reading import read_invoices, read_providers
from conciliare_cli.spending.voucher_list import VoucherList


@dataclass
class SpendingResult:
    call: LoadedCall
    vouchers: VoucherList
    providers: pd.DataFrame
    moves: pd.DataFrame  # every invoice line (report_tables.movements)
    findings: pd.DataFrame  # FINDING_COLUMNS, partner_id = the provider's VAT number
    files: list[str] = field(default_factory=list)  # providers' list and invoices read
    fund_names: dict[str, str] = field(default_factory=dict)
    _vouchers: pd.DataFrame | None = field(default=None, repr=False)

    def voucher_table(self) -> pd.DataFrame:
        if self._vouchers is None:
            self._vouchers = tables.per_voucher(self.moves, self.vouchers)
        return self._vouchers

    def fund_table(self) -> pd.DataFrame:
        return tables.per_fund(self.voucher_table(), self.vouchers, self.fund_names, self.moves)

    def partner_table(self) -> pd.DataFrame:
        names = {p.id: p.name for p in self.call.config.partners}
        return tables.per_partner(self.voucher_table(), self.vouchers, names, self.moves)

    def provider_table(self) -> pd.DataFrame:
        return tables.per_provider(self.moves, self.providers, self.findings)


def spending_of(call: LoadedCall, out_dir: Path) -> SpendingResult:
    if call.config.spending is None:
        raise UserError(
            "bando.yaml non ha la sezione 'spending' (erogatori, fatture, validità dei voucher)",
            file=call.path.name,
            hint="aggiungila come nell'esempio examples/conciliare-2017/bando.yaml (vedi README)",
        )
    spending = call.config.spending
    vouchers = published_vouchers(call, out_dir)
    listed = read_providers(call)
    providers, provider_findings = check_providers(listed.rows, dict(spending.providers.columns))
    invoices = read_invoices(call)
    headers = dict(spending.invoices.columns)
    matched = match(invoices.rows, invoices.findings, providers, vouchers, spending, headers)
    moves = tables.movements(matched.lines, matched.findings, vouchers, providers)
    read_findings = _owned(invoices.findings, moves, "provider_vat")
    list_findings = _owned(listed.findings, listed.rows, "vat_number")
    findings = pd.concat(
        [f for f in (provider_findings, list_findings, read_findings, matched.findings) if len(f)]
        or [provider_findings],
        ignore_index=True,
    )
    return SpendingResult(
        call=call,
        vouchers=vouchers,
        providers=providers,
        moves=moves,
        findings=sort_findings(findings[FINDING_COLUMNS]),
        files=sorted(set(listed.files) | set(invoices.files)),
        fund_names={f.id: f.name for f in call.config.funds},
    )


def published_vouchers(call: LoadedCall, out_dir: Path) -> VoucherList:
    """The vouchers of the DEFINITIVA result published in `out_dir`, as the scorrimenti
    issued in the call folder leave them."""
    manifest = read_manifest(out_dir)
    if manifest is None:
        raise UserError(
            f"in {out_dir} non c'è una graduatoria pubblicata (manca manifest.json)",
            hint="pubblica la graduatoria definitiva con 'conciliare rank CARTELLA "
            "--definitiva', o indica con --esiti la cartella dove è stata pubblicata",
        )
    return vouchers_after_acts(call.folder, out_dir, manifest, call.config)


def _owned(findings: pd.DataFrame, rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """The reader's findings on a file, given to the provider of their row (its VAT number
    in `column`)."""
    if not len(findings):
        return findings
    key = rows["source_file"].astype(str) + "\x1f" + rows["source_row"].astype(str)
    vat = vat_key(rows[column]).astype(object)
    owner = pd.Series(vat.where(vat.notna(), "(senza partita IVA)").to_numpy(), index=key)
    owner = owner[~owner.index.duplicated()]
    row = findings["source_row"].astype("Int64").astype(str)
    where = findings["source_file"].astype(str) + "\x1f" + row
    out = findings.copy()
    out["partner_id"] = where.map(owner).fillna("(senza partita IVA)").to_numpy()
    return out
