"""The Typer application object; commands register themselves in conciliare_cli/commands/."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from conciliare_cli import __version__
from conciliare_cli.errors import UserError, os_error
from conciliare_cli.read.clean import visible

HELP_TEXT = "Mostra questo aiuto ed esce."


class _ItalianHelp:
    """Click's built-in --help says 'Show this message and exit.': say it in Italian."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = [
            "[OPZIONI]" if piece == "[OPTIONS]" else piece
            for piece in self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        ]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Uso: ")

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option


class ItalianGroup(_ItalianHelp, TyperGroup):
    pass


class ItalianCommand(_ItalianHelp, TyperCommand):
    pass


def _italian_help_labels() -> None:
    """Typer's help panels say 'Options', '[required]'...: say them in Italian."""
    from typer import rich_utils

    labels = {
        "DEFAULT_STRING": "[predefinito: {}]",
        "REQUIRED_LONG_STRING": "[obbligatorio]",
        "ENVVAR_STRING": "[variabile d'ambiente: {}]",
        "ARGUMENTS_PANEL_TITLE": "Argomenti",
        "OPTIONS_PANEL_TITLE": "Opzioni",
        "COMMANDS_PANEL_TITLE": "Comandi",
        "DEPRECATED_STRING": "(deprecato) ",
        "ERRORS_PANEL_TITLE": "Errore",
        "ABORTED_TEXT": "Interrotto.",
        "RICH_HELP": "Per l'aiuto: [blue]'{command_path} {help_option}'[/].",
    }
    for name, text in labels.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)


_italian_help_labels()
console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="conciliare",
    cls=ItalianGroup,
    subcommand_metavar="COMANDO [ARGOMENTI]...",
    help=(
        "Gestisce un bando di voucher dall'inizio alla fine: legge le domande dei partner, "
        "le controlla, applica le regole del bando, compila la graduatoria, assegna i voucher "
        "nei limiti dei fondi e scrive graduatoria e lettere."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


class State:
    debug: bool = False


state = State()


def _version(value: bool) -> None:
    if value:
        console.print(f"conciliare {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Mostra la versione ed esce."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="In caso di errore mostra anche il dettaglio tecnico."),
    ] = False,
) -> None:
    """Opzioni comuni a tutti i comandi."""
    state.debug = debug


def command(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a command whose user errors print in Italian and exit 2, without traceback."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except (UserError, OSError) as caught:
                # disk full, read-only or locked folder...: an Italian message, exit 2
                exc = caught if isinstance(caught, UserError) else os_error(caught)
                if state.debug:
                    err_console.print_exception()
                # partner data in the message: printed literally, control characters made visible
                text = escape(visible(exc.render()))
                err_console.print(f"[bold red]Errore:[/] {text}", highlight=False)
                raise typer.Exit(exc.exit_code) from caught

        return app.command(name, cls=ItalianCommand)(wrapper)

    return decorate
