"""explain_application on a hand-made result, and the `explain` command."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.demo import call_from, minors_table, rules_data
from conciliare_cli.demo import numbered_tax_code as tax_code
from conciliare_cli.engine.explanation import explain_application
from conciliare_cli.engine.stages import rank_call
from conciliare_cli.errors import UserError

T = pd.Timestamp


def row(app_id: str, seed: int, child: int, **kw: Any) -> dict[str, Any]:
    return {
        "application_id": app_id,
        "submitted_at": "2017-06-10 10:00",
        "applicant_tax_code": tax_code(seed, T("1980-01-01")),
        "isee": "12500",
        "minor_tax_code": tax_code(child, T("2010-01-01")),
        "minor_birth_date": "2010-01-01",
        **kw,
    }


@pytest.fixture(scope="module")
def result() -> Any:
    data = rules_data()
    data["funds"] = [
        {"id": "FSE", "name": "FSE", "amount_eur": 400},
        {"id": "ATS", "name": "ATS", "amount_eur": 100},
    ]
    rows = [
        row("ASST-001", 1, 10, single_parent=True, disability=True),
        row(
            "ASST-001",
            1,
            11,
            single_parent=True,
            minor_birth_date="2000-01-01",
            minor_tax_code=tax_code(11, T("2000-01-01")),
        ),
        row("ASST-002", 2, 20, isee="50000", submitted_at="2017-06-11 10:00"),
        row("ASST-003", 3, 30, single_parent=True, disability=True),
    ]
    return rank_call(call_from(data), minors_table(rows), pd.DataFrame())


def test_explains_a_funded_application(result: Any) -> None:
    text = explain_application(result, "ASST-001").replace("\xa0", " ")  # Babel's € space
    assert "Domanda ASST-001" in text
    assert "Esito: FINANZIATA" in text
    assert "Posizione in graduatoria: 1" in text
    assert "fascia da 10.000,01 € a 20.000,00 € (10 punti)" in text
    assert "Nucleo monogenitoriale: sì" in text
    assert "«Disabilità (L. 104/92)»: 1 su 1" in text  # the excluded minor is not counted
    assert "Punteggio: 27" in text
    assert "assegnato 300,00 € (FSE 300,00 €)" in text
    # the minor over 16 is excluded inside the admitted application
    assert "ETA_NON_AMMESSA (art. 3 c. 1)" in text
    assert "decisa da: ISEE" not in text


def test_explains_ties_partial_and_funds(result: Any) -> None:
    text = explain_application(result, "ASST-003").replace("\xa0", " ")
    # same score as ASST-001, same ISEE and time: the lottery decided
    assert "Esito: FINANZIATA PARZIALMENTE" in text
    assert "decisa da: sorteggio" in text
    assert "assegnato 200,00 € (FSE 100,00 €, ATS 100,00 €)" in text


def test_explains_an_exclusion(result: Any) -> None:
    text = explain_application(result, "ASST-002")
    assert "Esito: ESCLUSA" in text
    assert "ISEE_OLTRE_SOGLIA (art. 3 c. 2): L'ISEE del nucleo familiare supera" in text
    # "l'11", never "il 11": the article is elided before a date read "undici" or "otto"
    assert "presentata l'11/06/2017 10:00" in text and "il 11/" not in text


def test_unknown_id_suggests_the_nearest(result: Any) -> None:
    with pytest.raises(UserError) as info:
        explain_application(result, "ASST-01")
    assert "ASST-001" in (info.value.hint or "")


def test_command(monkeypatch: pytest.MonkeyPatch, result: Any, tmp_path: Any) -> None:
    from conciliare_cli import runs

    monkeypatch.setattr(runs, "run", lambda folder, **kw: result)
    (tmp_path / "bando.yaml").write_text("", encoding="utf-8")  # a call folder, for the CLI
    runner = CliRunner()
    ok = runner.invoke(app, ["explain", str(tmp_path), "ASST-002"])
    assert ok.exit_code == 0, ok.output
    assert "ISEE_OLTRE_SOGLIA" in ok.output
    bad = runner.invoke(app, ["explain", str(tmp_path), "NOPE-1"])
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
