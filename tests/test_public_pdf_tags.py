"""The public list's PDF is tagged for accessibility (PDF/UA-1; issue 13, deliverable 2): a
structure tree a screen reader follows (Document, H1, P, Sect, H2, Table, TR, TH, TD), every
text either in it or an artifact, the parent tree consistent, PDF/UA declared in XMP."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject
from test_perf_public_pdf import big_list, write
from test_publish_support import make_call_folder, make_result

from conciliare_cli.publish import public_list

pytestmark = pytest.mark.pdf


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    """A list of 150 ranked units and 12 excluded, over several pages."""
    folder = tmp_path_factory.mktemp("bando")
    plist = big_list(make_result(make_call_folder(folder / "b")), 150, excluded=12)
    return plist, write(plist, folder / "graduatoria-pubblica.pdf")


def _elements(reader: PdfReader):
    """Every structure element, depth first, with its depth."""
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    stack = [(k, 0) for k in reversed(root["/K"])]
    while stack:
        ref, depth = stack.pop()
        element = ref.get_object()
        yield element, depth
        kids = element.get("/K", [])
        stack += [(k, depth + 1) for k in reversed(kids) if isinstance(k, IndirectObject)]


def test_catalog_and_metadata_declare_a_tagged_pdf_ua(tagged) -> None:
    _, pdf = tagged
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "it"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp  # PDF/A's extension schema
    assert 'pdfaid:part="3"' in xmp


def test_the_structure_is_the_document(tagged) -> None:
    plist, pdf = tagged
    elements = list(_elements(PdfReader(pdf)))
    tags = [e["/S"] for e, _ in elements]
    assert tags[:2] == ["/Document", "/H1"]
    assert tags.count("/Sect") == 2 and tags.count("/H2") == 2 and tags.count("/Table") == 2
    # one header row per table, a row per unit, the total row
    assert tags.count("/TR") == 1 + len(plist.ranked) + 1 + 1 + len(plist.excluded)
    assert tags.count("/TH") == len(plist.columns) + 2
    headers = [e for e, _ in elements if e["/S"] == "/TH"]
    assert all(h["/A"]["/Scope"] == "/Column" for h in headers)


def test_every_text_is_tagged_or_an_artifact(tagged) -> None:
    _, pdf = tagged
    for page in PdfReader(pdf).pages:
        data = page.get_contents().get_data().decode("latin-1")
        depth = 0
        for token in re.findall(r"\bBDC\b|\bBMC\b|\bEMC\b|\bTj\b", data):
            if token in ("BDC", "BMC"):
                depth += 1
            elif token == "EMC":
                depth -= 1
            else:
                assert depth == 1, "text outside marked content"
        assert depth == 0


def test_the_parent_tree_points_each_mark_to_its_element(tagged) -> None:
    _, pdf = tagged
    reader = PdfReader(pdf)
    tree = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    parents = dict(zip(tree[::2], tree[1::2], strict=True))
    for page in reader.pages:
        data = page.get_contents().get_data().decode("latin-1")
        marks = re.findall(r"/(\w+) <</MCID (\d+)>> BDC", data)
        owners = parents[page["/StructParents"]]
        assert [int(m) for _, m in marks] == list(range(len(owners)))
        for (tag, mcid), owner in zip(marks, owners, strict=True):
            element = owner.get_object()
            assert element["/S"] == f"/{tag}"
            assert int(mcid) in list(element["/K"])
            assert element["/Pg"].get_object() == page.get_object()


def test_a_reader_gets_the_cells_in_order(tmp_path: Path) -> None:
    """poppler's own reading of the structure tree: the ids in the table cells, in order."""
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) non installato")
    result = make_result(make_call_folder(tmp_path / "b"))
    plist = big_list(result, 40, excluded=5)  # two pages: poppler's reading is slow on long ones
    pdf = write(plist, tmp_path / "p.pdf")
    text = subprocess.run(
        ["pdfinfo", "-struct-text", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    ids = re.findall(r'^\s+"(APP-\d{6})"$', text, flags=re.M)
    assert ids == plist.ranked["public_id"].tolist() + plist.excluded["public_id"].tolist()


def test_an_empty_list_is_tagged_too(tmp_path: Path) -> None:
    result = make_result(make_call_folder(tmp_path / "b"))
    result.units = result.units.iloc[0:0]
    pdf = write(public_list(result), tmp_path / "vuota.pdf")
    tags = [e["/S"] for e, _ in _elements(PdfReader(pdf))]
    assert "/Table" not in tags and tags.count("/P") >= 3
