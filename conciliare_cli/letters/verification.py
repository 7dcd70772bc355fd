"""`verify` for the letters: the letters in esiti/lettere are the ones their manifest lists, they
come from the graduatoria on disk, and re-made with the same date, protocol and selection they
are the same bytes (see letters/issued.py)."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from conciliare_cli.engine.result import RankResult
from conciliare_cli.errors import UserError
from conciliare_cli.letters import write_letters
from conciliare_cli.letters.common import ListSource
from conciliare_cli.letters.files import LETTERS_MANIFEST, SELECTIONS_DIR
from conciliare_cli.letters.issued import read_letters_manifest
from conciliare_cli.publish.manifest import sha256_file


@dataclass
class LettersCheck:
    """What differs in the letters (empty lists: they are reproduced)."""

    checked: int = 0  # files listed in the letters' manifest
    other_list: bool = False  # the letters name another graduatoria than the one on disk
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rerun_differs: list[str] = field(default_factory=list)
    error: str | None = None

    def lines(self) -> list[str]:
        out = []
        if self.error:
            out.append(f"lettere: {self.error}")
        if self.other_list:
            out.append(
                "le lettere vengono da un'altra graduatoria (il manifest delle lettere cita un "
                "manifest.json diverso da quello presente)"
            )
        out += [f"lettera modificata dopo l'invio: {p}" for p in self.changed]
        out += [f"lettera mancante nella cartella: {p}" for p in self.missing]
        out += [f"il ricalcolo dà una lettera diversa: {p}" for p in self.rerun_differs]
        return out


def check_letters(result: RankResult, out_dir: Path) -> LettersCheck | None:
    """Check out_dir/lettere, and every selection of letters of the same graduatoria
    (out_dir/lettere-selezioni/*), against their manifests and a re-run; None when there are no
    letters. A selection made from an earlier graduatoria is not checked (it was an act of that
    list); the letters of the whole list must come from the graduatoria on disk."""
    check: LettersCheck | None = None
    main = check_letters_folder(result, out_dir, out_dir / "lettere", "")
    if main is not None:
        check = main
    selections = out_dir / SELECTIONS_DIR
    folders = sorted(p for p in selections.iterdir() if p.is_dir()) if selections.is_dir() else []
    for folder in folders:
        prefix = f"{SELECTIONS_DIR}/{folder.name}/"
        one = check_letters_folder(result, out_dir, folder, prefix, earlier_list_ok=True)
        if one is None:
            continue
        check = check or LettersCheck()
        check.checked += one.checked
        check.changed += one.changed
        check.missing += one.missing
        check.rerun_differs += one.rerun_differs
        if one.error:
            check.error = "; ".join(e for e in (check.error, f"{prefix} {one.error}") if e)
    return check


def check_letters_folder(
    result: RankResult,
    out_dir: Path,
    folder: Path,
    prefix: str,
    *,
    earlier_list_ok: bool = False,
) -> LettersCheck | None:
    """Check one letters' folder; paths in the check start with `prefix`."""
    data = read_letters_manifest(folder)
    if data is None:
        return None
    check = LettersCheck()
    try:
        listed = {str(f["path"]): str(f["sha256"]) for f in data["files"]}
        graduatoria = data["graduatoria"]["manifest_sha256"]
        run_date = dt.date.fromisoformat(str(data["run_date"]))
        selection = data.get("selection") or {}
    except (KeyError, TypeError, ValueError):
        check.error = f"{LETTERS_MANIFEST} non è leggibile"
        return check
    source = ListSource.read(out_dir)
    if source.manifest_sha256 != graduatoria and earlier_list_ok:
        return None
    check.checked = len(listed)
    for rel, digest in sorted(listed.items()):
        path = folder / rel
        if not path.is_file():
            check.missing.append(prefix + rel)
        elif sha256_file(path) != digest:
            check.changed.append(prefix + rel)
    if source.manifest_sha256 != graduatoria:
        check.other_list = True
        return check
    with tempfile.TemporaryDirectory(prefix="conciliare-verify-lettere-") as tmp:
        target = Path(tmp) / "lettere"
        try:
            write_letters(
                result,
                target,
                source=source,
                run_date=run_date,
                ids=set(selection["ids"]) if selection.get("ids") else None,
                only=set(selection["only"]) if selection.get("only") else None,
                protocol=data.get("protocol"),
            )
        except UserError as exc:
            check.error = exc.render()
            return check
        for rel, digest in sorted(listed.items()):
            if rel == LETTERS_MANIFEST:
                continue
            path = target / rel
            if not path.is_file() or sha256_file(path) != digest:
                check.rerun_differs.append(prefix + rel)
    return check
