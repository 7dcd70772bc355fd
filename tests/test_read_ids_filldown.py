"""Ids and layouts as partners write them: partner codes with hyphens, ids from the content of
a row without protocol (never its position), application fields written once per application
(read/filldown.py), words meaning "not declared" (read/notdeclared.py)."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_read_support import BASIC_COLUMNS, BASIC_HEADER, make_call, partner, write_csv, write_xlsx

from conciliare_cli.config import load_call
from conciliare_cli.errors import ConfigError
from conciliare_cli.read import application_ids, read_call

D = dt.datetime
CF_A, CF_B = "RSSMRA80A01H501U", "BNCLCU80A01D142X"
KIDS = ["RSSLCU10A01D142Y", "RSSANN12C41D142Z", "BNCMRC11B02D142K", "VRDGNN11C03D142W"]


def row(proto, cf, minor, *, when=D(2017, 7, 1, 10, 0), isee=10000, dis="NO", cost=300):
    return [proto, when, cf, isee, minor, D(2012, 5, 1), dis, cost]


def codes(result, *cols: str) -> list[tuple]:
    return result.findings[["code", *cols]].to_records(index=False).tolist()


# ------------------------------------------------------------------ ids


def test_a_partner_code_with_hyphens(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": [BASIC_HEADER, row(12, CF_A, KIDS[0])]})
    result = read_call(make_call(tmp_path / "c", [partner(pid="ASST-CREMA")]))
    assert result.minors["application_id"].tolist() == ["ASST-CREMA-12"]
    assert result.minors["partner_id"].tolist() == ["ASST-CREMA"]


@pytest.mark.parametrize("pid", ["ASST-", "-ASST", "ASST--CREMA", "ASST CREMA", "1ASST"])
def test_partner_codes_that_cannot_be_ids(tmp_path: Path, pid: str) -> None:
    with pytest.raises(ConfigError) as err:
        make_call(tmp_path / "c", [partner(pid=pid)])
    assert "partners[0].id" in err.value.render()


WEB_COLUMNS = {k: v for k, v in BASIC_COLUMNS.items() if k != "application_id"}
WEB_HEADER = list(WEB_COLUMNS.values())


def web_rows() -> list[list[Any]]:
    return [
        ["01/07/2017 10:00:05", CF_A, "10000", KIDS[0], "01/05/2012", "NO", "300"],
        ["01/07/2017 10:00:05", CF_A, "10000", KIDS[1], "01/05/2012", "NO", "300"],
        ["02/07/2017 09:00:00", CF_A, "10000", KIDS[1], "01/05/2012", "NO", "300"],
        ["03/07/2017 09:00:00", CF_B, "8000", KIDS[2], "01/05/2012", "SI", "300"],
    ]


def read_web(folder: Path, rows: list[list[Any]]) -> pd.DataFrame:
    write_csv(folder / "partner/web.csv", [WEB_HEADER, *rows])
    call = make_call(folder, [partner("partner/web.csv", WEB_COLUMNS, pid="WEB")])
    return read_call(call).minors


def test_a_web_form_without_protocols_gets_ids_from_the_content(tmp_path: Path) -> None:
    m = read_web(tmp_path / "c", web_rows())
    ids = m["application_id"].tolist()
    assert ids[0] == ids[1] != ids[2] != ids[3]  # same applicant and second: one application
    digest = __import__("hashlib").sha256(f"{CF_A}|2017-07-01T10:00:05".encode()).hexdigest()
    assert ids[0] == "WEB-" + digest[:10].upper()


@settings(max_examples=10)
@given(seed=st.integers(0, 10_000))
def test_ids_without_protocol_never_depend_on_the_row_order(tmp_path_factory, seed: int) -> None:
    base = read_web(tmp_path_factory.mktemp("a"), web_rows())
    rows = web_rows()
    random.Random(seed).shuffle(rows)
    shuffled = read_web(tmp_path_factory.mktemp("b"), rows)
    key = ["minor_tax_code", "submitted_at"]
    a = base.sort_values(key)[["application_id", *key]].reset_index(drop=True)
    b = shuffled.sort_values(key)[["application_id", *key]].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_two_contents_sharing_ten_digits_get_sixteen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Made to collide: the digest of every text starts the same way."""
    import conciliare_cli.read as reader

    class Fake:
        def __init__(self, data: bytes):
            self.rest = reader.hashlib.md5(data).hexdigest()

        def hexdigest(self) -> str:
            return "abcdef0123" + self.rest

    monkeypatch.setattr(reader.hashlib, "sha256", Fake)
    table = pd.DataFrame(
        {
            "application_id": pd.array([None, None, "7"], dtype="string"),
            "applicant_tax_code": pd.array([CF_A, CF_B, CF_B], dtype="string"),
            "submitted_at": pd.to_datetime(["2017-07-01", "2017-07-01", "2017-07-01"]),
        }
    )
    ids = application_ids("W", table).tolist()
    assert ids[2] == "W-7"
    assert ids[0] != ids[1] and all(len(i) == len("W-") + 16 for i in ids[:2])


def test_rows_sharing_no_content_are_not_one_application() -> None:
    table = pd.DataFrame(
        {
            "application_id": pd.array([None, None], dtype="string"),
            "applicant_tax_code": pd.array([None, None], dtype="string"),
            "submitted_at": pd.to_datetime([None, None]),
            "isee": pd.array([100, 200], dtype="Int64"),
        }
    )
    from conciliare_cli.fields import CANONICAL_FIELDS

    ids = application_ids("W", table, fields=dict(CANONICAL_FIELDS)).tolist()
    assert ids[0] != ids[1]


# ------------------------------------------------------------------ fill-down


def test_application_fields_on_the_first_row_only_are_filled_down(tmp_path: Path) -> None:
    blank = [None, None, None, None]
    rows = [
        BASIC_HEADER,
        row(1, CF_A, KIDS[0], isee=12500),
        [*blank, KIDS[1], D(2012, 5, 1), "SI", 250],
        None,  # an empty row between the minors of one application
        [*blank, KIDS[3], D(2011, 3, 3), "NO", 100],
        row(2, CF_B, KIDS[2], isee=8000),
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    m = result.minors
    assert m["application_id"].tolist() == ["P1-1", "P1-1", "P1-1", "P1-2"]
    assert m["isee"].tolist() == [1250000, 1250000, 1250000, 800000]
    assert m["applicant_tax_code"].tolist() == [CF_A, CF_A, CF_A, CF_B]
    assert m["disability"].tolist() == [False, True, False, False]  # minors' own fields
    assert "RIGA_SENZA_DOMANDA" not in set(result.findings["code"])


def test_a_row_without_protocol_that_cannot_be_placed_is_reported(tmp_path: Path) -> None:
    rows = [
        BASIC_HEADER,
        [None, None, None, None, KIDS[3], D(2011, 3, 3), "NO", 100],  # nothing above
        row(1, CF_A, KIDS[0], isee=12500),
        [None, None, CF_B, 9000, KIDS[1], D(2012, 5, 1), "NO", 250],  # another applicant
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    found = result.findings[result.findings["code"] == "RIGA_SENZA_DOMANDA"]
    assert found["source_row"].tolist() == [2, 4]
    assert found["severity"].unique().tolist() == ["AVVISO"]
    assert "nessuna domanda nelle righe sopra" in found["message"].iloc[0]
    assert "diversi dalla riga 3 (CF richiedente, ISEE)" in found["message"].iloc[1]
    m = result.minors.set_index("source_row")
    assert m.loc[4, "applicant_tax_code"] == CF_B and m.loc[4, "isee"] == 900000
    assert len(set(m["application_id"])) == 3


def test_an_unreadable_cell_is_not_filled_from_another_row(tmp_path: Path) -> None:
    rows = [
        BASIC_HEADER,
        row(1, CF_A, KIDS[0], isee=12500),
        row(1, CF_A, KIDS[1], isee="trecento"),
        row(1, CF_A, KIDS[3], isee=None),
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert result.minors["isee"].astype("Float64").tolist() == [1250000, pd.NA, 1250000]
    assert ("IMPORTO_NON_LEGGIBILE", 3) in codes(result, "source_row")


# ------------------------------------------------------------------ not declared


def call_with_words(folder: Path, words: list[str], partners: list[dict[str, Any]]) -> Any:
    make_call(folder, partners)
    path = folder / "bando.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + f"\nnot_declared: {json.dumps(words)}\n",
        encoding="utf-8",
    )
    return load_call(folder)


def test_words_meaning_not_declared_are_missing_with_a_warning(tmp_path: Path) -> None:
    rows = [
        BASIC_HEADER,
        row(1, CF_A, KIDS[0], isee="Non  presentato ", cost="in attesa"),
        row(2, CF_B, KIDS[2], isee="in attesa", dis="da verificare"),
    ]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    write_xlsx(tmp_path / "c/partner/b.xlsx", {"S": rows})
    call = call_with_words(
        tmp_path / "c",
        ["non presentato", "in attesa"],
        [
            partner("partner/a.xlsx", not_declared=["Da verificare"]),
            partner("partner/b.xlsx", pid="P2"),
        ],
    )
    result = read_call(call)
    m = result.minors.set_index(["partner_id", "source_row"])
    assert m["isee"].isna().all()
    assert pd.isna(m.loc[("P1", 2), "requested_eur"])
    assert pd.isna(m.loc[("P1", 3), "disability"])
    f = result.findings
    undeclared = f[f["code"] == "DATO_NON_DICHIARATO"]
    assert sorted(
        zip(undeclared["partner_id"], undeclared["field"], undeclared["value"], strict=True)
    ) == [
        ("P1", "disability", "da verificare"),
        ("P1", "isee", "Non  presentato "),
        ("P1", "isee", "in attesa"),
        ("P1", "requested_eur", "in attesa"),
        ("P2", "isee", "Non  presentato "),
        ("P2", "isee", "in attesa"),
        ("P2", "requested_eur", "in attesa"),
    ]
    assert set(undeclared["severity"]) == {"AVVISO"}
    # "da verificare" is P1's word only: for P2 it is an unreadable yes/no
    assert ("SI_NO_NON_LEGGIBILE", "P2") in codes(result, "partner_id")
    assert not (f["code"] == "IMPORTO_NON_LEGGIBILE").any()


def test_without_words_nothing_changes(tmp_path: Path) -> None:
    rows = [BASIC_HEADER, row(1, CF_A, KIDS[0], isee="non presentato")]
    write_xlsx(tmp_path / "c/partner/a.xlsx", {"S": rows})
    result = read_call(make_call(tmp_path / "c", [partner()]))
    assert codes(result, "value") == [("IMPORTO_NON_LEGGIBILE", "non presentato")]


def test_the_readme_worked_id_is_what_the_reader_gives(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "the id is `WEB-27EC4DE023`" in readme
    m = read_web(tmp_path / "c", web_rows()[:1])
    assert m["application_id"].tolist() == ["WEB-27EC4DE023"]
