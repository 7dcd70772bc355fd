"""Properties of the engine over generated small calls (tables generated directly)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conciliare_cli.demo import call_from, minors_table, rules_data
from conciliare_cli.demo import numbered_tax_code as tax_code
from conciliare_cli.engine.allocation import Pot, allocate
from conciliare_cli.engine.stages import rank_call

T = pd.Timestamp
MONEY_COLS = ("awarded_cents", "requested_cents")


@st.composite
def calls(draw: st.DrawFn) -> tuple[dict[str, Any], pd.DataFrame]:
    n_apps = draw(st.integers(1, 10))
    rows = []
    child_pool = draw(st.integers(3, 25))  # small pool: the same minor in two applications
    for i in range(n_apps):
        applicant = draw(st.integers(0, n_apps))  # the same applicant twice, sometimes
        facts = {
            "application_id": f"D{i:03d}",
            "submitted_at": draw(
                st.sampled_from(
                    [
                        "2017-06-01 09:00",
                        "2017-06-15 10:00",
                        "2017-07-31 12:00",
                        "2017-07-31 12:01",
                        "2017-06-15 10:00",
                    ]
                )
            ),
            "applicant_tax_code": tax_code(1000 + applicant, T("1980-01-01")),
            "isee": draw(st.one_of(st.none(), st.integers(0, 45000).map(str))),
            "single_parent": draw(st.one_of(st.none(), st.booleans())),
            "both_parents_working": draw(st.booleans()),
        }
        seen = set()
        for _ in range(draw(st.integers(1, 3))):
            child = draw(st.integers(0, child_pool))
            if child in seen:
                continue
            seen.add(child)
            born = draw(st.sampled_from(["2000-01-01", "2005-05-05", "2010-10-10", "2016-01-31"]))
            rows.append(
                {
                    **facts,
                    "minor_tax_code": tax_code(child, T(born)),
                    "minor_birth_date": born,
                    "disability": draw(st.one_of(st.none(), st.booleans())),
                    "learning_difficulty": draw(st.booleans()),
                    "requested_eur": draw(st.one_of(st.none(), st.integers(0, 450).map(str))),
                }
            )
    data = rules_data()
    funds = [{"id": "FSE", "name": "FSE", "amount_eur": draw(st.integers(0, 2500))}]
    if draw(st.booleans()):
        cond = draw(st.sampled_from([None, "single_parent", "isee <= 20000", "any(disability)"]))
        fund = {"id": "ATS", "name": "ATS", "amount_eur": draw(st.integers(0, 1500))}
        if cond:
            fund["condition"] = cond
        funds.append(fund)
    data["funds"] = funds
    if draw(st.booleans()):
        data["reserves"] = [
            {
                "id": "RIS",
                "description": "riserva",
                "fund": "FSE",
                "share": draw(st.sampled_from([0.1, 0.5, 1])),
                "condition": draw(st.sampled_from(["any(disability)", "single_parent"])),
            }
        ]
    data["allocation"] = {
        "when_not_fitting": draw(st.sampled_from(["partial", "skip", "stop"])),
        "split_between_funds": draw(st.booleans()),
    }
    data["duplicates"] = {
        "applicant": draw(st.sampled_from(["first", "last"])),
        "minor": draw(st.sampled_from(["earlier", "higher_score"])),
    }
    data["ranking"]["unit"] = draw(st.sampled_from(["application", "minor"]))
    if data["ranking"]["unit"] == "minor":  # count criteria are per minor then
        data["voucher"]["missing_request"] = draw(st.sampled_from(["cap", "exclude"]))
    return data, minors_table(rows)


def check_invariants(data: dict[str, Any], table: pd.DataFrame, result: Any) -> None:
    m = result.minors
    # 1. every input minor exactly once
    assert len(m) == len(table)
    assert sorted(m["row_key"]) == sorted(table["row_key"])
    # statuses and reasons agree
    excluded = m["status"] == "ESCLUSA"
    assert ((m["exclusion_reasons"] != "") == excluded).all()
    assert (m["rank"].isna() == excluded).all()
    assert (m.loc[excluded, "awarded_cents"] == 0).all()
    # 2. whole cents, caps, funds, reserves
    cap = int(data["voucher"]["cap_eur"]) * 100
    for col in MONEY_COLS:
        assert str(m[col].dtype) == "Int64"
    awarded = m["awarded_cents"].astype("int64")
    assert (awarded >= 0).all()
    adm = ~excluded
    assert (awarded[adm] <= m.loc[adm, "requested_cents"].astype("int64")).all()
    assert (m["requested_cents"].dropna() <= cap).all()
    total = pd.Series(0, index=m.index, dtype="int64")
    for f in data["funds"]:
        col = m[f"fund_{f['id']}_cents"].astype("int64")
        assert (col >= 0).all()
        assert int(col.sum()) <= int(f["amount_eur"]) * 100
        total += col
    assert (total == awarded).all()  # 3. per-fund sums equal the award
    funds = result.funds.set_index("fund_id")
    assert (funds["assigned_cents"] + funds["residual_cents"] == funds["budget_cents"]).all()
    for r in data.get("reserves", []):
        col = m[f"reserve_{r['id']}_cents"].astype("int64")
        row = result.reserves.set_index("reserve_id").loc[r["id"]]
        assert int(col.sum()) == int(row["used_cents"]) <= int(row["amount_cents"])
        assert (col <= m[f"fund_{r['fund']}_cents"].astype("int64")).all()
    # waiting list numbered 1.. in rank order
    u = result.units
    waiting = u[u["status"] == "AMMESSA_NON_FINANZIATA"].sort_values("rank")
    assert waiting["waiting_position"].tolist() == list(range(1, len(waiting) + 1))
    ranked = u[u["rank"].notna()].sort_values("rank")
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert (ranked["score"].diff().dropna() <= 0).all()  # 4. order follows the score


def funding_in_rank_order(data: dict[str, Any], result: Any) -> None:
    """Without fund conditions and reserves, with split allowed: partial funds a prefix
    and at most one partial unit; stop funds a prefix."""
    policy = data["allocation"]["when_not_fitting"]
    simple = (
        not data.get("reserves")
        and all("condition" not in f for f in data["funds"])
        and data["allocation"]["split_between_funds"]
    )
    if not simple or policy == "skip":
        return
    u = result.units[result.units["rank"].notna()].sort_values("rank")
    need = u["requested_cents"].astype("int64").to_numpy()
    got = u["awarded_cents"].astype("int64").to_numpy()
    full = got == need
    # once a unit is not fully funded, nobody after it gets anything
    first_short = np.flatnonzero(~full)
    if len(first_short):
        k = first_short[0]
        assert (got[k + 1 :] == 0).all() or (need[k + 1 :][got[k + 1 :] > 0] == 0).all()
        if policy == "stop":
            assert got[k] == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls(), st.randoms(use_true_random=False))
def test_engine_invariants(generated: tuple[dict[str, Any], pd.DataFrame], rnd: Any) -> None:
    data, table = generated
    call = call_from(data)
    result = rank_call(call, table, pd.DataFrame())
    check_invariants(data, table, result)
    funding_in_rank_order(data, result)
    # 5. permuting the input rows changes nothing; 6. two runs are identical
    order = list(range(len(table)))
    rnd.shuffle(order)
    shuffled = table.iloc[order].reset_index(drop=True)
    again = rank_call(call, shuffled, pd.DataFrame())
    # the rows come back in canonical order: the very same frames
    pd.testing.assert_frame_equal(result.minors, again.minors)
    pd.testing.assert_frame_equal(result.units, again.units)
    pd.testing.assert_frame_equal(result.funds, again.funds)
    twice = rank_call(call, table, pd.DataFrame())
    pd.testing.assert_frame_equal(result.minors, twice.minors)


@st.composite
def allocation_cases(draw: st.DrawFn) -> tuple[pd.DataFrame, list[Pot], list[Pot], str, bool]:
    n_units = draw(st.integers(1, 30))
    rows = []
    for u in range(n_units):
        for _ in range(draw(st.integers(1, 3))):
            rows.append((f"U{u:03d}", draw(st.integers(0, 300)) * 100))
    ranked = pd.DataFrame(rows, columns=["unit", "requested_cents"])
    funds = []
    for j in range(draw(st.integers(1, 3))):
        elig = draw(
            st.one_of(st.none(), st.lists(st.booleans(), min_size=n_units, max_size=n_units))
        )
        funds.append(
            Pot(
                f"F{j}",
                f"F{j}",
                draw(st.integers(0, 3000)) * 100,
                None if elig is None else np.array(elig),
            )
        )
    reserves = []
    if draw(st.booleans()):
        f = draw(st.sampled_from(funds))
        amount = draw(st.integers(0, f.amount_cents))
        elig = np.array(draw(st.lists(st.booleans(), min_size=n_units, max_size=n_units)))
        reserves.append(Pot("R", f.id, amount, elig, is_reserve=True))
    policy = draw(st.sampled_from(["partial", "skip", "stop"]))
    return ranked, funds, reserves, policy, draw(st.booleans())


@settings(max_examples=200, deadline=None)
@given(allocation_cases())
def test_allocation_never_overdraws(case: tuple) -> None:
    ranked, funds, reserves, policy, split = case
    a = allocate(ranked, funds, reserves, when_not_fitting=policy, split_between_funds=split)
    need = ranked["requested_cents"].to_numpy()
    assert (a.draws >= 0).all()
    assert (a.awarded <= need).all()
    assert (a.draws.sum(axis=1) == a.awarded).all()
    pots = a.pots
    for j, pot in enumerate(pots):
        assert a.used[j] <= pot.amount_cents or not pot.is_reserve
    for f in funds:
        assert a.by_fund()[f.id].sum() <= f.amount_cents
        if f.eligible is not None:  # only eligible units draw from it
            unit_codes = pd.factorize(ranked["unit"])[0]
            assert (a.by_fund()[f.id][~f.eligible[unit_codes]] == 0).all()
    if not split:
        assert ((np.stack(list(a.by_fund().values()), axis=1) > 0).sum(axis=1) <= 1).all()
    if policy != "partial":
        assert not (a.status == "FINANZIATA_PARZIALMENTE").any()
