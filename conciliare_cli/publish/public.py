"""The publishable graduatoria as files: graduatoria-pubblica.xlsx and graduatoria-pubblica.pdf.

What goes in them, and why nothing more, is decided in publish/listing.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from conciliare_cli.engine.result import RankResult
from conciliare_cli.italian import date_short
from conciliare_cli.publish.hooks import test_hook
from conciliare_cli.publish.listing import COLUMN_HEADERS, PublicList, public_list
from conciliare_cli.publish.pdf import write_public_pdf
from conciliare_cli.status import ListStatus
from conciliare_cli.write.xlsx import Column, write_table, xlsx_workbook

PUBLIC_XLSX = "graduatoria-pubblica.xlsx"
PUBLIC_PDF = "graduatoria-pubblica.pdf"


def _xlsx_columns(plist: PublicList) -> list[Column]:
    spec = {
        "rank": Column("rank", COLUMN_HEADERS["rank"], "int"),
        "public_id": Column("public_id", plist.id_header),
        "score": Column("score", COLUMN_HEADERS["score"], "score"),
        "status": Column("status", COLUMN_HEADERS["status"]),
        "awarded_eur": Column(
            "awarded_cents", COLUMN_HEADERS["awarded_eur"], "money_cents", total=True
        ),
        "waiting_position": Column(
            "waiting_position", COLUMN_HEADERS["waiting_position"], "int", width=11
        ),
    }
    return [spec[c] for c in plist.columns]


def _excluded_columns(plist: PublicList) -> list[Column]:
    spec = {
        "public_id": Column("public_id", plist.id_header),
        "status": Column("status", COLUMN_HEADERS["status"]),
    }
    cols = [spec[c] for c in plist.columns if c in spec]
    return cols or [spec["status"]]


def act_notes(result: RankResult, status: str, run_date: dt.date) -> list[str]:
    """What the list says of itself: the act that approves it (publication.act) and, while
    it is provisional, until when and where observations can be sent
    (publication.observations_days from the date of the list)."""
    cfg = result.call.config
    out = []
    if cfg.publication.act:
        out.append(f"Graduatoria approvata con {cfg.publication.act}.")
    days = cfg.publication.observations_days
    if status == "PROVVISORIA" and days:
        lead = cfg.call.lead_partner
        where = lead.pec or lead.email
        out.append(
            f"Graduatoria provvisoria: eventuali osservazioni possono essere presentate entro il "
            f"{date_short(run_date + dt.timedelta(days=days))} ({days} giorni dalla "
            f"pubblicazione)"
            + (f" scrivendo a {where} ({lead.name})." if where else f" presso {lead.name}.")
        )
    return out


def write_public(
    result: RankResult, out_dir: Path | str, status: str, run_date: dt.date
) -> list[Path]:
    """Write graduatoria-pubblica.xlsx and graduatoria-pubblica.pdf into `out_dir`.

    Returns the paths written. Each file is written atomically; a run writes `out_dir` as the
    temporary folder of `atomic_output`, so the set appears whole or not at all.
    """
    ListStatus.check(status)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plist = public_list(result)
    plist = replace(plist, notes=[*act_notes(result, status, run_date), *plist.notes])
    title = result.call.config.call.title
    subtitle = "Graduatoria pubblica"

    xlsx_path = out / PUBLIC_XLSX
    with xlsx_workbook(xlsx_path, run_date=run_date, title=title, subject=subtitle) as wb:
        write_table(
            wb,
            "Graduatoria",
            plist.ranked,
            _xlsx_columns(plist),
            title=title,
            status=status,
            run_date=run_date,
            subtitle=subtitle,
            notes=plist.notes,
            wrap_notes=True,
            empty_text="Nessuna domanda in graduatoria.",
        )
        write_table(
            wb,
            "Graduatoria",
            plist.excluded,
            _excluded_columns(plist),
            caption=f"Domande non ammesse ({len(plist.excluded)})",
            empty_text="Nessuna domanda non ammessa.",
        )
    test_hook("public_xlsx")

    pdf_path = out / PUBLIC_PDF
    write_public_pdf(plist, pdf_path, title=title, status=status, run_date=run_date)
    test_hook("public_pdf")
    return [xlsx_path, pdf_path]
