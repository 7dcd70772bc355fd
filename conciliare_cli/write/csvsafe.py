"""Texts in a CSV the tool writes never open as a formula in a spreadsheet.

Excel, LibreOffice and Google Sheets take a cell that begins with `=`, `+`, `-` or `@` as a
formula (`=HYPERLINK(...)` makes a link, `+cmd|' /C calc'!A0` once ran a program), and also
one that begins with a tab or a carriage return followed by one of them. A partner's text
(a tax code, a protocol, a sheet or file name) can begin that way.

The contract (README, "Limiti e garanzie"): a text cell that begins with one of
`FORMULA_START` is written with an apostrophe in front (`'=HYPERLINK(...)`), the mark a
spreadsheet shows as "this is text" (so is a text that begins with apostrophes and then one of
them: `'=x` is written `''=x`); a program reading the CSV removes one leading apostrophe when
the character after it is one of `FORMULA_START` or another apostrophe followed by them.
Nothing else changes: a text that does not begin that way is written as it is, and numeric
columns (rank, score, amounts) are numbers written by the tool, never partners' text, so a
negative score stays `-5`.
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MARK = "'"


def csv_safe(text: str) -> str:
    """One text as a CSV cell: `MARK` in front when it begins with one of FORMULA_START, or
    with apostrophes and then one of them (`'=` is written `''=`, so that removing one mark
    gives it back)."""
    return MARK + text if text.lstrip(MARK).startswith(FORMULA_START) else text


def csv_safe_texts(texts: pd.Series) -> pd.Series:
    """`csv_safe` on a column of texts (all str, missing already ''), vectorised; the same
    Series when no cell needs it (the usual case)."""
    bare = texts.astype(object).str.lstrip(MARK)
    hit = bare.str.startswith(FORMULA_START).fillna(False).astype(bool)
    if not hit.any():
        return texts
    out = texts.astype(object).copy()
    out[hit] = MARK + out[hit]
    return out


def strip_mark(text: str) -> str:
    """What a machine reader does: the text as the partner wrote it (inverse of csv_safe)."""
    if text.startswith(MARK) and text[1:].lstrip(MARK).startswith(FORMULA_START):
        return text[1:]
    return text


def strip_marks(texts: pd.Series) -> pd.Series:
    """`strip_mark` on a column read back from a CSV of the tool, vectorised."""
    text = texts.astype(object)
    marked = text.str.startswith(MARK).fillna(False).astype(bool)
    if not marked.any():
        return texts
    rest = text.str[1:]
    hit = marked & rest.str.lstrip(MARK).str.startswith(FORMULA_START).fillna(False).astype(bool)
    return text.where(~hit, rest)
