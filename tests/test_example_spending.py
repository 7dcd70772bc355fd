"""The example call's vouchers in use: the providers' list and invoices of
examples/conciliare-2017, checked against its final list through the command line.

The planted cases are read from the example's README (section "Vouchers in use"), written by
the example builder with the files: each must be reported with its code at its row, and no
other line may be blocking.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from conciliare_cli.app import app
from conciliare_cli.cli import main  # noqa: F401  (registers the commands)
from conciliare_cli.config import load_call
from conciliare_cli.spending.process import spending_of
from conciliare_cli.spending.report_files import excel_safe

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conciliare-2017"


def planted() -> list[tuple[str, int, str]]:
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    section = text.split("## Vouchers in use", 1)[1]
    rows = re.findall(r"^\| \d+ \| `([^`]+)` \| (\d+) \| [^|]+ \| `([A-Z_]+)` \|$", section, re.M)
    return [(f, int(r), c) for f, r, c in rows]


@pytest.fixture(scope="module")
def call(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("spese") / "bando"
    shutil.copytree(EXAMPLE, folder)
    runner = CliRunner()
    ranked = runner.invoke(app, ["rank", str(folder), "--final", "--date", "2017-09-20"])
    assert ranked.exit_code == 0, ranked.output
    for command in ("spese", "rendiconto"):
        done = runner.invoke(app, [command, str(folder), "--date", "2018-10-15"])
        assert done.exit_code == 0, done.output
    return folder


@pytest.fixture(scope="module")
def result(call):
    return spending_of(load_call(call), call / "esiti")


def test_every_planted_case_is_found_and_nothing_else_blocks(result):
    cases = planted()
    assert {c for _, _, c in cases} >= {
        "OLTRE_IMPORTO_VOUCHER", "FUORI_VALIDITA", "FATTURA_DUPLICATA",
    }  # fmt: skip
    f = result.findings
    blocking = f[f["severity"] == "BLOCCANTE"]
    found = set(
        zip(
            blocking["source_file"],
            blocking["source_row"].astype(int),
            blocking["code"],
            strict=True,
        )
    )
    assert found == set(cases)


def test_the_line_over_the_voucher_counts_only_what_is_left(result):
    moves = result.moves
    over = moves[moves["codes"].str.contains("OLTRE_IMPORTO_VOUCHER")]
    assert over["outcome"].tolist() == ["CONTEGGIATA_IN_PARTE"]
    voucher = over["voucher"].iloc[0]
    award = result.vouchers.vouchers.set_index("voucher").loc[voucher, "awarded_cents"]
    assert moves.loc[moves["voucher"] == voucher, "counted_cents"].sum() == award


def test_spending_per_voucher_and_per_fund_agree_with_the_movements(call, result):
    csv = pd.read_csv(call / "spese" / "movimenti.csv", dtype=str, keep_default_na=False)
    cents = {c: (csv[c].astype(float) * 100).round().astype(int) for c in
             ("counted_eur", "fund_FSE_eur", "fund_ATS_eur")}  # fmt: skip
    assert (cents["fund_FSE_eur"] + cents["fund_ATS_eur"] == cents["counted_eur"]).all()
    funds = result.fund_table().set_index("fund_id")
    assert funds.loc["FSE", "spent_cents"] == cents["fund_FSE_eur"].sum()
    assert funds.loc["ATS", "spent_cents"] == cents["fund_ATS_eur"].sum()
    assert funds.loc["FSE", "awarded_cents"] == 10_000_000
    assert (funds["unspent_cents"] == funds["awarded_cents"] - funds["spent_cents"]).all()
    vouchers = result.voucher_table()
    assert (vouchers["spent_cents"] <= vouchers["awarded_cents"]).all()
    partners = result.partner_table()
    assert partners["spent_cents"].sum() == cents["counted_eur"].sum()


def test_the_workbook_a_region_officer_reads(call):
    wb = openpyxl.load_workbook(call / "spese" / "rendiconto.xlsx", read_only=True)
    assert wb.sheetnames == [
        "Per fondo", "Per partner", "Per erogatore", "Voucher", "Movimenti", "Anomalie",
        "Legenda",
    ]  # fmt: skip
    text = " ".join(str(c) for row in wb["Per fondo"].iter_rows(values_only=True) for c in row if c)
    for words in ("Spesa per fondo", "Assegnato", "Speso", "Non speso", "DEFINITIVA", "FSE"):
        assert words in text
    moves = [r for r in wb["Movimenti"].iter_rows(values_only=True)]
    assert any("non conteggiata" in (r or ()) for r in moves)


def test_each_provider_gets_its_findings_to_send_back(call):
    folder = call / "spese" / "erogatori"
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 5
    koala = openpyxl.load_workbook(folder / "12345670199.xlsx", read_only=True)
    text = " ".join(str(c) for r in koala["Anomalie"].iter_rows(values_only=True) for c in r if c)
    assert "OLTRE_IMPORTO_VOUCHER" in text and "EROGATORE_RIPETUTO" in text
    assert "FATTURA_DUPLICATA" not in text  # another provider's


def test_the_reports_are_the_same_bytes_on_a_second_run(call, tmp_path):
    for command in ("spese", "rendiconto"):
        again = CliRunner().invoke(
            app, [command, str(call), "--date", "2018-10-15", "--out", str(tmp_path)]
        )
        assert again.exit_code == 0, again.output
    for name in ("rendiconto.xlsx", "movimenti.csv", "erogatori/12345670199.xlsx"):
        assert (tmp_path / name).read_bytes() == (call / "spese" / name).read_bytes(), name


def test_only_the_published_final_list_is_used(call, tmp_path):
    esiti = tmp_path / "esiti"
    shutil.copytree(call / "esiti", esiti)
    manifest = json.loads((esiti / "manifest.json").read_text(encoding="utf-8"))
    (esiti / "graduatoria.csv").write_text("rank\n", encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["spese", str(call), "--esiti", str(esiti), "--out", str(tmp_path)])
    assert out.exit_code == 2
    assert "non è quello pubblicato" in " ".join(out.output.split())
    manifest["status"] = "PROVVISORIA"
    (esiti / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    out = runner.invoke(app, ["spese", str(call), "--esiti", str(esiti), "--out", str(tmp_path)])
    assert out.exit_code == 2
    assert "non è DEFINITIVA" in " ".join(out.output.split())
    assert "Traceback" not in out.output


def test_a_call_without_spending_section_gets_a_clear_message(tmp_path):
    folder = tmp_path / "bando"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "bando.yaml").read_text(encoding="utf-8")
    (folder / "bando.yaml").write_text(text.split("\n# Voucher in uso")[0] + "\n", "utf-8")
    out = CliRunner().invoke(app, ["spese", str(folder)])
    assert out.exit_code == 2
    assert "sezione 'spending'" in " ".join(out.output.split())


def test_text_like_a_formula_is_neutralised_in_the_csv():
    got = excel_safe(pd.Series(["=SOMMA(A1:A2)", "+39", "-1", "@x", "Koala", None])).tolist()
    assert got == ["'=SOMMA(A1:A2)", "'+39", "'-1", "'@x", "Koala", ""]


def test_the_retention_index_lists_every_file_with_its_hash(call):
    out = CliRunner().invoke(app, ["conservazione", str(call)])
    assert out.exit_code == 0, out.output
    index = pd.read_csv(call / "spese" / "conservazione.csv", dtype=str, keep_default_na=False)
    kinds = dict(zip(index["path"], index["kind"], strict=True))
    assert kinds["bando.yaml"] == "Regole del bando"
    assert kinds["partner/ATS_richieste.xls"] == "Domande dei partner"
    assert kinds["fatture/piscina.xlsx"] == "Fatture degli erogatori"
    assert kinds["erogatori/elenco_erogatori.xlsx"] == "Elenco degli erogatori"
    assert kinds["esiti/graduatoria.csv"] == "Atti e graduatorie"
    assert kinds["spese/movimenti.csv"] == "Rendiconto"
    assert "spese/conservazione.csv" not in kinds
    row = index[index["path"] == "esiti/graduatoria.csv"].iloc[0]
    manifest = json.loads((call / "esiti" / "manifest.json").read_text(encoding="utf-8"))
    published = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    assert row["sha256"] == published["graduatoria.csv"]
    assert set(index["keep_until"]) == {"da stabilire (art. 140 Reg. UE 1303/2013: data "
                                         "comunicata dalla Regione)"}  # fmt: skip


def test_the_register_names_beneficiaries_only_when_the_call_says_so(call, monkeypatch):
    from conciliare_cli.spending import transparency

    monkeypatch.setattr(transparency, "THRESHOLD_CENTS", 80_000)  # the example's top is 900 €
    out = CliRunner().invoke(app, ["trasparenza", str(call)])
    assert out.exit_code == 0, out.output
    omitted = pd.read_csv(call / "spese" / "trasparenza.csv", dtype=str)
    assert len(omitted) > 0
    assert set(omitted["Beneficiario"]) == {transparency.OMITTED}
    loaded = load_call(call)
    published = loaded.config.model_copy(
        update={"spending": loaded.config.spending.model_copy(
            update={"transparency_identity": "publish"})}
    )  # fmt: skip
    loaded = dataclasses.replace(loaded, config=published)
    vouchers = spending_of(load_call(call), call / "esiti").vouchers
    named = transparency.register(loaded, vouchers)
    assert len(named) == len(omitted)
    assert transparency.OMITTED not in set(named["beneficiary"])
    assert all(" " in name for name in named["beneficiary"])


def test_fse_participants_counted_once_with_what_is_missing(call):
    out = CliRunner().invoke(app, ["fse", str(call), "--date", "2018-10-15"])
    assert out.exit_code == 0, out.output
    table = pd.read_csv(call / "spese" / "fse_partecipanti.csv", dtype=str, keep_default_na=False)
    grad = pd.read_csv(call / "esiti" / "graduatoria.csv", dtype=str, keep_default_na=False)
    fse = grad[pd.to_numeric(grad["fund_FSE_eur"].replace("", "0")) > 0]
    assert sorted(table["applicant_tax_code"]) == sorted(set(fse["applicant_tax_code"]))
    women = table[table["applicant_tax_code"].str[9].isin(list("4567"))]
    assert len(women) and set(women["gender"]) == {"F"}
    assert set(table["single_adult_household"]) <= {"Sì", "No", ""}
    wb = openpyxl.load_workbook(call / "spese" / "fse_dati_mancanti.xlsx", read_only=True)
    rows = list(wb["Dati mancanti"].iter_rows(values_only=True))
    text = " ".join(str(c) for r in rows for c in r if c)
    assert "(non raccolto dal bando)" in text and "Titolo di studio (livello ISCED)" in text


def test_fse_indicators_name_fields_of_the_call(call, tmp_path):
    folder = tmp_path / "bando"
    shutil.copytree(call, folder)
    text = (folder / "bando.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  # keep_until:", "  fse:\n    indicators:\n      education_level: titolo\n  # keep_until:"
    )
    (folder / "bando.yaml").write_text(text, encoding="utf-8")
    out = CliRunner().invoke(app, ["fse", str(folder)])
    assert out.exit_code == 2
    flat = " ".join(out.output.split())
    assert "il campo 'titolo' (per education_level) non esiste" in flat
    assert "bando.yaml riga" in flat


@pytest.fixture(scope="module")
def acted(tmp_path_factory) -> Path:
    """The example call after its two scorrimenti (examples/conciliare-2017/README.md)."""
    folder = tmp_path_factory.mktemp("atti") / "bando"
    shutil.copytree(EXAMPLE, folder)
    runner = CliRunner()
    for args in (["rank", str(folder), "--final", "--date", "2017-09-20"],
                 ["scorrimento", str(folder), "--data", "2017-10-16"],
                 ["scorrimento", str(folder), "--data", "2017-11-30"]):  # fmt: skip
        done = runner.invoke(app, args)
        assert done.exit_code == 0, done.output
    return folder


def test_the_register_sums_the_final_list_and_every_scorrimento(acted, monkeypatch):
    from conciliare_cli.spending import transparency

    monkeypatch.setattr(transparency, "THRESHOLD_CENTS", 40_000)
    out = CliRunner().invoke(app, ["trasparenza", str(acted)])
    assert out.exit_code == 0, out.output
    frame = pd.read_csv(acted / "spese" / "trasparenza.csv", dtype=str, keep_default_na=False)
    rows = frame.set_index("Codice")
    # funded by the two scorrimenti only: 318,00 € in act 1 and 300,00 € in act 2
    assert rows.loc["ATS-R00002", "Importo (euro)"] == "618.00"
    assert rows.loc["ATS-R00002", "Atto"] == (
        "scorrimento n. 1 del 16/10/2017; scorrimento n. 2 del 30/11/2017"
    )
    # renounced (465,50 €) and revoked (536,50 €): taken out as the latest act says
    assert "COOP-S031" not in rows.index and "ATS-R00015" not in rows.index
    assert set(frame["Anno"]) == {"2017"}
    only_final = frame[frame["Atto"].eq("graduatoria definitiva del 20/09/2017")]
    assert len(only_final) > 0


def test_an_act_edited_after_it_was_issued_is_refused(acted, tmp_path):
    folder = tmp_path / "bando"
    shutil.copytree(acted, folder)
    path = folder / "scorrimenti" / "scorrimento_1" / "graduatoria.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("ATS-R00002", "ATS-R00003"), "utf-8")
    out = CliRunner().invoke(app, ["trasparenza", str(folder)])
    assert out.exit_code == 2
    flat = " ".join(out.output.split())
    assert "non è quello pubblicato (scorrimento n. 1 del 16/10/2017)" in flat
    assert "Traceback" not in out.output


def test_invoices_follow_the_latest_act(acted, tmp_path):
    folder = tmp_path / "bando"
    shutil.copytree(acted, folder)
    extra = (
        "P.IVA erogatore;N. fattura;Data fattura;CF minore;Minore;Servizio;Dal;Al;Importo (€);"
        "Pagata il\n"
        "23456710195;90/2017;05/12/2017;FRRGRL15C13D150M;Ferrari;Attività ricreative;"
        "01/11/2017;30/11/2017;100,00;10/12/2017\n"
    )  # a child of ATS-R00002, funded by scorrimento n. 1 (FSE money)
    (folder / "fatture" / "extra.csv").write_text(extra, encoding="utf-8")
    result = spending_of(load_call(folder), folder / "esiti")
    moves = result.moves.set_index(["source_file", "source_row"])
    new = moves.loc[("fatture/extra.csv", 2)]
    assert (new["outcome"], new["codes"], new["application_id"]) == (
        "CONTEGGIATA", "", "ATS-R00002",
    )  # fmt: skip
    assert (new["fund_FSE_cents"], new["fund_ATS_cents"]) == (10000, 0)
    # renounced on 02/10/2017 (COOP-S031) and revoked on 05/10/2017 (ATS-R00015)
    f = result.findings
    ended = f[f["code"] == "VOUCHER_CESSATO"]
    assert sorted(zip(ended["source_file"], ended["source_row"].astype(int), strict=True)) == [
        ("fatture/koala_2018.xlsx", 11), ("fatture/koala_2018.xlsx", 18),
        ("fatture/oratorio_san_luigi.csv", 21),
    ]  # fmt: skip
    assert "rinuncia del 02/10/2017" in ended["message"].iloc[0]
    before = moves[moves["voucher"].eq("GRCSFO16M68F205Y") & moves["counted_cents"].gt(0)]
    assert before["period_to"].max() <= pd.Timestamp("2017-10-02")  # September still counts
    vouchers = result.voucher_table().set_index("voucher")
    assert vouchers.loc["GRCSFO16M68F205Y", "awarded_cents"] == before["counted_cents"].sum()
    assert vouchers.loc["FRRGRL15C13D150M", "status_label"] == (
        "finanziata parzialmente (scorrimento n. 1 del 16/10/2017)"
    )


def test_fse_participants_are_read_as_corrected_and_counted_once(call, tmp_path):
    from conciliare_cli.spending.participants import participants
    from conciliare_cli.spending.process import published_vouchers

    folder = tmp_path / "bando"
    shutil.copytree(call, folder)
    vouchers = published_vouchers(load_call(folder), folder / "esiti")
    before = participants(load_call(folder), vouchers).table.set_index("application_id")
    said = before.loc["COOP-S033", "single_adult_household"]
    wb = openpyxl.load_workbook(folder / "correzioni.xlsx")
    wb.active.append(["COOP-S033", None, "Nucleo monogenitoriale",
                      "NO" if said == "Sì" else "SI", "correzione", "dichiarazione"])  # fmt: skip
    wb.save(folder / "correzioni.xlsx")
    after = participants(load_call(folder), vouchers).table.set_index("application_id")
    assert after.loc["COOP-S033", "single_adult_household"] == ("No" if said == "Sì" else "Sì")
    # the same applicant in two applications, written in two ways: one participant
    twice = vouchers.vouchers.copy()
    first = twice[twice["fund_FSE_cents"] > 0].iloc[0]
    again = first.copy()
    again["voucher"], again["application_id"] = "XXXXXX00A00X000X", "ZZZ-1"
    again["applicant_tax_code"] = f" {first['applicant_tax_code'].lower()} "
    twice = pd.concat([twice, again.to_frame().T], ignore_index=True)
    twice["ended"] = pd.to_datetime(twice["ended"])
    doubled = dataclasses.replace(vouchers, vouchers=twice)
    table = participants(load_call(folder), doubled).table
    assert len(table) == len(after)
    assert table["applicant_tax_code"].is_unique


def test_voucher_codes_are_those_the_final_letters_print(acted):
    import datetime as dt

    from conciliare_cli.acts.finallist import final_list
    from conciliare_cli.letters.common import ListSource
    from conciliare_cli.letters.context import build_letters
    from conciliare_cli.spending.process import published_vouchers

    base = final_list(acted)
    source = ListSource("DEFINITIVA", dt.date(2017, 9, 20), base.manifest_sha256)
    printed = {v["code"] for x in build_letters(base.result, source) for v in x.vouchers}
    listed = published_vouchers(load_call(acted), acted / "esiti")
    vouchers = listed.vouchers
    in_final = set(listed.grants.loc[listed.grants["act"].str.startswith("graduatoria"), "voucher"])
    assert set(vouchers.loc[vouchers["voucher"].isin(in_final), "voucher_code"]) == printed
    later = vouchers[vouchers["act"].str.startswith("scorrimento")]
    assert len(later) and later["voucher_code"].str.startswith("CONC2017-").all()
    assert vouchers["voucher_code"].is_unique
    out = CliRunner().invoke(app, ["rendiconto", str(acted), "--date", "2018-10-15"])
    assert out.exit_code == 0, out.output
    moves = pd.read_csv(acted / "spese" / "movimenti.csv", dtype=str, keep_default_na=False)
    assert list(moves.columns[5:8]) == ["minor_tax_code", "voucher_code", "application_id"]


def test_each_output_file_has_one_command_and_findings_go_back_like_the_partners(call, tmp_path):
    from conciliare_cli.write.anomalies import PARTNER_SHEET_COLUMNS, SEND_BACK_COLUMNS

    written = {}
    for command in ("spese", "rendiconto", "trasparenza", "fse", "conservazione"):
        target = tmp_path / command
        out = CliRunner().invoke(app, [command, str(call), "--spese", str(target)])
        assert out.exit_code == 0, out.output
        written[command] = {p.relative_to(target).as_posix() for p in target.rglob("*.*")}
    assert written["rendiconto"] == {"rendiconto.xlsx", "movimenti.csv"}
    assert written["spese"] and all(p.startswith("erogatori/") for p in written["spese"])
    every = [p for files in written.values() for p in files]
    assert len(every) == len(set(every))
    # the provider's file begins with the columns of a partner's anomalies file
    sheet = openpyxl.load_workbook(tmp_path / "spese" / "erogatori" / "12345670199.xlsx")
    rows = list(sheet["Anomalie"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "File")
    lead = [c.header for c in SEND_BACK_COLUMNS]
    assert list(header[: len(lead)]) == lead == [c.header for c in PARTNER_SHEET_COLUMNS][:8]


def test_the_line_above_the_tariff_counts_the_tariff(result):
    moves = result.moves.set_index(["source_file", "source_row"])
    above = moves.loc[("fatture/ludoteca_ore.csv", 3)]
    assert (above["amount_cents"], above["counted_cents"], above["codes"]) == (
        10000, 9000, "OLTRE_TARIFFA",
    )  # fmt: skip
    at = moves.loc[("fatture/ludoteca_ore.csv", 2)]
    assert (at["counted_cents"], at["codes"]) == (9000, "")


def test_an_optional_column_may_miss_from_some_files_not_from_all(call, tmp_path):
    folder = tmp_path / "bando"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "bando.yaml").read_text(encoding="utf-8")
    (folder / "bando.yaml").write_text(text.replace('"Quantità"', '"Quantita ore"'), "utf-8")
    out = CliRunner().invoke(app, ["spese", str(folder), "--esiti", str(call / "esiti")])
    flat = " ".join(out.output.split())
    assert out.exit_code == 2 and "manca la colonna 'Quantita ore'" in flat, flat


def test_what_ended_vouchers_spent_is_shown_beside_the_awarded_figure(acted):
    """After the example's scorrimenti a fund's 'assegnato' passes its budget by what ended
    vouchers spent before their event: the fund table and the terminal say by how much."""
    result = spending_of(load_call(acted), acted / "esiti")
    funds = result.fund_table().set_index("fund_id")
    table = result.voucher_table()
    ended = table["ended"].notna()
    assert ended.any()
    for f in funds.index:
        assert funds.loc[f, "ended_cents"] == table.loc[ended, f"fund_{f}_cents"].sum()
    fse = funds.loc["FSE"]
    assert fse["ended_cents"] > 0
    assert fse["awarded_cents"] - fse["ended_cents"] <= 100_000_00  # the act stays in budget
    said = " ".join(CliRunner().invoke(app, ["rendiconto", str(acted)]).output.split())
    assert "a voucher poi cessati" in said
