"""The letters never read a template or a logo from outside the call folder (issue 11, part 2).

A symbolic link in CARTELLA/templates/ pointing out of the call folder was followed by the
template loader (a file anywhere on the disk became part of a letter); a logo could be named
with '../' or an absolute path. `letters` now stops first (config/inside.py), exit 2, naming
the file, before reading the partners' files; links that stay inside are fine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conciliare_cli.cli import app

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "hostile"))
import make_corpus as mc


def _letters(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["letters", str(folder), "--format", "html"])
    return result.exit_code, "".join(result.output.split())


@pytest.fixture
def call(tmp_path: Path) -> Path:
    return mc.make_case(mc.Case("lettere", "read", lambda f: None), tmp_path)


def test_a_template_linked_out_of_the_call_folder_stops_letters(call: Path) -> None:
    mc.template_symlink(call)
    code, text = _letters(call)
    assert code == 2, text
    assert "templates/esclusa.html:èuncollegamentoa" in text
    assert "fuoridallacartelladelbando" in text
    assert "segreto.html" in text and "Traceback" not in text
    assert not (call / "esiti").exists()


def test_the_templates_folder_itself_linked_out(call: Path) -> None:
    elsewhere = mc.outside(call) / "modelli"
    elsewhere.mkdir()
    (elsewhere / "esclusa.html").write_text("<p>fuori</p>", encoding="utf-8")
    os.symlink(elsewhere, call / "templates")
    code, text = _letters(call)
    assert code == 2 and "templates:èuncollegamentoa" in text and "modelli" in text


@pytest.mark.parametrize("logo", ["../fuori.png", "/etc/hostname", "loghi/collegamento.png"])
def test_a_logo_out_of_the_call_folder_stops_letters(call: Path, logo: str) -> None:
    (mc.outside(call) / "fuori.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (call / "loghi").mkdir()
    os.symlink(mc.outside(call) / "fuori.png", call / "loghi" / "collegamento.png")
    mc.edit_config(call, "  logos: []", f'  logos: ["{logo}"]')
    code, out = _letters(call)
    assert code == 2, out
    assert f"illogo'{logo}'indicatoinletters.logosèfuoridallacartelladelbando" in out


def test_links_that_stay_inside_are_fine(call: Path) -> None:
    (call / "modelli").mkdir()
    shipped = Path(mc.HERE.parents[2] / "conciliare_cli" / "letters" / "templates")
    (call / "modelli" / "esclusa.html").write_text(
        (shipped / "esclusa.html").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (call / "templates").mkdir()
    os.symlink(call / "modelli" / "esclusa.html", call / "templates" / "esclusa.html")
    ranked = CliRunner().invoke(app, ["rank", str(call), "--date", "2017-09-15"])
    assert ranked.exit_code == 0, ranked.output
    code, text = _letters(call)
    assert code == 0, text
