"""Bad rules through load_call and compile_rules (what every command does first): each error
names the file, the line and the key, in Italian."""

from __future__ import annotations

from pathlib import Path

import pytest

from conciliare_cli.config import load_call
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.errors import ConfigError

ISEE_BANDS = """      - {max: 10000, points: 15}
      - {min: 10000.01, max: 20000, points: 10}
      - {min: 20000.01, max: 35000, points: 5}"""


def error_for(tmp_path: Path, text: str) -> str:
    (tmp_path / "bando.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        compile_rules(load_call(tmp_path))
    return str(info.value)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def replaced(rules_yaml: str, old: str, new: str) -> str:
    assert old in rules_yaml
    return rules_yaml.replace(old, new, 1)


def test_unknown_field_in_condition_suggests(rules_yaml: str, tmp_path: Path) -> None:
    text = replaced(rules_yaml, 'require: "isee <= 35000"', 'require: "iseee <= 35000"')
    msg = error_for(tmp_path, text)
    assert f"bando.yaml, riga {line_of(text, 'iseee')}, eligibility[2].require" in msg
    assert "campo sconosciuto 'iseee' (forse 'isee'?)" in msg


def test_bad_band_order(rules_yaml: str, tmp_path: Path) -> None:
    bad = """      - {min: 20000.01, max: 35000, points: 5}
      - {min: 10000.01, max: 20000, points: 10}
      - {max: 10000, points: 15}"""
    text = replaced(rules_yaml, ISEE_BANDS, bad)
    msg = error_for(tmp_path, text)
    assert "criteria[2]" in msg and "riga " in msg
    assert "fasce" in msg


def test_overlapping_bands(rules_yaml: str, tmp_path: Path) -> None:
    bad = ISEE_BANDS.replace("{min: 10000.01, max: 20000", "{min: 9000, max: 20000")
    text = replaced(rules_yaml, ISEE_BANDS, bad)
    msg = error_for(tmp_path, text)
    assert "criteria[2]" in msg
    assert "si sovrappongono" in msg
    assert f"riga {line_of(text, '    bands:')}, criteria[2].bands" in msg


def test_band_min_above_max(rules_yaml: str, tmp_path: Path) -> None:
    bad = ISEE_BANDS.replace("{min: 20000.01, max: 35000", "{min: 36000, max: 35000")
    msg = error_for(tmp_path, replaced(rules_yaml, ISEE_BANDS, bad))
    assert "criteria[2]" in msg and "supera il massimo" in msg


def test_negative_amount(rules_yaml: str, tmp_path: Path) -> None:
    text = replaced(rules_yaml, "amount_eur: 44000", "amount_eur: -44000")
    msg = error_for(tmp_path, text)
    assert f"riga {line_of(text, '-44000')}, funds[1].amount_eur" in msg
    assert "≥ 0" in msg


def test_reserve_of_a_missing_fund(rules_yaml: str, tmp_path: Path) -> None:
    reserve = """reserves:
  - id: DISABILITA
    description: "Riserva"
    fund: FSEE
    share: 0.10
    condition: "any(disability)"
"""
    text = replaced(rules_yaml, "reserves: []\n", reserve)
    msg = error_for(tmp_path, text)
    assert "fondo 'FSEE' che non esiste" in msg
    assert "riga " in msg


def test_no_fund_at_all(rules_yaml: str, tmp_path: Path) -> None:
    start = rules_yaml.index("funds:")
    end = rules_yaml.index("reserves: []")
    text = rules_yaml[:start] + "funds: []\n\n" + rules_yaml[end:]
    msg = error_for(tmp_path, text)
    assert f"riga {line_of(text, 'funds: []')}, funds" in msg
    assert "non può essere vuoto" in msg


def test_minor_field_in_application_rule(rules_yaml: str, tmp_path: Path) -> None:
    text = replaced(rules_yaml, 'require: "eligible_minors >= 1"', 'require: "disability"')
    msg = error_for(tmp_path, text)
    line = line_of(text, 'require: "disability"')
    assert f"riga {line}, eligibility[5].require" in msg
    assert "any(...)" in msg


def test_aggregate_in_minor_rule(rules_yaml: str, tmp_path: Path) -> None:
    text = replaced(rules_yaml, 'require: "minor_tax_code_valid"', 'require: "count(true) > 0"')
    msg = error_for(tmp_path, text)
    assert "eligibility[4].require" in msg
    assert "livello di domanda" in msg


def test_bands_on_a_text_field(rules_yaml: str, tmp_path: Path) -> None:
    text = replaced(rules_yaml, "    field: isee\n", "    field: service\n")
    msg = error_for(tmp_path, text)
    assert f"riga {line_of(text, 'field: service')}, criteria[2].field" in msg
    assert "non è un numero" in msg


def test_points_with_too_many_decimals(rules_yaml: str, tmp_path: Path) -> None:
    text = replaced(
        rules_yaml,
        '    points: 5\n    reference: "art. 7 lett. d"',
        '    points: 5.0001\n    reference: "art. 7 lett. d"',
    )
    msg = error_for(tmp_path, text)
    assert "criteria[3].points" in msg and "3 decimali" in msg


def test_reserves_beyond_the_fund(rules_yaml: str, tmp_path: Path) -> None:
    reserve = """reserves:
  - {id: R1, description: "uno", fund: ATS, amount_eur: 30000, condition: "any(disability)"}
  - {id: R2, description: "due", fund: ATS, share: 0.5, condition: "single_parent"}
"""
    text = replaced(rules_yaml, "reserves: []\n", reserve)
    msg = error_for(tmp_path, text)
    assert f"riga {line_of(text, 'id: R2')}, reserves[1]" in msg
    assert "superano" in msg
