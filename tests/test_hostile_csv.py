"""Regression tests of issue 11, second part: formula injection in graduatoria.csv.

A partner's text that a spreadsheet would open as a formula (= + - @, or a tab or a carriage
return in front) is written with an apostrophe in front (write/csvsafe.py); a machine reader
removes it; the example call has no such text, so its CSV is unchanged."""

from __future__ import annotations

import csv
import io
import shutil
import sys
from pathlib import Path

import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.runs import run
from conciliare_cli.write.csvsafe import (
    FORMULA_START,
    csv_safe,
    csv_safe_texts,
    strip_mark,
    strip_marks,
)
from conciliare_cli.write.graduatoria import TEXT_COLUMNS, graduatoria_csv_bytes, ordered_minors

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "hostile"))
import make_corpus as mc

CASES = {c.name: c for c in mc.CASES}
HOSTILE = [
    '=HYPERLINK("http://example.invalid","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _formula_cells(data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8")))
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_START)]


def test_the_corpus_case_is_neutralised(tmp_path: Path) -> None:
    folder = mc.make_case(CASES["formula_nel_csv"], tmp_path)
    result = CliRunner().invoke(app, ["rank", str(folder), "--date", "2017-09-15"])
    assert result.exit_code == 0, result.output
    data = (folder / "esiti" / "graduatoria.csv").read_bytes()
    assert _formula_cells(data) == []
    taxes = {row["applicant_tax_code"] for row in _rows(data)}
    assert "'" + HOSTILE[0].upper() in taxes  # tax codes are read upper-case


def test_every_text_column_and_every_prefix(tmp_path: Path) -> None:
    """Tax codes of the applicant and the minor, a file name and a protocol: each hostile
    prefix, each neutralised, each read back as written."""
    folder = mc.make_case(CASES["formula_nel_csv"], tmp_path)
    mc.set_csv(folder, {(0, "Cod. fiscale"): "RMNMTT80D09D150L"})
    changes = {(1 + i, "CF figlio"): text for i, text in enumerate(HOSTILE)}
    changes[(0, "Cod. fiscale")] = HOSTILE[1]
    mc.set_csv(folder, changes)
    shutil.move(folder / mc.COOP, folder / "partner" / "=HYPERLINK(x).csv")
    mc.edit_config(folder, f'files: "{mc.COOP}"', 'files: "partner/=HYPERLINK(x).csv"')
    result = run(folder)
    data = graduatoria_csv_bytes(result)
    assert _formula_cells(data) == []
    rows = pd.DataFrame(_rows(data))
    minors = ordered_minors(result)
    for column in ("applicant_tax_code", "minor_tax_code", "source_file"):
        assert strip_marks(rows[column]).tolist() == minors[column].fillna("").tolist()
    hostile = minors["minor_tax_code"].fillna("").str.startswith(FORMULA_START)
    assert hostile.sum() >= len(HOSTILE) - 1  # the reader strips a leading tab
    assert rows["minor_tax_code"].str.startswith("'").sum() == hostile.sum()
    assert set(rows["source_file"]) == {"'partner/=HYPERLINK(x).csv".replace("'p", "p")}


def test_numbers_are_not_marked() -> None:
    """Only the text columns are neutralised: a negative score or amount stays a number."""
    assert "score" not in TEXT_COLUMNS and "awarded_eur" not in TEXT_COLUMNS
    assert set(TEXT_COLUMNS) >= {"application_id", "applicant_tax_code", "source_file"}


def test_letters_still_match_a_neutralised_graduatoria(tmp_path: Path) -> None:
    """letters checks its amounts against graduatoria.csv: it reads the marked texts back."""
    folder = mc.make_case(CASES["formula_nel_csv"], tmp_path)
    mc.set_csv(folder, {(2, "CF figlio"): "-RMNSRA04M67D142U"})
    runner = CliRunner()
    assert runner.invoke(app, ["rank", str(folder), "--date", "2017-09-15"]).exit_code == 0
    assert "'-RMNSRA04M67D142U" in (folder / "esiti" / "graduatoria.csv").read_text("utf-8")
    result = runner.invoke(app, ["letters", str(folder), "--date", "2017-09-15"])
    assert result.exit_code == 0, result.output


@given(st.text(max_size=30))
@example("'=")  # already beginning with the mark: one more, so that removing one gives it back
@example("''+1")
def test_the_mark_is_reversible_and_leaves_no_formula(text: str) -> None:
    safe = csv_safe(text)
    assert not safe.startswith(FORMULA_START)
    assert strip_mark(safe) == text
    assert safe == text or safe == "'" + text
    assert strip_marks(csv_safe_texts(pd.Series([text], dtype=object))).tolist() == [text]


@given(st.lists(st.text(max_size=8), max_size=20))
def test_the_vectorised_forms_agree_with_the_scalar_ones(texts: list[str]) -> None:
    series = pd.Series(texts, dtype=object)
    safe = csv_safe_texts(series)
    assert safe.tolist() == [csv_safe(t) for t in texts]
    assert strip_marks(safe).tolist() == texts


def test_the_delivery_register_neutralises_formulas(tmp_path: Path) -> None:
    """ricevute.csv: free texts that would open as a formula are written with an apostrophe."""
    import datetime as dt

    from conciliare_cli.letters.received import record

    record(tmp_path, ["ASST-1"], list_status="DEFINITIVA", channel="PEC",
           day=dt.date(2017, 10, 2), evidence='=HYPERLINK("http://x","y")',
           note="+39 333")  # fmt: skip
    text = (tmp_path / "ricevute.csv").read_text(encoding="utf-8-sig")
    assert "\"'=HYPERLINK(" in text and ";'+39 333" in text
