"""Vouchers in use: VAT numbers, providers' list, fund attribution and the checks on invoice
lines, on small hand-made inputs; the invariants as properties (hypothesis)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import spending_fixtures as fx
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliare_cli.config import load_call
from conciliare_cli.findings import empty_findings
from conciliare_cli.spending.attribution import attribute, largest_remainder
from conciliare_cli.spending.matching import match
from conciliare_cli.spending.provider_list import check_providers, vat_key, vat_problems
from conciliare_cli.spending.transparency import OMITTED, register, register_csv
from conciliare_cli.spending.voucher_list import plain_to_cents


def run(records, awards=((30000, 0),), v=None):
    v = v if v is not None else fx.vouchers(list(awards))
    return match(fx.lines(records), empty_findings(), fx.providers(), v, fx.spending(), fx.HEADERS)


def codes(matched) -> list[tuple[int, str]]:
    f = matched.findings
    return sorted(zip(f["source_row"].astype(int), f["code"], strict=True))


# ------------------------------------------------------------------ providers


def test_vat_numbers_checked_by_their_check_digit():
    keys = vat_key(pd.Series(["IT 123.456.701-99", "12345670198", "1234567019", "ABC", None]))
    assert keys.iloc[0] == "12345670199"
    problems = vat_problems(keys).tolist()
    assert problems[0] == ""
    assert problems[1] == "cifra di controllo errata"
    assert problems[2] == "non ha 11 cifre"
    assert problems[3] == "contiene caratteri che non sono cifre"
    assert problems[4] == ""  # missing: reported as missing, not as invalid


def test_providers_list_invalid_repeated_and_missing():
    rows = pd.DataFrame(
        {
            "provider_id": pd.array([None] * 4, dtype="string"),
            "provider_name": pd.array(["Koala", "Koala bis", "Piscina", None], dtype="string"),
            "vat_number": pd.array(
                [fx.VAT_A, "IT" + fx.VAT_A, "12345670198", fx.VAT_B], dtype="string"
            ),
            "services": pd.array(["Pre e post scuola", "x", "y", "Centro estivo"], dtype="string"),
            "tariff_eur": pd.array([None] * 4, dtype="Int64"),
            "source_file": "erogatori.csv",
            "source_sheet": "",
            "source_row": pd.array([2, 3, 4, 5], dtype="Int64"),
        }
    )
    kept, findings = check_providers(rows, {"vat_number": "P.IVA"})
    assert kept["provider"].tolist() == [fx.VAT_A, fx.VAT_B]
    got = sorted(zip(findings["source_row"], findings["code"], strict=True))
    assert got == [
        (3, "EROGATORE_RIPETUTO"),
        (4, "PARTITA_IVA_NON_VALIDA"),
        (5, "CAMPO_OBBLIGATORIO_MANCANTE"),
    ]
    assert set(findings.loc[findings["code"] == "PARTITA_IVA_NON_VALIDA", "column"]) == {"P.IVA"}


# ------------------------------------------------------------------ attribution


def test_largest_remainder_splits_in_whole_cents_ties_to_the_first_fund():
    shares = np.array([[100, 100], [20000, 10000], [1, 1]])
    got = largest_remainder(np.array([1, 10001, 1]), shares)
    assert got.tolist() == [[1, 0], [6667, 3334], [1, 0]]
    assert (got.sum(axis=1) == [1, 10001, 1]).all()


def test_a_voucher_spent_in_full_gives_each_fund_exactly_its_share():
    shares = np.array([[12345, 17655]])
    parts = attribute(np.array([0, 0, 0]), np.array([10001, 9999, 10000]), shares)
    assert parts.sum(axis=0).tolist() == [12345, 17655]
    assert (parts >= 0).all()


def test_contract_amounts_as_cents():
    got = plain_to_cents(pd.Series(["300.00", "12.5", "", "0.07", "-1.20"]), "x")
    assert got.tolist() == [30000, 1250, 0, 7, -120]


# ------------------------------------------------------------------ checks


def test_a_clean_line_counts_in_full():
    m = run([{"minor_tax_code": "V0", "amount_eur": 10000}])
    assert m.lines["outcome"].tolist() == ["CONTEGGIATA"]
    assert m.lines["counted_cents"].tolist() == [10000]
    assert m.findings.empty


def test_over_the_voucher_counts_what_is_left():
    m = run(
        [
            {"minor_tax_code": "V0", "amount_eur": 20000},
            {"minor_tax_code": "V0", "amount_eur": 15000, "period_from": dt.date(2017, 11, 1),
             "period_to": dt.date(2017, 11, 30), "invoice_number": "2/2017"},
        ]
    )  # fmt: skip
    assert m.lines["counted_cents"].tolist() == [20000, 10000]
    assert codes(m) == [(3, "OLTRE_IMPORTO_VOUCHER")]
    assert "conteggiati 100,00\xa0€ su 150,00\xa0€" in m.findings["message"].iloc[0]


def test_the_order_of_spending_is_the_period_not_the_row():
    m = run(
        [
            {"minor_tax_code": "V0", "amount_eur": 25000, "period_from": dt.date(2018, 2, 1),
             "period_to": dt.date(2018, 2, 28), "invoice_number": "9/2018"},
            {"minor_tax_code": "V0", "amount_eur": 10000},
        ]
    )  # fmt: skip
    assert codes(m) == [(2, "OLTRE_IMPORTO_VOUCHER")]


@pytest.mark.parametrize(
    ("record", "code"),
    [
        ({"period_from": dt.date(2018, 9, 3), "period_to": dt.date(2018, 9, 14)},
         "FUORI_VALIDITA"),
        ({"period_from": dt.date(2017, 8, 28)}, "FUORI_VALIDITA"),
        ({"period_to": dt.date(2017, 9, 30)}, "PERIODO_INCOERENTE"),
        ({"service": "Piscina"}, "SERVIZIO_NON_AMMESSO"),
        ({"provider_vat": fx.VAT_B}, "SERVIZIO_NON_AMMESSO"),  # not declared by B
        ({"provider_vat": "00743110157"}, "EROGATORE_NON_IN_ELENCO"),
        ({"minor_tax_code": "NESSUNO"}, "VOUCHER_NON_TROVATO"),
        ({"amount_eur": 0}, "IMPORTO_NON_POSITIVO"),
        ({"invoice_number": None}, "CAMPO_OBBLIGATORIO_MANCANTE"),
    ],
)  # fmt: skip
def test_a_line_that_fails_a_check_is_not_counted(record, code):
    m = run([{"minor_tax_code": "V0", "amount_eur": 5000, **record}])
    assert m.lines["counted_cents"].tolist() == [0]
    assert m.lines["outcome"].tolist() == ["NON_CONTEGGIATA"]
    assert code in set(m.findings["code"])


def test_a_line_presented_twice_counts_once():
    line = {"minor_tax_code": "V0", "amount_eur": 5000}
    m = run([line, {**line, "file": "fatture/b.csv", "row": 9}])
    assert m.lines["counted_cents"].tolist() == [5000, 0]
    dup = m.findings[m.findings["code"] == "FATTURA_DUPLICATA"]
    assert dup["source_file"].tolist() == ["fatture/b.csv"]
    assert "riga 2 di fatture/a.csv" in dup["message"].iloc[0]


def test_an_unpaid_invoice_is_counted_with_a_warning():
    m = run([{"minor_tax_code": "V0", "amount_eur": 5000, "paid_date": None}])
    assert m.lines["counted_cents"].tolist() == [5000]
    assert codes(m) == [(2, "FATTURA_NON_PAGATA")]
    assert m.findings["severity"].tolist() == ["AVVISO"]


def test_a_split_voucher_is_charged_to_both_funds():
    m = run([{"minor_tax_code": "V0", "amount_eur": 30000}], awards=[(10000, 20000)])
    assert m.lines[["fund_FSE_cents", "fund_ATS_cents"]].to_numpy().tolist() == [[10000, 20000]]


# ------------------------------------------------------------------ properties

DAYS = [dt.date(2017, 9, 1) + dt.timedelta(days=30 * k) for k in range(14)]
line_strategy = st.fixed_dictionaries(
    {
        "minor_tax_code": st.sampled_from(["V0", "V1", "V2", "V3", "X"]),
        "amount_eur": st.integers(-100, 40000),
        "period_from": st.sampled_from(DAYS),
        "invoice_number": st.sampled_from(["1/2017", "2/2017", "3/2018"]),
        "provider_vat": st.sampled_from([fx.VAT_A, fx.VAT_B]),
        "service": st.sampled_from(fx.SERVICES),
        "paid_date": st.sampled_from([None, dt.date(2018, 1, 1)]),
    }
)
award_strategy = st.lists(
    st.tuples(st.integers(0, 30000), st.integers(0, 30000)).filter(lambda t: sum(t) > 0),
    min_size=4,
    max_size=4,
)


def _with_ends(records):
    return [{**r, "period_to": r["period_from"] + dt.timedelta(days=20)} for r in records]


@settings(max_examples=60, deadline=None)
@given(st.lists(line_strategy, max_size=30), award_strategy)
def test_spending_never_exceeds_the_award_nor_a_funds_share(records, awards):
    m = run(_with_ends(records), awards)
    lines = m.lines
    assert (lines["counted_cents"] >= 0).all()
    assert (lines["counted_cents"] <= lines["amount_cents"].fillna(0).clip(lower=0)).all()
    _within_each_voucher(lines, fx.vouchers(awards).vouchers.set_index("voucher"))


def _within_each_voucher(lines: pd.DataFrame, vouchers: pd.DataFrame) -> None:
    """Per voucher, what is counted stays within its award and each fund's share; a line of
    no voucher counts nothing."""
    per = lines.groupby("voucher")[["counted_cents", "fund_FSE_cents", "fund_ATS_cents"]].sum()
    for voucher, row in per.iterrows():
        if voucher not in vouchers.index:
            assert row.sum() == 0
            continue
        assert row["counted_cents"] <= vouchers.loc[voucher, "awarded_cents"]
        assert row["fund_FSE_cents"] <= vouchers.loc[voucher, "fund_FSE_cents"]
        assert row["fund_ATS_cents"] <= vouchers.loc[voucher, "fund_ATS_cents"]


@settings(max_examples=60, deadline=None)
@given(st.lists(line_strategy, max_size=30), award_strategy)
def test_the_sum_per_fund_equals_the_sum_of_movements(records, awards):
    m = run(_with_ends(records), awards)
    funds = m.lines[["fund_FSE_cents", "fund_ATS_cents"]].to_numpy()
    assert (funds.sum(axis=1) == m.lines["counted_cents"].to_numpy()).all()
    assert funds.sum() == m.lines["counted_cents"].sum()


@settings(max_examples=40, deadline=None)
@given(st.lists(line_strategy, min_size=1, max_size=25), award_strategy, st.randoms())
def test_the_result_does_not_depend_on_the_order_of_the_rows(records, awards, rnd):
    records = _with_ends(records)
    for i, r in enumerate(records):
        r["file"], r["row"] = f"fatture/{i % 3}.csv", i + 2
    shuffled = list(records)
    rnd.shuffle(shuffled)
    a, b = run(records, awards), run(shuffled, awards)
    drop = ["line"]
    pd.testing.assert_frame_equal(a.lines.drop(columns=drop), b.lines.drop(columns=drop))
    key = ["source_file", "source_row", "code"]
    fa = a.findings.drop(columns="line").sort_values(key).reset_index(drop=True)
    fb = b.findings.drop(columns="line").sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(fa, fb)


# ------------------------------------------------------------------ transparency

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"


def test_the_register_lists_who_gets_more_than_1000_eur_without_identity():
    v = fx.vouchers([(60000, 0), (40001, 0), (30000, 0), (30000, 0)])  # A0: 1.000,01; A1: 600
    frame = register(load_call(EXAMPLE), v)
    assert frame["code"].tolist() == ["P-0"]
    assert frame["awarded_cents"].tolist() == [100001]
    assert frame["beneficiary"].tolist() == [OMITTED]
    assert frame["year"].tolist() == [2017]
    text = register_csv(frame)
    assert text.splitlines()[0].startswith("Anno,Codice,Beneficiario,Importo (euro)")
    assert ",1000.01," in text
    at_the_threshold = fx.vouchers([(60000, 0), (40000, 0)])
    assert register(load_call(EXAMPLE), at_the_threshold).empty  # "superiore a mille euro"


def _granted(rows):
    """A VoucherList whose grants are (applicant, application, date, act, cents, live)."""
    v = fx.vouchers([(30000, 0)] * len(rows))
    v.grants = pd.DataFrame(
        {
            "voucher": [f"V{i}" for i in range(len(rows))],
            "application_id": [r[1] for r in rows],
            "applicant_tax_code": [r[0] for r in rows],
            "date": [r[2] for r in rows],
            "act": [r[3] for r in rows],
            "granted_cents": [r[4] for r in rows],
            "live": [r[5] for r in rows],
        }
    )
    return v


def test_the_register_sums_every_act_per_calendar_year_without_the_renounced():
    final, first, later = dt.date(2017, 9, 20), dt.date(2017, 10, 16), dt.date(2018, 1, 15)
    v = _granted(
        [
            ("A", "P-A", final, "graduatoria definitiva", 80000, True),
            ("A", "P-A", later, "scorrimento n. 2", 30000, True),  # 800 + 300: two years
            ("B", "P-B", final, "graduatoria definitiva", 90000, True),
            ("B", "P-B", first, "scorrimento n. 1", 20000, True),  # 1.100 in 2017
            ("C", "P-C", final, "graduatoria definitiva", 110000, False),  # renounced
            ("D", "P-D", later, "scorrimento n. 2", 60000, True),
            ("D", "P-D2", later, "scorrimento n. 2", 50000, True),  # 1.100 in 2018, 2 apps
        ]
    )
    frame = register(load_call(EXAMPLE), v)
    got = frame[["year", "code", "awarded_cents", "act"]].to_numpy().tolist()
    assert got == [
        [2017, "P-B", 110000, "graduatoria definitiva; scorrimento n. 1"],
        [2018, "P-D, P-D2", 110000, "scorrimento n. 2"],
    ]


# ------------------------------------------------------------------ after the final list


def _after_a_scorrimento():
    """V0 renounced on 02/10/2017; V1 funded by the scorrimento (FSE 100, ATS 200); V2 kept."""
    return fx.acted(
        [(30000, 0), (0, 0), (20000, 0)],
        [
            ("RINUNCIA", 30000, 0, dt.date(2017, 10, 2)),
            ("FINANZIATA", 10000, 20000, None),
            ("FINANZIATA", 20000, 0, None),
        ],
    )


def test_a_child_funded_by_a_scorrimento_has_a_voucher_charged_to_the_acts_funds():
    v = _after_a_scorrimento()
    row = v.vouchers.set_index("voucher").loc["V1"]
    assert (row["awarded_cents"], row["fund_FSE_cents"], row["fund_ATS_cents"]) == (
        30000, 10000, 20000,
    )  # fmt: skip
    assert row["act"] == "scorrimento n. 1 del 01/03/2018"
    m = run([{"minor_tax_code": "V1", "amount_eur": 15000}], v=v)
    assert codes(m) == []
    assert m.lines[["fund_FSE_cents", "fund_ATS_cents"]].to_numpy().tolist() == [[5000, 10000]]


def test_a_renounced_voucher_pays_nothing_after_the_event():
    v = _after_a_scorrimento()
    sept = {"period_from": dt.date(2017, 9, 4), "period_to": dt.date(2017, 9, 29)}
    m = run(
        [
            {"minor_tax_code": "V0", "amount_eur": 10000, **sept, "invoice_number": "1"},
            {
                "minor_tax_code": "V0",
                "amount_eur": 5000,
                "invoice_number": "2",
                "period_from": dt.date(2017, 9, 25),
                "period_to": dt.date(2017, 10, 6),
            },
            {
                "minor_tax_code": "V0",
                "amount_eur": 5000,
                "invoice_number": "3",
                "period_from": dt.date(2017, 10, 2),
                "period_to": dt.date(2017, 10, 2),
            },
        ],
        v=v,
    )
    assert m.lines["counted_cents"].tolist() == [10000, 0, 5000]  # the day itself still counts
    assert codes(m) == [(3, "VOUCHER_CESSATO")]
    message = m.findings["message"].iloc[0]
    assert (
        message
        == "periodo dal 25/09/2017 al 06/10/2017 dopo la fine del voucher (rinuncia del 02/10/2017)"
    )


def test_an_ended_voucher_reports_as_awarded_what_it_spent_before_the_event():
    from conciliare_cli.spending.report_tables import movements, per_fund, per_voucher

    v = _after_a_scorrimento()
    sept = {"period_from": dt.date(2017, 9, 4), "period_to": dt.date(2017, 9, 29)}
    m = run([{"minor_tax_code": "V0", "amount_eur": 10000, **sept}], v=v)
    moves = movements(m.lines, m.findings, v, fx.providers())
    table = per_voucher(moves, v).set_index("voucher")
    assert table.loc["V0", ["awarded_cents", "spent_cents", "unspent_cents"]].tolist() == [
        10000, 10000, 0,
    ]  # fmt: skip
    assert table.loc["V0", "status_label"] == "rinuncia del 02/10/2017"
    assert table.loc["V1", "status_label"] == "finanziata (scorrimento n. 1 del 01/03/2018)"
    funds = per_fund(table.reset_index(), v, {}, moves).set_index("fund_id")
    assert funds.loc["FSE", "awarded_cents"] == 10000 + 10000 + 20000
    assert funds.loc["ATS", "awarded_cents"] == 20000


EVENT_DAYS = [None, dt.date(2017, 10, 2), dt.date(2018, 1, 10), dt.date(2018, 2, 27)]
act_strategy = st.lists(
    st.tuples(
        st.tuples(st.integers(0, 30000), st.integers(0, 30000)),  # the final list
        st.sampled_from(["keep", "more", "off"]),
        st.tuples(st.integers(0, 20000), st.integers(0, 20000)),  # what the act adds
        st.sampled_from(EVENT_DAYS[1:]),
    ),
    min_size=4,
    max_size=4,
)


def _acted(spec):
    after = []
    for (a, b), what, (x, y), day in spec:
        if what == "off" and a + b:
            after.append(("RINUNCIA", a, b, day))
        elif what == "more":
            after.append(("FINANZIATA" if a + b + x + y else "AMMESSA_NON_FINANZIATA",
                          a + x, b + y, None))  # fmt: skip
        else:
            after.append(("FINANZIATA" if a + b else "AMMESSA_NON_FINANZIATA", a, b, None))
    return fx.acted([s[0] for s in spec], after)


@settings(max_examples=60, deadline=None)
@given(st.lists(line_strategy, max_size=30), act_strategy)
def test_after_the_acts_spending_never_exceeds_a_voucher_nor_passes_its_end(records, spec):
    from conciliare_cli.spending.report_tables import movements, per_fund, per_voucher

    v = _acted(spec)
    m = run(_with_ends(records), v=v)
    lines = m.lines
    vouchers = v.vouchers.set_index("voucher")
    _within_each_voucher(lines, vouchers)
    ends = dict(zip(vouchers.index, vouchers["ended"], strict=True))
    for voucher, last, counted in lines[["voucher", "period_to", "counted_cents"]].to_numpy():
        if counted > 0 and pd.notna(ends.get(voucher)):
            assert last <= ends[voucher]
    moves = movements(lines, m.findings, v, fx.providers())
    table = per_voucher(moves, v)
    assert (table["spent_cents"] <= table["awarded_cents"]).all()
    funds = per_fund(table, v, {}, moves).set_index("fund_id")
    assert funds.loc["FSE", "spent_cents"] == lines["fund_FSE_cents"].sum()
    assert funds.loc["ATS", "spent_cents"] == lines["fund_ATS_cents"].sum()
    assert funds["spent_cents"].sum() == lines["counted_cents"].sum()


@settings(max_examples=30, deadline=None)
@given(st.lists(line_strategy, min_size=1, max_size=25), act_strategy, st.randoms())
def test_after_the_acts_the_result_does_not_depend_on_the_order_of_the_rows(records, spec, rnd):
    records = _with_ends(records)
    for i, r in enumerate(records):
        r["file"], r["row"] = f"fatture/{i % 3}.csv", i + 2
    shuffled = list(records)
    rnd.shuffle(shuffled)
    v = _acted(spec)
    a, b = run(records, v=v), run(shuffled, v=v)
    pd.testing.assert_frame_equal(a.lines.drop(columns="line"), b.lines.drop(columns="line"))
    key = ["source_file", "source_row", "code"]
    fa = a.findings.drop(columns="line").sort_values(key).reset_index(drop=True)
    fb = b.findings.drop(columns="line").sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(fa, fb)


# ------------------------------------------------------------------ voucher codes


def _coded():
    v = fx.vouchers([(30000, 0), (30000, 0), (30000, 0)])
    v.vouchers["voucher_code"] = ["CONC-P-0-1", "CONC-P-0-2", ""]
    return v


def test_a_line_with_a_voucher_code_is_matched_by_it():
    m = run(
        [
            {"minor_tax_code": "V0", "voucher_code": " conc-p-0-1 ", "amount_eur": 1000},
            {"minor_tax_code": None, "voucher_code": "CONC-P-0-2", "amount_eur": 2000},
            {"minor_tax_code": "V0", "voucher_code": "CONC-P-9-9", "amount_eur": 3000},
            {"minor_tax_code": "V0", "voucher_code": "CONC-P-0-2", "amount_eur": 4000},
            {"minor_tax_code": "V2", "amount_eur": 5000},
        ],
        v=_coded(),
    )
    by_row = m.lines.set_index("source_row")
    assert by_row["voucher"].to_dict() == {2: "V0", 3: "V1", 4: "V0", 5: "V0", 6: "V2"}
    assert by_row["counted_cents"].to_dict() == {2: 1000, 3: 2000, 4: 0, 5: 0, 6: 5000}
    assert codes(m) == [(4, "CODICE_VOUCHER_NON_TROVATO"), (5, "VOUCHER_DI_ALTRO_MINORE")]
    other = m.findings[m.findings["code"] == "VOUCHER_DI_ALTRO_MINORE"]["message"].iloc[0]
    assert (
        other == "il codice voucher 'CONC-P-0-2' non è del minore fatturato (minore fatturato: V0)"
    )


def test_voucher_codes_are_the_slips_codes():
    from conciliare_cli.spending.voucher_codes import voucher_codes

    final = pd.DataFrame(
        {
            "application_id": ["A-1", "A-1", "A-1", "B-2"],
            "voucher": ["ZZZ", "AAA", "ZZZ", "BBB"],  # ZZZ twice: one child
            "minor_slot": ["1", "2", "3", ""],
        }
    )
    codes = voucher_codes(load_call(EXAMPLE).config, final)
    assert codes.to_dict() == {
        ("A-1", "ZZZ"): "CONC2017-A-1-1",
        ("A-1", "AAA"): "CONC2017-A-1-2",
        ("B-2", "BBB"): "CONC2017-B-2-1",
    }


# ------------------------------------------------------------------ tariffs


def _tariffed():
    frame = fx.providers().assign(
        tariff_eur=pd.array([450, pd.NA], dtype="Int64"),
        tariffs=["Centro estivo: 85,00", "centro  ESTIVO: € 80,00; Doposcuola 3"],
    )
    return check_providers(frame.assign(vat_number=frame["provider"],
                                        source_file="e.csv", source_sheet="",
                                        source_row=[2, 3]), {"tariffs": "Tariffe"})  # fmt: skip


def test_agreed_tariffs_per_service_and_for_all_services():
    providers, findings = _tariffed()
    assert providers["tariff_map"].tolist() == [
        {"pre e post scuola": 450, "centro estivo": 8500},
        {"centro estivo": 8000},
    ]
    assert findings[["code", "source_row", "value"]].to_numpy().tolist() == [
        ["IMPORTO_NON_LEGGIBILE", 3, "Doposcuola 3"],
    ]


def test_a_line_above_the_tariff_counts_only_the_tariff():
    providers, _ = _tariffed()
    records = [
        {"minor_tax_code": "V0", "amount_eur": 5000, "quantity": 10.0, "unit_price_eur": 500},
        {"minor_tax_code": "V1", "amount_eur": 4500, "quantity": 10.0, "unit_price_eur": 450},
        {"minor_tax_code": "V2", "amount_eur": 6000, "quantity": 10.0},
        {"minor_tax_code": "V3", "amount_eur": 1000, "unit_price_eur": 500},
        {"minor_tax_code": "V0", "amount_eur": 9000, "invoice_number": "2/2017",
         "service": "Centro estivo", "provider_vat": fx.VAT_B, "quantity": 1.0},
        {"minor_tax_code": "V1", "amount_eur": 9000, "invoice_number": "3/2017"},  # no unit
    ]  # fmt: skip
    v = fx.vouchers([(30000, 0)] * 4)
    m = match(fx.lines(records), empty_findings(), providers, v, fx.spending(), fx.HEADERS)
    by_row = m.lines.set_index("source_row")
    assert by_row["counted_cents"].to_dict() == {2: 4500, 3: 4500, 4: 4500, 5: 900, 6: 8000,
                                                 7: 9000}  # fmt: skip
    assert by_row["outcome"].to_dict()[2] == "CONTEGGIATA_IN_PARTE"
    assert codes(m) == [(2, "OLTRE_TARIFFA"), (4, "OLTRE_TARIFFA"), (5, "OLTRE_TARIFFA"),
                        (6, "OLTRE_TARIFFA")]  # fmt: skip
    message = m.findings.set_index("source_row").loc[2, "message"]
    assert message == (
        "oltre la tariffa concordata: tariffa concordata 4,50\xa0€, prezzo unitario 5,00\xa0€: "
        "conteggiati 45,00\xa0€ su 50,00\xa0€"
    )
