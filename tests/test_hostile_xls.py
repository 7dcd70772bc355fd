"""Error cells of an .xls and an .xlsb (issue 11, part 2): python-calamine reads them as
empty, so an ISEE of #N/A admitted an application without ISEE points and a cost of
#DIV/0! got the cap.
read/xls_errors.py and read/xlsb_errors.py find them in the BIFF8 and BIFF12 records; they
are CELLA_IN_ERRORE like the xlsx and ODS ones. The files: the example's ATS .xls with two
cells rewritten as Excel writes them, and the COOP CSV written as an .xlsb with the same two
errors (tests/data/hostile/make_corpus.py: xls_errors, xlsb_errors, write_xlsb)."""

from __future__ import annotations

import shutil
import struct
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliare_cli.config import load_call
from conciliare_cli.read.xls_errors import xls_error_cells
from conciliare_cli.read.xlsb_errors import xlsb_error_cells
from conciliare_cli.validate import validate_call

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "hostile"))
import make_corpus as mc

xlwt = pytest.importorskip("xlwt")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xls") / "bando"
    shutil.copytree(mc.EXAMPLE, folder, ignore=shutil.ignore_patterns("esiti", "README.md"))
    mc.only_partners(folder, ("ATS",))
    mc.xls_errors(folder)
    return folder


def test_xls_error_cells_are_unreadable_never_missing(broken: Path) -> None:
    read, findings = validate_call(load_call(broken))
    errors = findings[findings["code"] == "CELLA_IN_ERRORE"]
    got = sorted(zip(errors["field"], errors["value"], errors["source_row"], strict=True))
    assert got == [("isee", "#N/A", 2), ("requested_eur", "#DIV/0!", 2)]
    assert set(errors["source_file"]) == {mc.ATS}
    assert (errors["severity"] == "BLOCCANTE").all()
    first = read.minors[read.minors["source_row"] == 2]
    assert first["isee"].isna().all() and first["requested_eur"].isna().iloc[0]
    missing = findings[findings["code"] == "CAMPO_OBBLIGATORIO_MANCANTE"]
    assert not (missing["source_row"] == 2).any()


def test_the_example_xls_has_no_error_cells() -> None:
    assert xls_error_cells(mc.EXAMPLE / mc.ATS, "Richieste") == []
    assert xls_error_cells(mc.EXAMPLE / mc.ATS, "Istruzioni") == []


def _small(path: Path) -> Path:
    """A workbook small enough for its stream to live in the compound file's mini stream."""
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Foglio")
    ws.write(0, 0, "ISEE")
    ws.row(1).set_cell_error(0, 0x2A)
    ws.row(2).set_cell_error(0, 0x07)
    ws.write(3, 0, 12.5)
    wb.add_sheet("Altro").row(0).set_cell_error(4, 0x17)
    wb.save(str(path))
    return path


def test_a_small_workbook_in_the_mini_stream(tmp_path: Path) -> None:
    path = _small(tmp_path / "piccolo.xls")
    assert path.stat().st_size < 8192
    assert xls_error_cells(path, "Foglio") == [(1, 0, "#N/A"), (2, 0, "#DIV/0!")]
    assert xls_error_cells(path, "Altro") == [(0, 4, "#REF!")]
    assert xls_error_cells(path, "Manca") == []


def test_a_loop_in_the_sector_table_ends(tmp_path: Path) -> None:
    data = bytearray(_small(tmp_path / "a.xls").read_bytes())
    first_fat = struct.unpack_from("<I", data, 0x4C)[0]
    fat_at = (first_fat + 1) * 512
    for i in range(16):  # every sector points to itself
        struct.pack_into("<I", data, fat_at + 4 * i, i)
    path = tmp_path / "ciclo.xls"
    path.write_bytes(bytes(data))
    assert xls_error_cells(path, "Foglio") == []


@settings(max_examples=60)
@given(cuts=st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 255)), max_size=8))
def test_damaged_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, cuts) -> None:
    folder = tmp_path_factory.mktemp("danni")
    data = bytearray(_small(folder / "a.xls").read_bytes())
    for at, value in cuts:
        if at < len(data):
            data[at] = value
    path = folder / "b.xls"
    path.write_bytes(bytes(data[: max(0, len(data) - cuts[0][0])] if cuts else data))
    found = xls_error_cells(path, "Foglio")
    assert all(isinstance(r, int) and isinstance(t, str) for r, _, t in found)


# ------------------------------------------------------------------ xlsb


def test_xlsb_error_cells_are_unreadable_never_missing(tmp_path: Path) -> None:
    folder = tmp_path / "bando"
    shutil.copytree(mc.EXAMPLE, folder, ignore=shutil.ignore_patterns("esiti", "README.md"))
    mc.only_partners(folder, ("COOP",))
    mc.xlsb_errors(folder)
    read, findings = validate_call(load_call(folder))
    errors = findings[findings["code"] == "CELLA_IN_ERRORE"]
    got = sorted(zip(errors["field"], errors["value"], errors["source_row"], strict=True))
    assert got == [("isee", "#N/A", 2), ("requested_eur", "#DIV/0!", 2)]
    assert set(errors["source_file"]) == {"partner/coop_il_sorriso.xlsb"}
    first = read.minors[read.minors["source_row"] == 2]
    assert first["isee"].isna().all() and first["requested_eur"].isna().all()


def test_xlsb_sheets_are_told_apart(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsb"
    mc.write_xlsb(
        path,
        {
            "Note": [["x", ("#", 0x17)]],
            "Domande": [["ISEE", "Costo"], [("#", 0x2A), 300], [12.5, ("=", 0x07)]],
        },
    )
    assert xlsb_error_cells(path, "a.xlsb", "Domande") == [(1, 0, "#N/A"), (2, 1, "#DIV/0!")]
    assert xlsb_error_cells(path, "a.xlsb", "Note") == [(0, 1, "#REF!")]
    assert xlsb_error_cells(path, "a.xlsb", "Manca") == []


@settings(max_examples=60)
@given(cuts=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=8))
def test_damaged_xlsb_parts_never_raise(tmp_path_factory: pytest.TempPathFactory, cuts) -> None:
    folder = tmp_path_factory.mktemp("danni")
    good = folder / "a.xlsb"
    mc.write_xlsb(good, {"Domande": [["ISEE", "Costo"], [("#", 0x2A), 300], [1.5, "x"]]})
    with zipfile.ZipFile(good) as zf:
        parts = {n: bytearray(zf.read(n)) for n in zf.namelist()}
    for name in ("xl/workbook.bin", "xl/worksheets/sheet1.bin"):
        for at, value in cuts:
            if at < len(parts[name]):
                parts[name][at] = value
    bad = folder / "b.xlsb"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, bytes(data))
    found = xlsb_error_cells(bad, "b.xlsb", "Domande")
    assert all(isinstance(r, int) and isinstance(t, str) for r, _, t in found)
