"""The README's install line and the CI script name the same system packages (issue 14): CI runs
the README's test line on a fresh machine after installing exactly what the README tells a user
to install, so a package one of them forgets is found by CI, not by the user."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def apt_packages(text: str) -> set[str]:
    """The packages of the `apt-get install` command in `text` (not its options)."""
    match = re.search(r"apt-get install((?:[^\n]*\\\n)*[^\n]*)", text)
    assert match is not None, "no apt-get install line"
    words = match.group(1).replace("\\\n", " ").split()
    return {w for w in words if not w.startswith("-") and not w.startswith(">")}


def test_ci_installs_what_the_readme_names():
    readme = apt_packages((ROOT / "README.md").read_text(encoding="utf-8"))
    ci = apt_packages((ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert ci == readme
    assert {"python3-venv", "poppler-utils", "fonts-dejavu-core"} <= readme


def test_ci_runs_the_readme_test_line():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"^python3 -m venv .* pytest$", readme, flags=re.MULTILINE)
    assert lines == [
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    ]
    assert (
        'grep -m1 -E "^python3 -m venv .* pytest" README.md' in (ROOT / ".ci" / "run").read_text()
    )
