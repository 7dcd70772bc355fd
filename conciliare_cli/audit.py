"""Audit: re-run a call and check that the published result is reproduced byte for byte.

`verify_result(folder, out_dir)` reads out_dir/manifest.json, then
1. compares the SHA-256 of the rules file and of every input file with the manifest (changed,
   added, removed);
2. compares the files in `out_dir` with the hashes in the manifest (an output edited or lost
   after the run);
3. re-runs the call into a temporary folder with the manifest's date and status, through the
   same function the rank command uses (`runs.write_outputs`), and compares every
   output file's SHA-256 with the manifest.
It returns a VerifyReport; `VerifyReport.lines()` says in Italian what differs.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conciliare_cli import runs
from conciliare_cli.config import load_call
from conciliare_cli.engine.result import RankResult
from conciliare_cli.errors import UserError
from conciliare_cli.publish.manifest import (
    MANIFEST,
    environment,
    read_manifest,
    sha256_file,
)
from conciliare_cli.publish.manifest_check import check_manifest

REPRODUCED = "Risultato riprodotto esattamente"


@dataclass
class VerifyReport:
    status: str
    run_date: dt.date
    rules_changed: bool = False
    inputs_changed: list[str] = field(default_factory=list)
    inputs_added: list[str] = field(default_factory=list)
    inputs_removed: list[str] = field(default_factory=list)
    stored_changed: list[str] = field(default_factory=list)  # in out_dir, differs from manifest
    stored_missing: list[str] = field(default_factory=list)
    rerun_differs: list[str] = field(default_factory=list)  # re-run output != manifest
    rerun_missing: list[str] = field(default_factory=list)  # in manifest, not re-produced
    rerun_extra: list[str] = field(default_factory=list)  # re-produced, not in manifest
    rerun_error: str | None = None
    versions: list[str] = field(default_factory=list)  # environment differences (notes)

    @property
    def reproduced(self) -> bool:
        return not (
            self.rules_changed
            or self.inputs_changed
            or self.inputs_added
            or self.inputs_removed
            or self.stored_changed
            or self.stored_missing
            or self.rerun_differs
            or self.rerun_missing
            or self.rerun_extra
            or self.rerun_error
        )

    def lines(self) -> list[str]:
        """What differs, in Italian (empty when reproduced)."""
        out: list[str] = []
        if self.rules_changed:
            out.append("il file delle regole è cambiato (SHA-256 diverso da quello del manifest)")
        out += [f"file di input modificato: {p}" for p in self.inputs_changed]
        out += [f"file di input aggiunto: {p}" for p in self.inputs_added]
        out += [f"file di input rimosso: {p}" for p in self.inputs_removed]
        out += [f"esito modificato dopo la pubblicazione: {p}" for p in self.stored_changed]
        out += [f"esito mancante nella cartella: {p}" for p in self.stored_missing]
        if self.rerun_error:
            out.append(f"il ricalcolo non è riuscito: {self.rerun_error}")
        out += [f"il ricalcolo dà un file diverso: {p}" for p in self.rerun_differs]
        out += [f"il ricalcolo non produce: {p}" for p in self.rerun_missing]
        out += [f"il ricalcolo produce anche: {p}" for p in self.rerun_extra]
        return out


def _manifest_or_error(out_dir: Path) -> dict[str, Any]:
    manifest = read_manifest(out_dir)
    if manifest is None:
        raise UserError(
            f"non trovo {MANIFEST} in {out_dir}",
            hint="verify controlla una graduatoria scritta da 'conciliare rank'; "
            "indicare la cartella degli esiti con --out",
        )
    return check_manifest(manifest, out_dir / MANIFEST)  # its shape, before any use


def _hashes(entries: list[dict[str, Any]]) -> dict[str, str]:
    return {str(e["path"]): str(e["sha256"]) for e in entries}


def _version_notes(manifest: dict[str, Any]) -> list[str]:
    now = environment()
    notes = []
    then_tool = (manifest.get("tool") or {}).get("version")
    if then_tool != now["tool"]["version"]:
        notes.append(f"conciliare {then_tool} → {now['tool']['version']}")
    if manifest.get("python") != now["python"]:
        notes.append(f"Python {manifest.get('python')} → {now['python']}")
    then_libs = manifest.get("libraries") or {}
    for name, version in sorted(now["libraries"].items()):
        if name in then_libs and then_libs[name] != version:
            notes.append(f"{name} {then_libs[name]} → {version}")
    return notes


Runner = Callable[..., RankResult]  # runs.run(folder, call=...)
Writer = Callable[[RankResult, Path, str, dt.date], object]  # runs.write_outputs


def verify_result(
    folder: Path | str,
    out_dir: Path | str | None = None,
    *,
    runner: Runner | None = None,
    writer: Writer | None = None,
) -> VerifyReport:
    """Check the result in `out_dir` (default folder/esiti) against a re-run of the call.

    The re-run uses `runs.run` and `runs.write_outputs`, as `conciliare rank`
    does (`runner` and `writer` replace them in tests).
    """
    runner = runner or runs.run
    writer = writer or runs.write_outputs

    folder = Path(folder)
    out = Path(out_dir) if out_dir is not None else folder / "esiti"
    manifest = _manifest_or_error(out)
    try:
        run_date = dt.date.fromisoformat(str(manifest["run_date"]))
    except ValueError as exc:
        raise UserError(
            f"data non valida nel manifest: {manifest['run_date']!r}", file=str(out / MANIFEST)
        ) from exc
    status = str(manifest["status"])
    if status not in ("PROVVISORIA", "DEFINITIVA"):
        raise UserError(f"stato non valido nel manifest: {status!r}", file=str(out / MANIFEST))
    report = VerifyReport(status=status, run_date=run_date)
    report.versions = _version_notes(manifest)

    call = load_call(folder)
    report.rules_changed = call.rules_sha256 != str(manifest["rules"].get("sha256"))

    then_inputs = _hashes(manifest["inputs"])
    for rel, digest in sorted(then_inputs.items()):
        path = call.folder / rel
        if not path.is_file():
            report.inputs_removed.append(rel)
        elif sha256_file(path) != digest:
            report.inputs_changed.append(rel)

    then_outputs = _hashes(manifest["outputs"])
    for rel, digest in sorted(then_outputs.items()):
        path = out / rel
        if not path.is_file():
            report.stored_missing.append(rel)
        elif sha256_file(path) != digest:
            report.stored_changed.append(rel)

    try:
        done = runs.recorded(out)  # the same run date and override as the published run
        result = runner(folder, call=call, run_date=done.run_date, override=done.override)
    except UserError as exc:
        report.rerun_error = exc.render()
        return report
    report.inputs_added = sorted(set(result.input_files) - set(then_inputs))

    with tempfile.TemporaryDirectory(prefix="conciliare-verify-") as tmp:
        target = Path(tmp) / "esiti"
        try:
            writer(result, target, status, run_date)
        except UserError as exc:
            report.rerun_error = exc.render()
            return report
        produced = {
            p.relative_to(target).as_posix(): p
            for p in target.rglob("*")
            if p.is_file() and p.name != MANIFEST
        }
        for rel, digest in sorted(then_outputs.items()):
            if rel not in produced:
                report.rerun_missing.append(rel)
            elif sha256_file(produced[rel]) != digest:
                report.rerun_differs.append(rel)
        report.rerun_extra = sorted(set(produced) - set(then_outputs))
    return report
