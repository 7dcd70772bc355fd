"""One writer at a time in a call folder: `.conciliare.lock`.

`rank`, `validate` and the commands after the final list (`evento`, `scorrimento`, `controlli`,
`situazione`, `letters --scorrimento`) hold the lock while they read and write: a second
command started on the same call folder meanwhile (two coordinators issuing an act at once)
stops at once with an Italian message (exit code 2) naming the command that holds it, instead
of mixing its outputs with the other's or removing the other's temporary folder. The lock is an
operating-system lock on the file (flock), released when the process ends in any way, kill -9
and power cuts included: a lock is never left behind, and the file itself, which stays in the
folder, means nothing when no process holds it.

A call folder where the file cannot be created (a read-only folder, with --out elsewhere) is
not locked: nothing can be written into it by any command anyway.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from conciliare_cli.errors import UserError
from conciliare_cli.italian import datetime_short

LOCK_NAME = ".conciliare.lock"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def call_lock(folder: Path | str, command: str) -> Iterator[Path | None]:
    """Hold the lock of the call `folder` for `command`; UserError when another holds it."""
    path = Path(folder) / LOCK_NAME
    if not Path(folder).is_dir() or fcntl is None:
        yield None  # no folder: the command itself says so; no flock: no lock
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            yield None
            return
        raise
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(path, _holder(fd)) from None
        os.ftruncate(fd, 0)
        started = datetime_short(dt.datetime.now())
        os.pwrite(fd, f"{command} {os.getpid()} {started}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        parts = os.pread(fd, 200, 0).decode("utf-8").split(" ", 2)
        if len(parts) == 3:
            return f"'{parts[0]}' (processo {parts[1]}, avviato il {parts[2].strip()})"
    return "un altro comando"


def _busy(path: Path, holder: str) -> UserError:
    return UserError(
        f"in questa cartella del bando è già in corso {holder}: due comandi non possono "
        "scrivere nello stesso momento",
        file=str(path.parent),
        hint="attendere che finisca e rilanciare il comando; i file dell'altro comando non "
        "sono stati toccati",
    )
