"""`conciliare init DIR`: a new call folder from a shipped rule set, or (`--da`) from last
year's call."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.markup import escape

from conciliare_cli.app import command, console
from conciliare_cli.atomic import atomic_write_bytes
from conciliare_cli.commands.options import call_folder
from conciliare_cli.config import CONFIG_NAME, load_call
from conciliare_cli.edition import EditionValues, has_checks, new_edition
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.errors import UserError
from conciliare_cli.resources import rules_dir

DEFAULT_RULES = "conciliare-2017"


def available_rule_sets() -> list[str]:
    return sorted(p.stem for p in rules_dir().glob("*.yaml"))


def init_call(folder: Path, rule_set: str = DEFAULT_RULES) -> Path:
    """Create `folder` with bando.yaml copied from the rule set, and the sub-folders."""
    source = rules_dir() / f"{rule_set}.yaml"
    if not source.exists():
        raise UserError(
            f"il modello di regole '{rule_set}' non esiste",
            hint="modelli disponibili: " + ", ".join(available_rule_sets()),
        )
    target = folder / CONFIG_NAME
    if target.exists():
        raise UserError(f"{target} esiste già: non lo sovrascrivo")
    (folder / "partner").mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, source.read_bytes())
    compile_rules(load_call(folder))  # the copy must be a valid call
    return target


def _when(value: str | None, what: str, with_time: bool) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        form = "AAAA-MM-GG HH:MM" if with_time else "AAAA-MM-GG"
        raise UserError(f"{what}: data non valida '{value}', usare {form}") from exc


@command("init")
def init_command(
    folder: Path = typer.Argument(
        ..., help="Cartella del nuovo bando (viene creata).", metavar="CARTELLA"
    ),
    rules: str = typer.Option(
        DEFAULT_RULES,
        "--regole",
        help="Modello di regole da copiare (in rules/).",
        metavar="MODELLO",
    ),
    previous: Path | None = typer.Option(
        None,
        "--da",
        help="Nuova edizione dal bando dell'anno precedente: partner, colonne, regole e testi "
        "restano; titolo, anno, date e seme vanno indicati (con le opzioni qui sotto) o "
        "restano da compilare, e validate non accetta il bando finché mancano.",
        metavar="CARTELLA-PRECEDENTE",
    ),
    title: str | None = typer.Option(None, "--titolo", help="Titolo del bando.", metavar="TESTO"),
    year: int | None = typer.Option(
        None, "--anno", min=2000, max=2100, help="Anno del bando.", metavar="ANNO"
    ),
    opens: str | None = typer.Option(
        None, "--apertura", help="Apertura delle domande.", metavar="AAAA-MM-GG HH:MM"
    ),
    closes: str | None = typer.Option(
        None, "--chiusura", help="Chiusura delle domande.", metavar="AAAA-MM-GG HH:MM"
    ),
    reference: str | None = typer.Option(
        None,
        "--data-riferimento",
        help="Data a cui si calcola l'età dei minori.",
        metavar="AAAA-MM-GG",
    ),
    seed: str | None = typer.Option(
        None, "--seme", help="Nuovo seme pubblicato del sorteggio.", metavar="TESTO"
    ),
    checks_seed: str | None = typer.Option(
        None,
        "--seme-controlli",
        help="Nuovo seme pubblicato dell'estrazione dei controlli (se il bando ha checks:).",
        metavar="TESTO",
    ),
) -> None:
    """Crea la cartella di un nuovo bando: da un modello di regole commentato, oppure (--da) dal
    bando dell'anno precedente."""
    given = [title, year, opens, closes, reference, seed]
    if previous is None:
        if any(v is not None for v in [*given, checks_seed]):
            raise UserError(
                "--titolo, --anno, --apertura, --chiusura, --data-riferimento, --seme e "
                "--seme-controlli valgono solo con --da"
            )
        target = init_call(folder, rules)
        console.print(
            f"Creato [bold]{escape(str(target))}[/]. Metti i file dei partner in "
            f"{escape(str(folder / 'partner'))}/,"
        )
        console.print("completa la sezione 'partners' di bando.yaml e lancia:")
        console.print(f"  conciliare validate {folder}", markup=False)
        return
    call_folder(previous)
    when = _when(reference, "--data-riferimento", False)
    values = EditionValues(
        title=title,
        year=year,
        opens=_when(opens, "--apertura", True),
        closes=_when(closes, "--chiusura", True),
        reference_date=when.date() if when is not None else None,
        seed=seed,
        checks_seed=checks_seed,
    )
    target = new_edition(previous, folder, values)
    console.print(
        f"Creato [bold]{escape(str(target))}[/] dal bando di {escape(str(previous))}: "
        "partner e regole restano."
    )
    missing = [
        name
        for name, v in zip(
            ["titolo", "anno", "apertura", "chiusura", "data di riferimento", "seme"],
            given,
            strict=True,
        )
        if v is None
    ]
    if checks_seed is None and has_checks(previous):
        missing.append("seme dei controlli")
    if missing:
        console.print(
            "Da compilare in bando.yaml prima di validate: " + ", ".join(missing) + ".",
            highlight=False,
        )
    console.print(f"Metti i file dei partner in {folder / 'partner'}/ e lancia:", markup=False)
    console.print(f"  conciliare validate {folder}", markup=False)
