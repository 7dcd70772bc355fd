"""The shape of a manifest.json that `verify` and `rank` read back: a tampered manifest (a
value of the wrong type, a missing key, a path out of its folder, an absurd value) is one
Italian message naming the file and the key, exit 2, never a traceback.

Only what the readers use is checked; other keys may be anything. Paths must be relative,
inside their folder (no `..`, no absolute path, no NUL): `verify` hashes the file a path
names, and a manifest naming /dev/zero would make it read for ever.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from conciliare_cli.errors import UserError
from conciliare_cli.italian import number

MAX_ENTRIES = 1_000_000  # files listed as inputs or outputs


def _relative(path: str) -> str:
    pure = PurePosixPath(path)
    if not path or "\x00" in path or "\\" in path or pure.is_absolute() or ".." in pure.parts:
        raise ValueError("percorso non ammesso: deve essere relativo alla sua cartella")
    return path


def _iso_date(text: str) -> str:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("attesa una data AAAA-MM-GG") from None
    if not 1900 <= day.year <= 2199:
        raise ValueError("data fuori dall'intervallo ammesso (1900-2199)")
    return text


Digest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", strict=True)]
RelPath = Annotated[str, Field(strict=True, max_length=4096), AfterValidator(_relative)]
Text = Annotated[str, Field(strict=True, max_length=1000)]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _File(_Open):
    path: RelPath
    sha256: Digest


class _Rules(_Open):
    sha256: Digest


class _Tool(_Open):
    version: Text | None = None


class ManifestShape(_Open):
    status: Literal["PROVVISORIA", "DEFINITIVA"]
    run_date: Annotated[str, Field(strict=True), AfterValidator(_iso_date)]
    rules: _Rules
    inputs: list[_File] = Field(max_length=MAX_ENTRIES)
    outputs: list[_File] = Field(max_length=MAX_ENTRIES)
    tool: _Tool | None = None
    python: Text | None = None
    libraries: dict[Text, Text | None] | None = None


_WHAT = {
    "missing": "manca",
    "list_type": "attesa una lista",
    "dict_type": "attesa una sezione con chiavi",
    "model_type": "attesa una sezione con chiavi",
    "model_attributes_type": "attesa una sezione con chiavi",
    "string_type": "atteso un testo",
    "literal_error": "ammessi PROVVISORIA o DEFINITIVA",
    "string_pattern_mismatch": "attesa un'impronta SHA-256 (64 cifre esadecimali)",
    "too_long": f"più di {number(MAX_ENTRIES)} elementi",
    "string_too_long": "testo troppo lungo",
}


def check_manifest(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """`data` when it has the shape of a manifest; UserError naming `path` and the key if not."""
    try:
        ManifestShape.model_validate(data)
    except ValidationError as exc:
        raise UserError(
            "il manifest è stato alterato o non è stato scritto da conciliare: "
            + _describe(exc.errors(include_url=False)[0]),
            file=str(path),
            hint="recuperare il manifest.json pubblicato con la graduatoria, oppure rifare "
            "la graduatoria con 'conciliare rank'",
        ) from exc
    return data


def _describe(err: dict[str, Any]) -> str:
    loc = _dotted(err["loc"])
    etype = err["type"]
    if etype == "value_error":
        what = str((err.get("ctx") or {}).get("error", err["msg"]))
    else:
        what = _WHAT.get(etype, "valore non valido")
    if etype == "missing":
        return f"manca la chiave '{loc}'"
    found = repr(err.get("input"))
    found = found if len(found) <= 60 else found[:57] + "..."
    return f"'{loc}': {what} (trovato {found})"


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
