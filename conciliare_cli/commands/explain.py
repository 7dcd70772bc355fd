"""`conciliare explain DIR CHIAVE`: why an application got its outcome (criteria, ties, money).

The application is found as a family names it on the phone (engine/lookup.py): its id in any
case, the partner's own protocol number, a tax code or the applicant's surname; several matches
are listed. The text is wrapped at the terminal's width, never inside a word, each wrapped line
indented under its own item.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import typer

from conciliare_cli import runs
from conciliare_cli.app import command, console
from conciliare_cli.commands.options import call_folder, call_folder_argument, output_dir
from conciliare_cli.engine.explanation import explain_application, nearest_ids
from conciliare_cli.engine.lookup import candidates, find_applications
from conciliare_cli.errors import UserError

_ITEM = re.compile(r"^(\s*(?:- |\d+\. )?)")


def wrap_text(text: str, width: int) -> str:
    """Each line wrapped at `width` between words (a word longer than a line stays whole), the
    continuation lines indented under the item's text."""
    out = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        lead = _ITEM.match(line).group(1)  # type: ignore[union-attr]
        out.extend(
            textwrap.wrap(
                line,
                width=width,
                subsequent_indent=" " * len(lead),
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


@command("explain")
def explain_command(
    folder: Path = call_folder_argument(),
    key: str = typer.Argument(
        ...,
        help="La domanda: protocollo (anche senza il prefisso del partner, maiuscole o "
        "minuscole), codice fiscale del richiedente o di un minore, oppure cognome del "
        "richiedente.",
        metavar="DOMANDA",
    ),
) -> None:
    """Spiega l'esito di una domanda: punti di ogni criterio, parità, posizione, importi."""
    call_folder(folder)
    done = runs.recorded(output_dir(folder, None))  # the graduatoria on disk, if any
    result = runs.run(folder, run_date=done.run_date, override=done.override)
    found = find_applications(result, key)
    if not found:
        close = nearest_ids(result, key)
        raise UserError(
            f"nessuna domanda corrisponde a '{key}' (protocollo, codice fiscale o cognome)",
            hint=("forse: " + ", ".join(close)) if close else None,
        )
    width = max(console.width, 40)
    if len(found) > 1:
        console.print(
            f"{len(found)} domande corrispondono a '{key}'; indicare il protocollo:",
            highlight=False,
        )
        for c in candidates(result, found):
            line = (
                f"- {c.application_id}: {c.applicant}, presentata il {c.submitted_at}, {c.outcome}"
            )
            console.print(wrap_text(line, width), markup=False, highlight=False, soft_wrap=True)
        return
    text = explain_application(result, found[0])
    console.print(wrap_text(text, width), markup=False, highlight=False, soft_wrap=True)
