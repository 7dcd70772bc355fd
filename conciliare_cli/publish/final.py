"""Provisional and final results: a DEFINITIVA result is never overwritten without --force.

`guard_final(target_dir, final, force, run_date)` is called before a run writes into
`target_dir`:

- no result there, or a PROVVISORIA one and the new run is PROVVISORIA too: nothing to do
  (the provisional result is replaced by the new one);
- a PROVVISORIA result and the new run is DEFINITIVA: the provisional result is moved into the
  archive (it was published at the Albo: it is kept, not replaced);
- a DEFINITIVA result: UserError (exit 2) unless `force`; with `force` it is moved into the
  archive.

The archive is `target_dir/archivio/<run date>_<n>/` (n = 1, 2, ... the first free), holding
everything `target_dir` held except the archive itself. Nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from conciliare_cli.errors import UserError
from conciliare_cli.publish.manifest import read_manifest

ARCHIVE = "archivio"


def result_status(target_dir: Path | str) -> str | None:
    """PROVVISORIA / DEFINITIVA from target_dir/manifest.json, None when there is no result."""
    manifest = read_manifest(target_dir)
    if manifest is None:
        return None
    status = manifest.get("status")
    return str(status) if status is not None else None


def guard_final(target_dir: Path | str, final: bool, force: bool, run_date: dt.date) -> None:
    """Refuse to overwrite a DEFINITIVA result (unless `force`: then archive it first)."""
    target = Path(target_dir)
    if not target.is_dir():
        return
    status = result_status(target)
    if status == "DEFINITIVA":
        if not force:
            manifest = read_manifest(target) or {}
            when = manifest.get("run_date", "")
            raise UserError(
                f"in {target} c'è già la graduatoria DEFINITIVA"
                + (f" del {_italian_date(when)}" if when else "")
                + ": non viene sovrascritta",
                hint="per rifarla usare --forza (la precedente è spostata in "
                f"{ARCHIVE}/, non cancellata) oppure --esiti con un'altra cartella",
            )
        archive_result(target, run_date)
    elif status == "PROVVISORIA" and final:
        archive_result(target, run_date)


def archive_result(target_dir: Path, run_date: dt.date) -> Path | None:
    """Move everything in `target_dir` (but the archive) into archivio/<date>_<n>/."""
    entries = sorted(
        p
        for p in target_dir.iterdir()
        if p.name != ARCHIVE and not (p.name.startswith(".") and p.name.endswith(".tmp"))
    )
    if not entries:
        return None
    base = target_dir / ARCHIVE
    base.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        dest = base / f"{run_date.isoformat()}_{n}"
        try:
            dest.mkdir()
            break
        except FileExistsError:
            n += 1
    for entry in entries:
        os.replace(entry, dest / entry.name)
    return dest


def _italian_date(iso: str) -> str:
    from conciliare_cli.italian import date_short

    try:
        return date_short(dt.date.fromisoformat(str(iso)))
    except ValueError:
        return str(iso)
