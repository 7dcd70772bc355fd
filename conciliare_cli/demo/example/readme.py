"""The example's README: what the call holds, the partner files and the planted cases.

Its two tables are read back by tests/test_example_call.py (the rows come from the layout),
so the README, the files and the test cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from conciliare_cli.demo.example.builder import Plant
from conciliare_cli.demo.example.partners import PARTNERS
from conciliare_cli.demo.spreadsheets import write_text

_INTRO = [
    "# The example call: Conciliare le responsabilità 2017",
    "",
    "A complete call folder with invented people (valid tax codes, made with",
    "python-codicefiscale): `bando.yaml` (the shipped rules `rules/conciliare-2017.yaml`",
    "plus the `partners:` section) and the exports of six partners, each in its own",
    "format, with the defects a real call meets planted in known places.",
    "",
    "```",
    "conciliare validate examples/conciliare-2017",
    "conciliare rank examples/conciliare-2017",
    "```",
    "",
    "Regenerate it with `python bench/make_example.py` (needs `pip install xlwt odfpy`,",
    "only for writing the .xls and .ods files). The tables below are written by that",
    "script and read by `tests/test_example_call.py`: the test fails when the validator",
    "misses a planted case or reports a blocking finding anywhere else.",
    "",
    "## What the outputs look like",
    "",
    "The first page of `graduatoria.xlsx` as a committee prints it (LibreOffice, A4",
    "landscape; the committee signs the last page of the sheet) and of the public list",
    "`graduatoria-pubblica.pdf`, from `conciliare rank examples/conciliare-2017 --data",
    "2017-09-15`. Regenerate the pictures with `python bench/screenshots.py` (needs",
    "LibreOffice Calc, the Carlito font and poppler-utils).",
    "",
    "![graduatoria.xlsx, first page](img/graduatoria.png)",
    "",
    "![graduatoria-pubblica.pdf, first page](img/graduatoria-pubblica.png)",
    "",
]
_PLANTS_HEAD = [
    "",
    "## Planted cases",
    "",
    "Row is the row number as Excel (or a text editor, for CSV) shows it; `—` means the",
    "whole file. `Checked by` says which stage must report the code: `validate` (a",
    "finding, see the codes in the main README), `rank` (the exclusion reason in the",
    "graduatoria), `letters` (no code: the letter must show the text as it is).",
    "",
    "| # | Partner | File | Row | Column | What is planted | Code | Checked by |",
    "|---|---|---|---|---|---|---|---|",
]
_CLOSING = [
    "",
    "Besides these, the files carry variations that must be read correctly, with no",
    "finding: header rows that are not the first, lower-case tax codes with spaces,",
    "trailing spaces in names, dates as date cells, bare Excel serial numbers, ISO text,",
    "dd/mm/yyyy and dd.mm.yyyy, times in their own column, amounts as numbers,",
    "'€ 1.234,56', '1.234,56' and '1234,56', flags SI/NO/Sì, X/blank and 1/0, UTF-8 with",
    "BOM and Windows-1252.",
    "",
]


def write_readme(out: Path, pop: pd.DataFrame, plants: list[Plant]) -> None:
    """README.md of the example in `out`, for the people `pop` and the resolved `plants`."""
    lines = [*_INTRO, *_partner_table(pop), *_PLANTS_HEAD, *_plant_rows(plants), *_CLOSING]
    write_text(out / "README.md", "\n".join(lines))


def _partner_table(pop: pd.DataFrame) -> list[str]:
    lines = [
        f"There are {pop['application_id'].nunique()} applications with {len(pop)} minors: the",
        "funds (144.000 € = 480 vouchers of 300 €) run out, so the graduatoria has funded,",
        "one partly funded, waiting-list and excluded applications.",
        "",
        "## Partner files",
        "",
        "| Partner | Name | File | Format | Applications | Minors | What it exercises |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in PARTNERS:
        part = pop[pop["partner_id"] == p.id]
        lines.append(
            f"| {p.id} | {p.name} | `{p.file}` | {p.kind} | {part['application_id'].nunique()} "
            f"| {len(part)} | {p.description} |"
        )
    return lines


def _plant_rows(plants: list[Plant]) -> list[str]:
    lines = []
    for n, pl in enumerate(plants, start=1):
        what = pl.what.replace("|", "\\|")
        column = pl.column or "—"
        lines.append(
            f"| {n} | {pl.partner} | `{pl.file}` | {pl.row} | {column} | {what} | {pl.code} "
            f"| {pl.by} |"
        )
    return lines
