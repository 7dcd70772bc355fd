"""The example call's register of events and its three scorrimenti do what its README says."""

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
from conciliare_cli.config import load_call
from conciliare_cli.demo.example.register import ACT_DATES, ACTS_TEXT, CHECKS, FINAL_DATE

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"


@pytest.fixture(scope="module")
def acts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("esempio") / "conciliare-2017"
    shutil.copytree(EXAMPLE, folder)
    done = CliRunner().invoke(app, ["rank", str(folder), "--definitiva", "--data", FINAL_DATE])
    assert done.exit_code == 0, done.output
    base = final_list(folder)
    for date in ACT_DATES:
        issue_next(folder, dt.date.fromisoformat(date), base)
    report = verify_chain(folder, base)
    assert report.holds and report.acts == 3, report.problems
    return folder


def _changes(folder: Path, k: int) -> pd.DataFrame:
    path = folder / "scorrimenti" / f"scorrimento_{k}" / "variazioni.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_first_act_as_the_readme_says(acts: Path) -> None:
    changes = _changes(acts, 1)
    by_app = changes.groupby("application_id")["change"].agg(set).to_dict()
    assert by_app == {
        "COOP-S031": {"rinuncia"},
        "ATS-R00015": {"revoca"},
        "AZIENDA-M0009": {"completata con lo scorrimento"},
        "AZIENDA-M0042": {"finanziata con lo scorrimento"},
        "ATS-R00002": {"finanziata parzialmente con lo scorrimento"},
    }
    freed = changes[changes["change"].isin(["rinuncia", "revoca"])]
    before = freed.groupby("application_id")["previous_awarded_eur"].agg(
        lambda v: v.astype(float).sum()
    )
    assert before.to_dict() == pytest.approx({"COOP-S031": 465.50, "ATS-R00015": 536.50})
    text = " ".join(ACTS_TEXT)
    assert "465,50 €" in text and "536,50 €" in text and "1.002,00 €" in text
    ranks = changes.groupby("application_id")["rank"].first().to_dict()
    assert (ranks["AZIENDA-M0009"], ranks["AZIENDA-M0042"], ranks["ATS-R00002"]) == (
        "323",
        "324",
        "325",
    )


def test_the_second_act_as_the_readme_says(acts: Path) -> None:
    changes = _changes(acts, 2)
    by_app = changes.groupby("application_id")["change"].agg(set).to_dict()
    assert by_app == {"COMUNE-43": {"rinuncia"}, "ATS-R00002": {"importo aumentato con lo "
                      "scorrimento"}}  # fmt: skip
    gained = changes[changes["application_id"].eq("ATS-R00002")]
    more = gained["awarded_eur"].astype(float) - gained["previous_awarded_eur"].astype(float)
    assert more.sum() == pytest.approx(300.00)


def test_the_third_act_reinstates_an_appeal_at_its_bis_place(acts: Path) -> None:
    changes = _changes(acts, 3)
    rows = changes.set_index("application_id")
    assert rows.loc["ATS-R00040", "rank"] == "202-bis"
    assert rows.loc["ATS-R00040", "previous_status"] == "ESCLUSA"
    assert rows.loc["ATS-R00040", "change"] == "riammessa e finanziata con lo scorrimento"
    assert rows.loc["ATS-R00040", "awarded_eur"] == "300.00"
    assert set(changes["application_id"]) == {"COMUNE-51", "ATS-R00040"}
    act2 = pd.read_csv(acts / "scorrimenti" / "scorrimento_2" / "graduatoria.csv", dtype=str)
    act3 = pd.read_csv(acts / "scorrimenti" / "scorrimento_3" / "graduatoria.csv", dtype=str)
    assert list(act3.loc[act3["rank"].ne("202-bis"), "rank"]) == list(act2["rank"])


def test_the_letters_of_the_third_act(acts: Path) -> None:
    pytest.importorskip("typst")
    args = ["letters", str(acts), "--scorrimento", "3", "--data", "2017-12-18"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    folder = acts / "scorrimenti" / "scorrimento_3" / "lettere"
    assert sorted(p.name for p in folder.glob("*.pdf")) == ["ATS-R00040.pdf", "lettere-tutte.pdf"]
    assert [p.name for p in (folder / "buoni").iterdir()] == ["ATS-R00040-1.pdf"]
    assert "COMUNE-51: nessuna lettera dallo scorrimento" in " ".join(done.output.split())
    assert verify_chain(acts, letters=True).holds


def test_the_checked_applications_are_in_the_published_sample(acts: Path) -> None:
    date, quota, seed = CHECKS
    checks = load_call(acts).config.checks
    assert checks is not None and checks.seed == seed and checks.per_partner
    assert f"{checks.share:.0%}" == quota
    assert "DPR 445/2000 art. 71" in (checks.reference or "")
    args = ["controlli", str(acts), "--data", date]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    sample = pd.read_csv(acts / "controlli" / "campione.csv", dtype=str)
    assert len(sample) == 20
    assert {"ATS-R00015", "AZIENDA-M0057"} <= set(sample["application_id"])
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "lo stesso campione" in again.output
    other = CliRunner().invoke(app, [*args, "--quota", quota, "--seme", "un altro seme"])
    assert other.exit_code == 2 and "già stabilito in bando.yaml" in other.output


def test_the_example_readme_describes_the_register() -> None:
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "## After the final list: eventi.xlsx and three scorrimenti" in readme
    assert all(line in readme for line in ACTS_TEXT)
