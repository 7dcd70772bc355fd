"""Duplicate applicants and duplicate minors, with both policies each."""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliare_cli.demo import call_from, minors_table, rules_data
from conciliare_cli.demo import numbered_tax_code as tax_code
from conciliare_cli.engine.stages import rank_call

T = pd.Timestamp
NO_FINDINGS = pd.DataFrame()
PARENT_1 = tax_code(1, T("1980-01-01"))
PARENT_2 = tax_code(2, T("1982-01-01"))
CHILD = tax_code(100, T("2010-03-03"))


def row(app_id: str, applicant: str, child: str, when: str, **kw: Any) -> dict[str, Any]:
    return {
        "application_id": app_id,
        "submitted_at": when,
        "applicant_tax_code": applicant,
        "isee": "15000",
        "minor_tax_code": child,
        "minor_birth_date": "2010-03-03",
        **kw,
    }


def run(rows: list[dict], **dup: str) -> pd.DataFrame:
    data = rules_data()
    data["duplicates"] = {"applicant": "last", "minor": "earlier", **dup}
    r = rank_call(call_from(data), minors_table(rows), NO_FINDINGS)
    return r.minors.set_index("row_key")


@pytest.mark.parametrize(("policy", "kept"), [("last", "A2"), ("first", "A1")])
def test_duplicate_applicant(policy: str, kept: str) -> None:
    rows = [
        row("A1", PARENT_1, CHILD, "2017-06-05 10:00"),
        row("A2", PARENT_1, tax_code(101, T("2011-01-01")), "2017-06-20 10:00"),
        row("B", PARENT_2, tax_code(200, T("2012-01-01")), "2017-06-01 10:00"),
    ]
    r = run(rows, applicant=policy).set_index("application_id")
    other = "A1" if kept == "A2" else "A2"
    assert r.loc[kept, "status"] == "FINANZIATA"
    assert r.loc[other, "exclusion_reasons"] == "DOMANDA_SOSTITUITA"
    assert r.loc["B", "status"] == "FINANZIATA"


def test_duplicate_applicant_same_time_ties_by_id() -> None:
    rows = [
        row("A1", PARENT_1, CHILD, "2017-06-05 10:00"),
        row("A2", PARENT_1, tax_code(101, T("2011-01-01")), "2017-06-05 10:00"),
    ]
    last = run(rows, applicant="last", ties="application_id").set_index("application_id")
    first = run(rows, applicant="first", ties="application_id").set_index("application_id")
    assert last.loc["A1", "exclusion_reasons"] == "DOMANDA_SOSTITUITA"
    assert first.loc["A2", "exclusion_reasons"] == "DOMANDA_SOSTITUITA"


@pytest.mark.parametrize("policy", ["last", "first"])
def test_duplicate_applicant_same_time_ties_by_the_lottery(policy: str) -> None:
    """Same minute: the call's lottery decides (the lower hash of 'seed:id' wins), for both
    policies; the ids' order does not matter."""
    seed = rules_data()["ranking"]["lottery"]["seed"]
    ids = ["A1", "A2", "A3"]
    winner = min(ids, key=lambda a: hashlib.sha256(f"{seed}:{a}".encode()).hexdigest())
    rows = [
        row(a, PARENT_1, tax_code(101 + i, T("2011-01-01")), "2017-06-05 10:00")
        for i, a in enumerate(ids)
    ]
    r = run(rows, applicant=policy).set_index("application_id")
    for a in ids:
        want = "" if a == winner else "DOMANDA_SOSTITUITA"
        assert r.loc[a, "exclusion_reasons"] == want, a


def test_a_late_application_does_not_replace_a_timely_one() -> None:
    """applicant_among: in_window (the default): the late A2 takes no part; A1 counts."""
    rows = [
        row("A1", PARENT_1, CHILD, "2017-06-05 10:00"),
        row("A2", PARENT_1, CHILD, "2017-08-05 10:00"),
    ]
    r = run(rows, applicant="last").set_index("application_id")
    assert r.loc["A1", "exclusion_reasons"] == ""
    assert r.loc["A1", "status"] == "FINANZIATA"
    assert r.loc["A2", "exclusion_reasons"] == "FUORI_TERMINE"


def test_among_all_a_late_application_still_replaces() -> None:
    """applicant_among: all (the rule of the first calls)."""
    rows = [
        row("A1", PARENT_1, CHILD, "2017-06-05 10:00"),
        row("A2", PARENT_1, CHILD, "2017-08-05 10:00"),
    ]
    r = run(rows, applicant="last", applicant_among="all").set_index("application_id")
    assert r.loc["A1", "exclusion_reasons"] == "DOMANDA_SOSTITUITA"
    assert r.loc["A2", "exclusion_reasons"] == "FUORI_TERMINE"


def test_among_admitted_the_last_admitted_counts() -> None:
    """'The last one counts among those admitted': A2 is later but over the ISEE threshold,
    so A1 counts; with in_window A2 would replace A1 and both be lost."""
    rows = [
        row("A1", PARENT_1, CHILD, "2017-06-05 10:00"),
        row("A2", PARENT_1, CHILD, "2017-06-25 10:00", isee="50000"),
    ]
    admitted = run(rows, applicant_among="admitted").set_index("application_id")
    assert admitted.loc["A1", "status"] == "FINANZIATA"
    assert admitted.loc["A2", "exclusion_reasons"] == "ISEE_OLTRE_SOGLIA"
    in_window = run(rows).set_index("application_id")
    assert in_window.loc["A1", "exclusion_reasons"] == "DOMANDA_SOSTITUITA"
    assert in_window.loc["A2", "exclusion_reasons"] == "ISEE_OLTRE_SOGLIA"


def test_duplicate_minor_earlier_keeps_it() -> None:
    # both parents applied for the same child: the earlier application keeps the child, the
    # other keeps its other child and loses the point for it in numero_figli
    other = tax_code(300, T("2012-02-02"))
    rows = [
        row("M", PARENT_1, CHILD, "2017-06-10 10:00"),
        row("P", PARENT_2, CHILD, "2017-06-02 10:00", isee="5000"),
        row("P", PARENT_2, other, "2017-06-02 10:00", isee="5000"),
    ]
    r = run(rows, minor="earlier")
    m = r[r["application_id"] == "M"].iloc[0]
    p = r[r["application_id"] == "P"]
    # application-level reasons first: its only child went elsewhere
    assert m["exclusion_reasons"] == "NESSUN_MINORE_AMMISSIBILE;MINORE_IN_ALTRA_DOMANDA"
    assert m["status"] == "ESCLUSA"
    assert p["status"].tolist() == ["FINANZIATA", "FINANZIATA"]
    assert p["crit_numero_figli"].tolist() == [4.0, 4.0]


def test_duplicate_minor_higher_score_keeps_it() -> None:
    other = tax_code(300, T("2012-02-02"))
    rows = [
        # M: later but ISEE 5.000 (15 points) + 2 minors
        row("M", PARENT_1, CHILD, "2017-06-10 10:00", isee="5000"),
        row("M", PARENT_1, other, "2017-06-10 10:00", isee="5000"),
        # P: earlier, ISEE 25.000 (5 points)
        row("P", PARENT_2, CHILD, "2017-06-02 10:00", isee="25000"),
    ]
    earlier = run(rows, minor="earlier")
    higher = run(rows, minor="higher_score")
    child_in = lambda r, a: r[(r["application_id"] == a) & (r["minor_tax_code"] == CHILD)]  # noqa: E731
    assert child_in(earlier, "M")["exclusion_reasons"].item() == "MINORE_IN_ALTRA_DOMANDA"
    assert child_in(earlier, "P")["status"].item() == "FINANZIATA"
    assert child_in(higher, "P")["exclusion_reasons"].item() == (
        "NESSUN_MINORE_AMMISSIBILE;MINORE_IN_ALTRA_DOMANDA"
    )
    assert child_in(higher, "M")["status"].item() == "FINANZIATA"


def test_excluded_application_does_not_take_the_minor() -> None:
    # P is earlier but excluded (ISEE too high): M keeps the child
    rows = [
        row("M", PARENT_1, CHILD, "2017-06-10 10:00"),
        row("P", PARENT_2, CHILD, "2017-06-02 10:00", isee="90000"),
    ]
    r = run(rows).set_index("application_id")
    assert r.loc["M", "status"] == "FINANZIATA"
    assert r.loc["P", "exclusion_reasons"] == "ISEE_OLTRE_SOGLIA"


@settings(max_examples=25)
@given(
    apps=st.lists(
        st.tuples(
            st.integers(0, 3),  # applicant
            st.integers(0, 4),  # child
            st.sampled_from(
                [
                    "2017-06-05 10:00:05",
                    "2017-06-05 10:00:40",
                    "2017-07-01 09:00",
                    "2017-08-02 10:00",
                ]
            ),
            st.sampled_from(["12000", "50000"]),
        ),
        min_size=2,
        max_size=8,
    ),
    among=st.sampled_from(["all", "in_window", "admitted"]),
    policy=st.sampled_from(["first", "last"]),
    minute=st.booleans(),
    rnd=st.randoms(use_true_random=False),
)
def test_repeated_applications_do_not_depend_on_the_row_order(
    apps: list[tuple[int, int, str, str]], among: str, policy: str, minute: bool, rnd: Any
) -> None:
    """The same applications in any row order: the same outcome and reasons for each."""
    rows = [
        row(
            f"A{i}",
            tax_code(1 + who, T("1980-01-01")),
            tax_code(100 + child, T("2010-03-03")),
            when,
            isee=isee,
        )
        for i, (who, child, when, isee) in enumerate(apps)
    ]
    data = rules_data()
    data["duplicates"] = {"applicant": policy, "applicant_among": among, "minor": "earlier"}
    data["call"]["submission"]["granularity"] = "minute" if minute else "second"
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    cols = ["status", "exclusion_reasons", "rank"]
    results = [
        rank_call(call_from(data), minors_table(r), NO_FINDINGS)
        .minors.set_index("row_key")[cols]
        .sort_index()
        for r in (rows, shuffled)
    ]
    pd.testing.assert_frame_equal(results[0], results[1])
