"""File names, the index for sending by PEC, the check against graduatoria.csv, publishing.

File names come from sanitised application ids only (never a path from the data), collisions
are resolved the same way on every run, and the output folder is written whole at the end.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import InvalidOperation
from pathlib import Path

import pandas as pd

from conciliare_cli.atomic import atomic_output
from conciliare_cli.errors import UserError
from conciliare_cli.letters.context import Letter
from conciliare_cli.money import to_cents
from conciliare_cli.write.csvsafe import strip_marks

COMBINED_STEM = "lettere-tutte"
INDEX_NAME = "indice.csv"
INDEX_COLUMNS = ["application_id", "outcome", "recipient_name", "email", "pec", "file"]
MAX_STEM = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in range(10)
}
_RESERVED = {COMBINED_STEM, "indice"}


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


def _csv_safe(text: str) -> str:
    """A cell that Excel would take as a formula (= + - @) is written as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def index_csv(letters: Sequence[Letter], suffix: str) -> str:
    """indice.csv: one row per letter in graduatoria order, for sending by PEC."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(INDEX_COLUMNS)
    for letter in letters:
        writer.writerow(
            [
                letter.application_id,
                letter.outcome,
                _csv_safe(letter.recipient_name),
                _csv_safe(letter.email),
                _csv_safe(letter.pec),
                f"{letter.file_stem}{suffix}",
            ]
        )
    return buffer.getvalue()


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

    Files that an earlier run listed in `target`/indice.csv and that this run does not write
    are removed in the same swap (so the folder always matches its index); any other file is
    left alone. On an error `target` is untouched.
    """
    with atomic_output(target, stale=lambda folder: _listed_files(folder / INDEX_NAME)) as tmp:
        yield tmp


def _listed_files(index: Path) -> set[str]:
    """Letter files named in an earlier indice.csv (safe names only, no paths)."""
    if not index.is_file():
        return set()
    names: set[str] = set()
    try:
        with index.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                name = (row.get("file") or "").strip()
                stem, dot, ext = name.rpartition(".")
                if dot and ext in ("pdf", "html") and stem and not _UNSAFE.search(stem):
                    names.add(name)
    except (OSError, csv.Error, UnicodeDecodeError):
        return set()
    for stem in (COMBINED_STEM,):
        names.update({f"{stem}.pdf", f"{stem}.html"})
    return names
