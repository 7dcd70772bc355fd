"""Outputs written whole or not at all: one file (`atomic_file`) or a set of files
(`atomic_output`).

Every writer of the tool goes through here: a temporary file or folder beside the target, then
`os.replace`, so a reader never sees half a file and a failed run leaves the previous result
whole (DESIGN invariant 5).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path


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
    directory: str | os.PathLike,
    stale: Callable[[Path], Iterable[str]] | None = None,
    *,
    many_files: bool = False,
) -> Iterator[Path]:
    """A temporary folder next to `directory` to write a set of outputs into.

    On success every file written there (sub-folders included) is moved into `directory`,
    replacing files of the same name (other files of `directory` are left alone); on an
    exception the temporary folder is removed and `directory` is untouched.

    `stale(directory)` names files of an earlier run (relative paths) that this run replaces as
    a whole: those it does not write again are removed in the same swap, all or none.
    `many_files` (thousands of letters): one flush of the file system (os.sync) instead of one
    fsync per file, which costs milliseconds each.
    """
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)  # left by a run that was killed
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        files = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file())
        if many_files:
            os.sync()
        else:
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


def _swap_in(tmp: Path, target: Path, files: list[Path], gone: list[Path]) -> None:
    """Move `files` from `tmp` into `target` and remove `gone` from it, all or none.

    The files they replace (and those removed) are first set aside in a backup folder; if any
    move fails, the new files go back to `tmp` and the old ones are restored, so `target` keeps
    the previous result whole.
    """
    backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    set_aside: list[Path] = []
    moved_in: list[Path] = []
    try:
        for rel in [*files, *gone]:
            if (target / rel).exists():
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(target / rel, backup / rel)
                set_aside.append(rel)
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
