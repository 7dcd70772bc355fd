"""The JSON Schema of bando.yaml, published as rules/bando.schema.json for editors.

Regenerate with `python -m conciliare_cli.schema`; a test fails when the file is stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from conciliare_cli.config.models import CallConfig

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "rules" / "bando.schema.json"


def schema_text() -> str:
    schema = CallConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "bando.yaml di conciliare"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"scritto {SCHEMA_PATH}")


if __name__ == "__main__":
    main()
