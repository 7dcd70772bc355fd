"""Allocation: who is paid, how much, and by which fund, in whole cents.

Plain functions from a ranked table and the funds to an allocation (see `allocate`).

Money comes in *pots*: each fund is a pot; each reserve is a pot carved out of its fund
(`amount_eur`, or `share` of the fund rounded down to the cent), so the fund's own pot is its
budget minus its reserves. A unit (an application, or a minor) needs the sum of its minors'
vouchers, min(cap, requested cost) each (the cap when the cost is missing and
`missing_request: cap`).

1. Reserves, in YAML order: the units meeting the reserve's condition (and its fund's) are
   funded from the reserve, in rank order, with the policy below.
2. What a reserve did not use returns to its fund.
3. General pass: every admitted unit, in rank order, for what it still needs, from the funds
   in order; a unit draws only from funds whose condition it meets.

Policies (`when_not_fitting`), for a unit whose need is more than what its funds have left:
- partial: it gets what is left (FINANZIATA_PARZIALMENTE) and the list goes on;
- skip: it gets nothing (waiting list) and the next units that fit are funded;
- stop: it and every unit after it get nothing more in this pass.

`split_between_funds: true`: a unit drains its funds in order, and the award is shared out over
its minors in minor order (minor_slot, then tax code): the first minor is covered first.
`split_between_funds: false`: each minor is paid by a single fund: the first of the unit's
funds that can pay it whole (minors in minor order); a unit fits when all its minors find a
fund. Under `partial`, a minor that fits nowhere whole gets what is left in the first of its
funds that still has money (never from two funds); in a reserve's pass a minor is paid whole
or not at all (it goes on to the general pass).

Outcome per unit: everything it needed → FINANZIATA (also when it needed nothing); part of it
→ FINANZIATA_PARZIALMENTE; nothing → AMMESSA_NON_FINANZIATA, with waiting_position 1, 2, ... in
rank order. No pot is ever overdrawn, no minor gets more than its voucher, and the pots paying
a minor add up to its award.

Speed: the units are processed in vectorised runs (cumulative sums per pot over a window of
units: every unit in the run is paid whole by the pot it draws on, or is left waiting as a
block); a Python-level step is taken only for a unit that would overdraw the pot it draws on
(it empties that pot, gets a partial award, is skipped once and ends the run, or stops the
pass), so the cost is linear in the table with a small constant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from conciliare_cli.status import Status

FUNDED = Status.FUNDED.value
PARTIAL = Status.PARTIAL.value
WAITING = Status.WAITING.value

_FIRST_WINDOW = 1024
_MAX_WINDOW = 1 << 18


@dataclass(frozen=True)
class Pot:
    """A fund, or a reserve of a fund. `eligible` marks the units (in rank order) that may
    draw from it; None means all of them."""

    id: str
    fund: str
    amount_cents: int
    eligible: np.ndarray | None = None
    is_reserve: bool = False


@dataclass
class Allocation:
    pots: list[Pot]
    draws: np.ndarray  # (minors, pots): cents paid to each minor from each pot
    awarded: np.ndarray  # per minor
    unit_need: np.ndarray  # per unit
    unit_awarded: np.ndarray  # per unit
    status: np.ndarray  # per unit
    waiting_position: np.ndarray  # per unit, 0 when not waiting
    used: np.ndarray  # per pot: cents paid from it
    returned: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # per pot: what a reserve gave back to its fund (0 for funds)

    def by_fund(self) -> dict[str, np.ndarray]:
        """Per fund id: cents paid per minor, reserves included."""
        out: dict[str, np.ndarray] = {}
        for j, pot in enumerate(self.pots):
            col = self.draws[:, j]
            out[pot.fund] = out[pot.fund] + col if pot.fund in out else col.copy()
        return out


def allocate(
    ranked: pd.DataFrame,
    funds: Sequence[Pot],
    reserves: Sequence[Pot] = (),
    when_not_fitting: str = "partial",
    split_between_funds: bool = True,
) -> Allocation:
    """Allocate the funds to the units of `ranked`.

    `ranked` has one row per minor with `unit` (units appear in rank order, the minors of a unit
    together and in minor order) and `requested_cents` (what the minor may receive).
    Pot eligibility arrays are per unit, in the order the units first appear.
    """
    unit_codes, _ = pd.factorize(ranked["unit"].to_numpy(dtype=object))
    need = np.maximum(
        pd.array(ranked["requested_cents"], dtype="Int64").to_numpy(dtype=np.int64, na_value=0),
        0,
    )
    return allocate_arrays(
        unit_codes.astype(np.int64), need, funds, reserves, when_not_fitting, split_between_funds
    )


def allocate_arrays(
    unit_of_minor: np.ndarray,
    need: np.ndarray,
    funds: Sequence[Pot],
    reserves: Sequence[Pot] = (),
    when_not_fitting: str = "partial",
    split_between_funds: bool = True,
) -> Allocation:
    """As `allocate`, on arrays: `unit_of_minor` (0..m-1, non-decreasing) and `need` (cents)."""
    if when_not_fitting not in ("partial", "skip", "stop"):
        raise ValueError(f"unknown when_not_fitting {when_not_fitting!r}")
    n = len(need)
    m = int(unit_of_minor.max()) + 1 if n else 0
    if n and np.any(np.diff(unit_of_minor) < 0):
        raise ValueError("the minors of a unit must be together, units in rank order")
    starts = np.searchsorted(unit_of_minor, np.arange(m), side="left")
    ends = np.searchsorted(unit_of_minor, np.arange(m), side="right")
    fund_index = {p.id: j for j, p in enumerate(funds)}
    pots = [*reserves, *funds]
    P = len(pots)
    elig = np.ones((m, P), dtype=bool)
    for j, pot in enumerate(pots):
        if pot.eligible is not None:
            elig[:, j] = np.asarray(pot.eligible, dtype=bool)
    for j, pot in enumerate(reserves):  # a reserve's units must also meet its fund's condition
        fj = len(reserves) + fund_index[pot.fund]
        elig[:, j] &= elig[:, fj]
    amounts = np.array([p.amount_cents for p in pots], dtype=np.int64)
    reserved = np.zeros(len(funds), dtype=np.int64)
    for pot in reserves:
        reserved[fund_index[pot.fund]] += pot.amount_cents
    fund_amounts = np.array([p.amount_cents for p in funds], dtype=np.int64)
    if np.any(reserved > fund_amounts):
        raise ValueError("the reserves of a fund exceed the fund")

    state = _State(
        resid=need.astype(np.int64).copy(),
        starts=starts,
        ends=ends,
        draws=np.zeros((n, P), dtype=np.int64),
    )
    rem = np.zeros(P, dtype=np.int64)
    returned = np.zeros(P, dtype=np.int64)
    # 1. reserves
    for j in range(len(reserves)):
        rem[:] = 0
        rem[j] = amounts[j]
        mask = np.zeros((m, P), dtype=bool)
        mask[:, j] = elig[:, j]
        units = np.flatnonzero(elig[:, j])
        _fill(
            state,
            units,
            mask,
            rem,
            when_not_fitting,
            split_between_funds,
            partial_minors=split_between_funds,
        )
        returned[j] = rem[j]
    # 2. unspent reserves return, 3. general pass
    rem[:] = 0
    for f, pot in enumerate(funds):
        j = len(reserves) + f
        rem[j] = pot.amount_cents - reserved[f]
    for j, pot in enumerate(reserves):
        rem[len(reserves) + fund_index[pot.fund]] += returned[j]
    general = elig.copy()
    general[:, : len(reserves)] = False
    _fill(
        state,
        np.arange(m),
        general,
        rem,
        when_not_fitting,
        split_between_funds,
        partial_minors=True,
    )

    draws = state.draws
    awarded = draws.sum(axis=1)
    unit_need = np.bincount(unit_of_minor, weights=need, minlength=m).astype(np.int64)
    unit_awarded = np.bincount(unit_of_minor, weights=awarded, minlength=m).astype(np.int64)
    status = np.full(m, WAITING, dtype=object)
    status[unit_awarded >= unit_need] = FUNDED
    status[(unit_awarded > 0) & (unit_awarded < unit_need)] = PARTIAL
    waiting = status == WAITING
    position = np.zeros(m, dtype=np.int64)
    position[waiting] = np.arange(1, int(waiting.sum()) + 1)
    return Allocation(
        pots=pots,
        draws=draws,
        awarded=awarded,
        unit_need=unit_need,
        unit_awarded=unit_awarded,
        status=status,
        waiting_position=position,
        used=draws.sum(axis=0),
        returned=returned,
    )


# ---------------------------------------------------------------------- the passes


@dataclass
class _State:
    resid: np.ndarray  # per minor: what it still needs
    starts: np.ndarray  # per unit: first minor
    ends: np.ndarray  # per unit: one past its last minor
    draws: np.ndarray  # (minors, pots)


def _fill(
    st: _State,
    units: np.ndarray,
    elig: np.ndarray,
    rem: np.ndarray,
    when_not_fitting: str,
    split_between_funds: bool,
    partial_minors: bool,
) -> None:
    """One pass over `units` (rank order) drawing from the pots with money in `rem`."""
    k = len(units)
    if k == 0:
        return
    resid = st.resid
    # per unit residual need, and (for whole-minor placement) smallest/largest minor
    cums = np.concatenate([[0], np.cumsum(resid)])
    need_u = cums[st.ends[units]] - cums[st.starts[units]]
    if not split_between_funds:
        minneed, maxneed = _min_max_per_unit(resid, st.starts)
        minneed, maxneed = minneed[units], maxneed[units]
    E = elig[units]
    p, window = 0, _FIRST_WINDOW
    P = len(rem)
    while p < k:
        q = min(k, p + window)
        w = q - p
        nd = need_u[p:q]
        e = E[p:q]
        er = np.where(e, rem[None, :], 0)
        avail = er.sum(axis=1)
        if split_between_funds:
            fits = nd <= avail
            ok = e & (rem[None, :] > 0)
        else:
            fits = (nd <= avail) & (maxneed[p:q] <= er.max(axis=1, initial=0))
            ok = e & (rem[None, :] >= minneed[p:q, None])
        zero = nd == 0
        draw = ok.argmax(axis=1)
        run = fits & ~zero
        cons = np.zeros((w, P), dtype=np.int64)
        cons[np.arange(w), draw] = np.where(run, nd, 0)
        cs = np.cumsum(cons, axis=0)
        over = run & (cs[np.arange(w), draw] > rem[draw])
        if when_not_fitting == "stop":
            ev = over | (~fits & ~zero)
        elif when_not_fitting == "skip":
            ev = over
        else:
            ev = over | (~fits & ~zero & (avail > 0))
        events = np.flatnonzero(ev)
        stop_at = int(events[0]) if len(events) else w
        # commit the run before the event: each unit wholly from the pot it draws on
        done = np.flatnonzero(run[:stop_at])
        if len(done):
            _pay_whole(st, units[p + done], draw[done])
            rem -= cs[stop_at - 1]
        if stop_at == w:
            p = q
            window = min(window * 2, _MAX_WINDOW)
            continue
        u = int(units[p + stop_at])
        eligible = np.flatnonzero(elig[u])
        if not _one_unit(
            st, u, eligible, rem, when_not_fitting, split_between_funds, partial_minors
        ):
            return  # stop: nothing more in this pass
        p += stop_at + 1
        window = _FIRST_WINDOW


def _min_max_per_unit(resid: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest positive and largest residual need of each unit's minors (0 when none).

    Every unit has at least one minor and the units are contiguous, so `starts` (all units)
    splits the minors exactly."""
    big = np.iinfo(np.int64).max
    lo = np.minimum.reduceat(np.where(resid > 0, resid, big), starts)
    hi = np.maximum.reduceat(resid, starts)
    return np.where(lo == big, 0, lo), hi


def _pay_whole(st: _State, units: np.ndarray, pot: np.ndarray) -> None:
    """Units paid in full from one pot each (vectorised over their minors)."""
    counts = st.ends[units] - st.starts[units]
    total = int(counts.sum())
    if total == 0:
        return
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    minors = np.repeat(st.starts[units], counts) + (np.arange(total) - offsets)
    pots = np.repeat(pot, counts)
    st.draws[minors, pots] += st.resid[minors]
    st.resid[minors] = 0


def _one_unit(
    st: _State,
    u: int,
    eligible: np.ndarray,
    rem: np.ndarray,
    when_not_fitting: str,
    split_between_funds: bool,
    partial_minors: bool,
) -> bool:
    """A unit that does not fit the pot it draws on; False when the pass must stop."""
    lo, hi = int(st.starts[u]), int(st.ends[u])
    r = st.resid[lo:hi]
    need = int(r.sum())
    if split_between_funds:
        avail = int(rem[eligible].sum())
        if need <= avail:
            take = need
        elif when_not_fitting == "partial":
            take = avail
        else:
            return when_not_fitting != "stop"
        # drain the pots in order, then share the money out over the minors in order
        i = 0
        for j in eligible:
            amount = min(int(rem[j]), take)
            take -= amount
            rem[j] -= amount
            while amount > 0:
                give = min(amount, int(st.resid[lo + i]))
                st.draws[lo + i, j] += give
                st.resid[lo + i] -= give
                amount -= give
                if st.resid[lo + i] == 0:
                    i += 1
            if take == 0:
                break
        return True
    # whole minors: first fit, minors in order
    trial = rem.copy()
    placed: list[tuple[int, int, int]] = []
    unplaced: list[int] = []
    for i in range(lo, hi):
        if st.resid[i] == 0:
            continue
        need_i = int(st.resid[i])
        spot = next((int(j) for j in eligible if trial[j] >= need_i), None)
        if spot is None:
            unplaced.append(i)
        else:
            trial[spot] -= need_i
            placed.append((i, spot, need_i))
    if unplaced and when_not_fitting != "partial":
        return when_not_fitting != "stop"
    for i, j, amount in placed:
        st.draws[i, j] += amount
        st.resid[i] -= amount
    if partial_minors:
        for i in unplaced:
            spot = next((int(j) for j in eligible if trial[j] > 0), None)
            if spot is None:
                break
            amount = min(int(trial[spot]), int(st.resid[i]))
            trial[spot] -= amount
            st.draws[i, spot] += amount
            st.resid[i] -= amount
    rem[:] = trial
    return True
