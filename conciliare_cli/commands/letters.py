"""`conciliare letters DIR`: a letter for every application and a slip per voucher (PDF/A)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from conciliare_cli import runs
from conciliare_cli.acts.act_letters import write_act_letters
from conciliare_cli.acts.finallist import final_list
from conciliare_cli.acts.ledger import ensure_chain
from conciliare_cli.app import command, console, err_console
from conciliare_cli.commands.options import (
    call_folder,
    call_folder_argument,
    output_dir,
    parse_run_date,
)
from conciliare_cli.commands.progress import reading_progress
from conciliare_cli.config import load_call
from conciliare_cli.config.inside import check_letters_files
from conciliare_cli.engine.outcomes import application_outcomes
from conciliare_cli.errors import UserError
from conciliare_cli.italian import count_noun
from conciliare_cli.letters import (
    OUTCOMES,
    LettersReport,
    ListSource,
    formal_gaps,
    parse_ids,
    parse_outcomes,
    write_letters,
)
from conciliare_cli.letters.delivery import INDEX_CSV, INDEX_XLSX
from conciliare_cli.letters.files import selection_folder
from conciliare_cli.lock import call_lock
from conciliare_cli.status import Status, status_label

LETTERS_DIR = "lettere"


@contextmanager
def letters_progress() -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """(on_start(total), on_progress(n)) driving a rich bar over the letters."""
    progress = Progress(
        TextColumn("[bold]Lettere"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = progress.add_task("lettere", total=None)
    with progress:

        def on_start(total: int) -> None:
            progress.update(task, total=total)

        def on_progress(n: int) -> None:
            progress.update(task, advance=n)

        yield on_start, on_progress


def print_letters_summary(report: LettersReport, source: ListSource) -> None:
    table = Table(title="Lettere scritte", title_justify="left")
    table.add_column("Esito")
    table.add_column("Lettere", justify="right")
    for outcome in OUTCOMES:
        if report.counts.get(outcome):
            table.add_row(status_label(outcome), str(report.counts[outcome]))
    table.add_row("[bold]Totale[/]", f"[bold]{report.letters}[/]")
    console.print(table)
    kind = source.context()["label"]  # definitiva, provvisoria, definitiva, scorrimento n. K
    console.print(
        f"{_count(report.letters, 'lettera', 'lettere')} (graduatoria {kind} del "
        f"{source.context()['date_short']}, rif. {source.hash_prefix}) e "
        f"{_count(report.slips, 'buono', 'buoni')} in "
        f"[bold]{escape(str(report.folder))}[/] "
        f"(tutte insieme in lettere-tutte.pdf, elenco per l'invio in {INDEX_CSV} e {INDEX_XLSX})",
        highlight=False,
    )
    print_no_channel(report.no_channel)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def print_no_channel(ids: list[str]) -> None:
    """The letters that cannot be sent: no PEC, e-mail or postal address in the partner's file."""
    if not ids:
        return
    shown = ", ".join(ids[:20]) + (f" e altre {len(ids) - 20}" if len(ids) > 20 else "")
    err_console.print(
        f"[yellow]Attenzione:[/] {len(ids)} {'lettera' if len(ids) == 1 else 'lettere'} senza "
        "recapito (né PEC, né e-mail, né "
        f"indirizzo postale): {shown}. Chiedere il recapito ai partner prima dell'invio "
        "(colonna Canale = nessun recapito nell'indice).",
        highlight=False,
    )


@command("letters")
def letters_command(
    folder: Path = call_folder_argument(),
    out: Path | None = typer.Option(
        None,
        "--lettere",
        help="Cartella delle lettere (predefinita: CARTELLA/esiti/lettere).",
        metavar="CARTELLA-LETTERE",
    ),
    only: str | None = typer.Option(
        None,
        "--solo",
        help="Solo questi esiti, separati da virgole: " + ", ".join(OUTCOMES) + ".",
        metavar="ESITI",
    ),
    ids: str | None = typer.Option(
        None,
        "--protocolli",
        help="Solo queste domande (protocolli separati da virgole).",
        metavar="PROTOCOLLI",
    ),
    date: str | None = typer.Option(
        None,
        "--data",
        help="Data delle lettere e dei PDF (predefinita: oggi).",
        metavar="AAAA-MM-GG",
    ),
    graduatoria: Path | None = typer.Option(
        None,
        "--graduatoria",
        help="graduatoria.csv con cui confrontare gli importi "
        "(predefinita: CARTELLA/esiti/graduatoria.csv, se esiste).",
        metavar="FILE",
    ),
    protocol: str | None = typer.Option(
        None,
        "--protocollo",
        help="Numero di protocollo da stampare sulle lettere (predefinito: acts.protocol).",
        metavar="TESTO",
    ),
    workers: int | None = typer.Option(
        None,
        "--processi",
        min=1,
        help="Processi in parallelo per i PDF (predefinito: uno per core).",
        metavar="N",
    ),
    scorrimento: int | None = typer.Option(
        None,
        "--scorrimento",
        min=1,
        help="Le lettere dello scorrimento n. K alle famiglie il cui esito è cambiato "
        "(in CARTELLA/scorrimenti/scorrimento_K/lettere).",
        metavar="K",
    ),
) -> None:
    """Scrive una lettera per ogni domanda e un buono per ogni voucher.

    Dalla graduatoria provvisoria: comunicazioni di esito provvisorio (con l'invito alle
    osservazioni). Dalla graduatoria definitiva: i provvedimenti, con i termini di ricorso e un
    buono per ogni minore finanziato, da consegnare al gestore del servizio. Gli importi sono
    confrontati con graduatoria.csv: se la graduatoria è cambiata non viene scritta nessuna
    lettera.
    """
    call_folder(folder)
    run_date = parse_run_date(date)
    if scorrimento is not None:
        if only or ids or out is not None or graduatoria is not None:
            raise UserError(
                "--scorrimento scrive le lettere di un atto: non si usa con --solo, "
                "--protocolli, --lettere o --graduatoria"
            )
        scorrimento_letters(folder, scorrimento, run_date, protocol, workers)
        return
    outcomes = parse_outcomes(only)
    chosen_ids = parse_ids(ids)
    call = load_call(folder)
    check_letters_files(call)  # templates and logos inside the call folder, before any work
    if graduatoria is not None and not graduatoria.is_file():
        raise UserError(f"non trovo la graduatoria {graduatoria}")
    csv_path = graduatoria or output_dir(folder, None) / "graduatoria.csv"
    if not csv_path.is_file():
        raise UserError(
            f"non c'è una graduatoria ({csv_path}): le lettere comunicano l'esito di una "
            "graduatoria pubblicata",
            hint=f"lanciare prima: conciliare rank {folder}",
        )
    with call_lock(folder, "letters"):  # rank cannot replace the list while it is read
        source = ListSource.read(csv_path.parent)
        for gap in formal_gaps(call):
            err_console.print(f"[yellow]Avviso:[/] {gap}", highlight=False)
        done = runs.recorded(csv_path.parent)
        with reading_progress(call) as on_file:
            result = runs.run(
                folder, on_file=on_file, call=call, run_date=done.run_date, override=done.override
            )
        if out is not None:
            target = out
        elif outcomes or chosen_ids:  # a selection never replaces the letters of the whole list
            target = selection_folder(output_dir(folder, None), run_date)
        else:
            target = output_dir(folder, None) / LETTERS_DIR
        pending = int((application_outcomes(result.minors) == Status.TO_REGULARISE.value).sum())
        if pending:
            err_console.print(
                f"[yellow]Nota:[/] "
                f"{count_noun(pending, 'domanda da regolarizzare', 'domande da regolarizzare')}: "
                "per loro nessuna lettera "
                "finché l'istruttoria non è chiusa (vedi conciliare validate).",
                highlight=False,
            )
        with letters_progress() as (on_start, on_progress):
            report = write_letters(
                result,
                target,
                source=source,
                run_date=run_date,
                only=outcomes,
                ids=chosen_ids,
                graduatoria=csv_path,
                workers=workers,
                protocol=protocol,
                on_start=on_start,
                on_progress=on_progress,
            )
        print_letters_summary(report, source)


def scorrimento_letters(
    folder: Path, k: int, run_date: dt.date, protocol: str | None, workers: int | None
) -> None:
    """`letters --scorrimento K`: the letters of act K (acts/act_letters.py), under the lock."""
    call = load_call(folder)
    check_letters_files(call)
    with call_lock(folder, "letters --scorrimento"):
        with err_console.status("Ricalcolo della graduatoria definitiva e degli scorrimenti..."):
            base = final_list(folder)
            ensure_chain(folder, base)
        with letters_progress() as (on_start, on_progress):
            report, act = write_act_letters(folder, base, k, run_date, protocol=protocol,
                                            workers=workers, on_start=on_start,
                                            on_progress=on_progress)  # fmt: skip
    print_letters_summary(report, act.source)
    for rec in act.removed.to_dict("records"):
        why = (
            "la rinuncia è della famiglia"
            if rec["status"] == "RINUNCIA"
            else f"la {rec['change']} si comunica con l'atto che la decide"
        )
        console.print(
            f"  {escape(rec['application_id'])}: nessuna lettera dallo scorrimento ({why})",
            highlight=False,
        )
