"""The example call's register of events and its two scorrimenti do what its README says."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conciliare_cli.acts.finallist import final_list
from conciliare_cli.acts.ledger import issue_next, verify_chain
from conciliare_cli.cli import app
from conciliare_cli.demo.example.register import ACT_DATES, ACTS_TEXT, FINAL_DATE

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"


@pytest.fixture(scope="module")
def acts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("esempio") / "conciliare-2017"
    shutil.copytree(EXAMPLE, folder)
    done = CliRunner().invoke(app, ["rank", str(folder), "--final", "--date", FINAL_DATE])
    assert done.exit_code == 0, done.output
    base = final_list(folder)
    for date in ACT_DATES:
        issue_next(folder, dt.date.fromisoformat(date), base)
    report = verify_chain(folder, base)
    assert report.holds and report.acts == 2, report.problems
    return folder


def _changes(folder: Path, k: int) -> pd.DataFrame:
    path = folder / "scorrimenti" / f"scorrimento_{k}" / "variazioni.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_first_act_as_the_readme_says(acts: Path) -> None:
    changes = _changes(acts, 1)
    by_app = changes.groupby("application_id")["change"].agg(set).to_dict()
    assert by_app == {
        "COOP-S031": {"rinuncia"},
        "ATS-R00057": {"revoca"},
        "AZIENDA-M0009": {"completata con lo scorrimento"},
        "AZIENDA-M0042": {"finanziata parzialmente con lo scorrimento"},
    }
    freed = changes[changes["change"].isin(["rinuncia", "revoca"])]
    assert freed["previous_awarded_eur"].astype(float).sum() == pytest.approx(675.00)
    text = " ".join(ACTS_TEXT)
    assert "465,50 €" in text and "209,50 €" in text and "675,00 €" in text
    ranks = changes.set_index("application_id")["rank"].to_dict()
    assert ranks["AZIENDA-M0009"] == "323" and ranks["AZIENDA-M0042"] == "324"


def test_the_second_act_as_the_readme_says(acts: Path) -> None:
    changes = _changes(acts, 2)
    by_app = changes.groupby("application_id")["change"].agg(set).to_dict()
    assert by_app == {
        "COMUNE-43": {"rinuncia"},
        "AZIENDA-M0042": {"completata con lo scorrimento"},
        "ATS-R00002": {"finanziata parzialmente con lo scorrimento"},
    }
    assert changes.set_index("application_id").loc["ATS-R00002", "rank"] == "325"


def test_the_example_readme_describes_the_register() -> None:
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "## After the final list: eventi.xlsx and two scorrimenti" in readme
    assert all(line in readme for line in ACTS_TEXT)
