"""The example call examples/conciliare-2017/ is what conciliare_cli.demo.example builds, byte
for byte (README and bando.yaml too).

Rebuilding needs xlwt and odfpy (the .xls and .ods writers), which only the example uses and
conciliare does not depend on: without them the test is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conciliare_cli.demo.example import build

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"


def test_the_example_call_rebuilds_byte_for_byte(tmp_path: Path) -> None:
    pytest.importorskip("xlwt")
    pytest.importorskip("odf")
    build(tmp_path)
    built = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    committed = [
        f"{folder}/{p.name}"
        for folder in ("partner", "erogatori", "fatture")
        for p in (EXAMPLE / folder).iterdir()
    ]
    assert built == sorted(
        ["README.md", "bando.yaml", "correzioni.xlsx", "eventi.xlsx", *committed]
    )
    for rel in built:
        assert (tmp_path / rel).read_bytes() == (EXAMPLE / rel).read_bytes(), rel
