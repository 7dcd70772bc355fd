"""The final list as a scorrimento continues it: the units in rank order, what each minor needs,
what each pot paid it, and which units may draw on which pot.

`final_list(folder)` re-runs the call with the date and override recorded in the final
graduatoria's manifest (DIR/esiti/manifest.json, status DEFINITIVA) and checks that the re-run
gives the published graduatoria.csv byte for byte: an act is always computed from the list that
was published, never from partners' files changed since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli import runs
from conciliare_cli.engine.allocation import Pot
from conciliare_cli.engine.result import RankResult
from conciliare_cli.errors import UserError
from conciliare_cli.publish.manifest import MANIFEST, read_manifest, sha256_file
from conciliare_cli.write.graduatoria import graduatoria_csv_bytes

ESITI = "esiti"


@dataclass
class FinalList:
    """The final list, one row per ranked minor in rank order (`rows` index result.minors)."""

    result: RankResult
    rows: np.ndarray  # rows of result.minors in rank order (minors of a unit together)
    unit: np.ndarray  # per row: 0-based position of its unit in the ranked list (rank - 1;
    #                   with rows reinstated, acts/reinstate.py, their units counted too)
    need: np.ndarray  # per row: the voucher the minor may receive, in cents
    draws: np.ndarray  # (rows, pots): cents of the final list
    pots: list[Pot]  # reserves first, then funds (the allocator's order)
    policy: str
    split: bool
    manifest: dict
    manifest_sha256: str
    folder: Path
    # rows added after the final list for a reinstatement (acts/reinstate.py): not in the
    # final list; their unit's position is shown as '12-bis' (after 12, before 13)
    in_final: np.ndarray = None  # type: ignore[assignment]  # bool per row
    position: np.ndarray = None  # type: ignore[assignment]  # per row: 12, or '12-bis'

    def __post_init__(self) -> None:
        if self.in_final is None:
            self.in_final = np.ones(len(self.need), dtype=bool)
        if self.position is None:
            self.position = (self.unit + 1).astype(object)

    @property
    def minors(self) -> pd.DataFrame:
        """The ranked minors, in rank order (the columns of result.minors)."""
        return self.result.minors.iloc[self.rows].reset_index(drop=True)

    @property
    def budgets(self) -> dict[str, int]:
        """Per fund id: its budget in cents (reserves included)."""
        return {p.id: int(p.amount_cents) for p in self.pots if not p.is_reserve}


def final_list(folder: Path | str, out: Path | str | None = None) -> FinalList:
    """The published final list of the call in `folder` (esiti in `out`, default folder/esiti)."""
    folder = Path(folder)
    esiti = Path(out) if out is not None else folder / ESITI
    manifest = read_manifest(esiti)
    if manifest is None or manifest.get("status") != "DEFINITIVA":
        raise UserError(
            f"in {esiti} non c'è una graduatoria DEFINITIVA",
            hint="lo scorrimento parte dalla graduatoria definitiva: prima 'conciliare rank "
            "CARTELLA --definitiva'",
        )
    done = runs.recorded(esiti)
    result = runs.run(folder, run_date=done.run_date, override=done.override)
    _same_as_published(result, esiti, manifest)
    return from_result(result, manifest, sha256_file(esiti / MANIFEST), folder)


def from_result(
    result: RankResult, manifest: dict, manifest_sha256: str, folder: Path
) -> FinalList:
    """The final list of a run (`result`, as `rank --definitiva` made it) and its manifest."""
    alloc, rows = result.allocation, result.allocation_rows
    if alloc is None or rows is None:
        raise ValueError("the result carries no allocation (not made by rank_call)")
    ranks = pd.to_numeric(result.minors["rank"].iloc[rows]).to_numpy(dtype=np.int64)
    need = pd.array(result.minors["requested_cents"].iloc[rows], dtype="Int64")
    rules = result.rules
    return FinalList(
        result=result,
        rows=np.asarray(rows),
        unit=ranks - 1,
        need=need.to_numpy(dtype=np.int64, na_value=0),
        draws=alloc.draws.copy(),
        pots=list(alloc.pots),
        policy=rules.allocation.when_not_fitting,
        split=rules.allocation.split_between_funds,
        manifest=manifest,
        manifest_sha256=manifest_sha256,
        folder=Path(folder),
    )


def _same_as_published(result: RankResult, esiti: Path, manifest: dict) -> None:
    """The re-run's graduatoria.csv is the published one (file and manifest agree)."""
    published = {str(e["path"]): str(e["sha256"]) for e in manifest.get("outputs", [])}
    digest = hashlib.sha256(graduatoria_csv_bytes(result)).hexdigest()
    path = esiti / "graduatoria.csv"
    on_disk = sha256_file(path) if path.is_file() else None
    if digest != published.get("graduatoria.csv") or on_disk != digest:
        raise UserError(
            "la graduatoria definitiva pubblicata non è riprodotta dai file del bando "
            "(regole, file dei partner o correzioni cambiati dopo la pubblicazione)",
            file=str(path),
            hint="'conciliare verify CARTELLA' dice che cosa è cambiato; lo scorrimento parte "
            "solo dalla graduatoria pubblicata",
        )
