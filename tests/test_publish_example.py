"""The public list of the example call (examples/conciliare-2017), through the real reader and
engine: not one name, tax code, e-mail, address or health-related value in the public files."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from test_publish_support import RUN_DATE, needs_pdf, pdf_text, xlsx_numbers, xlsx_texts

pytest.importorskip("conciliare_cli.engine.stages", reason="the engine is not there yet")
pytest.importorskip("conciliare_cli.read", reason="the reader is not there yet")

from conciliare_cli import runs
from conciliare_cli.publish import public_list, write_public

pytestmark = [pytest.mark.pdf, needs_pdf]

PERSONAL = [
    "applicant_surname",
    "applicant_name",
    "applicant_email",
    "applicant_pec",
    "applicant_address",
    "applicant_phone",
    "minor_surname",
    "minor_name",
]
TAX = ["applicant_tax_code", "minor_tax_code"]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    import shutil

    from conftest import EXAMPLE

    if not (EXAMPLE / "bando.yaml").exists():
        pytest.skip("examples/conciliare-2017 is not there yet")
    folder = tmp_path_factory.mktemp("example") / "conciliare-2017"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("esiti"))
    result = runs.run(folder)
    xlsx, pdf = write_public(result, folder / "pubblica", "PROVVISORIA", RUN_DATE)
    return result, xlsx, pdf


def _values(minors: pd.DataFrame, columns: list[str]) -> set[str]:
    out: set[str] = set()
    for col in columns:
        if col in minors.columns:
            out |= {str(v).strip() for v in minors[col].dropna().tolist() if str(v).strip()}
    return out


def test_example_public_files_hold_no_personal_data(published):
    result, xlsx, pdf = published
    minors = result.minors
    text = "\n".join(xlsx_texts(xlsx)) + "\n" + pdf_text(pdf)
    squeezed = re.sub(r"\s+", "", text).upper()

    people = _values(minors, PERSONAL)
    assert len(people) > 50  # the example does have people in it
    words = set(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text))
    for value in sorted(people):
        if "@" in value:
            assert value.upper() not in squeezed, value
            continue
        for part in re.findall(r"[^\W\d_]{3,}", value):
            assert part not in words, (value, part)

    codes = {v.upper().replace(" ", "") for v in _values(minors, TAX)}
    codes = {c for c in codes if len(c) >= 11}
    assert len(codes) > 50
    for code in sorted(codes):
        assert code not in squeezed, code


def test_example_public_files_tell_nothing_about_health(published):
    result, xlsx, pdf = published
    minors = result.minors
    assert minors["disability"].fillna(False).astype(bool).any()  # there is something to hide
    text = "\n".join(xlsx_texts(xlsx)) + "\n" + pdf_text(pdf)
    for word in ("Disabilit", "disabilit", "DSA", "BES", "104/92", "L. 104", "Punteggio", "crit_"):
        assert word not in text, word
    # every number in the public Excel is a position or an amount: no score, no points
    units = result.units
    ranks = set(pd.to_numeric(units["rank"]).dropna().astype(int).tolist())
    amounts = {c / 100 for c in pd.to_numeric(units["awarded_cents"]).dropna().astype(int)}
    total = int(pd.to_numeric(units["awarded_cents"]).fillna(0).sum()) / 100
    allowed = {float(r) for r in ranks} | amounts | {total}
    assert set(xlsx_numbers(xlsx)) <= allowed
    # neither the excluded: their reasons are never published
    codes = {c for r in minors["exclusion_reasons"].dropna() for c in str(r).split(";") if c}
    assert codes  # the example has excluded applications
    for code in codes:
        assert code not in text, code


def test_example_every_unit_once(published):
    result, _, _ = published
    plist = public_list(result)
    shown = plist.ranked["public_id"].tolist() + plist.excluded["public_id"].tolist()
    assert sorted(shown) == sorted(result.units["application_id"].astype(str).tolist())
    not_ranked = result.units["status"].isin(["ESCLUSA", "DA_REGOLARIZZARE"])
    assert len(plist.excluded) == int(not_ranked.sum())
    labels = dict(zip(plist.excluded["public_id"], plist.excluded["status"], strict=True))
    for app, status in zip(result.units["application_id"], result.units["status"], strict=True):
        if status == "DA_REGOLARIZZARE":
            assert labels[app] == "In istruttoria"  # never "Non ammessa" before it is decided
        elif status == "ESCLUSA":
            assert labels[app] == "Non ammessa"


def test_example_tmp_free(published):
    """write_public leaves only its two files (no temporary files) in the folder."""
    _, xlsx, _ = published
    assert sorted(p.name for p in Path(xlsx).parent.iterdir()) == [
        "graduatoria-pubblica.pdf",
        "graduatoria-pubblica.xlsx",
    ]
