"""Outputs written whole or not at all (conciliare_cli/atomic.py)."""

from __future__ import annotations

import pytest

from conciliare_cli.atomic import atomic_file, atomic_output, atomic_write_bytes


def test_atomic_output_success_replaces_files(tmp_path):
    out = tmp_path / "esiti"
    out.mkdir()
    (out / "old.txt").write_text("old")
    (out / "keep.txt").write_text("keep")
    with atomic_output(out) as tmp:
        assert tmp.parent == out.parent and tmp != out
        (tmp / "old.txt").write_text("new")
        (tmp / "sub").mkdir()
        (tmp / "sub" / "a.xlsx").write_bytes(b"x")
    assert (out / "old.txt").read_text() == "new"
    assert (out / "keep.txt").read_text() == "keep"
    assert (out / "sub" / "a.xlsx").read_bytes() == b"x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["esiti"]


def test_atomic_output_new_folder(tmp_path):
    out = tmp_path / "new" / "esiti"
    with atomic_output(out) as tmp:
        (tmp / "a.csv").write_text("a")
    assert (out / "a.csv").read_text() == "a"
    assert sorted(p.name for p in out.parent.iterdir()) == ["esiti"]


def test_atomic_output_leaves_old_folder_intact_on_error(tmp_path):
    out = tmp_path / "esiti"
    out.mkdir()
    (out / "graduatoria.csv").write_text("old")
    with pytest.raises(RuntimeError), atomic_output(out) as tmp:
        (tmp / "graduatoria.csv").write_text("half")
        (tmp / "other.csv").write_text("half")
        raise RuntimeError("boom")
    assert (out / "graduatoria.csv").read_text() == "old"
    assert sorted(p.name for p in out.iterdir()) == ["graduatoria.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["esiti"]


def test_atomic_file_and_bytes(tmp_path):
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_file(target) as tmp:
        assert tmp.suffix == ".xlsx" and tmp.parent == tmp_path
        tmp.write_bytes(b"half")
        raise RuntimeError
    assert target.read_bytes() == b"old"
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.xlsx"]
