"""The second example call, examples/voucher-estivi-2018/: ranked through the CLI, every
application's outcome is the one its README's table gives (computed there by hand from the
call's text); its own worked examples (prove.yaml) hold; without the reserve the outcome
changes as the README says."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conciliare_cli.cli import app

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "voucher-estivi-2018"
COLUMNS = ["Application", "Score", "Rank", "Voucher", "Outcome", "Waiting", "Reasons"]


def readme_table() -> pd.DataFrame:
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Expected outcomes") :]
    lines = [ln for ln in section.splitlines() if ln.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines[2:]]
    return pd.DataFrame(rows, columns=header)[COLUMNS].set_index("Application")


def ranked(folder: Path) -> pd.DataFrame:
    runner = CliRunner()
    result = runner.invoke(app, ["rank", str(folder), "--date", "2018-05-15"])
    assert result.exit_code == 0, result.output
    m = pd.read_csv(folder / "esiti" / "graduatoria.csv", dtype=str, keep_default_na=False)
    out = {}
    for app_id, rows in m.groupby("application_id"):
        statuses = [s for s in rows["status"] if s != "ESCLUSA"]
        reasons: list[str] = []
        for text in rows["exclusion_reasons"]:
            reasons += [c for c in text.split(";") if c and c not in reasons]
        out[app_id] = {
            "Score": format(Decimal(rows["score"].iloc[0]).normalize(), "f"),
            "Rank": _first(rows["rank"]),
            "Voucher": f"{sum(Decimal(v) for v in rows['awarded_eur']):.2f}",
            "Outcome": statuses[0] if statuses else "ESCLUSA",
            "Waiting": _first(rows["waiting_position"]),
            "Reasons": ";".join(reasons),
        }
    return pd.DataFrame.from_dict(out, orient="index")[COLUMNS[1:]]


def _first(values: pd.Series) -> str:
    """The lowest of the minors' numbers (a minor excluded alone has none)."""
    numbers = [int(v) for v in values if v]
    return str(min(numbers)) if numbers else ""


@pytest.fixture
def call(tmp_path: Path) -> Path:
    target = tmp_path / "voucher-estivi-2018"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("esiti"))
    return target


def test_every_outcome_is_the_readmes(call: Path) -> None:
    want = readme_table().sort_index()
    got = ranked(call).sort_index()
    assert list(got.index) == list(want.index)
    pd.testing.assert_frame_equal(got, want, check_names=False)


def test_the_calls_worked_examples_hold(call: Path) -> None:
    result = CliRunner().invoke(app, ["prova", str(call)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Regole confermate: 8 casi su 8 danno l'esito atteso." in " ".join(result.output.split())


def test_without_the_reserve_greco_waits_and_colombo_and_bianchi_are_funded(call: Path) -> None:
    path = call / "bando.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("reserves:"), text.index("allocation:")
    path.write_text(text[:start] + "reserves: []\n" + text[end:], encoding="utf-8")
    got = ranked(call)
    names = {"COMUNE-WEB-C32A0A52A6": "Greco", "COMUNE-WEB-86DF9D4DF9": "Colombo"}
    outcome = {names.get(k, k): v for k, v in got["Outcome"].items()}
    assert outcome["Greco"] == "AMMESSA_NON_FINANZIATA"
    assert outcome["Colombo"] == "FINANZIATA"
    assert outcome["ASST-CREMA-102"] == "FINANZIATA"  # Bianchi
    assert outcome["ASST-CREMA-106"] == "AMMESSA_NON_FINANZIATA"  # Gallo, skipped either way


def test_the_example_is_read_without_blocking_findings(call: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(call), "--date", "2018-05-15"])
    assert result.exit_code == 0, result.output
    import openpyxl

    sheet = openpyxl.load_workbook(call / "esiti" / "anomalie.xlsx")["Anomalie"]
    codes = sorted(r[7] for r in sheet.iter_rows(min_row=6, values_only=True) if r[7])
    assert codes == [
        "DATO_NON_DICHIARATO",
        "MINORE_IN_PIU_DOMANDE",
        "MINORE_IN_PIU_DOMANDE",
        "RICHIEDENTE_DUPLICATO",
        "RICHIEDENTE_DUPLICATO",
    ]
