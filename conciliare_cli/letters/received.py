"""The delivery register (`ricevute.csv` in the call folder): when each family received its letter.

Terms (observations on the provisional list, renunciation, review and appeal on the final one)
run from the day the letter was received, not from the day it was written. The office records
that day here, by hand in Excel or with `conciliare ricevute CARTELLA --protocolli ... --data ...`;
later steps read it with `read_register` and `term_end`.

Format (one row per letter received; the file opens as a table in an Italian Excel):

    protocollo;lista;canale;data_ricevimento;riferimento;note
    ASST-PG2017-0042;DEFINITIVA;PEC;20/09/2017;ricevuta di consegna PEC n. 1234;

- `protocollo`: the application id, as in the graduatoria and the letters' index;
- `lista`: PROVVISORIA or DEFINITIVA (which letter: the provisional communication or the act),
  or SCORRIMENTO_<k> for the letter of scorrimento n. k (`SCORRIMENTO 2` is read the same);
- `canale`: PEC, EMAIL, POSTA or A MANO;
- `data_ricevimento`: GG/MM/AAAA or AAAA-MM-GG (the day of the PEC delivery receipt, of the
  signed return receipt, or of the hand delivery);
- `riferimento`: the evidence (PEC receipt, registered-mail number); `note`: free text.

UTF-8 (with or without BOM), `;` or `,` as separator. The same application and list twice is
an error naming both rows: a receipt is recorded once. The tool never rewrites a row: the
command appends new ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from dateutil.easter import easter

from conciliare_cli.errors import UserError
from conciliare_cli.status import ListStatus
from conciliare_cli.write.csvsafe import csv_safe

REGISTER = "ricevute.csv"
COLUMNS = ["protocollo", "lista", "canale", "data_ricevimento", "riferimento", "note"]
CHANNELS = ("PEC", "EMAIL", "POSTA", "A MANO")
_ACT_LIST = re.compile(r"SCORRIMENTO[ _\-]?N?\.?\s*(\d{1,4})")


def act_list(k: int) -> str:
    """The register's code for the letters of scorrimento n. k: SCORRIMENTO_k."""
    return f"SCORRIMENTO_{k}"


def _list_code(text: str) -> str | None:
    """PROVVISORIA, DEFINITIVA or SCORRIMENTO_k as written in the register; None if none."""
    value = " ".join(text.upper().split())
    if value in ListStatus.codes():
        return value
    match = _ACT_LIST.fullmatch(value)
    return act_list(int(match[1])) if match and int(match[1]) > 0 else None


@dataclass(frozen=True)
class Receipt:
    application_id: str
    list_status: str
    channel: str
    received_on: dt.date
    evidence: str
    note: str
    row: int  # the line of the file, as a text editor (or Excel) shows it


def parse_day(text: str) -> dt.date | None:
    """GG/MM/AAAA or AAAA-MM-GG; None when it is neither."""
    value = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(
            f"non riesco a leggere il registro delle ricevute ({exc})", file=str(path)
        ) from exc
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    )
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def read_register(folder: Path) -> list[Receipt]:
    """Every receipt in folder/ricevute.csv (none when the file does not exist)."""
    path = folder / REGISTER
    if not path.is_file():
        return []
    rows = _rows(path)
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS[:4] if c not in header]
    if missing:
        raise UserError(
            "riga 1: mancano le colonne " + ", ".join(missing),
            file=str(path),
            hint="intestazione attesa: " + ";".join(COLUMNS),
        )
    at = {name: header.index(name) for name in COLUMNS if name in header}
    receipts: list[Receipt] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(rows[1:], start=2):
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in at.items()}
        if not any(cells.values()):
            continue
        receipt = _receipt(cells, line, path)
        key = (receipt.application_id, receipt.list_status)
        if key in seen:
            raise UserError(
                f"righe {seen[key]} e {line}: la ricevuta della domanda {key[0]} "
                f"(lista {key[1]}) è registrata due volte",
                file=str(path),
                hint="tenere una sola riga per lettera ricevuta",
            )
        seen[key] = line
        receipts.append(receipt)
    return receipts


def _receipt(cells: dict[str, str], line: int, path: Path) -> Receipt:
    def fail(column: str, message: str) -> UserError:
        return UserError(f"riga {line}, colonna {column}: {message}", file=str(path))

    if not cells["protocollo"]:
        raise fail("protocollo", "manca il protocollo della domanda")
    status = _list_code(cells["lista"])
    if status is None:
        raise fail(
            "lista", f"'{cells['lista']}' non è PROVVISORIA, DEFINITIVA o SCORRIMENTO_<numero>"
        )
    channel = cells["canale"].upper().replace("E-MAIL", "EMAIL")
    if channel not in CHANNELS:
        raise fail("canale", f"'{cells['canale']}' non è uno di {', '.join(CHANNELS)}")
    day = parse_day(cells["data_ricevimento"])
    if day is None:
        raise fail(
            "data_ricevimento", f"data non valida '{cells['data_ricevimento']}' (GG/MM/AAAA)"
        )
    return Receipt(
        application_id=cells["protocollo"],
        list_status=status,
        channel=channel,
        received_on=day,
        evidence=cells.get("riferimento", ""),
        note=cells.get("note", ""),
        row=line,
    )


def received_on(receipts: Iterable[Receipt], list_status: str) -> dict[str, dt.date]:
    """Application id -> the day its letter of `list_status` was received."""
    return {r.application_id: r.received_on for r in receipts if r.list_status == list_status}


def term_end(received: dt.date, days: int) -> dt.date:
    """The last day of a term of `days` calendar days running from the day after receipt; a
    term ending on a Sunday or a national holiday moves to the next day that is neither (art.
    155 c.p.c., art. 2963 c.c.: 'prorogato di diritto al giorno seguente non festivo')."""
    end = received + dt.timedelta(days=days)
    while not_working(end):
        end += dt.timedelta(days=1)
    return end


# The national public holidays (L. 260/1949 and later laws), as (month, day); Easter Monday is
# computed for each year. A town's patron saint's day is a local holiday the tool does not know.
NATIONAL_HOLIDAYS = frozenset(
    {(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)}
)


def not_working(day: dt.date) -> bool:
    """A Sunday, a national holiday or Easter Monday ('giorno festivo')."""
    if day.weekday() == 6 or (day.month, day.day) in NATIONAL_HOLIDAYS:
        return True
    return day == easter(day.year) + dt.timedelta(days=1)


def record(
    folder: Path,
    ids: list[str],
    *,
    list_status: str,
    channel: str,
    day: dt.date,
    evidence: str = "",
    note: str = "",
) -> int:
    """Append one row per id to folder/ricevute.csv (created with its header); return how many.

    The register is checked first, and an id already recorded for that list is an error."""
    path = folder / REGISTER
    existing = read_register(folder)
    recorded = {(r.application_id, r.list_status): r.row for r in existing}
    for app in ids:
        if (app, list_status) in recorded:
            raise UserError(
                f"la ricevuta della domanda {app} (lista {list_status}) è già registrata "
                f"alla riga {recorded[(app, list_status)]}",
                file=str(path),
            )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    new_file = not path.is_file() or path.stat().st_size == 0
    if new_file:
        writer.writerow(COLUMNS)
    for app in ids:
        # free texts that would open as a formula get an apostrophe (write/csvsafe.py)
        writer.writerow(
            [app, list_status, channel, day.strftime("%d/%m/%Y"), csv_safe(evidence),
             csv_safe(note)]
        )  # fmt: skip
    data = buffer.getvalue().encode("utf-8")
    if new_file:
        path.write_bytes(b"\xef\xbb\xbf" + data)
    else:
        tail = path.read_bytes()[-1:]
        with path.open("ab") as fh:
            fh.write((b"" if tail in (b"\n", b"") else b"\r\n") + data)
    return len(ids)


def register_frame(receipts: list[Receipt]) -> pd.DataFrame:
    return pd.DataFrame([r.__dict__ for r in receipts])
