"""The letters' PDF files written from Typst's objects: references, closures, whole files."""

from __future__ import annotations

import datetime as dt
import io

from letters_fixtures import small_result
from pypdf import PdfReader
from pypdf.generic import NullObject

from conciliare_cli.letters import ListSource, write_letters
from conciliare_cli.letters.engine import SHIPPED
from conciliare_cli.letters.pdfparts import (
    FOOTER_FORM,
    ChunkObjects,
    CombinedPdf,
    _refs,
    letter_pdf,
    pieces,
    renumber,
    renumber_pieces,
)

RUN_DATE = dt.date(2017, 9, 15)
SOURCE = ListSource("DEFINITIVA", RUN_DATE, "cd" * 32)


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
    assert renumber_pieces(pieces(head), mapping.get) == renumber(head, mapping.get)


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


def test_long_letters_with_a_logo_split_and_join_page_by_page(tmp_path):
    from PIL import Image

    folder = tmp_path / "bando"
    result = small_result(folder, logos=["loghi/fse.png"])
    (folder / "loghi").mkdir()
    Image.new("RGB", (60, 30), (0, 51, 153)).save(folder / "loghi" / "fse.png")
    templates = folder / "templates"
    templates.mkdir()
    shipped = (SHIPPED / "lettera.typ").read_text(encoding="utf-8")
    (templates / "lettera.typ").write_text(
        shipped.replace(
            "  esito(c, l)\n",
            "  [INIZIO #l.application_id]\n  v(250mm)\n  [SECONDA PAGINA #l.application_id]\n"
            "  esito(c, l)\n",
        ),
        encoding="utf-8",
    )
    out = tmp_path / "lettere"
    report = write_letters(result, out, source=SOURCE, run_date=RUN_DATE, workers=1, chunk_size=3)
    paths = [p for p in out.rglob("*.pdf") if p.name != "lettere-tutte.pdf"]
    singles = {p.relative_to(out).as_posix(): PdfReader(p, strict=True) for p in paths}
    funded = [page.extract_text() for page in singles["ASST-0001.pdf"].pages]
    assert len(funded) >= 2 and "INIZIO ASST-0001" in funded[0]
    assert "SECONDA PAGINA ASST-0001" in " ".join(funded[1:])
    assert "Domanda ASST-0001 – pagina 1 di 2" in funded[0]
    assert "Domanda ASST-0001 – pagina 2 di 2" in funded[1] and len(funded) == 2
    for name, reader in singles.items():
        resources = reader.pages[0]["/Resources"]
        forms = set(resources["/XObject"])  # the logo, and a letter's page footer
        slip = name.startswith("buoni/")
        assert len(forms) == 2 - slip and (FOOTER_FORM.decode() in str(forms)) != slip, name
    combined = PdfReader(out / "lettere-tutte.pdf", strict=True)
    assert len(combined.pages) == report.pages == sum(len(r.pages) for r in singles.values())
    texts = [page.extract_text() for page in combined.pages]
    assert texts[: len(funded)] == funded  # graduatoria order: ASST-0001 first
    slips = [n for n in singles if n.startswith("buoni/ASST-0001-")]
    assert sorted(slips) == ["buoni/ASST-0001-1.pdf", "buoni/ASST-0001-2.pdf"]
    assert texts[len(funded)] == singles["buoni/ASST-0001-1.pdf"].pages[0].extract_text()


def test_typst_pdf_is_read_into_its_objects():
    import typst

    pdf = typst.compile(
        b"#for i in range(3) { if i > 0 { pagebreak() }; heading(bookmarked: true)[m#i]; [testo] }",
        pdf_standards=["a-3b"],
        pdf_tags=False,
    )
    chunk = ChunkObjects.from_pdf(pdf)
    assert len(chunk.pages) == 3
    assert [title for title, _page in chunk.bookmarks()] == ["m0", "m1", "m2"]
    assert [page for _t, page in chunk.bookmarks()] == chunk.pages
    assert chunk.output_intents.startswith(b"[")
    out = io.BytesIO()
    letter_pdf(
        chunk, chunk.pages[1:2], out, title="t", author="a", run_date=RUN_DATE, identifier=b"1" * 16
    )
    reader = PdfReader(io.BytesIO(out.getvalue()), strict=True)
    assert len(reader.pages) == 1 and "m1" in reader.pages[0].extract_text()


def test_stamp_draws_an_overlay_page_over_a_page_as_a_form():
    chunk = _chunk()
    overlay = ChunkObjects(
        heads={
            1: b"<</Type /Pages/Kids [3 0 R]/Count 1>>",
            2: b"<</Type /Catalog/Pages 1 0 R>>",
            3: b"<</Type /Page/Parent 1 0 R/Contents 4 0 R/Resources 5 0 R>>",
            4: b"<</Length 3/Filter/FlateDecode>>",
            5: b"<</ColorSpace <</srgb [/ICCBased 6 0 R]>>/Font <</f0 7 0 R>>>>",
            6: b"<</N 3/Length 3>>",  # the same colour profile as the chunk's object 9
            7: b"<</Type /Font>>",
        },
        bodies={4: b"\nstream\nxyz\nendstream", 6: b"\nstream\nabc\nendstream"},
        refs={},
        pages=[3],
        page_tree=1,
        catalog=2,
        output_intents=b"",
    )
    overlay.refs = {n: _refs(h) for n, h in overlay.heads.items()}
    before = dict(chunk.heads)
    chunk.stamp(overlay, [5])
    assert chunk.heads[3] == before[3]  # the other page is untouched
    page = chunk.heads[5]
    contents = _refs(page[page.index(b"/Contents") : page.index(b"]")])
    assert len(contents) == 3 and contents[1] == 6
    assert chunk.bodies[contents[0]] == b"\nstream\nq\n\nendstream"
    assert chunk.bodies[contents[2]].endswith(b"Q q /" + FOOTER_FORM + b" Do Q\n\nendstream")
    resources = chunk.heads[_refs(page[page.index(b"/Resources") :])[0]]
    assert resources != before[7] and chunk.heads[7] == before[7]  # a copy for this page
    assert resources.startswith(before[7][:-2]) and b"/XObject<</" + FOOTER_FORM in resources
    form = chunk.heads[_refs(resources[resources.index(b"/XObject") :])[0]]
    assert form.startswith(b"<</Type/XObject/Subtype/Form/BBox") and b"/Filter/FlateDecode" in form
    form_resources = chunk.heads[_refs(form)[0]]
    assert b"[/ICCBased 9 0 R]" in form_resources  # the profile is not copied twice
    assert sum(body == b"\nstream\nabc\nendstream" for body in chunk.bodies.values()) == 3
