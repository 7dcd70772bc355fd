"""Read the providers' list and the invoices with the partners' readers (conciliare_cli/read).

Each is declared in bando.yaml (`spending.providers`, `spending.invoices`) like a partner:
files (globs, sorted by path), sheet and header row (found when not given), columns by their
headers, CSV encoding and separator (detected). An optional column (a voucher code, a quantity,
a unit price) may be missing from some files, as each provider has its own format, but not
from all. The reader's findings (unreadable dates and amounts, formulas, ignored rows and
columns) come with them, pointing at file, sheet, row and column as Excel shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.config import LoadedCall
from conciliare_cli.config.models import PartnerConfig
from conciliare_cli.config.spending_models import (
    INVOICE_FIELDS,
    PROVIDER_FIELDS,
    Spending,
    SpendingFiles,
)
from conciliare_cli.errors import MappingError, UserError, UserErrors
from conciliare_cli.fields import SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, Field, Kind, Level
from conciliare_cli.findings import empty_findings, make_findings
from conciliare_cli.read import partner_files, relative
from conciliare_cli.read.table import read_table
from conciliare_cli.read.values import DTYPES

M = Level.MINOR
PROVIDER_COLUMNS: dict[str, Field] = {
    f.name: f
    for f in [
        Field("provider_id", Kind.TEXT, M, "Codice erogatore"),
        Field("provider_name", Kind.TEXT, M, "Erogatore"),
        Field("vat_number", Kind.TEXT, M, "Partita IVA"),
        Field("services", Kind.TEXT, M, "Servizi"),
        Field("tariff_eur", Kind.MONEY, M, "Tariffa"),
        Field("tariffs", Kind.TEXT, M, "Tariffe per servizio"),
    ]
}
INVOICE_COLUMNS: dict[str, Field] = {
    f.name: f
    for f in [
        Field("provider_vat", Kind.TEXT, M, "Partita IVA erogatore"),
        Field("minor_tax_code", Kind.TAX_CODE, M, "CF minore"),
        Field("voucher_code", Kind.TEXT, M, "Codice voucher"),
        Field("minor_name", Kind.TEXT, M, "Minore"),
        Field("service", Kind.TEXT, M, "Servizio"),
        Field("period_from", Kind.DATE, M, "Periodo dal"),
        Field("period_to", Kind.DATE, M, "Periodo al"),
        Field("amount_eur", Kind.MONEY, M, "Importo"),
        Field("quantity", Kind.NUMBER, M, "Quantità"),
        Field("unit_price_eur", Kind.MONEY, M, "Prezzo unitario"),
        Field("invoice_number", Kind.TEXT, M, "Numero fattura"),
        Field("invoice_date", Kind.DATE, M, "Data fattura"),
        Field("paid_date", Kind.DATE, M, "Data pagamento"),
    ]
}
PROVIDERS_SOURCE = "EROGATORI"
INVOICES_SOURCE = "FATTURE"


@dataclass
class SpendingRead:
    """Rows of every file of one kind (in file and row order) and the findings of reading."""

    rows: pd.DataFrame  # the mapped fields + source_file, source_sheet, source_row
    findings: pd.DataFrame  # FINDING_COLUMNS
    files: list[str]  # relative paths, sorted


def read_providers(call: LoadedCall) -> SpendingRead:
    spending = _spending(call)
    required = {k for k, need in PROVIDER_FIELDS.items() if need}
    return read_files(call, spending.providers, PROVIDERS_SOURCE, PROVIDER_COLUMNS, required)


def read_invoices(call: LoadedCall) -> SpendingRead:
    spending = _spending(call)
    required = {k for k, need in INVOICE_FIELDS.items() if need}
    return read_files(call, spending.invoices, INVOICES_SOURCE, INVOICE_COLUMNS, required)


def _spending(call: LoadedCall) -> Spending:
    if call.config.spending is None:
        raise UserError(
            "bando.yaml non ha la sezione 'spending' (erogatori, fatture, validità dei voucher)",
            file=call.path.name,
            hint="aggiungila come nell'esempio examples/conciliare-2017/bando.yaml",
        )
    return call.config.spending


def as_partner(spec: SpendingFiles, source: str) -> PartnerConfig:
    """The file declaration in the shape the partners' reader takes."""
    return PartnerConfig(
        id=source,
        name=source,
        files=spec.files,
        sheet=spec.sheet,
        header_row=spec.header_row,
        columns=dict(spec.columns),
        encoding=spec.encoding,
        delimiter=spec.delimiter,
    )


def read_files(
    call: LoadedCall,
    spec: SpendingFiles,
    source: str,
    fields: dict[str, Field],
    required: set[str],
) -> SpendingRead:
    """Every file of `spec`, read and stacked; every file's problems reported in one error.
    A column of an optional field may be missing from some files (read as empty there), not
    from all of them (then the mapping is wrong)."""
    partner = as_partner(spec, source)
    paths = partner_files(call.folder, partner)
    frames, findings, errors = [], [], []
    optional = set(spec.columns) - required
    absent: list[tuple[MappingError, set[str]]] = []
    for path in paths:
        rel = relative(path, call.folder)
        try:
            t, missing = _read_one(path, rel, partner, fields, optional)
        except UserError as exc:
            errors.append(exc)
            continue
        if missing[1]:
            absent.append(missing)  # type: ignore[arg-type]
        frame = t.frame.drop(columns=["minor_slot"], errors="ignore")
        frame[SOURCE_FILE] = rel
        frame[SOURCE_SHEET] = t.sheet
        frames.append(frame)
        findings.append(t.file_findings)
        findings.append(_value_findings(t.value_findings, frame, source, rel, t.sheet))
    nowhere = set.intersection(*(m for _e, m in absent)) if len(absent) == len(paths) else set()
    if nowhere:  # an optional column found in no file: a mistake in bando.yaml
        errors.append(absent[0][0])
    if errors:
        raise errors[0] if len(errors) == 1 else UserErrors(errors)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    out = pd.DataFrame(index=range(len(rows)))
    for name, f in fields.items():
        values = rows[name] if name in rows.columns else [None] * len(rows)
        out[name] = pd.Series(pd.array(values, dtype=DTYPES[f.kind]), index=out.index)
    for col in (SOURCE_FILE, SOURCE_SHEET):
        out[col] = pd.array(rows[col] if len(rows) else [], dtype="string")
    out[SOURCE_ROW] = pd.array(rows[SOURCE_ROW] if len(rows) else [], dtype="Int64")
    found = [f for f in findings if len(f)]
    return SpendingRead(
        rows=out,
        findings=pd.concat(found, ignore_index=True) if found else empty_findings(),
        files=[relative(p, call.folder) for p in paths],
    )


def _read_one(
    path: Path, rel: str, partner: PartnerConfig, fields: dict[str, Field], optional: set[str]
) -> tuple[Any, tuple[MappingError | None, set[str]]]:
    """One file; an optional column (quantity, unit price, voucher code, ...) may be missing
    from it (each provider its own format): it is then read as empty. (the table, (the
    error naming the missing optional columns, their fields))."""
    try:
        return read_table(path, rel, partner, fields), (None, set())
    except MappingError as exc:
        missing = set(exc.fields)
        if not missing or not missing <= optional:
            raise
        columns = {k: v for k, v in partner.columns.items() if k not in missing}
        narrower = partner.model_copy(update={"columns": columns})
        return read_table(path, rel, narrower, fields), (exc, missing)


def _value_findings(
    vf: pd.DataFrame, frame: pd.DataFrame, source: str, rel: str, sheet: str
) -> pd.DataFrame:
    """The reader's findings on values, placed at their row of the file."""
    if not len(vf):
        return empty_findings()
    pos = vf["pos"].to_numpy(dtype=np.int64)
    rows = pd.DataFrame(
        {
            "column": vf["column"].to_numpy(dtype=object),
            "field": vf["field"].to_numpy(dtype=object),
            "value": vf["value"].to_numpy(dtype=object),
            "detail": vf["detail"].to_numpy(dtype=object) if "detail" in vf else None,
            "source_row": frame[SOURCE_ROW].to_numpy(dtype=object)[pos],
        }
    )
    parts = [
        make_findings(
            str(code),
            group.reset_index(drop=True),
            partner_id=source,
            source_file=rel,
            source_sheet=sheet,
        )
        for code, group in rows.groupby(vf["code"].to_numpy(), sort=True)
    ]
    return pd.concat(parts, ignore_index=True)
