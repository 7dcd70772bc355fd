"""graduatoria.xlsx as LibreOffice prints it (issue 13, deliverable 1): readable type on every
page, no header broken inside a word, a sensible number of pages, the act and the signature.

Needs LibreOffice (`libreoffice-calc`, with the Carlito font that stands in for Calibri); the
tests are skipped where it is not installed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from rendering import page_count, pdf_text, pdf_words, xlsx_to_pdf

from conciliare_cli import runs
from conciliare_cli.write import printable
from conciliare_cli.write.graduatoria import write_graduatoria_xlsx

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"
MIN_POINTS = 8.0

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    result = runs.run(EXAMPLE)
    folder = tmp_path_factory.mktemp("stampa")
    xlsx = write_graduatoria_xlsx(
        result, folder / "graduatoria.xlsx", status="PROVVISORIA", run_date=dt.date(2017, 9, 15)
    )
    return result, xlsx_to_pdf(xlsx, folder)


def test_every_page_has_readable_type(printed) -> None:
    _, pdf = printed
    words = pdf_words(pdf)
    small = [w for w in words if w.size < MIN_POINTS]
    assert not small, small[:5]


def test_page_count(printed) -> None:
    result, pdf = printed
    ranked = int(result.units["rank"].notna().sum())
    pages = page_count(pdf)
    # the main sheet prints about 30 applications a page, the Minori sheet about 25 minors;
    # Esclusi, Criteri, Anomalie and Riepilogo a few pages more
    assert ranked / 40 < pages < ranked / 5, pages


def test_no_header_is_broken_inside_a_word(printed) -> None:
    result, pdf = printed
    tokens = set(pdf_text(pdf).split())
    headers = [c.header for c in printable.graduatoria_columns(result)]
    headers += [c.header for c in printable.minors_columns(result)]
    for header in headers:
        for word in header.split():
            assert word in tokens, f"'{word}' of '{header}' is broken in print"


def test_criteria_sheet_in_words(printed) -> None:
    _, pdf = printed
    text = " ".join(pdf_text(pdf).split())
    for raw in ("submitted_at", "submission_opens", "single_parent", "isee <=", "true"):
        assert raw not in text, raw
    assert "ISEE: non superiore a 35.000,00 €" in text
    assert "Data e ora di presentazione: non prima dell'apertura delle domande" in text
    assert "Budget" not in text and "Dotazione" in text


def test_act_signature_and_tie_values(printed) -> None:
    _, pdf = printed
    text = " ".join(pdf_text(pdf).split())
    assert "Approvata con decreto del Direttore Generale n. 412 del 15/09/2017" in text
    assert "Firma: Il Direttore Sociosanitario" in text
    assert "Luogo e data" in text and "dott. Mario Bianchi" in text
    # number formats follow the locale of the program that prints (LibreOffice here: en-US)
    assert re.search(r"1 COOP-S033 Gentile Simone 12[.,]008[.,]61 € 28/06/2017 18:14", text)
    assert "Pagina 1 di" in text


def test_the_example_readme_shows_the_first_pages() -> None:
    """The pictures bench/screenshots.py writes are in the example's README and committed."""
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\((img/[^)]+\.png)\)", readme)
    assert pictures == ["img/graduatoria.png", "img/graduatoria-pubblica.png"]
    for picture in pictures:
        assert (EXAMPLE / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
