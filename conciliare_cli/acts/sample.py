"""The sample of self-declarations to check (DPR 445/2000 art. 71: checks "anche a campione"):
drawn from the applications funded in the final list, recomputable by anyone.

The call states the sample in bando.yaml (`checks:`): a share of the funded applications or a
number, overall or per partner, and a published seed. Each funded application gets the key
SHA-256("<seed>:<application id>"); the sample is the applications with the smallest keys
(per partner with `per_partner`): n = number (at most all), or the share rounded up (at least
one when there is any). The key depends on the seed and the id only, never on the order of
the rows or on anything else, so the same seed always draws the same sample.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from conciliare_cli.acts.finallist import FinalList
from conciliare_cli.acts.frames import as_texts
from conciliare_cli.atomic import atomic_output, atomic_write_text
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_short
from conciliare_cli.publish.manifest import MANIFEST, dumps, output_hashes
from conciliare_cli.status import Status
from conciliare_cli.write.graduatoria import csv_text
from conciliare_cli.write.xlsx import Column, write_table, xlsx_workbook

FUNDED = (Status.FUNDED.value, Status.PARTIAL.value)


@dataclass(frozen=True)
class SampleRule:
    share: Decimal | None
    number: int | None
    per_partner: bool
    seed: str
    reference: str | None = None

    def size(self, population: int) -> int:
        if population == 0:
            return 0
        if self.number is not None:
            return min(self.number, population)
        assert self.share is not None
        return max(1, min(population, math.ceil(self.share * population)))

    def text(self) -> str:
        how = f"{self.number} domande" if self.number is not None else f"il {_percent(self.share)}"
        where = "per ciascun ente partner" if self.per_partner else "sul totale"
        return f"{how} delle domande finanziate, {where}, seme «{self.seed}»"


def _percent(share: Decimal | None) -> str:
    value = (share or Decimal(0)) * 100
    return f"{value.normalize():f}".replace(".", ",") + "%"


def draw_key(seed: str, application_id: str) -> str:
    return hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()


def funded_applications(base: FinalList) -> pd.DataFrame:
    """One row per application funded (wholly or in part) in the final list."""
    m = base.minors
    frame = pd.DataFrame(
        {
            "rank": base.unit + 1,
            "application_id": m["application_id"].astype(str),
            "partner_id": m["partner_id"].astype(str),
            "applicant_tax_code": m["applicant_tax_code"].astype("string").fillna(""),
            "applicant_surname": m.get("applicant_surname", pd.Series("", index=m.index)),
            "applicant_name": m.get("applicant_name", pd.Series("", index=m.index)),
            "status": m["status"].astype(str),
            "awarded_cents": base.draws.sum(axis=1),
        }
    )
    frame = frame[frame["status"].isin(FUNDED).to_numpy()]
    return frame.groupby("application_id", sort=False, as_index=False).agg(
        rank=("rank", "min"),
        partner_id=("partner_id", "first"),
        applicant_tax_code=("applicant_tax_code", "first"),
        applicant_surname=("applicant_surname", "first"),
        applicant_name=("applicant_name", "first"),
        awarded_cents=("awarded_cents", "sum"),
    )


def draw_sample(base: FinalList, rule: SampleRule) -> tuple[pd.DataFrame, dict[str, int]]:
    """(the sample, sorted by partner and rank, with its keys; the population per group)."""
    apps = funded_applications(base)
    apps["key"] = [draw_key(rule.seed, a) for a in apps["application_id"]]
    groups = apps.groupby("partner_id", sort=True) if rule.per_partner else [("", apps)]
    parts, population = [], {}
    for name, group in groups:
        population[str(name) or "totale"] = len(group)
        chosen = group.sort_values("key", kind="stable").head(rule.size(len(group)))
        parts.append(chosen)
    sample = pd.concat(parts) if parts else apps.head(0)
    return sample.sort_values(["partner_id", "rank"], kind="stable").reset_index(drop=True), (
        population
    )


# ---------------------------------------------------------------------- the files

CHECKS = "controlli"
SAMPLE_COLUMNS = [
    Column("partner_id", "Ente", width=10),
    Column("rank", "Posizione", "int", width=10),
    Column("application_id", "Domanda", width=18),
    Column("applicant", "Richiedente", width=28),
    Column("applicant_tax_code", "CF richiedente", width=18),
    Column("awarded_cents", "Importo assegnato", "money_cents", total=True),
    Column("key", "Chiave di estrazione (SHA-256)", width=24),
    Column("event", "Evento", width=12),
    Column("outcome", "Esito (regolare / irregolare)", width=16),
]


def rule_of(call_checks: object | None, options: SampleRule | None) -> SampleRule:
    """The sample as bando.yaml states it (`checks:`), or as the options give it."""
    if call_checks is not None and options is not None:
        raise UserError(
            "il campione dei controlli è già stabilito in bando.yaml (checks:)",
            hint="togliere --quota, --numero, --per-ente e --seme",
        )
    if call_checks is not None:
        c = call_checks
        return SampleRule(c.share, c.number, c.per_partner, c.seed, c.reference)  # type: ignore[attr-defined]
    if options is None:
        raise UserError(
            "bando.yaml non dice quale campione controllare",
            hint="aggiungere in bando.yaml la sezione checks: (share o number, per_partner, "
            "seed), oppure indicare --quota o --numero e --seme",
        )
    return options


def write_sample(folder: Path, base: FinalList, rule: SampleRule, date: dt.date) -> Path:
    """controlli/: campione.xlsx (the list for the offices), campione.csv, manifest.json.
    A sample already drawn is recomputed and must be the same (never re-drawn)."""
    sample, population = draw_sample(base, rule)
    target = Path(folder) / CHECKS
    csv = csv_text(as_texts(sample[["partner_id", "rank", "application_id", "key"]]))
    if (target / MANIFEST).is_file():
        if (target / "campione.csv").read_text(encoding="utf-8") != csv:
            raise UserError(
                "il campione ricalcolato non è quello già estratto in controlli/campione.csv",
                hint="il campione si estrae una volta sola: controllare seme e quota in "
                "bando.yaml e la graduatoria definitiva ('conciliare verify')",
            )
        return target
    sample["applicant"] = (
        sample["applicant_surname"].astype("string").fillna("")
        + " "
        + sample["applicant_name"].astype("string").fillna("")
    ).str.strip()
    sample["event"], sample["outcome"] = "controllo", ""
    title = base.result.call.config.call.title
    with atomic_output(target) as tmp:
        atomic_write_text(tmp / "campione.csv", csv)
        with xlsx_workbook(tmp / "campione.xlsx", run_date=date, title=title) as wb:
            write_table(wb, "Campione", sample, SAMPLE_COLUMNS, title=title,
                        status=f"controlli del {date_short(date)}", run_date=date,
                        subtitle="Dichiarazioni da controllare (DPR 445/2000 art. 71)",
                        notes=[f"Campione: {rule.text()}."] + ([rule.reference] if
                        rule.reference else []) + ["Gli esiti vanno nel registro degli eventi "
                        "(eventi.xlsx): Evento 'controllo', Esito 'regolare' o 'irregolare'."],
                        empty_text="Nessuna domanda finanziata.")  # fmt: skip
        manifest = {
            "kind": "CONTROLLI",
            "date": date.isoformat(),
            "final": {"path": "esiti/manifest.json", "sha256": base.manifest_sha256},
            "rule": {"share": None if rule.share is None else str(rule.share),
                     "number": rule.number, "per_partner": rule.per_partner,
                     "seed": rule.seed, "reference": rule.reference},
            "population": population,
            "sample": sample["application_id"].tolist(),
        }  # fmt: skip
        manifest["outputs"] = output_hashes(tmp)
        atomic_write_text(tmp / MANIFEST, dumps(manifest))
    return target
