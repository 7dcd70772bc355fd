"""The letters and slips as PDF/A, read back with pdftotext: each outcome, a slip, a provisional
and a final letter; the same bytes on every run, in a pool or not."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from letters_fixtures import small_result
from pypdf import PdfReader

from conciliare_cli.letters import ListSource, write_letters

RUN_DATE = dt.date(2017, 9, 30)
PROVISIONAL = ListSource("PROVVISORIA", dt.date(2017, 9, 15), "ab" * 32)
FINAL = ListSource("DEFINITIVA", dt.date(2017, 9, 30), "cd" * 32)
APPEAL = (
    "ricorso al Tribunale Amministrativo Regionale per la Lombardia, sezione staccata di Brescia, "
    "entro 60 giorni dal ricevimento, oppure ricorso straordinario al Presidente della Repubblica "
    "entro 120 giorni dal ricevimento"
)


def text_of(path: Path) -> str:
    """pdftotext of a PDF, with lines joined (words as a reader sees them)."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.replace("\u00ad\n", "").split())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    result = small_result(folder / "bando")
    final = write_letters(result, folder / "definitive", source=FINAL, run_date=RUN_DATE)
    provisional = write_letters(
        result, folder / "provvisorie", source=PROVISIONAL, run_date=dt.date(2017, 9, 15)
    )
    return result, folder, final, provisional


def test_files_and_the_combined_pdf(rendered):
    _result, folder, final, provisional = rendered
    out = folder / "definitive"
    letters = sorted(p.name for p in out.glob("*.pdf"))
    assert letters == [
        "ASST-0001.pdf",
        "ASST-0002.pdf",
        "ASST-0003.pdf",
        "ASST-0004.pdf",
        "ASST-0005.pdf",
        "ASST-0006.pdf",
        "______x.pdf",
        "lettere-tutte.pdf",
    ]
    slips = sorted(p.name for p in (out / "buoni").glob("*.pdf"))
    assert slips == ["ASST-0001-1.pdf", "ASST-0001-2.pdf", "ASST-0002-1.pdf", "ASST-0005-1.pdf"]
    assert final.slips == 4 and provisional.slips == 0
    assert not (folder / "provvisorie" / "buoni").exists()
    combined = PdfReader(out / "lettere-tutte.pdf", strict=True)
    singles = [PdfReader(p) for p in out.rglob("*.pdf") if p.name != "lettere-tutte.pdf"]
    assert len(combined.pages) == final.pages == sum(len(r.pages) for r in singles)


def test_funded_final_letter(rendered):
    _r, folder, _f, _p = rendered
    text = text_of(folder / "definitive" / "ASST-0001.pdf")
    for fragment in [
        "PROVVEDIMENTO DI ASSEGNAZIONE DEL VOUCHER",
        "graduatoria definitiva del 30 settembre 2017, rif. cdcdcdcdcdcd",
        "Al signor Mario Rossi",
        "Gentile signor Mario Rossi,",
        "presentata il 10 luglio 2017 alle ore 10:30",
        "ammessa e finanziata, al posto n. 1 con 29 punti",
        "Luca Rossi (nato il 1° febbraio 2010)",
        "Anna Rossi (nata il 1° febbraio 2010)",
        "finanziata",
        "Totale assegnato",
        "I voucher sono pagati da:",
        "550,00 €",
        "A questa lettera sono allegati 2 buoni, uno per ciascun minore finanziato: consegni al "
        "gestore del servizio solo i buoni.",
        "Rinuncia",
        APPEAL,
        "Responsabile del procedimento, ai sensi dell'art. 5 della L. 241/1990, è: dott.ssa "
        "Laura Ferrari (Ufficio Progetti di Conciliazione).",
        "dott. Paolo Martini",
        "Firma autografa sostituita a mezzo stampa ai sensi dell'art. 3, comma 2, "
        "del d.lgs. 39/1993",
        "Regolamento (UE) 2016/679",
        "Prot. n. vedi segnatura di protocollo",
        "Fondo Sociale Europeo",
    ]:
        assert fragment in text, fragment
    assert "TAR per la Lombardia" not in text


def test_partial_waiting_and_excluded_final_letters(rendered):
    _r, folder, _f, _p = rendered
    out = folder / "definitive"
    partial = text_of(out / "ASST-0002.pdf")
    assert "PROVVEDIMENTO DI ASSEGNAZIONE PARZIALE DEL VOUCHER" in partial
    assert "finanziata in parte" in partial and "123,45 €" in partial
    assert "Al Suo posto in graduatoria restavano 123,45 €" in partial
    assert "dal criterio di precedenza «ISEE più basso»" in partial
    waiting = text_of(out / "ASST-0003.pdf")
    assert "PROVVEDIMENTO DI AMMISSIONE IN LISTA D'ATTESA" in waiting
    assert "al posto n. 1 della lista d'attesa" in waiting
    assert "Elena Neri (nata il 1° febbraio 2010)" in waiting and "Rinuncia" not in waiting
    assert APPEAL in waiting
    lottery = text_of(out / "ASST-0006.pdf")
    assert "dal sorteggio previsto dal bando" in lottery
    excluded = text_of(out / "ASST-0004.pdf")
    assert "PROVVEDIMENTO DI NON AMMISSIONE" in excluded
    assert "non ammessa per il seguente motivo" in excluded  # one reason, in the singular
    assert "Rita Blu (nata il 1° febbraio 2010): non ammessa" in excluded
    assert APPEAL in excluded and "buono" not in excluded


def test_provisional_letters_invite_observations_and_carry_no_appeal(rendered):
    _r, folder, _f, _p = rendered
    out = folder / "provvisorie"
    for path in sorted(out.glob("*.pdf")):
        text = text_of(path)
        assert "provvisori" in text, path.name
        assert "TAR" not in text and "Tribunale Amministrativo" not in text, path.name
        assert "ricorso" not in text and "definitiv" not in text.replace(
            "graduatoria definitiva, che Le sarà comunicata", ""
        ).replace("non è un provvedimento definitivo", ""), path.name
    funded = text_of(out / "ASST-0001.pdf")
    assert "COMUNICAZIONE DI ESITO PROVVISORIO" in funded
    assert "I voucher sarebbero pagati da:" in funded and "Totale assegnato" not in funded
    assert "graduatoria provvisoria del 15 settembre 2017, rif. abababababab" in funded
    assert "può presentare osservazioni scritte" in funded
    assert "entro 10 giorni dal ricevimento di questa comunicazione" in funded
    assert "Le sarebbe assegnato un voucher" in funded


def test_final_letters_say_definitiva_and_the_appeal_terms(rendered):
    _r, folder, _f, _p = rendered
    for path in sorted((folder / "definitive").glob("ASST-*.pdf")):
        text = text_of(path)
        assert "definitiv" in text and APPEAL in text, path.name


def test_the_slip_names_the_child_and_amount_and_nothing_private(rendered):
    _result, folder, _f, _p = rendered
    slip = text_of(folder / "definitive" / "buoni" / "ASST-0001-1.pdf")
    for fragment in [
        "VOUCHER DI CONCILIAZIONE",
        "Codice del voucher CONC2017-ASST-0001-1",
        "Minore Luca Rossi",
        "Importo 300,00 €",
        "Validità dal 1° settembre 2017 al 31 agosto 2018",
        "Codice della domanda ASST-0001",
        "graduatoria definitiva del 30 settembre 2017, rif. cdcdcdcdcdcd",
    ]:
        assert fragment in slip, fragment
    lowered = slip.lower()
    for private in ["isee", "disabilit", "104", "dsa", "bes", "apprendimento", "punt", "motiv"]:
        assert private not in lowered, private
    assert "14.500" not in slip and "Mario Rossi" not in slip  # the family's ISEE, the applicant
    for path in (folder / "definitive" / "buoni").glob("*.pdf"):
        lowered = text_of(path).lower()
        assert "isee" not in lowered and "disabilit" not in lowered and "dsa" not in lowered


def test_hostile_data_prints_as_itself(rendered):
    _r, folder, _f, _p = rendered
    text = text_of(folder / "definitive" / "ASST-0006.pdf")
    assert "{{7*7}} <b>x</b>" in text
    assert "Anna/<script>alert(1)</script> Viola" in text_of(folder / "definitive" / "______x.pdf")


def test_pdfa_metadata(rendered):
    _r, folder, _f, _p = rendered
    reader = PdfReader(folder / "definitive" / "ASST-0001.pdf", strict=True)
    assert reader.metadata.title.startswith("Esito della domanda ASST-0001")
    assert reader.metadata.author == "ASST di Crema"
    xmp = reader.trailer["/Root"]["/Metadata"].get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp and b"<pdfaid:conformance>B" in xmp
    assert reader.trailer["/Root"]["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    assert b"2017-09-30T00:00:00Z" in xmp


def test_the_letters_manifest_lists_every_file(rendered):
    _r, folder, _f, _p = rendered
    out = folder / "definitive"
    data = json.loads((out / "manifest-lettere.json").read_text(encoding="utf-8"))
    assert data["graduatoria"] == {
        "status": "DEFINITIVA",
        "run_date": "2017-09-30",
        "manifest_sha256": "cd" * 32,
    }
    listed = {e["path"]: e for e in data["files"]}
    on_disk = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name != "manifest-lettere.json"
    }
    assert set(listed) == on_disk
    for rel, entry in listed.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == entry["sha256"]
    assert listed["buoni/ASST-0001-2.pdf"]["kind"] == "buono"
    assert listed["ASST-0001.pdf"] == {**listed["ASST-0001.pdf"], "application_id": "ASST-0001"}
    assert {t["name"] for t in data["templates"]} >= {"lettera.typ", "buono.typ", "stile.typ"}


def test_same_run_twice_gives_identical_bytes_with_or_without_a_pool(rendered, tmp_path):
    result, folder, _f, _p = rendered
    again = tmp_path / "di-nuovo"
    write_letters(result, again, source=FINAL, run_date=RUN_DATE, workers=1, chunk_size=2)
    pooled = tmp_path / "in-due"
    write_letters(result, pooled, source=FINAL, run_date=RUN_DATE, workers=2, chunk_size=2)
    a = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    b = {p.relative_to(pooled): p.read_bytes() for p in pooled.rglob("*") if p.is_file()}
    assert a == b
    other_date = tmp_path / "altra-data"
    write_letters(result, other_date, source=FINAL, run_date=dt.date(2017, 10, 1), workers=1)
    assert (other_date / "ASST-0001.pdf").read_bytes() != (
        folder / "definitive" / "ASST-0001.pdf"
    ).read_bytes()
