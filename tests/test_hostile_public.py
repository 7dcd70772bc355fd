"""Regression tests of issue 11, second part: health data in the public list.

A reserve (or a fund) conditioned on a health field funds some applications below the first
"Ammessa non finanziata": the public list must not show which. With such a condition the list
shows the funded by public id, without position or score, then the waiting list in its order
(publish/health_order.py); without one it is unchanged."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from test_publish_support import needs_pdf, pdf_text, xlsx_texts

from conciliare_cli.config import load_call
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.publish import PUBLIC_PDF, PUBLIC_XLSX, public_list, write_public
from conciliare_cli.publish.health_order import health_conditions
from conciliare_cli.runs import run
from conciliare_cli.status import Status

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"
RESERVE = """reserves:
  - id: DSA
    description: "Quota riservata alle domande con minori con DSA o BES"
    fund: FSE
    share: 0.50
    condition: "any(learning_difficulty)"
"""
FUNDED = {Status.FUNDED.public_label, Status.PARTIAL.public_label}
WAITING = Status.WAITING.public_label


def _call(folder: Path, reserves: str = RESERVE, *edits: tuple[str, str]) -> Path:
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("esiti", "README.md"))
    text = (folder / "bando.yaml").read_text(encoding="utf-8")
    text = text.replace("reserves: []\n", reserves, 1)
    text = text.replace("amount_eur: 100000", "amount_eur: 40000", 1)
    text = text.replace("amount_eur: 44000", "amount_eur: 10000", 1)
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    (folder / "bando.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reserved(tmp_path_factory: pytest.TempPathFactory):
    """The example call with a reserve for minors with DSA/BES and less money: a result where
    some applications are funded out of order by the reserve."""
    return run(_call(tmp_path_factory.mktemp("public") / "bando"))


def _out_of_order(result) -> set[str]:
    units = result.units.sort_values("rank")
    status = units["status"].astype(str)
    first_wait = status.eq(Status.WAITING.value).to_numpy().argmax()
    below = units.iloc[first_wait:]
    return set(below[below["status"].astype(str).str.startswith("FINANZIATA")]["application_id"])


def test_the_scenario_funds_out_of_order(reserved) -> None:
    assert len(_out_of_order(reserved)) >= 3
    assert health_conditions(reserved.rules) == ["riserva DSA"]


def test_the_public_list_shows_no_order_of_the_funded(reserved) -> None:
    plist = public_list(reserved)
    assert "rank" not in plist.columns and "score" not in plist.columns and plist.score_hidden
    table = plist.ranked
    funded = table["status"].isin(FUNDED).to_numpy()
    n = int(funded.sum())
    assert funded[:n].all() and not funded[n:].any()  # every funded unit before the others
    assert table["public_id"][:n].tolist() == sorted(table["public_id"][:n])
    units = reserved.units
    waiting = units[units["status"].astype(str) == Status.WAITING.value].sort_values("rank")
    assert table["public_id"][n:].tolist() == waiting["application_id"].tolist()
    assert "riserva DSA" in plist.notes[-1] and "senza posizione né punteggio" in plist.notes[-1]


def test_the_funded_section_depends_only_on_who_was_funded(reserved) -> None:
    """Any order of the funded units gives the same published table: moving an application
    funded by the reserve to the top of the ranking changes nothing that is published."""
    plist = public_list(reserved)
    shuffled = reserved.units.copy()
    moved = sorted(_out_of_order(reserved))[0]
    at = shuffled["application_id"] == moved
    shuffled.loc[at, "rank"] = 0
    reserved_copy = type(reserved)(**{**reserved.__dict__, "units": shuffled})
    other = public_list(reserved_copy)
    pd.testing.assert_frame_equal(
        plist.ranked.drop(columns=["rank", "score"]), other.ranked.drop(columns=["rank", "score"])
    )


@needs_pdf
def test_the_published_files_say_it(reserved, tmp_path: Path) -> None:
    write_public(reserved, tmp_path, "PROVVISORIA", dt.date(2017, 9, 15))
    texts = xlsx_texts(tmp_path / PUBLIC_XLSX)
    assert "Posizione" not in texts and "Punteggio" not in texts
    assert any("riserva DSA" in t for t in texts)
    pdf = " ".join(pdf_text(tmp_path / PUBLIC_PDF).split())
    assert "Posizione" not in pdf and "Punteggio" not in pdf
    assert "senza posizione né punteggio" in pdf
    first_waiting = pdf.index(WAITING)
    assert all(pdf.rfind(label) < first_waiting for label in FUNDED if label in pdf)


@pytest.mark.parametrize(
    ("reserves", "edits", "expected"),
    [
        (RESERVE.replace("any(learning_difficulty)", "single_parent"), (), []),
        (
            "reserves: []\n",
            (("amount_eur: 10000", 'amount_eur: 10000\n    condition: "any(disability)"'),),
            ["fondo ATS"],
        ),
        (
            RESERVE.replace("any(learning_difficulty)", "caregiver"),
            (
                (
                    "fields: []",
                    'fields:\n  - {name: caregiver, kind: bool, label: "Assiste un familiare", '
                    "health: true}",
                ),
            ),
            ["riserva DSA"],
        ),
    ],
)
def test_which_conditions_count_as_health(
    tmp_path: Path, reserves: str, edits: tuple, expected: list[str]
) -> None:
    rules = compile_rules(load_call(_call(tmp_path / "bando", reserves, *edits)))
    assert health_conditions(rules) == expected


def test_without_a_health_condition_the_order_is_shown(tmp_path: Path) -> None:
    folder = _call(tmp_path / "bando", RESERVE.replace("any(learning_difficulty)", "single_parent"))
    plist = public_list(run(folder))
    assert plist.columns[0] == "rank"
    assert plist.ranked["rank"].is_monotonic_increasing
