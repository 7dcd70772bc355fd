"""Properties of the scorrimento acts over generated calls and registers of events: no award
kept moves, no pot is exceeded at any act, and the order of the register's rows never counts."""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from acts_support import write_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties_engine import calls

from conciliare_cli.acts.chain import replay
from conciliare_cli.acts.events import read_events
from conciliare_cli.acts.finallist import from_result
from conciliare_cli.demo import call_from
from conciliare_cli.engine.stages import rank_call

DATES = [dt.date(2017, 10, 16), dt.date(2017, 11, 30), dt.date(2018, 1, 15)]
KINDS = ["rinuncia", "revoca", "decadenza", "accettazione", "controllo"]


@st.composite
def registers(draw: st.DrawFn) -> tuple:
    data, table = draw(calls())
    result = rank_call(call_from(data), table, pd.DataFrame())
    base = from_result(result, {"run_date": "2017-09-15"}, "0" * 64, Path("."))
    apps = base.minors["application_id"].astype(str).unique().tolist()
    rows = []
    for _ in range(draw(st.integers(0, 8)) if apps else 0):
        app = draw(st.sampled_from(apps))
        codes = base.minors.loc[base.minors["application_id"].eq(app), "minor_tax_code"]
        minor = draw(st.sampled_from(["", *codes.astype(str).tolist()]))
        kind = draw(st.sampled_from(KINDS))
        outcome = draw(st.sampled_from(["regolare", "irregolare"])) if kind == "controllo" else ""
        day = DATES[draw(st.integers(0, 2))] - dt.timedelta(days=draw(st.integers(0, 20)))
        rows.append([day.strftime("%d/%m/%Y"), kind, app, minor, outcome, "", "", "", ""])
    order = draw(st.permutations(range(len(rows))))
    return base, rows, order


def _states(base, rows: list[list[str]]):
    with tempfile.TemporaryDirectory() as tmp:
        write_events(Path(tmp), rows)
        events = read_events(Path(tmp), base)
    return replay(base, events, DATES)


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(registers())
def test_acts_keep_awards_never_exceed_pots_and_ignore_row_order(case) -> None:
    base, rows, order = case
    states = _states(base, rows)
    budgets = base.budgets
    for prev, now in itertools.pairwise(states):
        on = ~now.removed
        # an award once given is kept (or grows) unless an event removes the minor
        assert (now.draws[on] >= prev.draws[on]).all()
        assert (now.draws[now.removed] == 0).all()
        assert (now.removed >= prev.removed).all()
        assert (now.awarded <= base.need).all() and now.draws.dtype.kind == "i"
        per_fund: dict[str, int] = {}
        for j, pot in enumerate(base.pots):
            used = int(now.draws[:, j].sum())
            per_fund[pot.fund] = per_fund.get(pot.fund, 0) + used
            if pot.is_reserve:
                assert used <= pot.amount_cents
        assert all(per_fund[f] <= budgets[f] for f in per_fund)
        assert (now.draws >= 0).all()
    shuffled = _states(base, [rows[i] for i in order])
    for a, b in zip(states, shuffled, strict=True):
        assert np.array_equal(a.draws, b.draws)
        assert list(a.status) == list(b.status)
