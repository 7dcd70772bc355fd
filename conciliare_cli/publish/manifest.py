"""manifest.json: what an auditor needs to re-run a call and check that nothing changed.

Written beside the outputs, last: tool, Python and library versions; SHA-256 of every input file
and of the rules; the lottery seed; PROVVISORIA/DEFINITIVA; counts per outcome (applications and
minors); money per fund in cents and euros; every output file with its SHA-256 (all but the
manifest itself); the run date (the --date, never the wall clock). Keys sorted, lists sorted,
so the same run gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from conciliare_cli import __version__
from conciliare_cli.atomic import atomic_write_text
from conciliare_cli.engine.outcomes import application_outcomes, totals
from conciliare_cli.engine.result import RankResult
from conciliare_cli.errors import UserError
from conciliare_cli.italian import number
from conciliare_cli.money import cents_to_decimal
from conciliare_cli.publish.hooks import test_hook
from conciliare_cli.status import ListStatus, Status

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1

# Libraries whose version can change the outputs' bytes (recorded, and compared by verify).
LIBRARIES = (
    "pandas",
    "numpy",
    "openpyxl",
    "XlsxWriter",
    "weasyprint",
    "pydyf",
    "pydantic",
    "python-calamine",
    "python-stdnum",
    "Babel",
    "Jinja2",
)

_CHUNK = 1 << 20
MAX_MANIFEST_BYTES = 64 << 20  # read back by verify and rank; the example's is 4 KB


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def library_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def environment() -> dict[str, Any]:
    """Versions of the tool, Python and the libraries."""
    return {
        "tool": {"name": "conciliare", "version": __version__},
        "python": platform.python_version(),
        "libraries": library_versions(),
    }


def _euros(cents: Any) -> str | None:
    value = cents_to_decimal(cents)
    return None if value is None else str(value)


def _money(cents: Any) -> dict[str, Any]:
    c = None if cents is None or pd.isna(cents) else int(cents)
    return {"cents": c, "eur": _euros(c)}


def _counts(values: pd.Series) -> dict[str, int]:
    counts = values.astype("string").value_counts()
    return {s: int(counts.get(s, 0)) for s in Status.codes()}


def application_statuses(result: RankResult) -> pd.Series:
    """One outcome per application (engine/outcomes.py, as every output counts them)."""
    return application_outcomes(result.minors)


def input_hashes(result: RankResult) -> list[dict[str, Any]]:
    folder = result.call.folder
    out = []
    for rel in sorted(set(result.input_files)):
        path = folder / rel
        out.append({"path": rel, "sha256": sha256_file(path), "bytes": path.stat().st_size})
    return out


def output_hashes(out_dir: Path) -> list[dict[str, Any]]:
    """Every file under `out_dir` but manifest.json, with its SHA-256 (relative posix paths)."""
    files = sorted(
        (p for p in out_dir.rglob("*") if p.is_file() and p.relative_to(out_dir) != Path(MANIFEST)),
        key=lambda p: p.relative_to(out_dir).as_posix(),
    )
    return [
        {
            "path": p.relative_to(out_dir).as_posix(),
            "sha256": sha256_file(p),
            "bytes": p.stat().st_size,
        }
        for p in files
    ]


def build_manifest(
    result: RankResult, out_dir: Path, status: str, run_date: dt.date
) -> dict[str, Any]:
    call = result.call
    config = call.config
    try:
        rules_rel = call.path.resolve().relative_to(call.folder.resolve()).as_posix()
    except ValueError:
        rules_rel = call.path.name
    funds = []
    for row in result.funds.to_dict("records"):  # fund order of the rules
        funds.append(
            {
                "id": str(row["fund_id"]),
                "name": str(row["name"]),
                "budget": _money(row["budget_cents"]),
                "assigned": _money(row["assigned_cents"]),
                "residual": _money(row["residual_cents"]),
            }
        )
    reserves = []
    if len(result.reserves):
        for row in result.reserves.sort_values("reserve_id").to_dict("records"):
            reserves.append(
                {
                    "id": str(row["reserve_id"]),
                    "fund": str(row["fund_id"]),
                    "amount": _money(row["amount_cents"]),
                    "used": _money(row["used_cents"]),
                    "returned": _money(row["returned_cents"]),
                }
            )
    awarded = pd.to_numeric(result.minors["awarded_cents"]).astype("Int64").fillna(0).sum()
    return {
        "manifest_version": MANIFEST_VERSION,
        **environment(),
        "call": {
            "title": config.call.title,
            "year": config.call.year,
            "rules_version": config.call.rules_version,
            "ranking_unit": config.ranking.unit,
        },
        "rules": {"path": rules_rel, "sha256": call.rules_sha256},
        "inputs": input_hashes(result),
        "lottery_seed": result.rules.lottery_seed,
        "status": status,
        "run_date": run_date.isoformat(),
        "counts": {
            "applications": _counts(application_statuses(result)),
            "minors": _counts(result.minors["status"]),
            "applications_total": int(result.minors["application_id"].nunique()),
            "minors_total": len(result.minors),
            "minors_excluded_in_admitted_applications": totals(result)["excluded_in_admitted"],
        },
        "awarded": _money(int(awarded)),
        **_istruttoria(result),
        "funds": funds,
        "reserves": reserves,
        "outputs": output_hashes(out_dir),
    }


def _istruttoria(result: RankResult) -> dict[str, Any]:
    """The decisions taken on the data: corrections applied (the file is among the inputs)
    and the override of open blocking findings, with who decided and why."""
    out: dict[str, Any] = {}
    corrections = result.corrections
    if corrections is not None and len(corrections):
        out["corrections"] = {
            "file": str(corrections["file"].iloc[0]),
            "applied": len(corrections),
        }
    if result.override is not None:
        findings = result.findings
        settled = 0
        if findings is not None and len(findings) and "resolution" in findings:
            settled = int(findings["resolution"].astype("string").eq(result.override.text()).sum())
        out["override"] = {
            "by": result.override.by,
            "reason": result.override.reason,
            "findings": settled,
        }
    return out


def dumps(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_manifest(result: RankResult, out_dir: Path | str, status: str, run_date: dt.date) -> Path:
    """Write out_dir/manifest.json. Call it last: it lists every other file in `out_dir`."""
    ListStatus.check(status)
    out = Path(out_dir)
    manifest = build_manifest(result, out, status, run_date)
    path = atomic_write_text(out / MANIFEST, dumps(manifest))
    test_hook("manifest")
    return path


def read_manifest(out_dir: Path | str) -> dict[str, Any] | None:
    """The manifest in `out_dir`, or None when there is none; UserError when unreadable."""
    path = Path(out_dir) / MANIFEST
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise UserError(
            f"il file è di {number(path.stat().st_size)} byte, oltre il limite di "
            f"{number(MAX_MANIFEST_BYTES)}: non è un manifest di conciliare",
            file=str(path),
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UserError(
            "il file non è un manifest leggibile (JSON non valido)", file=str(path)
        ) from exc
    if not isinstance(data, dict):
        raise UserError("il file non è un manifest di conciliare", file=str(path))
    return data
