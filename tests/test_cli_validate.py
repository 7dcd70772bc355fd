"""`conciliare validate DIR` end to end on a small call folder written in tmp_path."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import openpyxl
import pytest
from codicefiscale import codicefiscale as cfgen
from rich.console import Console
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.commands.validate import summary_table
from conciliare_cli.config import load_call
from conciliare_cli.findings import CATALOGUE
from conciliare_cli.validate import validate_call

RULES = Path(__file__).resolve().parent.parent / "rules" / "conciliare-2017.yaml"


def cf(surname: str, name: str, born: str, gender: str = "M") -> str:
    return cfgen.encode(
        lastname=surname, firstname=name, gender=gender, birthdate=born, birthplace="Crema"
    )


PARENT = cf("Rossi", "Paolo", "01/02/1980")
PARENT2 = cf("Bianchi", "Laura", "03/04/1982", "F")
PARENT3 = cf("Verdi", "Ugo", "05/06/1978")
PARENT4 = cf("Neri", "Ada", "07/08/1985", "F")
CHILD = cf("Rossi", "Marco", "15/03/2012")
CHILD2 = cf("Rossi", "Giulia", "20/07/2014", "F")
CHILD3 = cf("Verdi", "Luca", "05/05/2009")
CHILD4 = cf("Neri", "Sara", "01/01/2010", "F")
CHILD5 = cf("Bianchi", "Elena", "11/11/2015", "F")
BAD_CHILD3 = CHILD3[:-1] + ("A" if CHILD3[-1] != "A" else "B")

PARTNERS_YAML = """partners:
  - id: ASST
    name: "ASST di Crema"
    files: "partner/asst*.csv"
    columns:
      application_id: "Protocollo"
      submitted_at: "Data presentazione"
      applicant_surname: "Cognome"
      applicant_name: "Nome"
      applicant_tax_code: "Codice fiscale"
      isee: "ISEE"
      minor_tax_code: "CF minore"
      minor_birth_date: "Data nascita minore"
      requested_eur: "Costo"
  - id: COMUNE
    name: "Comune di Crema"
    files: "partner/comune*.xlsx"
    columns:
      submitted_at: "Inviata il"
      applicant_tax_code: "CF genitore"
      isee: "ISEE"
      minor_tax_code: "CF figlio {n}"
      minor_birth_date: "Nato il {n}"
"""

ASST_HEADER = ";".join(
    [
        "Protocollo",
        "Data presentazione",
        "Cognome",
        "Nome",
        "Codice fiscale",
        "ISEE",
        "CF minore",
        "Data nascita minore",
        "Costo",
        "Note",
    ]
)
ASST_CSV = f"""{ASST_HEADER}
1;15/06/2017 10:30;Rossi;Paolo;{PARENT};12.000,00;{CHILD};15/03/2012;300;
1;15/06/2017 10:30;Rossi;Paolo;{PARENT};12.000,00;{CHILD2};20/07/2014;250;chiede il centro estivo
2;16/06/2017 09:00;Verdi;Ugo;{PARENT3};-5;{BAD_CHILD3};05/05/2009;300;
3;31/02/2017;Neri;Ada;{PARENT4};8000;{CHILD4};01/01/2011;300;
"""


def write_call(folder: Path, partners_yaml: str = PARTNERS_YAML) -> Path:
    (folder / "partner").mkdir(parents=True)
    rules = RULES.read_text(encoding="utf-8")
    assert "\npartners: []\n" in rules
    (folder / "bando.yaml").write_text(
        rules.replace("\npartners: []\n", "\n" + partners_yaml), encoding="utf-8"
    )
    (folder / "partner" / "asst.csv").write_text(ASST_CSV, encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Domande"
    ws.append(
        [
            "Inviata il",
            "CF genitore",
            "ISEE",
            "CF figlio 1",
            "Nato il 1",
            "CF figlio 2",
            "Nato il 2",
        ]
    )
    ws.append(
        [
            dt.datetime(2017, 6, 20, 11, 0),
            PARENT2,
            15000,
            CHILD,
            dt.datetime(2012, 3, 15),
            CHILD5,
            dt.datetime(2015, 11, 11),
        ]
    )
    wb.save(folder / "partner" / "comune.xlsx")
    return folder


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((folder / "partner").rglob("*"))
        if p.is_file()
    }


def codes_in(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    found = set()
    for ws in wb.worksheets:
        if ws.title.lower().startswith("legenda"):
            continue  # the legend lists every code
        for row in ws.iter_rows(values_only=True):
            found.update(str(v) for v in row if isinstance(v, str) and v in CATALOGUE)
    wb.close()
    return found


EXPECTED = {
    "CF_NON_VALIDO",
    "ISEE_NEGATIVO",
    "DATA_NON_LEGGIBILE",
    "CF_DATA_NASCITA_DIVERSA",
    "MINORE_IN_PIU_DOMANDE",
    "COLONNA_NON_USATA",
}


def test_validate_writes_the_anomalies_and_exits_zero(tmp_path):
    folder = write_call(tmp_path / "bando")
    before = hashes(folder)
    result = CliRunner().invoke(
        app, ["validate", str(folder), "--date", "2017-09-15"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ASST" in out and "COMUNE" in out and "Totale" in out
    assert "Note" in out  # the unused column is listed
    assert "Traceback" not in out
    general = folder / "esiti" / "anomalie.xlsx"
    assert general.exists()
    assert codes_in(general) >= EXPECTED
    per_partner = folder / "esiti" / "anomalie"
    assert (per_partner / "ASST.xlsx").exists() and (per_partner / "COMUNE.xlsx").exists()
    assert "ISEE_NEGATIVO" in codes_in(per_partner / "ASST.xlsx")
    assert "ISEE_NEGATIVO" not in codes_in(per_partner / "COMUNE.xlsx")
    assert hashes(folder) == before  # inputs never modified


def test_validate_out_option(tmp_path):
    folder = write_call(tmp_path / "bando")
    target = tmp_path / "altrove"
    result = CliRunner().invoke(app, ["validate", str(folder), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "anomalie.xlsx").exists()
    assert not (folder / "esiti").exists()


def test_summary_counts(tmp_path):
    folder = write_call(tmp_path / "bando")
    read, findings = validate_call(load_call(folder))
    console = Console(file=io.StringIO(), width=200)
    console.print(summary_table(read.partners, findings))
    text = console.file.getvalue()
    lines = {ln.split()[1]: ln for ln in text.splitlines() if ln.startswith("│")}

    def numbers(key: str, after: str) -> list[int]:
        return [int(n) for n in re.findall(r"\b\d+\b", lines[key].split(after)[-1])]

    # rows read, applications, minors, ignored rows, blocking, warnings
    blocking = int((findings["severity"] == "BLOCCANTE").sum())
    warnings = int((findings["severity"] == "AVVISO").sum())
    assert numbers("ASST", "ASST di Crema") == [4, 3, 4, 0, 3, 3]
    assert numbers("COMUNE", "Comune di Crema") == [1, 1, 2, 0, 0, 1]
    assert numbers("Totale", "Totale") == [5, 4, 6, 0, blocking, warnings]
    assert (blocking, warnings) == (3, 4)


def test_validate_call_library_function(tmp_path):
    folder = write_call(tmp_path / "bando")
    seen: list[Path] = []
    read, findings = validate_call(load_call(folder), on_file=seen.append)
    assert len(seen) == 2
    assert len(read.minors) == 6
    assert set(findings["code"]) >= EXPECTED
    # the unreadable date is reported once, by the reader: no "missing" finding on that cell
    assert "CAMPO_OBBLIGATORIO_MANCANTE" not in set(findings["code"])
    assert read.minors["minor_birth_date"].notna().all()
    # the same minor in both partners, on both occurrences
    dup = findings[findings["code"] == "MINORE_IN_PIU_DOMANDE"]
    assert set(dup["partner_id"]) == {"ASST", "COMUNE"}
    # sorted by partner, file, sheet, row
    keys = list(zip(findings["partner_id"], findings["source_file"], strict=True))
    assert keys == sorted(keys)


def test_wrong_mapping_is_a_user_error_without_traceback(tmp_path):
    folder = write_call(
        tmp_path / "bando", PARTNERS_YAML.replace('"CF minore"', '"CF del bambino"')
    )
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert "asst.csv" in result.output
    assert "CF del bambino" in result.output
    assert "Errore" in result.output
    assert "Traceback" not in result.output
    assert not (folder / "esiti").exists()


def test_debug_shows_the_traceback(tmp_path):
    folder = write_call(
        tmp_path / "bando", PARTNERS_YAML.replace('"CF minore"', '"CF del bambino"')
    )
    result = CliRunner().invoke(app, ["--debug", "validate", str(folder)])
    assert result.exit_code == 2
    assert "Traceback" in result.output


def test_bad_date_option(tmp_path):
    folder = write_call(tmp_path / "bando")
    result = CliRunner().invoke(app, ["validate", str(folder), "--date", "15/09/2017"])
    assert result.exit_code == 2
    assert "--data" in result.output and "Traceback" not in result.output


def test_missing_folder(tmp_path):
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "nessuno")])
    assert result.exit_code == 2
    assert "non esiste" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args", [["validate", "--help"]])
def test_help_is_italian(args):
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Cartella del bando" in result.output and "anomalie" in result.output
