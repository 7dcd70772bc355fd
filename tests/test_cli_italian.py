"""The command line speaks Italian, also where the parser speaks (issue 13, deliverables 4-5).

Every command's --help and the usual mistakes of an office (a typo in a command or an option, a
missing argument, a bad number, the bando.yaml file instead of its folder, a folder without
bando.yaml, a typo in a partner's file name) give Italian text only, exit 2 for the mistakes,
and no traceback.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.cli_italian import ALIASES

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"
COMMANDS = ["init", "validate", "rank", "explain", "letters", "verify", "demo-data"]

# Words Typer, Click and pydantic write when they are left to speak English.
ENGLISH = re.compile(
    r"\b(Usage|Options|Arguments|Commands|Missing|No such|Invalid|Input should|Error|Try|"
    r"required|default|Possible|Did you mean|Got unexpected|requires an|Show this|"
    r"does not exist|is not a valid)\b|<bool>|<path>|<str>|<int|x>=|\{CARTELLA\}"
)


def run(*args: str, columns: int = 80):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


def assert_italian(text: str) -> None:
    found = ENGLISH.search(text)
    assert found is None, f"English {found.group(0)!r} in:\n{text}"
    assert "Traceback" not in text


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_is_italian(command: str) -> None:
    res = run(*([command] if command else []), "--help")
    assert res.exit_code == 0, res.output
    assert_italian(res.output)
    assert "Uso: conciliare" in res.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_paragraphs_have_no_hard_line_breaks(command: str) -> None:
    """The terminal wraps the help: at 200 columns each paragraph of the description is one
    line (a line break of the source would cut it half way)."""
    help_text = get_command(app).commands[command].help or ""
    for paragraph in help_text.split("\n\n"):
        assert "\n" not in paragraph, paragraph
    wide = run(command, "--help", columns=200).output
    first = help_text.split("\n\n")[0]
    assert first in " ".join(wide.split())


def test_every_argument_is_named_like_the_others() -> None:
    for command in COMMANDS:
        params = get_command(app).commands[command].params
        folders = [p for p in params if p.param_type_name == "argument"]
        assert folders[0].metavar == "CARTELLA", command


def test_options_are_italian_and_english_names_are_documented_aliases() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    english = {"--out", "--date", "--final", "--force", "--format", "--only", "--ids", "--workers"}
    for command in COMMANDS:
        for p in get_command(app).commands[command].params:
            assert not set(p.opts) & english, (command, p.opts)
    for table in ALIASES.values():
        for old, new in table.items():
            assert f"`{old}`" in readme and f"`{new}`" in readme, old


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["rank"], "manca l'argomento CARTELLA"),
        (["rnak", "x"], "comando sconosciuto 'rnak' (forse rank?)"),
        (["rank", "x", "--finale"], "opzione sconosciuta --finale (forse --definitiva"),
        (["rank", "x", "--data"], "l'opzione --data vuole un valore"),
        (["rank", "a", "b", "c"], "argomenti in più non previsti: b c"),
        (["demo-data", "x", "--domande", "0"], "--domande: deve essere almeno 1"),
        (["demo-data", "x", "--domande", "tre"], "--domande: deve essere un numero intero"),
        (["letters", "x", "--processi", "0"], "--processi: deve essere almeno 1"),
        (["explain", "x"], "manca l'argomento DOMANDA"),
        ([], ""),
    ],
)
def test_mistakes_of_the_parser_are_italian(args: list[str], expected: str) -> None:
    res = run(*args)
    assert_italian(res.output)
    if args:
        assert res.exit_code == 2
        assert expected in " ".join(res.output.split())


def test_old_english_names_still_work(tmp_path: Path) -> None:
    res = run("rank", str(tmp_path / "nessuna"), "--final", "--date", "2017-09-15")
    assert res.exit_code == 2
    text = " ".join(res.output.split())  # a long temporary path wraps anywhere
    assert "non esiste" in text  # the options were understood: the folder is the problem


@pytest.mark.parametrize("command", ["validate", "rank", "explain", "letters", "verify"])
def test_the_rules_file_instead_of_its_folder(command: str, tmp_path: Path) -> None:
    args = [command, str(EXAMPLE / "bando.yaml")] + (["X-1"] if command == "explain" else [])
    res = run(*args, "--esiti", str(tmp_path)) if command in ("rank", "verify") else run(*args)
    text = " ".join(res.output.split())
    assert res.exit_code == 2, res.output
    assert "è un file: serve la cartella del bando" in text
    assert f"indicare la cartella che lo contiene: {EXAMPLE}" in text
    assert_italian(res.output)
    assert not any(tmp_path.iterdir())  # nothing was written


def test_a_folder_without_bando_yaml(tmp_path: Path) -> None:
    (tmp_path / "regole.yaml").write_text("call: {}\n", encoding="utf-8")
    res = run("rank", str(tmp_path))
    text = " ".join(res.output.split())
    assert res.exit_code == 2
    assert "non c'è bando.yaml" in text and "file YAML presenti: regole.yaml" in text


def test_a_typo_in_a_partner_file_name_suggests_the_near_names(tmp_path: Path) -> None:
    folder = tmp_path / "bando"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("esiti"))
    rules = folder / "bando.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("coop_il_sorriso.csv", "coop_ilsorriso.csv"),
        encoding="utf-8",
    )
    res = run("rank", str(folder), "--data", "2017-09-15")
    text = " ".join(res.output.split())
    assert res.exit_code == 2
    assert "nessun file corrisponde a 'partner/coop_ilsorriso.csv' (partner COOP)" in text
    assert "forse: partner/coop_il_sorriso.csv" in text
    assert not (folder / "esiti").exists()
