"""Never a half-written result: a run killed or failing midway leaves the previous one whole.

A child process writes a result the way the rank command does (everything into the temporary
folder of atomic_output, the manifest last, then moved into place) and dies on purpose at a
given step (conciliare_cli/publish/hooks.py): with SIGKILL, nothing gets to clean up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_publish_support import make_call_folder, needs_pdf

from conciliare_cli.publish.hooks import FAIL_AFTER, FAIL_MODE

pytestmark = [pytest.mark.pdf, needs_pdf]

TESTS = Path(__file__).resolve().parent

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_publish_support import RUN_DATE, run_call, write_outputs
    folder = Path(sys.argv[1])
    write_outputs(run_call(folder), folder / "esiti", "PROVVISORIA", RUN_DATE)
    """
)


def _run(folder: Path, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (FAIL_AFTER, FAIL_MODE)}
    env.update(env_extra or {})
    code = CHILD.format(tests=str(TESTS))
    return subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _change_rules(folder: Path) -> None:
    """So that a complete new run would give different files."""
    path = folder / "bando.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Voucher di conciliazione 2017", "Voucher 2017 bis"), "utf-8")


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A call folder with a complete previous result, made once for the module."""
    folder = make_call_folder(tmp_path_factory.mktemp("atomic") / "bando")
    done = _run(folder)
    assert done.returncode == 0, done.stderr
    return folder, _snapshot(folder / "esiti")


def _fresh(previous, tmp_path: Path) -> Path:
    import shutil

    src, _ = previous
    dst = tmp_path / "bando"
    shutil.copytree(src, dst)
    return dst


def test_previous_result_is_complete(previous):
    _, files = previous
    assert sorted(files) == [
        "graduatoria-pubblica.pdf",
        "graduatoria-pubblica.xlsx",
        "graduatoria.csv",
        "manifest.json",
    ]


@pytest.mark.parametrize("step", ["public_xlsx", "public_pdf", "manifest"])
def test_killed_midway_leaves_the_previous_result_whole(previous, tmp_path, step):
    folder = _fresh(previous, tmp_path)
    _change_rules(folder)
    done = _run(folder, {FAIL_AFTER: step, FAIL_MODE: "kill"})
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr)
    assert _snapshot(folder / "esiti") == previous[1]
    # it really died while writing: its temporary folder is still there, beside esiti/
    assert [p.name for p in folder.glob(".esiti.*.tmp")]


@pytest.mark.parametrize("step", ["public_xlsx", "manifest"])
def test_failure_midway_leaves_the_previous_result_whole_and_cleans_up(previous, tmp_path, step):
    folder = _fresh(previous, tmp_path)
    _change_rules(folder)
    done = _run(folder, {FAIL_AFTER: step})
    assert done.returncode == 1
    assert "failure injected" in done.stderr
    assert _snapshot(folder / "esiti") == previous[1]
    assert not list(folder.glob(".esiti.*.tmp"))


def test_the_same_run_without_failure_replaces_the_result(previous, tmp_path):
    """The control: the changed rules do change the files, so the tests above can fail."""
    folder = _fresh(previous, tmp_path)
    _change_rules(folder)
    done = _run(folder)
    assert done.returncode == 0, done.stderr
    after = _snapshot(folder / "esiti")
    assert sorted(after) == sorted(previous[1])
    assert after["graduatoria-pubblica.pdf"] != previous[1]["graduatoria-pubblica.pdf"]
    assert after["manifest.json"] != previous[1]["manifest.json"]


def test_failure_while_moving_into_place_leaves_the_previous_result_whole(
    previous, tmp_path, monkeypatch
):
    from test_publish_support import RUN_DATE, run_call, write_outputs

    folder = _fresh(previous, tmp_path)
    _change_rules(folder)
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        if Path(dst).parent == folder / "esiti":  # moving into place
            calls.append(dst)
            if len(calls) == 2:
                raise PermissionError(13, "file in uso", str(dst))
        return real_replace(src, dst)

    result = run_call(folder)
    monkeypatch.setattr(os, "replace", replace)
    with contextlib.suppress(PermissionError):
        write_outputs(result, folder / "esiti", "PROVVISORIA", RUN_DATE)
    monkeypatch.undo()
    assert len(calls) >= 2  # the failure did happen between two moves
    assert _snapshot(folder / "esiti") == previous[1]
