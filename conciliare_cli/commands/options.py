"""Options shared by several commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from conciliare_cli.config import CONFIG_NAME
from conciliare_cli.errors import UserError


def call_folder_argument() -> Path:
    return typer.Argument(..., help="Cartella del bando (con bando.yaml).", metavar="CARTELLA")


def parse_run_date(value: str | None) -> dt.date:
    """--data AAAA-MM-GG: the date printed on outputs (default today)."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UserError(f"--data: data non valida '{value}', usare AAAA-MM-GG") from exc


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


def call_folder(folder: Path) -> Path:
    """The CARTELLA of a command, checked before any work: a folder holding bando.yaml.

    The usual mistakes each get their own message (exit 2): the bando.yaml file given instead
    of its folder, a folder that does not exist, a folder without bando.yaml (with the YAML
    files it holds, if any)."""
    if folder.is_file():
        hint = (
            f"indicare la cartella che lo contiene: {folder.parent}"
            if folder.name == CONFIG_NAME
            else f"la cartella del bando contiene {CONFIG_NAME} e i file dei partner"
        )
        raise UserError(f"{folder} è un file: serve la cartella del bando (CARTELLA)", hint=hint)
    if not folder.exists():
        raise UserError(
            f"la cartella {folder} non esiste",
            hint="controllare il percorso; un nuovo bando si crea con 'conciliare init CARTELLA'",
        )
    if not (folder / CONFIG_NAME).is_file():
        others = sorted(p.name for p in folder.glob("*.y*ml"))
        raise UserError(
            f"nella cartella {folder} non c'è {CONFIG_NAME}",
            hint=(
                f"file YAML presenti: {', '.join(others)}; il file delle regole deve chiamarsi "
                f"{CONFIG_NAME}"
            )
            if others
            else "un nuovo bando si crea con 'conciliare init CARTELLA'",
        )
    return folder
