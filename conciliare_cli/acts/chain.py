"""The chain of acts: DIR/scorrimenti/scorrimento_<k>/, each with its manifest naming the
previous act's manifest (the final list's, DIR/esiti/manifest.json, for act 1) by SHA-256.

`replay(base, events, dates)` computes every act from the final list and the events: act k
takes the events dated after act k-1 and up to its own date. `write_act` writes one act
whole or not at all; `issued_acts` reads the chain back; acts/ledger.py checks it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from conciliare_cli.acts.compute import ActState, initial_state, next_state
from conciliare_cli.acts.events import (
    EVENTS_FILE,
    effects_of,
    event_records,
    events_path,
    events_sha256,
    events_up_to,
)
from conciliare_cli.acts.finallist import ESITI, FinalList
from conciliare_cli.acts.frames import (
    as_texts,
    changes_frame,
    csv_frame,
    list_frame,
    money_frame,
    public_frame,
)
from conciliare_cli.acts.workbook import act_title, write_act_xlsx
from conciliare_cli.atomic import atomic_output, atomic_write_text
from conciliare_cli.errors import UserError
from conciliare_cli.publish.manifest import (
    MANIFEST,
    dumps,
    environment,
    output_hashes,
    read_manifest,
)
from conciliare_cli.write.graduatoria import csv_text

ACTS = "scorrimenti"
KIND = "SCORRIMENTO"


def act_dir(folder: Path, k: int) -> Path:
    return Path(folder) / ACTS / f"scorrimento_{k}"


def issued_acts(folder: Path) -> list[dict[str, Any]]:
    """The manifests of the acts issued, in order (act 1, 2, ...); a gap is an error."""
    out = []
    k = 1
    while (act_dir(folder, k) / MANIFEST).is_file():
        manifest = read_manifest(act_dir(folder, k))
        assert manifest is not None
        out.append(manifest)
        k += 1
    later = sorted((Path(folder) / ACTS).glob("scorrimento_*/" + MANIFEST))
    if len(later) > len(out):
        raise UserError(
            f"nella cartella {ACTS}/ manca lo scorrimento n. {k}, ma ce ne sono di successivi",
            hint="gli atti non si cancellano: ripristinare la cartella mancante",
        )
    return out


def act_date(manifest: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(str(manifest["date"]))


def replay(base: FinalList, events: pd.DataFrame, dates: list[dt.date]) -> list[ActState]:
    """Act 0 (the final list) and one state per date, each from the one before."""
    states = [initial_state(base)]
    for date in dates:
        effects = effects_of(base, events_up_to(events, None, date))
        states.append(next_state(base, states[-1], effects))
    return states


def write_act(
    base: FinalList,
    target: Path,
    k: int,
    dates: list[dt.date],
    events: pd.DataFrame,
    states: list[ActState],
    previous: dict[str, str],
) -> None:
    """Write act k (states[k]) into `target`: graduatoria.xlsx, graduatoria.csv,
    variazioni.csv, elenco_pubblico.csv, manifest.json (last)."""
    date = dates[k - 1]
    after = dates[k - 2] if k > 1 else None
    own = events_up_to(events, after, date)
    frame = list_frame(base, states[k - 1], states[k])
    funds = list(base.budgets)
    money = money_frame(base, states[k - 1], states[k], states[0])
    title = base.result.call.config.call.title
    with atomic_output(target) as tmp:
        atomic_write_text(tmp / "graduatoria.csv", csv_text(as_texts(csv_frame(frame, funds))))
        atomic_write_text(tmp / "variazioni.csv", csv_text(as_texts(changes_frame(frame))))
        atomic_write_text(
            tmp / "elenco_pubblico.csv", csv_text(as_texts(public_frame(frame, _id_header(base))))
        )
        write_act_xlsx(tmp / "graduatoria.xlsx", title, k, date, frame, own, money)
        manifest = _manifest(base, tmp, k, date, own, events_up_to(events, None, date), frame,
                             money, previous)  # fmt: skip
        atomic_write_text(tmp / MANIFEST, dumps(manifest))


def _id_header(base: FinalList) -> str:
    """As the final public list: 'Codice' for pseudonyms, 'Protocollo' for application ids."""
    pseudonyms = base.result.call.config.publication.public_id == "pseudonym"
    return "Codice" if pseudonyms else "Protocollo"


def _events_name(base: FinalList) -> str:
    path = events_path(base.folder) if base.folder is not None else None
    return path.name if path is not None else EVENTS_FILE


def _manifest(
    base: FinalList,
    out: Path,
    k: int,
    date: dt.date,
    own: pd.DataFrame,
    all_events: pd.DataFrame,
    frame: pd.DataFrame,
    money: pd.DataFrame,
    previous: dict[str, str],
) -> dict[str, Any]:
    counts = frame.groupby("status").size()
    changed = frame[frame["change"].ne("")]
    return {
        "manifest_version": 1,
        **environment(),
        "kind": KIND,
        "act": k,
        "title": act_title(k, date),
        "date": date.isoformat(),
        "final": {"path": f"{ESITI}/{MANIFEST}", "sha256": base.manifest_sha256},
        "previous": previous,
        "events": {
            "file": _events_name(base),
            "this_act": event_records(own),
            "up_to_this_act": len(all_events),
            "sha256": events_sha256(all_events),
        },
        "counts": {
            "minors": {str(s): int(n) for s, n in counts.items()},
            "changed_minors": len(changed),
            "changed_applications": int(changed["application_id"].nunique()),
        },
        "funds": [
            {k2: (int(v) if k2 != "fund_id" else str(v)) for k2, v in rec.items()}
            for rec in money.to_dict("records")
        ],
        "outputs": output_hashes(out),
    }
