"""The terms after the final list, from the delivery register (`ricevute.csv`,
letters/received.py): the call states in bando.yaml (`acceptance:`) whether a family funded
must accept the voucher and within how many days of receiving the final letter, and the term
to renounce. `deadlines(...)` gives, per application funded (by the final list or by a
scorrimento: its terms run from that act's letter, `SCORRIMENTO_k` in the register) and still on
the list, the day its letter was received, the end of each term (letters/received.term_end:
calendar days from the day after receipt; a term ending on a Sunday or a national holiday
moves to the next working day), the acceptance recorded, and where it stands on a given day.

A family whose acceptance term has run out without an acceptance is a lapse (*decadenza*) to
declare, and only that: the tool proposes it (in `situazione` and after `scorrimento`), the
office declares it with its act and records it in the register (`decadenza`), and the next
scorrimento moves the money. A decadenza takes away a benefit already granted: it is a
decision of the office, with its reasons, notified to the family (L. 241/1990 art. 3 and
21-bis), not a computation; and the register of receipts may be behind the office's protocol
(an acceptance delivered by hand, a PEC receipt not yet recorded, a public holiday the term
rules skip), so a lapse applied by the program could take the voucher of a family that did
accept. The acts also stay computed from the final list and the register of events alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.acts.compute import FUNDED, PARTIAL, ActState
from conciliare_cli.acts.finallist import FinalList
from conciliare_cli.letters.received import act_list, read_register, term_end
from conciliare_cli.records import ACCEPTANCE
from conciliare_cli.status import ListStatus

# where a family stands on the day asked
ACCEPTED = "accettata"
WITHIN = "in termine"
LAPSED = "termine scaduto: decadenza da dichiarare"
NO_RECEIPT = "ricevuta non registrata"
NOT_REQUIRED = "accettazione non richiesta"


@dataclass(frozen=True)
class Terms:
    required: bool
    days: int | None
    renunciation_days: int | None
    reference: str | None = None

    @classmethod
    def of(cls, base: FinalList) -> Terms | None:
        """The call's `acceptance:` section (None when bando.yaml has none)."""
        section = base.result.call.config.acceptance
        if section is None:
            return None
        return cls(section.required, section.days, section.renunciation_days, section.reference)


def deadlines(
    folder: Path,
    base: FinalList,
    now: ActState,
    events: pd.DataFrame,
    on: dt.date,
    acts: list[ActState] | None = None,
) -> pd.DataFrame:
    """One row per application funded (wholly or in part) and still on the list in `now`:
    rank, application_id, partner_id, act (the letter the terms run from: the final list's, or
    the letter of the scorrimento that first funded it), received_on, channel, accept_by,
    renounce_by, accepted_on, state (on the day `on`); empty when the call states no terms.
    `acts`: the state after each act issued (0 = the final list), to know which act funded a
    family the final list did not."""
    terms = Terms.of(base)
    columns = ["rank", "application_id", "partner_id", "act", "received_on", "channel",
               "accept_by", "renounce_by", "accepted_on", "state"]  # fmt: skip
    if terms is None:
        return pd.DataFrame(columns=columns)
    m = base.minors
    funded = [FUNDED, PARTIAL]
    on_list = np.isin(now.status.astype(str), funded)
    # the act that first funded each row: 0 for the final list, k for scorrimento n. k
    by_act = np.full(len(m), -1, dtype=np.int64)
    by_act[np.isin(m["status"].astype(str).to_numpy(), funded) & base.in_final] = 0
    for k, state in enumerate((acts or [])[1:], start=1):
        newly = (by_act < 0) & np.isin(state.status.astype(str), funded)
        by_act[newly] = k
    frame = pd.DataFrame({"rank": base.position, "application_id": m["application_id"].astype(str),
                          "partner_id": m["partner_id"].astype(str), "act_k": by_act})  # fmt: skip
    frame = frame[on_list & (by_act >= 0)]
    apps = (
        frame.groupby("application_id", sort=False)
        .agg(rank=("rank", "first"), partner_id=("partner_id", "first"), act_k=("act_k", "min"))
        .reset_index()
    )
    receipts = {(r.application_id, r.list_status): r for r in read_register(Path(folder))}
    rows = []
    accepted = _accepted(events, on)
    for rec in apps.to_dict("records"):
        k = int(rec.pop("act_k"))
        code = ListStatus.FINAL.value if k == 0 else act_list(k)
        receipt = receipts.get((rec["application_id"], code))
        got = receipt.received_on if receipt else None
        accept_by = _end(got, terms.days)
        renounce_by = _end(got, terms.renunciation_days)
        when = accepted.get(rec["application_id"])
        rows.append({**rec, "act": "graduatoria definitiva" if k == 0 else f"scorrimento n. {k}",
                     "received_on": got, "channel": receipt.channel if receipt else "",
                     "accept_by": accept_by, "renounce_by": renounce_by, "accepted_on": when,
                     "state": _state(terms, got, accept_by, when, on)})  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _end(received: dt.date | None, days: int | None) -> dt.date | None:
    return term_end(received, days) if received is not None and days else None


def _accepted(events: pd.DataFrame, on: dt.date) -> dict[str, dt.date]:
    """Per application: the first acceptance recorded up to `on`."""
    if not len(events):
        return {}
    acc = events[events["kind"].eq(ACCEPTANCE) & events["date"].le(on)]
    return acc.groupby("application_id")["date"].min().to_dict()


def _state(
    terms: Terms,
    received: dt.date | None,
    accept_by: dt.date | None,
    accepted: dt.date | None,
    on: dt.date,
) -> str:
    if not terms.required:
        return NOT_REQUIRED
    if accepted is not None:
        return ACCEPTED
    if received is None:
        return NO_RECEIPT
    assert accept_by is not None
    return LAPSED if on > accept_by else WITHIN


def lapsed(table: pd.DataFrame) -> pd.DataFrame:
    """The families whose acceptance term has run out without an acceptance."""
    return table[table["state"].eq(LAPSED)].reset_index(drop=True)
