"""Terms after the final list from the delivery register: the lapses to declare are listed by
`situazione` and `scorrimento`, never applied by themselves; a term ending on a Sunday runs
to the Monday."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from acts_support import write_events
from test_acts_cli import FINAL, _act, _at, _final, ev, runner

from conciliare_cli.acts.deadlines import ACCEPTED, LAPSED, NO_RECEIPT, WITHIN
from conciliare_cli.acts.standing import standing
from conciliare_cli.cli import app
from conciliare_cli.letters.received import record

TERMS = "\nacceptance:\n  required: true\n  days: 11\n  renunciation_days: 30\n"


@pytest.fixture
def call(acts_call: Path) -> Path:
    """The call with `acceptance:` (11 days to accept), final list re-issued; receipts on
    Wednesday 20/09/2017: 20/09 + 11 days is Sunday 01/10, so the term ends Monday 02/10."""
    with (acts_call / "bando.yaml").open("a", encoding="utf-8") as fh:
        fh.write(TERMS)
    done = runner.invoke(app, ["rank", str(acts_call), "--definitiva", "--forza", "--data", FINAL])
    assert done.exit_code == 0, done.output
    final = _final(acts_call)
    record(acts_call, [_at(final, r) for r in (1, 2, 3, 4)], list_status="DEFINITIVA",
           channel="PEC", day=dt.date(2017, 9, 20))  # fmt: skip
    write_events(acts_call, [
        ev("25/09/2017", "accettazione", _at(final, 1)),
        ev("26/09/2017", "rinuncia", _at(final, 3)),
    ])  # fmt: skip
    return acts_call


def _states(folder: Path, day: dt.date) -> dict[str, str]:
    terms = standing(folder, on=day).terms
    return dict(zip(terms["application_id"], terms["state"], strict=True))


def test_a_term_ending_on_sunday_runs_to_monday(call: Path) -> None:
    final = _final(call)
    assert dt.date(2017, 10, 1).weekday() == 6  # Sunday
    monday = _states(call, dt.date(2017, 10, 2))
    assert monday[_at(final, 1)] == ACCEPTED
    assert monday[_at(final, 2)] == WITHIN  # the last day of the term
    assert _at(final, 3) not in monday  # renounced: nothing to accept
    assert monday[_at(final, 5)] == NO_RECEIPT
    tuesday = standing(call, on=dt.date(2017, 10, 3))
    assert tuesday.terms.set_index("application_id").loc[_at(final, 2), "state"] == LAPSED
    assert sorted(tuesday.lapsed["application_id"]) == sorted([_at(final, 2), _at(final, 4)])
    row = tuesday.lapsed.set_index("application_id").loc[_at(final, 2)]
    assert row["received_on"] == dt.date(2017, 9, 20)
    assert row["accept_by"] == dt.date(2017, 10, 2)
    assert row["renounce_by"] == dt.date(2017, 10, 20)


def test_situazione_lists_the_lapses_and_writes_the_terms(call: Path) -> None:
    final = _final(call)
    before = runner.invoke(app, ["situazione", str(call), "--data", "2017-10-02"])
    assert before.exit_code == 0 and "Decadenze da dichiarare" not in before.output
    done = runner.invoke(app, ["situazione", str(call), "--data", "2017-10-03"])
    assert done.exit_code == 0, done.output
    out = " ".join(done.output.split())
    assert "Decadenze da dichiarare al 03/10/2017: 2 famiglie" in out
    assert (
        f"{_at(final, 2)} (posizione 2): lettera ricevuta il 20/09/2017, termine 02/10/2017" in out
    )
    assert "--tipo decadenza" in out
    book = openpyxl.load_workbook(call / "situazione.xlsx")
    assert book.sheetnames == ["Fondi", "Enti", "Scadenze"]
    texts = " ".join(str(c.value) for r in book["Scadenze"].iter_rows() for c in r if c.value)
    assert "termine scaduto: decadenza da dichiarare" in texts
    assert "prorogato al primo giorno seguente non festivo" in texts


def test_scorrimento_proposes_the_lapse_and_does_not_apply_it(call: Path) -> None:
    final = _final(call)
    done = runner.invoke(app, ["scorrimento", str(call), "--data", "2017-10-16"])
    assert done.exit_code == 0, done.output
    assert "Decadenze da dichiarare al 16/10/2017: 2 famiglie" in " ".join(done.output.split())
    act = _act(call, 1)
    assert set(act.loc[act["application_id"].eq(_at(final, 2)), "status"]) == {"FINANZIATA"}
    # the office declares it: an event, and the next act moves the money
    write_events(call, [
        ev("25/09/2017", "accettazione", _at(final, 1)),
        ev("26/09/2017", "rinuncia", _at(final, 3)),
        ev("20/10/2017", "decadenza", _at(final, 2), reason="accettazione non data entro il "
           "02/10/2017", act="determina n. 301 del 20/10/2017"),
    ])  # fmt: skip
    again = runner.invoke(app, ["scorrimento", str(call), "--data", "2017-10-31"])
    assert again.exit_code == 0, again.output
    out = " ".join(again.output.split())
    assert "Decadenze da dichiarare al 31/10/2017: 1 famiglia finanziata non ha accettato" in out
    two = _act(call, 2)
    assert set(two.loc[two["application_id"].eq(_at(final, 2)), "status"]) == {"DECADENZA"}


def test_no_terms_in_the_call_no_sheet(acts_call: Path) -> None:
    done = runner.invoke(app, ["situazione", str(acts_call), "--data", "2017-10-03"])
    assert done.exit_code == 0, done.output
    assert openpyxl.load_workbook(acts_call / "situazione.xlsx").sheetnames == ["Fondi", "Enti"]


def test_required_acceptance_needs_its_days(acts_call: Path) -> None:
    with (acts_call / "bando.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\nacceptance:\n  required: true\n")
    done = runner.invoke(app, ["situazione", str(acts_call)])
    assert done.exit_code == 2
    assert "indicare days" in " ".join(done.output.split())


def test_a_family_funded_by_a_scorrimento_has_its_terms_from_that_acts_letter(
    call: Path,
) -> None:
    """Money freed by the renunciation funds the first waiting family at scorrimento n. 1:
    its acceptance term runs from the day it received the act's letter (lista SCORRIMENTO_1
    in ricevute.csv), not from the final list's."""
    done = runner.invoke(app, ["scorrimento", str(call), "--data", "2017-10-05"])
    assert done.exit_code == 0, done.output
    terms = standing(call, on=dt.date(2017, 10, 6)).terms.set_index("application_id")
    newly = terms[terms["act"].eq("scorrimento n. 1")]
    assert len(newly) >= 1
    app_id = newly.index[0]
    assert newly.loc[app_id, "state"] == NO_RECEIPT  # its letter is not received yet
    assert set(terms.loc[terms["act"].ne("scorrimento n. 1"), "act"]) == {"graduatoria definitiva"}
    record(call, [app_id], list_status="SCORRIMENTO_1", channel="PEC", day=dt.date(2017, 10, 10))
    on_20 = standing(call, on=dt.date(2017, 10, 20)).terms.set_index("application_id")
    assert on_20.loc[app_id, "received_on"] == dt.date(2017, 10, 10)
    assert on_20.loc[app_id, "accept_by"] == dt.date(2017, 10, 21)  # 10/10 + 11 days
    assert on_20.loc[app_id, "state"] == WITHIN
    on_23 = standing(call, on=dt.date(2017, 10, 23))
    assert on_23.terms.set_index("application_id").loc[app_id, "state"] == LAPSED
    assert app_id in set(on_23.lapsed["application_id"])


@pytest.mark.parametrize("written", ["SCORRIMENTO_2", "scorrimento 2", "Scorrimento n. 2"])
def test_the_register_reads_a_scorrimentos_list_code(tmp_path: Path, written: str) -> None:
    from conciliare_cli.letters.received import read_register

    (tmp_path / "ricevute.csv").write_text(
        f"protocollo;lista;canale;data_ricevimento\nA-1;{written};PEC;02/12/2017\n",
        encoding="utf-8",
    )
    (receipt,) = read_register(tmp_path)
    assert receipt.list_status == "SCORRIMENTO_2"


def test_an_unknown_list_code_names_the_row_and_the_column(tmp_path: Path) -> None:
    from conciliare_cli.errors import UserError
    from conciliare_cli.letters.received import read_register

    (tmp_path / "ricevute.csv").write_text(
        "protocollo;lista;canale;data_ricevimento\nA-1;SCORRIMENTO;PEC;02/12/2017\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError, match="riga 2, colonna lista: 'SCORRIMENTO' non è"):
        read_register(tmp_path)
