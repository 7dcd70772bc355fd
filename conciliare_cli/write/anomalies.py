"""The anomalies workbooks of the preliminary check (istruttoria).

`write_anomalies` writes `anomalie.xlsx` (every finding, a summary per partner and the legend of
the codes) and one `anomalie/<partner_id>.xlsx` per partner, to send back for correction. Rows
are sorted by partner, file, sheet, row, column and code, never in input order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from conciliare_cli.config import LoadedCall
from conciliare_cli.findings import (
    CATALOGUE,
    Scope,
    Severity,
    normalise_findings,
    sort_findings,
)
from conciliare_cli.italian import count_noun
from conciliare_cli.write.istruttoria import (
    REGULARISATION_HEADERS,
    corrections_frame,
    partner_view,
    regularisation_frame,
    with_people,
)
from conciliare_cli.write.xlsx import Column, write_table, xlsx_workbook

ANOMALIES_FILE = "anomalie.xlsx"
PARTNER_FOLDER = "anomalie"
NO_PARTNER = "(nessun partner)"

SCOPE_LABELS = {
    str(Scope.FILE): "file",
    str(Scope.APPLICATION): "domanda",
    str(Scope.MINOR): "minore",
}

FINDING_SHEET_COLUMNS = [
    Column("partner_id", "Partner", width=10),
    Column("source_file", "File"),
    Column("source_sheet", "Foglio"),
    Column("source_row", "Riga", "int", width=7),
    Column("column", "Colonna"),
    Column("field_label", "Campo"),
    Column("value", "Valore"),
    Column("code", "Codice"),
    Column("severity", "Gravità", width=11),
    Column("message", "Messaggio", width=55, wrap=True),
    Column("application_id", "Protocollo"),
    Column("applicant", "Richiedente"),
    Column("state", "Stato", width=24, wrap=True),
]

# Where a finding is and what it says, as every file sent back for correction begins (the
# partners' anomalie/<partner>.xlsx, the providers' spese/erogatori/<partita IVA>.xlsx).
SEND_BACK_COLUMNS = [
    Column("source_file", "File"),
    Column("source_sheet", "Foglio"),
    Column("source_row", "Riga", "int", width=7),
    Column("column", "Colonna"),
    Column("value", "Valore"),
    Column("code", "Codice"),
    Column("severity", "Gravità", width=11),
    Column("message", "Messaggio", width=55, wrap=True),
]

# What a partner sees of its own findings (write/istruttoria.py: partner_view).
PARTNER_SHEET_COLUMNS = [
    *SEND_BACK_COLUMNS,
    Column("own_protocol", "Vostro protocollo"),
    Column("applicant", "Richiedente"),
    Column("state", "Stato", width=24, wrap=True),
]

REGULARISATION_COLUMNS = [
    Column(key, header, "int" if key == "source_row" else "text", wrap=key == "message")
    for key, header in REGULARISATION_HEADERS.items()
]

# Widths chosen so that the sheet prints on A4 landscape at readable type (tests/test_print_xlsx).
CORRECTIONS_COLUMNS = [
    Column("file", "File", width=16, wrap=True),
    Column("row", "Riga", "int", width=6),
    Column("application_id", "Domanda", width=18),
    Column("field_label", "Campo", width=14, wrap=True),
    Column("old_value", "Valore letto", width=12, wrap=True),
    Column("new_value", "Valore deciso", width=12, wrap=True),
    Column("decision", "Decisione", width=11),
    Column("reason", "Motivo", width=30, wrap=True),
    Column("request", "Richiesta", width=16, wrap=True),
    Column("reply", "Risposta", width=16, wrap=True),
    Column("date", "Data", width=11),
]

LEGEND_COLUMNS = [
    Column("code", "Codice"),
    Column("severity", "Gravità", width=11),
    Column("scope", "Riguarda", width=10),
    Column("description", "Descrizione", width=80, wrap=True),
]

SUMMARY_COLUMNS = [
    Column("partner_id", "Partner", width=10),
    Column("name", "Ente"),
    Column("blocking", "Anomalie bloccanti", "int", total=True),
    Column("warning", "Avvisi", "int", total=True),
    Column("total", "Totale anomalie", "int", total=True),
    Column("rows", "Righe con anomalie", "int", total=True),
]


def legend_frame() -> pd.DataFrame:
    """Every code of the catalogue with its severity, scope and description (sorted by code)."""
    rows = [
        {
            "code": t.code,
            "severity": str(t.severity),
            "scope": SCOPE_LABELS.get(str(t.scope), str(t.scope)),
            "description": t.description,
        }
        for t in sorted(CATALOGUE.values(), key=lambda t: t.code)
    ]
    return pd.DataFrame(rows, columns=["code", "severity", "scope", "description"])


def summary_frame(findings: pd.DataFrame, partners: Sequence[Any]) -> pd.DataFrame:
    """Per partner: blocking and warning counts, total findings, distinct rows with findings.

    Every partner of `partners` appears (with zeros when clean); findings of no known partner
    are counted on a last row '(nessun partner)'.
    """
    df = normalise_findings(findings)
    names = _partner_names(partners)
    pid = df["partner_id"].astype(object).where(df["partner_id"].notna(), NO_PARTNER).map(str)
    sev = df["severity"].astype(object).map(str)
    row_id = (
        df["source_file"].astype(object).map(str)
        + "\x1f"
        + df["source_sheet"].astype(object).map(str)
        + "\x1f"
        + df["source_row"].astype(object).map(str)
    )
    has_row = df["source_row"].notna()
    counts = pd.DataFrame(
        {
            "partner_id": pid,
            "blocking": (sev == str(Severity.BLOCKING)).astype("int64"),
            "warning": (sev == str(Severity.WARNING)).astype("int64"),
        }
    )
    grouped = counts.groupby("partner_id", sort=True)[["blocking", "warning"]].sum()
    rows = (
        pd.DataFrame({"partner_id": pid[has_row], "row": row_id[has_row]})
        .drop_duplicates()
        .groupby("partner_id")
        .size()
    )
    ids = list(names) + sorted(set(grouped.index) - set(names) - {NO_PARTNER})
    if NO_PARTNER in grouped.index:
        ids.append(NO_PARTNER)
    out = pd.DataFrame({"partner_id": ids})
    out["name"] = [names.get(i, "") for i in ids]
    out["blocking"] = [int(grouped["blocking"].get(i, 0)) for i in ids]
    out["warning"] = [int(grouped["warning"].get(i, 0)) for i in ids]
    out["total"] = out["blocking"] + out["warning"]
    out["rows"] = [int(rows.get(i, 0)) for i in ids]
    return out


def _partner_names(partners: Iterable[Any]) -> dict[str, str]:
    """partner_id -> name, in the order given (objects with partner_id/name, or dicts)."""
    out: dict[str, str] = {}
    for p in partners:
        if isinstance(p, dict):
            pid, name = p.get("partner_id") or p.get("id"), p.get("name", "")
        else:
            pid = getattr(p, "partner_id", None) or getattr(p, "id", None)
            name = getattr(p, "name", "")
        if pid is not None and str(pid) not in out:
            out[str(pid)] = "" if name is None else str(name)
    return out


def findings_sheet_frame(
    findings: pd.DataFrame, call: LoadedCall | None, minors: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The sorted findings with the field's Italian label (the field name when unknown), the
    applicant's name and the partner's own protocol (from `minors`), and their state."""
    df = with_people(sort_findings(findings), minors)
    labels = {name: f.label for name, f in call.fields.items()} if call is not None else {}
    field = df["field"].astype(object)
    df["field_label"] = field.map(
        lambda v: labels.get(str(v), str(v)) if v is not None else None, na_action="ignore"
    )
    return df


def partner_note(partner_id: str, name: str, call: LoadedCall | None) -> list[str]:
    """The short Italian note at the top of a partner's anomalies file."""
    who = f"{name} ({partner_id})" if name else partner_id
    lines = [
        f"Anomalie riscontrate nei file inviati da {who}.",
        "Ogni riga indica file, foglio, riga e colonna come li mostra Excel. Correggete i dati "
        "nel vostro file (senza cambiare le intestazioni delle colonne) e inviatelo di nuovo "
        "completo, con tutte le domande.",
        "Le anomalie BLOCCANTI tengono la domanda in sospeso (da regolarizzare: né ammessa né "
        "esclusa) finché non sono risolte; gli AVVISI vanno verificati. Il foglio «Da "
        "regolarizzare» elenca i dati da chiedere ai richiedenti; il significato dei codici è "
        "nel foglio Legenda.",
    ]
    if call is not None:
        lead = call.config.call.lead_partner
        contact = ", ".join(
            p for p in [lead.office or lead.name, lead.email or "", lead.pec or ""] if p
        )
        lines.append(f"Per chiarimenti e per il nuovo invio: {contact}.")
    return lines


def write_anomalies(
    findings: pd.DataFrame,
    partners: Sequence[Any],
    out_dir: Path,
    call: LoadedCall | None,
    run_date: dt.date | dt.datetime | None,
    *,
    minors: pd.DataFrame | None = None,
    corrections: pd.DataFrame | None = None,
) -> list[Path]:
    """Write `out_dir/anomalie.xlsx` and `out_dir/anomalie/<partner_id>.xlsx` for every partner.

    `findings` has the columns of conciliare_cli.findings.FINDING_COLUMNS; `partners` are
    objects (or dicts) with `partner_id` and `name`. Every partner gets its own file, also when
    it has nothing to fix (it then says so), so no stale file of an earlier run survives.
    Returns the paths written, the general workbook first.
    """
    out_dir = Path(out_dir)
    title = call.config.call.title if call is not None else None
    table = findings_sheet_frame(findings, call, minors)
    labels = {name: f.label for name, f in call.fields.items()} if call is not None else {}
    names = _partner_names(partners)
    if call is not None:
        for p in call.config.partners:
            names.setdefault(p.id, p.name)
    written: list[Path] = []

    main = out_dir / ANOMALIES_FILE
    with xlsx_workbook(main, run_date=run_date, title=title, subject="Anomalie") as wb:
        n_block = int((table["severity"] == str(Severity.BLOCKING)).sum())
        n_warn = int((table["severity"] == str(Severity.WARNING)).sum())
        write_table(
            wb,
            "Anomalie",
            table,
            FINDING_SHEET_COLUMNS,
            title=title,
            run_date=run_date,
            subtitle="Anomalie dell'istruttoria",
            notes=[
                f"{count_noun(n_block, 'anomalia bloccante', 'anomalie bloccanti')} e "
                f"{count_noun(n_warn, 'avviso', 'avvisi')}."
            ],
            empty_text="Nessuna anomalia.",
        )
        write_table(
            wb,
            "Riepilogo",
            summary_frame(findings, [{"partner_id": k, "name": v} for k, v in names.items()]),
            SUMMARY_COLUMNS,
            title=title,
            run_date=run_date,
            subtitle="Anomalie per partner",
        )
        _regularisation_sheet(wb, regularisation_frame(table, labels), title, run_date)
        if corrections is not None and len(corrections):
            _corrections_sheet(wb, corrections, title, run_date)
        write_table(
            wb,
            "Legenda",
            legend_frame(),
            LEGEND_COLUMNS,
            title=title,
            run_date=run_date,
            subtitle="Codici delle anomalie",
        )
    written.append(main)

    legend = legend_frame()
    for partner_id, name in names.items():
        rows = partner_view(table, partner_id)
        path = out_dir / PARTNER_FOLDER / f"{partner_id}.xlsx"
        sub = f"Anomalie da correggere – {name}" if name else "Anomalie da correggere"
        with xlsx_workbook(path, run_date=run_date, title=title, subject=sub) as wb:
            write_table(
                wb,
                "Anomalie",
                rows,
                PARTNER_SHEET_COLUMNS,
                title=title,
                run_date=run_date,
                subtitle=sub,
                notes=partner_note(partner_id, name, call),
                empty_text="Nessuna anomalia: non c'è nulla da correggere.",
            )
            _regularisation_sheet(wb, regularisation_frame(rows, labels), title, run_date)
            codes = set(rows["code"].dropna().astype(str))
            write_table(
                wb,
                "Legenda",
                legend[legend["code"].isin(codes)] if codes else legend,
                LEGEND_COLUMNS,
                title=title,
                run_date=run_date,
                subtitle="Codici delle anomalie",
            )
        written.append(path)
    return written


def _regularisation_sheet(
    wb: Any, frame: pd.DataFrame, title: str | None, run_date: dt.date | dt.datetime | None
) -> None:
    write_table(
        wb,
        "Da regolarizzare",
        frame,
        REGULARISATION_COLUMNS,
        title=title,
        run_date=run_date,
        subtitle="Dati da chiedere ai richiedenti (soccorso istruttorio)",
        notes=[
            "Le colonne da «Domanda» in poi sono quelle del file delle correzioni: copiate le "
            "righe in quel file e completatele con la risposta (Valore corretto, oppure "
            "Decisione: conferma), il motivo, i riferimenti di richiesta e risposta, la data."
        ],
        empty_text="Nulla da regolarizzare.",
    )


def _corrections_sheet(
    wb: Any, corrections: pd.DataFrame, title: str | None, run_date: dt.date | dt.datetime | None
) -> None:
    write_table(
        wb,
        "Correzioni",
        corrections_frame(corrections),
        CORRECTIONS_COLUMNS,
        title=title,
        run_date=run_date,
        subtitle="Correzioni applicate (soccorso istruttorio)",
        notes=["I file dei partner non sono modificati: le correzioni valgono sopra di essi."],
    )
