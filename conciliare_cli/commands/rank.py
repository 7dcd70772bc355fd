"""`conciliare rank DIR`: eligibility, scores, graduatoria, allocation; writes the outputs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from conciliare_cli import runs
from conciliare_cli.app import command, console, err_console
from conciliare_cli.atomic import recover_tree
from conciliare_cli.commands.options import (
    call_folder,
    call_folder_argument,
    output_dir,
    parse_run_date,
)
from conciliare_cli.commands.progress import reading_progress
from conciliare_cli.config import load_call
from conciliare_cli.engine.result import RankResult
from conciliare_cli.errors import UserError
from conciliare_cli.findings import Override, open_blocking
from conciliare_cli.italian import count_noun
from conciliare_cli.lock import call_lock
from conciliare_cli.publish import guard_final
from conciliare_cli.write.graduatoria import (
    print_summary,
)


def parse_override(reason: str | None, by: str | None) -> Override | None:
    """--deroga and --deciso-da go together; either alone is an error."""
    if reason is None and by is None:
        return None
    if not (reason or "").strip() or not (by or "").strip():
        raise UserError(
            "una deroga ha bisogno del motivo e di chi la decide",
            hint='usare insieme --deroga "MOTIVO" e --deciso-da "NOME E RUOLO"',
        )
    return Override(by=str(by).strip(), reason=str(reason).strip())


def refuse_open_findings(result: RankResult, shown: int = 12) -> None:
    """No DEFINITIVA while a blocking finding is open: say which, and how to close them."""
    findings = result.findings
    open_ = findings[open_blocking(findings)] if findings is not None and len(findings) else None
    if open_ is None or not len(open_):
        return
    apps = open_["application_id"].astype("string").fillna("(file)")
    lines = [f"{app}: {msg}" for app, msg in zip(apps, open_["message"].astype(str), strict=True)]
    more = f"\n  ... e altre {len(lines) - shown}" if len(lines) > shown else ""
    n_apps = apps.nunique()
    raise UserError(
        "graduatoria DEFINITIVA rifiutata: "
        f"{count_noun(len(lines), 'anomalia bloccante aperta', 'anomalie bloccanti aperte')} in "
        f"{n_apps} {'domanda' if n_apps == 1 else 'domande'}:\n  "
        + "\n  ".join(lines[:shown])
        + more,
        hint="chiedi i dati ai richiedenti e scrivi le risposte nel file delle correzioni "
        f"({result.call.config.istruttoria.corrections}); oppure, per decidere sui dati come "
        'sono, --deroga "MOTIVO" --deciso-da "NOME"',
    )


@command("rank")
def rank_command(
    folder: Path = call_folder_argument(),
    out: Path | None = typer.Option(
        None,
        "--esiti",
        help="Cartella degli esiti (predefinita: CARTELLA/esiti).",
        metavar="CARTELLA-ESITI",
    ),
    date: str | None = typer.Option(
        None, "--data", help="Data della graduatoria (predefinita: oggi).", metavar="AAAA-MM-GG"
    ),
    final: bool = typer.Option(
        False, "--definitiva", help="Graduatoria DEFINITIVA (altrimenti PROVVISORIA)."
    ),
    force: bool = typer.Option(
        False,
        "--forza",
        help="Rifà una graduatoria DEFINITIVA già scritta (la precedente va in esiti/archivio/).",
    ),
    deroga: str | None = typer.Option(
        None,
        "--deroga",
        help="Decide le anomalie bloccanti ancora aperte sui dati come sono stati letti; "
        "il motivo è messo agli atti (manifest e foglio Riepilogo). Con --deciso-da.",
        metavar="MOTIVO",
    ),
    deciso_da: str | None = typer.Option(
        None, "--deciso-da", help="Chi decide la deroga (nome e ruolo).", metavar="NOME"
    ),
) -> None:
    """Compila la graduatoria: requisiti, punteggi, ordine, assegnazione dei fondi.

    La graduatoria DEFINITIVA (--definitiva) è rifiutata finché restano anomalie bloccanti
    aperte: si risolvono nel file delle correzioni, o con una deroga messa agli atti."""
    call_folder(folder)
    run_date = parse_run_date(date)
    override = parse_override(deroga, deciso_da)
    status = "DEFINITIVA" if final else "PROVVISORIA"
    target = output_dir(folder, out)
    with call_lock(folder, "rank"):  # one writer at a time in the call folder
        call = load_call(folder)
        with reading_progress(call) as on_file:
            result = runs.run(
                folder, on_file=on_file, call=call, run_date=run_date, override=override
            )
        if final:
            refuse_open_findings(result)
        if recover_tree(target):  # a run killed while swapping: its previous result back, whole
            err_console.print(
                "Nota: un'esecuzione precedente si era interrotta mentre scriveva gli esiti: "
                "gli esiti di prima sono stati ripristinati."
            )
        guard_final(target, final, force, run_date)  # after the run: a failed run archives nothing
        with err_console.status("Scrittura della graduatoria..."):
            runs.write_outputs(result, target, status, run_date)
    print_summary(result, console)
    console.print(f"Graduatoria {status} scritta in [bold]{escape(str(target))}[/]")
