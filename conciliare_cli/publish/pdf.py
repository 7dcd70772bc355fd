"""The public list as PDF/A: a small Jinja2 template (autoescaped) rendered by WeasyPrint.

Reproducible byte for byte: the document's creation and modification dates are the run date
(never the wall clock), the PDF identifier is derived from the call title, status and run date,
and nothing else in the file depends on the time or the machine (the second half of the PDF
/ID is the hash of the content, computed by pydyf).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from conciliare_cli import __version__
from conciliare_cli.errors import UserError
from conciliare_cli.write.italian import date_short, eur, score_it
from conciliare_cli.write.xlsx import atomic_file

if TYPE_CHECKING:
    from conciliare_cli.publish.public import PublicList

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "graduatoria_pubblica.html"
PDF_VARIANT = "pdf/a-3b"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"], default=True),
    keep_trailing_newline=True,
)


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string, every character outside [A-Za-z0-9 ] hex-escaped, so
    nothing in it can close the string, the rule or the <style> element."""
    out = []
    for ch in str(text):
        if ch.isascii() and (ch.isalnum() or ch == " "):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")  # the space ends the escape
    return Markup('"' + "".join(out) + '"')


def pdf_timestamp(run_date: dt.date) -> str:
    """The run date as the W3C datetime WeasyPrint reads from <meta name=dcterms.*>."""
    return f"{run_date.isoformat()}T00:00:00Z"


def pdf_identifier(title: str, status: str, run_date: dt.date, name: str) -> bytes:
    """A stable PDF identifier (first half of /ID): same call, status, date, document → same."""
    text = f"conciliare|{name}|{title}|{status}|{run_date.isoformat()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32].encode("ascii")


def render_html(plist: PublicList, *, title: str, status: str, run_date: dt.date) -> str:
    """The HTML of the public list (Italian formats, autoescaped)."""
    from conciliare_cli.publish.public import COLUMN_HEADERS

    headers, ranked, total = _table(plist)
    excluded_headers = [
        plist.id_header if c == "public_id" else COLUMN_HEADERS["status"]
        for c in plist.columns
        if c in ("public_id", "status")
    ] or [COLUMN_HEADERS["status"]]
    excluded_cols = [c for c in plist.columns if c in ("public_id", "status")] or ["status"]
    excluded = [
        [str(v) for v in row]
        for row in plist.excluded[excluded_cols].astype("string").fillna("").to_numpy().tolist()
    ]
    date = date_short(run_date)
    return _env.get_template(TEMPLATE).render(
        title=title,
        title_css=css_string(title),
        header_right_css=css_string(f"{status} – {date}"),
        status=status,
        date=date,
        timestamp=pdf_timestamp(run_date),
        author="conciliare",
        generator=f"conciliare {__version__}",
        notes=plist.notes,
        headers=headers,
        ranked=ranked,
        total=total,
        excluded=excluded,
        excluded_headers=excluded_headers,
    )


def _table(plist: PublicList) -> tuple[list[dict], list[list[dict]], list[dict] | None]:
    from conciliare_cli.publish.public import COLUMN_HEADERS

    frame = plist.ranked
    # header, texts, alignment: True numbers (right), False ids (no wrap), None text (wraps)
    cols: list[tuple[str, list[str], bool | None]] = []
    for c in plist.columns:
        if c == "rank":
            texts = [str(v) if pd.notna(v) else "" for v in frame["rank"].tolist()]
            cols.append((COLUMN_HEADERS["rank"], texts, True))
        elif c == "public_id":
            texts = frame["public_id"].astype("string").fillna("").tolist()
            cols.append((plist.id_header, texts, False))
        elif c == "score":
            texts = [score_it(v) if pd.notna(v) else "" for v in frame["score"].tolist()]
            cols.append((COLUMN_HEADERS["score"], texts, True))
        elif c == "status":
            texts = frame["status"].astype("string").fillna("").tolist()
            cols.append((COLUMN_HEADERS["status"], texts, None))
        elif c == "awarded_eur":
            texts = [eur(v) for v in frame["awarded_cents"].tolist()]
            cols.append((COLUMN_HEADERS["awarded_eur"], texts, True))
    css = {True: "num", False: "", None: "text"}
    headers = [{"text": h, "css": css[num]} for h, _, num in cols]
    rows = [
        [{"text": texts[i], "css": css[num]} for _, texts, num in cols] for i in range(len(frame))
    ]
    total = None
    if "awarded_eur" in plist.columns and len(frame):
        amount = int(pd.to_numeric(frame["awarded_cents"]).astype("Int64").fillna(0).sum())
        others = [c for c in plist.columns if c != "awarded_eur"]
        label_at = others[0] if others else None
        total = [
            {"text": eur(amount), "css": "num"}
            if c == "awarded_eur"
            else {"text": "Totale" if c == label_at else "", "css": ""}
            for c in plist.columns
        ]
    return headers, rows, total


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (OSError, ImportError) as exc:  # missing Pango/HarfBuzz system libraries
        raise UserError(
            "impossibile creare i PDF: mancano le librerie di sistema di WeasyPrint",
            hint="su Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
        ) from exc
    return weasyprint


def write_pdf(html: str, path: Path, *, identifier: bytes) -> Path:
    """Render `html` to a PDF/A file at `path`, atomically."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).render()
    with atomic_file(path) as tmp:
        document.write_pdf(tmp, pdf_variant=PDF_VARIANT, pdf_identifier=identifier)
    return Path(path)


def write_public_pdf(
    plist: PublicList, path: Path, *, title: str, status: str, run_date: dt.date
) -> Path:
    html = render_html(plist, title=title, status=status, run_date=run_date)
    ident = pdf_identifier(title, status, run_date, Path(path).name)
    return write_pdf(html, Path(path), identifier=ident)
