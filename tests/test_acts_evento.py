"""`conciliare evento`: one checked row added to the register of events."""

from __future__ import annotations

from pathlib import Path

import pytest
from acts_support import write_events
from test_acts_cli import _at, _final, _scorrimento, ev, runner

from conciliare_cli.acts.events import read_events
from conciliare_cli.acts.finallist import final_list
from conciliare_cli.cli import app

BY = ["--registrato-da", "M. Rossi"]


def _evento(folder: Path, *args: str):
    return runner.invoke(app, ["evento", str(folder), *args])


def test_the_first_event_creates_eventi_csv(acts_call: Path) -> None:
    call = acts_call
    final = _final(call)
    app_id = _at(final, 3)
    args = ["--tipo", "rinuncia", "--domanda", app_id.lower(), "--data", "2017-10-02"]
    done = _evento(call, *args, "--motivo", "=trasferimento", "--atto", "prot. 1", *BY)
    assert done.exit_code == 0, done.output
    out = " ".join(done.output.split())
    assert "eventi.csv (registro creato), riga 2: rinuncia, domanda " + app_id in out
    text = (call / "eventi.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbfData;Evento;Domanda;Minore;Esito;Motivo;Atto;")
    assert f"02/10/2017;rinuncia;{app_id};;;'=trasferimento;prot. 1;M. Rossi;;\r\n" in (
        text.decode("utf-8-sig")
    )
    events = read_events(call, final_list(call))
    assert events[["kind", "application_id"]].values.tolist() == [["rinuncia", app_id]]
    assert _scorrimento(call, "2017-10-16").exit_code == 0


def test_a_child_by_number_is_written_by_its_tax_code_and_rows_are_kept(acts_call: Path) -> None:
    call = acts_call
    final = _final(call)
    two = final.groupby("application_id").filter(lambda g: len(g) >= 2)
    app_id = str(two["application_id"].iloc[0])
    second = str(two.loc[two["application_id"].eq(app_id), "minor_tax_code"].iloc[1])
    head = "Registro eventi 2017\n\nData,Evento,Domanda,Minore,Motivo,Registrato da\n"
    first = f"01/10/2017,accettazione,{_at(final, 1)},,,L. Neri\n"
    (call / "eventi.csv").write_bytes((head + first).encode("cp1252"))
    before = (call / "eventi.csv").read_bytes()
    done = _evento(call, "--tipo", "rinuncia", "--domanda", app_id, "--minore", "2",
                   "--data", "2017-10-03", "--motivo", "non frequenta più", *BY)  # fmt: skip
    assert done.exit_code == 0, done.output
    after = (call / "eventi.csv").read_bytes()
    assert after.startswith(before)  # the rows already there, byte for byte
    assert after[len(before) :].decode("cp1252") == (
        f"03/10/2017,rinuncia,{app_id},{second},non frequenta più,M. Rossi\n"
    )
    assert "riga 5" in done.output
    refused = _evento(call, "--tipo", "controllo", "--domanda", app_id, "--esito",
                      "irregolare", "--data", "2017-10-04", "--note", "x", *BY)  # fmt: skip
    assert refused.exit_code == 2  # no 'Esito' column to write the outcome in
    assert "non ha le colonne 'Esito', 'Note'" in " ".join(refused.output.split())
    assert (call / "eventi.csv").read_bytes() == after


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--tipo", "rinuncia", "--domanda", "ASST-9999", "--data", "2017-10-02"],
         "la domanda 'ASST-9999' non è in graduatoria"),
        (["--tipo", "rinuncia", "--domanda", "{3}", "--minore", "9", "--data", "2017-10-02"],
         "il minore '9' non è tra i minori in graduatoria della domanda"),
        (["--tipo", "rinuncia", "--domanda", "{3}", "--data", "2017-09-01"],
         "data 01/09/2017 precedente alla graduatoria definitiva (15/09/2017)"),
        (["--tipo", "ritiro", "--domanda", "{3}", "--data", "2017-10-02"],
         "evento 'ritiro' sconosciuto"),
        (["--tipo", "controllo", "--domanda", "{3}", "--data", "2017-10-02"],
         "per un controllo l'esito è 'regolare' o 'irregolare'"),
        (["--tipo", "rinuncia", "--domanda", "{3}", "--data", "02/13/2017"],
         "data '02/13/2017' non leggibile"),
    ],
)  # fmt: skip
def test_a_bad_event_is_refused_naming_what(acts_call: Path, args: list[str], says: str) -> None:
    call = acts_call
    app_id = _at(_final(call), 3)
    done = _evento(call, *[a.replace("{3}", app_id) for a in args], *BY)
    assert done.exit_code == 2, done.output
    out = " ".join(done.output.split())
    assert "evento non registrato: " + says in out and "Traceback" not in out
    assert not (call / "eventi.csv").exists()


def test_a_workbook_register_is_never_rewritten(acts_call: Path) -> None:
    call = acts_call
    final = _final(call)
    write_events(call, [ev("02/10/2017", "rinuncia", _at(final, 3))])
    before = (call / "eventi.xlsx").read_bytes()
    done = _evento(call, "--tipo", "revoca", "--domanda", _at(final, 4), "--data",
                   "2017-10-05", "--motivo", "dichiarazione non veritiera", *BY)  # fmt: skip
    assert done.exit_code == 2
    out = " ".join(done.output.split())
    assert "è un foglio di calcolo: conciliare non lo riscrive" in out
    assert f"Data: 05/10/2017 | Evento: revoca | Domanda: {_at(final, 4)}" in out
    assert (call / "eventi.xlsx").read_bytes() == before
    assert not (call / "eventi.csv").exists()


def test_an_event_dated_before_the_last_act_or_twice_is_refused(acts_call: Path) -> None:
    call = acts_call
    final = _final(call)
    args = ["--tipo", "rinuncia", "--domanda", _at(final, 3), *BY]
    assert _evento(call, *args, "--data", "2017-10-02").exit_code == 0
    twice = _evento(call, *args, "--data", "2017-10-02")
    assert twice.exit_code == 2 and "è già alla riga 2" in " ".join(twice.output.split())
    assert _scorrimento(call, "2017-10-16").exit_code == 0
    late = _evento(call, "--tipo", "rinuncia", "--domanda", _at(final, 4), "--data",
                   "2017-10-16", *BY)  # fmt: skip
    assert late.exit_code == 2
    assert "non viene dopo lo scorrimento n. 1 del 16/10/2017" in " ".join(late.output.split())
    after = _evento(call, "--tipo", "rinuncia", "--domanda", _at(final, 4), "--data",
                    "2017-10-17", *BY)  # fmt: skip
    assert after.exit_code == 0, after.output
    assert runner.invoke(app, ["verify", str(call)]).exit_code == 0
