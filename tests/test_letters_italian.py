"""Every letter of a generated call of 5,000 applications, read back from the PDF, against a list
of mistakes a family or a lawyer would notice (issue 14): gender, articles before dates,
plurals, field names and codes in the text, broken e-mail addresses, empty slots, sentences
without a verb, one outcome per child."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.demo import generate_call

runner = CliRunner()

# (what a reader would notice, a pattern over the letter's text with its lines joined)
MISTAKES_IN_TEXT = [
    ("a singular noun after 1 in the plural", r"(?<![\d,.])1 (anni|punti|minori|giorni|mesi)\b"),
    ("'il' before 8 or 11", r"\bil (8|11|08|01|0\d)\b"),
    ("an elided article before a day that takes none", r"\bl'(1|[2-79]|1[02-9]|[23]\d)\b"),
    ("a date written 08/06/2017 after an article", r"\b(il|l')\s?\d\d/\d\d/\d{4}"),
    ("a field name", r"\b(applicant|minor)_\w+|\w+_(eur|cents)\b|\bcrit_\w+"),
    ("a Python value", r"\b(None|nan|NaN|NaT|True|False|null)\b"),
    ("a status or reason code", r"\b[A-Z]{3,}_[A-Z_]{3,}\b"),
    ("an empty number", r"\bn\.\s*[,.;:)]|posto n\.\s+(con|della|in)\b"),
    ("an empty date or name", r"\b(del|il|al|presentata)\s*[,.;)]|Gentile (signora? )?,"),
    ("a space before punctuation", r"\s[,;](?=\s)|\(\s|\s\)"),
    ("doubled punctuation", r",\s*,|(?<!\.)\.\s*\.(?!\.)|:\s*\."),
    ("a template left in the text", r"\{\{|\}\}|#[a-z]+\(|\bl\.[a-z_]+\b"),
    ("an unreadable service", r"=[A-Z]+\("),
    ("a renunciation without its verb", r"Rinuncia (?!Se non intende utilizzare)"),
    (
        "the old appeal text",
        r"TAR per la Lombardia|Tribunale Amministrativo Regionale per la Lombardia entro",
    ),
]
# Patterns over single lines of `pdftotext -layout` (a child's row, a bullet).
MISTAKES_IN_LINES = [
    ("a girl in the masculine", r"\(nata [^)]*\).*\b(finanziato|ammesso|indicato|considerato)\b"),
    ("a boy in the feminine", r"\(nato [^)]*\).*\b(finanziata|ammessa|indicata|considerata)\b"),
    ("an e-mail address broken across two lines", r"[\w.+-]+@[\w.-]*-$"),
]


def pdftotext(path: Path, *layout: str) -> str:
    out = subprocess.run(
        ["pdftotext", *layout, str(path), "-"], capture_output=True, check=True, text=True
    )
    return out.stdout


def split_letters(text: str) -> list[str]:
    """The letters of the combined PDF (each begins with the sender and its title)."""
    pages = text.split("\f")
    letters: list[str] = []
    for page in pages:
        if "Oggetto:" in page:
            letters.append(page)
        elif letters and "VOUCHER DI CONCILIAZIONE" not in page:
            letters[-1] += page
    return letters


def problems(letter: str, layout_lines: list[str]) -> list[str]:
    joined = " ".join(letter.replace("\u00ad\n", "").split())
    found = [what for what, pattern in MISTAKES_IN_TEXT if re.search(pattern, joined)]
    for line in layout_lines:
        found += [what for what, pattern in MISTAKES_IN_LINES if re.search(pattern, line.strip())]
    return found


def test_the_list_catches_the_mistakes_it_names():
    bad = [
        "Aurora Moretti (nata il 3 marzo 2015): non ammesso",
        "presentata il 8 giugno 2017, età 1 anni",
        "Rinuncia Entro 15 giorni dal ricevimento, con una e-mail",
        "esito FINANZIATA_PARZIALMENTE, applicant_email",
        "scrivere a conciliazione@asst-",
    ]
    for text in bad:
        assert problems(text, [text]), text
    good = (
        "Gentile signora Maria Rossi, con riferimento alla domanda n. ASST-1, presentata l'8 "
        "giugno 2017 alle ore 10:24, Le comunichiamo che la domanda risulta ammessa, al posto n. "
        "3 con 1 punto. Rinuncia Se non intende utilizzare il voucher, La preghiamo di comunicare "
        "la rinuncia. Aurora Moretti (nata l'11 marzo 2015): non ammessa."
    )
    assert problems(good, ["Aurora Moretti (nata l'11 marzo 2015): non ammessa."]) == []


@pytest.mark.slow
def test_every_letter_of_a_generated_call_of_5000_applications(tmp_path):
    folder = tmp_path / "bando"
    generate_call(folder, 5000, seed=2017)
    ranked = runner.invoke(app, ["rank", str(folder), "--date", "2017-09-15"])
    assert ranked.exit_code == 0, ranked.output
    written = runner.invoke(app, ["letters", str(folder), "--date", "2017-09-15"])
    assert written.exit_code == 0, written.output
    combined = folder / "esiti" / "lettere" / "lettere-tutte.pdf"
    letters = split_letters(pdftotext(combined))
    layout = split_letters(pdftotext(combined, "-layout"))
    assert len(letters) == len(layout) == 5000
    found: dict[str, list[int]] = {}
    for i, (letter, lines) in enumerate(zip(letters, layout, strict=True)):
        for what in problems(letter, lines.splitlines()):
            found.setdefault(what, []).append(i)
    assert found == {}, {what: len(where) for what, where in found.items()}
    whole = " ".join(letters)
    assert "provvisori" in whole and "TAR" not in whole
