"""Lists kept in other files (`lists:` in bando.yaml), read once per run.

Each list is one column of a spreadsheet or CSV in the call folder, found like a partner's
file (the sheet with the header, the header row among the first 30, the CSV's encoding and
delimiter: read/table.py's `choose_grid`). Every value is normalised as the list says:
- `tax_code`: upper case, every space removed ("rss mra 80a01 h501u" -> "RSSMRA80A01H501U");
- `text`: spaces at the ends and repeated spaces removed, upper and lower case alike.
Empty cells are skipped. The same normalisation is applied to the field a condition asks
about (`applicant_tax_code in beneficiari_2018`), so a list written in lower case with spaces
matches the tax codes as the reader gives them.

The files are inputs of the run: their SHA-256 goes into manifest.json and `verify` checks
them like the partners' files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.config import CONFIG_NAME, LoadedCall
from conciliare_cli.config.annexes import NamedList as ListSpec
from conciliare_cli.config.models import PartnerConfig
from conciliare_cli.errors import UserError
from conciliare_cli.read.sources import normalise_header
from conciliare_cli.read.table import choose_grid
from conciliare_cli.read.values import cell_text

_SPACES = r"\s+"


def normalise(values: pd.Series, how: str) -> pd.Series:
    """Values as a list compares them (string dtype; NA stays NA, an empty text is NA)."""
    text = values.astype("string")
    if how == "tax_code":
        out = text.str.replace(_SPACES, "", regex=True).str.upper()
    else:
        out = text.str.replace(_SPACES, " ", regex=True).str.strip().str.casefold()
    return out.mask(out == "")


@dataclass(frozen=True)
class NamedList:
    """A list as the rules use it: its values, normalised, and where they came from."""

    name: str
    description: str
    how: str  # tax_code | text
    values: frozenset[str]
    file: str  # relative to the call folder, / separators
    rows: int  # non-empty cells read

    def normalise(self, values: pd.Series) -> pd.Series:
        return normalise(values, self.how)

    def contains(self, values: pd.Series) -> pd.Series:
        """Per value: in the list (boolean, NA where the value is missing)."""
        norm = self.normalise(values)
        hit = norm.isin(self.values).to_numpy(dtype=bool, na_value=False)
        return pd.Series(pd.arrays.BooleanArray(hit, norm.isna().to_numpy()), index=values.index)


def read_lists(call: LoadedCall) -> dict[str, NamedList]:
    """Every list of the call, read; UserError (file, sheet, column) when one cannot be."""
    return {spec.name: read_list(call.folder, spec) for spec in call.config.lists}


def read_list(folder: Path, spec: ListSpec) -> NamedList:
    path = folder / spec.file
    rel = Path(spec.file).as_posix()
    if Path(spec.file).is_absolute() or ".." in Path(spec.file).parts:
        raise UserError(
            f"il file dell'elenco '{spec.name}' deve stare nella cartella del bando",
            file=CONFIG_NAME,
            hint="copia il file nella cartella del bando e scrivi in 'file' un percorso relativo",
        )
    if not path.is_file():
        raise UserError(
            f"non trovo il file '{rel}' dell'elenco '{spec.name}'",
            file=CONFIG_NAME,
            hint=f"metti il file nella cartella del bando ({folder}) o correggi 'file' "
            f"dell'elenco {spec.name} in bando.yaml",
        )
    like_partner = PartnerConfig(
        id=spec.name,
        name=spec.description,
        files=spec.file,
        sheet=spec.sheet,
        header_row=spec.header_row,
        columns={"application_id": spec.column},
        encoding=spec.encoding,
        delimiter=spec.delimiter,
    )
    try:
        grid, header = choose_grid(path, rel, like_partner)
    except UserError as exc:
        raise UserError(exc.message, file=exc.file, hint=_hint(spec)) from exc
    headers = [normalise_header(v) for v in grid.cells.iloc[header].tolist()] if header >= 0 else []
    wanted = normalise_header(spec.column)
    if wanted not in headers:
        raise UserError(
            f"manca la colonna '{spec.column}' dell'elenco '{spec.name}'",
            file=rel,
            hint=_hint(spec),
        )
    column = grid.cells.iloc[header + 1 :, headers.index(wanted)].to_numpy(dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    values = normalise(pd.Series([cell_text(v) for v in uniques], dtype="string"), spec.normalise)
    filled = np.append(values.notna().to_numpy(), False)  # code -1 (an empty cell): not filled
    rows = int(filled[codes].sum())
    return NamedList(
        spec.name, spec.description, spec.normalise, frozenset(values.dropna()), rel, rows
    )


def _hint(spec: ListSpec) -> str:
    return f"controlla file, sheet e column dell'elenco '{spec.name}' in bando.yaml (lists)"
