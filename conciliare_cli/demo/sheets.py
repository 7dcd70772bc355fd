"""A partner's rows as its system exports them: per minor or per application, every value
written the partner's way (money, dates, flags), as typed cells ready for a writer.

For spreadsheets money and counts are numbers and dates are date cells (Excel serial days);
for text files everything is text. Each distinct value is formatted once (factorize, then
index), so a million rows cost a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from conciliare_cli.demo.applications import APPLICATION_FIELDS, MAX_MINORS, MINOR_FIELDS
from conciliare_cli.demo.styles import Style

DATE_EPOCH = np.datetime64("1899-12-30", "D")  # Excel's day zero (serial dates)
MONEY_FIELDS = ("isee", "requested_eur")
BOOL_FIELDS = ("single_parent", "both_parents_working", "disability", "learning_difficulty")

Cells = list[tuple[np.ndarray, str]]  # one (column, kind) per header of a field


@dataclass
class Sheet:
    """A partner table ready to write: headers and one typed column per header."""

    headers: list[str]
    columns: list[np.ndarray]  # object arrays; None = empty cell
    kinds: list[str]  # text, number, date, datetime, time


def text_money(cents: pd.Series, style: str) -> np.ndarray:
    """Cents as the partner's system writes them; '' when missing (once per distinct value)."""
    codes, uniques = pd.factorize(cents)

    def one(c: int) -> str:
        c = int(c)
        sign = "-" if c < 0 else ""
        euros, cc = divmod(abs(c), 100)
        whole = f"{euros:,}".replace(",", ".") if style in ("it", "euro") else str(euros)
        text = f"{sign}{whole},{cc:02d}"
        return f"€ {text}" if style == "euro" else text

    texts = np.asarray([one(u) for u in uniques] + [""], dtype=object)
    return texts[codes]


def text_dates(values: pd.Series, pattern: str) -> np.ndarray:
    """Dates (or date-times) with a strftime pattern; '' when missing."""
    codes, uniques = pd.factorize(values)
    texts = np.asarray([pd.Timestamp(u).strftime(pattern) for u in uniques] + [""], dtype=object)
    return texts[codes]


def text_bools(values: pd.Series, yes_no: tuple[str, str]) -> np.ndarray:
    v = values.astype("boolean")
    return np.where(v.fillna(False).to_numpy(dtype=bool), yes_no[0], yes_no[1]).astype(object)


def _headers_for(style: Style, slot: int | None) -> dict[str, list[str]]:
    """Field -> its headers (two for a date and a time column), for minor group `slot`."""
    out: dict[str, list[str]] = {}
    for name, header in style.headers.items():
        hs = list(header) if isinstance(header, tuple) else [header]
        if slot is not None:
            hs = [h.replace("{n}", str(slot)) for h in hs]
        out[name] = hs
    return out


def render(table: pd.DataFrame, style: Style, spreadsheet: bool) -> Sheet:
    """The partner's rows for `table` (one partner): per-minor or per-application layout.

    For spreadsheets, money is a number, dates are date cells; for text files, everything is
    text as the partner's system writes it.
    """
    sheet = Sheet([], [], [])
    per_minor = style.layout == "minor"
    app_rows = table if per_minor else table.drop_duplicates("application_id", keep="first")
    for name in APPLICATION_FIELDS:
        _add(sheet, name, app_rows, style, spreadsheet, None, None)
    if per_minor:
        for name in MINOR_FIELDS:
            _add(sheet, name, table, style, spreadsheet, None, None)
        return sheet
    ids = app_rows["application_id"].to_numpy()
    for slot in range(1, MAX_MINORS + 1):
        kids = table[table["minor_index"].to_numpy() == slot].set_index("application_id")
        aligned = kids.reindex(ids)
        present = aligned["minor_tax_code"].notna().to_numpy()
        for name in MINOR_FIELDS:
            _add(sheet, name, aligned, style, spreadsheet, slot, present)
    return sheet


def _add(
    sheet: Sheet,
    name: str,
    frame: pd.DataFrame,
    style: Style,
    spreadsheet: bool,
    slot: int | None,
    present: np.ndarray | None,
) -> None:
    """The columns of field `name` (none when the partner does not export it)."""
    if name not in style.headers:
        return
    hs = _headers_for(style, slot)[name]
    values = frame["protocol" if name == "application_id" else name]
    cols = _cells(name, values, style, spreadsheet, len(hs) == 2)
    for h, (col, kind) in zip(hs, cols, strict=True):
        if present is not None:
            col = np.where(present, col, None)
        sheet.headers.append(h)
        sheet.columns.append(col)
        sheet.kinds.append(kind)


def _cells(name: str, values: pd.Series, style: Style, spreadsheet: bool, split: bool) -> Cells:
    missing = values.isna().to_numpy()
    if name in MONEY_FIELDS:
        return _money_cells(values, missing, style, spreadsheet)
    if name in BOOL_FIELDS:
        return [(text_bools(values, style.yes_no), "text")]
    if name == "household_size":
        return _count_cells(values, missing, spreadsheet)
    if name == "minor_birth_date":
        if spreadsheet:
            return [(_serial(values, missing), "date")]
        return [(np.where(missing, None, text_dates(values, style.date)), "text")]
    if name == "submitted_at":
        return _submitted_cells(values, missing, style, spreadsheet, split)
    texts = values.to_numpy(dtype=object)
    return [(np.where(missing, None, texts).astype(object), "text")]


def _money_cells(values: pd.Series, missing: np.ndarray, style: Style, spreadsheet: bool) -> Cells:
    if spreadsheet:
        nums = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan) / 100
        return [(np.where(missing, None, nums).astype(object), "number")]
    return [(np.where(missing, None, text_money(values, style.money)), "text")]


def _count_cells(values: pd.Series, missing: np.ndarray, spreadsheet: bool) -> Cells:
    if spreadsheet:
        nums = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return [(np.where(missing, None, nums).astype(object), "number")]
    texts = values.astype("string").to_numpy(dtype=object, na_value="")
    return [(np.where(missing, None, texts), "text")]


def _submitted_cells(
    values: pd.Series, missing: np.ndarray, style: Style, spreadsheet: bool, split: bool
) -> Cells:
    """Date and time in one cell, or (`split`) a date column and a time column."""
    if not split:
        if spreadsheet:
            return [(_serial(values, missing), "datetime")]
        return [(np.where(missing, None, text_dates(values, style.date + style.time)), "text")]
    if spreadsheet:
        serial = _serial(values, missing).astype(float)
        day = np.where(missing, None, np.floor(serial))
        frac = np.where(missing, None, serial - np.floor(serial))
        return [(day.astype(object), "date"), (frac.astype(object), "time")]
    return [
        (np.where(missing, None, text_dates(values, style.date)), "text"),
        (np.where(missing, None, text_dates(values, style.time)), "text"),
    ]


def _serial(values: pd.Series, missing: np.ndarray) -> np.ndarray:
    """Excel serial day numbers (float, with the time as the fraction)."""
    ts = pd.to_datetime(values).to_numpy(dtype="datetime64[s]")
    secs = (ts - DATE_EPOCH.astype("datetime64[s]")).astype(np.int64)
    serial = np.round(secs / 86400.0, 10)
    return np.where(missing, None, serial).astype(object)
