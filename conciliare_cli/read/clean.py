"""What a cell may hide: invisible characters, spreadsheet error values, NaN.

- Invisible characters (Unicode categories Cc and Cf that are not whitespace: NUL, the BOM,
  zero-width space and joiners, soft hyphen, direction marks, other control and format
  characters) are removed from every text before it is read; whitespace controls (TAB, line
  breaks) stay whitespace and are collapsed like spaces. A protocol or a tax code written
  with one of them is the same protocol or tax code without it (so an application is never
  split in two); the reader reports where removing them changed an id or a tax code
  (CARATTERI_INVISIBILI_RIMOSSI).
- Spreadsheet error values (#N/A, #DIV/0!, #REF!... and their Italian names #N/D, #RIF!...),
  whether an error cell of the file or the same text in a CSV, and numbers that are not a
  number (NaN) are unreadable values (CELLA_IN_ERRORE), never empty ones.

python-calamine gives an error cell as an empty string: the error cells of an xlsx are found
by read/guard.py in the sheet's XML and put back in the grid as `CellError` values.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

# Cc and Cf (Unicode 14), less the whitespace controls \t \n \x0b \x0c \r \x1c-\x1f \x85;
# tests/test_hostile_values.py checks this class against unicodedata.
INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)

# Excel's error values, in English and as Italian Excel shows them (compared upper-cased).
ERROR_VALUES = frozenset(
    {
        "#N/A",
        "#N/D",
        "#DIV/0!",
        "#REF!",
        "#RIF!",
        "#VALUE!",
        "#VALORE!",
        "#NAME?",
        "#NOME?",
        "#NUM!",
        "#NULL!",
        "#NULLO!",
        "#CALC!",
        "#SPILL!",
        "#ESPANSIONE!",
        "#FIELD!",
        "#CAMPO!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#GETTING_DATA",
    }
)


class CellError(str):
    """An error cell of a spreadsheet (its text, e.g. '#N/A'), put back into the grid."""

    __slots__ = ()


def without_invisible(text: str) -> str:
    """The text with its invisible characters removed (whitespace kept)."""
    return INVISIBLE.sub("", text) if INVISIBLE.search(text) else text


def visible(text: str) -> str:
    """The text with each invisible character shown as <U+XXXX> (for messages)."""
    return INVISIBLE.sub(lambda m: f"<U+{ord(m[0]):04X}>", text)


def is_error_value(v: object) -> bool:
    """An error cell (CellError: also a NaN number of a spreadsheet), an infinite number, or
    a text that is an error value (#N/A, #DIV/0!...)."""
    if isinstance(v, CellError):
        return True
    if isinstance(v, float | np.floating):  # an infinite number (NaN: see nan_to_error)
        return not math.isfinite(v)
    if isinstance(v, str) and "#" in v:
        return without_invisible(v).strip().upper() in ERROR_VALUES
    return False


def error_uniques(uniques: np.ndarray) -> np.ndarray:
    """Per distinct raw value: whether it is an error value (see is_error_value). Texts
    without '#' or 'NaN' (the error cells' texts) are ruled out in one pass."""
    if pd.api.types.infer_dtype(uniques, skipna=True) == "string":
        joined = "".join(uniques)
        if (
            "#" not in joined
            and "NaN" not in joined
            and not any(type(u) is CellError for u in uniques)  # a cell too long
        ):
            return np.zeros(len(uniques), dtype=bool)
    return np.fromiter(map(is_error_value, uniques), dtype=bool, count=len(uniques))


def invisible_uniques(uniques: np.ndarray) -> np.ndarray:
    """Per distinct raw value: whether it is a text holding invisible characters.

    A text that str.isprintable() accepts holds none (Cc and Cf are not printable): the
    texts of a column are joined and checked in one C pass, the regex runs only on the few
    that are not printable (spaces other than ' ', line breaks, invisible characters)."""
    out = np.zeros(len(uniques), dtype=bool)
    if not len(uniques):
        return out
    texts = pd.api.types.infer_dtype(uniques, skipna=True) == "string"
    if texts and "".join(uniques).isprintable():
        return out
    for i, v in enumerate(uniques):
        if isinstance(v, str) and not v.isprintable() and INVISIBLE.search(v):
            out[i] = True
    return out


def clean_uniques(uniques: np.ndarray, dirty: np.ndarray | None = None) -> np.ndarray:
    """The distinct raw values with invisible characters removed from the texts (a text
    that was an error cell stays a CellError). `dirty`: invisible_uniques(), if known."""
    dirty = invisible_uniques(uniques) if dirty is None else dirty
    if not dirty.any():
        return uniques
    out = uniques.copy()
    for i in np.flatnonzero(dirty):
        v = out[i]
        cleaned = INVISIBLE.sub("", v)
        out[i] = CellError(cleaned) if isinstance(v, CellError) else cleaned
    return out


def nan_to_error(cells: pd.DataFrame) -> pd.DataFrame:
    """A grid whose float NaN cells (a crafted file: Excel has no NaN) become CellError('NaN')
    so that they read as unreadable, never as empty (calamine gives '' for an empty cell)."""
    for c in cells.columns:
        col = cells[c].to_numpy(dtype=object)
        nan = pd.isna(col)
        if nan.any():
            col = col.copy()
            col[nan] = CellError("NaN")
            cells[c] = col
    return cells
