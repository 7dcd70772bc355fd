"""Letters without the PDF engine: data of each letter, templates, files, checks, HTML output."""

from __future__ import annotations

import builtins
import csv
import datetime as dt
import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from letters_fixtures import result_from_rows, small_result, small_rows
from typer.testing import CliRunner

from conciliare_cli.errors import UserError
from conciliare_cli.letters import (
    INDEX_NAME,
    PdfUnavailable,
    assign_file_stems,
    build_letters,
    load_weasyprint,
    parse_outcomes,
    sanitise_id,
    write_letters,
)
from conciliare_cli.letters.files import check_against_graduatoria, letters_folder
from conciliare_cli.money import cents_to_plain

RUN_DATE = dt.date(2017, 9, 15)


def eur(text: str) -> str:
    """'550,00 €' as Babel writes it (a no-break space before the euro sign)."""
    return text.replace(" €", "\u00a0€")


@pytest.fixture
def result(tmp_path):
    return small_result(tmp_path / "bando")


@pytest.fixture
def letters(result):
    return {letter.application_id: letter for letter in build_letters(result, RUN_DATE)}


def write_html(result, out, **kwargs):
    return write_letters(result, out, run_date=RUN_DATE, fmt="html", **kwargs)


def read_index(folder: Path) -> list[dict[str, str]]:
    with (folder / INDEX_NAME).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------- the data of each letter


def test_every_outcome_and_graduatoria_order(result):
    letters = build_letters(result, RUN_DATE)
    assert [(x.application_id, x.outcome) for x in letters] == [
        ("ASST-0001", "FINANZIATA"),
        ("ASST-0005", "FINANZIATA"),
        ("ASST-0002", "FINANZIATA_PARZIALMENTE"),
        ("ASST-0003", "AMMESSA_NON_FINANZIATA"),
        ("ASST-0006", "AMMESSA_NON_FINANZIATA"),
        ("../../x", "ESCLUSA"),  # excluded last, by id
        ("ASST-0004", "ESCLUSA"),
    ]
    assert len(letters) == result.minors["application_id"].nunique()


def test_amounts_in_italian_and_totals(letters):
    first = letters["ASST-0001"].context
    assert [m["amount"] for m in first["minors"]] == [eur("300,00 €"), eur("250,00 €")]
    assert first["total"] == eur("550,00 €")
    assert letters["ASST-0001"].total_cents == 55000
    assert first["funds"] == [
        {"name": "POR FSE 2014-2020 (Fondo Sociale Europeo)", "amount": eur("400,00 €")},
        {"name": "ATS Val Padana", "amount": eur("150,00 €")},
    ]
    partial = letters["ASST-0002"].context
    assert partial["total"] == eur("123,45 €")
    assert partial["requested_total"] == eur("300,00 €")
    assert letters["ASST-0003"].context["total"] == eur("0,00 €")
    assert first["date"] == "15 settembre 2017"
    assert first["submitted_at"] == "10/07/2017 10:30"
    assert first["reference"] == "CONC2017/ASST-0001"


def test_statement_of_reasons_has_values_points_references_and_rank(letters):
    unit = letters["ASST-0001"].context["units"][0]
    rows = {c["id"]: c for c in unit["criteria"]}
    assert rows["isee"]["value"] == eur("14.500,00 €")
    assert rows["isee"]["points"] == "10"
    assert rows["isee"]["reference"] == "art. 7 lett. c"
    assert rows["monogenitore"]["value"] == "sì"
    assert rows["genitori_lavoratori"]["value"] == "no"
    assert rows["genitori_lavoratori"]["points"] == "0"
    assert rows["disabilita"]["value"] == "1"  # admitted minors with disability
    assert rows["numero_figli"]["value"] == "2"
    assert unit["score"] == "29"
    assert unit["rank"] == "1"
    # the excluded minor of an admitted application is not counted
    other = {c["id"]: c for c in letters["ASST-0005"].context["units"][0]["criteria"]}
    assert other["numero_figli"]["value"] == "1"


def test_tie_breaker_and_lottery_are_named(letters):
    tie = letters["ASST-0002"].context
    assert tie["decided_by"] == "ISEE più basso"
    assert tie["units"][0]["decided_by_lottery"] is False
    lottery = letters["ASST-0006"].context["units"][0]
    assert lottery["decided_by"] == "sorteggio"
    assert lottery["decided_by_lottery"] is True
    assert letters["ASST-0001"].context["decided_by"] == ""
    assert letters["ASST-0003"].context["waiting_position"] == "1"


def test_reasons_for_application_and_for_single_minors(letters):
    excluded = letters["ASST-0004"].context
    assert [r["code"] for r in excluded["reasons"]] == ["ISEE_OLTRE_SOGLIA"]
    assert excluded["reasons"][0]["text"].startswith("L'ISEE del nucleo familiare supera")
    assert excluded["reasons"][0]["reference"] == "art. 3 c. 2"
    minors = {m["name"]: m for m in excluded["minors"]}
    assert [r["code"] for r in minors["Ivo Blu"]["reasons"]] == ["ETA_NON_AMMESSA"]
    assert minors["Rita Blu"]["reasons"] == []
    mixed = letters["ASST-0005"].context
    assert mixed["outcome"] == "FINANZIATA"
    assert [m["name"] for m in mixed["excluded_minors"]] == ["Pietro Bianchi"]
    assert mixed["excluded_minors"][0]["reasons"][0]["code"] == "ETA_NON_AMMESSA"
    # review and appeal: every negative or partial outcome, and a funded one with an exclusion
    appeal = {k: v.context["can_appeal"] for k, v in letters.items()}
    assert appeal == {
        "ASST-0001": False,
        "ASST-0005": True,
        "ASST-0002": True,
        "ASST-0003": True,
        "ASST-0006": True,
        "../../x": True,
        "ASST-0004": True,
    }


# ---------------------------------------------------------------- file names


def test_sanitised_file_names():
    assert sanitise_id("../../x") == "______x"
    assert sanitise_id("Anna/<script>") == "Anna__script_"
    assert sanitise_id("") == "_"
    assert sanitise_id("lettere-tutte") == "lettere-tutte_"  # never the combined file
    assert sanitise_id("CON") == "CON_"  # a reserved name on Windows
    stems = assign_file_stems(["a/b", "a_b", "A_B", "x"])
    assert stems == {"A_B": "A_B", "a/b": "a_b-2", "a_b": "a_b-3", "x": "x"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=30, unique=True))
def test_file_stems_are_safe_unique_and_order_free(ids):
    stems = assign_file_stems(ids)
    assert set(stems) == set(ids)
    values = list(stems.values())
    assert len({v.casefold() for v in values}) == len(values)
    for v in values:
        assert v and all(c.isascii() and (c.isalnum() or c in "_-") for c in v)
        assert v.casefold() not in {"lettere-tutte", "indice"}
    assert assign_file_stems(list(reversed(ids))) == stems


# ---------------------------------------------------------------- HTML output


def test_html_letters_index_and_literal_data(result, tmp_path):
    out = tmp_path / "lettere"
    report = write_html(result, out)
    assert report.letters == 7
    assert report.counts == {
        "FINANZIATA": 2,
        "FINANZIATA_PARZIALMENTE": 1,
        "AMMESSA_NON_FINANZIATA": 2,
        "ESCLUSA": 2,
    }
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "ASST-0001.html",
        "ASST-0002.html",
        "ASST-0003.html",
        "ASST-0004.html",
        "ASST-0005.html",
        "ASST-0006.html",
        "______x.html",
        "indice.csv",
        "lettere-tutte.html",
    ]
    index = read_index(out)
    assert [r["application_id"] for r in index][:3] == ["ASST-0001", "ASST-0005", "ASST-0002"]
    assert index[-2]["file"] == "______x.html"
    assert index[0]["recipient_name"] == "Mario Rossi"
    assert index[0]["email"] == "asst-0001@example.org"
    hostile = (out / "ASST-0006.html").read_text(encoding="utf-8")
    assert "{{7*7}} &lt;b&gt;x&lt;/b&gt;" in hostile
    assert "<b>x</b>" not in hostile
    script = (out / "______x.html").read_text(encoding="utf-8")
    assert "<script>" not in script and "&lt;script&gt;" in script
    combined = (out / "lettere-tutte.html").read_text(encoding="utf-8")
    assert combined.count('class="conciliare-lettera"') == 7
    funded = (out / "ASST-0001.html").read_text(encoding="utf-8")
    for text in [
        eur("550,00 €"),
        "15 settembre 2017",
        "Oggetto:",
        "CONC2017/ASST-0001",
        "Rinuncia",
    ]:
        assert text in funded
    assert "Riesame e ricorsi" not in funded
    assert "Riesame e ricorsi" in (out / "ASST-0003.html").read_text(encoding="utf-8")


def test_only_and_ids_select_letters(result, tmp_path):
    report = write_html(result, tmp_path / "a", only={"ESCLUSA"})
    assert report.counts == {"ESCLUSA": 2}
    report = write_html(result, tmp_path / "b", ids={"ASST-0002", "../../x"})
    assert [r["application_id"] for r in read_index(tmp_path / "b")] == ["ASST-0002", "../../x"]
    assert parse_outcomes("finanziata, ESCLUSA") == {"FINANZIATA", "ESCLUSA"}
    with pytest.raises(UserError):
        parse_outcomes("VINCITORE")
    with pytest.raises(UserError):
        write_html(result, tmp_path / "c", ids={"NON-ESISTE"})
    with pytest.raises(UserError):
        write_html(result, tmp_path / "d", only={"FINANZIATA"}, ids={"ASST-0004"})
    assert not (tmp_path / "c").exists() and not (tmp_path / "d").exists()


def test_a_second_run_replaces_its_own_files_only(result, tmp_path):
    out = tmp_path / "lettere"
    write_html(result, out)
    (out / "nota.txt").write_text("mia", encoding="utf-8")
    write_html(result, out, ids={"ASST-0001"})
    names = sorted(p.name for p in out.iterdir())
    assert names == ["ASST-0001.html", "indice.csv", "lettere-tutte.html", "nota.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_failed_run_leaves_the_folder_untouched(tmp_path):
    out = tmp_path / "lettere"
    out.mkdir()
    (out / "vecchia.pdf").write_text("x", encoding="utf-8")
    with pytest.raises(RuntimeError), letters_folder(out) as tmp:
        (tmp / "nuova.pdf").write_text("y", encoding="utf-8")
        raise RuntimeError("interrotto")
    assert [p.name for p in out.iterdir()] == ["vecchia.pdf"]
    assert [p.name for p in tmp_path.iterdir()] == ["lettere"]


# ---------------------------------------------------------------- templates


def override(folder: Path, name: str, text: str) -> Path:
    (folder / "templates").mkdir(exist_ok=True)
    path = folder / "templates" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_override_template_is_used(result, tmp_path):
    override(
        result.call.folder,
        "finanziata.html",
        '{% extends "lettera.html" %}{% block outcome %}<p>TESTO DEL BANDO '
        "{{ letter.total }}</p>{% endblock %}",
    )
    out = tmp_path / "lettere"
    write_html(result, out)
    assert eur("TESTO DEL BANDO 550,00 €") in (out / "ASST-0001.html").read_text(encoding="utf-8")
    assert "TESTO DEL BANDO" not in (out / "ASST-0004.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("<p>uno</p>\n<p>{{ nome_sbagliato }}</p>\n", 2, "nome_sbagliato"),
        ("<p>uno</p>\n\n{% if letter.awarded %}\n{{ letter.importo_totale }}\n{% endif %}", 4, ""),
        ("<p>{{ letter.total }</p>\n", 1, ""),
        ("{% for x in letter.minors %}\n{{ x.__class__ }}\n{% endfor %}\n", 2, ""),
    ],
    ids=["unknown-name", "unknown-attribute", "syntax", "sandbox"],
)
def test_bad_override_names_file_and_line_before_any_letter(result, tmp_path, text, line, fragment):
    path = override(result.call.folder, "esclusa.html", text)
    out = tmp_path / "lettere"
    with pytest.raises(UserError) as info:
        write_html(result, out)
    message = info.value.render()
    assert str(path) in message
    assert f"riga {line}" in message
    assert fragment in message
    assert not out.exists()


def test_bad_override_of_an_outcome_absent_from_the_run_is_still_caught(tmp_path):
    rows = [r for r in small_rows() if r["application_id"] == "ASST-0001"]
    result = result_from_rows(small_result(tmp_path / "bando").call.folder, rows)
    override(
        result.call.folder, "esclusa.html", "{% if letter.reasons %}{{ letter.nope }}{% endif %}"
    )
    with pytest.raises(UserError) as info:
        write_html(result, tmp_path / "lettere")
    assert "esclusa.html" in info.value.render()


def test_missing_letters_section_and_missing_logo(tmp_path):
    result = small_result(tmp_path / "senza")
    yaml = result.call.folder / "bando.yaml"
    text = yaml.read_text(encoding="utf-8")
    yaml.write_text(text[: text.index("\nletters:")] + "\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        write_html(result_from_rows(result.call.folder, small_rows()), tmp_path / "out")
    assert "letters" in info.value.render()
    result = small_result(tmp_path / "a", logos=["loghi/fse.png"])
    with pytest.raises(UserError) as info:
        write_html(result, tmp_path / "out")
    assert "loghi/fse.png" in info.value.render()
    logo = tmp_path / "a" / "loghi" / "fse.svg"
    logo.parent.mkdir()
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#039"/></svg>',
        encoding="utf-8",
    )
    result = small_result(tmp_path / "b", logos=["../a/loghi/fse.svg"])
    write_html(result, tmp_path / "out")
    assert 'src="data:image/svg+xml;base64,' in (tmp_path / "out" / "ASST-0001.html").read_text(
        encoding="utf-8"
    )


# ---------------------------------------------------------------- graduatoria.csv


def graduatoria_csv(result, path: Path, change: dict | None = None) -> Path:
    m = result.minors
    frame = m[["application_id", "minor_tax_code", "status"]].copy()
    frame["awarded_eur"] = cents_to_plain(m["awarded_cents"])
    if change:
        for (app, col), value in change.items():
            frame.loc[frame["application_id"] == app, col] = value
    frame.to_csv(path, index=False)
    return path


def test_letters_match_the_graduatoria(result, tmp_path):
    path = graduatoria_csv(result, tmp_path / "graduatoria.csv")
    write_html(result, tmp_path / "ok", graduatoria=path)
    assert (tmp_path / "ok" / INDEX_NAME).exists()


@pytest.mark.parametrize(
    "change",
    [
        {("ASST-0002", "awarded_eur"): "123.46"},
        {("ASST-0003", "status"): "FINANZIATA"},
    ],
    ids=["amount", "status"],
)
def test_changed_graduatoria_means_no_letters(result, tmp_path, change):
    path = graduatoria_csv(result, tmp_path / "graduatoria.csv", change)
    out = tmp_path / "lettere"
    with pytest.raises(UserError) as info:
        write_html(result, out, graduatoria=path)
    assert "la graduatoria è cambiata: rilanciare conciliare rank" in info.value.render()
    assert not out.exists()


def test_graduatoria_with_a_missing_row_is_an_error(result, tmp_path):
    path = graduatoria_csv(result, tmp_path / "graduatoria.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(UserError):
        check_against_graduatoria(result.minors, path)
    check_against_graduatoria(result.minors, tmp_path / "non-esiste.csv")  # no file: no check


# ---------------------------------------------------------------- without WeasyPrint's libraries


def test_missing_pango_says_how_to_install_and_html_still_works(result, tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    monkeypatch.delitem(__import__("sys").modules, "weasyprint", raising=False)
    with pytest.raises(PdfUnavailable) as info:
        load_weasyprint()
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in info.value.render()
    with pytest.raises(PdfUnavailable):
        write_letters(result, tmp_path / "pdf", run_date=RUN_DATE)
    assert write_html(result, tmp_path / "html").letters == 7


# ---------------------------------------------------------------- the command


def test_command_writes_html_and_prints_summary(result, tmp_path, monkeypatch):
    from conciliare_cli import runs
    from conciliare_cli.cli import app

    monkeypatch.setattr(runs, "run", lambda folder, **kw: result)
    folder = result.call.folder
    out = tmp_path / "uscita"
    args = ["letters", str(folder), "--format", "html", "--date", "2017-09-15", "--out", str(out)]
    missing = CliRunner().invoke(app, args)  # no graduatoria on disk: no letter
    assert missing.exit_code == 2 and "non c'è una graduatoria" in " ".join(missing.output.split())
    assert not out.exists()
    (folder / "esiti").mkdir()
    graduatoria_csv(result, folder / "esiti" / "graduatoria.csv", {})
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    assert "Lettere scritte" in run.output
    assert "Finanziata parzialmente" in run.output
    assert len(read_index(out)) == 7
    bad = CliRunner().invoke(app, [*args, "--only", "VINCITORE"])
    assert bad.exit_code == 2
    assert "esito sconosciuto" in " ".join(bad.output.split())
    graduatoria = graduatoria_csv(
        result, tmp_path / "g.csv", {("ASST-0001", "awarded_eur"): "1.00"}
    )
    changed = CliRunner().invoke(app, [*args, "--graduatoria", str(graduatoria)])
    assert changed.exit_code == 2
    assert "la graduatoria è cambiata" in " ".join(changed.output.split())
    assert "Traceback" not in changed.output


def test_index_cells_never_start_a_formula(tmp_path):
    rows = small_rows()
    for r in rows:
        if r["application_id"] == "ASST-0001":
            r["applicant_name"] = "=HYPERLINK(1)"
    result = result_from_rows(small_result(tmp_path / "bando").call.folder, rows)
    write_html(result, tmp_path / "out")
    text = (tmp_path / "out" / INDEX_NAME).read_text(encoding="utf-8")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["recipient_name"] == "'=HYPERLINK(1) Rossi"


def test_ranking_by_minor_gives_each_minor_its_statement_of_reasons(tmp_path):
    folder = small_result(tmp_path / "bando").call.folder
    yaml = folder / "bando.yaml"
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace("unit: application ", "unit: minor       "),
        encoding="utf-8",
    )
    rows = [r for r in small_rows() if r["application_id"] == "ASST-0001"]
    rows[0].update(rank=1, score=29.0, crit_disabilita=10.0)
    rows[1].update(
        rank=7,
        score=19.0,
        crit_disabilita=0.0,
        status="AMMESSA_NON_FINANZIATA",
        awarded_cents=0,
        fund_FSE_cents=0,
        fund_ATS_cents=0,
        waiting_position=3,
    )
    result = result_from_rows(folder, rows)
    assert result.call.config.ranking.unit == "minor"
    (letter,) = build_letters(result, RUN_DATE)
    assert letter.outcome == "FINANZIATA_PARZIALMENTE"  # one minor funded, one waiting
    units = letter.context["units"]
    assert [(u["label"], u["rank"], u["score"]) for u in units] == [
        ("Luca Rossi", "1", "29"),
        ("Anna Rossi", "7", "19"),
    ]
    assert {c["id"]: c["value"] for c in units[1]["criteria"]}["disabilita"] == "0"
    assert {c["id"]: c["value"] for c in units[0]["criteria"]}["disabilita"] == "1"
    write_html(result, tmp_path / "out")
    html = (tmp_path / "out" / "ASST-0001.html").read_text(encoding="utf-8")
    assert "Motivazione del punteggio – Anna Rossi" in html


def test_codes_outside_the_rules_are_placed_by_where_they_occur(tmp_path):
    rows = small_rows()
    blu = [r for r in rows if r["application_id"] == "ASST-0004"]
    blu[0]["exclusion_reasons"] = "ISEE_OLTRE_SOGLIA;DOMANDA_SOSTITUITA"
    blu[1]["exclusion_reasons"] = "ISEE_OLTRE_SOGLIA;DOMANDA_SOSTITUITA;CF_NON_VALIDO"
    other = [r for r in rows if r["application_id"] == "ASST-0005"]
    other[1]["exclusion_reasons"] = "DATA_PRESENTAZIONE_IMPLAUSIBILE"  # blocks an application
    result = result_from_rows(small_result(tmp_path / "bando").call.folder, rows)
    letters = {x.application_id: x.context for x in build_letters(result, RUN_DATE)}
    blu_letter = letters["ASST-0004"]
    assert [r["code"] for r in blu_letter["reasons"]] == ["ISEE_OLTRE_SOGLIA", "DOMANDA_SOSTITUITA"]
    assert blu_letter["reasons"][1]["text"] == (
        "Il richiedente ha presentato più domande: per il bando vale solo l'ultima presentata."
    )
    minors = {m["name"]: [r["code"] for r in m["reasons"]] for m in blu_letter["minors"]}
    assert minors == {"Rita Blu": [], "Ivo Blu": ["CF_NON_VALIDO"]}
    # an admitted application is not excluded as a whole: the code stays with its minor
    assert letters["ASST-0005"]["reasons"] == []
    (pietro,) = letters["ASST-0005"]["excluded_minors"]
    assert [r["code"] for r in pietro["reasons"]] == ["DATA_PRESENTAZIONE_IMPLAUSIBILE"]


def test_an_edited_template_is_reread_by_the_next_run(result, tmp_path):
    path = override(result.call.folder, "esclusa.html", "<p>PRIMA {{ letter.application_id }}</p>")
    write_html(result, tmp_path / "a", ids={"ASST-0004"})
    assert "PRIMA" in (tmp_path / "a" / "ASST-0004.html").read_text(encoding="utf-8")
    path.write_text("<p>DOPO {{ letter.application_id }}</p>", encoding="utf-8")
    os.utime(path, (path.stat().st_atime + 10, path.stat().st_mtime + 10))
    write_html(result, tmp_path / "b", ids={"ASST-0004"})
    assert "DOPO" in (tmp_path / "b" / "ASST-0004.html").read_text(encoding="utf-8")
