"""One definition of an outcome (engine/outcomes.py): the terminal, the Riepilogo sheet, the
manifest, the public list and the letters count the same applications and minors, on the
example call and on a generated call of 5,000 applications."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from conciliare_cli import runs
from conciliare_cli.demo import generate_call
from conciliare_cli.engine.outcomes import application_outcomes, outcome_counts
from conciliare_cli.letters.common import ListSource
from conciliare_cli.letters.context import build_letters
from conciliare_cli.publish import build_manifest, public_list
from conciliare_cli.status import Status
from conciliare_cli.write.graduatoria import print_summary, write_graduatoria_xlsx

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"
RUN = dt.date(2017, 9, 15)


@pytest.fixture(scope="module", params=["example", "generated"])
def result(request, tmp_path_factory):
    if request.param == "example":
        return runs.run(EXAMPLE, run_date=RUN)
    folder = tmp_path_factory.mktemp("gen") / "bando"
    generate_call(folder, 5000, seed=2017, partners=5)
    return runs.run(folder, run_date=RUN)


def _terminal(result) -> dict[str, tuple[int, int]]:
    console = Console(record=True, width=140)
    print_summary(result, console)
    text = console.export_text()
    out = {}
    for s in [*Status, None]:
        label = s.label if s is not None else "Totale"
        m = re.search(rf"│ {re.escape(label)}\s+│\s+([\d.]+) │\s+([\d.]+) │", text)
        assert m, label
        out[label] = (int(m[1].replace(".", "")), int(m[2].replace(".", "")))
    return out


def _riepilogo(result, tmp_path) -> dict[str, tuple[int, int]]:
    path = write_graduatoria_xlsx(result, tmp_path / "g.xlsx", run_date=RUN)
    rows = list(openpyxl.load_workbook(path)["Riepilogo"].iter_rows(values_only=True))
    labels = {s.label for s in Status}
    return {r[0]: (r[1], r[2]) for r in rows if r and r[0] in labels}


def test_every_output_counts_the_same(result, tmp_path) -> None:
    counts = outcome_counts(result).set_index("label")
    expected = {lab: (int(r.applications), int(r.minors)) for lab, r in counts.iterrows()}
    n_apps = result.minors["application_id"].nunique()
    assert sum(a for a, _ in expected.values()) == n_apps
    assert sum(m for _, m in expected.values()) == len(result.minors)
    # the terminal
    terminal = _terminal(result)
    assert terminal.pop("Totale") == (n_apps, len(result.minors))
    assert terminal == expected
    # the Riepilogo sheet
    assert _riepilogo(result, tmp_path) == expected
    # the manifest
    manifest = build_manifest(result, tmp_path, "PROVVISORIA", RUN)
    by_code = {s.value: expected[s.label] for s in Status}
    assert manifest["counts"]["applications"] == {c: a for c, (a, _m) in by_code.items()}
    assert manifest["counts"]["minors"] == {c: m for c, (_a, m) in by_code.items()}
    # the public list: one row per application, its outcome
    plist = public_list(result)
    public = list(plist.ranked["status"]) + list(plist.excluded["status"])
    for s in Status:
        assert public.count(s.public_label) == by_code[s.value][0], s
    # the letters: one per application decided, with its outcome
    letters = build_letters(result, ListSource("PROVVISORIA", RUN, "0" * 64))
    outcome = application_outcomes(result.minors)
    assert len(letters) == int((outcome != Status.TO_REGULARISE.value).sum())
    for s in Status:
        if s is not Status.TO_REGULARISE:
            assert sum(x.outcome == s.value for x in letters) == by_code[s.value][0], s
