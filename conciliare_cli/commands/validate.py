"""`conciliare validate DIR`: the preliminary check (istruttoria) of the partners' files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from conciliare_cli import italian
from conciliare_cli.app import command, console, err_console
from conciliare_cli.atomic import recover_tree
from conciliare_cli.commands.options import call_folder_argument, output_dir, parse_run_date
from conciliare_cli.commands.progress import reading_progress
from conciliare_cli.config import load_call
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.findings import Severity, open_blocking
from conciliare_cli.lock import call_lock
from conciliare_cli.read import read_call
from conciliare_cli.runs import check_options
from conciliare_cli.validate import check_read
from conciliare_cli.validate.idsecret import derived_of, unsafe_ids
from conciliare_cli.write.anomalies import write_anomalies


def summary_table(
    partners: Sequence[Any], findings: pd.DataFrame, *, with_names: bool = True
) -> Table:
    """Per partner: rows read, applications, minors, ignored rows, blocking findings, warnings;
    and a total line. `with_names` adds the partners' names (for wide terminals)."""
    table = Table(
        title="Controllo delle domande",
        title_justify="left",
        caption="Righe: righe di dati lette; Ignorate: righe vuote o di totali; Bloccanti e "
        "Avvisi: anomalie trovate.",
        caption_justify="left",
        show_footer=True,
    )
    heads = ["Righe", "Domande", "Minori", "Ignorate", "Bloccanti", "Avvisi"]
    counts = (
        findings.groupby(["partner_id", "severity"], dropna=False).size()
        if len(findings)
        else pd.Series(dtype="int64")
    )

    def found(pid: object, severity: Severity) -> int:
        return int(counts.get((pid, str(severity)), 0))

    rows = []
    for p in partners:
        rows.append(
            [
                p.rows_read,
                p.applications,
                p.minors,
                p.ignored_rows,
                found(p.partner_id, Severity.BLOCKING),
                found(p.partner_id, Severity.WARNING),
            ]
        )
    totals = [sum(r[i] for r in rows) for i in range(len(heads))]
    # findings not tied to a listed partner (none expected) still count in the total
    listed = {p.partner_id for p in partners}
    if len(findings):
        others = findings[~findings["partner_id"].isin(listed)]
        totals[4] += int((others["severity"] == str(Severity.BLOCKING)).sum())
        totals[5] += int((others["severity"] == str(Severity.WARNING)).sum())
    table.add_column("Partner", footer="Totale", no_wrap=True)
    if with_names:
        table.add_column("Ente", overflow="fold")
    for i, head in enumerate(heads):
        table.add_column(head, footer=italian.number(totals[i]), justify="right", overflow="fold")
    for p, r in zip(partners, rows, strict=True):
        cells = [italian.number(v) for v in r]
        if r[4]:
            cells[4] = f"[bold red]{cells[4]}[/]"
        table.add_row(escape(p.partner_id), *([escape(p.name)] if with_names else []), *cells)
    return table


def print_unused_columns(partners: Sequence[Any]) -> None:
    unused = [p for p in partners if p.unused_columns]
    if not unused:
        return
    console.print("Colonne dei file non usate dal bando (i loro dati non sono letti):")
    for p in unused:
        console.print(
            f"  {p.name} ({p.partner_id}): " + ", ".join(p.unused_columns),
            highlight=False,
            markup=False,
        )


def print_corrections(corrections: pd.DataFrame | None, call: Any) -> None:
    if corrections is None or not len(corrections):
        return
    n = len(corrections)
    confirmed = int((corrections["decision"] == "conferma").sum())
    console.print(
        f"{italian.number(n)} {'correzione applicata' if n == 1 else 'correzioni applicate'} "
        f"da {escape(str(corrections['file'].iloc[0]))}"
        + (f" (di cui {italian.number(confirmed)} conferme dei dati)" if confirmed else "")
        + ": i file dei partner non sono modificati.",
        highlight=False,
    )


@command("validate")
def validate_command(
    folder: Path = call_folder_argument(),
    out: Path | None = typer.Option(
        None, "--out", help="Cartella degli esiti (predefinita: CARTELLA/esiti)."
    ),
    date: str | None = typer.Option(
        None, "--date", help="Data stampata sui rapporti, AAAA-MM-GG (predefinita: oggi)."
    ),
) -> None:
    """Controlla i file dei partner (istruttoria) e scrive le anomalie da correggere.

    Scrive esiti/anomalie.xlsx con tutte le anomalie e esiti/anomalie/<partner>.xlsx da
    mandare a ciascun partner. Le anomalie non fermano mai il controllo.
    """
    run_date = parse_run_date(date)
    target = output_dir(folder, out)
    with call_lock(folder, "validate"):  # one writer at a time in the call folder
        recover_tree(target)  # a rank killed while swapping: its previous result back, whole
        call = load_call(folder)
        rules = compile_rules(call)  # a rule that cannot work is an error now, not at rank time
        call.require_partners()
        with reading_progress(call) as on_file:
            read = read_call(call, on_file=on_file)
        with err_console.status("Controllo delle domande..."):
            read, findings, n_filled = check_read(call, read, check_options(rules, run_date))
        with err_console.status("Scrittura delle anomalie..."):
            written = write_anomalies(
                findings,
                read.partners,
                target,
                call,
                run_date,
                minors=read.minors,
                corrections=read.corrections,
            )

    console.print(summary_table(read.partners, findings, with_names=console.width >= 100))
    unsafe = unsafe_ids(call, derived_of(read.partners))
    if unsafe is not None:  # rank would stop here: said now, as a warning
        err_console.print(
            "[yellow]Attenzione[/] ('rank' si fermerà qui prima di scrivere gli esiti): "
            + escape(unsafe.render())
        )
    print_unused_columns(read.partners)
    if n_filled:
        console.print(
            f"Data di nascita ricavata dal codice fiscale per {italian.number(n_filled)} "
            "minori (colonna non presente o vuota)."
        )
    print_corrections(read.corrections, call)
    open_ = findings[open_blocking(findings)] if len(findings) else findings
    if len(findings) == 0:
        console.print("[bold green]Nessuna anomalia.[/]")
    elif len(open_):
        apps = int(open_["application_id"].dropna().nunique())
        console.print(
            f"[bold red]{italian.number(len(open_))} anomalie bloccanti aperte[/] in "
            f"{italian.number(apps)} {'domanda' if apps == 1 else 'domande'}: restano da "
            "regolarizzare (né ammesse né escluse) finché non sono risolte nel file delle "
            f"correzioni ({escape(call.config.istruttoria.corrections)}); l'elenco da chiedere "
            "ai richiedenti è nel foglio «Da regolarizzare».",
            highlight=False,
        )
    console.print(f"Anomalie scritte in [bold]{escape(str(written[0] if written else target))}[/]")
    if len(written) > 1:
        console.print(
            f"Un file per ogni partner, da inviare per le correzioni, in "
            f"{escape(str(target / 'anomalie'))}/"
        )
