"""bando.yaml: loaded safely, validated strictly, errors in Italian with file, line and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conciliare_cli.config import load_call
from conciliare_cli.errors import ConfigError, UserError
from conciliare_cli.schema import SCHEMA_PATH, schema_text

PARTNER = """
partners:
  - id: ASST
    name: "ASST di Crema"
    files: "partner/*.csv"
    columns:
      submitted_at: "Data"
      applicant_tax_code: "CF"
      minor_tax_code: "CF figlio"
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "bando.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_shipped_rules_load(rules_yaml: str, tmp_path: Path) -> None:
    call = load_call(write(tmp_path, rules_yaml))
    assert call.config.call.year == 2017
    assert [f.id for f in call.config.funds] == ["FSE", "ATS"]
    assert call.config.funds[0].amount_eur == 100000
    assert len(call.rules_sha256) == 64


def test_missing_required_mapping_names_line_and_key(rules_yaml: str, tmp_path: Path) -> None:
    text = rules_yaml.replace(
        "partners: []", PARTNER.replace('      minor_tax_code: "CF figlio"\n', "")
    )
    with pytest.raises(ConfigError) as info:
        load_call(write(tmp_path, text))
    msg = str(info.value)
    assert f"bando.yaml, riga {line_of(text, 'columns:')}, partners[0].columns" in msg
    assert "manca il campo obbligatorio 'minor_tax_code'" in msg


def test_unknown_key_is_an_error_with_suggestion(rules_yaml: str, tmp_path: Path) -> None:
    text = rules_yaml.replace("  cap_eur: 300", "  cap_euro: 300")
    with pytest.raises(ConfigError) as info:
        load_call(write(tmp_path, text))
    msg = str(info.value)
    assert f"riga {line_of(text, 'cap_euro')}" in msg
    assert "chiave non prevista 'cap_euro'" in msg
    assert "forse 'cap_eur'" in msg


def test_unknown_mapped_field_suggests_nearest(rules_yaml: str, tmp_path: Path) -> None:
    text = rules_yaml.replace("partners: []", PARTNER + '      isse: "ISEE"\n')
    with pytest.raises(ConfigError) as info:
        load_call(write(tmp_path, text))
    msg = str(info.value)
    assert f"riga {line_of(text, 'isse:')}" in msg
    assert "campo sconosciuto 'isse'" in msg and "forse 'isee'" in msg


def test_wrong_type_names_line(rules_yaml: str, tmp_path: Path) -> None:
    text = rules_yaml.replace("  year: 2017", "  year: duemila")
    with pytest.raises(ConfigError) as info:
        load_call(write(tmp_path, text))
    assert f"riga {line_of(text, 'year: duemila')}, call.year: atteso un numero intero" in str(
        info.value
    )


def test_yaml_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_call(write(tmp_path, "call:\n  title: [unclosed\n"))
    assert "errore di sintassi YAML" in str(info.value)
    assert "riga" in str(info.value)


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="non trovo il file delle regole"):
        load_call(tmp_path)


def test_yaml_is_loaded_safely(rules_yaml: str, tmp_path: Path) -> None:
    text = rules_yaml.replace(
        '  title: "Conciliare', '  title: !!python/object/apply:os.system ["echo x"]\n  x: "'
    )
    with pytest.raises(ConfigError):
        load_call(write(tmp_path, text))


def test_published_json_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "rules/bando.schema.json è superato: rigeneralo con python -m conciliare_cli.schema"
    )
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
