"""Build the example call: people, planted cases, the six partners' files, bando.yaml, the
office's corrections file (the answers of the soccorso istruttorio), its register of events
after the final list (eventi.xlsx) and the README whose tables
give the row of every planted case and what became of it.

    python -m conciliare_cli.demo.example --out examples/conciliare-2017
    python bench/make_example.py                  # the same, into examples/conciliare-2017

Running it twice gives the same bytes (fixed document dates, fixed zip timestamps).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from conciliare_cli.config import load_call
from conciliare_cli.demo.example.answers import write_corrections
from conciliare_cli.demo.example.builder import Builder, Plant
from conciliare_cli.demo.example.layout import Laid, asst_touches, lay_out, mix_si
from conciliare_cli.demo.example.partners import PARTNERS, Partner
from conciliare_cli.demo.example.plants import plant_everything
from conciliare_cli.demo.example.providers_files import SPENDING_YAML, build_spending
from conciliare_cli.demo.example.readme import write_readme
from conciliare_cli.demo.example.register import write_events
from conciliare_cli.demo.example.writers import write_asst, write_ats, write_csv, write_ods
from conciliare_cli.demo.rules import bando_text, partners_yaml
from conciliare_cli.demo.spreadsheets import write_text

BANDO_NOTE = (
    "\n# Le sei esportazioni dell'esempio: ogni partner ha il suo formato e le sue\n"
    "# intestazioni (vedi examples/conciliare-2017/README.md).\npartners:\n"
)


def build(out: Path) -> None:
    """Write the example call into `out` (its partner/ folder is replaced)."""
    b = Builder()
    plant_everything(b)
    for folder in ("partner", "erogatori", "fatture"):
        if (out / folder).exists():
            shutil.rmtree(out / folder)
    (out / "partner").mkdir(parents=True)
    laid_out = {p.id: _write_partner(out, b, p) for p in PARTNERS}
    sections = [(p.id, p.name, p.file, p.style, dict(p.yaml_extra)) for p in PARTNERS]
    text = bando_text(partners_yaml(sections)).replace("\npartners:\n", BANDO_NOTE, 1)
    write_text(out / "bando.yaml", text + SPENDING_YAML)
    load_call(out)
    for plant in b.plants:
        _resolve(plant, laid_out[plant.partner])
    made = write_corrections(out, b)
    write_events(out)
    spending = build_spending(out, b.pop, b.used)
    write_readme(out, b.pop, b.plants, made, spending)


def _write_partner(out: Path, b: Builder, p: Partner) -> Laid:
    laid = lay_out(b, p, spreadsheet=p.kind in ("xlsx", "xls"))
    if p.kind == "xlsx":
        asst_touches(laid)
        write_asst(out / p.file, laid, p)
    elif p.kind == "xls":
        write_ats(out / p.file, laid)
    elif p.kind == "ods":
        write_ods(out / p.file, laid, b, p)
    else:
        if p.id == "COOP":
            mix_si(laid, p)
        write_csv(out / p.file, laid, p)
    return laid


def _resolve(plant: Plant, laid: Laid) -> None:
    """The file and the Excel row(s) of a planted case, for the README."""
    plant.file = next(p.file for p in PARTNERS if p.id == plant.partner)
    if not plant.app:
        if plant.code == "RIGA_VUOTA_IGNORATA":
            plant.row = ", ".join(str(r) for r in laid.blank_rows)
        elif plant.code == "RIGA_TOTALI_IGNORATA":
            plant.row = str(laid.total_row)
        else:
            plant.row = "—"
    elif plant.slot is not None and (plant.app, plant.slot) in laid.row_of:
        plant.row = str(laid.row_of[(plant.app, plant.slot)])
    else:
        plant.row = str(laid.first_row_of[plant.app])


def main(argv: list[str] | None = None, default_out: Path | None = None) -> None:
    """The command line: `--out DIR` (required unless the caller gives a default)."""
    parser = argparse.ArgumentParser(description="Build the example call (xlwt and odfpy needed).")
    parser.add_argument("--out", type=Path, default=default_out, required=default_out is None)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    build(args.out)
    print(f"example call written to {args.out}")
