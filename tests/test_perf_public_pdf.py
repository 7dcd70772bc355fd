"""The public PDF drawn directly (conciliare_cli/publish/pdf.py, fonts.py): pages, numbering,
every unit once and in order, the total once, PDF/A parts, identical bytes, linear cost."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from test_publish_support import RUN_DATE, make_call_folder, make_result

from conciliare_cli.publish import public_list
from conciliare_cli.publish.fonts import load_fonts
from conciliare_cli.publish.pdf import (
    BOTTOM,
    LEFT,
    RIGHT,
    SIZE_BODY,
    Table,
    column_widths,
    wrap_words,
    write_public_pdf,
)

TITLE = "Conciliare le responsabilità – bando 2017"
STATUSES = ["FINANZIATA", "FINANZIATA_PARZIALMENTE", "AMMESSA_NON_FINANZIATA"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return make_result(make_call_folder(tmp_path_factory.mktemp("bando")))


def big_list(result, n: int, excluded: int = 0):
    """A public list of `n` ranked and `excluded` excluded units (no engine needed)."""
    units = pd.DataFrame(
        {
            "unit_id": [f"APP-{i:06d}" for i in range(n + excluded)],
            "application_id": [f"APP-{i:06d}" for i in range(n + excluded)],
            "score": [float(40 - (i % 40)) for i in range(n + excluded)],
            "rank": pd.array(list(range(1, n + 1)) + [None] * excluded, dtype="Int64"),
            "status": [STATUSES[i % 3] for i in range(n)] + ["ESCLUSA"] * excluded,
            "awarded_cents": pd.array([30000 - i for i in range(n + excluded)], dtype="Int64"),
        }
    )
    result = dataclasses.replace(result)
    result.units = units
    return public_list(result)


def write(plist, path: Path, title: str = TITLE) -> Path:
    return write_public_pdf(plist, path, title=title, status="PROVVISORIA", run_date=RUN_DATE)


def pages_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


def test_every_unit_once_in_rank_order_and_pages_numbered(result, tmp_path):
    plist = big_list(result, 300, excluded=70)
    pages = pages_text(write(plist, tmp_path / "p.pdf"))
    assert len(pages) > 5
    total = len(pages)
    for i, text in enumerate(pages, start=1):
        assert f"Pagina {i} di {total}" in text
        assert "PROVVISORIA – 15/09/2017" in text
        # the header row on every page of either table
        if i > 1:
            assert text.split("\n")[0].startswith("Posizione" if i < total - 1 else "Protocollo")
    ids = re.findall(r"APP-\d{6}", "\n".join(pages))
    assert ids == plist.ranked["public_id"].tolist() + plist.excluded["public_id"].tolist()
    joined = "\n".join(pages)
    assert joined.count("Totale") == 1
    assert joined.index("Totale") > joined.index(plist.ranked["public_id"].iloc[-1])
    assert joined.index("Totale") < joined.index("Domande non ammesse (70)")
    assert "Nessuna" not in joined


def test_first_page_texts_and_italian_amounts(result, tmp_path):
    plist = public_list(result)
    first = pages_text(write(plist, tmp_path / "p.pdf"))[0]
    assert TITLE in first
    assert "Graduatoria PROVVISORIA – aggiornata al 15/09/2017" in first
    assert "Graduatoria pubblicata senza dati personali" in first
    assert "300,00\u00a0€" in first  # Babel's Italian amount, no-break space kept
    assert "Finanziata parzialmente" in first


def test_empty_sections(result, tmp_path):
    plist = big_list(result, 0, excluded=0)
    text = "\n".join(pages_text(write(plist, tmp_path / "p.pdf")))
    assert "Nessuna domanda in graduatoria." in text
    assert "Nessuna domanda non ammessa." in text
    assert "Totale" not in text


def test_long_title_is_cut_in_the_page_header_only(result, tmp_path):
    title = "Bando " + "molto lungo " * 30 + "fine"
    pages = pages_text(write(big_list(result, 80), tmp_path / "p.pdf", title=title))
    assert "fine" in pages[0]  # the heading wraps, whole
    assert "…" in pages[1]  # the running header is cut
    assert "fine" not in pages[1]


def test_characters_outside_the_font_do_not_break_it(result, tmp_path):
    write(big_list(result, 3), tmp_path / "p.pdf", title="Bando 𝄞 ✓ 中文")
    assert (tmp_path / "p.pdf").stat().st_size > 1000


def test_identical_bytes_and_pdf_a_parts(result, tmp_path):
    from pypdf import PdfReader

    plist = big_list(result, 120, excluded=5)
    a = write(plist, tmp_path / "a" / "graduatoria-pubblica.pdf")
    b = write(plist, tmp_path / "b" / "graduatoria-pubblica.pdf")
    assert a.read_bytes() == b.read_bytes()
    reader = PdfReader(str(a))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert reader.metadata["/Title"] in xmp and reader.metadata["/Producer"] in xmp
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object()["/N"] == 3
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        assert "/ToUnicode" in font
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()  # embedded, as PDF/A requires


def test_rows_never_cross_the_bottom_margin_and_columns_stay_put(result, tmp_path):
    from pypdf import PdfReader

    reader = PdfReader(str(write(big_list(result, 200), tmp_path / "p.pdf")))
    xs_per_page = []
    for page in reader.pages:
        data = page.get_contents().get_data().decode("latin-1")
        ys = sorted({float(y) for y in re.findall(r"1 0 0 -1 [\d.]+ ([\d.]+) Tm", data)})
        assert ys[-1] > BOTTOM  # the footer, in the bottom margin
        assert ys[-2] < BOTTOM  # every other line above it
        xs_per_page.append(sorted(set(re.findall(r"1 0 0 -1 ([\d.]+) [\d.]+ Tm <", data))))
    lefts = [x for x in xs_per_page[1] if float(x) < 100]
    for xs in xs_per_page[1:-1]:
        assert [x for x in xs if float(x) < 100] == lefts


def test_column_widths_fill_the_line_and_wrap_only_text_columns():
    fonts = load_fonts()
    table = Table(
        headers=["Posizione", "Protocollo", "Esito"],
        columns=[["1"], ["ASST-2017-000001"], ["parola " * 40]],
        right=[True, False, False],
        wrap=[False, False, True],
    )
    width = RIGHT - LEFT
    widths = column_widths(table, fonts, width)
    assert sum(widths) == pytest.approx(width)
    # the id column keeps its whole text; the free text gives way
    id_w = fonts["regular"].width("ASST-2017-000001") * SIZE_BODY
    assert widths[1] > id_w
    lines = wrap_words("parola " * 40, fonts["regular"], SIZE_BODY, widths[2])
    assert len(lines) > 1


def test_cost_grows_linearly(result, tmp_path):
    def seconds(n: int) -> float:
        plist = big_list(result, n)
        start = time.perf_counter()
        write(plist, tmp_path / f"{n}.pdf")
        return time.perf_counter() - start

    seconds(200)  # warm the font cache
    small, large = seconds(2_000), seconds(16_000)
    assert large < 8 * small * 2.5  # 8 times the rows: linear, with room for a noisy machine
    assert large < 20
