"""background.in_background: the public list written in a second process gives the same files,
and what fails there fails here."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from conciliare_cli import background, runs
from conciliare_cli.background import BackgroundDied, BackgroundError, in_background

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "conciliare-2017"
needs_fork = pytest.mark.skipif(
    not (background.can_fork() and background.cores() > 1), reason="one core or no fork here"
)


def _files(folder: Path) -> dict[str, bytes]:
    """The files of a folder (not its subfolders), name -> bytes."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_the_work_runs_and_its_files_are_there(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    with in_background(lambda: target.write_text("scritto")):
        pass
    assert target.read_text() == "scritto"


@needs_fork
def test_it_runs_at_the_same_time_in_another_process(tmp_path: Path) -> None:
    target = tmp_path / "pid.txt"
    with in_background(lambda: target.write_text(str(os.getpid()))):
        pass
    assert int(target.read_text()) != os.getpid()


class Unpicklable(Exception):
    def __init__(self, a: str, b: str) -> None:  # pickling calls Unpicklable(args) and fails
        super().__init__(a)
        self.b = b

    def __reduce__(self):  # type: ignore[no-untyped-def]
        raise TypeError("no")


def _fail() -> None:
    raise ValueError("rotto nel secondo processo")


def _fail_unpicklable() -> None:
    raise Unpicklable("a", "b")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("parallel", [True, False])
def test_an_exception_comes_back_as_itself(parallel: bool) -> None:
    with (
        pytest.raises(ValueError, match="rotto nel secondo processo"),
        in_background(_fail, parallel=parallel),
    ):
        pass


@needs_fork
def test_what_cannot_come_back_as_itself_comes_back_as_its_traceback() -> None:
    with pytest.raises(BackgroundError, match="Unpicklable"), in_background(_fail_unpicklable):
        pass


@needs_fork
def test_a_second_process_that_dies_is_an_error() -> None:
    with pytest.raises(BackgroundDied, match="codice di uscita -9") as died, in_background(_die):
        pass
    assert died.value.exit_code == 1
    assert "gli esiti precedenti non sono stati toccati" in str(died.value)


@needs_fork
def test_the_parents_own_error_wins_and_the_child_is_waited_for(tmp_path: Path) -> None:
    done = tmp_path / "done"
    with pytest.raises(KeyError), in_background(lambda: done.write_text("ok")):
        raise KeyError("qui")
    assert done.read_text() == "ok"  # waited for, not left running


@needs_fork
def test_outputs_written_in_parallel_are_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "call"
    shutil.copytree(EXAMPLE, folder)
    result = runs.run(folder)
    monkeypatch.setattr(runs, "PARALLEL_FROM", 10**9)
    runs.write_outputs(result, tmp_path / "alone", "PROVVISORIA", runs.dt.date(2017, 9, 15))
    monkeypatch.setattr(runs, "PARALLEL_FROM", 0)
    runs.write_outputs(result, tmp_path / "both", "PROVVISORIA", runs.dt.date(2017, 9, 15))
    alone = _files(tmp_path / "alone")
    assert "graduatoria-pubblica.pdf" in alone
    assert _files(tmp_path / "both") == alone  # the same files, byte for byte


@needs_fork
def test_rank_whose_second_writer_is_killed_leaves_the_previous_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from conciliare_cli.cli import app

    folder = tmp_path / "call"
    shutil.copytree(EXAMPLE, folder)
    runner = CliRunner()
    first = runner.invoke(app, ["rank", str(folder), "--data", "2017-09-15"])
    assert first.exit_code == 0, first.output
    before = _files(folder / "esiti")
    monkeypatch.setattr(runs, "PARALLEL_FROM", 0)
    monkeypatch.setattr(runs, "write_public", lambda *a, **k: _die())
    again = runner.invoke(app, ["rank", str(folder), "--data", "2017-09-16"])
    assert again.exit_code == 1
    said = " ".join(again.output.split())
    assert "il secondo processo di scrittura si è interrotto" in said and "Traceback" not in said
    assert _files(folder / "esiti") == before
