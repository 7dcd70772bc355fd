"""Issue the next act, and check the chain of the acts issued.

`issue_next(folder, date)`: the chain must hold (every act issued is recomputed from the final
list and the events up to its date, and its manifest names the previous one), the date comes
after the last act's, and there are events since: then act k+1 is written into its folder.

`verify_chain(folder)`: for each act, in order, (1) its manifest names the previous act's
manifest by its current SHA-256, (2) its files are those its manifest lists, (3) the events up
to its date are those it was computed from (an event edited, added or removed afterwards is
named), (4) recomputed into a temporary folder, it gives the same files.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from conciliare_cli.acts.act_letters import LETTERS, check_act_letters
from conciliare_cli.acts.chain import (
    act_date,
    act_dir,
    issued_acts,
    replay,
    write_act,
)
from conciliare_cli.acts.compute import ActState
from conciliare_cli.acts.events import (
    event_records,
    events_sha256,
    events_up_to,
    read_events,
)
from conciliare_cli.acts.finallist import ESITI, FinalList, final_list
from conciliare_cli.acts.reinstate import acts_base
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_short
from conciliare_cli.publish.manifest import MANIFEST, sha256_file


@dataclass
class ChainReport:
    acts: int = 0
    problems: list[str] = field(default_factory=list)
    letters: int = 0  # acts whose letters were checked (verify_chain(letters=True))

    @property
    def holds(self) -> bool:
        return not self.problems


def verify_chain(
    folder: Path | str, base: FinalList | None = None, *, letters: bool = False
) -> ChainReport:
    """Check the chain (module docstring); with `letters`, also the letters written for each
    act (scorrimento_<k>/lettere: unchanged, and re-made the same)."""
    folder = Path(folder)
    acts = issued_acts(folder)
    report = ChainReport(acts=len(acts))
    if not acts:
        return report
    base = base or final_list(folder)
    final = base
    events = read_events(folder, base)
    base = acts_base(base, events)  # with the rows reinstated, in their places
    dates = [act_date(a) for a in acts]
    states = replay(base, events, dates)
    previous_path = folder / ESITI / MANIFEST
    for k, manifest in enumerate(acts, start=1):
        where = f"scorrimento n. {k}"
        if manifest.get("previous", {}).get("sha256") != sha256_file(previous_path):
            report.problems.append(f"{where}: il manifest dell'atto precedente è cambiato")
        upto = events_up_to(events, None, dates[k - 1])
        if manifest.get("events", {}).get("sha256") != events_sha256(upto):
            own = events_up_to(events, dates[k - 2] if k > 1 else None, dates[k - 1])
            report.problems += _changed_events(where, manifest, own, dates[k - 1])
        report.problems += _files(folder, k, manifest, base, dates, events, states)
        previous_path = act_dir(folder, k) / MANIFEST
        if letters and (act_dir(folder, k) / LETTERS).is_dir():
            report.problems += check_act_letters(folder, final, k)
            report.letters += 1
    return report


def _files(
    folder: Path,
    k: int,
    manifest: dict[str, Any],
    base: FinalList,
    dates: list[dt.date],
    events: pd.DataFrame,
    states: list[ActState],
) -> list[str]:
    """The act's files as its manifest lists them, and as a recomputation writes them."""
    where = f"scorrimento n. {k}"
    stored = {str(e["path"]): str(e["sha256"]) for e in manifest.get("outputs", [])}
    out = []
    for rel, digest in sorted(stored.items()):
        path = act_dir(folder, k) / rel
        if not path.is_file() or sha256_file(path) != digest:
            out.append(f"{where}: {rel} modificato o mancante dopo l'atto")
    with tempfile.TemporaryDirectory(prefix="conciliare-atto-") as tmp:
        target = Path(tmp) / "atto"
        write_act(base, target, k, dates[:k], events, states, dict(manifest.get("previous", {})))
        for rel, digest in sorted(stored.items()):
            path = target / rel
            if not path.is_file() or sha256_file(path) != digest:
                out.append(f"{where}: il ricalcolo dà un {rel} diverso")
    return out


def _changed_events(
    where: str, manifest: dict[str, Any], own: pd.DataFrame, date: dt.date
) -> list[str]:
    """Which events of the register differ from those the act was computed from."""
    events = manifest.get("events", {})
    then = [json.dumps(r, sort_keys=True) for r in events.get("this_act", [])]
    now = [json.dumps(r, sort_keys=True) for r in event_records(own)]
    rows = [int(r) for r, text in zip(own["row"], now, strict=True) if text not in then]
    gone = [json.loads(t) for t in then if t not in now]
    head = (
        f"{where}: gli eventi fino al {date_short(date)} non sono più quelli da cui l'atto "
        f"è stato calcolato ({events.get('file', 'registro')} modificato dopo l'atto)"
    )
    out = [head]
    out += [f"{where}: riga {r} del registro nuova o modificata dopo l'atto" for r in rows]
    out += [
        f"{where}: non c'è più l'evento del {date_short(dt.date.fromisoformat(g['date']))} "
        f"({g['kind']}, domanda {g['application_id']})"
        for g in gone
    ]
    return out


def ensure_chain(folder: Path, base: FinalList) -> None:
    """UserError when the chain of the acts issued does not hold."""
    report = verify_chain(folder, base)
    if not report.holds:
        raise UserError(
            "la catena degli atti non torna:\n  " + "\n  ".join(report.problems),
            hint="gli atti emessi non si cambiano: ripristinare il registro degli eventi "
            "com'era; le nuove decisioni vanno registrate con la loro data, dopo l'ultimo atto",
        )


def issue_next(
    folder: Path | str, date: dt.date, base: FinalList | None = None
) -> tuple[int, Path, FinalList]:
    """Write the next act; (its number, its folder, the final list). `base`: the final list
    of the call, when already at hand (otherwise re-computed and checked)."""
    folder = Path(folder)
    base = base or final_list(folder)
    ensure_chain(folder, base)
    acts = issued_acts(folder)
    dates = [act_date(a) for a in acts]
    final_date = dt.date.fromisoformat(str(base.manifest["run_date"]))
    last = dates[-1] if dates else None
    if date < (last or final_date) or (last is not None and date == last):
        before = f"dello scorrimento n. {len(dates)}" if last else "della graduatoria definitiva"
        raise UserError(
            f"la data {date_short(date)} non viene dopo quella {before} "
            f"({date_short(last or final_date)})",
            hint="indicare con --data la data dell'atto",
        )
    events = read_events(folder, base)
    if not len(events_up_to(events, last, date)):
        raise UserError(
            f"nessun evento nel registro tra il {date_short(last or final_date)} e il "
            f"{date_short(date)}: lo scorrimento non cambierebbe nulla",
            hint="registrare prima rinunce, revoche o decadenze nel registro degli eventi",
        )
    k = len(acts) + 1
    dates.append(date)
    extended = acts_base(base, events)
    states = replay(extended, events, dates)
    previous_path = act_dir(folder, k - 1) / MANIFEST if k > 1 else folder / ESITI / MANIFEST
    rel = previous_path.relative_to(folder).as_posix()
    target = act_dir(folder, k)
    write_act(extended, target, k, dates, events, states, {"path": rel,
              "sha256": sha256_file(previous_path)})  # fmt: skip
    return k, target, base
