"""Regression tests of issue 11, first part, each on a real broken file made by the corpus
script (tests/data/hostile/make_corpus.py): values changed silently at the reader, limits
checked before reading, console markup in partner data, paths out of the call folder.
Tests assert finding codes and exit codes, and that the message names the file."""

from __future__ import annotations

import shutil
import sys
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.config import load_call
from conciliare_cli.errors import UserError
from conciliare_cli.read import guard, read_call
from conciliare_cli.read.clean import INVISIBLE
from conciliare_cli.validate import validate_call

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "hostile"))
import make_corpus as mc


def _case(tmp_path: Path, *builders, partners=("ASST", "COOP")) -> Path:
    folder = tmp_path / "bando"
    shutil.copytree(mc.EXAMPLE, folder, ignore=shutil.ignore_patterns("esiti", "README.md"))
    mc.only_partners(folder, partners)
    for build in builders:
        build(folder)
    return folder


def _validate(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    read, findings = validate_call(load_call(folder))
    return read.minors, findings


def _refused(folder: Path) -> UserError:
    with pytest.raises(UserError) as err:
        read_call(load_call(folder))
    return err.value


def _codes(findings: pd.DataFrame, field: str) -> dict[object, str]:
    """source_row -> code of the reader findings on one field."""
    mine = findings[findings["field"] == field]
    return dict(zip(mine["source_row"], mine["code"], strict=True))


# ------------------------------------------------------------------ values


def test_excel_error_cells_nan_and_inf_are_unreadable_never_missing(tmp_path: Path) -> None:
    folder = _case(tmp_path, mc.excel_errors, mc.nan_number)
    minors, findings = _validate(folder)
    errors = findings[findings["code"] == "CELLA_IN_ERRORE"]
    got = sorted(zip(errors["field"], errors["value"], errors["source_file"], strict=True))
    assert got == [
        ("isee", "#N/A", mc.ASST),
        ("isee", "NaN", mc.ASST),
        ("isee", "inf", mc.ASST),
        ("requested_eur", "#DIV/0!", mc.ASST),
    ]
    assert (errors["severity"] == "BLOCCANTE").all()
    rows = set(errors["source_row"])
    at = minors[minors["source_row"].isin(rows) & (minors["partner_id"] == "ASST")]
    assert at["isee"].isna().any()
    # a cell already reported as unreadable is not also "missing"
    missing = findings[findings["code"] == "CAMPO_OBBLIGATORIO_MANCANTE"]
    assert not set(zip(missing["source_row"], missing["field"], strict=False)) & set(
        zip(errors["source_row"], errors["field"], strict=False)
    )


def test_ods_error_cells_are_unreadable(tmp_path: Path) -> None:
    minors, findings = _validate(_case(tmp_path, mc.ods_error_cell, partners=("COMUNE",)))
    errors = findings[findings["code"] == "CELLA_IN_ERRORE"]
    assert errors[["field", "value", "source_file"]].values.tolist() == [
        ["isee", "#DIV/0!", mc.COMUNE]
    ]
    row = int(errors["source_row"].iloc[0])
    assert minors.loc[minors["source_row"] == row, "isee"].isna().all()


def test_error_texts_in_a_csv_are_unreadable(tmp_path: Path) -> None:
    folder = _case(tmp_path, mc.error_texts)
    _, findings = _validate(folder)
    errors = findings[findings["code"] == "CELLA_IN_ERRORE"]
    assert sorted(errors["value"]) == ["#DIV/0!", "#N/A", "#N/D"]
    assert set(errors["source_file"]) == {mc.COOP}
    assert set(errors["source_row"]) == {2, 3, 4}  # the CSV's lines


def test_invisible_characters_never_split_an_application(tmp_path: Path) -> None:
    clean, _ = _validate(_case(tmp_path / "a"))
    minors, findings = _validate(_case(tmp_path / "b", mc.invisible_ids))
    assert sorted(minors["application_id"].unique()) == sorted(clean["application_id"].unique())
    assert len(minors) == len(clean)
    assert minors["applicant_tax_code"].tolist() == clean["applicant_tax_code"].tolist()
    assert minors["applicant_name"].tolist() == clean["applicant_name"].tolist()
    found = findings[findings["code"] == "CARATTERI_INVISIBILI_RIMOSSI"]
    assert sorted(found["field"]) == [
        "applicant_tax_code",
        "application_id",
        "application_id",
        "application_id",
    ]
    assert found["value"].str.contains("<U+").all()
    assert (found["source_file"] == mc.COOP).all()


def test_odd_amounts(tmp_path: Path) -> None:
    minors, findings = _validate(_case(tmp_path, mc.odd_amounts))
    coop = minors[minors["partner_id"] == "COOP"].set_index("source_row")
    assert coop.loc[2, "requested_eur"] == 0  # '-0'
    assert pd.isna(coop.loc[3, "requested_eur"])  # '0,0000000001': never 0,00 EUR
    assert coop.loc[4, "requested_eur"] == 1235  # '12,345'
    mine = findings[(findings["source_file"] == mc.COOP) & findings["source_row"].isin([2, 3, 4])]
    assert _codes(mine, "requested_eur") == {3: "IMPORTO_NON_LEGGIBILE", 4: "IMPORTO_ARROTONDATO"}
    rounded = findings[findings["code"] == "IMPORTO_ARROTONDATO"]
    assert "12,35" in rounded["message"].iloc[0]


def test_control_characters_are_shown_not_sent_to_the_terminal() -> None:
    from conciliare_cli.read.clean import visible

    assert visible("\x1b[2JA\u200bB") == "<U+001B>[2JA<U+200B>B"


def test_invisible_class_is_unicode_cc_and_cf_less_whitespace() -> None:
    expected = {
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cc", "Cf") and not chr(c).isspace()
    }
    assert unicodedata.unidata_version == "14.0.0" or expected  # computed on this Python
    sample = "".join(sorted(expected))
    assert set(INVISIBLE.findall(sample)) == expected
    assert not INVISIBLE.search(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u00a0abc")


# ------------------------------------------------------------------ limits


@pytest.mark.parametrize(
    ("builder", "rel", "words"),
    [
        (mc.far_cell, mc.ASST, ["foglio", "17.179.869.184 celle"]),
        (mc.many_rows, mc.ASST, ["foglio", "righe", "1.048.576"]),
        (mc.wide_header, mc.COOP, ["colonne", "16.384"]),
        (mc.huge_file, mc.COOP, ["byte", "1.073.741.824"]),
    ],
    ids=["xfd1048576", "3M-rows", "1M-columns", "2GB"],
)
def test_limits_refuse_before_reading(tmp_path: Path, builder, rel: str, words) -> None:
    err = _refused(_case(tmp_path, builder))
    assert err.file == rel
    assert err.exit_code == 2
    for w in words:
        assert w in err.message


@pytest.mark.parametrize("builder", [mc.far_cell, mc.many_rows])
def test_limits_hold_when_only_the_first_rows_are_looked_at_cell_by_cell(
    tmp_path: Path, builder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guard reads the first rows of a sheet cell by cell and the rest on its fast path
    (read/guard.py, _FIRST_LOOK): a far cell or too many rows after them are still refused,
    and an ordinary sheet gives the same block either way."""
    ordinary = mc.EXAMPLE / mc.ASST
    with zipfile.ZipFile(ordinary) as zf:
        names = list(guard.xlsx_sheet_parts(zf))
    whole = [guard.scan_xlsx_sheet(ordinary, mc.ASST, n) for n in names]
    monkeypatch.setattr(guard, "_FIRST_LOOK", 300)
    assert [guard.scan_xlsx_sheet(ordinary, mc.ASST, n) for n in names] == whole
    err = _refused(_case(tmp_path, builder))
    assert err.file == mc.ASST and err.exit_code == 2


@pytest.mark.parametrize(
    ("builder", "line"),
    [(mc.huge_field, 2), (mc.huge_field_in_data, -1)],
    ids=["among-the-first-lines", "far-below-the-header"],
)
def test_a_cell_over_the_limit_is_a_finding_on_that_cell(tmp_path: Path, builder, line) -> None:
    """A CSV cell of 200,000 characters (over Excel's 32,767) is unreadable on its row; the
    rest of the file is read as it would be without it (issue 11, part 2)."""
    clean, _ = _validate(_case(tmp_path / "a"))
    folder = _case(tmp_path / "b", builder)
    if line < 0:  # the file's last line
        line = len((folder / mc.COOP).read_text(encoding="utf-8").splitlines())
    minors, findings = _validate(folder)
    errors = findings[findings["code"] == "CELLA_IN_ERRORE"]
    assert errors[["field", "source_file", "source_row"]].values.tolist() == [
        ["applicant_name", mc.COOP, line]
    ]
    assert errors["value"].tolist() == ["testo di 200.000 caratteri, oltre il limite di 32.767"]
    coop = minors[minors["partner_id"] == "COOP"]
    assert coop.loc[coop["source_row"] == line, "applicant_name"].isna().all()
    expected = len(clean[clean["partner_id"] == "COOP"]) + (40 if line > 2 else 0)
    assert len(coop) == expected


def test_ods_repeats_over_the_limits_are_refused(tmp_path: Path) -> None:
    err = _refused(_case(tmp_path, mc.ods_repeats, partners=("COMUNE",)))
    assert err.file == mc.COMUNE
    assert "limite" in err.message and "danneggiato" not in err.message


def test_limits_leave_room_for_a_region() -> None:
    # one file of 1,000,000 minors, one per row, with 31 columns fits
    guard.check_block("a.xlsx", "Dati", 1_000_001, 31)
    assert guard.MAX_ROWS >= 1_000_001 and guard.MAX_CELL_CHARS == 32_767


def test_limits_cli_exit_2_and_file_named(tmp_path: Path) -> None:
    folder = _case(tmp_path, mc.far_cell)
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert mc.ASST in result.output and "Traceback" not in result.output


# ------------------------------------------------------------------ markup


def test_markup_in_a_missing_header_is_printed_literally(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(_case(tmp_path, mc.markup_headers))])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())  # rich wraps long lines
    assert "'Costo [/] [bold]x'" in text
    assert mc.COOP in text


def test_markup_in_unused_columns_and_values_is_printed_literally(tmp_path: Path) -> None:
    folder = _case(tmp_path, mc.markup_unused)
    result = CliRunner().invoke(app, ["validate", str(folder), "--date", "2017-09-15"])
    assert result.exit_code == 0, result.output
    assert "[link=http://example.invalid]clic[/link] [/]" in " ".join(result.output.split())
    assert "\x1b]8;" not in result.output  # no terminal hyperlink


def test_error_message_with_markup_survives_in_rank(tmp_path: Path) -> None:
    folder = _case(tmp_path, mc.markup_headers)
    result = CliRunner().invoke(app, ["rank", str(folder)])
    assert result.exit_code == 2 and "[bold]x" in " ".join(result.output.split())


# ------------------------------------------------------------------ paths


@pytest.mark.parametrize(
    ("builder", "named"),
    [
        (mc.absolute_glob, "bando.yaml"),
        (mc.dotdot_glob, "bando.yaml"),
        (mc.symlink_file, mc.COOP),
        (mc.symlink_dir, "partner/esterni/coop_il_sorriso.csv"),
    ],
    ids=["absolute", "dotdot", "link-to-file", "link-to-folder"],
)
def test_files_outside_the_call_folder_are_refused(tmp_path: Path, builder, named: str) -> None:
    folder = _case(tmp_path, builder)
    err = _refused(folder)
    assert err.file == named
    assert "fuori dalla cartella del bando" in err.message or "esce dalla cartella" in err.message
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2 and "Traceback" not in result.output
