"""Allocation policies as plain functions: worked examples computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conciliare_cli.engine.allocation import (
    FUNDED,
    PARTIAL,
    WAITING,
    Pot,
    allocate,
)

EUR = 100  # cents


def ranked(*units: tuple[str, list[int]]) -> pd.DataFrame:
    """Units in rank order with their minors' vouchers in euros."""
    rows = [(u, eur * EUR) for u, minors in units for eur in minors]
    return pd.DataFrame(rows, columns=["unit", "requested_cents"])


def fund(id_: str, euros: int, eligible: list[bool] | None = None) -> Pot:
    return Pot(id_, id_, euros * EUR, None if eligible is None else np.array(eligible))


def reserve(id_: str, fund_id: str, euros: int, eligible: list[bool]) -> Pot:
    return Pot(id_, fund_id, euros * EUR, np.array(eligible), is_reserve=True)


def euros(a: np.ndarray) -> list[int]:
    return [int(x) // EUR for x in a]


# The README's example: funds of 1.000 €, cap 300 €; A (2 minors, 600 €), B (2 minors,
# 600 €), C (1 minor, 300 €), in this order.
README = ranked(("A", [300, 300]), ("B", [300, 300]), ("C", [300]))


def test_partial_gives_the_residual_and_goes_on() -> None:
    a = allocate(README, [fund("F", 1000)], when_not_fitting="partial")
    # A 600; B gets the 400 left: its first minor 300, the second 100; C nothing
    assert euros(a.awarded) == [300, 300, 300, 100, 0]
    assert list(a.status) == [FUNDED, PARTIAL, WAITING]
    assert list(a.waiting_position) == [0, 0, 1]
    assert euros(a.used) == [1000]


def test_skip_funds_the_next_that_fits() -> None:
    a = allocate(README, [fund("F", 1000)], when_not_fitting="skip")
    # A 600; B (600) does not fit the 400 left: waiting 1; C (300) fits
    assert euros(a.awarded) == [300, 300, 0, 0, 300]
    assert list(a.status) == [FUNDED, WAITING, FUNDED]
    assert list(a.waiting_position) == [0, 1, 0]
    assert euros(a.used) == [900]


def test_stop_sends_everyone_after_to_the_waiting_list() -> None:
    a = allocate(README, [fund("F", 1000)], when_not_fitting="stop")
    assert euros(a.awarded) == [300, 300, 0, 0, 0]
    assert list(a.status) == [FUNDED, WAITING, WAITING]
    assert list(a.waiting_position) == [0, 1, 2]


def test_funds_in_order_and_split_between_funds() -> None:
    # FSE 500, ATS 400: A takes FSE 500 + ATS 100 (its 2nd minor is paid by both), B gets
    # the 300 left from ATS (partial), C nothing
    a = allocate(README, [fund("FSE", 500), fund("ATS", 400)], when_not_fitting="partial")
    fse, ats = a.by_fund()["FSE"], a.by_fund()["ATS"]
    assert euros(fse) == [300, 200, 0, 0, 0]
    assert euros(ats) == [0, 100, 300, 0, 0]
    assert list(a.status) == [FUNDED, PARTIAL, WAITING]
    assert (fse + ats == a.awarded).all()


def test_no_split_pays_each_minor_from_one_fund() -> None:
    # FSE 500, ATS 400, split false: A's 1st minor FSE (200 left), 2nd does not fit FSE
    # whole: ATS (100 left); B does not fit: partial, minor 1 takes FSE's 200, minor 2
    # ATS's 100; C nothing
    a = allocate(
        README,
        [fund("FSE", 500), fund("ATS", 400)],
        when_not_fitting="partial",
        split_between_funds=False,
    )
    fse, ats = a.by_fund()["FSE"], a.by_fund()["ATS"]
    assert euros(fse) == [300, 0, 200, 0, 0]
    assert euros(ats) == [0, 300, 0, 100, 0]
    assert ((fse == 0) | (ats == 0)).all()  # never two funds for a minor
    assert list(a.status) == [FUNDED, PARTIAL, WAITING]


def test_no_split_skip_uses_a_small_residual_later() -> None:
    # FSE 500, ATS 300; split false, skip: A (300, 300): FSE 300 then the 2nd minor does not
    # fit FSE (200 left) so ATS 300; B (300) fits nowhere whole: waiting; C (150) fits FSE
    units = ranked(("A", [300, 300]), ("B", [300]), ("C", [150]))
    a = allocate(
        units,
        [fund("FSE", 500), fund("ATS", 300)],
        when_not_fitting="skip",
        split_between_funds=False,
    )
    assert euros(a.by_fund()["FSE"]) == [300, 0, 0, 150]
    assert euros(a.by_fund()["ATS"]) == [0, 300, 0, 0]
    assert list(a.status) == [FUNDED, WAITING, FUNDED]


def test_fund_with_a_condition() -> None:
    # ATS pays only units B and C. FSE 300, ATS 600: A: FSE 300 then nothing it may use
    # (partial 300 of 600); B: ATS 600; C: nothing left for it
    a = allocate(
        README,
        [fund("FSE", 300), fund("ATS", 600, [False, True, True])],
        when_not_fitting="partial",
    )
    assert euros(a.by_fund()["FSE"]) == [300, 0, 0, 0, 0]
    assert euros(a.by_fund()["ATS"]) == [0, 0, 300, 300, 0]
    assert list(a.status) == [PARTIAL, FUNDED, WAITING]


def test_fund_condition_with_skip_leaves_money_for_the_eligible() -> None:
    # ATS (300) only for C: A and B cannot use it, whatever their rank
    a = allocate(
        README, [fund("FSE", 600), fund("ATS", 300, [False, False, True])], when_not_fitting="skip"
    )
    assert list(a.status) == [FUNDED, WAITING, FUNDED]
    assert euros(a.by_fund()["ATS"]) == [0, 0, 0, 0, 300]


def test_reserve_not_used_up_returns_to_its_fund() -> None:
    # FSE 1.000 of which a reserve of 400 for C only. Reserve pass: C 300 (100 unused, back
    # to FSE). General pass with 600 + 100 = 700: A 600, B 100 (partial).
    a = allocate(
        README,
        [fund("FSE", 1000)],
        [reserve("DIS", "FSE", 400, [False, False, True])],
        when_not_fitting="partial",
    )
    assert euros(a.awarded) == [300, 300, 100, 0, 300]
    assert list(a.status) == [FUNDED, PARTIAL, FUNDED]
    reserve_col = a.draws[:, 0]
    assert euros(reserve_col) == [0, 0, 0, 0, 300]
    assert euros(a.returned) == [100, 0]
    assert euros(a.by_fund()["FSE"]) == euros(a.awarded)  # the reserve is FSE money
    assert int(a.used.sum()) == 1000 * EUR


def test_reserve_used_up_then_general_pass_tops_up() -> None:
    # reserve 200 for A: A gets 200 from it (partial there), then 400 from the general pot
    a = allocate(
        README,
        [fund("FSE", 1000)],
        [reserve("R", "FSE", 200, [True, False, False])],
        when_not_fitting="partial",
    )
    assert euros(a.draws[:, 0]) == [200, 0, 0, 0, 0]
    assert euros(a.awarded) == [300, 300, 300, 100, 0]
    assert euros(a.returned) == [0, 0]


def test_reserve_respects_its_funds_condition() -> None:
    # the reserve sits on ATS, which only C may use: B meets the reserve's condition but not
    # the fund's, so the reserve goes to C only
    a = allocate(
        README,
        [fund("FSE", 600), fund("ATS", 300, [False, False, True])],
        [reserve("R", "ATS", 300, [False, True, True])],
        when_not_fitting="partial",
    )
    assert euros(a.draws[:, 0]) == [0, 0, 0, 0, 300]
    assert list(a.status) == [FUNDED, WAITING, FUNDED]


def test_unit_needing_nothing_is_funded() -> None:
    a = allocate(ranked(("A", [0]), ("B", [500])), [fund("F", 100)], when_not_fitting="stop")
    assert list(a.status) == [FUNDED, WAITING]


def test_reserves_larger_than_fund_are_refused() -> None:
    with pytest.raises(ValueError):
        allocate(README, [fund("F", 100)], [reserve("R", "F", 200, [True] * 3)])


def test_units_must_be_contiguous() -> None:
    bad = pd.DataFrame({"unit": ["A", "B", "A"], "requested_cents": [1, 1, 1]})
    with pytest.raises(ValueError):
        allocate(bad, [fund("F", 100)])


def test_many_units_cross_window_boundaries() -> None:
    # 5.000 units of 1 minor of 300 €, 3 of 450 € scattered; fund of 1.000.050 €:
    # partial keeps every euro in rank order, exactly
    needs = [300] * 5000
    for i in (10, 2048, 4000):
        needs[i] = 450
    units = ranked(*[(f"U{i:05d}", [e]) for i, e in enumerate(needs)])
    a = allocate(units, [fund("F", 1_000_050)], when_not_fitting="partial")
    cum = np.cumsum(np.array(needs) * EUR)
    expected = np.clip(1_000_050 * EUR - (cum - np.array(needs) * EUR), 0, np.array(needs) * EUR)
    assert (a.awarded == expected).all()
    assert int(a.used[0]) == min(int(cum[-1]), 1_000_050 * EUR)
