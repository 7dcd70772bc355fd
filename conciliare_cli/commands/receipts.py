"""`conciliare ricevute DIR`: record the day families received their letters, or list them.

    conciliare ricevute bando-2018 --protocolli ASST-0042,ASST-0043 --data 2017-09-20 --canale PEC
    conciliare ricevute bando-2018            # the letters of the last run, received or not
    conciliare ricevute bando-2018 --scorrimento 2 --protocolli ATS-0040 --data 2017-12-20

The register is `CARTELLA/ricevute.csv` (see letters/received.py for its format); terms run
from the day of receipt.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from conciliare_cli.acts.act_letters import LETTERS as ACT_LETTERS
from conciliare_cli.acts.chain import act_dir
from conciliare_cli.app import command, console
from conciliare_cli.commands.options import call_folder_argument, output_dir
from conciliare_cli.errors import UserError
from conciliare_cli.italian import count_noun, date_short
from conciliare_cli.letters.issued import read_letters_manifest
from conciliare_cli.letters.received import (
    CHANNELS,
    REGISTER,
    act_list,
    parse_day,
    read_register,
    record,
)
from conciliare_cli.lock import call_lock


def _sent(folder: Path, act: int | None = None) -> tuple[str, list[str]]:
    """(list code, application ids) of the letters in esiti/lettere — or, for `act` k, in
    scorrimenti/scorrimento_k/lettere — from their manifest."""
    if act is None:
        where, rel = output_dir(folder, None) / "lettere", "esiti/lettere"
    else:
        where = act_dir(folder, act) / ACT_LETTERS
        rel = where.relative_to(folder).as_posix()
    data = read_letters_manifest(where)
    if not data:
        again = "conciliare letters" + (f" --scorrimento {act}" if act is not None else "")
        raise UserError(
            f"non trovo le lettere ({rel}/manifest-lettere.json)",
            hint=f"lanciare prima '{again}'",
        )
    ids = sorted({f["application_id"] for f in data.get("files", []) if f.get("kind") == "lettera"})
    status = str(data.get("graduatoria", {}).get("status", "")) if act is None else act_list(act)
    return status, ids


@command("ricevute")
def receipts_command(
    folder: Path = call_folder_argument(),
    ids: str | None = typer.Option(
        None,
        "--protocolli",
        help="Domande di cui registrare la ricevuta (protocolli separati da virgole).",
        metavar="ID",
    ),
    day: str | None = typer.Option(
        None, "--data", help="Giorno del ricevimento.", metavar="AAAA-MM-GG"
    ),
    channel: str = typer.Option("PEC", "--canale", help="PEC, EMAIL, POSTA o 'A MANO'."),
    evidence: str = typer.Option(
        "", "--riferimento", help="Ricevuta PEC, numero della raccomandata..."
    ),
    act: int | None = typer.Option(
        None,
        "--scorrimento",
        min=1,
        help="Le lettere dello scorrimento n. K (scorrimenti/scorrimento_K/lettere).",
        metavar="K",
    ),
) -> None:
    """Registra il giorno in cui le famiglie hanno ricevuto la lettera (da cui decorrono i termini).

    Senza --protocolli elenca le lettere dell'ultima esecuzione di 'letters', ricevute e non;
    con --scorrimento K, quelle dello scorrimento n. K.
    """
    status, sent = _sent(folder, act)
    if ids:
        chosen = [t.strip() for t in ids.split(",") if t.strip()]
        unknown = sorted(set(chosen) - set(sent))
        if unknown:
            raise UserError("--protocolli: nessuna lettera per " + ", ".join(unknown[:10]))
        received_day = parse_day(day or "")
        if received_day is None:
            raise UserError("--data: indicare il giorno del ricevimento (AAAA-MM-GG o GG/MM/AAAA)")
        kind = channel.strip().upper()
        if kind not in CHANNELS:
            raise UserError(f"--canale: '{channel}' non è uno di {', '.join(CHANNELS)}")
        with call_lock(folder, "ricevute"):  # one writer of ricevute.csv at a time
            n = record(
                folder,
                chosen,
                list_status=status,
                channel=kind,
                day=received_day,
                evidence=evidence,
            )
        said = count_noun(n, "ricevuta registrata", "ricevute registrate")
        console.print(f"{said} in {folder / REGISTER}", highlight=False)
    received = {r.application_id: r for r in read_register(folder) if r.list_status == status}
    title = (
        f"Lettere dello scorrimento n. {act}"
        if act is not None
        else f"Lettere della graduatoria {status}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("Stato")
    table.add_column("Lettere", justify="right")
    done = [a for a in sent if a in received]
    table.add_row("ricevute", str(len(done)))
    table.add_row("non ancora ricevute", str(len(sent) - len(done)))
    console.print(table)
    if done:
        last = max(received[a].received_on for a in done)
        console.print(f"Ultimo ricevimento registrato: {date_short(last)}", highlight=False)
