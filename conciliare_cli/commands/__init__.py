"""Each command lives in its own module and registers itself on the Typer app."""

from conciliare_cli.commands import init  # noqa: F401
