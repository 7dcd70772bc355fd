"""`rank` then `letters` on the example call: the real engine's result, checked and written."""

from __future__ import annotations

import csv
from decimal import Decimal

import pandas as pd
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.italian import eur


def test_rank_then_letters_on_the_example_call(example_copy):
    runner = CliRunner()
    ranked = runner.invoke(app, ["rank", str(example_copy), "--date", "2017-09-15"])
    assert ranked.exit_code == 0, ranked.output
    graduatoria = example_copy / "esiti" / "graduatoria.csv"
    assert graduatoria.is_file()
    args = ["letters", str(example_copy), "--date", "2017-09-15", "--format", "html"]
    written = runner.invoke(app, args)
    assert written.exit_code == 0, written.output
    out = example_copy / "esiti" / "lettere"
    with (out / "indice.csv").open(encoding="utf-8", newline="") as fh:
        index = list(csv.DictReader(fh))
    table = pd.read_csv(graduatoria, dtype=str, keep_default_na=False)
    assert len(index) == table["application_id"].nunique()
    assert {r["outcome"] for r in index} <= {
        "FINANZIATA",
        "FINANZIATA_PARZIALMENTE",
        "AMMESSA_NON_FINANZIATA",
        "ESCLUSA",
    }
    for row in index:
        assert (out / row["file"]).is_file()
    # the letters' totals are the graduatoria's, application by application
    cents = (
        table["awarded_eur"]
        .map(lambda v: int(Decimal(v or "0") * 100))
        .groupby(table["application_id"])
        .sum()
    )
    for row in [r for r in index if r["outcome"] == "FINANZIATA"][:20]:
        html = (out / row["file"]).read_text(encoding="utf-8")
        assert f"per un totale di <strong>{eur(int(cents[row['application_id']]))}" in html
    # a changed graduatoria stops the letters
    table.loc[table["status"] == "FINANZIATA", "awarded_eur"] = "1.00"
    table.to_csv(graduatoria, index=False)
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "la graduatoria è cambiata" in " ".join(again.output.split())
