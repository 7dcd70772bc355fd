"""explain for the phone call with a family (issue 13, deliverable 3): found by any key the
family can give, wrapped at the terminal's width, in words without field names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conciliare_cli import runs
from conciliare_cli.cli import app
from conciliare_cli.commands.explain import wrap_text
from conciliare_cli.engine.explanation import explain_application
from conciliare_cli.engine.lookup import find_applications
from conciliare_cli.natural import natural_sorted
from conciliare_cli.taxcode import is_female

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"


@pytest.fixture(scope="module")
def result():
    return runs.run(EXAMPLE)


@pytest.mark.parametrize(
    "key",
    [
        "COOP-S033",
        "coop-s033",
        " Coop-S033 ",
        "S033",
        "s033",
        "GNTSMN63E12L400P",
        "GNTMNL01H58F205V",
    ],
)
def test_found_by_id_protocol_and_tax_codes(result, key: str) -> None:
    assert find_applications(result, key) == ["COOP-S033"]


def test_found_by_protocol_without_leading_zeros(result) -> None:
    assert find_applications(result, "PG2017-16") == ["ASST-PG2017-0016"]


def test_a_surname_lists_the_candidates_in_natural_order(result) -> None:
    found = find_applications(result, "gentile")
    assert found == ["ASST-PG2017-0016", "ASST-PG2017-0031", "ATS-R00048", "COOP-S033"]
    assert find_applications(result, "Gentile Simone") == ["COOP-S033"]
    res = CliRunner().invoke(app, ["explain", str(EXAMPLE), "gentile"], env={"COLUMNS": "100"})
    assert res.exit_code == 0
    assert "4 domande corrispondono a 'gentile'; indicare il protocollo:" in res.output
    assert "- ATS-R00048: Gentile Christian, presentata il 13/07/2017 18:35, Finanziata" in (
        res.output
    )


def test_unknown_key_is_an_italian_error(result) -> None:
    assert find_applications(result, "nessuno-al-mondo") == []
    res = CliRunner().invoke(app, ["explain", str(EXAMPLE), "COOP-S0333"])
    assert res.exit_code == 2
    assert "nessuna domanda corrisponde a 'COOP-S0333'" in res.output
    assert "forse: COOP-S033" in " ".join(res.output.split())


def test_header_names_the_applicant_and_the_total(result) -> None:
    text = explain_application(result, "COOP-S033")
    assert text.startswith("Domanda COOP-S033, richiedente Gentile Simone\n")
    assert "Importo assegnato in totale: 699,00\xa0€" in text


def test_no_field_names_or_true_in_the_words(result) -> None:
    fields = {"disability", "learning_difficulty", "single_parent", "both_parents_working"}
    for app_id in ("COOP-S033", "ASST-PG2017-0015", "ASST-PG2017-0020"):
        text = explain_application(result, app_id)
        words = set(re.findall(r"[a-z_]+", text))
        assert not (words & fields), app_id
        assert "«true»" not in text and " true" not in text
        assert "la minore prima" not in text


def test_ages_and_genders(result) -> None:
    text = explain_application(result, "ASST-PG2017-0015")  # a girl excluded (invalid CF)
    assert re.search(r"\(RGGMNL04D57D142V\)[^\n]*: esclusa", text)
    assert not re.search(r"\b1 anni\b", text)
    for app_id in result.minors["application_id"].unique()[:200]:
        assert not re.search(r"\b1 anni\b", explain_application(result, str(app_id)))


def test_sex_from_the_tax_code() -> None:
    assert is_female("GNTMNL01H58F205V") is True  # day 58 = 18 + 40
    assert is_female("GNTRRT07E23D150R") is False
    assert is_female("not a code") is None


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_wrapping_never_breaks_a_word(result, width: int) -> None:
    text = explain_application(result, "COOP-S033")
    wrapped = wrap_text(text, width)
    assert wrapped.split() == text.split()  # the same words, none cut
    for line in wrapped.splitlines():
        assert len(line) <= width or " " not in line.strip()


def test_command_at_80_columns_breaks_no_word() -> None:
    res = CliRunner().invoke(app, ["explain", str(EXAMPLE), "s033"], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    assert "min/ori" not in res.output and "minori ammissibili" in res.output
    assert all(len(line) <= 80 or " " not in line.strip() for line in res.output.splitlines())


def test_natural_order() -> None:
    assert natural_sorted(["COMUNE-18", "COMUNE-2", "ASST-10", "comune-3"]) == [
        "ASST-10",
        "COMUNE-2",
        "comune-3",
        "COMUNE-18",
    ]
