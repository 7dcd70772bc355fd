"""The worked examples of the README, run through the real tool from a CSV partner file."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from codicefiscale import codicefiscale
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.config import load_call
from conciliare_cli.engine.explanation import explain_application
from conciliare_cli.runs import run

RULES = Path(__file__).resolve().parent.parent / "rules" / "conciliare-2017.yaml"

PARTNER = """partners:
  - id: P
    name: "Partner di prova"
    files: "partner/domande.csv"
    columns:
      application_id: "Protocollo"
      submitted_at: "Data invio"
      applicant_surname: "Cognome"
      applicant_name: "Nome"
      applicant_tax_code: "CF"
      isee: "ISEE"
      single_parent: "Monogenitore"
      minor_tax_code: "CF figlio"
      disability: "L104"
"""

HEADER = [
    "Protocollo",
    "Data invio",
    "Cognome",
    "Nome",
    "CF",
    "ISEE",
    "Monogenitore",
    "CF figlio",
    "L104",
]


def cf(surname: str, name: str, born: dt.date, gender: str = "F") -> str:
    return codicefiscale.encode(
        lastname=surname,
        firstname=name,
        gender=gender,
        birthdate=born.isoformat(),
        birthplace="Crema",
    )


def make_call(tmp_path: Path, rows: list[list[str]], yaml_edit=lambda t: t) -> Path:
    text = RULES.read_text(encoding="utf-8").replace("partners: []", PARTNER)
    (tmp_path / "bando.yaml").write_text(yaml_edit(text), encoding="utf-8")
    (tmp_path / "partner").mkdir()
    with open(tmp_path / "partner" / "domande.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return tmp_path


def applicant(i: int) -> str:
    return cf(f"Rossi{chr(65 + i)}", "Maria", dt.date(1980, 1, 1 + i))


def child(i: int, j: int) -> str:
    return cf(f"Rossi{chr(65 + i)}", f"Bimbo{chr(65 + j)}", dt.date(2010, 1 + j, 1 + i), "M")


def row(protocol: str, i: int, j: int, isee: str, single: str, disability: str) -> list[str]:
    """One CSV row: applicant i's minor j in application `protocol`, submitted 10/07/2017."""
    return [
        protocol,
        "10/07/2017 10:00",
        "Rossi",
        "Maria",
        applicant(i),
        isee,
        single,
        child(i, j),
        disability,
    ]


def test_scoring_worked_example(tmp_path: Path) -> None:
    """ISEE 12.500 €, single parent, one minor with a disability and one without: 29 points."""
    rows = [row("1", 0, 0, "12.500,00", "SI", "SI"), row("1", 0, 1, "12.500,00", "SI", "NO")]
    result = run(make_call(tmp_path, rows))
    unit = result.units.set_index("application_id").loc["P-1"]
    assert unit["crit_disabilita"] == 10
    assert unit["crit_isee"] == 10
    assert unit["crit_monogenitore"] == 5
    assert unit["crit_numero_figli"] == 4
    assert unit["score"] == 29
    text = explain_application(result, "P-1")
    assert "29" in text


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            "partial",
            {
                "P-A": ("FINANZIATA", 60000),
                "P-B": ("FINANZIATA_PARZIALMENTE", 40000),
                "P-C": ("AMMESSA_NON_FINANZIATA", 0),
            },
        ),
        (
            "skip",
            {
                "P-A": ("FINANZIATA", 60000),
                "P-B": ("AMMESSA_NON_FINANZIATA", 0),
                "P-C": ("FINANZIATA", 30000),
            },
        ),
        (
            "stop",
            {
                "P-A": ("FINANZIATA", 60000),
                "P-B": ("AMMESSA_NON_FINANZIATA", 0),
                "P-C": ("AMMESSA_NON_FINANZIATA", 0),
            },
        ),
    ],
)
def test_allocation_worked_example(tmp_path: Path, policy: str, expected: dict) -> None:
    """Funds of 1.000 €, cap 300 €: A (2 minors), B (2 minors), C (1 minor), in this order."""
    isee = {"A": "5000", "B": "15000", "C": "25000"}  # 15, 10 and 5 points: A before B before C
    minors = {"A": 2, "B": 2, "C": 1}
    rows = []
    for i, key in enumerate("ABC"):
        for j in range(minors[key]):
            rows.append(row(key, i, j, isee[key], "NO", "NO"))

    def edit(text: str) -> str:
        text = text.replace("amount_eur: 100000", "amount_eur: 1000")
        text = text.replace("amount_eur: 44000", "amount_eur: 0")
        return text.replace("when_not_fitting: partial", f"when_not_fitting: {policy}")

    folder = make_call(tmp_path, rows, edit)
    assert load_call(folder).config.allocation.when_not_fitting == policy
    result = run(folder)
    units = result.units.set_index("application_id")
    got = {k: (units.loc[k, "status"], int(units.loc[k, "awarded_cents"])) for k in expected}
    assert got == expected
    waiting = units[units["status"] == "AMMESSA_NON_FINANZIATA"]["waiting_position"]
    assert sorted(waiting.astype(int)) == list(range(1, len(waiting) + 1))


def test_rank_command_on_the_worked_example(tmp_path: Path) -> None:
    rows = [row("1", 0, 0, "12.500,00", "SI", "SI")]
    folder = make_call(tmp_path, rows)
    res = CliRunner().invoke(app, ["rank", str(folder), "--date", "2017-09-15"])
    assert res.exit_code == 0, res.output
    lines = (folder / "esiti" / "graduatoria.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("1,P-1,P,")
    assert ",FINANZIATA,300.00,300.00,0.00," in lines[1]
