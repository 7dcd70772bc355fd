"""Provisional and final results: a DEFINITIVA result is never overwritten without --force,
and with --force it is archived, never deleted (conciliare_cli/publish/final.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conciliare_cli.errors import UserError
from conciliare_cli.publish import ARCHIVE, guard_final, result_status

DAY = dt.date(2017, 10, 2)


def _result(folder: Path, status: str, marker: str) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "graduatoria.xlsx": f"xlsx {marker}".encode(),
        "graduatoria.csv": f"csv {marker}".encode(),
        "manifest.json": json.dumps({"status": status, "run_date": "2017-09-15"}).encode(),
        "lettere/ASST-0001.pdf": f"letter {marker}".encode(),
    }
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return files


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_no_previous_result_nothing_to_do(tmp_path):
    guard_final(tmp_path / "esiti", final=True, force=False, run_date=DAY)
    assert not (tmp_path / "esiti").exists()
    (tmp_path / "esiti").mkdir()
    guard_final(tmp_path / "esiti", final=False, force=False, run_date=DAY)
    assert list((tmp_path / "esiti").iterdir()) == []


def test_provisional_is_replaced_by_provisional(tmp_path):
    out = tmp_path / "esiti"
    before = _result(out, "PROVVISORIA", "v1")
    guard_final(out, final=False, force=False, run_date=DAY)
    assert _tree(out) == before  # left in place: the new run replaces it
    assert result_status(out) == "PROVVISORIA"


@pytest.mark.parametrize("final", [False, True])
def test_final_result_is_not_overwritten_without_force(tmp_path, final):
    out = tmp_path / "esiti"
    before = _result(out, "DEFINITIVA", "v1")
    with pytest.raises(UserError) as err:
        guard_final(out, final=final, force=False, run_date=DAY)
    assert err.value.exit_code == 2
    assert "DEFINITIVA" in err.value.render() and "--forza" in err.value.render()
    assert "15/09/2017" in err.value.render()
    assert _tree(out) == before  # untouched


def test_force_archives_the_final_result(tmp_path):
    out = tmp_path / "esiti"
    before = _result(out, "DEFINITIVA", "v1")
    guard_final(out, final=True, force=True, run_date=DAY)
    archived = out / ARCHIVE / "2017-10-02_1"
    assert _tree(archived) == before  # everything kept, byte for byte
    assert [p.name for p in out.iterdir()] == [ARCHIVE]
    assert result_status(out) is None

    # a second forced run the same day: a new numbered folder, the first archive kept
    second = _result(out, "DEFINITIVA", "v2")
    guard_final(out, final=True, force=True, run_date=DAY)
    assert _tree(archived) == before
    assert _tree(out / ARCHIVE / "2017-10-02_2") == second


def test_going_final_archives_the_provisional(tmp_path):
    out = tmp_path / "esiti"
    before = _result(out, "PROVVISORIA", "v1")
    guard_final(out, final=True, force=False, run_date=DAY)
    assert _tree(out / ARCHIVE / "2017-10-02_1") == before


def test_unreadable_manifest_is_a_user_error(tmp_path):
    out = tmp_path / "esiti"
    out.mkdir()
    (out / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError):
        guard_final(out, final=False, force=False, run_date=DAY)
