"""`conciliare init DIR`: a new call folder from a shipped rule set."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from conciliare_cli.app import command, console
from conciliare_cli.atomic import atomic_write_bytes
from conciliare_cli.config import CONFIG_NAME, load_call
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


@command("init")
def init_command(
    folder: Path = typer.Argument(..., help="Cartella del nuovo bando (viene creata)."),
    rules: str = typer.Option(
        DEFAULT_RULES, "--regole", help="Modello di regole da copiare (in rules/)."
    ),
) -> None:
    """Crea la cartella di un nuovo bando con un bando.yaml commentato da completare."""
    target = init_call(folder, rules)
    console.print(
        f"Creato [bold]{escape(str(target))}[/]. Metti i file dei partner in "
        f"{escape(str(folder / 'partner'))}/,"
    )
    console.print("completa la sezione 'partners' di bando.yaml e lancia:")
    console.print(f"  conciliare validate {folder}", markup=False)
