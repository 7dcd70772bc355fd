"""Each partner's file of the example as rows of cells, and where every application and minor
landed (the Excel rows the README's tables give).

`lay_out` renders the partner's people (conciliare_cli.demo.sheets), applies the planted
cells, adds the unmapped columns, and numbers the rows as Excel shows them (ASST: the header
on row 3, two empty rows in the middle, a totals row at the bottom). `asst_touches` and
`mix_si` then make ASST's and COOP's exports as untidy as real ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from conciliare_cli.demo.example.builder import Builder
from conciliare_cli.demo.example.partners import SEED, Partner
from conciliare_cli.demo.sheets import BOOL_FIELDS, render

_NOTES = [
    "",
    "",
    "",
    "integrazione ISEE in arrivo",
    "già beneficiario 2016",
    "chiede part-time",
    "documenti completi",
]
_REPARTI = ["Filiale Crema", "Filiale Lodi", "Sede", "Back office", "Filiale Cremona"]

RowIndex = dict[tuple[str, int], int]  # (application id, slot) -> data row
AppRows = dict[str, list[int]]  # application id -> its data rows


@dataclass
class Laid:
    """A partner's file as rows of cells, and where each application / minor landed."""

    header_row: int  # Excel row of the header
    headers: list[str]
    rows: list[list[object]]  # data rows (None = empty cell), as written
    kinds: list[str]
    excel_row: list[int]  # Excel row of each data row
    row_of: dict[tuple[str, int], int]  # (application id, slot) -> Excel row
    first_row_of: dict[str, int]  # application id -> first Excel row
    blank_rows: list[int] = field(default_factory=list)
    total_row: int | None = None


def lay_out(b: Builder, p: Partner, spreadsheet: bool) -> Laid:
    """Partner `p`'s file: its rendered rows with the planted cells and the extra columns."""
    part = b.pop[b.pop["partner_id"] == p.id].reset_index(drop=True)
    sheet = render(part, p.style, spreadsheet=spreadsheet)
    headers = list(sheet.headers)
    cols = [c.copy() for c in sheet.columns]
    kinds = list(sheet.kinds)
    row_index, app_rows = _positions(part, p.style.layout)
    for (app, slot, header), value in b.cells[p.id].items():  # overrides of single cells
        c = headers.index(header)
        r = row_index[(app, slot)] if slot is not None else app_rows[app][0]
        cols[c][r] = value
    rows = [[col[r] for col in cols] for r in range(len(cols[0]))]
    if p.extra_columns:
        _add_extra_columns(p, headers, kinds, rows)
    return _numbered(p, headers, rows, kinds, row_index, app_rows)


def _positions(part: pd.DataFrame, layout: str) -> tuple[RowIndex, AppRows]:
    """The data row of each (application, minor slot) and the data rows of each application."""
    if layout == "minor":
        keys = list(zip(part["application_id"], part["minor_index"], strict=True))
        app_rows: AppRows = {}
        for r, (a, _) in enumerate(keys):
            app_rows.setdefault(a, []).append(r)
        return {k: r for r, k in enumerate(keys)}, app_rows
    apps = list(pd.unique(part["application_id"]))
    position = {a: r for r, a in enumerate(apps)}
    pairs = zip(part["application_id"], part["minor_index"], strict=True)
    return {(a, int(s)): position[a] for a, s in pairs}, {a: [r] for r, a in enumerate(apps)}


def _add_extra_columns(p: Partner, headers: list[str], kinds: list[str], rows: list) -> None:
    """The partner's unmapped columns: notes, a department, headerless columns."""
    rng = np.random.default_rng(SEED + 1)
    headers_added: list[str] = []
    for name in p.extra_columns:
        if name == "Note":
            values = [_NOTES[i] for i in rng.integers(0, len(_NOTES), len(rows))]
        elif name == "Reparto":
            values = [_REPARTI[i] for i in rng.integers(0, len(_REPARTI), len(rows))]
        elif name == "" and len(headers_added) == len(p.extra_columns) - 1:
            # a column without a header with a few stray marks: reported, not read
            values = ["ok" if i % 23 == 5 else None for i in range(len(rows))]
        else:
            values = [None] * len(rows)
        headers_added.append(name)
        if name == "Reparto":  # in the middle, after the applicant's columns
            at = headers.index(p.style.headers["both_parents_working"]) + 1
        else:
            at = len(headers)
        headers.insert(at, name)
        kinds.insert(at, "text")
        for row, v in zip(rows, values, strict=True):
            row.insert(at, v)


def _numbered(
    p: Partner,
    headers: list[str],
    rows: list[list[object]],
    kinds: list[str],
    row_index: RowIndex,
    app_rows: AppRows,
) -> Laid:
    """The Excel row of every data row; ASST has the header on row 3, two empty rows between
    applications (about 1/3 and 2/3 of the way) and a totals row at the bottom."""
    header_row = 3 if p.id == "ASST" else 1
    excel_row = []
    blank_rows = []
    r = header_row + 1
    blank_after = set()
    if p.id == "ASST":
        ends = sorted(rows_[-1] for rows_ in app_rows.values())
        blank_after = {ends[len(ends) // 3], ends[2 * len(ends) // 3]}
    for i in range(len(rows)):
        excel_row.append(r)
        r += 1
        if i in blank_after:
            blank_rows.append(r)
            r += 1
    total_row = r if p.id == "ASST" else None
    row_of = {k: excel_row[v] for k, v in row_index.items()}
    first_row_of = {a: excel_row[v[0]] for a, v in app_rows.items()}
    return Laid(
        header_row, headers, rows, kinds, excel_row, row_of, first_row_of, blank_rows, total_row
    )


def asst_touches(laid: Laid) -> None:
    """Lower-case tax codes (some with spaces), trailing spaces, bare serial dates."""
    h = laid.headers
    cf, cfm = h.index("Codice fiscale"), h.index("CF minore")
    sur, nam = h.index("Cognome"), h.index("Nome")
    birth = h.index("Data nascita minore")
    apps = [row[h.index("Protocollo")] for row in laid.rows]
    distinct = list(dict.fromkeys(apps))
    lower = set(distinct[3:60:7])  # every 7th application: lower case
    spaced = set(distinct[5:60:17])  # some with spaces inside
    trailing = set(distinct[2:90:6])
    for r, row in enumerate(laid.rows):
        a = apps[r]
        if a in lower and isinstance(row[cf], str):
            row[cf] = row[cf].lower() + "  "
            if isinstance(row[cfm], str):
                row[cfm] = row[cfm].lower()
        if a in spaced and isinstance(row[cf], str):
            c = row[cf].strip().upper()
            row[cf] = f"{c[:3]} {c[3:6]} {c[6:11]} {c[11:]}".lower()
        if a in trailing:
            row[sur] = f"{row[sur]}  "
            row[nam] = f"{row[nam]} "
        if 40 <= r < 50 and row[birth] is not None:
            row[birth] = ("serial", row[birth])  # a bare number, no date format


def mix_si(laid: Laid, p: Partner) -> None:
    """COOP's system writes 'Sì' in some rows and 'SI' in others."""
    flags = [laid.headers.index(p.style.headers[n]) for n in BOOL_FIELDS]
    for r, row in enumerate(laid.rows):
        if r % 3 == 0:
            for c in flags:
                if row[c] == "SI":
                    row[c] = "Sì"
