"""The graduatoria writers (conciliare_cli/write/graduatoria.py), on a hand-made RankResult."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from conciliare_cli.config import load_call
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.engine.result import RankResult
from conciliare_cli.findings import make_findings
from conciliare_cli.money import cents_to_plain, plain_score
from conciliare_cli.write.graduatoria import (
    graduatoria_csv_bytes,
    graduatoria_frame,
    last_funded,
    print_summary,
    write_graduatoria_csv,
    write_graduatoria_xlsx,
)
from conciliare_cli.write.xlsx import MONEY_FORMAT

ROOT = Path(__file__).resolve().parent.parent
RUN = dt.date(2017, 9, 15)
CALL = load_call(ROOT / "rules" / "conciliare-2017.yaml")
CRITERIA = [c.id for c in CALL.config.criteria]

CONTRACT = [
    "rank",
    "application_id",
    "partner_id",
    "applicant_tax_code",
    "minor_tax_code",
    "score",
    "status",
    "awarded_eur",
    "fund_FSE_eur",
    "fund_ATS_eur",
    "exclusion_reasons",
    "source_file",
    "source_row",
]


def minors() -> pd.DataFrame:
    """Seven minors: funded, partly funded, waiting, excluded (whole application and one minor)."""
    rows = [
        # app, slot, cf, rank, status, awarded, FSE, ATS, wait, reasons, score, row
        ("A1", 1, "MNRAAA10A01D142X", 1, "FINANZIATA", 30000, 30000, 0, None, "", 23.5, 5),
        ("A1", 2, "MNRBBB12A01D142X", 1, "FINANZIATA", 30000, 30000, 0, None, "", 23.5, 5),
        ("A1", 3, "MNRCCC99A01D142X", None, "ESCLUSA", 0, 0, 0, None, "ETA_NON_AMMESSA", 0, 5),
        ("A2", 1, "MNRDDD11A01D142X", 2, "FINANZIATA_PARZIALMENTE", 12345, 10000, 2345, None,
         "", 23.0, 7),
        ("A3", 1, "MNREEE13A01D142X", 3, "AMMESSA_NON_FINANZIATA", 0, 0, 0, 1, "", 0.1 + 0.2, 2),
        ("A4", 1, "MNRFFF14A01D142X", None, "ESCLUSA", 0, 0, 0, None,
         "FUORI_TERMINE;ETA_NON_AMMESSA", 0, 9),
        ("A4", 2, "MNRGGG15A01D142X", None, "ESCLUSA", 0, 0, 0, None, "FUORI_TERMINE", 0, 10),
    ]  # fmt: skip
    df = pd.DataFrame(
        rows,
        columns=[
            "application_id", "minor_slot", "minor_tax_code", "rank", "status", "awarded_cents",
            "fund_FSE_cents", "fund_ATS_cents", "waiting_position", "exclusion_reasons", "score",
            "source_row",
        ],
    )  # fmt: skip
    for c in ("minor_slot", "rank", "awarded_cents", "fund_FSE_cents", "fund_ATS_cents"):
        df[c] = df[c].astype("Int64")
    df["waiting_position"] = pd.array(df["waiting_position"].tolist(), dtype="Int64")
    df["source_row"] = df["source_row"].astype("Int64")
    df["partner_id"] = df["application_id"].map(
        {"A1": "ASST", "A2": "COM", "A3": "COM", "A4": "ASST"}
    )
    df["applicant_tax_code"] = "RSSMRA80A01D142" + df["application_id"].str[-1]
    df["applicant_surname"] = df["application_id"].map(
        {"A1": "=1+1", "A2": "Bianchi", "A3": "+39 333", "A4": "@Verdi"}
    )
    df["applicant_name"] = "Anna"
    df["minor_surname"] = "Rossi"
    df["minor_name"] = ["Luca", "Sara", "Ugo", "Ada", "Eva", "Ivo", "Noa"]
    df["source_file"] = "partner/" + df["partner_id"].str.lower() + ".xlsx"
    df["source_sheet"] = "Domande"
    df["row_key"] = df["application_id"] + ":" + df["minor_tax_code"]
    df["minor_eligible"] = df["rank"].notna()
    df["requested_cents"] = pd.array([30000, 30000, 30000, 30000, 25000, 30000, 30000], "Int64")
    df["decided_by"] = ["", "", "", "ISEE più basso", "", "", ""]
    df["lottery_key"] = "ab" * 32
    points = {
        "disabilita": [10, 10, 0, 0, 0, 0, 0],
        "dsa_bes": [0, 0, 0, 5, 0, 0, 0],
        "isee": [10.5, 10.5, 0, 15, 0.1 + 0.2, 0, 0],
    }
    for c in CRITERIA:
        df[f"crit_{c}"] = points.get(c, [0.0] * 7)
        df[f"crit_{c}"] = df[f"crit_{c}"].astype(float)
    return df


def units_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The ranking units (one per application) as the engine gives them: rank, score, outcome
    and criteria of the application, amounts summed over its minors."""
    firsts = ["partner_id", "score", "status", "waiting_position", "decided_by", "lottery_key"]
    firsts += [f"crit_{c}" for c in CRITERIA]
    sums = ["requested_cents", "awarded_cents", "fund_FSE_cents", "fund_ATS_cents"]
    ordered = frame.sort_values(["application_id", "rank"], na_position="last", kind="stable")
    groups = ordered.groupby("application_id", sort=True)
    units = groups[firsts].first().join(groups[sums].sum()).join(groups["rank"].min())
    units["minors"] = groups.size()
    units = units.reset_index()
    units["unit_id"] = units["application_id"]
    units["status"] = units["status"].where(units["rank"].notna(), "ESCLUSA")
    return units


def result(frame: pd.DataFrame | None = None, findings: pd.DataFrame | None = None) -> RankResult:
    funds = pd.DataFrame(
        {
            "fund_id": ["FSE", "ATS"],
            "name": [f.name for f in CALL.config.funds],
            "budget_cents": pd.array([70000, 4400000], dtype="Int64"),
            "assigned_cents": pd.array([70000, 2345], dtype="Int64"),
            "residual_cents": pd.array([0, 4397655], dtype="Int64"),
        }
    )
    reserves = pd.DataFrame(
        {
            "reserve_id": pd.Series(dtype=object),
            "fund_id": pd.Series(dtype=object),
            "description": pd.Series(dtype=object),
            "amount_cents": pd.Series(dtype="Int64"),
            "used_cents": pd.Series(dtype="Int64"),
            "returned_cents": pd.Series(dtype="Int64"),
        }
    )
    if findings is None:
        findings = make_findings(
            "CF_NON_VALIDO",
            pd.DataFrame(
                {
                    "partner_id": ["ASST"],
                    "source_file": ["partner/asst.xlsx"],
                    "source_sheet": ["Domande"],
                    "source_row": [5],
                    "field": ["minor_tax_code"],
                    "value": ["=SUM(A1)"],
                }
            ),
            detail="carattere di controllo",
        )
    return RankResult(
        call=CALL,
        rules=compile_rules(CALL),
        minors=minors() if frame is None else frame,
        units=units_of(minors() if frame is None else frame),
        funds=funds,
        reserves=reserves,
        findings=findings,
        input_files=["partner/asst.xlsx", "partner/com.xlsx"],
    )  # fmt: skip


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


# ----------------------------------------------------------------------------- CSV


def test_csv_contract_columns_and_values(tmp_path):
    path = write_graduatoria_csv(result(), tmp_path / "graduatoria.csv")
    data = path.read_bytes()
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
    header = data.split(b"\n", 1)[0].decode().split(",")
    assert header[: len(CONTRACT)] == CONTRACT
    assert {"waiting_position", "requested_eur", "decided_by"} <= set(header)
    assert [f"crit_{c}" for c in CRITERIA] == [h for h in header if h.startswith("crit_")]
    rows = read_csv(data)
    assert len(rows) == 7
    first = rows[0]
    assert first["rank"] == "1" and first["awarded_eur"] == "300.00"
    assert first["fund_FSE_eur"] == "300.00" and first["fund_ATS_eur"] == "0.00"
    assert first["score"] == "23.5" and first["crit_isee"] == "10.5"
    assert first["source_row"] == "5" and first["source_file"] == "partner/asst.xlsx"
    partial = next(r for r in rows if r["application_id"] == "A2")
    assert partial["awarded_eur"] == "123.45" and partial["fund_ATS_eur"] == "23.45"
    assert partial["score"] == "23" and partial["decided_by"] == "ISEE più basso"
    waiting = next(r for r in rows if r["application_id"] == "A3")
    assert waiting["score"] == "0.3" and waiting["waiting_position"] == "1"
    assert waiting["requested_eur"] == "250.00"


def test_csv_order_ranked_then_excluded():
    rows = read_csv(graduatoria_csv_bytes(result()))
    assert [(r["rank"], r["application_id"], r["minor_tax_code"][:6]) for r in rows] == [
        ("1", "A1", "MNRAAA"),
        ("1", "A1", "MNRBBB"),
        ("2", "A2", "MNRDDD"),
        ("3", "A3", "MNREEE"),
        ("", "A1", "MNRCCC"),
        ("", "A4", "MNRFFF"),
        ("", "A4", "MNRGGG"),
    ]
    excluded = [r for r in rows if r["status"] == "ESCLUSA"]
    assert excluded[1]["exclusion_reasons"] == "FUORI_TERMINE;ETA_NON_AMMESSA"
    assert all(r["rank"] == "" for r in excluded)


@settings(max_examples=20, deadline=None)
@given(st.permutations(list(range(7))))
def test_csv_independent_of_row_order(perm):
    base = minors()
    shuffled = base.iloc[perm].reset_index(drop=True)
    # columns in another order too
    shuffled = shuffled[list(reversed(shuffled.columns))]
    assert graduatoria_csv_bytes(result(shuffled)) == graduatoria_csv_bytes(result(base))


@given(st.lists(st.one_of(st.none(), st.integers(-(10**12), 10**12)), max_size=30))
def test_cents_to_plain_is_exact(values):
    got = cents_to_plain(pd.Series(values, dtype="Int64")).tolist()
    want = ["" if v is None else f"{Decimal(v) / 100:.2f}" for v in values]
    assert got == want


@given(st.lists(st.integers(-(10**9), 10**9), max_size=30))
def test_plain_score_has_no_float_noise(milli):
    scores = pd.Series([m / 1000 for m in milli], dtype="float64")
    got = plain_score(scores).tolist()
    want = [str((Decimal(m) / 1000).normalize()) if m % 1000 else str(m // 1000) for m in milli]
    want = [w if "E" not in w else str(int(Decimal(w))) for w in want]
    assert got == want


def test_graduatoria_frame_missing_fund_column_is_an_error():
    broken = minors().drop(columns=["fund_ATS_cents"])
    with pytest.raises(KeyError):
        graduatoria_frame(result(broken))


# ----------------------------------------------------------------------------- XLSX


def table(ws, first_header: str) -> tuple[int, list[str], list[list]]:
    rows = list(ws.iter_rows(values_only=True))
    h = next(i for i, r in enumerate(rows) if r[0] == first_header)
    data = []
    for r in rows[h + 1 :]:
        if all(v is None for v in r):
            break
        data.append(list(r))
    return h + 1, list(rows[h]), data


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("g") / "graduatoria.xlsx"
    write_graduatoria_xlsx(result(), path, status="PROVVISORIA", run_date=RUN)
    return path, openpyxl.load_workbook(path)


def test_xlsx_sheets_and_print_setup(workbook):
    _, wb = workbook
    assert wb.sheetnames == [
        "Graduatoria",
        "Minori",
        "Esclusi",
        "Criteri",
        "Anomalie",
        "Riepilogo",
    ]
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToHeight == 0
        assert "PROVVISORIA" in ws.oddHeader.right.text
        assert ws.oddHeader.left.text.startswith("Conciliare le responsabilità")
        assert ws.oddFooter.center.text == "Pagina &P di &N"
        # one table per sheet: header repeated on each page; sheets of blocks: none
        assert bool(ws.print_title_rows) == (ws.title not in ("Criteri", "Riepilogo"))


def test_xlsx_graduatoria_sheet(workbook):
    _, wb = workbook
    ws = wb["Graduatoria"]
    row, header, data = table(ws, "Pos.")
    labels = [c.short_label or c.label for c in CALL.config.criteria]
    assert header[:5] == ["Pos.", "Protocollo", "Richiedente", "ISEE", "Presentata il"]
    assert header[5 : 5 + len(labels)] == labels
    assert header[5 + len(labels) :] == [
        "Punteggio",
        "Esito",
        "Importo assegnato",
        "In attesa",
        "Parità decisa da",
    ]
    assert ws.freeze_panes == f"D{row + 1}"  # the names stay in view
    assert [r[0] for r in data] == [1, 2, 3, "Totale"]  # one line per application, the totals
    ia = header.index("Importo assegnato")
    assert data[0][ia] == 600 and data[1][ia] == pytest.approx(123.45)
    assert data[-1][ia] == pytest.approx(723.45)
    assert ws.cell(row + 1, ia + 1).number_format == MONEY_FORMAT
    assert data[1][header.index("Esito")] == "Finanziata parzialmente"
    assert data[2][header.index("Punteggio")] == 0.3
    assert data[2][header.index("In attesa")] == 1
    assert data[1][header.index("Parità decisa da")] == "ISEE più basso"
    # formula-like applicant names stay text
    cells = [ws.cell(row + i, 3) for i in (1, 3)]
    assert [c.value for c in cells] == ["=1+1 Anna", "+39 333 Anna"]
    assert all(c.data_type == "s" for c in cells)
    notes = " ".join(str(ws.cell(r, 1).value or "") for r in range(1, row))
    assert CALL.rules_sha256 in notes


def test_xlsx_esclusi_sheet(workbook):
    _, wb = workbook
    _, header, data = table(wb["Esclusi"], "Protocollo")
    assert [r[0] for r in data] == ["A1", "A4", "A4"]
    assert data[0][header.index("Minore")] == "Rossi Ugo"
    reasons = {r.code: r.message for r in CALL.config.eligibility}
    motiv = header.index("Motivazione")
    assert data[1][motiv] == reasons["FUORI_TERMINE"] + "\n" + reasons["ETA_NON_AMMESSA"]
    assert data[1][header.index("Motivi (codici)")] == "FUORI_TERMINE, ETA_NON_AMMESSA"
    assert wb["Esclusi"].cell(1, 1).value == CALL.config.call.title
    assert data[0][0] and data[2][header.index("Riga")] == 10


def test_xlsx_criteri_sheet(workbook):
    _, wb = workbook
    values = [str(c) for row in wb["Criteri"].iter_rows(values_only=True) for c in row if c]
    text = "\n".join(values).replace("\xa0", " ")  # Babel puts a no-break space before €
    assert CALL.config.ranking.lottery.seed in text
    assert "SHA-256 di seme:protocollo" in text
    assert CALL.rules_sha256 in text and CALL.config.call.rules_version in text
    for r in CALL.config.eligibility:
        assert r.code in values and f"Motivazione: {r.message}" in text
    for c in CALL.config.criteria:  # in words: the label, never the id or the expression
        assert c.label in values
    assert "fino a 10.000,00 €: 15 punti" in text  # ISEE bands in Italian
    assert "submitted_at" not in text and "single_parent" not in text
    assert "art. 7 lett. c" in values
    assert "ISEE più basso (prima il valore minore)" in text
    assert "FSE – POR FSE 2014-2020 (Fondo Sociale Europeo)" in values


def test_xlsx_anomalie_and_riepilogo(workbook):
    _, wb = workbook
    ws = wb["Anomalie"]
    _, header, data = table(ws, "File")
    assert data[0][header.index("Codice")] == "CF_NON_VALIDO"
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=SUM(A1)")
    assert cell.data_type == "s"
    rows = list(wb["Riepilogo"].iter_rows(values_only=True))
    fse = next(r for r in rows if r[0] == "FSE")
    assert fse[2:5] == (700, 700, 0)
    totals = [r for r in rows if r[0] == "Totale"]
    assert totals[0][2:5] == (44700, pytest.approx(723.45), pytest.approx(43976.55))
    esiti = {r[0]: r[1:4] for r in rows if r[0] and str(r[0]).startswith(("Finanz", "Esclusa"))}
    assert esiti["Finanziata"] == (1, 2, 600)
    # applications by their outcome (A1 is funded: its excluded minor is counted apart),
    # minors by their own: every column adds up to the call
    assert esiti["Esclusa"] == (1, 3, 0)
    texts = [str(c) for r in rows for c in r if c]
    assert any("di cui 1 minore escluso in domande ammesse" in t for t in texts)
    asst = [r for r in rows if r[0] == "ASST"]
    assert [r[2] for r in asst] == ["Finanziata", "Esclusa"]
    assert asst[1][3:6] == (1, 3, 0)


def test_xlsx_identical_bytes_whatever_the_order(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_graduatoria_xlsx(result(), a, status="DEFINITIVA", run_date=RUN)
    shuffled = minors().sample(frac=1, random_state=7).reset_index(drop=True)
    write_graduatoria_xlsx(result(shuffled), b, status="DEFINITIVA", run_date=RUN)
    assert a.read_bytes() == b.read_bytes()
    assert "DEFINITIVA" in openpyxl.load_workbook(a)["Riepilogo"].oddHeader.right.text


def test_xlsx_empty_result(tmp_path):
    empty = minors().iloc[0:0]
    path = tmp_path / "e.xlsx"
    write_graduatoria_xlsx(result(empty), path, run_date=RUN)
    wb = openpyxl.load_workbook(path)
    _, _, data = table(wb["Graduatoria"], "Pos.")
    assert data[0][0] == "Nessuna riga."
    assert read_csv(graduatoria_csv_bytes(result(empty))) == []


# ----------------------------------------------------------------------------- summary


def test_print_summary():
    console = Console(record=True, width=140)
    print_summary(result(), console)
    out = console.export_text().replace("\xa0", " ")
    assert "Finanziata parzialmente" in out
    assert "44.000,00 €" in out and "43.976,55 €" in out and "123,45 €" in out
    assert "Ultima posizione finanziata: 2" in out
    assert "1 anomalie bloccanti" in out
    assert "43.976,55 € non assegnati" in out  # budget left while minors wait
    assert last_funded(result()) == (2, 23.0)


def test_order_with_identical_keys_depends_on_content_only():
    base = minors()
    twin = base.iloc[[0]].copy()
    twin["source_row"] = pd.array([99], dtype="Int64")  # same keys, other content
    both = pd.concat([base, twin], ignore_index=True)
    a = graduatoria_csv_bytes(result(both))
    b = graduatoria_csv_bytes(result(both.iloc[::-1].reset_index(drop=True)))
    assert a == b
    rows = read_csv(a)
    assert [r["source_row"] for r in rows[:2]] == ["5", "99"]
