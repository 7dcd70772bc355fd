"""File names, the check against graduatoria.csv, writing the letters' folder whole.

File names come from sanitised application ids only (never a path from the data), collisions
are resolved the same way on every run, and the output folder is written whole at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import InvalidOperation
from pathlib import Path

import pandas as pd

from conciliare_cli.atomic import atomic_output
from conciliare_cli.errors import UserError
from conciliare_cli.money import to_cents
from conciliare_cli.write.csvsafe import strip_marks

COMBINED_STEM = "lettere-tutte"
INDEX_NAME = "indice.csv"
LETTERS_MANIFEST = "manifest-lettere.json"
SLIPS_DIR = "buoni"
# Where a run with --protocolli or --solo goes by default: a new folder per run, beside the
# letters of the whole list (esiti/lettere), which it never touches.
SELECTIONS_DIR = "lettere-selezioni"
MAX_STEM = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]|^\.")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in range(10)
}
_RESERVED = {COMBINED_STEM, "indice", "manifest-lettere", SLIPS_DIR}


def sanitise_id(value: str) -> str:
    """Keep [A-Za-z0-9_-], replace anything else with '_' ('../../x' -> '______x')."""
    stem = _UNSAFE.sub("_", str(value))[:MAX_STEM] or "_"
    if stem.casefold() in _WINDOWS_RESERVED or stem.casefold() in _RESERVED:
        stem += "_"
    return stem


def assign_file_stems(ids: Iterable[str]) -> dict[str, str]:
    """A unique, safe file stem for each id; the same set of ids always gives the same stems.

    Ids are taken in sorted order; an id whose sanitised stem is already taken (also ignoring
    case, as on Windows and macOS) gets '-2', '-3', ... appended.
    """
    used: set[str] = set()
    out: dict[str, str] = {}
    for original in sorted(set(ids)):
        base = sanitise_id(original)
        stem, n = base, 1
        while stem.casefold() in used:
            n += 1
            stem = f"{base}-{n}"
        used.add(stem.casefold())
        out[original] = stem
    return out


# ---------------------------------------------------------------- graduatoria.csv check


def _cents_from_text(value: str) -> int | None:
    text = str(value).strip()
    if not text:
        return 0
    try:
        return to_cents(text)
    except (InvalidOperation, ValueError):
        return None


def check_against_graduatoria(letters_minors: pd.DataFrame, csv_path: Path) -> None:
    """Every amount and status must be the one in graduatoria.csv, else no letter is written.

    `letters_minors` has application_id, minor_tax_code, awarded_cents, status (one row per
    minor of the letters' run). A row missing on either side, a different status or amount is
    an error: the graduatoria was computed from other data or rules.
    """
    if not csv_path.is_file():
        return
    try:
        published = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"non riesco a leggere la graduatoria ({exc})", file=str(csv_path)) from exc
    needed = ["application_id", "minor_tax_code", "awarded_eur", "status"]
    missing = [c for c in needed if c not in published.columns]
    if missing:
        raise UserError(
            "la graduatoria non ha le colonne " + ", ".join(missing),
            file=str(csv_path),
            hint="rilanciare conciliare rank",
        )
    cents = published["awarded_eur"].map(_cents_from_text)
    left = pd.DataFrame(
        {
            "application_id": strip_marks(published["application_id"].astype(str)),
            "minor_tax_code": strip_marks(published["minor_tax_code"].astype(str))
            .str.strip()
            .str.upper(),
            "awarded_cents": cents,
            "status": published["status"].astype(str).str.strip(),
        }
    )
    right = pd.DataFrame(
        {
            "application_id": letters_minors["application_id"].astype(str),
            "minor_tax_code": letters_minors["minor_tax_code"]
            .astype("string")
            .fillna("")
            .astype(str)
            .str.strip()
            .str.upper(),
            "awarded_cents": pd.to_numeric(letters_minors["awarded_cents"], errors="coerce")
            .astype("Int64")
            .fillna(0)
            .astype("int64")
            .astype(object),
            "status": letters_minors["status"].astype("string").fillna("").astype(str),
        }
    )
    keys = ["application_id", "minor_tax_code", "awarded_cents", "status"]
    a = left[keys].astype(str).sort_values(keys).reset_index(drop=True)
    b = right[keys].astype(str).sort_values(keys).reset_index(drop=True)
    if len(a) != len(b) or not a.equals(b):
        merged = a.merge(b, how="outer", on=keys, indicator=True)
        differ = merged[merged["_merge"] != "both"]["application_id"]
        sample = ", ".join(sorted(set(differ))[:5])
        raise UserError(
            "la graduatoria è cambiata: rilanciare conciliare rank"
            + (f" (domande diverse: {sample})" if sample else ""),
            file=str(csv_path),
            hint="nessuna lettera è stata scritta",
        )


# ---------------------------------------------------------------- writing the folder


@contextmanager
def letters_folder(target: Path) -> Iterator[Path]:
    """A temporary folder beside `target`; on success its files replace the letters in `target`.

    Files that an earlier run listed in `target`/manifest-lettere.json and that this run does
    not write are removed in the same swap (so the folder always matches its manifest); any
    other file is left alone. On an error `target` is untouched.
    """
    with atomic_output(target, stale=_listed_files, many_files=True) as tmp:
        yield tmp


def selection_folder(out_dir: Path, run_date: dt.date) -> Path:
    """A new folder for a selection of letters: esiti/lettere-selezioni/AAAA-MM-GG, then -2,
    -3, ... when that date already has one (an earlier selection is never replaced)."""
    base = out_dir / SELECTIONS_DIR
    name, n = run_date.isoformat(), 1
    while (base / name).exists():
        n += 1
        name = f"{run_date.isoformat()}-{n}"
    return base / name


def check_selection_target(target: Path, writes: set[str]) -> None:
    """A run of some letters (--protocolli, --solo) never deletes the other letters of a folder.

    The folder's manifest lists what an earlier run wrote; if it lists a letter or a slip this
    run does not write again, the run would remove it (the folder always matches its manifest):
    stop before any work, and say where to write instead.
    """
    listed = _listed_files(target) - {
        f"{COMBINED_STEM}.pdf",
        INDEX_NAME,
        "indice.xlsx",
        LETTERS_MANIFEST,
    }
    others = sorted(name for name in listed if name not in writes)
    if not others:
        return
    raise UserError(
        f"la cartella contiene già {len(others)} "
        + ("lettera o buono" if len(others) == 1 else "lettere o buoni")
        + " di altre domande (elencati in "
        + f"{LETTERS_MANIFEST}), che questa scelta di lettere cancellerebbe",
        file=str(target),
        hint="senza --lettere le lettere scelte con --protocolli o --solo vanno in una cartella "
        f"nuova, {SELECTIONS_DIR}/AAAA-MM-GG; oppure rifare tutte le lettere senza "
        "--protocolli e --solo",
    )


def _listed_files(folder: Path) -> set[str]:
    """The files an earlier run wrote (its letters' manifest), safe relative names only."""
    names = {f"{COMBINED_STEM}.pdf", INDEX_NAME, "indice.xlsx", LETTERS_MANIFEST}
    try:
        data = json.loads((folder / LETTERS_MANIFEST).read_text(encoding="utf-8"))
        listed = [str(e["path"]) for e in data.get("files", [])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return names
    for name in listed:
        parts = name.split("/")
        if all(p and not _UNSAFE_NAME.search(p) for p in parts) and len(parts) <= 2:
            names.add(name)
    return names
