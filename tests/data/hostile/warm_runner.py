"""A warm runner for the hostile corpus: `python -m conciliare_cli ARGS` in a forked process.

Starting the CLI costs about 3 s of imports (pandas, WeasyPrint, fontTools...), more than
most hostile cases cost to run; the corpus runs about 120 commands. This process imports the
CLI once, then for each request forks a child that runs conciliare_cli's `__main__` exactly
as `python -m conciliare_cli ARGS` does, in its own process group, with a memory cap
(RLIMIT_AS) and a time limit: a traceback, a native abort or a hang of the child is seen by
the parent as it would be of a fresh process.

Protocol: one JSON request per line on stdin, {"runs": [[args...], ...], "cwd": DIR,
"timeout": S, "cap": BYTES}: the runs start together (two `rank` at once) and the answer is
one JSON line, a list of {"rc": exit code (-signal when killed), "out": output,
"timeout": bool}.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import runpy
import signal
import sys
import tempfile
import time
import traceback

import conciliare_cli.cli  # noqa: F401  (the imports every child shares)


def _child(args: list[str], cwd: str, out: str, cap: int) -> None:
    os.setpgid(0, 0)
    os.chdir(cwd)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    sys.argv = ["conciliare", *args]
    code = 0
    try:
        runpy.run_module("conciliare_cli", run_name="__main__", alter_sys=False)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _wait(pids: list[int], timeout: float) -> dict[int, tuple[int, bool]]:
    deadline = time.monotonic() + timeout
    done: dict[int, tuple[int, bool]] = {}
    while len(done) < len(pids):
        for pid in pids:
            if pid in done:
                continue
            got, status = os.waitpid(pid, os.WNOHANG)
            if got:
                done[pid] = (os.waitstatus_to_exitcode(status), False)
        if time.monotonic() > deadline:
            for pid in pids:
                if pid not in done:
                    os.killpg(pid, signal.SIGKILL)
                    _, status = os.waitpid(pid, 0)
                    done[pid] = (os.waitstatus_to_exitcode(status), True)
        time.sleep(0.02)
    return done


def handle(request: dict) -> list[dict]:
    outs, pids = [], []
    for args in request["runs"]:
        fd, out = tempfile.mkstemp(prefix="conciliare-run-", suffix=".txt")
        os.close(fd)
        pid = os.fork()
        if pid == 0:
            _child(args, request["cwd"], out, request["cap"])
        with contextlib.suppress(OSError):  # the child may have done it first
            os.setpgid(pid, pid)
        outs.append(out)
        pids.append(pid)
    done = _wait(pids, request["timeout"])
    answers = []
    for pid, out in zip(pids, outs, strict=True):
        with open(out, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        os.unlink(out)
        rc, timed_out = done[pid]
        answers.append({"rc": rc, "out": text, "timeout": timed_out})
    return answers


def main() -> None:
    for line in sys.stdin:
        print(json.dumps(handle(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
