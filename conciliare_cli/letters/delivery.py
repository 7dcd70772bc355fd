"""How each letter reaches its family: the channel, and the index the office sends from.

The channel comes from the contact columns the partner mapped (applicant_pec, applicant_email,
applicant_address with applicant_postcode / applicant_city): PEC first (it proves delivery),
then e-mail, then post; a letter with none of them is NESSUNO and is reported before anything
is sent.

`indice.csv` opens as a table in an Italian Excel (semicolon, UTF-8 with BOM, a text beginning
with = + - @ prefixed with ' so it is never a formula); `indice.xlsx` is the same table as a
formatted workbook. Both have one row per letter in graduatoria order: recipient, address,
channel, outcome, the letter's file and its slips' files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from conciliare_cli.status import status_label
from conciliare_cli.write.xlsx import Column, write_table, xlsx_workbook

if TYPE_CHECKING:
    from conciliare_cli.letters.context import Letter

PEC, EMAIL, POST, NONE = "PEC", "EMAIL", "POSTA", "NESSUNO"
CHANNEL_LABELS = {PEC: "PEC", EMAIL: "e-mail", POST: "posta", NONE: "nessun recapito"}
INDEX_CSV = "indice.csv"
INDEX_XLSX = "indice.xlsx"
INDEX_COLUMNS = [
    ("application_id", "Protocollo"),
    ("public_id", "Codice pubblico"),
    ("outcome", "Esito"),
    ("recipient", "Destinatario"),
    ("channel", "Canale"),
    ("contact", "Recapito"),
    ("address", "Indirizzo"),
    ("postcode_city", "CAP e comune"),
    ("email", "E-mail"),
    ("pec", "PEC"),
    ("file", "File della lettera"),
    ("slips", "File dei buoni"),
]


def channel_of(contact: dict[str, str]) -> str:
    """PEC, EMAIL, POSTA or NESSUNO from a recipient's address, postcode_city, email, pec."""
    if contact.get("pec"):
        return PEC
    if contact.get("email"):
        return EMAIL
    if contact.get("address") and contact.get("postcode_city"):
        return POST
    return NONE


def contact_of(recipient: dict[str, Any]) -> str:
    """The address the letter is sent to, on its channel."""
    channel = recipient["channel"]
    if channel == PEC:
        return str(recipient["pec"])
    if channel == EMAIL:
        return str(recipient["email"])
    if channel == POST:
        return f"{recipient['address']}, {recipient['postcode_city']}"
    return ""


def without_channel(letters: Sequence[Letter]) -> list[Letter]:
    return [letter for letter in letters if letter.recipient["channel"] == NONE]


def index_frame(letters: Sequence[Letter], slip_files: dict[str, list[str]]) -> pd.DataFrame:
    """One row per letter (graduatoria order), the columns of INDEX_COLUMNS."""
    rows = []
    for letter in letters:
        r = letter.recipient
        rows.append(
            {
                "application_id": letter.application_id,
                "public_id": letter.context["public_id"],
                "outcome": status_label(letter.outcome),
                "recipient": letter.recipient_name,
                "channel": CHANNEL_LABELS[r["channel"]],
                "contact": contact_of(r),
                "address": r["address"],
                "postcode_city": r["postcode_city"],
                "email": r["email"],
                "pec": r["pec"],
                "file": f"{letter.file_stem}.pdf",
                "slips": " ".join(slip_files.get(letter.application_id, [])),
            }
        )
    return pd.DataFrame(rows, columns=[c for c, _h in INDEX_COLUMNS])


def _csv_safe(text: object) -> str:
    """A cell that Excel must not take for a formula is written as text."""
    value = "" if text is None else str(text)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def index_csv(frame: pd.DataFrame) -> bytes:
    """indice.csv for an Italian Excel: ';', UTF-8 with BOM, CRLF, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([h for _c, h in INDEX_COLUMNS])
    for row in frame.itertuples(index=False):
        writer.writerow([_csv_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_index_xlsx(
    frame: pd.DataFrame, path: Path, *, title: str, status: str, run_date: dt.date
) -> None:
    columns = [Column(c, h, "text") for c, h in INDEX_COLUMNS]
    with xlsx_workbook(path, run_date=run_date, title=title) as wb:
        write_table(
            wb,
            "Lettere",
            frame,
            columns,
            title=f"Lettere di esito – {title}",
            status=status,
            run_date=run_date,
            notes=["Una riga per lettera, nell'ordine della graduatoria."],
        )


def listed_files(index: Path) -> set[str]:
    """Letter and slip files named in an earlier indice.csv (safe names only, no paths)."""
    if not index.is_file():
        return set()
    names: set[str] = set()
    try:
        with index.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh, delimiter=";"):
                if len(row) == len(INDEX_COLUMNS):
                    names.update([row[-2], *row[-1].split()])
    except (OSError, csv.Error, UnicodeDecodeError):
        return set()
    return {n for n in names if n.endswith(".pdf") and "/" not in n and "\\" not in n and n}
