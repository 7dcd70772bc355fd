"""A scorrimento act computed from the previous one (acts/compute.py): worked examples."""

from __future__ import annotations

import numpy as np
from acts_support import arrays_final, euros, fund, per_fund, remove, reserve

from conciliare_cli.acts.compute import FUNDED, PARTIAL, WAITING, initial_state


def test_a_renunciation_at_rank_10_funds_the_first_waiting_and_nothing_else() -> None:
    base = arrays_final([[300]] * 15, [fund("FSE", 3000)])
    act0 = initial_state(base)
    assert euros(act0.awarded) == [300] * 10 + [0] * 5
    act1 = remove(base, act0, [9])
    assert euros(act1.awarded) == [300] * 9 + [0, 300] + [0] * 4
    assert act1.status[9] == "RINUNCIA" and act1.status[10] == FUNDED
    # nobody else moves: the same award, the same rank, and the waiting list closes up
    others = np.setdiff1d(np.arange(15), [9, 10])
    assert (act1.draws[others] == act0.draws[others]).all()
    assert list(act1.waiting_position[11:]) == [1, 2, 3, 4]
    assert list(act0.waiting_position[10:]) == [1, 2, 3, 4, 5]


def test_a_partial_award_is_completed_first() -> None:
    # 1.000 €: A 600, B 400 of its 600 (partial), C waiting
    base = arrays_final([[300, 300], [300, 300], [300]], [fund("F", 1000)])
    act0 = initial_state(base)
    assert list(act0.status) == [FUNDED, FUNDED, PARTIAL, PARTIAL, WAITING]
    act1 = remove(base, act0, [4])  # C renounces its place: nothing freed, nothing moves
    assert euros(act1.awarded) == euros(act0.awarded)
    act2 = remove(base, act1, [0])  # A's first child renounces: 300 € freed
    assert euros(act2.awarded) == [0, 300, 300, 300, 0]  # B completed (200), 100 left
    assert list(act2.status[1:4]) == [FUNDED, FUNDED, FUNDED]
    assert per_fund(base, act2) == {"F": 900 * 100}


def test_revocation_frees_money_in_fund_order() -> None:
    # FSE 600, ATS 300; A, B (FSE), C (ATS), D waiting
    base = arrays_final([[300], [300], [300], [300]], [fund("FSE", 600), fund("ATS", 300)])
    act0 = initial_state(base)
    act1 = remove(base, act0, [0], "REVOCA")
    assert act1.status[0] == "REVOCA" and act1.status[3] == FUNDED
    assert euros(act1.draws[3]) == [300, 0]  # paid by FSE, whose 300 € were freed


def test_skip_and_stop_policies_go_on_as_in_the_final_list() -> None:
    units = [[300], [300, 300], [300], [300]]
    skip = arrays_final(units, [fund("F", 600)], policy="skip")
    act0 = initial_state(skip)
    assert euros(act0.awarded) == [300, 0, 0, 300, 0]
    act1 = remove(skip, act0, [0])  # 300 free: B (600) does not fit, D does
    assert euros(act1.awarded) == [0, 0, 0, 300, 300]
    stop = arrays_final(units, [fund("F", 600)], policy="stop")
    act1 = remove(stop, initial_state(stop), [0])  # 600 free: B fits whole
    assert euros(act1.awarded) == [0, 300, 300, 0, 0]


def test_unspent_reserve_returns_to_the_fund() -> None:
    # FSE 900 with a reserve of 300 for the units marked True (A, C); B and D general
    elig = [True, False, True, False]
    base = arrays_final(
        [[300], [300], [300], [300]], [fund("FSE", 900)], [reserve("DIS", "FSE", 300, elig)]
    )
    act0 = initial_state(base)
    assert euros(act0.awarded) == [300, 300, 300, 0]  # A by the reserve, B and C general
    assert euros(act0.draws[0]) == [300, 0]
    # A renounces: the reserve's 300 go first to its units (C is already paid), nobody
    # else qualifies, so they return to the fund and reach D
    act1 = remove(base, act0, [0])
    assert euros(act1.awarded) == [0, 300, 300, 300]
    assert per_fund(base, act1) == {"FSE": 900 * 100}


def test_a_reserve_has_first_claim_on_its_freed_money() -> None:
    # FSE 600, reserve 300 for C and D; A general funded... order A, B, C, D
    elig = [False, False, True, True]
    base = arrays_final(
        [[300], [300], [300], [300]], [fund("FSE", 600)], [reserve("DIS", "FSE", 300, elig)]
    )
    act0 = initial_state(base)
    assert euros(act0.awarded) == [300, 0, 300, 0]  # C by the reserve, A general, B waits
    act1 = remove(base, act0, [2])  # C renounces: the reserve's 300 go to D, not to B
    assert euros(act1.awarded) == [300, 0, 0, 300]
    assert act1.status[1] == WAITING


def test_two_scorrimenti_in_a_row() -> None:
    base = arrays_final([[300]] * 6, [fund("F", 900)])
    act0 = initial_state(base)
    act1 = remove(base, act0, [1])
    assert euros(act1.awarded) == [300, 0, 300, 300, 0, 0]
    act2 = remove(base, act1, [0, 3], "DECADENZA")
    assert euros(act2.awarded) == [0, 0, 300, 0, 300, 300]
    assert list(act2.status) == ["DECADENZA", "RINUNCIA", FUNDED, "DECADENZA", FUNDED, FUNDED]
