"""Entry point: the Typer app with every command registered."""

from __future__ import annotations

from conciliare_cli import commands  # noqa: F401  (registers the commands)
from conciliare_cli.app import app


def main() -> None:
    app(prog_name="conciliare")
