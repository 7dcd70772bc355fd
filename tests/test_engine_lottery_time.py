"""The lottery as the call defines it (engine/lottery.py) and time as the call counts it
(engine/timing.py): the text hashed, its recipe printed in explain and recomputable, the
direction; seconds ignored at the minute for the window, the tie-breakers and the duplicates."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliare_cli.demo import call_from, minors_table, numbered_tax_code, rules_data
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.engine.explanation import explain_application
from conciliare_cli.engine.result import RankResult
from conciliare_cli.engine.stages import rank_call
from conciliare_cli.errors import ConfigError

SEED = rules_data()["ranking"]["lottery"]["seed"]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def apps(n: int, when: str = "2017-06-10 10:00", **kw: Any) -> list[dict[str, Any]]:
    """n applications tied on everything but the lottery (same ISEE, same time)."""
    return [
        {
            "application_id": f"P1-{100 + i}",
            "partner_id": "P1",
            "submitted_at": when,
            "applicant_tax_code": numbered_tax_code(i + 1, pd.Timestamp("1980-01-01")),
            "isee": 12000,
            "minor_tax_code": numbered_tax_code(500 + i, pd.Timestamp("2010-01-01")),
            "minor_birth_date": "2010-01-01",
            **kw,
        }
        for i in range(n)
    ]


def run(rows: list[dict[str, Any]], **changes: Any) -> RankResult:
    data = rules_data()
    for section, values in changes.items():
        target = data
        *path, last = section.split("__")
        for p in path:
            target = target[p]
        target[last] = values
    return rank_call(compile_rules(call_from(data)), minors_table(rows), pd.DataFrame())


def order(result: RankResult) -> list[str]:
    u = result.units
    return list(u[u["rank"].notna()].sort_values("rank")["application_id"])


# ------------------------------------------------------------------ the lottery


def test_the_default_lottery_is_sha256_of_seed_colon_id() -> None:
    r = run(apps(6))
    assert order(r) == sorted(order(r), key=lambda a: sha(f"{SEED}:{a}"))
    assert set(r.minors["lottery_key"]) == {sha(f"{SEED}:{a}") for a in order(r)}


@pytest.mark.parametrize(
    ("lottery", "text_of"),
    [
        ({"key": "applicant_tax_code"}, lambda row: f"{SEED}:{row['applicant_tax_code']}"),
        ({"key": "protocol"}, lambda row: f"{SEED}:{row['application_id'][3:]}"),
        ({"text": "{key}|{seed}"}, lambda row: f"{row['application_id']}|{SEED}"),
    ],
)
def test_the_text_hashed_is_the_calls(lottery: dict[str, Any], text_of: Any) -> None:
    rows = apps(6)
    r = run(rows, ranking__lottery={"seed": SEED, **lottery})
    texts = {row["application_id"]: text_of(row) for row in rows}
    assert order(r) == sorted(texts, key=lambda a: sha(texts[a]))


def test_descending_puts_the_higher_hash_first() -> None:
    r = run(apps(6), ranking__lottery={"seed": SEED, "order": "desc"})
    assert order(r) == sorted(order(r), key=lambda a: sha(f"{SEED}:{a}"), reverse=True)


@pytest.mark.parametrize(
    ("lottery", "message"),
    [
        ({"key": "isee"}, "non è un campo di testo"),
        ({"key": "minor_tax_code"}, "è un dato del minore"),
        ({"key": "cf"}, "campo sconosciuto 'cf'"),
        ({"text": "{seed}"}, "una volta {seed} e una volta {key}"),
    ],
)
def test_a_wrong_lottery_is_refused(lottery: dict[str, Any], message: str) -> None:
    data = rules_data()
    data["ranking"]["lottery"] = {"seed": SEED, **lottery}
    with pytest.raises(Exception) as err:
        compile_rules(call_from(data))
    text = err.value.render() if isinstance(err.value, ConfigError) else str(err.value)
    assert message in text


LINE = re.compile(
    r'del testo "(?P<text>[^"]*)" = (?P<prefix>[0-9a-f]{16})…; viene prima la (?P<dir>\w+)'
)


@settings(max_examples=20)
@given(
    key=st.sampled_from([None, "applicant_tax_code", "protocol"]),
    template=st.sampled_from(["{seed}:{key}", "{key}{seed}", "estrazione {seed} / {key}"]),
    desc=st.booleans(),
    seed=st.text(st.characters(codec="utf-8", exclude_characters='"\n\r'), min_size=1, max_size=12),
)
def test_the_lottery_is_recomputable_from_its_printed_recipe(key, template, desc, seed) -> None:
    """What explain prints (the text and the hash's first 16 digits) is enough: hashing the
    printed text gives the printed digits, and the order follows them."""
    lottery = {"seed": seed, "text": template, "order": "desc" if desc else "asc"}
    if key:
        lottery["key"] = key
    r = run(apps(5), ranking__lottery=lottery)
    printed = {}
    for app in order(r):
        m = LINE.search(explain_application(r, app))
        assert m, explain_application(r, app)
        assert sha(m["text"]).startswith(m["prefix"])
        assert m["dir"] == ("maggiore" if desc else "minore")
        printed[app] = sha(m["text"])
    assert order(r) == sorted(printed, key=lambda a: printed[a], reverse=desc)


# ------------------------------------------------------------------ time


def test_at_the_minute_the_closing_minute_is_in_time() -> None:
    rows = apps(3)
    for row, when in zip(
        rows, ["2017-07-31 12:00:00", "2017-07-31 12:00:59", "2017-07-31 12:01:00"], strict=True
    ):
        row["submitted_at"] = when
    by_second = run(rows).units.set_index("application_id")["exclusion_reasons"]
    by_minute = run(rows, call__submission__granularity="minute").units.set_index("application_id")[
        "exclusion_reasons"
    ]
    assert list(by_second) == ["", "FUORI_TERMINE", "FUORI_TERMINE"]
    assert list(by_minute) == ["", "", "FUORI_TERMINE"]


def test_at_the_minute_seconds_do_not_break_ties_the_lottery_does() -> None:
    rows = apps(4)
    for i, row in enumerate(rows):
        row["submitted_at"] = f"2017-06-10 10:32:{50 - 10 * i:02d}"  # later ids, earlier seconds
    by_second = run(rows)
    assert order(by_second) == ["P1-103", "P1-102", "P1-101", "P1-100"]
    by_minute = run(rows, call__submission__granularity="minute")
    assert order(by_minute) == sorted(order(by_minute), key=lambda a: sha(f"{SEED}:{a}"))
    text = explain_application(by_minute, "P1-100")
    assert "presentata il 10/06/2017 10:32:50 (al minuto: 10/06/2017 10:32)" in text
    assert "orari contati al minuto (i secondi non contano)" in text


def test_at_the_minute_the_duplicates_tie_goes_to_the_lottery() -> None:
    rows = apps(2)
    rows[1]["applicant_tax_code"] = rows[0]["applicant_tax_code"]
    rows[0]["submitted_at"], rows[1]["submitted_at"] = "2017-06-10 10:32:10", "2017-06-10 10:32:40"
    by_second = run(rows).units.set_index("application_id")["exclusion_reasons"]
    assert by_second["P1-100"] == "DOMANDA_SOSTITUITA"  # the last counts
    r = run(rows, call__submission__granularity="minute")
    reasons = r.units.set_index("application_id")["exclusion_reasons"]
    winner = min(["P1-100", "P1-101"], key=lambda a: sha(f"{SEED}:{a}"))
    assert reasons[winner] == ""
    assert (reasons == "DOMANDA_SOSTITUITA").sum() == 1
