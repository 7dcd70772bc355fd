"""One event added to the register from the command line (`conciliare evento`).

The row is checked as the register's own rows are (acts/events.py: a known application and
child, a date not before the final list, a known kind, an outcome for a check), and also:
the register as it is must read (a broken register is put right first), the date comes after
the last scorrimento issued (an event dated on or before it would change an act already
issued, and `verify` would fail), and the same event is not already recorded.

Where the row goes:
- no register yet: `eventi.csv` is created (UTF-8 with BOM, `;`, the headers of records.py),
  which opens as a table in an Italian Excel;
- `eventi.csv`: the row is appended in the file's own encoding (a file without BOM and
  without accents yet is taken as Windows-1252, as Excel saves a CSV on an Italian PC),
  separator, line ending and column order; the bytes of the rows already there are kept as
  they are (the file is rewritten whole through a temporary file, atomic.py, so a crash
  leaves the old one);
- `eventi.xlsx` / `.ods` / `.xls`: refused, with the checked row to copy by hand. A workbook
  cannot be rewritten by a program without the risk of dropping what the office put in it and
  the program does not understand (conditional formats, data validations, comments, images,
  other sheets' formulas), and it may be open in Excel at that moment; the office's
  spreadsheet stays the office's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from conciliare_cli.acts.chain import act_date, issued_acts
from conciliare_cli.acts.events import events_path, parse_event, read_events
from conciliare_cli.acts.finallist import FinalList
from conciliare_cli.atomic import atomic_write_bytes
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_short
from conciliare_cli.read.sources import detect_encoding
from conciliare_cli.records import EVENTS_FILE, EVENTS_HEADERS
from conciliare_cli.write.csvsafe import csv_safe

NEW_REGISTER = Path(EVENTS_FILE).with_suffix(".csv").name
FREE_TEXT = ("reason", "act", "by", "note")


@dataclass(frozen=True)
class Added:
    path: Path
    row: int  # the row of the register, as Excel (or a text editor) shows it
    event: dict  # as read_events gives it (kind, application_id, minor tax code, date...)
    created: bool


def add_event(folder: Path | str, base: FinalList, values: dict[str, str]) -> Added:
    """Check the event `values` (keys of EVENTS_HEADERS, texts as the office writes them) and
    append it to the register of `folder`."""
    folder = Path(folder)
    values = {key: str(values.get(key) or "").strip() for key in EVENTS_HEADERS}
    existing = read_events(folder, base)  # the register as it is must read
    path = events_path(folder)
    try:
        event = parse_event({**values, "row": 0}, base)
    except ValueError as exc:
        raise UserError(
            f"evento non registrato: {exc}",
            hint="le domande e i minori sono quelli della graduatoria definitiva "
            "(esiti/graduatoria.csv); la data è gg/mm/aaaa o aaaa-mm-gg",
        ) from exc
    _after_last_act(folder, event["date"])
    _not_twice(existing, event, path)
    row = _cells(event, values)
    if path is not None and path.suffix.lower() != ".csv":
        raise UserError(
            "il registro degli eventi è un foglio di calcolo: conciliare non lo "
            "riscrive (potrebbe perdere formati, convalide e commenti dell'ufficio, o essere "
            "aperto in Excel). L'evento è corretto: aggiungerlo a mano come nuova riga",
            file=str(path),
            hint=" | ".join(f"{EVENTS_HEADERS[k]}: {v}" for k, v in row.items() if v),
        )
    created = path is None
    target = Path(folder) / NEW_REGISTER if path is None else path
    atomic_write_bytes(target, _new_file(row) if created else _appended(target, row))
    after = read_events(folder, base)
    added = sorted(set(after["row"]) - set(existing["row"]))
    return Added(target, int(added[-1]) if added else 0, event, created)


def _after_last_act(folder: Path, when: dt.date) -> None:
    acts = issued_acts(folder)
    if acts and when <= act_date(acts[-1]):
        last = act_date(acts[-1])
        raise UserError(
            f"evento non registrato: la data {date_short(when)} non viene dopo lo scorrimento "
            f"n. {len(acts)} del {date_short(last)}, che è già emesso e non cambia",
            hint="registrare la decisione con la data in cui l'ufficio la prende, dopo "
            f"il {date_short(last)} (la data di ricevimento, se diversa, va nelle Note): la "
            "considera il prossimo scorrimento",
        )


def _not_twice(existing: pd.DataFrame, event: dict, path: Path | None) -> None:
    keys = ("date", "kind", "application_id", "minor", "outcome")
    same = pd.Series(True, index=existing.index)
    for key in keys:
        same &= existing[key].eq(event[key])
    if same.any():
        row = int(existing.loc[same, "row"].iloc[0])
        raise UserError(
            f"evento non registrato: lo stesso evento ({event['kind']}, domanda "
            f"{event['application_id']}, {date_short(event['date'])}) è già alla riga {row}",
            file=path.name if path is not None else None,
        )


def _cells(event: dict, values: dict[str, str]) -> dict[str, str]:
    """The row as it is written: the canonical date, kind, application id and child's tax
    code (what the office typed was checked to mean them), free texts as given."""
    cells = dict.fromkeys(EVENTS_HEADERS, "")
    cells.update(
        date=event["date"].strftime("%d/%m/%Y"),
        event=event["kind"],
        application=event["application_id"],
        minor=event["minor"],
        outcome=event["outcome"],
    )
    for key in FREE_TEXT:
        cells[key] = csv_safe(values[key])  # never opens as a formula
    cents = int(event.get("amount_cents") or 0)
    cells["amount"] = f"{cents // 100},{cents % 100:02d}" if cents else ""
    return cells


def _csv_line(cells: list[str], delimiter: str, newline: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerow(cells)
    return buffer.getvalue()


def _new_file(row: dict[str, str]) -> bytes:
    text = _csv_line(list(EVENTS_HEADERS.values()), ";", "\r\n")
    text += _csv_line([row[k] for k in EVENTS_HEADERS], ";", "\r\n")
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def _appended(path: Path, row: dict[str, str]) -> bytes:
    """The register's bytes with the row after them, in the file's own conventions."""
    data = path.read_bytes()
    encoding = detect_encoding(data)
    if encoding == "utf-8" and data.isascii():
        encoding = "cp1252"  # no BOM, no accent yet: as Excel saves a CSV on an Italian PC
    text = data.decode(encoding)
    newline = "\r\n" if "\r\n" in text else "\n"
    header, delimiter = _header(text, path)
    names = {v.casefold(): k for k, v in EVENTS_HEADERS.items()}
    keys = [names.get(h.strip().casefold()) for h in header]
    lost = [EVENTS_HEADERS[k] for k, v in row.items() if v and k not in keys]
    if lost:
        raise UserError(
            "il registro non ha le colonne " + ", ".join(f"'{c}'" for c in lost),
            file=path.name,
            hint="aggiungere le colonne all'intestazione del registro: "
            + ", ".join(EVENTS_HEADERS.values()),
        )
    line = _csv_line([row[k] if k else "" for k in keys], delimiter, newline)
    out_encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        tail = line.encode(out_encoding)
    except UnicodeEncodeError as exc:
        raise UserError(
            f"il testo '{exc.object[exc.start : exc.end]}' non si può scrivere nella codifica "
            f"del registro ({encoding})",
            file=path.name,
            hint="salvare il registro in UTF-8, o scrivere il testo senza quel carattere",
        ) from exc
    sep = b"" if not data or data.endswith((b"\n", b"\r")) else newline.encode(out_encoding)
    return data + sep + tail


def _header(text: str, path: Path) -> tuple[list[str], str]:
    """The header row of the register (the first with 'Data', 'Evento' and 'Domanda': a title
    above it is fine) and the file's separator."""
    wanted = {EVENTS_HEADERS[k].casefold() for k in ("date", "event", "application")}
    for line in text.splitlines()[:30]:
        for delimiter in (";", ",", "\t"):
            cells = next(csv.reader([line], delimiter=delimiter), [])
            if wanted <= {c.strip().casefold() for c in cells}:
                return cells, delimiter
    raise UserError("non trovo l'intestazione del registro (Data, Evento, Domanda)", file=path.name)
