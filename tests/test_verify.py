"""`conciliare verify` (conciliare_cli/audit.py, commands/verify.py): a re-run that
reproduces the result, and every kind of difference it must catch.

These tests run the publishing part on its own: the call is computed by a stand-in for
runs.run (tests/test_publish_support.py); test_reproducible.py runs the real pipeline.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from test_publish_support import (
    RUN_DATE,
    make_call_folder,
    needs_pdf,
    run_call,
    write_outputs,
)
from typer.testing import CliRunner

from conciliare_cli import audit as verify_mod
from conciliare_cli.audit import REPRODUCED, verify_result
from conciliare_cli.errors import UserError

pytestmark = [pytest.mark.pdf, needs_pdf]


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A call folder with its result in esiti/."""
    folder = make_call_folder(tmp_path / "bando")
    write_outputs(run_call(folder), folder / "esiti", "PROVVISORIA", RUN_DATE)
    return folder


def _verify(folder: Path, out: Path | None = None):
    return verify_result(folder, out, runner=run_call, writer=write_outputs)


def test_untouched_result_is_reproduced(published):
    report = _verify(published)
    assert report.reproduced, report.lines()
    assert report.lines() == []
    assert report.status == "PROVVISORIA" and report.run_date == RUN_DATE


def test_changed_input_file(published):
    path = published / "partner" / "ats.csv"
    path.write_bytes(path.read_bytes() + b"ATS-0009;Nuova\n")
    report = _verify(published)
    assert not report.reproduced
    assert report.inputs_changed == ["partner/ats.csv"]
    assert "file di input modificato: partner/ats.csv" in report.lines()


def test_added_and_removed_input_files(published):
    (published / "partner" / "asst.csv").unlink()
    (published / "partner" / "asst-bis.csv").write_text("Protocollo\nX\n", encoding="utf-8")
    report = _verify(published)
    assert report.inputs_removed == ["partner/asst.csv"]
    assert report.inputs_added == ["partner/asst-bis.csv"]
    assert not report.reproduced


def test_changed_output_file(published):
    path = published / "esiti" / "graduatoria-pubblica.xlsx"
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    report = _verify(published)
    assert report.stored_changed == ["graduatoria-pubblica.xlsx"]
    assert report.rerun_differs == []  # the re-run still gives the published hashes
    assert not report.reproduced


def test_missing_output_file(published):
    (published / "esiti" / "graduatoria-pubblica.pdf").unlink()
    report = _verify(published)
    assert report.stored_missing == ["graduatoria-pubblica.pdf"]
    assert not report.reproduced


def test_changed_rules_change_the_rerun(published):
    path = published / "bando.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Voucher di conciliazione 2017", "Voucher 2017"), "utf-8")
    report = _verify(published)
    assert report.rules_changed
    assert "graduatoria-pubblica.pdf" in report.rerun_differs
    assert "graduatoria-pubblica.xlsx" in report.rerun_differs
    assert not report.reproduced


def test_rerun_that_produces_other_files(published):
    def writer(result, target, status, run_date):
        write_outputs(result, target, status, run_date)
        (target / "extra.txt").write_text("x", encoding="utf-8")

    report = verify_result(published, runner=run_call, writer=writer)
    assert report.rerun_extra == ["extra.txt"]


def test_rerun_failure_is_reported(published):
    def runner(folder, call=None, **_recorded):
        raise UserError("colonna 'Protocollo' non trovata", file="partner/ats.csv")

    report = verify_result(published, runner=runner, writer=write_outputs)
    assert not report.reproduced
    assert "partner/ats.csv" in (report.rerun_error or "")


def test_no_manifest_is_a_user_error(tmp_path):
    folder = make_call_folder(tmp_path / "bando")
    with pytest.raises(UserError) as err:
        _verify(folder)
    assert "manifest.json" in err.value.render()


def test_out_option_points_at_another_folder(tmp_path):
    folder = make_call_folder(tmp_path / "bando")
    out = tmp_path / "pubblicata"
    write_outputs(run_call(folder), out, "DEFINITIVA", RUN_DATE)
    report = _verify(folder, out)
    assert report.reproduced and report.status == "DEFINITIVA"


# ----------------------------------------------------------------------------- the command


@pytest.fixture
def cli(monkeypatch):
    from conciliare_cli.cli import app
    from conciliare_cli.commands import verify as command

    monkeypatch.setattr(
        command,
        "verify_result",
        functools.partial(verify_mod.verify_result, runner=run_call, writer=write_outputs),
    )
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_command_exit_codes(cli, published):
    ok = cli("verify", str(published))
    assert ok.exit_code == 0, ok.output
    assert REPRODUCED in ok.output

    path = published / "partner" / "asst.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    differs = cli("verify", str(published))
    assert differs.exit_code == 1, differs.output
    assert REPRODUCED not in differs.output
    assert "partner/asst.csv" in differs.output

    missing = cli("verify", str(published), "--out", str(published / "nessuna"))
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output
