"""manifest.json (conciliare_cli/publish/manifest.py): content and determinism."""

from __future__ import annotations

import hashlib
import json
import platform

from test_publish_support import RUN_DATE, make_call_folder, make_result

from conciliare_cli import __version__
from conciliare_cli.publish import MANIFEST, read_manifest, write_manifest


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_manifest_content(tmp_path):
    folder = make_call_folder(tmp_path / "bando")
    result = make_result(folder)
    out = tmp_path / "out"
    (out / "lettere").mkdir(parents=True)
    (out / "graduatoria.csv").write_bytes(b"a,b\n1,2\n")
    (out / "lettere" / "x.pdf").write_bytes(b"%PDF-fake")
    path = write_manifest(result, out, "DEFINITIVA", RUN_DATE)
    assert path == out / MANIFEST
    m = json.loads(path.read_text(encoding="utf-8"))
    assert m == read_manifest(out)

    assert m["tool"] == {"name": "conciliare", "version": __version__}
    assert m["python"] == platform.python_version()
    for lib in ("pandas", "openpyxl", "XlsxWriter", "weasyprint", "pydantic"):
        assert m["libraries"][lib]
    assert set(m["libraries"]) >= {"python-calamine", "python-stdnum"}

    assert m["rules"] == {
        "path": "bando.yaml",
        "sha256": _sha((folder / "bando.yaml").read_bytes()),
    }
    assert m["rules"]["sha256"] == result.call.rules_sha256
    assert [i["path"] for i in m["inputs"]] == ["partner/asst.csv", "partner/ats.csv"]
    for item in m["inputs"]:
        assert item["sha256"] == _sha((folder / item["path"]).read_bytes())

    assert m["lottery_seed"] == "conciliare-2017-estrazione-15-09-2017"
    assert m["status"] == "DEFINITIVA"
    assert m["run_date"] == "2017-09-15"
    assert m["counts"]["applications"] == {
        "FINANZIATA": 2,
        "FINANZIATA_PARZIALMENTE": 1,
        "AMMESSA_NON_FINANZIATA": 1,
        "DA_REGOLARIZZARE": 0,
        "ESCLUSA": 1,
    }
    assert m["counts"]["minors"]["FINANZIATA"] == 3
    assert m["counts"]["minors_total"] == 6
    fse = next(f for f in m["funds"] if f["id"] == "FSE")
    assert fse["budget"] == {"cents": 10_000_000, "eur": "100000.00"}
    assert fse["assigned"] == {"cents": 97345, "eur": "973.45"}
    assert fse["residual"] == {"cents": 10_000_000 - 97345, "eur": "99026.55"}
    assert [f["id"] for f in m["funds"]] == ["FSE", "ATS"]  # the rules' order

    assert m["outputs"] == [
        {"path": "graduatoria.csv", "sha256": _sha(b"a,b\n1,2\n"), "bytes": 8},
        {"path": "lettere/x.pdf", "sha256": _sha(b"%PDF-fake"), "bytes": 9},
    ]


def test_manifest_is_deterministic_and_sorted(tmp_path):
    folder = make_call_folder(tmp_path / "bando")
    texts = []
    for name in ("a", "b"):
        out = tmp_path / name
        out.mkdir()
        (out / "z.csv").write_bytes(b"z")
        (out / "a.csv").write_bytes(b"a")
        texts.append(write_manifest(make_result(folder), out, "PROVVISORIA", RUN_DATE).read_bytes())
    assert texts[0] == texts[1]
    text = texts[0].decode("utf-8")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    # a re-written manifest does not list itself
    out = tmp_path / "a"
    again = write_manifest(make_result(folder), out, "PROVVISORIA", RUN_DATE)
    assert "manifest.json" not in [o["path"] for o in json.loads(again.read_text())["outputs"]]


def test_read_manifest_absent(tmp_path):
    assert read_manifest(tmp_path) is None
