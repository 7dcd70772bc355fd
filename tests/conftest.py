"""Shared test helpers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# No time limit per example: the suite runs on shared 2-core machines whose speed varies, and a
# property must fail on a wrong result, never on a slow moment.
settings.register_profile("conciliare", deadline=None)
settings.load_profile("conciliare")

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "conciliare-2017.yaml"
EXAMPLE = ROOT / "examples" / "conciliare-2017"


@pytest.fixture
def rules_yaml() -> str:
    return RULES.read_text(encoding="utf-8")


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the example call, so tests never write into examples/."""
    target = tmp_path / "conciliare-2017"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("esiti"))
    return target
