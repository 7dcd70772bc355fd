"""Each command lives in its own module and registers itself on the Typer app.

The order of the imports is the order of the commands in `conciliare --help`: the life of a
call.
"""

from conciliare_cli.commands import init  # noqa: F401, I001
from conciliare_cli.commands import validate  # noqa: F401
from conciliare_cli.commands import prova  # noqa: F401
from conciliare_cli.commands import rank  # noqa: F401
from conciliare_cli.commands import explain  # noqa: F401
from conciliare_cli.commands import letters  # noqa: F401
from conciliare_cli.commands import evento  # noqa: F401
from conciliare_cli.commands import controlli  # noqa: F401
from conciliare_cli.commands import scorrimento  # noqa: F401
from conciliare_cli.commands import situazione  # noqa: F401
from conciliare_cli.commands import receipts  # noqa: F401
from conciliare_cli.commands import verify  # noqa: F401
from conciliare_cli.commands import spese  # noqa: F401
from conciliare_cli.commands import demo_data  # noqa: F401
