"""Outputs written whole or not at all: one file (`atomic_file`) or a set of files
(`atomic_output`).

Every writer of the tool goes through here: a temporary file or folder beside the target, then
`os.replace`, so a reader never sees half a file and a failed run leaves the previous result
whole (DESIGN invariant 5).

- Files and folders are created with the permissions the umask allows (0644 and 0755 with the
  usual umask 022), as any program's files: never the 0600 of a temporary file.
- The temporary folder (`.esiti.<pid>-<random>.tmp`) and the backup of a swap
  (`.esiti.<pid>-<random>.old`) carry the id of the process that made them: a later run
  removes only those of a process that is no longer running, never another live run's.
- A set of files is swapped in by moving the old files aside into the backup folder, then the
  new ones in; a journal in the backup says how far it got. A run killed in the middle (power
  cut, kill -9) leaves the backup behind: the next write to the same folder (`recover`) first
  puts the previous result back whole, then goes on.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

JOURNAL = ".conciliare-swap.json"  # in a backup folder: what the swap moves (written first)
MOVING_IN = ".conciliare-swap.in"  # in a backup folder: every old file is set aside


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _follow_umask(path: Path, mode: int) -> None:
    """Give `path` (made by mkstemp/mkdtemp: 0600/0700) the mode the umask allows."""
    os.chmod(path, mode & ~_umask())


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path next to `path`; on success it replaces `path`, on error it is removed.

    The temporary file keeps the suffix of `path` (writers that look at it are happy) and lives in
    the same folder, so the final os.replace is atomic.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _follow_umask(tmp, 0o666)
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to `path` atomically (temp file in the same folder, then os.replace)."""
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 `text` with '\\n' line endings to `path` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_output(
    directory: str | os.PathLike, stale: Callable[[Path], Iterable[str]] | None = None
) -> Iterator[Path]:
    """A temporary folder next to `directory` to write a set of outputs into.

    On success every file written there (sub-folders included) is moved into `directory`,
    replacing files of the same name (other files of `directory` are left alone); on an
    exception the temporary folder is removed and `directory` is untouched.

    `stale(directory)` names files of an earlier run (relative paths) that this run replaces as
    a whole: those it does not write again are removed in the same swap, all or none.
    """
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover(target)  # a swap killed midway: the previous result back first
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent))
    try:
        _follow_umask(tmp, 0o777)
        yield tmp
        files = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file())
        for rel in files:
            _fsync(tmp / rel)
        if not target.exists():
            os.replace(tmp, target)  # a new folder appears whole, in one step
            return
        written = {rel.as_posix() for rel in files}
        gone = sorted(
            Path(rel)
            for rel in (stale(target) if stale is not None else ())
            if rel not in written and (target / rel).is_file()
        )
        _swap_in(tmp, target, files, gone)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}-"


def _swap_in(tmp: Path, target: Path, files: list[Path], gone: list[Path]) -> None:
    """Move `files` from `tmp` into `target` and remove `gone` from it, all or none.

    The files they replace (and those removed) are first set aside in a backup folder; if any
    move fails, the new files go back to `tmp` and the old ones are restored, so `target` keeps
    the previous result whole. If the process dies midway, `recover` does the same later.
    """
    backup = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".old", dir=target.parent))
    set_aside: list[Path] = []
    moved_in: list[Path] = []
    try:
        journal = {"tmp": tmp.name, "files": [rel.as_posix() for rel in files]}
        _write_synced(backup / JOURNAL, json.dumps(journal))
        for rel in [*files, *gone]:
            if (target / rel).exists():
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(target / rel, backup / rel)
                set_aside.append(rel)
        _write_synced(backup / MOVING_IN, "")
        for rel in files:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / rel, target / rel)
            moved_in.append(rel)
    except BaseException:
        for rel in reversed(moved_in):
            with contextlib.suppress(OSError):
                os.replace(target / rel, tmp / rel)
        for rel in reversed(set_aside):
            os.replace(backup / rel, target / rel)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def recover(directory: str | os.PathLike) -> list[str]:
    """Undo what a run that died left beside `directory`; the names of what it undid.

    A backup (`.<name>.<pid>-*.old`) of a process no longer running means a swap was cut
    short: the new files it had moved in are taken out and the old ones put back, so
    `directory` holds the previous result whole. Temporary folders of dead processes are
    removed. Those of a live process (another run at work) are left alone.
    """
    target = Path(directory)
    done: list[str] = []
    if not target.parent.is_dir():
        return done
    for backup in sorted(target.parent.glob(f".{target.name}.*.old")):
        if backup.is_dir() and not _owner_alive(backup):
            _roll_back(backup, target)
            done.append(backup.name)
    for tmp in sorted(target.parent.glob(f".{target.name}.*.tmp")):
        if tmp.is_dir() and not _owner_alive(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
            done.append(tmp.name)
    return done


def recover_tree(directory: str | os.PathLike) -> list[str]:
    """`recover` for `directory` and for every folder inside it that a swap was writing
    (`directory/lettere` when `.lettere.*.old` is in `directory`), so that archiving or
    replacing `directory` never carries a half-swapped folder along."""
    target = Path(directory)
    done = recover(target)
    if target.is_dir():
        names = {p.name[1:].rsplit(".", 2)[0] for p in target.glob(".?*.*.old")}
        for name in sorted(names):
            done += recover(target / name)
    return done


def _roll_back(backup: Path, target: Path) -> None:
    """Put the files set aside in `backup` back into `target`, after taking out the new files
    a swap had already moved in (those no longer in its temporary folder)."""
    try:
        journal = json.loads((backup / JOURNAL).read_text(encoding="utf-8"))
        tmp, files = target.parent / str(journal["tmp"]), [str(f) for f in journal["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        tmp, files = None, []  # no journal: killed before anything was moved
    if tmp is not None and (backup / MOVING_IN).exists():
        for rel in files:
            if not (tmp / rel).exists() and (target / rel).is_file():
                (target / rel).unlink()
    kept = sorted(
        p.relative_to(backup)
        for p in backup.rglob("*")
        if p.is_file() and p.name not in (JOURNAL, MOVING_IN)
    )
    for rel in kept:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(backup / rel, target / rel)
    shutil.rmtree(backup, ignore_errors=True)
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)


def _owner_alive(path: Path) -> bool:
    """Whether the process named in `.<name>.<pid>-<random>.tmp|old` is still running (a name
    without a process id, from an older version, counts as left behind)."""
    pid_text = path.name.rsplit(".", 2)[-2].split("-", 1)[0]
    if not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def _write_synced(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    _fsync(path)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
