"""`conciliare controlli DIR`: the sample of self-declarations to check (acts/sample.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer
from rich.markup import escape

from conciliare_cli.acts.finallist import final_list
from conciliare_cli.acts.sample import SampleRule, draw_sample, rule_of, write_sample
from conciliare_cli.app import command, console, err_console
from conciliare_cli.commands.options import call_folder_argument, parse_run_date
from conciliare_cli.errors import UserError
from conciliare_cli.lock import call_lock


def _options(
    quota: str | None, numero: int | None, per_ente: bool, seme: str | None
) -> SampleRule | None:
    if quota is None and numero is None and seme is None and not per_ente:
        return None
    if (quota is None) == (numero is None) or not seme:
        raise UserError(
            "per il campione servono --quota oppure --numero (uno solo), e --seme",
            hint='es. --quota 5% --seme "controlli-2017"',
        )
    share = None
    if quota is not None:
        try:
            share = Decimal(quota.strip().rstrip("%").replace(",", ".")) / 100
        except InvalidOperation as exc:
            raise UserError(f"--quota: '{quota}' non è una percentuale (es. 5%)") from exc
        if not 0 < share <= 1:
            raise UserError(f"--quota: '{quota}' fuori da 0-100%")
    return SampleRule(share, numero, per_ente, seme)


@command("controlli")
def controlli_command(
    folder: Path = call_folder_argument(),
    date: str | None = typer.Option(
        None, "--data", help="Data dell'estrazione, AAAA-MM-GG (predefinita: oggi)."
    ),
    quota: str | None = typer.Option(
        None, "--quota", help="Quota delle domande finanziate, es. 5% (se bando.yaml non la dice)."
    ),
    numero: int | None = typer.Option(None, "--numero", help="Numero di domande da controllare."),
    per_ente: bool = typer.Option(False, "--per-ente", help="Campione per ciascun ente partner."),
    seme: str | None = typer.Option(None, "--seme", help="Seme pubblicato dell'estrazione."),
) -> None:
    """Estrae il campione delle autodichiarazioni da controllare (DPR 445/2000 art. 71).

    Tra le domande finanziate nella graduatoria DEFINITIVA, con la quota o il numero e il seme
    stabiliti in bando.yaml (checks:), o dati con le opzioni. Scrive CARTELLA/controlli/
    (campione.xlsx per gli uffici, campione.csv, manifest.json). Rieseguito, ricalcola il
    campione e controlla che sia lo stesso. Gli esiti vanno nel registro degli eventi
    (eventi.xlsx): un controllo irregolare è una revoca."""
    when = parse_run_date(date)
    options = _options(quota, numero, per_ente, seme)
    with (
        call_lock(folder, "controlli"),  # one writer at a time in the call folder
        err_console.status("Estrazione del campione (ricalcolo della graduatoria definitiva)..."),
    ):
        base = final_list(folder)
        rule = rule_of(base.result.call.config.checks, options)
        existed = (Path(folder) / "controlli" / "manifest.json").is_file()
        target = write_sample(Path(folder), base, rule, when)
    sample, population = draw_sample(base, rule)
    console.print(f"Campione: {escape(rule.text())}.", highlight=False)
    for group, size in population.items():
        chosen = len(sample) if group == "totale" else int(sample["partner_id"].eq(group).sum())
        console.print(f"  {group}: {chosen} su {size} domande finanziate", highlight=False)
    if existed:
        console.print("Campione già estratto: il ricalcolo dà lo stesso campione.")
    console.print(f"Lista per gli uffici in [bold]{escape(str(target / 'campione.xlsx'))}[/]")
