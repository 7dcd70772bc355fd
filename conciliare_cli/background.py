"""One piece of work done in a second process while this one goes on: `rank` writes the public
list (xlsx and PDF/A) there while it writes graduatoria.csv and graduatoria.xlsx here.

The second process is a fork: it starts with this process's memory (the result, already
ordered), so nothing is copied or pickled on the way in; the work writes its files itself and
only its return value (small) or its exception comes back. Where fork is missing (Windows,
macOS by default), with one core, or when asked not to, the work runs here, first: the
files are the same bytes either way, only the time differs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from conciliare_cli.errors import UserError


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class BackgroundError(RuntimeError):
    """The work failed in the second process in a way that cannot be sent back as itself."""


class BackgroundDied(UserError):
    """The second process ended without a word (killed, out of memory): an Italian message,
    not a traceback; what it was writing is in the temporary folder, never moved in."""

    exit_code = 1

    def __init__(self, exitcode: int | None):
        super().__init__(
            f"il secondo processo di scrittura si è interrotto (codice di uscita {exitcode}: "
            "processo terminato dall'esterno o memoria esaurita); gli esiti precedenti non "
            "sono stati toccati",
            hint="rilanciare il comando",
        )
        self.exitcode = exitcode


@contextmanager
def in_background(work: Callable[[], Any], parallel: bool = True) -> Iterator[None]:
    """Run `work` in a forked process while the block runs; on leaving the block wait for it
    and raise what it raised. When `parallel` is false (or cannot be) run it here, before the
    block."""
    if not (parallel and can_fork() and cores() > 1):
        work()
        yield
        return
    for stream in (sys.stdout, sys.stderr):  # else the child would write the buffer again
        stream.flush()
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            work()
            send.send(None)
        except BaseException as exc:  # every failure goes back to the parent
            try:
                send.send(exc)
            except Exception:  # an exception that cannot be pickled: its traceback
                send.send(BackgroundError(traceback.format_exc()))

    process = ctx.Process(target=child, daemon=True)
    process.start()
    send.close()  # the child's end: EOF here when the child dies without a word
    try:
        yield
    finally:
        try:
            outcome: BaseException | None = receive.recv()
        except EOFError:
            outcome = None
        process.join()
        receive.close()
        if outcome is None and process.exitcode != 0:
            outcome = BackgroundDied(process.exitcode)
    if outcome is not None:
        raise outcome
