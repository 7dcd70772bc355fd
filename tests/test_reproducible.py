"""Same inputs, same outputs, byte for byte (DESIGN invariant 4), through the real pipeline:

- two runs of the same call, from two different folders, write identical files (Excel, PDF,
  CSV and manifest.json included);
- shuffling the rows inside the partners' files and renaming the files changes nothing but
  the provenance columns (source file, sheet and row) and the input hashes of the manifest;
- verify reproduces a real run, and detects a changed partner file.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_publish_support import RUN_DATE, needs_pdf

pytest.importorskip("conciliare_cli.engine.stages", reason="the engine is not there yet")
pytest.importorskip("conciliare_cli.read", reason="the reader is not there yet")
demo = pytest.importorskip("conciliare_cli.demo", reason="the generator is not there yet")

from conciliare_cli import runs  # noqa: E402
from conciliare_cli.audit import verify_result  # noqa: E402
from conciliare_cli.config import load_call  # noqa: E402
from conciliare_cli.publish import (  # noqa: E402
    MANIFEST,
    PUBLIC_PDF,
    PUBLIC_XLSX,
    write_manifest,
    write_public,
)

pytestmark = [pytest.mark.pdf, needs_pdf]

STATUS = "PROVVISORIA"
PROVENANCE = ["source_file", "source_sheet", "source_row", "minor_slot"]
CSV_FORMATS = ["csv", "csv-comma", "csv-tab", "csv-utf8"]


def write_all(result, out: Path, status: str = STATUS, run_date=RUN_DATE) -> None:
    """rank's write_outputs; plus the public list and manifest while rank.py does not write
    them itself yet (the same calls it makes once wired)."""
    runs.write_outputs(result, out, status, run_date)
    if not (out / MANIFEST).exists():
        write_public(result, out, status, run_date)
        write_manifest(result, out, status, run_date)


def produce(folder: Path, out: Path | None = None) -> Path:
    out = out or folder / "esiti"
    write_all(runs.run(folder), out)
    return out


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gen") / "bando"
    demo.generate_call(folder, applications=60, seed=11, partners=5, formats=CSV_FORMATS)
    return folder


@pytest.fixture(scope="module")
def first_run(generated, tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("run1") / "bando"
    shutil.copytree(generated, folder)
    out = produce(folder)
    return folder, files_of(out)


def test_two_runs_are_byte_identical(first_run, tmp_path):
    folder, first = first_run
    other = tmp_path / "altrove" / "bando-copia"  # another path: nothing absolute leaks in
    shutil.copytree(folder, other, ignore=shutil.ignore_patterns("esiti"))
    second = files_of(produce(other))
    assert sorted(first) == sorted(second)
    assert {PUBLIC_XLSX, PUBLIC_PDF, MANIFEST, "graduatoria.csv"} <= set(first)
    for name in first:
        assert first[name] == second[name], name


def _shuffle_csv(path: Path, header_text: str, rng: random.Random) -> int:
    """Shuffle the data lines of a partner CSV in place, keeping its bytes otherwise."""
    raw = path.read_bytes()
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.split(newline)
    trailing = lines[-1] == b""
    if trailing:
        lines = lines[:-1]
    encoded = header_text.encode("utf-8"), header_text.encode("cp1252")
    header = next(i for i, ln in enumerate(lines) if any(h in ln for h in encoded))
    body = lines[header + 1 :]
    data = [i for i, ln in enumerate(body) if ln.strip()]
    order = [body[i] for i in data]
    rng.shuffle(order)
    for i, ln in zip(data, order, strict=True):
        body[i] = ln
    out = newline.join(lines[: header + 1] + body) + (newline if trailing else b"")
    path.write_bytes(out)
    return len(data)


def _permuted_copy(src: Path, dst: Path, seed: int) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("esiti"))
    rng = random.Random(seed)
    call = load_call(dst)
    for partner in call.config.partners:
        header = partner.columns["application_id"]
        header = header[0] if isinstance(header, list) else header
        header = header.replace("{n}", "1")
        for path in sorted(dst.glob(partner.file_patterns[0])):
            moved = _shuffle_csv(path, header, rng)
            assert moved > 1
            path.rename(path.with_name(path.stem.replace("_1", "_9") + "_bis" + path.suffix))


def _csv_without_provenance(data: bytes) -> pd.DataFrame:
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    frame = frame.drop(columns=[c for c in PROVENANCE if c in frame.columns])
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_shuffled_rows_and_renamed_files_change_only_provenance(first_run, tmp_path, seed):
    folder, first = first_run
    other = tmp_path / "bando"
    _permuted_copy(folder, other, seed)
    assert files_of(other / "partner") != files_of(folder / "partner")
    second = files_of(produce(other))

    assert sorted(first) == sorted(second)
    for name in (PUBLIC_XLSX, PUBLIC_PDF):
        assert first[name] == second[name], name
    a = _csv_without_provenance(first["graduatoria.csv"])
    b = _csv_without_provenance(second["graduatoria.csv"])
    pd.testing.assert_frame_equal(a, b)
    # and the provenance does say where each row is now
    sources = {
        r["source_file"]
        for r in csv.DictReader(io.StringIO(second["graduatoria.csv"].decode("utf-8-sig")))
    }
    assert all("_bis" in s for s in sources if s)

    m1, m2 = json.loads(first[MANIFEST]), json.loads(second[MANIFEST])
    for key in ("counts", "funds", "awarded", "rules", "lottery_seed", "status", "run_date"):
        assert m1[key] == m2[key], key
    assert [i["path"] for i in m1["inputs"]] != [i["path"] for i in m2["inputs"]]


def test_verify_reproduces_a_real_run_and_detects_a_changed_file(first_run, tmp_path):
    src, _ = first_run
    folder = tmp_path / "bando"
    shutil.copytree(src, folder)
    report = verify_result(folder, writer=write_all)
    assert report.reproduced, report.lines()

    partner = sorted((folder / "partner").iterdir())[0]
    partner.write_bytes(partner.read_bytes().replace(b"2017-0000", b"2017-9990", 1))
    report = verify_result(folder, writer=write_all)
    assert not report.reproduced
    assert report.inputs_changed == [partner.relative_to(folder).as_posix()]
