"""The Typer application object; commands register themselves in conciliare_cli/commands/."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from conciliare_cli import __version__
from conciliare_cli.cli_italian import italian_message, normalizer, range_text
from conciliare_cli.errors import UserError, os_error
from conciliare_cli.read.clean import visible

HELP_TEXT = "Mostra questo aiuto ed esce."


class _ItalianHelp:
    """Click's built-in --help says 'Show this message and exit.', flags show '<bool>', ranges
    '[x>=1]': say it all in Italian."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:  # type: ignore[attr-defined]
            _italian_param(param)

    def usage_text(self, ctx: Any) -> str:
        pieces = [
            "[OPZIONI]" if piece == "[OPTIONS]" else piece.strip("{}")
            for piece in self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        ]
        return " ".join([ctx.command_path, *pieces])

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        text = self.usage_text(ctx)
        formatter.write_usage(ctx.command_path, text[len(ctx.command_path) + 1 :], prefix="Uso: ")

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
            option.metavar = ""
        return option


def _italian_param(param: Any) -> None:
    """No '<bool>', '<path>', '<int range>' in --help, and a range said in Italian."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.metavar = ""
    elif param.metavar is None:
        param.metavar = "VALORE" if param.param_type_name == "option" else param.name.upper()
    if param.param_type_name == "argument":  # its name is its metavar: no '<path>' beside it
        param.display_type_rich = lambda ctx: None
    minimum, maximum = getattr(param, "min", None), getattr(param, "max", None)
    param._get_number_range_help_str = lambda: range_text(minimum, maximum)


class ItalianGroup(_ItalianHelp, TyperGroup):
    pass


class ItalianCommand(_ItalianHelp, TyperCommand):
    pass


def _print_usage_error(exc: Any) -> None:
    """Typer's error panel, in Italian: the message, the usage line and where the help is."""
    ctx = getattr(exc, "ctx", None)
    err_console.print(f"[bold red]Errore:[/] {italian_message(exc)}", highlight=False)
    if ctx is not None and isinstance(ctx.command, _ItalianHelp):
        err_console.print(
            f"  uso: {ctx.command.usage_text(ctx)}  (aiuto: {ctx.command_path} -h)",
            highlight=False,
            markup=False,
        )


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
        "RANGE_STRING": " [{}]",
    }
    for name, text in labels.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)
    rich_utils.rich_format_error = _print_usage_error


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
    context_settings={
        "help_option_names": ["-h", "--help"],
        "token_normalize_func": normalizer(""),
    },
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
            "--versione", callback=_version, is_eager=True, help="Mostra la versione ed esce."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="In caso di errore mostra anche il dettaglio tecnico."),
    ] = False,
) -> None:
    """Opzioni comuni a tutti i comandi."""
    state.debug = debug


def one_line_paragraphs(text: str | None) -> str | None:
    """A docstring as --help shows it: paragraphs kept, the source's line breaks inside a
    paragraph joined (the terminal wraps them at its own width)."""
    if text is None:
        return None
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


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

        settings = {"token_normalize_func": normalizer(name)}
        return app.command(
            name,
            cls=ItalianCommand,
            help=one_line_paragraphs(func.__doc__),
            context_settings=settings,
        )(wrapper)

    return decorate
