"""The letters of a scorrimento act: `conciliare letters CARTELLA --scorrimento K`.

One letter per family whose outcome the act improved (funded, partly funded, completed, more
money, reinstated, voucher raised: the rows of `variazioni.csv` with such a change), titled
"Provvedimento di assegnazione del voucher a seguito di scorrimento n. K del ...", and a voucher
slip for each child whose amount the act set or raised (the slip carries the act's date and
reference, so it replaces an earlier slip of the same code). The letters' pipeline is the one of
the final list (letters/): the act's state is written over the final list's result (status,
amounts per fund, waiting position, the vouchers a correction raised), the letters are built
and checked as usual, then each letter's context gets `scorrimento` (number, date, what
changed, the previous outcome, the event behind a reinstatement) and its position ('12-bis').

The families an event took off (rinuncia, revoca, decadenza) get no letter from the act: the
renunciation is their own, the revocation and the lapse are notified with the act of the
office that decides them (its reference is in the register); the command names them, so
nobody is forgotten.

Written into scorrimenti/scorrimento_<k>/lettere/ (letters, buoni/, lettere-tutte.pdf,
indice.csv, indice.xlsx, manifest-lettere.json naming the act's manifest), whole or not at
all; `verify` re-makes them (check_act_letters).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from conciliare_cli.acts.chain import act_date, act_dir, issued_acts, replay
from conciliare_cli.acts.compute import ActState
from conciliare_cli.acts.events import events_up_to, read_events
from conciliare_cli.acts.finallist import FinalList
from conciliare_cli.acts.frames import CHANGES, EVENT_LABELS, list_frame
from conciliare_cli.acts.reinstate import acts_base
from conciliare_cli.engine.result import RankResult
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_long, date_short, eur
from conciliare_cli.letters import Letter, LettersReport, write_letters
from conciliare_cli.letters.common import ListSource
from conciliare_cli.letters.issued import read_letters_manifest
from conciliare_cli.publish.manifest import MANIFEST, sha256_file
from conciliare_cli.records import CORRECTION, REINSTATEMENT
from conciliare_cli.status import ListStatus, Status, status_label

LETTERS = "lettere"
GAINS = {CHANGES[k] for k in ("new", "new_partial", "more", "completed", "back", "back_funded",
                              "back_partial", "raised")}  # fmt: skip
REMOVED = {CHANGES[k] for k in EVENT_LABELS}
EXCLUDED = Status.EXCLUDED.value
PREVIOUS = {  # the outcome before the act, as the letter says it: "(in precedenza: ...)"
    Status.FUNDED.value: "finanziata",
    Status.PARTIAL.value: "finanziata in parte",
    Status.WAITING.value: "in lista d'attesa",
}


@dataclass(frozen=True)
class ActSource(ListSource):
    """The scorrimento act the letters come from (its manifest), as the letters name it."""

    act: int = 0

    def context(self) -> dict[str, str]:
        return {
            **super().context(),
            "label": f"definitiva, scorrimento n. {self.act}",
        }


@dataclass
class ActLetters:
    """What the letters of one act are made from."""

    k: int
    date: dt.date
    base: FinalList
    frame: pd.DataFrame  # list_frame of the act (changes included)
    state: ActState
    events: pd.DataFrame  # the events of this act
    source: ActSource

    @property
    def changed(self) -> pd.DataFrame:
        return self.frame[self.frame["change"].ne("")]

    @property
    def ids(self) -> set[str]:
        gains = self.changed[self.changed["change"].isin(GAINS)]
        return set(gains["application_id"])

    @property
    def removed(self) -> pd.DataFrame:
        """The families taken off by this act's events, with no letter (one row each)."""
        gone = self.changed[self.changed["change"].isin(REMOVED)]
        gone = gone[~gone["application_id"].isin(self.ids)]
        return gone.drop_duplicates("application_id")


def act_letters(folder: Path, base: FinalList, k: int) -> ActLetters:
    """The act k of the call in `folder` (it must be issued), ready for its letters."""
    acts = issued_acts(folder)
    if not 1 <= k <= len(acts):
        issued = f"gli scorrimenti emessi sono {len(acts)}" if acts else "nessuno scorrimento"
        raise UserError(
            f"lo scorrimento n. {k} non è stato emesso ({issued})",
            hint="le lettere si scrivono dopo 'conciliare scorrimento'",
        )
    dates = [act_date(a) for a in acts]
    events = read_events(folder, base)
    extended = acts_base(base, events)
    states = replay(extended, events, dates)
    frame = list_frame(extended, states[k - 1], states[k])
    own = events_up_to(events, dates[k - 2] if k > 1 else None, dates[k - 1])
    manifest = act_dir(folder, k) / MANIFEST
    source = ActSource(ListStatus.FINAL.value, dates[k - 1], sha256_file(manifest), k)
    return ActLetters(k, dates[k - 1], extended, frame, states[k], own, source)


def act_result(a: ActLetters) -> RankResult:
    """The final list's result with the act's state written over it, for the letters: each
    ranked child's outcome, award per fund and reserve, waiting position, voucher due; a child
    reinstated is admitted, its rank left empty (the letter prints its '12-bis'); a child taken
    off is not in it (nobody writes to it from the act)."""
    result = a.base.result
    minors = result.minors.copy()
    rows = a.base.rows
    state = a.state
    on = ~state.removed
    status = minors["status"].astype(object).to_numpy().copy()
    status[rows] = np.where(on, state.status, EXCLUDED)
    minors["status"] = status
    minors["awarded_cents"] = _put(minors["awarded_cents"], rows, state.awarded)
    minors["requested_cents"] = _put(minors["requested_cents"], rows, state.need)
    wait = np.where(state.waiting_position > 0, state.waiting_position, -1)
    minors["waiting_position"] = _put(minors["waiting_position"], rows, wait).mask(
        lambda s: s.lt(0)
    )
    for fund in a.base.budgets:
        cols = [j for j, p in enumerate(a.base.pots) if p.fund == fund]
        minors[f"fund_{fund}_cents"] = _put(
            minors[f"fund_{fund}_cents"], rows, state.draws[:, cols].sum(axis=1)
        )
    for j, pot in enumerate(a.base.pots):
        column = f"reserve_{pot.id}_cents"
        if pot.is_reserve and column in minors:
            minors[column] = _put(minors[column], rows, state.draws[:, j])
    back = rows[~a.base.in_final & on]
    if len(back):
        minors.loc[minors.index[back], "exclusion_reasons"] = ""
        rank = pd.array(minors["rank"], dtype="Int64")
        rank[back] = pd.NA
        minors["rank"] = rank
    keep = np.ones(len(minors), dtype=bool)
    keep[rows[state.removed & a.base.in_final]] = False  # taken off: not in the letters
    keep[rows[~a.base.in_final & ~on]] = True  # still excluded: as in the final list
    return dataclasses.replace(result, minors=minors[keep])


def _put(column: pd.Series, rows: np.ndarray, values: np.ndarray) -> pd.Series:
    out = pd.array(column, dtype="Int64").copy()
    out[rows] = values
    return pd.Series(out, index=column.index)


def adjust(a: ActLetters) -> Any:
    """The letters' contexts for the act: `scorrimento`, the position, the slips of the
    children whose amount the act set or raised."""
    changed = a.changed
    by_app = {app: g for app, g in changed.groupby("application_id", sort=False)}
    reasons = _event_reasons(a.events)
    m = a.base.minors
    names = dict(zip(m["minor_tax_code"].astype("string").fillna(""),
                     (m["minor_name"].astype("string").fillna("") + " "
                      + m["minor_surname"].astype("string").fillna("")).str.strip(),
                     strict=True))  # fmt: skip

    def apply(letters: list[Letter]) -> None:
        for letter in letters:
            rows = by_app.get(letter.application_id)
            if rows is None:  # pragma: no cover - only changed families are selected
                continue
            ctx = letter.context
            label = str(rows["rank"].iloc[0])
            ctx["rank"] = label
            for unit in ctx["units"]:
                unit["rank"] = label
            because = reasons.get(letter.application_id, "")
            gained = rows[rows["awarded_cents"].gt(rows["previous_awarded_cents"])]
            paid_now = {names.get(c, "") for c in gained["minor_tax_code"]}
            ctx["vouchers"] = [v for v in ctx["vouchers"] if v["child"] in paid_now]
            raised = rows[rows["need_cents"].gt(rows["previous_need_cents"])]
            raised_names = {names.get(c, "") for c in raised["minor_tax_code"]}
            for child in ctx["children"]:
                if child["name"] in raised_names:
                    note = f"Voucher rettificato: {because}." if because else "Voucher rettificato."
                    child["amount_note"] = note
            ctx["scorrimento"] = {
                "number": str(a.k),
                "date": date_long(a.date),
                "date_short": date_short(a.date),
                "reinstated": _reinstated(a.frame, letter.application_id),
                "raised": bool(len(raised)),
                "previous": _previous(a.frame, letter.application_id),
                "because": because,
            }

    return apply


def _reinstated(frame: pd.DataFrame, app: str) -> bool:
    """The whole application was off the list (excluded, or taken off) before the act."""
    before = frame.loc[frame["application_id"].eq(app), "previous_status"]
    return bool(before.isin([*EVENT_LABELS, EXCLUDED]).all())


def _previous(frame: pd.DataFrame, app: str) -> str:
    """The family's outcome before the act, in words: 'ammessa non finanziata (in attesa)'."""
    rows = frame[frame["application_id"].eq(app)]
    statuses = [s for s in rows["previous_status"] if s not in EVENT_LABELS]
    if not statuses or all(s == EXCLUDED for s in statuses):
        return "esclusa" if statuses else ""
    best = statuses[0]
    for s in statuses:
        if s == Status.FUNDED.value:
            best = s
    total = int(rows["previous_awarded_cents"].sum())
    return PREVIOUS.get(best, status_label(best).lower()) + (f", {eur(total)}" if total else "")


def _event_reasons(events: pd.DataFrame) -> dict[str, str]:
    """Per application: the reinstatement or correction of this act (reason and act)."""
    out: dict[str, str] = {}
    wanted = events[events["kind"].isin([REINSTATEMENT, CORRECTION])]
    for rec in wanted.to_dict("records"):
        text = "; ".join(t for t in (rec["reason"], rec["act"]) if t)
        if text:
            out.setdefault(rec["application_id"], text)
    return out


def write_act_letters(
    folder: Path,
    base: FinalList,
    k: int,
    run_date: dt.date,
    *,
    protocol: str | None = None,
    target: Path | None = None,
    workers: int | None = None,
    on_start: Any = None,
    on_progress: Any = None,
) -> tuple[LettersReport, ActLetters]:
    """Write the letters of act k into scorrimenti/scorrimento_<k>/lettere (or `target`)."""
    a = act_letters(folder, base, k)
    if not a.ids:
        raise UserError(
            f"lo scorrimento n. {k} non cambia l'esito di nessuna famiglia a suo favore: "
            "nessuna lettera da scrivere",
            hint="chi ha rinunciato o è stato revocato riceve l'atto che lo decide",
        )
    report = write_letters(
        act_result(a),
        target or act_dir(folder, k) / LETTERS,
        source=a.source,
        run_date=run_date,
        ids=a.ids,
        workers=workers,
        protocol=protocol,
        on_start=on_start,
        on_progress=on_progress,
        adjust=adjust(a),
    )
    return report, a


def check_act_letters(folder: Path, base: FinalList, k: int) -> list[str]:
    """The letters of act k (if written): unchanged since, and re-made the same."""
    where = f"scorrimento n. {k}, lettere"
    target = act_dir(folder, k) / LETTERS
    data = read_letters_manifest(target)
    if data is None:
        return []
    try:
        listed = {str(f["path"]): str(f["sha256"]) for f in data["files"]}
        run_date = dt.date.fromisoformat(str(data["run_date"]))
        named = str(data["graduatoria"]["manifest_sha256"])
    except (KeyError, TypeError, ValueError):
        return [f"{where}: manifest-lettere.json non è leggibile"]
    out = []
    if named != sha256_file(act_dir(folder, k) / MANIFEST):
        out.append(f"{where}: vengono da un altro atto (manifest diverso)")
    for rel, digest in sorted(listed.items()):
        path = target / rel
        if not path.is_file() or sha256_file(path) != digest:
            out.append(f"{where}: {rel} modificato o mancante dopo l'invio")
    with tempfile.TemporaryDirectory(prefix="conciliare-lettere-atto-") as tmp:
        again = Path(tmp) / LETTERS
        try:
            write_act_letters(folder, base, k, run_date, protocol=data.get("protocol"),
                              target=again)  # fmt: skip
        except UserError as exc:
            return [*out, f"{where}: {exc.render()}"]
        for rel, digest in sorted(listed.items()):
            if rel.endswith(".json"):
                continue
            path = again / rel
            if not path.is_file() or sha256_file(path) != digest:
                out.append(f"{where}: il ricalcolo dà un {rel} diverso")
    return out
