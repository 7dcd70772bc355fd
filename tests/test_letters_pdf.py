"""Letters as PDF/A: text of each outcome, page counts, metadata, byte-identical runs."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from letters_fixtures import small_result

from conciliare_cli.letters import PdfUnavailable, load_weasyprint, write_letters
from conciliare_cli.letters.files import INDEX_NAME

try:
    load_weasyprint()
    PDF_REASON = ""
except PdfUnavailable as exc:  # pragma: no cover - CI installs the libraries
    PDF_REASON = f"WeasyPrint's system libraries are missing: {exc}"

pytestmark = [pytest.mark.pdf, pytest.mark.skipif(bool(PDF_REASON), reason=PDF_REASON)]

RUN_DATE = dt.date(2017, 9, 15)


def pdf_text(path: Path) -> str:
    """The text of a PDF (pdftotext when installed, else pypdf), spaces normalised."""
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
    else:  # pragma: no cover
        from pypdf import PdfReader

        out = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(out.replace("\u00a0", " ").split())


def pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("letters")
    result = small_result(base / "bando")
    out = base / "lettere"
    report = write_letters(result, out, run_date=RUN_DATE, workers=1)
    return result, out, report


def test_one_pdf_per_application_and_the_combined_file(rendered):
    result, out, report = rendered
    singles = sorted(p for p in out.glob("*.pdf") if p.name != "lettere-tutte.pdf")
    assert len(singles) == result.minors["application_id"].nunique() == report.letters == 7
    assert "______x.pdf" in {p.name for p in singles}  # the id '../../x', sanitised
    assert not (out.parent / "x.pdf").exists()
    combined = out / "lettere-tutte.pdf"
    assert pages(combined) == sum(pages(p) for p in singles) == report.pages
    assert all(pages(p) == 1 for p in singles)  # a simple case fits one page
    index = (out / INDEX_NAME).read_text(encoding="utf-8").splitlines()
    assert len(index) == 1 + 7


def test_funded_letter_text(rendered):
    _, out, _ = rendered
    text = pdf_text(out / "ASST-0001.pdf")
    for expected in [
        "ASST di Crema",
        "Mario Rossi",
        "Via Roma 12",
        "Rif.: CONC2017/ASST-0001",
        "15 settembre 2017",
        "Oggetto: Conciliare le responsabilità",
        "ammessa e finanziata",
        "Luca Rossi (n. 01/02/2010) – centro estivo",
        "300,00 €",
        "250,00 €",
        "550,00 €",
        "Fascia ISEE del nucleo familiare (art. 7 lett. c) 14.500,00 € 10",
        "posizione n. 1 in graduatoria 29",
        "dal 1° settembre 2017 al 31 agosto 2018",
        "Rinuncia",
        "Fondo Sociale Europeo",
        "Il Direttore Sociosanitario",
    ]:
        assert expected in text, expected
    assert "Riesame e ricorsi" not in text


def test_partial_waiting_and_excluded_letters_text(rendered):
    _, out, _ = rendered
    partial = pdf_text(out / "ASST-0002.pdf")
    assert "finanziata parzialmente" in partial
    assert "123,45 €" in partial and "300,00 €" in partial
    assert "dal criterio di precedenza «ISEE più basso»" in partial
    assert "Tribunale Amministrativo Regionale" in partial
    waiting = pdf_text(out / "ASST-0003.pdf")
    assert "lista d'attesa al posto n. 1" in waiting
    assert "Riesame e ricorsi" in waiting
    lottery = pdf_text(out / "ASST-0006.pdf")
    assert "dal sorteggio previsto dal bando" in lottery
    excluded = pdf_text(out / "ASST-0004.pdf")
    assert "non è stata ammessa" in excluded
    sentence = "supera la soglia di 35.000 euro (art. 3 c. 2 del bando)."
    assert sentence in excluded
    assert "Ivo Blu" in excluded and "alla data di riferimento" in excluded
    assert "Presidente della Repubblica entro 120 giorni" in excluded
    mixed = pdf_text(out / "ASST-0005.pdf")
    assert "Minori non ammessi" in mixed and "Pietro Bianchi" in mixed
    assert "Riesame e ricorsi" in mixed


def test_data_prints_as_itself(rendered):
    _, out, _ = rendered
    text = pdf_text(out / "ASST-0006.pdf")
    assert "{{7*7}} <b>x</b>" in text
    assert "Anna/<script>alert(1)</script> Viola" in pdf_text(out / "______x.pdf")


def test_pdfa_metadata(rendered):
    from pypdf import PdfReader

    _, out, _ = rendered
    for name, title in [
        ("ASST-0001.pdf", "Esito della domanda ASST-0001"),
        ("lettere-tutte.pdf", "Lettere di esito"),
    ]:
        reader = PdfReader(out / name)
        assert reader.metadata.title.startswith(title)
        assert reader.metadata.author == "ASST di Crema"
        assert reader.metadata["/CreationDate"] == "D:20170915000000Z"
        root = reader.trailer["/Root"]
        assert "/OutputIntents" in root
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert "<pdfaid:part>3</pdfaid:part>" in xmp
        assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
        assert "2017-09-15T00:00:00Z" in xmp
        assert len(reader.trailer["/ID"]) == 2


def test_same_run_twice_gives_identical_bytes(rendered, tmp_path):
    result, out, _ = rendered
    again = tmp_path / "stesso"
    write_letters(result, again, run_date=RUN_DATE, workers=1)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    second = {p.name: p.read_bytes() for p in again.iterdir()}
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


def test_process_pool_gives_the_same_bytes(rendered, tmp_path):
    result, _, _ = rendered
    inline, pool = tmp_path / "uno", tmp_path / "due"
    write_letters(result, inline, run_date=RUN_DATE, workers=1, chunk_size=3)
    write_letters(result, pool, run_date=RUN_DATE, workers=2, chunk_size=3)
    for path in sorted(inline.iterdir()):
        assert path.read_bytes() == (pool / path.name).read_bytes(), path.name
    assert pages(pool / "lettere-tutte.pdf") == 7


def test_another_date_changes_the_letters(rendered, tmp_path):
    result, out, _ = rendered
    other = tmp_path / "altra-data"
    write_letters(result, other, run_date=dt.date(2017, 9, 16), workers=1, ids={"ASST-0001"})
    assert "16 settembre 2017" in pdf_text(other / "ASST-0001.pdf")
    assert (other / "ASST-0001.pdf").read_bytes() != (out / "ASST-0001.pdf").read_bytes()
