"""The letters' manifest (`manifest-lettere.json`): what families received, in the audit trail.

It names the graduatoria the letters come from (the SHA-256 of its manifest.json, its status
and date), the run's date, protocol and selection, the templates used (shipped or the call's,
with their SHA-256) and every file written: each letter and voucher slip with its application,
the combined PDF and the indexes. `verify` (audit.py) checks it:

1. the graduatoria's manifest.json is still the one the letters name;
2. every listed file is in the folder with its SHA-256;
3. the letters re-made with the same date, protocol and selection are the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conciliare_cli import __version__
from conciliare_cli.letters.common import ListSource
from conciliare_cli.letters.engine import Project
from conciliare_cli.letters.files import LETTERS_MANIFEST
from conciliare_cli.publish.manifest import sha256_file

if TYPE_CHECKING:
    from conciliare_cli.letters.context import Letter
    from conciliare_cli.letters.render import LetterItem

VERSION = 1


def _typst_version() -> str | None:
    try:
        return metadata.version("typst")
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency
        return None


def _templates(proj: Project) -> list[dict[str, str]]:
    out = []
    for name, origin in sorted(proj.origin.items()):
        shipped = Path(origin).parent.name == "templates" and "conciliare_cli" in Path(origin).parts
        out.append(
            {
                "name": name,
                "source": "shipped" if shipped else "call",
                "sha256": sha256_file(origin),
            }
        )
    return out


def write_letters_manifest(
    folder: Path,
    *,
    letters: list[Letter],
    items: list[LetterItem],
    source: ListSource,
    run_date: dt.date,
    protocol: str | None,
    selection: dict[str, Any],
    project: Project,
    known: dict[str, tuple[str, int]] | None = None,
) -> Path:
    """Write folder/manifest-lettere.json, listing every file already in `folder`.

    `known` gives the SHA-256 and size of files hashed while they were written (the letters,
    the slips, the combined PDF): only the others are read back."""
    known = known or {}
    owner: dict[str, tuple[str, str]] = {}
    for letter, item in zip(letters, items, strict=True):
        owner[f"{item.stem}.pdf"] = (letter.application_id, "lettera")
        for name, _title in item.slips:
            owner[name] = (letter.application_id, "buono")
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        app, kind = owner.get(rel, ("", "elenco"))
        digest, size = known[rel] if rel in known else (sha256_file(path), path.stat().st_size)
        files.append(
            {
                "path": rel,
                "kind": kind,
                "application_id": app,
                "sha256": digest,
                "bytes": size,
            }
        )
    data = {
        "letters_manifest_version": VERSION,
        "tool": {"name": "conciliare", "version": __version__},
        "typst": _typst_version(),
        "graduatoria": {
            "status": source.status,
            "run_date": source.list_date.isoformat(),
            "manifest_sha256": source.manifest_sha256,
        },
        "run_date": run_date.isoformat(),
        "protocol": protocol,
        "selection": selection,
        "templates": _templates(project),
        "counts": {
            "letters": len(letters),
            "vouchers": sum(len(i.slips) for i in items),
        },
        "files": files,
    }
    path = folder / LETTERS_MANIFEST
    path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    return path


def read_letters_manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / LETTERS_MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}
