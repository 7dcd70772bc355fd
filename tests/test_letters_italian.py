"""Every letter of a generated call of 5,000 applications, read back from the PDF, against a list
of mistakes a family or a lawyer would notice (issue 14): gender, articles before dates,
plurals, field names and codes in the text, broken e-mail addresses, empty slots, sentences
without a verb, one outcome per child."""

from __future__ import annotations

import pytest
from letters_mistakes import pdftotext, problems, split_letters
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.demo import generate_call
from conciliare_cli.letters.words import spell_dates

runner = CliRunner()


def test_the_list_catches_the_mistakes_it_names():
    bad = [
        "Aurora Moretti (nata il 3 marzo 2015): non ammesso",
        "presentata il 8 giugno 2017, età 1 anni",
        "Rinuncia Entro 15 giorni dal ricevimento, con una e-mail",
        "esito FINANZIATA_PARZIALMENTE, applicant_email",
        "scrivere a conciliazione@asst-",
        "è allegato un buono per ciascun minore finanziato (1 in tutto)",
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


def test_the_engine_s_numeric_dates_are_spelled_with_their_article():
    assert spell_dates("sostituita dalla domanda COOP-S056, presentata il 08/06/2017 08:32") == (
        "sostituita dalla domanda COOP-S056, presentata l'8 giugno 2017 alle ore 08:32"
    )
    assert spell_dates("il 11/07/2017, il 01/09/2017") == "l'11 luglio 2017, il 1° settembre 2017"
    assert spell_dates("età al 01/09/2017: 17 anni") == "età al 01/09/2017: 17 anni"  # no "il"
    assert spell_dates("il 31/02/2017") == "il 31/02/2017"  # not a date: left as written
    assert problems(spell_dates("presentata il 08/06/2017 08:32"), []) == []


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
