"""Helpers for the reader's tests: call folders with given partners, spreadsheets, hashes."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

from conciliare_cli.config import LoadedCall, load_call

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "conciliare-2017.yaml"
DATA = Path(__file__).resolve().parent / "data" / "read"

# The smallest mapping the loader accepts (required fields), plus a few of each kind.
BASIC_COLUMNS = {
    "application_id": "Protocollo",
    "submitted_at": "Data domanda",
    "applicant_tax_code": "Codice fiscale",
    "isee": "ISEE",
    "minor_tax_code": "CF minore",
    "minor_birth_date": "Nato il",
    "disability": "Disabilità",
    "requested_eur": "Costo",
}
BASIC_HEADER = list(BASIC_COLUMNS.values())


def make_call(
    folder: Path,
    partners: Sequence[dict[str, Any]],
    extra_fields: Sequence[dict[str, Any]] = (),
) -> LoadedCall:
    """A call folder with the shipped rules and these partners (and extra fields)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = RULES.read_text(encoding="utf-8")
    for key, value in (("partners", partners), ("fields", extra_fields)):
        line = f"{key}: " + json.dumps(list(value))
        text = re.sub(rf"^{key}: \[\]$", lambda _m, line=line: line, text, flags=re.M)
    (folder / "bando.yaml").write_text(text, encoding="utf-8")
    return load_call(folder)


def partner(
    files: str | list[str] = "partner/*.xlsx",
    columns: dict[str, Any] | None = None,
    pid: str = "P1",
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": pid,
        "name": f"Partner {pid}",
        "files": files,
        "columns": columns or dict(BASIC_COLUMNS),
    }
    out.update(extra)
    return out


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list[Any] | None]],
    merges: dict[str, list[str]] | None = None,
    origin: tuple[int, int] = (1, 1),
) -> Path:
    """A workbook with these sheets (rows of values; None = an empty row); the first row
    goes to Excel row origin[0], the first column to column origin[1] (1-based)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row or []):
                if v is not None:
                    cell = ws.cell(row=origin[0] + i, column=origin[1] + j, value=v)
                    if isinstance(v, str) and v.startswith("="):
                        cell.data_type = "s"  # a text, as typed after an apostrophe
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def write_csv(
    path: Path,
    rows: list[list[str]],
    delimiter: str = ";",
    encoding: str = "utf-8",
    line_end: str = "\n",
) -> Path:
    """A CSV written by hand (quoting cells that hold the delimiter or a quote)."""

    def quote(cell: str) -> str:
        if delimiter in cell or '"' in cell or "\n" in cell:
            return '"' + cell.replace('"', '""') + '"'
        return cell

    path.parent.mkdir(parents=True, exist_ok=True)
    text = line_end.join(delimiter.join(quote(c) for c in row) for row in rows) + line_end
    path.write_bytes(text.encode(encoding))
    return path


def digests(folder: Path) -> dict[str, str]:
    """sha256 and mtime of every file under folder (to prove nothing was written)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(folder))] = (
                hashlib.sha256(p.read_bytes()).hexdigest() + f"@{p.stat().st_mtime_ns}"
            )
    return out
