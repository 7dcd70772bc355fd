"""The office's own records (the corrections file, the register of events): spreadsheets with
Italian headers (records.py), read by the same readers as the partners' files.

`read_register(path, rel, headers, required, what)` returns one row per filled row of the
sheet, every cell as text (stripped), with `row`, the row number as Excel shows it; the header
row is looked for as in a partner's file (a title above it is fine), headers are matched
without regard to case, spaces or accents' forms, and a missing required column is one
Italian error naming the file and the columns it should have.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from conciliare_cli.config.models import PartnerConfig
from conciliare_cli.errors import UserError
from conciliare_cli.read import sources
from conciliare_cli.read.table import choose_grid
from conciliare_cli.read.values import cell_text


def read_register(
    path: Path, rel: str, headers: dict[str, str], required: tuple[str, ...], what: str
) -> pd.DataFrame:
    """The filled rows of the register at `path` as texts (columns: the keys of `headers`,
    and `row`); `what` names the register in messages ("file delle correzioni")."""
    pseudo = PartnerConfig(
        id="REGISTRO",
        name=what,
        files=rel,
        columns={key: headers[key] for key in required},
    )
    grid, idx = choose_grid(path, rel, pseudo)
    header = [sources.normalise_header(v) for v in grid.cells.iloc[idx].tolist()]
    wanted = {sources.normalise_header(h): key for key, h in headers.items()}
    present = {h.casefold() for h in header}
    missing = [headers[k] for k in required if headers[k].casefold() not in present]
    if missing:
        raise UserError(
            "mancano le colonne " + ", ".join(f"'{m}'" for m in missing),
            file=rel,
            hint=f"colonne del {what}: " + ", ".join(headers.values()),
        )
    body = grid.cells.iloc[idx + 1 :]
    out = pd.DataFrame({"row": grid.row_numbers()[idx + 1 :]})
    for j, h in enumerate(header):
        key = wanted.get(h)
        if key is not None and key not in out:
            out[key] = [cell_text(v).strip() for v in body.iloc[:, j].tolist()]
    for key in headers:
        if key not in out:
            out[key] = ""
    filled = out[list(headers)].ne("").any(axis=1)
    return out[filled.to_numpy()].reset_index(drop=True)
