"""Regression tests of issue 11, second part: values of bando.yaml that pass the schema's types
but no call could mean, each on a real file made by the corpus script
(tests/data/hostile/make_corpus.py). Each gives one Italian message naming the file, the line
and the key, exit code 2, before any partner file is read; the limits themselves
(config/limits.py) are values a call can use."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.config import limits, load_call
from conciliare_cli.errors import ConfigError
from conciliare_cli.runs import run

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "hostile"))
import make_corpus as mc

CASES = {c.name: c for c in mc.CASES}


def _make(tmp_path: Path, name: str) -> Path:
    return mc.make_case(CASES[name], tmp_path)


def _line_of(folder: Path, text: str) -> int:
    lines = (folder / "bando.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize(
    ("case", "marker", "key", "words"),
    [
        ("importo_1e300", "amount_eur: 1e300", "funds[0].amount_eur", "≤ 1.000.000.000"),
        ("punti_1e300", "points: 1e300", "criteria[1].points", "≤ 1.000.000"),
        ("data_anno_1", "reference_date: 0001", "call.reference_date", "fuori dall'intervallo"),
        ("encoding_rot13", "encoding: rot13", "partners[0].encoding", "codifica 'rot13'"),
    ],
)
def test_a_value_out_of_range_is_one_message_with_line_and_key(
    tmp_path: Path, case: str, marker: str, key: str, words: str
) -> None:
    folder = _make(tmp_path, case)
    result = CliRunner().invoke(app, ["validate", str(folder), "--date", "2017-09-15"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert f"bando.yaml, riga {_line_of(folder, marker)}, {key}:" in text
    assert words in text
    assert len(re.findall(r"bando\.yaml, riga", text)) == 1


def test_the_alias_bomb_stops_at_once_naming_the_line(tmp_path: Path) -> None:
    folder = _make(tmp_path, "yaml_alias_bomb")
    started = time.monotonic()
    with pytest.raises(ConfigError) as err:
        load_call(folder)
    assert time.monotonic() - started < 5
    message = err.value.render()
    assert re.match(r"bando\.yaml, riga \d+: espandendo gli alias", message)
    line = int(message.split("riga ")[1].split(":")[0])
    assert "*a" in (folder / "bando.yaml").read_text(encoding="utf-8").splitlines()[line - 1]


def test_aliases_that_repeat_a_section_are_allowed(tmp_path: Path) -> None:
    """Two partners sharing their columns through an anchor: a normal use of YAML."""
    folder = mc.make_case(mc.Case("alias", "read", lambda f: None, partners=("AZIENDA",)), tmp_path)
    text = (folder / "bando.yaml").read_text(encoding="utf-8")
    text = text.replace("    columns:\n", "    columns: &colonne\n", 1)
    text = text.replace(
        "\n\neligibility:",
        '\n  - id: AZIENDA2\n    name: "Copia"\n    files: "partner/nessuno_*.csv"\n'
        "    columns: *colonne\n\neligibility:",
        1,
    )
    (folder / "bando.yaml").write_text(text, encoding="utf-8")
    call = load_call(folder)
    assert call.config.partners[1].columns == call.config.partners[0].columns


def test_a_bando_yaml_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    folder = _make(tmp_path, "importo_1e300")
    with (folder / "bando.yaml").open("r+b") as fh:
        fh.truncate(2 << 30)  # 2 GiB, sparse: reading it would take the memory
    with pytest.raises(ConfigError) as err:
        load_call(folder)
    assert "oltre il limite di 1.048.576" in err.value.render()


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("points: 5\n", "points: .nan\n", "criteria[1].points", "numero finito"),
        ("amount_eur: 100000", "amount_eur: .inf", "funds[0].amount_eur", "numero finito"),
        ("max_points: 20", "max_points: 1e300", "criteria[0].max_points", "≤ 1.000.000"),
        ("{max: 10000, points: 15}", "{max: 1e300, points: 15}", "bands[0].max", "≤ 1.000"),
        ('opens: "2017-06-01 09:00"', 'opens: "0001-06-01 09:00"', "submission.opens", "data"),
        ("cap_eur: 300", "cap_eur: 1e10", "voucher.cap_eur", "≤ 1.000.000.000"),
        ("    files:", "    header_row: 99999999\n    files:", "header_row", "≤ 1.048.576"),
        ("    files:", "    encoding: zlib\n    files:", "encoding", "non testuale"),
    ],
)
def test_other_values_out_of_range(
    tmp_path: Path, old: str, new: str, key: str, words: str
) -> None:
    folder = _make(tmp_path, "importo_1e300")
    mc.edit_config(folder, "amount_eur: 1e300", "amount_eur: 100000")
    mc.edit_config(folder, old, new)
    with pytest.raises(ConfigError) as err:
        load_call(folder)
    (message,) = err.value.errors
    assert f"{key}:" in message and words in message, message
    assert message.startswith(f"bando.yaml, riga {_line_of(folder, new.strip().splitlines()[0])}")


def test_the_limits_themselves_are_usable(tmp_path: Path) -> None:
    """A call at every bound ranks: funds and cap of 1e9 euros, points of ±1e6, bands to
    ±1e15, dates from 1900 to 2199."""
    folder = _make(tmp_path, "importo_1e300")
    big, points = int(limits.MAX_EUR), int(limits.MAX_POINTS)
    for old, new in [
        ("amount_eur: 1e300", f"amount_eur: {big}"),
        ("amount_eur: 44000", f"amount_eur: {big}"),
        ("cap_eur: 300", f"cap_eur: {big}"),
        ("points: 5\n", f"points: {points}\n"),
        ("points: 10\n", f"points: -{points}\n"),
        ("max_points: 20", f"max_points: {points}"),
        ("{max: 10000, points: 15}", f"{{min: -{int(limits.MAX_NUMBER)}, max: 10000, points: 1}}"),
        ("max: 35000, points: 5}", f"max: {int(limits.MAX_NUMBER)}, points: 5}}"),
        ('opens: "2017-06-01 09:00"', 'opens: "1900-01-01 00:00"'),
        ('closes: "2017-07-31 12:00"', 'closes: "2199-12-31 23:59"'),
    ]:
        mc.edit_config(folder, old, new)
    result = run(folder)
    awarded = result.minors["awarded_cents"].astype("Int64")
    assert awarded.max() == big * 100 or awarded.sum() > 0
    assert int(awarded.sum()) <= 2 * big * 100


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x7f"])
def test_a_control_character_names_its_line(tmp_path: Path, char: str) -> None:
    folder = _make(tmp_path, "importo_1e300")
    mc.edit_config(folder, "amount_eur: 1e300", "amount_eur: 100000")
    mc.edit_config(folder, 'rules_version: "2017.1"', f'rules_version: "2017.1{char}"')
    with pytest.raises(ConfigError) as err:
        load_call(folder)
    line = _line_of(folder, "rules_version:")
    assert err.value.render().startswith(
        f"bando.yaml, riga {line}: carattere non ammesso U+{ord(char):04X}"
    )
