"""One scorrimento act, computed from the previous one (the final list for act 0) and the events
up to its date: pure functions on arrays, the allocation by engine/allocation.py.

1. The minors the events remove (renunciation, revocation, lapse, failed check) lose their
   award; everyone else keeps what the previous act gave them, and every position stays.
   A reinstatement (riammissione) puts a minor back on the list (an excluded one at the place
   acts/reinstate.py gave it); a correction (correzione) raises a minor's voucher: both leave
   a need that this act's money may cover, like a partial award.
2. The money left per fund is its budget minus what the kept awards draw on it (its reserves
   included). A reserve has first claim on what of its amount its kept awards leave
   unused, within what its fund has left: what the reserve's units do not take returns to the
   fund (as in the final list).
3. That money goes first to the units an act gave precedence (`first`: a riammissione or a
   correzione with Esito 'precedenza'), in rank order; then, in rank order, to what each unit
   still needs (a partial award completed first, then the waiting list), with the call's
   policy (partial / skip / stop), fund order, fund and reserve conditions and
   split_between_funds: the allocator of the final list, on the residual needs.
No pot is ever overdrawn: the awards of an act add up, per fund, to at most its budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from conciliare_cli.acts.finallist import FinalList
from conciliare_cli.engine.allocation import Pot, allocate_arrays
from conciliare_cli.status import Status

FUNDED, PARTIAL, WAITING = Status.FUNDED.value, Status.PARTIAL.value, Status.WAITING.value


@dataclass
class ActState:
    """The state of the list after an act (after the final list for act 0), per row of the
    final list (rank order)."""

    draws: np.ndarray  # (rows, pots) cents
    removed: np.ndarray  # bool per row: not on the list (an event took it off, or excluded)
    word: np.ndarray  # per row: RINUNCIA / REVOCA / DECADENZA / ESCLUSA, '' when on the list
    status: np.ndarray  # per row: the outcome of its unit (or the word when removed)
    waiting_position: np.ndarray  # per row: position on the waiting list (0 if not waiting)
    need: np.ndarray  # per row: the voucher the minor may receive now (cents)

    @property
    def awarded(self) -> np.ndarray:
        return self.draws.sum(axis=1)


@dataclass
class Effects:
    """What the events up to an act make of each row of the (extended) final list."""

    word: np.ndarray  # '' on the list; RINUNCIA / REVOCA / DECADENZA; ESCLUSA (not reinstated)
    need: np.ndarray  # the voucher the minor may receive (a correction may raise it), cents
    first: np.ndarray  # bool: served before the rank order (an act's 'precedenza')

    @classmethod
    def none(cls, base: FinalList) -> Effects:
        """No event: the final list (rows added for a reinstatement are still excluded)."""
        word = np.where(base.in_final, "", EXCLUDED).astype(object)
        return cls(word, base.need.copy(), np.zeros(len(base.need), dtype=bool))


EXCLUDED = Status.EXCLUDED.value


def initial_state(base: FinalList) -> ActState:
    """The final list as act 0."""
    effects = Effects.none(base)
    return _with_outcomes(base, base.draws.copy(), effects)


def next_state(base: FinalList, prev: ActState, effects: Effects) -> ActState:
    """The act after `prev`, with `effects` those of every event up to this act."""
    removed = effects.word != ""
    kept = prev.draws.copy()
    kept[removed] = 0
    resid = np.where(removed, 0, effects.need - kept.sum(axis=1))
    resid = np.maximum(resid, 0)
    first = effects.first & ~removed
    if first.any():  # the act's precedence: these units first, in rank order
        funds, reserves = _free_pots(base, kept)
        alloc = allocate_arrays(base.unit, np.where(first, resid, 0), funds, reserves,
                                base.policy, base.split)  # fmt: skip
        kept = kept + alloc.draws
        resid = resid - alloc.draws.sum(axis=1)
    funds, reserves = _free_pots(base, kept)
    alloc = allocate_arrays(base.unit, resid, funds, reserves, base.policy, base.split)
    return _with_outcomes(base, kept + alloc.draws, effects)


def _free_pots(base: FinalList, kept: np.ndarray) -> tuple[list[Pot], list[Pot]]:
    """The pots with the money left after the kept awards (the allocator's order and
    eligibility), each reserve within what its fund has left."""
    used = kept.sum(axis=0)
    left = dict(base.budgets)
    for j, pot in enumerate(base.pots):
        left[pot.fund] -= int(used[j])
    claimed = {fund: 0 for fund in left}
    reserves, funds = [], []
    for j, pot in enumerate(base.pots):
        if pot.is_reserve:
            free = max(
                0, min(int(pot.amount_cents) - int(used[j]), left[pot.fund] - claimed[pot.fund])
            )
            claimed[pot.fund] += free
            reserves.append(Pot(pot.id, pot.fund, free, pot.eligible, is_reserve=True))
        else:
            funds.append(Pot(pot.id, pot.fund, left[pot.fund], pot.eligible))
    return funds, reserves


def _with_outcomes(base: FinalList, draws: np.ndarray, effects: Effects) -> ActState:
    """Each row's outcome: its unit's, counted over the unit's minors still on the list."""
    word = effects.word
    removed = word != ""
    m = int(base.unit.max()) + 1 if len(base.unit) else 0
    on = ~removed
    need = np.bincount(base.unit, weights=np.where(on, effects.need, 0), minlength=m)
    got = np.bincount(base.unit, weights=np.where(on, draws.sum(axis=1), 0), minlength=m)
    alive = np.bincount(base.unit, weights=on.astype(np.int64), minlength=m) > 0
    unit_status = np.full(m, WAITING, dtype=object)
    unit_status[got >= need] = FUNDED
    unit_status[(got > 0) & (got < need)] = PARTIAL
    waiting = alive & (unit_status == WAITING)
    position = np.zeros(m, dtype=np.int64)
    position[waiting] = np.arange(1, int(waiting.sum()) + 1)
    status = np.where(removed, word, unit_status[base.unit])
    wait = np.where(removed, 0, position[base.unit])
    return ActState(draws, removed, word, status, wait, effects.need.copy())
