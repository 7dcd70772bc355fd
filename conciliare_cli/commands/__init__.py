"""Each command lives in its own module and registers itself on the Typer app."""

from conciliare_cli.commands import init  # noqa: F401
from conciliare_cli.commands import demo_data  # noqa: F401
from conciliare_cli.commands import verify  # noqa: F401
from conciliare_cli.commands import validate  # noqa: F401
from conciliare_cli.commands import explain  # noqa: F401
from conciliare_cli.commands import letters  # noqa: F401
