"""The retention index: every file of the call folder behind the call's figures, with its
SHA-256, size, kind and the date until which it must be kept.

Reg. UE 1303/2013 art. 140 asks that the documents of an FSE-funded operation be kept for two
years from 31 December following the submission of the accounts in which its final expenditure
is included: a date the Region communicates, stated in bando.yaml as `spending.keep_until`
(without it the index says it is still to be set). Hidden files and the index itself are not
listed; nothing is modified.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pandas as pd

from conciliare_cli.atomic import atomic_write_bytes
from conciliare_cli.config import CONFIG_NAME, LoadedCall
from conciliare_cli.publish.manifest import sha256_file
from conciliare_cli.spending.report_files import excel_safe
from conciliare_cli.write.graduatoria import csv_text

INDEX = "conservazione.csv"
NOT_SET = "da stabilire (art. 140 Reg. UE 1303/2013: data comunicata dalla Regione)"


def _patterns(spec: object) -> list[str]:
    files = getattr(spec, "files", [])
    return [files] if isinstance(files, str) else list(files)


def categories(call: LoadedCall, esiti: str, output: str) -> list[tuple[str, list[str]]]:
    """(kind, glob patterns relative to the call folder), the first that matches wins."""
    config = call.config
    out: list[tuple[str, list[str]]] = [("Regole del bando", [CONFIG_NAME])]
    out.append(("Domande dei partner", [p for pc in config.partners for p in _patterns(pc)]))
    out.append(("Correzioni (soccorso istruttorio)", [config.istruttoria.corrections]))
    if config.spending is not None:
        out.append(("Elenco degli erogatori", _patterns(config.spending.providers)))
        out.append(("Fatture degli erogatori", _patterns(config.spending.invoices)))
    out.append(("Lettere", [f"{esiti}/lettere/**", f"{esiti}/**/lettere/**"]))
    out.append(("Atti e graduatorie", [f"{esiti}/**"]))
    out.append(("Rendiconto", [f"{output}/**"]))
    return out


def retention_index(call: LoadedCall, esiti: str = "esiti") -> pd.DataFrame:
    """One row per file: kind, path (relative, '/'), sha256, bytes, keep_until; by path."""
    spending = call.config.spending
    output = spending.output if spending is not None else "spese"
    kinds = categories(call, esiti, output)
    rows = []
    for path in sorted(p for p in call.folder.rglob("*") if p.is_file()):
        rel = path.relative_to(call.folder).as_posix()
        if any(part.startswith(".") for part in rel.split("/")) or rel == f"{output}/{INDEX}":
            continue
        kind = next((k for k, pats in kinds if any(fnmatch.fnmatch(rel, p) for p in pats)), "Altro")
        rows.append({"kind": kind, "path": rel, "sha256": sha256_file(path),
                     "bytes": path.stat().st_size})  # fmt: skip
    frame = pd.DataFrame(rows, columns=["kind", "path", "sha256", "bytes"])
    keep = spending.keep_until if spending is not None else None
    frame["keep_until"] = keep.isoformat() if keep is not None else NOT_SET
    return frame


def write_index(frame: pd.DataFrame, target: Path) -> Path:
    """`target/conservazione.csv` (UTF-8, comma-separated), texts safe for Excel."""
    out = frame.astype(str)
    out["path"] = excel_safe(out["path"])
    text = csv_text(out)
    return atomic_write_bytes(target / INDEX, text.encode("utf-8"))
