"""One partner file -> the rows of the canonical table, with the findings of reading it.

Steps: pick the sheet and the header row, resolve the YAML mapping to columns (numbered
groups of minor columns for per-application layouts), classify the rows (data, empty,
totals/notes at the bottom), expand per-application rows into one row per minor, parse each
mapped field by its kind, and note what could not be read.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.config.models import PartnerConfig
from conciliare_cli.errors import MappingError, UserError
from conciliare_cli.fields import MINOR_SLOT, SOURCE_ROW, Field, Kind
from conciliare_cli.findings import make_findings
from conciliare_cli.read import guard, notdeclared, sources
from conciliare_cli.read.clean import clean_uniques, without_invisible
from conciliare_cli.read.fieldparse import FINDING_FRAME, parse_field
from conciliare_cli.read.filldown import blank_masks, continue_rows
from conciliare_cli.read.sources import Grid, normalise_header
from conciliare_cli.read.values import (
    blank_uniques,
    cell_text,
    clean_text,
    factorize,
)

SLOT = "{n}"
MAX_SLOTS = 50
# Words of a totals or notes row at the bottom of a sheet.
TOTALS_WORDS = re.compile(
    r"(?i)\b(tot(?:ale|ali)?|subtotale|somma|nota|note|n\.\s?b\.?|legenda|firma|timbro)\b"
)


@dataclass
class FieldColumns:
    """A mapped field resolved to the columns of one file: per slot, one column per header."""

    name: str
    kind: Kind
    templated: bool
    columns: dict[int, list[int]]  # slot (1.. ) -> column indices, one per YAML header
    labels: dict[int, str]  # slot -> the headers as in the file, joined with ' + '


@dataclass
class TableRead:
    """What one file contributes: canonical rows (mapped fields, provenance), findings."""

    rel: str
    sheet: str
    frame: pd.DataFrame
    file_findings: pd.DataFrame  # FINDING_COLUMNS, no application_id / row_key
    value_findings: pd.DataFrame  # code, pos (row of frame), column, field, value
    rows_read: int
    ignored_rows: int
    unused_columns: list[str] = field(default_factory=list)
    blank: dict[str, np.ndarray] = field(default_factory=dict)  # application cells left empty


def _as_list(v: str | list[str]) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


def expected_headers(partner: PartnerConfig) -> set[str]:
    """Normalised headers the mapping needs, {n} read as 1 (for finding the header row)."""
    return {
        normalise_header(h.replace(SLOT, "1"))
        for hs in partner.columns.values()
        for h in _as_list(hs)
    }


# ------------------------------------------------------------------ sheet and header


def _at(sheet: str, row: int | None = None) -> str:
    """Where in the file, for messages: "foglio 'Dati', riga 3: " (no sheet for CSV)."""
    parts = ([f"foglio '{sheet}'"] if sheet else []) + ([f"riga {row}"] if row else [])
    return ", ".join(parts) + ": " if parts else ""


def choose_grid(path: Path, rel: str, partner: PartnerConfig) -> tuple[Grid, int]:
    """The grid to read and the index of its header row within the grid."""
    grid, idx = _choose_grid(path, rel, partner)
    if partner.header_row is not None and not 0 <= idx < len(grid.cells):
        raise UserError(
            f"{_at(grid.sheet)}la riga d'intestazione {partner.header_row} indicata "
            "in bando.yaml è vuota o fuori dai dati",
            file=rel,
            hint=f"correggi 'header_row' del partner {partner.id}, o toglilo: viene cercata",
        )
    return grid, idx


def _choose_grid(path: Path, rel: str, partner: PartnerConfig) -> tuple[Grid, int]:
    expected = expected_headers(partner)
    if path.suffix.lower() in sources.TEXT_SUFFIXES:
        return _csv_choice(path, rel, partner, expected)
    wb = sources.open_workbook(path, rel)
    try:
        names = sources.worksheet_names(wb)
        if partner.sheet is not None:
            if partner.sheet not in names:
                near = sources.nearest(partner.sheet, names)
                raise UserError(
                    f"il foglio '{partner.sheet}' non esiste; fogli presenti: "
                    + ", ".join(f"'{n}'" for n in names),
                    file=rel,
                    hint=(f"forse '{near}'? " if near else "")
                    + f"correggi 'sheet' del partner {partner.id} in bando.yaml",
                )
            candidates = [partner.sheet]
        else:
            candidates = names
        best: tuple[int, Grid, int] | None = None
        for name in candidates:
            grid = sources.sheet_grid(wb, name, rel, path)
            idx, count = _header_index(grid, partner, expected, rel)
            if count == len(expected):
                return grid, idx
            if best is None or count > best[0]:
                best = (count, grid, idx)
    finally:
        wb.close()
    assert best is not None
    count, grid, idx = best
    if count == 0 and partner.header_row is None:
        raise UserError(
            "nessun foglio contiene le intestazioni attese ("
            + ", ".join(f"'{h}'" for hs in partner.columns.values() for h in _as_list(hs))
            + "); fogli presenti: "
            + ", ".join(f"'{n}'" for n in names),
            file=rel,
            hint=f"controlla 'columns' del partner {partner.id} in bando.yaml",
        )
    return grid, idx  # resolve_columns() names the missing headers


def _header_index(
    grid: Grid, partner: PartnerConfig, expected: set[str], rel: str
) -> tuple[int, int]:
    if partner.header_row is not None:
        idx = partner.header_row - grid.first_row
        if idx < 0 or idx >= len(grid.cells):
            row: list[object] = []
        else:
            row = grid.cells.iloc[idx].tolist()
        found = {normalise_header(v) for v in row} & expected
        return idx, len(found)
    idx, count = sources.find_header(grid.head(), expected)
    return idx, count


def _csv_choice(
    path: Path, rel: str, partner: PartnerConfig, expected: set[str]
) -> tuple[Grid, int]:
    delimiter = partner.delimiter
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise UserError(
                f"separatore '{partner.delimiter}' non valido: deve essere un solo carattere",
                file=rel,
                hint="ad esempio ';' o ','; per la tabulazione scrivi 'tab'",
            )
    guard.check_size(path, rel)
    data = path.read_bytes()
    shape = guard.check_csv(data, rel)
    encoding = partner.encoding or sources.detect_encoding(data)
    text, encoding = sources.decode(data, encoding, rel)
    lines = sources.sample_lines(text)
    delimiter = delimiter or sources.detect_delimiter(lines, expected, rel)
    sample = sources.split_sample(lines, delimiter, rel)
    width = max((len(r) for r in sample), default=1)
    grid = sources.csv_grid(text, delimiter, width, rel, data, encoding, shape)
    return grid, _header_index(grid, partner, expected, rel)[0]


# ------------------------------------------------------------------ mapping


def resolve_columns(
    grid: Grid, header_idx: int, partner: PartnerConfig, fields: dict[str, Field], rel: str
) -> tuple[list[FieldColumns], list[int]]:
    """Each mapped field's columns, and the slots (1..) of the minor groups found."""
    if header_idx < 0:  # nothing matched: show the first row with something in it
        header_idx = next(
            (i for i, row in enumerate(grid.head()) if any(normalise_header(v) for v in row)), -1
        )
    header_row_number = grid.row_number(header_idx)
    headers = [] if header_idx < 0 else grid.cells.iloc[header_idx].tolist()
    index: dict[str, list[int]] = {}
    for j, v in enumerate(headers):
        key = normalise_header(v)
        if key:
            index.setdefault(key, []).append(j)
    shown = [clean_text(without_invisible(cell_text(v))) for v in headers]

    def lookup(header: str) -> int | None:
        cols = index.get(normalise_header(header), [])
        if len(cols) > 1:
            letters = ", ".join(sources.column_letter(grid.first_col + c) for c in cols)
            raise UserError(
                f"{_at(grid.sheet, header_row_number)}l'intestazione "
                f"'{header}' compare in più colonne ({letters})",
                file=rel,
                hint="rinomina una delle colonne nel file, o indica l'altra in bando.yaml",
            )
        return cols[0] if cols else None

    missing: list[tuple[str, str]] = []
    templates = {
        name: [h for h in _as_list(hs) if SLOT in h] for name, hs in partner.columns.items()
    }
    slots = [1]
    if any(templates.values()):
        for n in range(2, MAX_SLOTS + 1):
            wanted = [(name, h.replace(SLOT, str(n))) for name, hs in templates.items() for h in hs]
            present = [lookup(h) is not None for _, h in wanted]
            if not any(present):
                break
            if not all(present):
                absent = [h for (_, h), p in zip(wanted, present, strict=True) if not p]
                raise UserError(
                    f"{_at(grid.sheet, header_row_number)}il gruppo di "
                    f"colonne del figlio {n} è incompleto, manca "
                    + ", ".join(f"'{h}'" for h in absent),
                    file=rel,
                    hint="ogni figlio deve avere le stesse colonne del figlio 1",
                )
            slots.append(n)

    resolved: list[FieldColumns] = []
    for name, hs in partner.columns.items():
        if name not in fields:
            raise UserError(f"campo sconosciuto '{name}' nelle colonne del partner {partner.id}")
        header_list = _as_list(hs)
        templated = any(SLOT in h for h in header_list)
        columns: dict[int, list[int]] = {}
        labels: dict[int, str] = {}
        for n in slots:
            cols: list[int] = []
            for h in header_list:
                c = lookup(h.replace(SLOT, str(n)))
                if c is None:
                    if n == 1:
                        missing.append((name, h.replace(SLOT, "1")))
                    continue
                cols.append(c)
            columns[n] = cols
            labels[n] = " + ".join(shown[c] for c in cols)
        resolved.append(FieldColumns(name, fields[name].kind, templated, columns, labels))

    if missing:
        found = [s for s in shown if s]
        lines = []
        for name, h in missing:
            near = sources.nearest(h, found)
            guess = f"; forse '{near}'?" if near else ""
            lines.append(f"manca la colonna '{h}' (campo {name}{guess})")
        raise MappingError(
            _at(grid.sheet, header_row_number)
            + "; ".join(lines)
            + ". Intestazioni trovate: "
            + (", ".join(f"'{s}'" for s in found) or "nessuna"),
            fields=[name for name, _h in missing],
            file=rel,
            hint=f"correggi 'columns' del partner {partner.id} in bando.yaml o l'intestazione "
            "nel file" + ("" if partner.header_row is None else " (e controlla 'header_row')"),
        )
    return resolved, slots


# ------------------------------------------------------------------ rows


def read_table(
    path: Path,
    rel: str,
    partner: PartnerConfig,
    fields: dict[str, Field],
    not_declared: frozenset[str] = frozenset(),
) -> TableRead:
    grid, header_idx = choose_grid(path, rel, partner)
    resolved, slots = resolve_columns(grid, header_idx, partner, fields, rel)
    cells = grid.cells
    header_number = grid.row_number(header_idx)
    sources.fill_merged(grid, below=header_idx)
    data = cells.iloc[header_idx + 1 :]
    n_rows, width = data.shape
    row_numbers = grid.row_numbers()[header_idx + 1 :]
    coded = [factorize(data[c]) for c in data.columns]
    blank = (
        np.column_stack(
            [np.append(blank_uniques(clean_uniques(u)), True)[codes] for codes, u in coded]
        )
        if n_rows and width
        else np.ones((n_rows, width), dtype=bool)
    )
    row_empty = blank.all(axis=1) if width else np.ones(n_rows, dtype=bool)

    used = sorted({c for fc in resolved for cols in fc.columns.values() for c in cols})
    as_written = coded
    coded, undeclared = notdeclared.screen_columns(coded, used, not_declared)
    tax_cols = sorted(
        {c for fc in resolved if fc.kind is Kind.TAX_CODE for cs in fc.columns.values() for c in cs}
    )
    totals = _totals_rows(data, blank, row_empty, tax_cols, len(used))
    app_rows = ~row_empty & ~totals
    app_idx = np.flatnonzero(app_rows)
    last_app = app_idx[-1] if len(app_idx) else -1
    empty_reported = row_empty & (np.arange(n_rows) < last_app)

    base = {"partner_id": partner.id, "source_file": rel, "source_sheet": grid.sheet}
    file_findings = [
        make_findings(
            "RIGA_VUOTA_IGNORATA",
            pd.DataFrame({"source_row": row_numbers[empty_reported]}),
            **base,
        ),
        make_findings(
            "RIGA_TOTALI_IGNORATA",
            pd.DataFrame(
                {
                    "source_row": row_numbers[totals],
                    "detail": [_row_summary(data.iloc[i]) for i in np.flatnonzero(totals)],
                }
            ),
            **base,
        ),
    ]
    headers = cells.iloc[header_idx].tolist() if header_idx >= 0 else [""] * width
    shown = [clean_text(without_invisible(cell_text(v))) for v in headers]
    unused = [j for j, s in enumerate(shown) if s and j not in set(used)]
    headless = [
        j for j, s in enumerate(shown) if not s and len(app_idx) and (~blank[app_idx, j]).any()
    ]
    file_findings.append(
        make_findings(
            "COLONNA_NON_USATA",
            pd.DataFrame({"column": [shown[j] for j in unused], "source_row": header_number}),
            **base,
        )
    )
    file_findings.append(
        make_findings(
            "COLONNA_VUOTA_IGNORATA",
            pd.DataFrame(
                {
                    "column": [sources.column_letter(grid.first_col + j) for j in headless],
                    "source_row": header_number,
                }
            ),
            **base,
        )
    )

    row_pos, slot = _expand_slots(resolved, slots, blank, app_idx)
    frame: dict[str, object] = {}
    value_findings: list[pd.DataFrame] = []
    for fc in resolved:
        parts = [_gather(coded, fc, k, slots, row_pos, slot) for k in range(len(fc.columns[1]))]
        read = parse_field(fc.name, fc.kind, parts, functools.partial(_labels, fc, slot))
        frame[fc.name] = read.values
        value_findings += read.findings
    out = pd.DataFrame(frame, index=range(len(row_pos)))
    out[SOURCE_ROW] = pd.array(row_numbers[row_pos], dtype="Int64")
    out[MINOR_SLOT] = pd.array(slot, dtype="Int64")
    value_findings += notdeclared.findings(undeclared, as_written, resolved, row_pos, slot)
    if len(slots) == 1 and not partner.per_application:  # one row per minor: fill down
        rows = row_numbers[row_pos]
        ambiguous = continue_rows(out, resolved, fields, blank[row_pos], rows)
        if len(ambiguous):
            value_findings.append(ambiguous)
    return TableRead(
        rel=rel,
        sheet=grid.sheet,
        frame=out,
        file_findings=pd.concat([f for f in file_findings if len(f)] or [file_findings[0]]),
        value_findings=(
            pd.concat(value_findings, ignore_index=True)
            if value_findings
            else pd.DataFrame(columns=FINDING_FRAME)
        ),
        rows_read=len(app_idx),
        ignored_rows=int(empty_reported.sum() + totals.sum()),
        unused_columns=[shown[j] for j in unused],
        blank=blank_masks(resolved, fields, blank[row_pos]),
    )


def _gather(
    coded: list[tuple[np.ndarray, np.ndarray]],
    fc: FieldColumns,
    k: int,
    slots: list[int],
    row_pos: np.ndarray,
    slot: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Codes and uniques of part k of a field over the canonical rows (slots combined)."""
    cols = sorted({fc.columns[n][k] for n in slots})
    if len(cols) == 1:
        codes, uniques = coded[cols[0]]
        return codes[row_pos], uniques
    offsets, total = {}, 0
    for j in cols:
        offsets[j] = total
        total += len(coded[j][1])
    uniques = np.concatenate([coded[j][1] for j in cols])
    out = np.full(len(row_pos), -1, dtype=np.int64)
    for n in slots:
        m = slot == n
        if m.any():
            j = fc.columns[n][k]
            c = coded[j][0][row_pos[m]]
            out[m] = np.where(c >= 0, c + offsets[j], -1)
    return out, uniques


def _labels(fc: FieldColumns, slot: np.ndarray) -> np.ndarray:
    if len(fc.labels) == 1:
        return np.full(len(slot), fc.labels[1], dtype=object)
    keys = np.array(sorted(fc.labels), dtype=np.int64)
    values = np.array([fc.labels[k] for k in sorted(fc.labels)], dtype=object)
    return values[np.searchsorted(keys, slot)]


def _expand_slots(
    resolved: list[FieldColumns], slots: list[int], blank: np.ndarray, app_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Data rows x minor groups -> (row index in the data, slot) of each canonical row.

    A group whose minor columns are all empty is not a minor; a row with no filled group
    keeps group 1 (so an application is never dropped: validation reports what is missing).
    """
    if len(slots) == 1:
        return app_idx, np.ones(len(app_idx), dtype=np.int64)
    rows, slot_parts = [], []
    any_kept = np.zeros(len(app_idx), dtype=bool)
    kept_by_slot = {}
    for n in slots:
        group = sorted({c for fc in resolved if fc.templated for c in fc.columns[n]})
        kept = (~blank[np.ix_(app_idx, group)]).any(axis=1) if group else np.ones_like(any_kept)
        kept_by_slot[n] = kept
        any_kept |= kept
    kept_by_slot[1] = kept_by_slot[1] | ~any_kept
    for n in slots:
        rows.append(app_idx[kept_by_slot[n]])
        slot_parts.append(np.full(int(kept_by_slot[n].sum()), n, dtype=np.int64))
    row_pos = np.concatenate(rows)
    slot = np.concatenate(slot_parts)
    order = np.lexsort((slot, row_pos))
    return row_pos[order], slot[order]


def _totals_rows(
    data: pd.DataFrame,
    blank: np.ndarray,
    row_empty: np.ndarray,
    tax_cols: list[int],
    n_used: int,
) -> np.ndarray:
    """Rows at the bottom with no tax code that read as totals or notes.

    From the last row up, a non-empty row with no value in any tax code column is a totals
    or notes row when it has a word like 'Totale' or 'Note', or holds only a few cells
    (a sum, a note text); the first row that is not stops the search.
    """
    totals = np.zeros(len(row_empty), dtype=bool)
    if not tax_cols:
        return totals
    has_tax = (~blank[:, tax_cols]).any(axis=1)
    few = max(2, n_used // 4)
    for i in np.flatnonzero(~row_empty)[::-1]:
        if has_tax[i]:
            break
        texts = [cell_text(v) for v in data.iloc[i].tolist()]
        if any(TOTALS_WORDS.search(t) for t in texts) or int((~blank[i]).sum()) <= few:
            totals[i] = True
        else:
            break
    return totals


def _row_summary(row: pd.Series, limit: int = 80) -> str:
    text = " | ".join(t for t in (clean_text(cell_text(v)) for v in row.tolist()) if t)
    return text if len(text) <= limit else text[: limit - 1] + "…"
