"""Letters' data (each child once, gender, partial awards, vouchers), templates and the sandbox,
the index for sending, the checks against the graduatoria, and the formal elements."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from letters_fixtures import _minor, make_call_folder, result_from_rows, small_result, small_rows

from conciliare_cli.config import load_call
from conciliare_cli.errors import UserError
from conciliare_cli.italian import count_noun
from conciliare_cli.letters import (
    ListSource,
    assign_file_stems,
    build_letters,
    formal_gaps,
    parse_outcomes,
    sanitise_id,
    write_letters,
)
from conciliare_cli.letters.engine import SHIPPED
from conciliare_cli.letters.files import check_against_graduatoria, letters_folder
from conciliare_cli.letters.words import (
    date_with_article,
    datetime_with_article,
    feminine_from_tax_code,
    points_text,
)

RUN_DATE = dt.date(2017, 9, 15)
PROVISIONAL = ListSource("PROVVISORIA", RUN_DATE, "ab" * 32)
FINAL = ListSource("DEFINITIVA", dt.date(2017, 9, 30), "cd" * 32)


def eur(text: str) -> str:
    """'550,00 €' as Babel writes it (a no-break space before the euro sign)."""
    return text.replace(" €", "\u00a0€")


@pytest.fixture
def result(tmp_path):
    return small_result(tmp_path / "bando")


@pytest.fixture
def letters(result):
    return {x.application_id: x for x in build_letters(result, FINAL)}


# ---------------------------------------------------------------- Italian


def test_gender_comes_from_the_day_in_the_tax_code():
    assert feminine_from_tax_code("RSSNNA12C41C089B") is True  # day 41: a woman
    assert feminine_from_tax_code("RSSLCU10B01C089A") is False
    assert feminine_from_tax_code("RSSNNA12C4MC089B") is True  # omocodia: M = 1
    assert feminine_from_tax_code("12345678901") is None
    assert feminine_from_tax_code("") is None


def test_dates_take_the_elided_article_and_plurals_agree():
    assert date_with_article(dt.date(2017, 6, 8)) == "l'8 giugno 2017"
    assert date_with_article(dt.date(2017, 7, 11)) == "l'11 luglio 2017"
    assert date_with_article(dt.date(2017, 9, 1)) == "il 1° settembre 2017"
    assert date_with_article(dt.date(2017, 9, 15)) == "il 15 settembre 2017"
    assert datetime_with_article(dt.datetime(2017, 6, 8, 9, 5)) == "l'8 giugno 2017 alle ore 09:05"
    assert count_noun(1, "anno", "anni") == "1 anno" and count_noun(2, "anno", "anni") == "2 anni"
    assert points_text(1) == "1 punto" and points_text(9) == "9 punti"
    assert points_text(1.5) == "1,5 punti" and points_text(0) == "0 punti"


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_no_date_ever_reads_il_8_or_il_11(day):
    text = date_with_article(day)
    assert not text.startswith(("il 8 ", "il 11 ", "l'1 ", "il 01"))
    assert text.startswith("l'") == (day.day in (8, 11))


# ---------------------------------------------------------------- what each letter says


def test_every_outcome_and_graduatoria_order(result):
    got = build_letters(result, FINAL)
    assert [x.application_id for x in got] == [
        "ASST-0001",
        "ASST-0005",
        "ASST-0002",
        "ASST-0003",
        "ASST-0006",
        "../../x",
        "ASST-0004",
    ]
    assert {x.outcome for x in got} == {
        "FINANZIATA",
        "FINANZIATA_PARZIALMENTE",
        "AMMESSA_NON_FINANZIATA",
        "ESCLUSA",
    }


def test_children_agree_with_their_gender_and_amounts_add_up(letters):
    funded = letters["ASST-0001"].context
    luca, anna = funded["children"]
    assert (luca["outcome_label"], luca["born"]) == ("finanziato", "nato il 1° febbraio 2010")
    assert (anna["outcome_label"], anna["born"]) == ("finanziata", "nata il 1° febbraio 2010")
    assert funded["total"] == eur("550,00 €")
    assert funded["children_phrase"] == "ciascuno dei 2 minori indicati qui sotto"
    assert funded["recipient"]["salutation"] == "Al signor"
    assert funded["recipient"]["greeting"] == "Gentile signor Mario Rossi"
    assert funded["submitted"] == "il 10 luglio 2017 alle ore 10:30"
    assert funded["points"] == "29 punti"


def test_an_excluded_girl_is_non_ammessa_with_reasons_in_her_gender(letters):
    excluded = letters["ASST-0004"].context
    rita = next(c for c in excluded["children"] if c["name"] == "Rita Blu")
    assert rita["outcome_label"] == "non ammessa"
    texts = [r["text"] for r in excluded["reasons"]]
    assert texts and all("ISEE" in t or "(art." in t for t in texts)
    ivo = next(c for c in excluded["children"] if c["name"] == "Ivo Blu")
    assert ivo["outcome_label"] == "non ammesso"
    assert ivo["reasons"] and not any("ISEE" in r for r in ivo["reasons"])  # stated once, above


def test_a_child_written_twice_is_one_child_with_one_outcome(tmp_path):
    rows = small_rows()
    twice = _minor(
        "ASST-0003",
        ("Luigi", "Neri"),
        ("Elena", "Neri", "NRELNE13A41C089F"),
        status="ESCLUSA",
        awarded=0,
        requested=0,
        reasons="MINORE_RIPETUTO_IN_DOMANDA",
    )
    result = result_from_rows(make_call_folder(tmp_path / "bando"), [*rows, twice])
    letter = next(x for x in build_letters(result, FINAL) if x.application_id == "ASST-0003")
    (elena,) = letter.context["children"]
    assert elena["outcome_label"] == "in lista d'attesa" and elena["admitted"]
    assert elena["notes"] == [
        "Elena Neri è indicata 2 volte nella domanda: è considerata una sola volta."
    ]


def test_a_partial_award_says_which_child_receives_what_and_why(tmp_path):
    rows = [
        _minor(
            "P-1",
            ("Nicolò", "Valli"),
            (n, "Valli", cf),
            status="FINANZIATA_PARZIALMENTE",
            awarded=a,
            requested=r,
            rank=1,
            score=9,
        )
        for n, cf, a, r in [
            ("Elia", "VLLLEI15C03F205F", 15950, 30000),
            ("Aurora", "VLLRRA01R63E648B", 0, 7750),
            ("Roberto", "VLLRRT11H13D142T", 0, 30000),
        ]
    ]
    result = result_from_rows(make_call_folder(tmp_path / "bando"), rows)
    (letter,) = build_letters(result, FINAL)
    labels = [(c["name"], c["outcome_label"], c["amount"]) for c in letter.context["children"]]
    assert labels == [
        ("Elia Valli", "finanziato in parte", eur("159,50 €")),
        ("Aurora Valli", "non ancora finanziata", eur("0,00 €")),
        ("Roberto Valli", "non ancora finanziato", eur("0,00 €")),
    ]
    partial = letter.context["partial"]
    assert "uno dopo l'altro, in ordine alfabetico di codice fiscale" in partial  # no Figlio 1, 2
    for slot, row in enumerate(rows, start=1):
        row["minor_slot"] = slot
    slotted = result_from_rows(make_call_folder(tmp_path / "bando2"), rows)
    (with_slots,) = build_letters(slotted, FINAL)
    assert (
        "uno dopo l'altro, nell'ordine in cui sono indicati nella domanda"
        in (with_slots.context["partial"])
    )
    assert f"Elia Valli riceve {eur('159,50 €')} su {eur('300,00 €')} spettanti" in partial
    assert "Aurora Valli e Roberto Valli per ora non ricevono alcun importo" in partial
    assert [v["child"] for v in letter.vouchers] == ["Elia Valli"]  # only the paid child


def test_vouchers_only_in_a_final_list_with_codes_from_the_public_id(result):
    provisional = {x.application_id: x for x in build_letters(result, PROVISIONAL)}
    final = {x.application_id: x for x in build_letters(result, FINAL)}
    assert all(not x.vouchers for x in provisional.values())
    assert [v["code"] for v in final["ASST-0001"].vouchers] == [
        "CONC2017-ASST-0001-1",
        "CONC2017-ASST-0001-2",
    ]
    assert final["ASST-0003"].vouchers == [] and final["ASST-0004"].vouchers == []
    assert final["ASST-0001"].context["list"]["label"] == "definitiva"
    assert provisional["ASST-0001"].context["list"]["hash"] == "abababababab"


def test_channel_from_the_contact_columns(tmp_path):
    rows = small_rows()
    for row in rows:
        if row["application_id"] == "ASST-0002":
            row["applicant_pec"] = "paola@pec.example.org"
        if row["application_id"] == "ASST-0003":
            row["applicant_email"] = ""
        if row["application_id"] == "ASST-0006":
            row.update(applicant_email="", applicant_address="", applicant_postcode="")
            row["applicant_city"] = ""
    result = result_from_rows(make_call_folder(tmp_path / "bando"), rows)
    channel = {x.application_id: x.recipient["channel"] for x in build_letters(result, FINAL)}
    assert channel["ASST-0002"] == "PEC"
    assert channel["ASST-0001"] == "EMAIL"
    assert channel["ASST-0003"] == "POSTA"
    assert channel["ASST-0006"] == "NESSUNO"


# ---------------------------------------------------------------- files and index


def test_sanitised_file_names():
    assert sanitise_id("../../x") == "______x"
    assert sanitise_id("lettere-tutte") == "lettere-tutte_"
    assert sanitise_id("buoni") == "buoni_"
    assert sanitise_id("CON") == "CON_"


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=30))
def test_file_stems_are_safe_unique_and_order_free(ids):
    stems = assign_file_stems(ids)
    assert len({s.casefold() for s in stems.values()}) == len(set(ids))
    assert assign_file_stems(list(reversed(ids))) == stems
    assert all(s and "/" not in s and "." not in s for s in stems.values())


def read_index(folder):
    raw = (folder / "indice.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: an Italian Excel reads the accents
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("letters")
    result = small_result(folder / "bando")
    out = folder / "lettere"
    report = write_letters(result, out, source=FINAL, run_date=RUN_DATE, workers=1)
    return result, out, report


def test_index_for_an_italian_excel_with_address_channel_outcome_and_files(written):
    _result, out, report = written
    rows = read_index(out)
    assert list(rows[0]) == [
        "Protocollo",
        "Codice pubblico",
        "Esito",
        "Destinatario",
        "Canale",
        "Recapito",
        "Indirizzo",
        "CAP e comune",
        "E-mail",
        "PEC",
        "File della lettera",
        "File dei buoni",
    ]
    first = rows[0]
    assert first["Protocollo"] == "ASST-0001" and first["Esito"] == "Finanziata"
    assert first["Canale"] == "e-mail" and first["Recapito"] == "asst-0001@example.org"
    assert first["File dei buoni"] == "buoni/ASST-0001-1.pdf buoni/ASST-0001-2.pdf"
    hostile = next(r for r in rows if r["Protocollo"] == "../../x")
    assert hostile["File della lettera"] == "______x.pdf"
    for row in rows:
        assert (out / row["File della lettera"]).is_file()
        for slip in row["File dei buoni"].split():
            assert (out / slip).is_file()
    assert len(rows) == report.letters == 7
    book = openpyxl.load_workbook(out / "indice.xlsx", read_only=True)
    values = [c for row in book["Lettere"].iter_rows(values_only=True) for c in row if c]
    assert "asst-0001@example.org" in values and "Alla signora" not in values


def test_index_cells_never_start_a_formula(tmp_path):
    rows = small_rows()
    for row in rows:
        if row["application_id"] == "ASST-0002":
            row["applicant_name"] = "=HYPERLINK(1)"
    result = result_from_rows(make_call_folder(tmp_path / "bando"), rows)
    out = tmp_path / "out"
    write_letters(result, out, source=PROVISIONAL, run_date=RUN_DATE, workers=1, ids={"ASST-0002"})
    (row,) = read_index(out)
    assert row["Destinatario"] == "'=HYPERLINK(1) Verdi"


def test_a_second_run_replaces_its_own_files_only(written, tmp_path):
    result, _out, _report = written
    out = tmp_path / "lettere"
    write_letters(result, out, source=FINAL, run_date=RUN_DATE, workers=1, ids={"ASST-0003"})
    (out / "nota-ufficio.txt").write_text("mia", encoding="utf-8")
    write_letters(result, out, source=FINAL, run_date=RUN_DATE, workers=1, ids={"ASST-0003"})
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert names == [
        "ASST-0003.pdf",
        "indice.csv",
        "indice.xlsx",
        "lettere-tutte.pdf",
        "manifest-lettere.json",
        "nota-ufficio.txt",
    ]


def test_a_selection_never_deletes_the_other_letters(written, tmp_path):
    result, _out, _report = written
    out = tmp_path / "lettere"
    write_letters(result, out, source=FINAL, run_date=RUN_DATE, workers=1)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(UserError, match="di altre domande") as caught:
        write_letters(result, out, source=FINAL, run_date=RUN_DATE, workers=1, ids={"ASST-0003"})
    assert "lettere-selezioni" in caught.value.render()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # the whole list again replaces the whole list
    write_letters(result, out, source=FINAL, run_date=RUN_DATE, workers=1)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_selection_folders_are_new_each_time(tmp_path):
    from conciliare_cli.letters.files import selection_folder

    first = selection_folder(tmp_path, RUN_DATE)
    assert first == tmp_path / "lettere-selezioni" / "2017-09-15"
    first.mkdir(parents=True)
    assert selection_folder(tmp_path, RUN_DATE).name == "2017-09-15-2"


def test_letters_match_the_graduatoria(written, tmp_path):
    result, _out, _report = written
    path = tmp_path / "graduatoria.csv"
    minors = result.minors
    lines = ["application_id,minor_tax_code,awarded_eur,status"]
    for row in minors.itertuples():
        lines.append(
            f"{row.application_id},{row.minor_tax_code},"
            f"{int(row.awarded_cents) // 100}.{int(row.awarded_cents) % 100:02d},{row.status}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check_against_graduatoria(minors, path)
    path.write_text("\n".join([*lines[:2], lines[2].replace("FINANZIATA", "ESCLUSA"), *lines[3:]]))
    with pytest.raises(UserError, match="la graduatoria è cambiata"):
        check_against_graduatoria(minors, path)


def test_failed_run_leaves_the_folder_untouched(tmp_path):
    target = tmp_path / "lettere"
    target.mkdir()
    (target / "vecchia.pdf").write_bytes(b"%PDF")
    with pytest.raises(RuntimeError), letters_folder(target) as tmp:
        (tmp / "nuova.pdf").write_bytes(b"x")
        raise RuntimeError("stop")
    assert sorted(p.name for p in target.iterdir()) == ["vecchia.pdf"]


def test_unknown_outcome_is_an_error():
    with pytest.raises(UserError, match="esito sconosciuto"):
        parse_outcomes("FINANZIATA,BOH")


# ---------------------------------------------------------------- templates and sandbox


def _override(result, name: str, text: str) -> None:
    folder = result.call.folder / "templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_override_template_is_used_and_data_prints_as_itself(tmp_path):
    from pypdf import PdfReader

    result = small_result(tmp_path / "bando")
    _override(
        result,
        "buono.typ",
        "#let buono(c, l, b) = [BUONO PERSONALIZZATO #b.code]\n",
    )
    out = tmp_path / "out"
    write_letters(result, out, source=FINAL, run_date=RUN_DATE, workers=1, ids={"ASST-0001"})
    text = PdfReader(out / "buoni" / "ASST-0001-1.pdf").pages[0].extract_text()
    assert "BUONO PERSONALIZZATO CONC2017-ASST-0001-1" in text


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("#let buono(c, l, b) = [\n#b.nonesiste]\n", 2, "nonesiste"),
        ('#let buono(c, l, b) = [\n\n#read("/etc/passwd")]\n', 3, "file non accessibile"),
        ('#import "@preview/cetz:0.3.0": canvas\n#let buono(c, l, b) = []\n', 1, "pacchetti"),
        ("#let buono(c, l, b) = [ #(1 + ] \n", 1, "errore nel modello"),
    ],
)
def test_a_bad_template_names_its_file_and_line_before_any_letter(tmp_path, text, line, fragment):
    result = small_result(tmp_path / "bando")
    _override(result, "buono.typ", text)
    out = tmp_path / "out"
    with pytest.raises(UserError) as info:
        write_letters(result, out, source=PROVISIONAL, run_date=RUN_DATE, workers=1)
    message = info.value.render()
    assert str(result.call.folder / "templates" / "buono.typ") in message
    assert f"riga {line}:" in message and fragment in message
    assert not out.exists()


def test_a_stile_of_an_earlier_version_is_said_so(tmp_path):
    """A call's own stile.typ without the helpers the shipped templates now import."""
    result = small_result(tmp_path / "bando")
    shipped = (SHIPPED / "stile.typ").read_text(encoding="utf-8")
    _override(result, "stile.typ", shipped.replace("#let affianca(", "#let vecchia("))
    with pytest.raises(UserError) as info:
        write_letters(result, tmp_path / "out", source=FINAL, run_date=RUN_DATE, workers=1)
    message = info.value.render()
    assert "unresolved import" in message and "versione precedente" in message


def test_every_page_of_a_letter_says_whose_and_which(tmp_path):
    result = small_result(tmp_path / "bando")
    _override(
        result,
        "lettera.typ",
        (SHIPPED / "lettera.typ")
        .read_text(encoding="utf-8")
        .replace("  esito(c, l)\n", "  v(250mm)\n  esito(c, l)\n"),
    )
    out = tmp_path / "out"
    write_letters(result, out, source=FINAL, run_date=RUN_DATE, workers=1)
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(out / "ASST-0001.pdf").pages]
    assert len(pages) >= 2
    for n, text in enumerate(pages, start=1):
        assert text.rstrip().endswith(f"Domanda ASST-0001 – pagina {n} di {len(pages)}")
    slip = PdfReader(out / "buoni" / "ASST-0001-1.pdf").pages[0].extract_text()
    assert "Domanda" not in slip and "pagina" not in slip


def test_missing_letters_section_and_missing_logo(tmp_path):
    result = small_result(tmp_path / "bando", logos=["loghi/manca.png"])
    with pytest.raises(UserError, match="non esiste"):
        write_letters(result, tmp_path / "out", source=FINAL, run_date=RUN_DATE, workers=1)


# ---------------------------------------------------------------- formal elements


def test_formal_gaps_name_what_the_call_lacks(tmp_path):
    result = small_result(tmp_path / "bando")
    path = result.call.folder / "bando.yaml"
    assert formal_gaps(load_call(result.call.folder)) == [
        "bando.yaml: letters.logos è vuoto: le comunicazioni cofinanziate dal FSE devono "
        "riportare gli emblemi"
    ]
    text = path.read_text(encoding="utf-8")
    text = text.replace('  tar: "Tribunale', '  # tar: "Tribunale').replace(
        "  responsible_officer:", "  # responsible_officer:"
    )
    text = text.replace("  logos: []", '  logos: ["loghi/segnaposto-ue.png"]')
    path.write_text(text, encoding="utf-8")
    gaps = formal_gaps(load_call(result.call.folder))
    assert any("acts.tar" in g for g in gaps)
    assert any("acts.responsible_officer" in g for g in gaps)
    assert any("segnaposto" in g for g in gaps)
