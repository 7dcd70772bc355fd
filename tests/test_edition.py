"""A new edition from last year's call: `conciliare init --da` (issue 13, deliverable 6)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.config import load_call
from conciliare_cli.edition import EditionValues, edition_warnings, new_edition
from conciliare_cli.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"
NEW_VALUES = [
    "--titolo", "Conciliare 2018", "--anno", "2018", "--apertura", "2018-06-01 09:00",
    "--chiusura", "2018-07-31 12:00", "--data-riferimento", "2018-09-01", "--seme", "seme-2018",
    "--seme-controlli", "controlli-2018",
]  # fmt: skip


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    folder = tmp_path / "bando-2017"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("esiti"))
    return folder


def test_blanks_are_refused_by_validate_one_line_each(previous: Path, tmp_path: Path) -> None:
    before = (previous / "bando.yaml").read_bytes()
    res = run("init", str(tmp_path / "bando-2018"), "--da", str(previous))
    assert res.exit_code == 0, res.output
    assert "Da compilare in bando.yaml prima di validate: titolo, anno, apertura" in res.output
    assert "seme, seme dei controlli." in res.output
    assert (previous / "bando.yaml").read_bytes() == before  # the previous call is untouched
    with pytest.raises(ConfigError) as err:
        load_call(tmp_path / "bando-2018")
    text = err.value.render()
    for key in ("call.title", "call.year", "call.reference_date", "call.submission.opens",
                "call.submission.closes", "ranking.lottery.seed", "checks.seed"):  # fmt: skip
        assert f"{key}: da compilare: il valore è vuoto" in text, key
    res = run("validate", str(tmp_path / "bando-2018"))
    assert res.exit_code == 2 and "da compilare" in res.output


def test_partners_rules_and_comments_are_kept(previous: Path, tmp_path: Path) -> None:
    res = run("init", str(tmp_path / "bando-2018"), "--da", str(previous), *NEW_VALUES)
    assert res.exit_code == 0, res.output
    new = load_call(tmp_path / "bando-2018")
    old = load_call(previous)
    assert new.config.partners == old.config.partners
    assert new.config.eligibility == old.config.eligibility
    assert new.config.criteria == old.config.criteria
    assert new.config.funds == old.config.funds
    c = new.config.call
    assert (c.title, c.year, c.protocol_prefix, c.rules_version) == (
        "Conciliare 2018",
        2018,
        "CONC2018",
        "2018.1",
    )
    assert str(c.submission.opens) == "2018-06-01 09:00:00"
    assert new.config.ranking.lottery.seed == "seme-2018"
    assert new.config.checks is not None and new.config.checks.seed == "controlli-2018"
    assert (tmp_path / "bando-2018" / "partner").is_dir()
    assert not any((tmp_path / "bando-2018" / "partner").iterdir())
    text = (tmp_path / "bando-2018" / "bando.yaml").read_text(encoding="utf-8")
    assert "# massimo per minore" in text  # the comments stay
    assert edition_warnings(new) == []


def test_validate_warns_when_seed_or_dates_equal_last_years(previous: Path, tmp_path: Path) -> None:
    old = load_call(previous).config
    values = EditionValues(
        title="Conciliare 2018",
        year=2018,
        opens=old.call.submission.opens,
        closes=old.call.submission.closes.replace(year=2018),
        reference_date=old.call.reference_date,
        seed=old.ranking.lottery.seed,
        checks_seed=old.checks.seed if old.checks else None,
    )
    folder = tmp_path / "bando-2018"
    new_edition(previous, folder, values)
    for f in (previous / "partner").iterdir():
        shutil.copy(f, folder / "partner" / f.name)
    warnings = edition_warnings(load_call(folder))
    assert any("seme del sorteggio è lo stesso" in w for w in warnings)
    assert any("seme dell'estrazione dei controlli è lo stesso" in w for w in warnings)
    assert (
        "l'apertura delle domande (01/06/2017 09:00) è uguale a quella dell'edizione "
        "precedente" in warnings
    )
    assert any(w.startswith("la data di riferimento") for w in warnings)
    assert not any("chiusura" in w for w in warnings)
    res = run("validate", str(folder), "--data", "2018-09-15")
    assert res.exit_code == 0, res.output
    assert "Attenzione: il seme del sorteggio è lo stesso" in res.output


def test_init_refuses_edition_values_without_da(tmp_path: Path) -> None:
    res = run("init", str(tmp_path / "x"), "--anno", "2018")
    assert res.exit_code == 2 and "valgono solo con --da" in res.output


def test_init_da_needs_a_call_folder(tmp_path: Path) -> None:
    res = run("init", str(tmp_path / "x"), "--da", str(EXAMPLE / "bando.yaml"))
    assert res.exit_code == 2 and "è un file" in res.output
