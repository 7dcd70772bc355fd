"""The public graduatoria (conciliare_cli/publish/public.py, pdf.py): what is published, what
is never published, and byte-identical files."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_publish_support import (
    EMAILS,
    NAMES,
    RUN_DATE,
    TAX_CODES,
    make_call_folder,
    make_result,
    needs_pdf,
    pdf_text,
    xlsx_numbers,
    xlsx_texts,
)

from conciliare_cli.config import load_call
from conciliare_cli.errors import ConfigError
from conciliare_cli.publish import (
    PUBLIC_PDF,
    PUBLIC_XLSX,
    pseudonym,
    public_id_for,
    public_list,
    sensitive_criteria,
    write_public,
)

pytestmark = [pytest.mark.pdf, needs_pdf]

PSEUDO = 'publication:\n  public_id: pseudonym\n  pseudonym_salt: "sale segreto 2017"\n'


@pytest.fixture
def call_folder(tmp_path: Path) -> Path:
    return make_call_folder(tmp_path / "bando")


def _write(result, out: Path, status: str = "PROVVISORIA", run_date: dt.date = RUN_DATE):
    paths = write_public(result, out, status, run_date)
    assert [p.name for p in paths] == [PUBLIC_XLSX, PUBLIC_PDF]
    return paths


def _all_text(xlsx: Path, pdf: Path) -> str:
    return "\n".join(xlsx_texts(xlsx)) + "\n" + pdf_text(pdf)


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ----------------------------------------------------------------------------- privacy


def test_public_files_hold_no_names_tax_codes_emails_or_health_data(call_folder, tmp_path):
    result = make_result(call_folder)
    xlsx, pdf = _write(result, tmp_path / "out")
    text = _all_text(xlsx, pdf)
    squeezed = _no_space(text).upper()
    for value in NAMES:
        assert not re.search(rf"\b{re.escape(value)}\b", text), value
    for value in TAX_CODES + EMAILS:
        assert value.upper() not in squeezed, value
    # nothing that tells disability or learning difficulty: no such column, no criterion, no
    # reason code of an exclusion
    for word in ("Disabilit", "DSA", "BES", "104", "disabilita", "dsa_bes", "FUORI_TERMINE"):
        assert word not in text, word
    # the application ids are there (the default public id), the excluded one as "Non ammessa"
    for app in ("ASST-0001", "ASST-0002", "ATS-0001", "ATS-0002", "ASST-0003"):
        assert app in text
    assert "Non ammessa" in text


def test_score_hidden_when_a_criterion_is_sensitive(call_folder, tmp_path):
    result = make_result(call_folder)
    assert sensitive_criteria(result) == ["disabilita", "dsa_bes"]
    xlsx, pdf = _write(result, tmp_path / "out")
    text = _all_text(xlsx, pdf)
    assert "Punteggio" not in xlsx_texts(xlsx)
    # the scores 37.5, 29.25, 19.125 appear nowhere, in any format
    for shown in ("37,5", "29,25", "19,125", "37.5", "29.25", "19.125"):
        assert shown not in text
    assert not {37.5, 29.25, 19.125} & set(xlsx_numbers(xlsx))
    plist = public_list(result)
    assert plist.score_hidden and "score" not in plist.columns


def test_criterion_on_a_health_field_is_sensitive_even_when_not_flagged(tmp_path):
    folder = make_call_folder(tmp_path / "bando", drop_sensitive=True)
    config = load_call(folder).config
    assert not any(c.sensitive for c in config.criteria)
    result = make_result(folder)
    assert sensitive_criteria(result) == ["disabilita", "dsa_bes"]
    assert public_list(result).score_hidden


def test_score_published_when_the_call_allows_it(tmp_path):
    folder = make_call_folder(
        tmp_path / "bando", publication="publication:\n  hide_score_when_sensitive: false\n"
    )
    result = make_result(folder)
    xlsx, pdf = _write(result, tmp_path / "out")
    assert "Punteggio" in xlsx_texts(xlsx)
    assert {37.5, 29.25, 19.125} <= set(xlsx_numbers(xlsx))
    assert "37,5" in pdf_text(pdf) and "19,125" in pdf_text(pdf)


def test_only_the_configured_columns(tmp_path):
    folder = make_call_folder(
        tmp_path / "bando", publication="publication:\n  columns: [public_id, status]\n"
    )
    xlsx, pdf = _write(make_result(folder), tmp_path / "out")
    texts = xlsx_texts(xlsx)
    assert "Protocollo" in texts and "Esito" in texts
    assert "Posizione" not in texts and "Importo assegnato" not in texts
    assert "300,00" not in pdf_text(pdf)


def test_excluded_listed_by_id_with_neutral_wording_only(call_folder):
    plist = public_list(make_result(call_folder))
    assert plist.excluded["public_id"].tolist() == ["ASST-0003"]
    assert plist.excluded["status"].tolist() == ["Non ammessa"]
    assert list(plist.excluded.columns) == ["public_id", "status"]
    assert plist.ranked["rank"].tolist() == [1, 2, 3, 4]
    assert plist.ranked["awarded_cents"].tolist() == [30000, 55000, 12345, 0]


# ----------------------------------------------------------------------------- pseudonyms


def test_pseudonymous_codes(tmp_path):
    folder = make_call_folder(tmp_path / "bando", publication=PSEUDO)
    result = make_result(folder)
    xlsx, pdf = _write(result, tmp_path / "out")
    text = _all_text(xlsx, pdf)
    apps = result.units["application_id"].tolist()
    for app in apps:
        code = hmac.new(b"sale segreto 2017", app.encode(), hashlib.sha256).hexdigest()[:10]
        assert pseudonym("sale segreto 2017", app) == code.upper()
        assert public_id_for(result.call.config, app) == code.upper()
        assert code.upper() in text
        assert app not in text
    assert "Codice" in xlsx_texts(xlsx)
    assert all(re.fullmatch(r"[0-9A-F]{10}", c) for c in public_list(result).ranked["public_id"])


def test_pseudonym_without_salt_is_a_config_error(tmp_path):
    folder = make_call_folder(
        tmp_path / "bando", publication="publication:\n  public_id: pseudonym\n"
    )
    with pytest.raises(ConfigError) as err:
        load_call(folder)
    assert "pseudonym_salt" in str(err.value)
    assert re.search(r"bando\.yaml, riga \d+, publication", str(err.value))


def test_minor_units_get_one_public_id_each(call_folder):
    result = make_result(call_folder)
    units = result.units
    two = units[units["application_id"] == "ASST-0002"].index[0]
    extra = units.loc[[two]].assign(unit_id="ASST-0002|B", rank=5)
    units = units.assign(unit_id=units["unit_id"] + "|A")
    result.units = pd.concat([units, extra], ignore_index=True)
    config = result.call.config
    result.call = type(result.call)(
        config=config.model_copy(
            update={"ranking": config.ranking.model_copy(update={"unit": "minor"})}
        ),
        folder=result.call.folder,
        path=result.call.path,
        rules_sha256=result.call.rules_sha256,
        lines=result.call.lines,
    )
    ids = public_list(result).ranked["public_id"].tolist()
    assert "ASST-0002/1" in ids and "ASST-0002/2" in ids and "ASST-0001/1" in ids
    assert not any("|" in i for i in ids)


# ----------------------------------------------------------------------------- status


@pytest.mark.parametrize("status", ["PROVVISORIA", "DEFINITIVA"])
def test_status_on_every_public_file(call_folder, tmp_path, status):
    xlsx, pdf = _write(make_result(call_folder), tmp_path / "out", status=status)
    other = "DEFINITIVA" if status == "PROVVISORIA" else "PROVVISORIA"
    text = _all_text(xlsx, pdf)
    assert status in text and other not in text
    assert "15/09/2017" in text


def test_unknown_status_is_refused(call_folder, tmp_path):
    with pytest.raises(ValueError):
        write_public(make_result(call_folder), tmp_path / "out", "BOZZA", RUN_DATE)


# ----------------------------------------------------------------------------- escaping


def test_text_from_the_rules_is_printed_as_it_is(call_folder, tmp_path):
    # The PDF is drawn directly (no HTML): text from the rules is text, never markup.
    from conciliare_cli.publish.pdf import write_public_pdf

    plist = public_list(make_result(call_folder))
    title = 'Bando </style><script>alert("x")</script> & "co"'
    pdf = write_public_pdf(
        plist, tmp_path / "p.pdf", title=title, status="PROVVISORIA", run_date=RUN_DATE
    )
    text = pdf_text(pdf)
    assert '<script>alert("x")</script> & "co"' in text


# ----------------------------------------------------------------------------- bytes


def test_public_files_are_byte_identical_across_runs(call_folder, tmp_path):
    result = make_result(call_folder)
    first = _write(result, tmp_path / "a")
    second = _write(make_result(call_folder), tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    # and the date really is in them: another run date gives other bytes
    third = _write(result, tmp_path / "c", run_date=dt.date(2017, 9, 16))
    for a, c in zip(first, third, strict=True):
        assert a.read_bytes() != c.read_bytes(), a.name


def test_xlsx_dates_are_fixed(call_folder, tmp_path):
    xlsx, _ = _write(make_result(call_folder), tmp_path / "out")
    with zipfile.ZipFile(xlsx) as zf:
        dates = {i.date_time for i in zf.infolist()}  # XlsxWriter's fixed 1980 date
        assert len(dates) == 1 and next(iter(dates))[0] == 1980
        core = zf.read("docProps/core.xml").decode()
    assert "2017-09-15T00:00:00Z" in core


def test_pdf_is_pdf_a_dated_with_the_run_date(call_folder, tmp_path):
    from pypdf import PdfReader

    _, pdf = _write(make_result(call_folder), tmp_path / "out")
    reader = PdfReader(str(pdf))
    meta = reader.metadata
    assert meta["/CreationDate"].startswith("D:20170915")
    assert meta["/ModDate"].startswith("D:20170915")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "pdfaid" in xmp and "2017-09-15" in xmp
    ident = reader.trailer["/ID"]
    assert len(ident) == 2


# ----------------------------------------------------------------------------- property

STATUS_CODES = ["FINANZIATA", "FINANZIATA_PARZIALMENTE", "AMMESSA_NON_FINANZIATA", "ESCLUSA"]


@given(
    statuses=st.lists(st.sampled_from(STATUS_CODES), min_size=1, max_size=40),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_unit_once_in_rank_order_property(tmp_path_factory, statuses, seed):
    import numpy as np

    folder = tmp_path_factory.getbasetemp() / "property-bando"
    if not (folder / "bando.yaml").exists():
        make_call_folder(folder, publication=PSEUDO)
    result = make_result(folder)
    rng = np.random.default_rng(seed)
    n = len(statuses)
    ranked = [s != "ESCLUSA" for s in statuses]
    ranks = iter(range(1, n + 1))
    units = pd.DataFrame(
        {
            "unit_id": [f"APP-{i:03d}" for i in range(n)],
            "application_id": [f"APP-{i:03d}" for i in range(n)],
            "score": rng.integers(0, 40, n).astype(float),
            "rank": pd.array([next(ranks) if r else None for r in ranked], dtype="Int64"),
            "status": statuses,
            "awarded_cents": pd.array(rng.integers(0, 30001, n), dtype="Int64"),
        }
    ).sample(frac=1, random_state=seed % 2**31)  # the units' order must not matter
    result.units = units
    plist = public_list(result)
    shown = plist.ranked["public_id"].tolist() + plist.excluded["public_id"].tolist()
    expected = [pseudonym("sale segreto 2017", a) for a in units["application_id"]]
    assert sorted(shown) == sorted(expected)  # every unit exactly once
    assert plist.ranked["rank"].tolist() == sorted(plist.ranked["rank"].tolist())
    assert len(plist.excluded) == statuses.count("ESCLUSA")
    assert set(plist.excluded["status"]) <= {"Non ammessa"}
    assert "Non ammessa" not in set(plist.ranked["status"])
