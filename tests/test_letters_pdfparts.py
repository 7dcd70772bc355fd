"""The letters' PDF files written from WeasyPrint's objects: references, closures, whole files."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from letters_fixtures import small_result
from pypdf import PdfReader
from pypdf.generic import NullObject

from conciliare_cli.letters import PdfUnavailable, load_weasyprint, write_letters
from conciliare_cli.letters.pdfparts import (
    ChunkObjects,
    CombinedPdf,
    _refs,
    letter_pdf,
    renumber,
)

RUN_DATE = dt.date(2017, 9, 15)


def test_renumber_rewrites_references_only():
    head = (
        b"<</Type /Page/Parent 1 0 R/Contents 12 0 R/Kids [7 0 R 9 0 R]"
        b"/URI (see 1 0 R \\) 9 0 R)/Box [0 0 595.2 841.8]/W [3 [318] 10 [275 390]]>>"
    )
    mapping = {1: 101, 12: 112, 7: 107, 9: None}
    assert renumber(head, mapping.get) == (
        b"<</Type /Page/Parent 101 0 R/Contents 112 0 R/Kids [107 0 R null]"
        b"/URI (see 1 0 R \\) 9 0 R)/Box [0 0 595.2 841.8]/W [3 [318] 10 [275 390]]>>"
    )


def _chunk() -> ChunkObjects:
    """Two letters of one page each; the first page links to the second (another letter)."""
    heads = {
        1: b"<</Type /Pages/Kids [3 0 R 5 0 R]/Count 2>>",
        2: b"<</Type /Catalog/Pages 1 0 R>>",
        3: b"<</Type /Page/Parent 1 0 R/Contents 4 0 R/Resources 7 0 R/Annots [8 0 R]>>",
        4: b"<</Length 3>>",
        5: b"<</Type /Page/Parent 1 0 R/Contents 6 0 R/Resources 7 0 R>>",
        6: b"<</Length 3>>",
        7: b"<</ColorSpace <</srgb [/ICCBased 9 0 R]>>>>",
        8: b"<</Type /Annot/Subtype /Link/Dest [5 0 R /XYZ 0 0 0]>>",
        9: b"<</N 3/Length 3>>",
    }
    bodies = {n: b"\nstream\nabc\nendstream" for n in (4, 6, 9)}
    return ChunkObjects(
        heads=heads,
        bodies=bodies,
        refs={n: _refs(h) for n, h in heads.items()},
        pages=[3, 5],
        page_tree=1,
        catalog=2,
        output_intents=b"[<</Type /OutputIntent/S /GTS_PDFA1/DestOutputProfile 9 0 R>>]",
    )


def test_closure_takes_what_the_pages_need_and_no_other_letter():
    chunk = _chunk()
    assert chunk.closure([3]) == [3, 4, 7, 8, 9]  # not 5 (another letter's page), 1, 2
    assert chunk.closure([5]) == [5, 6, 7, 9]
    assert chunk.closure([3, 5]) == [3, 4, 5, 6, 7, 8, 9]


def test_letter_and_combined_files_are_whole_pdfs(tmp_path):
    chunk = _chunk()
    out = io.BytesIO()
    letter_pdf(
        chunk, [3], out, title="Esito – è", author="ASST", run_date=RUN_DATE, identifier=b"1" * 16
    )
    reader = PdfReader(io.BytesIO(out.getvalue()), strict=True)
    assert len(reader.pages) == 1
    assert reader.metadata.title == "Esito – è"
    size = int(reader.trailer["/Size"])
    assert [reader.get_object(n) is not None for n in range(1, size)] == [True] * (size - 1)
    link = reader.pages[0]["/Annots"][0].get_object()
    assert isinstance(link["/Dest"][0], NullObject)  # another letter's page: null
    assert reader.trailer["/Root"]["/OutputIntents"][0]["/DestOutputProfile"].get_data() == b"abc"

    combined = CombinedPdf(tmp_path / "tutte.pdf", title="Tutte", author="ASST", run_date=RUN_DATE)
    combined.add(chunk)
    combined.add(chunk)
    assert combined.close(b"2" * 16) == 4
    reader = PdfReader(tmp_path / "tutte.pdf", strict=True)
    assert len(reader.pages) == 4
    assert (
        reader.pages[2]["/Annots"][0].get_object()["/Dest"][0] == reader.pages[3].indirect_reference
    )


try:
    load_weasyprint()
    PDF_REASON = ""
except PdfUnavailable as exc:  # pragma: no cover - CI installs the libraries
    PDF_REASON = f"WeasyPrint's system libraries are missing: {exc}"


@pytest.mark.pdf
@pytest.mark.skipif(bool(PDF_REASON), reason=PDF_REASON)
def test_long_letters_with_a_logo_split_and_join_page_by_page(tmp_path):
    from PIL import Image

    folder = tmp_path / "bando"
    result = small_result(folder, logos=["loghi/fse.png"])
    (folder / "loghi").mkdir()
    Image.new("RGB", (60, 30), (0, 51, 153)).save(folder / "loghi" / "fse.png")
    templates = folder / "templates"
    templates.mkdir()
    (templates / "finanziata.html").write_text(
        '{% extends "lettera.html" %}{% block outcome %}<p>INIZIO {{ letter.application_id }}</p>'
        '<div style="height: 250mm"></div><p>SECONDA PAGINA {{ letter.application_id }}</p>'
        "{% endblock %}",
        encoding="utf-8",
    )
    out = tmp_path / "lettere"
    report = write_letters(result, out, run_date=RUN_DATE, workers=1, chunk_size=3)
    paths = [p for p in out.glob("*.pdf") if p.name != "lettere-tutte.pdf"]
    singles = {p.name: PdfReader(p, strict=True) for p in paths}
    funded = [page.extract_text() for page in singles["ASST-0001.pdf"].pages]
    assert len(funded) >= 2 and "INIZIO ASST-0001" in funded[0]
    assert "SECONDA PAGINA ASST-0001" in " ".join(funded[1:])
    assert len(singles["ASST-0004.pdf"].pages) == 1  # excluded: the usual template
    for name, reader in singles.items():
        resources = reader.pages[0]["/Resources"]
        assert "/XObject" in resources and len(resources["/XObject"]) == 1, name  # the logo
    combined = PdfReader(out / "lettere-tutte.pdf", strict=True)
    assert len(combined.pages) == report.pages == sum(len(r.pages) for r in singles.values())
    texts = [page.extract_text() for page in combined.pages]
    assert texts[: len(funded)] == funded  # graduatoria order: ASST-0001 first
