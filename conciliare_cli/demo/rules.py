"""The rules of generated calls: the shipped rule set as text with a `partners:` section
(for call folders), or as plain data to change in a test and validate into a LoadedCall
without a folder (`rules_data`, `call_from`).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from conciliare_cli.config import LoadedCall
from conciliare_cli.config.loader import check_semantics
from conciliare_cli.config.models import CallConfig
from conciliare_cli.demo.styles import Style
from conciliare_cli.errors import ConfigError
from conciliare_cli.resources import rules_dir

RULE_SET = "conciliare-2017"

# ------------------------------------------------------------------------ as text, for folders


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def partners_yaml(partners: Sequence[tuple[str, str, str, Style, dict[str, object]]]) -> str:
    """The `partners:` section: (id, name, files pattern, style, extra keys) each."""
    lines = ["partners:"]
    for pid, name, files, style, extra in partners:
        lines.append(f"  - id: {pid}")
        lines.append(f"    name: {_yaml_str(name)}")
        lines.append(f"    files: {_yaml_str(files)}")
        for key, value in extra.items():
            lines.append(f"    {key}: {_yaml_str(value) if isinstance(value, str) else value}")
        lines.append("    columns:")
        for fname, header in style.headers.items():
            if isinstance(header, tuple):
                text = "[" + ", ".join(_yaml_str(h) for h in header) + "]"
            else:
                text = _yaml_str(header)
            lines.append(f"      {fname}: {text}")
    return "\n".join(lines) + "\n"


def bando_text(partners_section: str, rule_set: str = RULE_SET) -> str:
    """The shipped rules with `partners: []` replaced by `partners_section`."""
    text = (rules_dir() / f"{rule_set}.yaml").read_text(encoding="utf-8")
    marker = "\npartners: []\n"
    if marker not in text:  # pragma: no cover - the shipped file has it
        raise ValueError("the rule set has no 'partners: []' line")
    return text.replace(marker, "\n" + partners_section, 1)


# ------------------------------------------------------------------------ as data, for tests


def rules_data(name: str = RULE_SET) -> dict[str, Any]:
    """A shipped rule set as plain data, to modify in tests."""
    yaml = YAML(typ="safe")
    data = yaml.load((rules_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def call_from(data: dict[str, Any], folder: Path | str = ".") -> LoadedCall:
    """Validate a bando.yaml given as data (same checks as load_call, without lines)."""
    config = CallConfig.model_validate(copy.deepcopy(data))
    problems = list(check_semantics(config))
    if problems:
        raise ConfigError([f"bando.yaml, {'.'.join(map(str, loc))}: {m}" for loc, m in problems])
    raw = json.dumps(data, sort_keys=True, default=str).encode()
    return LoadedCall(
        config=config,
        folder=Path(folder),
        path=Path(folder) / "bando.yaml",
        rules_sha256=hashlib.sha256(raw).hexdigest(),
        lines={},
    )
