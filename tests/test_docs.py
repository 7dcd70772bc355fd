"""The README's reference sections are generated from the code and must be current."""

from __future__ import annotations

import re

from conciliare_cli.docs import README, render


def test_readme_reference_sections_are_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, (
        "README.md è superato: rigeneralo con python -m conciliare_cli.docs"
    )


def test_quick_start_has_exactly_two_command_lines() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n\n```\n(.*?)```", text, flags=re.DOTALL)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) == 2
    assert "conciliare " in lines[0] and "examples/conciliare-2017" in lines[0]
    assert "[test]" in lines[1] and "pytest" in lines[1]
