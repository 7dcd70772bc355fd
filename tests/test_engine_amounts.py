"""The voucher amount as the call computes it (engine/amounts.py): steps in the order written,
exact between steps, the short form unchanged; properties: never above a cap, rounded as
declared, the short form equal to min(cap, cost)."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conciliare_cli.config.voucher import Voucher
from conciliare_cli.demo import call_from, minors_table, numbered_tax_code, rules_data
from conciliare_cli.engine.amount_checks import build_voucher
from conciliare_cli.engine.amount_words import amount_texts, rule_rows
from conciliare_cli.engine.amounts import AmountTrace, VoucherRule
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.errors import ConfigError
from conciliare_cli.fields import CANONICAL_FIELDS, DERIVED_FIELDS, Field, Kind, Level

FIELDS: dict[str, Field] = {
    **CANONICAL_FIELDS,
    **DERIVED_FIELDS,
    "weeks": Field("weeks", Kind.INTEGER, Level.MINOR, "Settimane di servizio"),
}
ISEE_SHARES = {
    "step": "share",
    "field": "isee",
    "bands": [
        {"max": 10000, "share": 1},
        {"min": 10000.01, "max": 20000, "share": 0.75},
        {"min": 20000.01, "share": 0.5},
    ],
    "missing": 0.5,
}


def rule(steps: list[dict[str, Any]], app_cap: float | None = None) -> VoucherRule:
    data: dict[str, Any] = {"steps": steps}
    if app_cap is not None:
        data["application_cap_eur"] = app_cap
    problems: list[str] = []
    built = build_voucher(Voucher.model_validate(data), FIELDS, lambda loc, m: problems.append(m))
    assert built is not None, problems
    return built


def table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    for i, r in enumerate(rows):
        r.setdefault("application_id", f"A{i}")
        r.setdefault("minor_tax_code", numbered_tax_code(i + 1, pd.Timestamp("2010-01-01")))
    return minors_table(rows)


def compute(r: VoucherRule, rows: list[dict[str, Any]]) -> tuple[AmountTrace, pd.DataFrame]:
    t = table(rows)
    return r.compute(t, np.arange(len(t))), t


def cents(trace: AmountTrace) -> list[int | None]:
    s = trace.requested()
    return [None if pd.isna(v) else int(v) for v in s]


# ------------------------------------------------------------------ worked examples


def test_the_readme_worked_example_step_by_step() -> None:
    r = rule(
        [
            {"step": "cost", "missing": 400},
            ISEE_SHARES,
            {"step": "round"},
            {"step": "cap", "eur": 250},
        ]
    )
    trace, _ = compute(
        r,
        [
            {"isee": 15000, "requested_eur": "150.30"},
            {"isee": 15000, "requested_eur": 500},
            {"isee": 5000},
            {"requested_eur": 81},
        ],
    )
    assert cents(trace) == [11273, 25000, 25000, 4050]
    texts = amount_texts(trace, range(4))
    assert texts[0] == (
        "costo dichiarato 150,30\xa0€ × 75% (ISEE da 10.000,01\xa0€ a 20.000,00\xa0€) = "
        "112,725\xa0€ → 112,73\xa0€ (arrotondato al centesimo); entro il massimo di 250,00\xa0€"
    )
    assert "oltre il massimo di 250,00\xa0€: 250,00\xa0€" in texts[1]
    assert texts[2].startswith("costo non indicato: costo convenzionale 400,00\xa0€ × 100%")
    assert "× 50% (ISEE non indicato) = 40,50\xa0€" in texts[3]


def test_round_modes_and_steps() -> None:
    rows = [{"requested_eur": "150.30", "isee": 15000}]
    for mode, to, expected in [
        ("half_up", 0.01, 11273),
        ("down", 0.01, 11272),
        ("up", 1, 11300),
        ("half_up", 1, 11300),
        ("down", 5, 11000),
        ("half_up", 0.05, 11275),
    ]:
        r = rule([{"step": "cost"}, ISEE_SHARES, {"step": "round", "to_eur": to, "mode": mode}])
        assert cents(compute(r, [dict(x) for x in rows])[0]) == [expected], (mode, to)


def test_without_a_round_step_the_amount_ends_rounded_half_up_to_the_cent() -> None:
    r = rule([{"step": "cost"}, {"step": "share", "share": 0.75}])
    trace, _ = compute(r, [{"requested_eur": "150.30"}, {"requested_eur": "150.10"}])
    assert cents(trace) == [11273, 11258]  # 112,725 -> 112,73; 112,575 -> 112,58
    assert "(arrotondato al centesimo)" in amount_texts(trace, [0])[0]


def test_the_order_of_the_steps_is_the_order_written() -> None:
    cap_then_share = rule(
        [{"step": "cost"}, {"step": "cap", "eur": 200}, {"step": "share", "share": 0.5}]
    )
    share_then_cap = rule(
        [{"step": "cost"}, {"step": "share", "share": 0.5}, {"step": "cap", "eur": 200}]
    )
    rows = [{"requested_eur": 500}]
    assert cents(compute(cap_then_share, [dict(rows[0])])[0]) == [10000]
    assert cents(compute(share_then_cap, [dict(rows[0])])[0]) == [20000]


def test_fixed_amount_per_week_capped_at_the_declared_cost() -> None:
    r = rule(
        [
            {"step": "fixed", "eur": 40, "per": "weeks"},
            {"step": "cap", "field": "requested_eur", "missing": "ignore"},
        ]
    )
    trace, _ = compute(
        r,
        [
            {"weeks": 3, "requested_eur": 200},
            {"weeks": 6, "requested_eur": 200},
            {"weeks": 6},
            {"requested_eur": 100},
        ],
    )
    assert cents(trace) == [12000, 20000, 24000, None]
    assert list(trace.reason) == ["", "", "", "IMPORTO_NON_CALCOLABILE"]
    assert amount_texts(trace, [0])[0].startswith(
        "40,00\xa0€ × 3 (Settimane di servizio) = 120,00\xa0€"
    )


def test_fixed_amount_by_band() -> None:
    r = rule(
        [
            {
                "step": "fixed",
                "field": "isee",
                "bands": [{"max": 15000, "eur": 200}, {"min": 15000.01, "max": 30000, "eur": 100}],
                "missing": 50,
            }
        ]
    )
    trace, _ = compute(r, [{"isee": 9000}, {"isee": 20000}, {}, {"isee": 40000}])
    assert cents(trace) == [20000, 10000, 5000, None]
    assert trace.reason[3] == "IMPORTO_FUORI_FASCIA"


def test_missing_data_excludes_with_the_first_reason_only() -> None:
    r = rule(
        [{"step": "cost"}, {**ISEE_SHARES, "missing": "exclude"}, {"step": "minimum", "eur": 50}]
    )
    trace, _ = compute(r, [{}, {"requested_eur": 100}, {"requested_eur": 60, "isee": 25000}])
    assert list(trace.reason) == [
        "COSTO_MANCANTE",
        "IMPORTO_NON_CALCOLABILE",
        "IMPORTO_SOTTO_MINIMO",
    ]
    assert cents(trace) == [None, None, None]
    assert amount_texts(trace, [2])[0].endswith("sotto il minimo di 50,00\xa0€: nessun voucher")


def test_the_application_cap_goes_to_the_minors_in_their_order() -> None:
    r = rule([{"step": "cost"}], app_cap=500)
    trace, t = compute(
        r,
        [
            {"application_id": "A", "requested_eur": 300},
            {"application_id": "A", "requested_eur": 300},
            {"application_id": "A", "requested_eur": 300},
            {"application_id": "B", "requested_eur": 300},
        ],
    )
    admitted = np.array([True, False, True, True])  # A's second minor is excluded
    codes = pd.factorize(t["application_id"])[0]
    final = r.cap_applications(trace, admitted, codes)
    assert final.tolist() == [30000, 30000, 20000, 30000]
    assert "tetto per domanda di 500,00\xa0€: 200,00\xa0€" in amount_texts(trace, [2])[0]


def test_the_short_form_means_what_it_always_meant() -> None:
    short = rule_from_short(300, "cap")
    trace, _ = compute(
        short, [{"requested_eur": "150.30"}, {"requested_eur": 450}, {}, {"requested_eur": -5}]
    )
    assert cents(trace) == [15030, 30000, 30000, 0]
    assert (
        amount_texts(trace, [2])[0]
        == "costo non indicato: si assegna l'importo massimo di 300,00\xa0€"
    )
    excl = rule_from_short(300, "exclude")
    assert cents(compute(excl, [{}])[0]) == [None]
    assert rule_rows(short) == [
        ("Importo massimo per minore", "300,00\xa0€"),
        ("Costo richiesto mancante", "si assegna l'importo massimo"),
    ]
    assert short.cap_cents == 30000


def rule_from_short(cap: int, missing: str) -> VoucherRule:
    v = Voucher.model_validate({"cap_eur": cap, "missing_request": missing})
    built = build_voucher(v, FIELDS, lambda loc, m: None)
    assert built is not None
    return built


# ------------------------------------------------------------------ the YAML


@pytest.mark.parametrize(
    ("voucher", "message"),
    [
        ({"cap_eur": 300, "steps": [{"step": "cost"}]}, "uno solo dei due"),
        ({}, "uno solo dei due"),
        ({"steps": [{"step": "cap", "eur": 3}]}, "il primo passo"),
        ({"steps": [{"step": "cost"}, {"step": "fixed", "eur": 3}]}, "solo il primo passo"),
        ({"steps": [{"step": "cost"}], "missing_request": "cap"}, "missing_request vale solo"),
        ({"steps": [{"step": "cost"}, {"step": "share"}]}, "indicare share oppure field"),
        ({"steps": [{"step": "cost"}, {"step": "share", "field": "isee"}]}, "servono le fasce"),
        ({"steps": [{"step": "cost"}, {"step": "share", "share": 1.5}]}, "less_than_equal"),
        ({"steps": [{"step": "cost"}, {"step": "rounding"}]}, "union_tag_invalid"),
    ],
)
def test_bad_voucher_sections_are_refused(voucher: dict[str, Any], message: str) -> None:
    data = rules_data()
    data["voucher"] = voucher
    with pytest.raises(Exception) as err:
        call_from(data)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"step": "cost", "field": "isee_x"}, "campo sconosciuto 'isee_x' (forse 'isee'?)"),
        ({"step": "cost", "field": "age"}, "il campo 'age' non è un importo"),
        ({"step": "fixed", "eur": 10, "per": "isee"}, "il campo 'isee' non è un numero intero"),
    ],
)
def test_fields_of_the_steps_are_checked_with_the_line(step: dict[str, Any], message: str) -> None:
    data = rules_data()
    data["voucher"] = {"steps": [step]}
    with pytest.raises(ConfigError) as err:
        compile_rules(call_from(data))
    assert message in err.value.render()
    assert "voucher.steps[0]" in err.value.render()


# ------------------------------------------------------------------ properties

money = st.integers(min_value=0, max_value=2_000_000)  # cents
shares = st.decimals(min_value=0, max_value=1, places=4)


@given(
    costs=st.lists(st.one_of(st.none(), money), min_size=1, max_size=12),
    iseess=st.lists(st.one_of(st.none(), money), min_size=12, max_size=12),
    cap=st.integers(min_value=0, max_value=100_000),
    app_cap=st.integers(min_value=0, max_value=200_000),
    share=shares,
)
def test_amounts_never_exceed_the_caps(costs, iseess, cap, app_cap, share) -> None:
    r = rule(
        [
            {"step": "cost", "missing": 123.45},
            {"step": "share", "share": share},
            {"step": "round", "mode": "up", "to_eur": 1},
            {"step": "cap", "eur": Decimal(cap) / 100},
        ],
        app_cap=float(Decimal(app_cap) / 100),
    )
    rows = [
        {"application_id": f"A{i % 3}", "isee": None if iseess[i] is None else iseess[i] / 100}
        | ({} if c is None else {"requested_eur": Decimal(c) / 100})
        for i, c in enumerate(costs)
    ]
    t = table(rows).sort_values("application_id", kind="stable").reset_index(drop=True)
    codes = pd.factorize(t["application_id"])[0]
    trace = r.compute(t, np.arange(len(t)))
    final = r.cap_applications(trace, np.ones(len(t), dtype=bool), codes).to_numpy(dtype=np.int64)
    assert (final <= cap).all() and (final >= 0).all()
    per_app = pd.Series(final).groupby(codes).sum()
    assert (per_app <= app_cap).all()


@given(
    cost=money,
    share=shares,
    to=st.sampled_from(["0.01", "0.05", "1", "10"]),
    mode=st.sampled_from(["half_up", "down", "up"]),
)
def test_rounding_is_as_declared(cost: int, share: Decimal, to: str, mode: str) -> None:
    r = rule(
        [
            {"step": "cost"},
            {"step": "share", "share": share},
            {"step": "round", "to_eur": to, "mode": mode},
        ]
    )
    got = cents(compute(r, [{"requested_eur": Decimal(cost) / 100}])[0])[0]
    exact = Decimal(cost) / 100 * share
    how = {"half_up": ROUND_HALF_UP, "down": ROUND_DOWN, "up": ROUND_UP}[mode]
    step = Decimal(to)
    want = (exact / step).quantize(Decimal(1), rounding=how) * step
    assert got == int(want * 100)
    assert got % int(step * 100) == 0


@given(costs=st.lists(st.one_of(st.none(), st.integers(-1000, 900_000)), min_size=1, max_size=20))
def test_the_short_form_is_min_of_cap_and_cost(costs: list[int | None]) -> None:
    r = rule_from_short(300, "cap")
    rows = [{} if c is None else {"requested_eur": Decimal(c) / 100} for c in costs]
    got = cents(compute(r, rows)[0])
    assert got == [30000 if c is None else min(max(c, 0), 30000) for c in costs]
