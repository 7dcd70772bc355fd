"""The anomalies workbooks (conciliare_cli/write/anomalies.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conciliare_cli.config import load_call
from conciliare_cli.findings import CATALOGUE, FINDING_COLUMNS, make_findings, sort_findings
from conciliare_cli.write.anomalies import (
    legend_frame,
    summary_frame,
    write_anomalies,
)

ROOT = Path(__file__).resolve().parent.parent
RUN = dt.date(2017, 8, 10)


@dataclass
class Partner:
    partner_id: str
    name: str


PARTNERS = [
    Partner("ASST", "ASST di Crema"),
    Partner("COMUNE", "Comune di Crema"),
    Partner("CLEAN", "Ente senza anomalie"),
]


@pytest.fixture(scope="module")
def call():
    return load_call(ROOT / "rules" / "conciliare-2017.yaml")


def findings() -> pd.DataFrame:
    rows_cf = pd.DataFrame(
        {
            "partner_id": ["COMUNE", "ASST", "ASST"],
            "source_file": ["partner/comune.csv", "partner/asst.xlsx", "partner/asst.xlsx"],
            "source_sheet": ["", "Domande", "Domande"],
            "source_row": [12, 10, 2],
            "column": ["CF", "CF figlio 1", "CF figlio 1"],
            "field": ["minor_tax_code"] * 3,
            "value": ["=HYPERLINK(1)", "RSSMRA", "+39 333"],
            "application_id": ["C-12", "A-10", "A-2"],
        }
    )
    f1 = make_findings("CF_NON_VALIDO", rows_cf, detail="lunghezza")
    f2 = make_findings(
        "COLONNA_NON_USATA",
        partner_id="ASST",
        source_file="partner/asst.xlsx",
        source_sheet="Domande",
        column="Note",
    )
    f3 = make_findings(
        "DATA_NON_LEGGIBILE",
        pd.DataFrame(
            {
                "partner_id": ["ASST"],
                "source_file": ["partner/asst.xlsx"],
                "source_sheet": ["Domande"],
                "source_row": [10],
                "column": ["Data nascita"],
                "field": ["minor_birth_date"],
                "value": ["31/02/2010"],
            }
        ),
    )
    return pd.concat([f1, f2, f3], ignore_index=True)


def read_table(ws, first_header: str) -> tuple[list[str], list[list]]:
    rows = list(ws.iter_rows(values_only=True))
    h = next(i for i, r in enumerate(rows) if r[0] == first_header)
    header = list(rows[h])
    data = [list(r) for r in rows[h + 1 :] if any(v is not None for v in r)]
    return header, data


def test_sort_is_by_location_not_input_order():
    f = findings()
    a = sort_findings(f)
    b = sort_findings(f.sample(frac=1, random_state=3))
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == FINDING_COLUMNS
    # partner, file, sheet, row (numeric), column, code
    assert list(a["partner_id"]) == ["ASST", "ASST", "ASST", "ASST", "COMUNE"]
    assert list(a["source_row"].iloc[:4]) == [2, 10, 10, None]
    assert list(a["code"].iloc[1:3]) == ["CF_NON_VALIDO", "DATA_NON_LEGGIBILE"]


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_sort_independent_of_order_property(rnd):
    f = pd.concat([findings()] * 2, ignore_index=True)
    idx = list(f.index)
    rnd.shuffle(idx)
    pd.testing.assert_frame_equal(sort_findings(f), sort_findings(f.loc[idx]))


def test_summary_counts_every_partner():
    s = summary_frame(findings(), PARTNERS).set_index("partner_id")
    assert list(s.index) == ["ASST", "COMUNE", "CLEAN"]
    assert s.loc["ASST", "blocking"] == 3 and s.loc["ASST", "warning"] == 1
    assert s.loc["ASST", "rows"] == 2  # rows 2 and 10 (the file-level note has no row)
    assert s.loc["CLEAN", "total"] == 0


def test_legend_is_the_catalogue():
    leg = legend_frame()
    assert set(leg["code"]) == set(CATALOGUE)
    assert list(leg["code"]) == sorted(CATALOGUE)


def test_workbooks(tmp_path, call):
    paths = write_anomalies(findings(), PARTNERS, tmp_path, call, RUN)
    assert paths == [
        tmp_path / "anomalie.xlsx",
        tmp_path / "anomalie" / "ASST.xlsx",
        tmp_path / "anomalie" / "COMUNE.xlsx",
        tmp_path / "anomalie" / "CLEAN.xlsx",
    ]
    wb = openpyxl.load_workbook(paths[0])
    assert wb.sheetnames == ["Anomalie", "Riepilogo", "Da regolarizzare", "Legenda"]
    header, data = read_table(wb["Anomalie"], "Partner")
    assert header[:10] == [
        "Partner",
        "File",
        "Foglio",
        "Riga",
        "Colonna",
        "Campo",
        "Valore",
        "Codice",
        "Gravità",
        "Messaggio",
    ]
    assert len(data) == 5
    assert [r[7] for r in data] == [
        "CF_NON_VALIDO",
        "CF_NON_VALIDO",
        "DATA_NON_LEGGIBILE",
        "COLONNA_NON_USATA",
        "CF_NON_VALIDO",
    ]
    assert data[0][5] == "CF minore"  # the field's Italian label
    assert wb["Anomalie"].oddFooter.center.text == "Pagina &P di &N"
    # formula-like values stay text
    ws = wb["Anomalie"]
    values = [c for row in ws.iter_rows() for c in row if c.value in ("=HYPERLINK(1)", "+39 333")]
    assert len(values) == 2 and all(c.data_type == "s" for c in values)

    _, legend = read_table(wb["Legenda"], "Codice")
    assert {r[0] for r in legend} == set(CATALOGUE)
    _, summary = read_table(wb["Riepilogo"], "Partner")
    assert summary[0][:6] == ["ASST", "ASST di Crema", 3, 1, 4, 2]
    assert summary[-1][0] == "Totale" and summary[-1][2:6] == [4, 1, 5, 3]

    asst = openpyxl.load_workbook(paths[1])
    header, rows = read_table(asst["Anomalie"], "File")
    assert "Partner" not in header  # a partner's own file: its rows only
    assert {r[0] for r in rows} == {"partner/asst.xlsx"} and len(rows) == 4
    top = [asst["Anomalie"].cell(r, 1).value or "" for r in range(1, 8)]
    assert any("inviatelo di nuovo" in t for t in top)
    _, leg = read_table(asst["Legenda"], "Codice")
    assert {r[0] for r in leg} == {"CF_NON_VALIDO", "DATA_NON_LEGGIBILE", "COLONNA_NON_USATA"}

    clean = openpyxl.load_workbook(paths[3])
    header, rows = read_table(clean["Anomalie"], "File")
    assert rows == [["Nessuna anomalia: non c'è nulla da correggere."] + [None] * (len(header) - 1)]


def test_identical_bytes_whatever_the_order(tmp_path, call):
    a, b = tmp_path / "a", tmp_path / "b"
    f = findings()
    pa = write_anomalies(f, PARTNERS, a, call, RUN)
    pb = write_anomalies(f.iloc[::-1], PARTNERS, b, call, RUN)
    for x, y in zip(pa, pb, strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_no_findings(tmp_path, call):
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS})
    paths = write_anomalies(empty, PARTNERS[:1], tmp_path, call, RUN)
    assert len(paths) == 2
    _, rows = read_table(openpyxl.load_workbook(paths[0])["Anomalie"], "Partner")
    assert rows[0][0] == "Nessuna anomalia."
