"""The example's README: what the call holds, the partner files and the planted cases.

Its two tables are read back by tests/test_example_call.py (the rows come from the layout),
so the README, the files and the test cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from conciliare_cli.demo.example.answers import Answer
from conciliare_cli.demo.example.builder import Plant
from conciliare_cli.demo.example.partners import PARTNERS
from conciliare_cli.demo.example.providers_files import SpendingPlant, spending_readme
from conciliare_cli.demo.example.register import readme_section
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
    "| # | Partner | File | Row | Column | What is planted | Code | Checked by "
    "| After the istruttoria |",
    "|---|---|---|---|---|---|---|---|---|",
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


def write_readme(
    out: Path,
    pop: pd.DataFrame,
    plants: list[Plant],
    answers: list[Answer],
    spending: list[SpendingPlant] | None = None,
) -> None:
    """README.md of the example in `out`, for the people `pop`, the resolved `plants`, the
    office's `answers` (correzioni.xlsx) and the planted cases of the invoices (`spending`)."""
    lines = [
        *_INTRO,
        *_partner_table(pop),
        *_PLANTS_HEAD,
        *_plant_rows(plants, answers),
        *_CLOSING,
        *_istruttoria(answers),
        *readme_section(),
        *(spending_readme(spending) if spending else []),
    ]
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


def _plant_rows(plants: list[Plant], answers: list[Answer]) -> list[str]:
    row_of = {id(a.plant): i for i, a in enumerate(answers, start=2)}  # row 1: the headers
    lines = []
    for n, pl in enumerate(plants, start=1):
        what = pl.what.replace("|", "\\|")
        column = pl.column or "—"
        after = _after(pl, row_of.get(id(pl)), answers)
        lines.append(
            f"| {n} | {pl.partner} | `{pl.file}` | {pl.row} | {column} | {what} | {pl.code} "
            f"| {pl.by} | {after} |"
        )
    return lines


def _after(pl: Plant, row: int | None, answers: list[Answer]) -> str:
    """What became of the case: a warning decides nothing; a blocking finding waits for the
    answer on record; a rule excludes on the values read."""
    if pl.by == "rank":
        return f"excluded by the rules ({pl.code})"
    if pl.by == "letters":
        return "—"
    if row is None:
        return AFTER_WARNING.get(pl.code, "warning: decides nothing")
    answer = next(a for a in answers if a.plant is pl)
    if answer.decision == "conferma":
        return f"blocked until confirmed (correzioni.xlsx row {row}); then the rules decide"
    return f"blocked until corrected (correzioni.xlsx row {row}); then ranked"


AFTER_WARNING = {
    "NUMERO_NON_LEGGIBILE": "warning: the field is used by no rule",
    "IMPORTO_NON_LEGGIBILE": "warning: read as no cost stated, the voucher is the cap",
    "MINORE_IN_PIU_DOMANDE": "warning; funded once (MINORE_IN_ALTRA_DOMANDA in the later one)",
    "RICHIEDENTE_DUPLICATO": "warning; the last one counts (DOMANDA_SOSTITUITA)",
}


def _istruttoria(answers: list[Answer]) -> list[str]:
    lines = [
        "## The istruttoria: correzioni.xlsx",
        "",
        "A blocking finding never excludes an application: it stays *da regolarizzare* until",
        "the office has put the defect to the applicant (*soccorso istruttorio*) and recorded",
        "the answer in `correzioni.xlsx`, which `validate` and `rank` apply over the partners'",
        "files (never modified). Without that file the graduatoria has applications",
        "DA_REGOLARIZZARE and `rank --definitiva` refuses; with it every blocking finding is",
        "resolved and the final list can be published. The answers on record:",
        "",
        "| Row | Application | Minor | Field | Decision | Value | Why |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, a in enumerate(answers, start=2):
        minor = "" if a.plant.slot is None else str(a.plant.slot)
        value = a.value or "(as written)"
        lines.append(
            f"| {i} | {a.plant.app} | {minor} | {a.field} | {a.decision} | {value} | {a.reason} |"
        )
    lines.append("")
    return lines
