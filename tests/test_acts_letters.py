"""`conciliare letters --scorrimento K`: a letter per family the act funded or reinstated, slips
for the children it paid, its own index and manifest, checked by verify."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from acts_support import write_events
from test_acts_cli import _at, _final, _scorrimento, ev, runner

from conciliare_cli.cli import app
from conciliare_cli.lock import call_lock

pytest.importorskip("typst")


def _letters(folder: Path, *args: str):
    return runner.invoke(app, ["letters", str(folder), *args])


@pytest.fixture
def act(acts_call: Path) -> Path:
    final = _final(acts_call)
    write_events(acts_call, [
        ev("02/10/2017", "rinuncia", _at(final, 3), reason="trasferimento"),
        ev("03/10/2017", "controllo", _at(final, 4), outcome="irregolare", act="det. 45/2017"),
    ])  # fmt: skip
    assert _scorrimento(acts_call, "2017-10-16").exit_code == 0
    return acts_call


def test_the_letters_of_an_act(act: Path) -> None:
    final = _final(act)
    folder = act / "scorrimenti" / "scorrimento_1" / "lettere"
    done = _letters(act, "--scorrimento", "1", "--data", "2017-10-17")
    assert done.exit_code == 0, done.output
    out = " ".join(done.output.split())
    assert "graduatoria definitiva, scorrimento n. 1 del 16/10/2017" in out
    assert (
        f"{_at(final, 3)}: nessuna lettera dallo scorrimento (la rinuncia è della famiglia)" in out
    )
    assert f"{_at(final, 4)}: nessuna lettera dallo scorrimento (la revoca si comunica" in out
    changes = pd.read_csv(act / "scorrimenti" / "scorrimento_1" / "variazioni.csv", dtype=str)
    gained = changes[changes["change"].str.contains("scorrimento")]
    index = pd.read_csv(folder / "indice.csv", dtype=str, sep=None, engine="python")
    assert sorted(index.iloc[:, 0]) == sorted(gained["application_id"].unique())
    assert {p.name for p in folder.iterdir()} >= {
        "indice.csv",
        "indice.xlsx",
        "lettere-tutte.pdf",
        "manifest-lettere.json",
    }
    slips = sorted(p.name for p in (folder / "buoni").iterdir())
    paid = gained[
        gained["awarded_eur"].astype(float) > gained["previous_awarded_eur"].astype(float)
    ]
    assert len(slips) == len(paid)  # a slip per child the act paid, none for the others
    manifest = json.loads((folder / "manifest-lettere.json").read_text())
    act_manifest = (act / "scorrimenti" / "scorrimento_1" / "manifest.json").read_bytes()
    assert manifest["graduatoria"]["manifest_sha256"] == hashlib.sha256(act_manifest).hexdigest()
    assert manifest["graduatoria"]["run_date"] == "2017-10-16"
    ok = runner.invoke(app, ["verify", str(act)])
    assert ok.exit_code == 0, ok.output
    assert "Lettere degli scorrimenti (1 atto)" in ok.output
    # the families record the day they received the act's letter: their terms run from it
    first = sorted(index.iloc[:, 0])[0]
    got = runner.invoke(
        app,
        ["ricevute", str(act), "--scorrimento", "1", "--protocolli", first, "--data", "2017-10-20"],
    )
    assert got.exit_code == 0, got.output
    assert "Lettere dello scorrimento n. 1" in got.output
    assert f"{first};SCORRIMENTO_1;PEC;20/10/2017" in (act / "ricevute.csv").read_text("utf-8-sig")
    letter = next(folder.glob("*.pdf"))
    letter.write_bytes(letter.read_bytes() + b"%")
    broken = runner.invoke(app, ["verify", str(act)])
    assert broken.exit_code == 1
    assert f"scorrimento n. 1, lettere: {letter.name} modificato" in " ".join(broken.output.split())


def test_the_letter_says_the_act(act: Path) -> None:
    import subprocess

    done = _letters(act, "--scorrimento", "1", "--data", "2017-10-17")
    assert done.exit_code == 0, done.output
    folder = act / "scorrimenti" / "scorrimento_1" / "lettere"
    index = pd.read_csv(folder / "indice.csv", dtype=str, sep=None, engine="python")
    first = folder / f"{index.iloc[0, 0]}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(first), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    text = " ".join(text.split())
    assert "A SEGUITO DI SCORRIMENTO N. 1 DEL 16/10/2017" in text
    assert "con lo scorrimento n. 1 del 16 ottobre 2017 della graduatoria definitiva" in text
    assert "(in precedenza: " in text
    assert "(graduatoria definitiva, scorrimento n. 1 del 16 ottobre 2017, rif." in text


def test_refusals(act: Path) -> None:
    late = _letters(act, "--scorrimento", "2")
    assert late.exit_code == 2 and "lo scorrimento n. 2 non è stato emesso" in late.output
    mixed = _letters(act, "--scorrimento", "1", "--solo", "FINANZIATA")
    assert mixed.exit_code == 2 and "--scorrimento" in mixed.output
    with call_lock(act, "scorrimento"):
        busy = _letters(act, "--scorrimento", "1")
    assert busy.exit_code == 2
    assert f"è già in corso 'scorrimento' (processo {os.getpid()}" in " ".join(busy.output.split())
    assert not (act / "scorrimenti" / "scorrimento_1" / "lettere").exists()
