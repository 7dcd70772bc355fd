"""The life of a call on the example, through the CLI: validate, rank, explain, letters, verify.

Inputs are never modified; every user error is one Italian line with exit 2 and no traceback.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from typer.testing import CliRunner

from conciliare_cli.cli import app

runner = CliRunner()


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "esiti" not in p.relative_to(folder).parts
    }


def test_life_of_the_example_call(example_copy: Path) -> None:
    before = hashes(example_copy)
    out = example_copy / "esiti"

    res = runner.invoke(app, ["validate", str(example_copy), "--date", "2017-09-15"])
    assert res.exit_code == 0, res.output
    assert (out / "anomalie.xlsx").exists()

    res = runner.invoke(app, ["rank", str(example_copy), "--date", "2017-09-15"])
    assert res.exit_code == 0, res.output
    with open(out / "graduatoria.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    statuses = {r["status"] for r in rows}
    assert statuses == {
        "FINANZIATA",
        "FINANZIATA_PARZIALMENTE",
        "AMMESSA_NON_FINANZIATA",
        "ESCLUSA",
    }
    funded = next(r for r in rows if r["rank"] == "1")

    res = runner.invoke(app, ["explain", str(example_copy), funded["application_id"]])
    assert res.exit_code == 0, res.output
    assert "Posizione in graduatoria: 1" in res.output

    res = runner.invoke(app, ["letters", str(example_copy), "--date", "2017-09-15"])
    assert res.exit_code == 0, res.output
    index = (out / "lettere" / "indice.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(index) - 1 == len({r["application_id"] for r in rows})

    res = runner.invoke(app, ["verify", str(example_copy)])
    assert res.exit_code == 0, res.output
    assert "Risultato riprodotto esattamente" in res.output

    assert hashes(example_copy) == before  # inputs never modified


def test_user_errors_are_one_italian_message_with_exit_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["rank", str(tmp_path)])
    assert res.exit_code == 2
    assert "non c'è bando.yaml" in " ".join(res.output.split())
    assert "Traceback" not in res.output

    res = runner.invoke(app, ["explain", str(tmp_path), "X"])
    assert res.exit_code == 2
    assert "Traceback" not in res.output


def test_unknown_application_in_explain_suggests_ids(example_copy: Path) -> None:
    res = runner.invoke(app, ["explain", str(example_copy), "COOP-S03"])
    assert res.exit_code == 2
    assert "COOP-S03" in res.output
    assert "Traceback" not in res.output


def test_a_new_call_without_partners_says_what_to_do(tmp_path: Path) -> None:
    folder = tmp_path / "nuovo"
    res = runner.invoke(app, ["init", str(folder)])
    assert res.exit_code == 0, res.output
    assert (folder / "bando.yaml").exists() and (folder / "partner").is_dir()
    for command in ("validate", "rank"):
        res = runner.invoke(app, [command, str(folder)])
        assert res.exit_code == 2
        assert "nessun partner elencato" in res.output
        assert "Traceback" not in res.output
    res = runner.invoke(app, ["init", str(folder)])
    assert res.exit_code == 2  # never overwrites an existing bando.yaml
