"""`rank`, `letters`, `rank --final`, `letters` and `verify` on the example call, read as a family,
a lawyer and the office that sends the letters would read them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from letters_mistakes import pdftotext, problems, split_letters
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.letters.received import read_register, term_end

runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    return result, " ".join(result.output.split())


def text_of(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.replace("\u00ad\n", "").split())


def pages_of(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return [" ".join(p.replace("\u00ad\n", "").split()) for p in out.stdout.split("\f")]


def letters_in(pages: list[str]) -> list[tuple[str, list[str]]]:
    """The combined PDF's pages as (letter, its slips): a letter begins with its sender's block
    and an "Oggetto:" line, a slip with "VOUCHER DI CONCILIAZIONE"."""
    out: list[tuple[str, list[str]]] = []
    for page in pages:
        if "VOUCHER DI CONCILIAZIONE" in page:
            out[-1][1].append(page)
        elif "Oggetto:" in page:
            out.append((page, []))
        elif out and page:
            out[-1] = (out[-1][0] + " " + page, out[-1][1])
    return out


@pytest.mark.slow
def test_provisional_then_final_letters_of_the_example_call(example_copy):
    call = str(example_copy)
    out = example_copy / "esiti" / "lettere"
    no_list, said = invoke("letters", call, "--date", "2017-09-15")
    assert no_list.exit_code == 2 and "non c'è una graduatoria" in said

    assert invoke("rank", call, "--date", "2017-09-15")[0].exit_code == 0
    written, said = invoke("letters", call, "--date", "2017-09-15")
    assert written.exit_code == 0, said
    assert "110 lettere senza recapito" in said  # reported before anything is sent
    provisional = pages_of(out / "lettere-tutte.pdf")
    firsts = [p for p in provisional if "COMUNICAZIONE DI ESITO PROVVISORIO" in p]
    assert len(firsts) == 400 and not (out / "buoni").exists()
    whole = " ".join(provisional)
    assert "provvisori" in whole and "TAR" not in whole and "Tribunale" not in whole

    # ATS-R00012: Figlio 2 was Figlio 1 copied again; correzioni.xlsx gives the second child
    ats = text_of(out / "ATS-R00012.pdf")
    assert ats.count("Claudio Spoldi (nato il 2 aprile 2005)") == 1
    assert ats.count("Tommaso Spoldi (nato il 14 dicembre 2000)") == 1
    assert "Minori non ammessi" not in ats
    # AZIENDA-M0009, the one application funded in part: who receives what, and why that order
    azienda = text_of(out / "AZIENDA-M0009.pdf")
    assert "finanziata in parte, al posto n. 323" in azienda
    assert "Vincenzo Tadi riceve 25,50 € su 300,00 € spettanti" in azienda
    assert "Leonardo Tadi riceve l'intero importo di 300,00 €" in azienda
    assert "in ordine alfabetico di codice fiscale" in azienda
    assert "finanziato in parte" in azienda and '"Totale"' not in azienda
    aurora = text_of(out / "AZIENDA-M0004.pdf")  # a girl on the waiting list
    assert "Aurora Valentini (nata il 23 ottobre 2001)" in aurora
    assert "=SOMMA" not in text_of(out / "lettere-tutte.pdf")

    final, said = invoke("rank", call, "--date", "2017-09-30", "--final")
    assert final.exit_code == 0, said
    written, said = invoke("letters", call, "--date", "2017-09-30", "--protocollo", "4521")
    assert written.exit_code == 0, said
    index = list(
        csv.DictReader(io.StringIO((out / "indice.csv").read_text("utf-8-sig")), delimiter=";")
    )
    table = pd.read_csv(
        example_copy / "esiti" / "graduatoria.csv", dtype=str, keep_default_na=False
    )
    assert len(index) == table["application_id"].nunique() == 400
    assert sum(r["Canale"] == "nessun recapito" for r in index) == 110
    paid = table[table["awarded_eur"].map(Decimal) > 0]
    slips = [s for r in index for s in r["File dei buoni"].split()]
    assert len(slips) == len(paid)  # a slip per funded child
    final_letters = letters_in(pages_of(out / "lettere-tutte.pdf"))
    assert len(final_letters) == 400
    assert sum(len(s) for _l, s in final_letters) == len(slips)
    for letter, own_slips in final_letters:
        assert (
            "definitiv" in letter
            and "Tribunale Amministrativo Regionale per la Lombardia" in letter
        )
        assert "sezione staccata di Brescia" in letter and "Prot. n. 4521" in letter
        for slip in own_slips:
            lowered = slip.lower()
            assert "isee" not in lowered and "disabilit" not in lowered and "l. 104" not in lowered
    assert text_of(out / slips[0]) == " ".join(final_letters[0][1][0].split())
    combined = out / "lettere-tutte.pdf"
    texts, layouts = (
        split_letters(pdftotext(combined)),
        split_letters(pdftotext(combined, "-layout")),
    )
    found = {
        i: problems(t, lay.splitlines())
        for i, (t, lay) in enumerate(zip(texts, layouts, strict=True))
    }
    assert {i: what for i, what in found.items() if what} == {}
    carlo = text_of(out / "ASST-PG2017-0052.pdf")  # one reason: said in the singular
    assert "Carlo Nicolò (nato il 15 marzo 2000): non ammesso, per questo motivo:" in carlo

    verified, said = invoke("verify", call)
    assert verified.exit_code == 0, said
    assert "Lettere:" in said and "riprodotti identici" in said

    # one letter again (--protocolli): a new folder; the letters of the whole list stay
    whole = sorted(p.name for p in out.rglob("*.pdf"))
    one = index[1]["Protocollo"]
    again, said = invoke("letters", call, "--data", "2017-10-05", "--protocolli", one)
    assert again.exit_code == 0, said
    chosen = example_copy / "esiti" / "lettere-selezioni" / "2017-10-05"
    assert (chosen / index[1]["File della lettera"]).is_file()
    assert len([p for p in chosen.glob("*.pdf") if p.name != "lettere-tutte.pdf"]) == 1
    assert sorted(p.name for p in out.rglob("*.pdf")) == whole
    twice, said = invoke("letters", call, "--data", "2017-10-05", "--protocolli", one)
    assert twice.exit_code == 0 and (chosen.parent / "2017-10-05-2").is_dir(), said
    into, said = invoke("letters", call, "--protocolli", one, "--lettere", str(out))
    assert into.exit_code == 2 and "di altre domande" in said, said
    assert sorted(p.name for p in out.rglob("*.pdf")) == whole
    verified, said = invoke("verify", call)
    assert verified.exit_code == 0, said

    first = out / index[0]["File della lettera"]
    first.write_bytes(first.read_bytes() + b"\n")
    tampered, said = invoke("verify", call)
    assert tampered.exit_code == 1
    assert f"lettera modificata dopo l'invio: {index[0]['File della lettera']}" in said

    # the delivery register: terms run from the day each letter was received
    ids = ",".join(r["Protocollo"] for r in index[:3])
    recorded, said = invoke("ricevute", call, "--ids", ids, "--data", "2017-10-02")
    assert recorded.exit_code == 0, said and "3 ricevute registrate" in said
    receipts = read_register(example_copy)
    assert [r.application_id for r in receipts] == [r["Protocollo"] for r in index[:3]]
    assert {r.list_status for r in receipts} == {"DEFINITIVA"}
    assert term_end(receipts[0].received_on, 60).isoformat() == "2017-12-01"
    again, said = invoke("ricevute", call, "--ids", index[0]["Protocollo"], "--data", "2017-10-03")
    assert again.exit_code == 2 and "già registrata alla riga 2" in said


@pytest.mark.parametrize(
    ("received", "days", "end"),
    [
        ("2017-09-16", 15, "2017-10-02"),  # Sunday 1 October -> Monday
        ("2017-12-10", 15, "2017-12-27"),  # Christmas, then Santo Stefano -> Wednesday 27
        ("2018-03-18", 15, "2018-04-03"),  # Easter Monday 2 April 2018 -> Tuesday
        ("2017-12-17", 15, "2018-01-02"),  # 1 January -> the 2nd
        ("2018-05-17", 15, "2018-06-01"),  # an ordinary Friday stays
        ("2018-05-18", 15, "2018-06-04"),  # Saturday 2 June is a holiday, Sunday 3 too
    ],
)
def test_a_term_ending_on_a_sunday_or_a_holiday_runs_to_the_next_working_day(
    received: str, days: int, end: str
) -> None:
    assert term_end(dt.date.fromisoformat(received), days) == dt.date.fromisoformat(end)
