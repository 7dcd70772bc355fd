"""Options shared by several commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from conciliare_cli.errors import UserError


def call_folder_argument() -> Path:
    return typer.Argument(..., help="Cartella del bando (con bando.yaml).", metavar="CARTELLA")


def parse_run_date(value: str | None) -> dt.date:
    """--date AAAA-MM-GG: the date printed on outputs (default today)."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UserError(f"--date: data non valida '{value}', usare AAAA-MM-GG") from exc


def output_dir(folder: Path, out: Path | None) -> Path:
    """The folder of the outputs (--out, or CARTELLA/esiti); UserError when it is a file."""
    target = out if out is not None else folder / "esiti"
    if target.exists() and not target.is_dir():
        raise UserError(
            "c'è un file con il nome della cartella degli esiti: non vi si può scrivere",
            file=str(target),
            hint="rinominare o spostare il file, oppure indicare un'altra cartella con --out",
        )
    return target
