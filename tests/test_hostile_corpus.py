"""The hostile corpus (tests/data/hostile/make_corpus.py) through validate, rank, letters and
verify, each as its own process (`python -m conciliare_cli ...`) with a time limit and a
memory cap: any traceback, hang, native abort or exit code other than 0 or 2 fails the case.

A case still open would be marked 'part2' and run as an expected failure with its reason
(strict: it turns into a failure when fixed, so the mark must then be removed); none is open
today, and every class must pass. Each command
runs in a child forked from a warm runner that imported the CLI once (warm_runner.py), so
the corpus costs what its commands cost, not 120 start-ups of the CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "hostile"))
import make_corpus
from make_corpus import CASES, Case

pytestmark = pytest.mark.slow

TIMEOUT = 30  # seconds a command may take (a case's commands take 1-3 s each on 2 busy cores)
MEMORY_CAP = 3 << 30  # bytes of address space a command may map (RLIMIT_AS)
DATE = "2017-09-15"
COMMANDS = [
    ["validate", "--date", DATE],
    ["rank", "--date", DATE],
    ["letters", "--date", DATE],
    ["verify"],
]


RUNNER = Path(__file__).resolve().parent / "data" / "hostile" / "warm_runner.py"


class Runner:
    """One warm runner process (tests/data/hostile/warm_runner.py): each command runs in a
    forked child as `python -m conciliare_cli ...` would, without paying the imports again."""

    def __init__(self) -> None:
        env = dict(os.environ, COLUMNS="100", PYTHONDONTWRITEBYTECODE="1")
        self.proc = subprocess.Popen(
            [sys.executable, str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def run(self, runs: list[list[str]], folder: Path, timeout: float = TIMEOUT) -> list[dict]:
        request = {"runs": runs, "cwd": str(folder.parent), "timeout": timeout, "cap": MEMORY_CAP}
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _problem(name: str, answer: dict) -> str | None:
    """The problem with one finished command, or None."""
    out = answer["out"]
    if answer["timeout"]:
        return f"{name}: no answer in time (hang)"
    if "Traceback" in out or "memory allocation of" in out or answer["rc"] not in (0, 2):
        tail = "\n".join(out.strip().splitlines()[-6:])
        return f"{name}: exit {answer['rc']}\n{tail}"
    return None


def run_case(case: Case, folder: Path, runner: Runner) -> list[str]:
    """Every command of the case in order; the problems found."""
    problems: list[str] = []
    for command in [*COMMANDS, *case.extra]:
        action = case.before.get(command[0])
        if action is not None:
            action(folder)
        ids = folder / ".ids"
        args = [command[0], str(folder), *command[1:]]
        args = [ids.read_text(encoding="utf-8") if a == "@ids" else a for a in args]
        copies = 2 if command[0] == "rank" and case.concurrent_rank else 1
        answers = runner.run([args] * copies, folder, case.timeout or TIMEOUT)
        for answer in answers:
            problem = _problem(" ".join([command[0], *command[1:]]), answer)
            if problem:
                problems.append(problem)
        if any(a["timeout"] for a in answers):
            problems.append("the next commands were not run: they would hang the same way")
            return problems
    if case.check is not None:
        found = case.check(folder)
        if found:
            problems.append(found)
    return problems


@pytest.fixture(scope="module")
def corpus_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Make the corpus and run it: one warm runner per core, cases shared between them."""
    out = tmp_path_factory.mktemp("hostile")
    folders = {case.name: make_corpus.make_case(case, out) for case in CASES}
    local = threading.local()
    runners: list[Runner] = []

    def work(case: Case) -> list[str]:
        if not hasattr(local, "runner"):
            local.runner = Runner()
            runners.append(local.runner)
        return run_case(case, folders[case.name], local.runner)

    try:
        with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
            futures = {c.name: pool.submit(work, c) for c in CASES}
            return {name: f.result() for name, f in futures.items()}
    finally:
        for r in runners:
            r.close()


def _param(case: Case) -> object:
    if case.part != "part2":
        return pytest.param(case, id=case.name)
    return pytest.param(case, id=case.name, marks=pytest.mark.xfail(strict=True, reason=case.why))


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_hostile_case(case: Case, corpus_results: dict[str, list[str]]) -> None:
    problems = corpus_results[case.name]
    assert not problems, "\n".join(problems)


def test_corpus_names_are_unique() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert {c.part for c in CASES} <= {"read", "config", "outputs", "verify", "csv", "part2"}
    assert all(c.why for c in CASES if c.part == "part2")
