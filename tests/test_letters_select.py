"""Letters built for a selection (--ids, --only) say exactly what they say in the whole run."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from letters_fixtures import synthetic_result

from conciliare_cli.letters import OUTCOMES, ListSource, build_letters, prepare_letters

RUN_DATE = dt.date(2017, 9, 15)
SOURCE = ListSource("DEFINITIVA", RUN_DATE, "ab" * 32)


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    result = synthetic_result(tmp_path_factory.mktemp("sel") / "bando", 40)
    letters = prepare_letters(result, SOURCE)
    return result, letters


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_selected_letters_are_the_same_as_in_the_whole_run(whole, data):
    result, letters = whole
    all_ids = sorted(letter.application_id for letter in letters)
    ids = (
        data.draw(st.sets(st.sampled_from(all_ids), min_size=1))
        if data.draw(st.booleans())
        else None
    )
    only = (
        data.draw(st.sets(st.sampled_from(OUTCOMES), min_size=1))
        if data.draw(st.booleans())
        else None
    )
    chosen = prepare_letters(result, SOURCE, ids=ids, only=only)
    expected = [
        letter
        for letter in letters
        if (ids is None or letter.application_id in ids)
        and (only is None or letter.outcome in only)
    ]
    assert [x.application_id for x in chosen] == [x.application_id for x in expected]  # order
    for got, want in zip(chosen, expected, strict=True):
        assert (got.outcome, got.file_stem, got.context) == (
            want.outcome,
            want.file_stem,
            want.context,
        )


def test_only_drops_the_other_outcomes_before_building(whole):
    result, letters = whole
    excluded = build_letters(result, SOURCE, only={"ESCLUSA"})
    assert excluded and {x.outcome for x in excluded} == {"ESCLUSA"}
    assert len(excluded) == sum(x.outcome == "ESCLUSA" for x in letters)
    assert build_letters(result, SOURCE, ids={"nessuna"}) == []
