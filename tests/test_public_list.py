"""The public list a family reads (issue 13, deliverable 2): ids in natural order, the
waiting-list positions, the approving act and the deadline for observations, the legal note
whole in print."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from rendering import pdf_text as printed_text
from rendering import xlsx_to_pdf
from test_publish_support import (
    RUN_DATE,
    make_call_folder,
    make_result,
    needs_pdf,
    pdf_text,
    xlsx_texts,
)

from conciliare_cli.publish import public_list, write_public
from conciliare_cli.publish.listing import PRIVACY_NOTE

pytestmark = [pytest.mark.pdf, needs_pdf]

ACT = "decreto del Direttore Generale n. 412 del 15/09/2017"
PUBLICATION = f'publication:\n  act: "{ACT}"\n  observations_days: 10\n'


def _renamed(result, ids: dict[str, str]):
    """The same result with other application ids (units and minors alike)."""
    for frame in (result.units, result.minors):
        frame["application_id"] = frame["application_id"].replace(ids)
        if "unit_id" in frame:
            frame["unit_id"] = frame["unit_id"].replace(ids)
    return result


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def test_ids_in_natural_order(tmp_path: Path) -> None:
    result = make_result(make_call_folder(tmp_path / "bando"))
    excluded = result.units.iloc[[-1]]
    extra = pd.concat([excluded.assign(unit_id=i, application_id=i) for i in ("X-18", "X-100")])
    result.units = pd.concat([result.units, extra], ignore_index=True)
    result = _renamed(result, {"ASST-0003": "X-2"})
    plist = public_list(result)
    assert plist.excluded["public_id"].tolist() == ["X-2", "X-18", "X-100"]  # not as text
    _, pdf = write_public(result, tmp_path / "out", "PROVVISORIA", RUN_DATE)
    text = pdf_text(pdf)
    assert re.search(r"X-2\b.*X-18\b.*X-100\b", text, flags=re.S)


def test_ties_in_rank_in_natural_order(tmp_path: Path) -> None:
    result = make_result(make_call_folder(tmp_path / "bando"))
    result = _renamed(result, {"ASST-0001": "COMUNE-18", "ASST-0002": "COMUNE-2"})
    result.units["rank"] = pd.array([1, 1, 3, 4, None], dtype="Int64")  # two equal positions
    ids = public_list(result).ranked["public_id"].tolist()
    assert ids[:2] == ["COMUNE-2", "COMUNE-18"]


def test_waiting_positions_shown(tmp_path: Path) -> None:
    result = make_result(make_call_folder(tmp_path / "bando"))
    waiting = result.units["status"].eq("AMMESSA_NON_FINANZIATA")
    result.units["waiting_position"] = pd.array(waiting.map({True: 1, False: None}), "Int64")
    plist = public_list(result)
    assert "waiting_position" in plist.columns
    row = plist.ranked[plist.ranked["public_id"] == "ATS-0002"]
    assert row["waiting_position"].tolist() == [1]
    xlsx, pdf = write_public(result, tmp_path / "out", "PROVVISORIA", RUN_DATE)
    assert "Posizione in attesa" in xlsx_texts(xlsx)
    assert "Posizione in" in pdf_text(pdf)  # the header wraps in its column
    rows = openpyxl.load_workbook(xlsx)["Graduatoria"].iter_rows(values_only=True)
    assert next(r for r in rows if "ATS-0002" in r)[-1] == 1


def test_the_act_and_the_deadline_for_observations(tmp_path: Path) -> None:
    result = make_result(make_call_folder(tmp_path / "bando", publication=PUBLICATION))
    lead = result.call.config.call.lead_partner
    xlsx, pdf = write_public(result, tmp_path / "prov", "PROVVISORIA", dt.date(2017, 9, 15))
    for text in (_squeezed(pdf_text(pdf)), _squeezed(" ".join(xlsx_texts(xlsx)))):
        assert f"Graduatoria approvata con {ACT}." in text
        assert (
            "eventuali osservazioni possono essere presentate entro il 25/09/2017 "
            f"(10 giorni dalla pubblicazione) scrivendo a {lead.pec} ({lead.name})." in text
        )
    xlsx, pdf = write_public(result, tmp_path / "def", "DEFINITIVA", dt.date(2017, 10, 2))
    text = _squeezed(pdf_text(pdf))
    assert f"Graduatoria approvata con {ACT}." in text
    assert "osservazioni" not in text  # the final list is the decision


def test_without_an_act_nothing_is_invented(tmp_path: Path) -> None:
    plain = "publication:\n  public_id: application_id\n"
    result = make_result(make_call_folder(tmp_path / "bando", publication=plain))
    _, pdf = write_public(result, tmp_path / "out", "PROVVISORIA", RUN_DATE)
    text = _squeezed(pdf_text(pdf))
    assert "approvata con" not in text and "osservazioni" not in text


@pytest.mark.slow
def test_the_legal_note_is_whole_when_the_xlsx_is_printed(tmp_path: Path) -> None:
    result = make_result(make_call_folder(tmp_path / "bando", publication=PUBLICATION))
    xlsx, _ = write_public(result, tmp_path / "out", "PROVVISORIA", RUN_DATE)
    printed = _squeezed(printed_text(xlsx_to_pdf(xlsx, tmp_path / "stampa")))
    assert _squeezed(PRIVACY_NOTE.format(id_what="numero di protocollo")) in printed
    assert f"Graduatoria approvata con {ACT}." in printed
