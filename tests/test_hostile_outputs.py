"""Regression tests of issue 11, second part: outputs written whole, locked, with the umask's
permissions, and an Italian message (exit 2) for every failure of the disk; the previous
outputs stay whole in every case.

Real failures where the machine allows them (root with `mount`: a tiny tmpfs that fills up,
one remounted read-only, one mounted on esiti/ itself), injected OSErrors otherwise; a kill at
every step of the swap, in a forked child."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conciliare_cli import atomic
from conciliare_cli.atomic import atomic_file, atomic_output, recover
from conciliare_cli.cli import app
from conciliare_cli.lock import LOCK_NAME, call_lock

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "hostile"))
import make_corpus as mc

CASES = {c.name: c for c in mc.CASES}
DATE = "2017-09-15"


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _rank(folder: Path, *more: str) -> object:
    return CliRunner().invoke(app, ["rank", str(folder), "--date", DATE, *more])


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".esiti."))


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small call (one partner) with its result in esiti/, made once."""
    folder = mc.make_case(CASES["due_rank_insieme"], tmp_path_factory.mktemp("outputs"))
    result = _rank(folder)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def call(ranked: Path, tmp_path: Path) -> Path:
    folder = tmp_path / ranked.name
    shutil.copytree(ranked, folder)
    return folder


def _changed_rules(folder: Path) -> None:
    """A new run with other bytes in every output (a different title)."""
    mc.edit_config(folder, 'title: "Conciliare', 'title: "Nuovo Conciliare')


# ------------------------------------------------------------------ esiti is a file


@pytest.mark.parametrize(
    "command",
    [["validate", "--date", DATE], ["rank", "--date", DATE], ["letters", "--format", "html"]],
)
def test_esiti_is_a_file(tmp_path: Path, command: list[str]) -> None:
    folder = mc.make_case(CASES["esiti_e_un_file"], tmp_path)
    before = (folder / "esiti").read_bytes()
    result = CliRunner().invoke(app, [command[0], str(folder), *command[1:]])
    assert result.exit_code == 2, result.output
    text = "".join(result.output.split())  # the console wraps the long path anywhere
    assert "esiti:c'èunfileconilnomedellacartelladegliesiti" in text
    assert (folder / "esiti").read_bytes() == before


# ------------------------------------------------------------------ two runs at once


def test_a_second_rank_while_one_runs_stops_and_touches_nothing(call: Path) -> None:
    before = _snapshot(call / "esiti")
    live_tmp = call / f".esiti.{os.getpid()}-altro.tmp"  # the other run's work in progress
    live_tmp.mkdir()
    (live_tmp / "graduatoria.csv").write_text("a metà", encoding="utf-8")
    with call_lock(call, "rank"):
        result = _rank(call)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert f"è già in corso 'rank' (processo {os.getpid()}, avviato il" in text
    assert _snapshot(call / "esiti") == before
    assert (live_tmp / "graduatoria.csv").read_text(encoding="utf-8") == "a metà"


def test_the_lock_is_released_when_its_holder_is_killed(call: Path) -> None:
    code = (
        "import os, signal, sys\n"
        "from conciliare_cli.lock import call_lock\n"
        "with call_lock(sys.argv[1], 'rank'):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(call)], check=False)
    assert done.returncode == -9
    assert (call / LOCK_NAME).exists()
    assert _rank(call).exit_code == 0


def test_validate_takes_the_lock_too(call: Path) -> None:
    with call_lock(call, "rank"):
        result = CliRunner().invoke(app, ["validate", str(call), "--date", DATE])
    assert result.exit_code == 2 and "già in corso 'rank'" in " ".join(result.output.split())


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def test_leftovers_of_a_dead_run_are_removed_those_of_a_live_one_kept(tmp_path: Path) -> None:
    out = tmp_path / "esiti"
    out.mkdir()
    dead = tmp_path / f".esiti.{_dead_pid()}-x.tmp"
    legacy = tmp_path / ".esiti.abc123.tmp"  # an older version's name, without a process
    live = tmp_path / f".esiti.{os.getppid()}-y.tmp"
    for folder in (dead, legacy, live):
        folder.mkdir()
        (folder / "a.csv").write_text("x", encoding="utf-8")
    with atomic_output(out) as tmp:
        (tmp / "a.csv").write_text("nuovo", encoding="utf-8")
    assert not dead.exists() and not legacy.exists()
    assert (live / "a.csv").read_text(encoding="utf-8") == "x"


# ------------------------------------------------------------------ a kill inside the swap


def _killed_swap(out: Path, kill_at: int, files: dict[str, str], gone: list[str]) -> int:
    """Fork a child that swaps `files` into `out` (removing `gone`) and dies at its
    `kill_at`-th os.replace; the number of os.replace calls the swap made (-1 if it finished)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no cleanup of any kind, as with kill -9
        os.close(read)
        calls = 0
        real = os.replace

        def replace(src: object, dst: object) -> None:
            nonlocal calls
            calls += 1
            os.write(write, b".")
            if calls == kill_at:
                os._exit(9)
            real(src, dst)

        os.replace = replace  # type: ignore[assignment]
        with atomic_output(out, stale=lambda folder: gone) as tmp:
            for rel, text in files.items():
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                (tmp / rel).write_text(text, encoding="utf-8")
        os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as fh:
        calls = len(fh.read())
    return calls if os.waitstatus_to_exitcode(status) == 9 else -1


def test_a_kill_at_any_step_of_the_swap_is_undone_at_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "esiti"
    old = {"graduatoria.csv": "vecchia", "manifest.json": "vecchio", "lettere/a.html": "a"}
    new = {"graduatoria.csv": "nuova", "manifest.json": "nuovo", "nuovo.pdf": "n"}
    step, seen = 1, []
    while True:
        shutil.rmtree(tmp_path)
        tmp_path.mkdir()
        for rel, text in old.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_text(text, encoding="utf-8")
        before = _snapshot(out)
        made = _killed_swap(out, step, new, gone=["lettere/a.html"])
        if made == -1:
            break
        seen.append(step)
        assert _leftovers(tmp_path), step  # the killed run left its backup behind
        recover(out)
        assert _snapshot(out) == before, step
        assert _leftovers(tmp_path) == [], step
        step += 1
    assert len(seen) >= 6  # three set aside, three moved in: a kill between every two


def test_rank_restores_the_previous_result_after_a_killed_swap(call: Path) -> None:
    before = _snapshot(call / "esiti")
    backup = call / f".esiti.{_dead_pid()}-z.old"  # as a swap killed midway leaves it
    (backup).mkdir()
    os.replace(call / "esiti" / "graduatoria.csv", backup / "graduatoria.csv")
    (call / "esiti" / "graduatoria.csv").write_text("nuova a metà", encoding="utf-8")
    (backup / atomic.JOURNAL).write_text(
        '{"tmp": "' + backup.name[:-4] + '.tmp", "files": ["graduatoria.csv"]}', "utf-8"
    )
    (backup / atomic.MOVING_IN).write_text("", encoding="utf-8")
    result = _rank(call, "--out", str(call / "esiti"))
    assert result.exit_code == 0, result.output
    assert "gli esiti di prima sono stati ripristinati" in " ".join(result.output.split())
    assert _leftovers(call) == []
    assert _snapshot(call / "esiti").keys() == before.keys()


def test_a_killed_swap_inside_esiti_is_undone_before_rank_archives_or_writes(call: Path) -> None:
    """letters killed while swapping esiti/lettere: the next rank puts the old letters back."""
    letters = call / "esiti" / "lettere"
    letters.mkdir()
    (letters / "A-1.html").write_text("vecchia", encoding="utf-8")
    before = _snapshot(letters)
    assert _killed_swap(letters, 3, {"A-1.html": "nuova", "B-2.html": "nuova"}, gone=[]) == 3
    assert [p.name for p in (call / "esiti").iterdir() if p.name.startswith(".lettere.")]
    assert _rank(call).exit_code == 0
    assert _snapshot(letters) == before
    assert not [p for p in (call / "esiti").iterdir() if p.name.startswith(".lettere.")]


# ------------------------------------------------------------------ permissions


@pytest.fixture
def umask() -> Iterator[Callable[..., Any]]:
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


@pytest.mark.parametrize(
    ("mask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)]
)
def test_outputs_follow_the_umask(
    tmp_path: Path, umask: Callable[..., Any], mask: int, file_mode: int, dir_mode: int
) -> None:
    umask(mask)
    folder = mc.make_case(CASES["due_rank_insieme"], tmp_path)
    assert _rank(folder).exit_code == 0
    assert CliRunner().invoke(app, ["validate", str(folder), "--date", DATE]).exit_code == 0
    esiti = folder / "esiti"
    modes = {p.relative_to(esiti).as_posix(): p.stat().st_mode & 0o777 for p in esiti.rglob("*")}
    assert {k: v for k, v in modes.items() if (esiti / k).is_file() and v != file_mode} == {}
    assert {k: v for k, v in modes.items() if (esiti / k).is_dir() and v != dir_mode} == {}
    assert esiti.stat().st_mode & 0o777 == dir_mode
    with atomic_file(tmp_path / "x.csv") as tmp:
        tmp.write_text("x", encoding="utf-8")
    assert (tmp_path / "x.csv").stat().st_mode & 0o777 == file_mode


# ------------------------------------------------------------------ the disk fails


@pytest.mark.parametrize(
    ("where", "code", "words"),
    [
        ("move_in", errno.ENOSPC, "spazio esaurito sul disco"),
        ("move_in", errno.EROFS, "sola lettura"),
        ("move_in", errno.EACCES, "permesso negato"),
        ("move_in", errno.EXDEV, "su un altro disco"),
        ("move_in", errno.EIO, "errore di lettura o scrittura del disco"),
        ("write", errno.ENOSPC, "spazio esaurito sul disco"),
        ("mkdtemp", errno.EROFS, "sola lettura"),
    ],
)
def test_a_failing_disk_is_one_message_and_the_old_outputs_stay(
    call: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str, where: str
) -> None:
    before = _snapshot(call / "esiti")
    _changed_rules(call)
    esiti = call / "esiti"
    failure = OSError(code, os.strerror(code), str(esiti / "graduatoria.xlsx"))
    if where == "mkdtemp":
        real_mkdtemp = tempfile.mkdtemp

        def mkdtemp(*args: object, **kwargs: object) -> str:
            if kwargs.get("dir") == esiti.parent:
                raise failure
            return real_mkdtemp(*args, **kwargs)

        monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    elif where == "write":
        monkeypatch.setattr(atomic, "_fsync", lambda path: (_ for _ in ()).throw(failure))
    else:
        real_replace, calls = os.replace, []

        def replace(src: object, dst: object) -> None:
            if Path(str(dst)).parent == esiti:  # moving a new file in
                calls.append(dst)
                if len(calls) == 3:  # two new files are in, three old ones set aside
                    raise failure
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", replace)
    result = _rank(call)
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert words in text and "gli esiti già scritti non sono cambiati" in text
    assert _snapshot(esiti) == before
    assert _leftovers(call) == []


# ------------------------------------------------------------------ real small disks (root)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """mount(size, where) a tmpfs (skipped where mounting is not allowed); unmounted after."""
    mounted: list[Path] = []

    def mount(where: Path, size: str, *options: str) -> None:
        where.mkdir(parents=True, exist_ok=True)
        opts = ",".join([f"size={size}", *options])
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)],
            capture_output=True,
            check=False,
        )
        if done.returncode:
            pytest.skip("tmpfs cannot be mounted here (needs root)")
        mounted.append(where)

    def remount_ro(where: Path) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)

    mount.remount_ro = remount_ro  # type: ignore[attr-defined]
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("tmpfs needs root")
    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], check=False)


def _on_disk(call: Path, disk: Path) -> Path:
    folder = disk / "bando"
    shutil.copytree(call, folder)
    return folder


def test_a_full_disk(call: Path, tmp_path: Path, tmpfs: Callable[..., Any]) -> None:
    disk = tmp_path / "disco"
    tmpfs(disk, "1m")
    folder = _on_disk(call, disk)
    before = _snapshot(folder / "esiti")
    _changed_rules(folder)
    free = shutil.disk_usage(disk).free
    with (disk / "riempitivo").open("wb") as fh:  # leave 20 KB: less than one new result
        fh.write(b"\0" * max(0, free - 20_000))
    result = _rank(folder)
    assert result.exit_code == 2, result.output
    assert "spazio esaurito sul disco" in " ".join(result.output.split())
    assert _snapshot(folder / "esiti") == before
    assert _leftovers(folder) == []


def test_a_read_only_disk(call: Path, tmp_path: Path, tmpfs: Callable[..., Any]) -> None:
    disk = tmp_path / "disco"
    tmpfs(disk, "2m")
    folder = _on_disk(call, disk)
    before = _snapshot(folder / "esiti")
    tmpfs.remount_ro(disk)
    result = _rank(folder)
    assert result.exit_code == 2, result.output
    assert "sola lettura" in " ".join(result.output.split())
    assert _snapshot(folder / "esiti") == before


def test_esiti_on_another_disk(call: Path, tmp_path: Path, tmpfs: Callable[..., Any]) -> None:
    """esiti/ is itself a mount point: files cannot be moved into it in one step."""
    before = _snapshot(call / "esiti")
    saved = tmp_path / "salvati"
    shutil.move(call / "esiti", saved)
    tmpfs(call / "esiti", "2m")
    for rel in before:
        shutil.copy(saved / rel, call / "esiti" / rel)
    _changed_rules(call)
    result = _rank(call)
    assert result.exit_code == 2, result.output
    assert "su un altro disco" in " ".join(result.output.split())
    assert _snapshot(call / "esiti") == before
    assert _leftovers(call) == []
