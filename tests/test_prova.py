"""`conciliare prova DIR`: a call's own worked examples (prove.yaml) checked against its rules,
through the CLI (Typer's CliRunner), and the checks on the cases file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.errors import ConfigError, UserError
from conciliare_cli.trials import check_call, merged

RULES = Path(__file__).resolve().parent.parent / "rules" / "conciliare-2017.yaml"

GOOD = """\
cases:
  - title: "ISEE 12.500, genitore solo, due minori di cui uno con disabilità: 29 punti"
    applications:
      - id: A
        isee: 12500
        single_parent: true
        minors: [{disability: true}, {}]
    expected:
      A: {status: FINANZIATA, score: 29, rank: 1, awarded_eur: 600}

  - title: "ISEE oltre 35.000 euro: esclusa"
    applications:
      - {id: B, isee: 35000.01}
    expected:
      B: {status: ESCLUSA, reasons: [ISEE_OLTRE_SOGLIA], awarded_eur: 0}

  - title: "Fondo di 500 euro (solo per questo caso): la seconda è parzialmente finanziata"
    rules:
      funds: [{id: F, name: "Fondo", amount_eur: 500}]
    applications:
      - {id: C, isee: 5000}
      - {id: D, isee: 9000}
    expected:
      C: {status: FINANZIATA, awarded_eur: 300}
      D: {status: FINANZIATA_PARZIALMENTE, awarded_eur: 200, minors: [{awarded_eur: 200}]}
"""


def call_folder(tmp_path: Path, cases: str) -> Path:
    folder = tmp_path / "bando"
    folder.mkdir()
    shutil.copy(RULES, folder / "bando.yaml")
    (folder / "prove.yaml").write_text(cases, encoding="utf-8")
    return folder


def run(folder: Path, *args: str):
    return CliRunner().invoke(app, ["prova", str(folder), *args], env={"COLUMNS": "200"})


def flat(text: str) -> str:
    """The output with line breaks and runs of spaces as one space (the console may wrap
    long lines at its width, fixed when it was created)."""
    return " ".join(text.split())


def test_cases_that_hold(tmp_path: Path) -> None:
    folder = call_folder(tmp_path, GOOD)
    before = (folder / "bando.yaml").read_bytes()
    result = run(folder)
    assert result.exit_code == 0, result.output
    assert result.output.count("superato") == 3
    assert "Regole confermate: 3 casi su 3 danno l'esito atteso." in flat(result.output)
    assert (folder / "bando.yaml").read_bytes() == before  # inputs never written
    assert not (folder / "esiti").exists()


def test_a_case_the_rules_do_not_give(tmp_path: Path) -> None:
    wrong = GOOD.replace("score: 29", "score: 30").replace("awarded_eur: 200", "awarded_eur: 250")
    result = run(call_folder(tmp_path, wrong))
    assert result.exit_code == 1
    out = flat(result.output)
    assert "NON superato ISEE 12.500, genitore solo" in out
    assert "A score: atteso 30, ottenuto 29" in out
    assert "D awarded_eur: atteso 250, ottenuto 200" in out
    assert "D minore 1 awarded_eur: atteso 250, ottenuto 200" in out
    assert "2 casi su 3 non danno l'esito atteso." in out


def test_a_rule_change_makes_a_case_fail(tmp_path: Path) -> None:
    """The cases test the call's rules: a stricter threshold in bando.yaml is caught."""
    folder = call_folder(tmp_path, GOOD)
    path = folder / "bando.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("isee <= 35000", "isee <= 10000"))
    result = run(folder)
    assert result.exit_code == 1
    assert "A status: atteso FINANZIATA, ottenuto ESCLUSA" in flat(result.output)


def test_another_cases_file(tmp_path: Path) -> None:
    folder = call_folder(tmp_path, "cases: []\n")
    other = tmp_path / "esempi-del-bando.yaml"
    other.write_text(GOOD, encoding="utf-8")
    assert run(folder, "--casi", str(other)).exit_code == 0
    result = run(folder)
    assert result.exit_code == 2
    assert "prove.yaml: atteso 'cases:', una lista di casi" in flat(result.output)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace("isee: 12500", "iseee: 12500"),
            "prove.yaml, riga 2, cases[0]: applications[0] (A): campo sconosciuto 'iseee' "
            "(forse 'isee'?)",
        ),
        (
            GOOD.replace("minors: [{disability: true}, {}]", "disability: true"),
            "applications[0] (A): 'disability' è un dato dei minori (sotto minors:)",
        ),
        (
            GOOD.replace("B: {status: ESCLUSA", "BB: {status: ESCLUSA"),
            "expected.BB: nessuna domanda 'BB' tra le applications (forse 'B'?)",
        ),
        (
            GOOD.replace("status: FINANZIATA, score", "status: FINANZIATO, score"),
            "expected.A: esito sconosciuto 'FINANZIATO' (forse 'FINANZIATA'?)",
        ),
        (GOOD.replace("expected:", "atteso:", 1), "cases[0]: chiave non prevista 'atteso'"),
        ("cases: [", "prove.yaml: il file non è YAML leggibile"),
    ],
)
def test_mistakes_in_the_cases_file(tmp_path: Path, text: str, message: str) -> None:
    result = run(call_folder(tmp_path, text))
    assert result.exit_code == 2
    assert message in flat(result.output)
    assert "Traceback" not in result.output


def test_a_missing_cases_file(tmp_path: Path) -> None:
    folder = call_folder(tmp_path, GOOD)
    (folder / "prove.yaml").unlink()
    with pytest.raises(UserError, match=r"manca il file prove\.yaml"):
        check_call(folder)


def test_invalid_rules_in_a_case_are_reported_as_that_case_failing(tmp_path: Path) -> None:
    bad = GOOD.replace("amount_eur: 500", "amount_eur: cinquecento")
    reports = check_call(call_folder(tmp_path, bad))
    assert [r.passed for r in reports] == [True, True, False]
    assert "regole del caso non valide: funds.0.amount_eur" in reports[2].problems[0]


def test_merging_rules_of_a_case() -> None:
    base = {"voucher": {"cap_eur": 300, "missing_request": "cap"}, "funds": [1, 2]}
    changes = {"voucher": {"cap_eur": None, "steps": [{"step": "cost"}]}, "funds": [3]}
    assert merged(base, changes) == {
        "voucher": {"missing_request": "cap", "steps": [{"step": "cost"}]},
        "funds": [3],
    }
    assert isinstance(ConfigError(["x"]), UserError)


def test_the_readme_example(tmp_path: Path) -> None:
    """The README's prove.yaml, with its deliberate mistake, gives the README's output."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Testing the rules before ranking") :]
    blocks = section.split("```")
    cases = blocks[1].removeprefix("yaml\n").replace("score: 29", "score: 30")
    shown = blocks[3].strip().split("\n", 1)[1]  # without the "$ conciliare prova" line
    result = run(call_folder(tmp_path, cases))
    assert result.exit_code == 1
    assert flat(result.output) == flat(shown)
