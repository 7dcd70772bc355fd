"""The coordinator's usual mistakes in the istruttoria, caught with one clear message each
(issue 10): corrections that name what is not there, a number written the Italian way in a
rule, mapping errors of several partners reported in one run. Each on a copy of the example
call, through the CLI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.records import CORRECTIONS_HEADERS

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"
runner = CliRunner()


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "bando"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("esiti", "correzioni.xlsx"))
    return target


def _validate(folder: Path):
    return runner.invoke(app, ["validate", str(folder), "--out", str(folder / "esiti")])


def _corrections(folder: Path, rows: list[dict[str, str]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    keys = list(CORRECTIONS_HEADERS)
    ws.append([CORRECTIONS_HEADERS[k] for k in keys])
    for row in rows:
        ws.append([row.get(k, "") for k in keys])
    wb.save(folder / "correzioni.xlsx")


def _text(result) -> str:
    return re.sub(r"\s+", " ", result.output)


def test_corrections_that_name_what_is_not_there_are_one_error_naming_each_row(folder):
    _corrections(
        folder,
        [
            {"application": "ASST-PG2017-0072", "field": "ISEE", "value": "8.500,00"},  # fine
            {"application": "ASST-PG2017-9999", "field": "ISEE", "value": "8.500,00"},
            {"application": "ASST-PG2017-0072", "field": "Colore preferito", "value": "blu"},
            {"application": "ASST-PG2017-0072", "minor": "7", "field": "Disabilità", "value": "sì"},
            {"application": "ASST-PG2017-0072", "field": "ISEE", "value": "ottomila"},
        ],
    )
    result = _validate(folder)
    text = _text(result)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "correzioni.xlsx" in text
    for row in (3, 4, 5, 6):
        assert f"riga {row}:" in text, (row, text)
    assert "riga 2:" not in text  # the good row is not reported
    assert "ASST-PG2017-9999" in text
    assert not (folder / "esiti" / "anomalie.xlsx").exists()  # nothing written on an error


def test_a_correction_is_applied_and_recorded_without_touching_the_partner_file(folder):
    partner = folder / "partner" / "ASST_domande_2017.xlsx"
    before = partner.read_bytes()
    _corrections(
        folder,
        [
            {
                "application": "ASST-PG2017-0072",
                "field": "Componenti nucleo",
                "value": "3",
                "reason": "risposta della famiglia",
                "request": "prot. 1/2017",
                "reply": "prot. 2/2017",
                "date": "04/09/2017",
            }
        ],
    )
    result = _validate(folder)
    assert result.exit_code == 0, result.output
    assert "1 correzione applicata" in _text(result) or "correzioni applicate" in _text(result)
    assert partner.read_bytes() == before
    wb = openpyxl.load_workbook(folder / "esiti" / "anomalie.xlsx", read_only=True)
    assert "Correzioni" in wb.sheetnames
    cells = [v for r in wb["Correzioni"].iter_rows(values_only=True) for v in r if v]
    assert "ASST-PG2017-0072" in cells and "prot. 1/2017" in cells


def test_a_number_written_the_italian_way_in_a_rule_is_an_error_with_the_fix(folder):
    bando = folder / "bando.yaml"
    bando.write_text(
        bando.read_text(encoding="utf-8").replace('"isee <= 35000"', '"isee <= 35.000"'),
        encoding="utf-8",
    )
    result = _validate(folder)
    text = _text(result)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "bando.yaml" in text and "35000" in text


def test_mapping_errors_of_every_partner_in_one_run_each_with_its_line(folder):
    bando = folder / "bando.yaml"
    lines = bando.read_text(encoding="utf-8").splitlines(keepends=True)
    # ASST's "Componenti nucleo" (line 67) and COOP's cost column "Costo" (line 139)
    assert "Componenti nucleo" in lines[66] and "Costo" in lines[138]
    lines[66] = lines[66].replace("Componenti nucleo", "Numero componenti del nucleo")
    lines[138] = lines[138].replace('"Costo"', '"Costo del servizio"')
    bando.write_text("".join(lines), encoding="utf-8")
    result = _validate(folder)
    text = _text(result)
    assert result.exit_code == 2, result.output
    assert "Numero componenti del nucleo" in text and "Costo del servizio" in text
    assert "riga 67" in text and "riga 139" in text, text
