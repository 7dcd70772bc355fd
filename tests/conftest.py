"""Shared test helpers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

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


@pytest.fixture(scope="module")
def acts_final_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """For the acts after the final list: 40 applications, 9.000 € (so that there is a waiting
    list), the final list published on 15/09/2017."""
    from conciliare_cli.cli import app
    from conciliare_cli.demo import generate_call

    folder = tmp_path_factory.mktemp("scorrimento") / "bando"
    generate_call(folder, 40, seed=5)
    path = folder / "bando.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("amount_eur: 100000", "amount_eur: 6000")
    text = re.sub(r"\nchecks:\n(  .*\n)+", "\n", text)  # the tests state their own sample
    path.write_text(text.replace("amount_eur: 44000", "amount_eur: 3000"), encoding="utf-8")
    done = CliRunner().invoke(app, ["rank", str(folder), "--definitiva", "--data", "2017-09-15"])
    assert done.exit_code == 0, done.output
    return folder


@pytest.fixture
def acts_call(acts_final_call: Path, tmp_path: Path) -> Path:
    """A private copy of `acts_final_call`."""
    folder = tmp_path / "bando"
    shutil.copytree(acts_final_call, folder)
    return folder
