"""Regression tests of issue 11, second part: `verify` on a tampered manifest.json.

The corpus case (manifest_manomesso: `inputs` made a number) and every other malformed shape
(wrong types, missing keys, paths out of the folder, absurd values, deep or huge JSON) give one
Italian message naming the manifest and the key, exit code 2, never a traceback; the
manifest is checked before any file it names is opened."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conciliare_cli.cli import app

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "hostile"))
import make_corpus as mc

CASES = {c.name: c for c in mc.CASES}


@pytest.fixture(scope="module")
def ranked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus' call folder with a result in esiti/ (made once)."""
    folder = mc.make_case(CASES["manifest_manomesso"], tmp_path_factory.mktemp("verify"))
    result = CliRunner().invoke(app, ["rank", str(folder), "--date", "2017-09-15"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def call(ranked: Path, tmp_path: Path) -> Path:
    folder = tmp_path / ranked.name
    shutil.copytree(ranked, folder)
    return folder


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "esiti" / "manifest.json").read_text(encoding="utf-8"))


def _save(folder: Path, manifest: object) -> None:
    (folder / "esiti" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _verify(folder: Path) -> str:
    result = CliRunner().invoke(app, ["verify", str(folder)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert "manifest.json" in text
    return text


def test_the_corpus_case(call: Path) -> None:
    mc.tamper_manifest(call)
    text = _verify(call)
    assert "alterato" in text and "'inputs': attesa una lista (trovato 5)" in text


def _set(manifest: dict, path: tuple, value: object) -> None:
    node = manifest
    for part in path[:-1]:
        node = node[part]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (("outputs",), KeyError, "manca la chiave 'outputs'"),
        (("status",), ["x"], "'status': ammessi PROVVISORIA o DEFINITIVA"),
        (("status",), "FINALE", "'status': ammessi"),
        (("run_date",), 20170915, "'run_date': atteso un testo"),
        (("run_date",), "0001-01-01", "'run_date': data fuori"),
        (("run_date",), "domani", "'run_date': attesa una data"),
        (("rules",), "abc", "'rules': attesa una sezione"),
        (("rules", "sha256"), 5, "'rules.sha256': atteso un testo"),
        (("inputs", 0), "x", "'inputs[0]': attesa una sezione"),
        (("inputs", 0, "path"), "/dev/zero", "'inputs[0].path': percorso non ammesso"),
        (("inputs", 0, "path"), "../../../etc/passwd", "'inputs[0].path': percorso"),
        (("outputs", 0, "path"), "", "'outputs[0].path': percorso"),
        (("outputs", 0, "sha256"), "zz", "'outputs[0].sha256': attesa un'impronta"),
        (("outputs", 0, "sha256"), float("nan"), "'outputs[0].sha256': atteso un testo"),
        (("tool",), [], "'tool': attesa una sezione"),
        (("libraries",), [1, 2], "'libraries': attesa una sezione"),
        (("libraries", "pandas"), 5, "'libraries.pandas': atteso un testo"),
    ],
)
def test_every_malformed_shape(call: Path, path: tuple, value: object, words: str) -> None:
    manifest = _manifest(call)
    _set(manifest, path, value)
    _save(call, manifest)
    assert words in _verify(call)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "JSON non valido"),
        ("[1, 2]", "non è un manifest"),
        ("{", "JSON non valido"),
        ("\udcff", "JSON non valido"),
    ],
)
def test_a_manifest_that_is_not_one(call: Path, content: str, words: str) -> None:
    (call / "esiti" / "manifest.json").write_bytes(content.encode("utf-8", "surrogateescape"))
    assert words in _verify(call)


def test_a_huge_manifest_is_not_read(call: Path) -> None:
    with (call / "esiti" / "manifest.json").open("r+b") as fh:
        fh.truncate(2 << 30)  # sparse: reading it would take 2 GiB
    assert "oltre il limite" in _verify(call)


def test_an_untouched_manifest_still_verifies(call: Path) -> None:
    result = CliRunner().invoke(app, ["verify", str(call)])
    assert result.exit_code == 0, result.output
