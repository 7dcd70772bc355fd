"""`conciliare scorrimento` and `verify` on a real call folder: a final list, the register of
events, two acts in a row, the chain verified and broken by an edited event."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from acts_support import write_events
from typer.testing import CliRunner

from conciliare_cli.cli import app

FINAL = "2017-09-15"
runner = CliRunner()


@pytest.fixture
def call(acts_call: Path) -> Path:
    """A private copy of a call with its final list (tests/conftest.py)."""
    return acts_call


def _final(folder: Path) -> pd.DataFrame:
    csv = pd.read_csv(folder / "esiti" / "graduatoria.csv", dtype=str, keep_default_na=False)
    ranked = csv[csv["rank"].ne("")].copy()
    ranked["rank"] = ranked["rank"].astype(int)
    return ranked.sort_values(["rank", "minor_tax_code"]).reset_index(drop=True)


def _act(folder: Path, k: int, name: str = "graduatoria.csv") -> pd.DataFrame:
    path = folder / "scorrimenti" / f"scorrimento_{k}" / name
    act = pd.read_csv(path, dtype=str, keep_default_na=False)
    order = act.assign(_rank=act["rank"].astype(int)).sort_values(["_rank", "minor_tax_code"])
    return order.drop(columns="_rank").reset_index(drop=True)


def _at(final: pd.DataFrame, rank: int) -> str:
    return str(final.loc[final["rank"].eq(rank), "application_id"].iloc[0])


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and "scorrimenti" not in p.parts
        and not p.name.startswith("eventi")
        and p.name != ".conciliare.lock"  # the lock's holder, not an output
    }


def _cents(values: pd.Series) -> pd.Series:
    return (values.astype(float) * 100).round().astype(int)


def ev(
    date: str,
    kind: str,
    app: str,
    minor: str = "",
    outcome: str = "",
    reason: str = "",
    act: str = "prot. 2001/2017",
) -> list[str]:
    """A row of the register, in the order of its columns."""
    return [date, kind, app, minor, outcome, reason, act, "M. Rossi", ""]


def _scorrimento(folder: Path, date: str):
    return runner.invoke(app, ["scorrimento", str(folder), "--data", date])


def test_first_act_moves_freed_money_down_and_nothing_else(call: Path) -> None:
    final = _final(call)
    before = _hashes(call)
    one_child = final.groupby("application_id")["rank"].transform("size").eq(1)
    singles = final[one_child & final["status"].eq("FINANZIATA")]
    renounced, revoked = (
        str(singles["application_id"].iloc[2]),
        str(singles["application_id"].iloc[4]),
    )
    write_events(
        call,
        [
            ev("02/10/2017", "rinuncia", renounced, reason="trasferimento"),
            ev("03/10/2017", "accettazione", _at(final, 1)),
            ev("05/10/2017", "controllo", revoked, outcome="irregolare", reason="ISEE non "
               "conforme", act="det. 45/2017"),
        ],
    )  # fmt: skip
    done = _scorrimento(call, "2017-10-16")
    assert done.exit_code == 0, done.output
    assert "scorrimento n. 1 del 16/10/2017" in done.output
    act = _act(call, 1)
    assert _hashes(call) == before  # the final list and the partners' files untouched
    # the same minors in the same positions
    assert list(act["rank"].astype(int)) == list(final["rank"])
    assert list(act["minor_tax_code"]) == list(final["minor_tax_code"])
    gone = act["application_id"].isin([renounced, revoked])
    assert set(act.loc[gone, "status"]) == {"RINUNCIA", "REVOCA"}
    assert (act.loc[gone, "awarded_eur"] == "0.00").all()
    freed = _cents(final.loc[gone.to_numpy(), "awarded_eur"]).sum()
    gained = _cents(act["awarded_eur"]) - _cents(final["awarded_eur"])
    assert gained[~gone].min() >= 0  # nobody else loses a cent
    assert gained[~gone].sum() == freed  # the whole budget was in use: all of it re-assigned
    changed = (gained != 0) | gone
    first_gain = int(act.loc[gained > 0, "rank"].astype(int).min())
    assert first_gain == int(final.loc[final["status"].ne("FINANZIATA"), "rank"].min())
    changes = _act(call, 1, "variazioni.csv")
    assert len(changes) == int(changed.sum())
    assert set(changes["change"]) >= {"rinuncia", "revoca"}
    for fund, budget in (("FSE", 600_000), ("ATS", 300_000)):
        assert _cents(act[f"fund_{fund}_eur"]).sum() <= budget
    sheet = openpyxl.load_workbook(call / "scorrimenti" / "scorrimento_1" / "graduatoria.xlsx")
    texts = [
        str(c.value) for row in sheet["Graduatoria"].iter_rows(max_row=4) for c in row if c.value
    ]
    assert any("scorrimento n. 1 del 16/10/2017" in t for t in texts)
    assert sheet.sheetnames == ["Graduatoria", "Variazioni", "Eventi", "Riepilogo"]


def test_two_acts_in_a_row_are_chained_and_verified(call: Path) -> None:
    final = _final(call)
    waiting = final[final["status"].eq("AMMESSA_NON_FINANZIATA")]
    write_events(
        call,
        [
            ev("02/10/2017", "rinuncia", _at(final, 3)),
            ev("20/11/2017", "decadenza", _at(final, 5), reason="accettazione non data"),
            ev("01/12/2017", "rinuncia", str(waiting["application_id"].iloc[-1])),
        ],
    )
    assert _scorrimento(call, "2017-10-16").exit_code == 0
    again = _scorrimento(call, "2017-10-16")
    assert again.exit_code == 2 and "non viene dopo" in again.output
    assert _scorrimento(call, "2017-11-30").exit_code == 0
    one, two = _act(call, 1), _act(call, 2)
    assert list(one["rank"]) == list(two["rank"])
    kept = one["status"].isin(["FINANZIATA"])
    assert (_cents(two.loc[kept, "awarded_eur"]) >= _cents(one.loc[kept, "awarded_eur"])).all() or (
        two.loc[kept, "status"].eq("DECADENZA").any()
    )
    import json

    m1 = (call / "scorrimenti" / "scorrimento_1" / "manifest.json").read_bytes()
    m2 = json.loads((call / "scorrimenti" / "scorrimento_2" / "manifest.json").read_text())
    assert m2["previous"]["sha256"] == hashlib.sha256(m1).hexdigest()
    assert m2["previous"]["path"] == "scorrimenti/scorrimento_1/manifest.json"
    ok = runner.invoke(app, ["verify", str(call)])
    assert ok.exit_code == 0, ok.output
    assert "2 atti" in ok.output and "integra" in ok.output
    # the event after the last act does not touch the chain; the next act takes it
    assert _scorrimento(call, "2017-12-15").exit_code == 0


def test_verify_fails_when_an_event_is_edited_after_the_act(call: Path) -> None:
    final = _final(call)
    rows = [
        [
            "02/10/2017",
            "rinuncia",
            _at(final, 3),
            "",
            "",
            "trasferimento",
            "prot. 1",
            "M. Rossi",
            "",
        ]
    ]
    write_events(call, rows)
    assert _scorrimento(call, "2017-10-16").exit_code == 0
    rows[0][1] = "revoca"
    write_events(call, rows)
    broken = runner.invoke(app, ["verify", str(call)])
    assert broken.exit_code == 1
    assert "riga 2 del registro" in broken.output and "NON è integra" in broken.output
    refused = _scorrimento(call, "2017-12-01")
    assert refused.exit_code == 2 and "catena" in refused.output
    # the register put back as it was, an act's file edited after the act
    rows[0][1] = "rinuncia"
    write_events(call, rows)
    assert runner.invoke(app, ["verify", str(call)]).exit_code == 0
    published = call / "scorrimenti" / "scorrimento_1" / "graduatoria.csv"
    original = published.read_bytes()
    published.write_text(published.read_text().replace("RINUNCIA", "FINANZIATA"))
    edited = runner.invoke(app, ["verify", str(call)])
    assert edited.exit_code == 1 and "graduatoria.csv modificato" in edited.output
    published.write_bytes(original)
    # an event back-dated before an act already issued breaks the chain too
    rows.append(["10/10/2017", "rinuncia", _at(final, 4), "", "", "", "prot. 9", "M. Rossi", ""])
    write_events(call, rows)
    late = runner.invoke(app, ["verify", str(call)])
    assert late.exit_code == 1 and "riga 3 del registro" in late.output


def test_every_bad_row_of_the_register_is_named(call: Path) -> None:
    final = _final(call)
    write_events(
        call,
        [
            ["02/10/2017", "rinuncia", _at(final, 3), "", "", "", "", "", ""],
            ["31/02/2017", "rinuncia", _at(final, 4), "", "", "", "", "", ""],
            ["03/10/2017", "ritiro", _at(final, 4), "", "", "", "", "", ""],
            ["03/10/2017", "rinuncia", "ASST-9999", "", "", "", "", "", ""],
            ["03/10/2017", "controllo", _at(final, 4), "", "boh", "", "", "", ""],
            ["03/10/2017", "rinuncia", _at(final, 4), "9", "", "", "", "", ""],
            ["01/09/2017", "rinuncia", _at(final, 4), "", "", "", "", "", ""],
        ],
        title=True,
    )
    done = _scorrimento(call, "2017-10-16")
    assert done.exit_code == 2
    out = " ".join(done.output.split())
    for row in (5, 6, 7, 8, 9, 10):
        assert f"riga {row}:" in out
    assert "riga 4:" not in out and "Traceback" not in out
    assert "eventi.xlsx" in out


def test_nothing_to_do_and_no_final_list(call: Path, tmp_path: Path) -> None:
    done = _scorrimento(call, "2017-10-16")
    assert done.exit_code == 2 and "nessun evento" in done.output
    shutil.rmtree(call / "esiti")
    done = _scorrimento(call, "2017-10-16")
    assert done.exit_code == 2 and "DEFINITIVA" in done.output


def test_controlli_draws_the_sample_the_call_states(call: Path) -> None:
    with (call / "bando.yaml").open("a", encoding="utf-8") as fh:
        fh.write('\nchecks:\n  share: 0.25\n  per_partner: true\n  seed: "estrazione-2017"\n')
    final = _final(call)
    funded = final[final["status"].isin(["FINANZIATA", "FINANZIATA_PARZIALMENTE"])]
    per_partner = funded.groupby("partner_id")["application_id"].nunique()
    done = runner.invoke(app, ["controlli", str(call), "--data", "2017-09-25"])
    assert done.exit_code == 0, done.output
    sample = pd.read_csv(call / "controlli" / "campione.csv", dtype=str)
    sizes = sample.groupby("partner_id").size()
    for partner, n in per_partner.items():
        assert sizes.get(partner, 0) == -(-n // 4)  # a quarter, rounded up
    expected = {
        partner: sorted(
            group["application_id"].unique(),
            key=lambda a: hashlib.sha256(f"estrazione-2017:{a}".encode()).hexdigest(),
        )[: -(-len(group["application_id"].unique()) // 4)]
        for partner, group in funded.groupby("partner_id")
    }
    assert set(sample["application_id"]) == {a for ids in expected.values() for a in ids}
    book = openpyxl.load_workbook(call / "controlli" / "campione.xlsx")
    texts = " ".join(str(c.value) for row in book["Campione"].iter_rows() for c in row if c.value)
    assert "estrazione-2017" in texts and "DPR 445/2000" in texts
    both = runner.invoke(app, ["controlli", str(call), "--numero", "3", "--seme", "x"])
    assert both.exit_code == 2 and "bando.yaml" in both.output


def test_controlli_needs_a_rule(call: Path) -> None:
    done = runner.invoke(app, ["controlli", str(call)])
    assert done.exit_code == 2 and "checks:" in " ".join(done.output.split())
    bad = runner.invoke(app, ["controlli", str(call), "--quota", "abc", "--seme", "s"])
    assert bad.exit_code == 2 and "percentuale" in bad.output
    ok = runner.invoke(app, ["controlli", str(call), "--numero", "3", "--seme", "s"])
    assert ok.exit_code == 0, ok.output
    assert len(pd.read_csv(call / "controlli" / "campione.csv")) == 3


def test_situazione_after_an_act(call: Path) -> None:
    final = _final(call)
    renounced, revoked = _at(final, 3), _at(final, 6)
    write_events(
        call,
        [
            ev("02/10/2017", "rinuncia", renounced),
            ev("03/10/2017", "controllo", revoked, outcome="irregolare"),
            ev("20/11/2017", "rinuncia", _at(final, 7)),  # after the act: pending
        ],
    )
    assert _scorrimento(call, "2017-10-16").exit_code == 0
    done = runner.invoke(app, ["situazione", str(call), "--data", "2017-10-20"])
    assert done.exit_code == 0, done.output
    out = " ".join(done.output.split())
    assert "dopo lo scorrimento n. 1 del 16/10/2017" in out
    assert "Eventi registrati dopo l'ultimo atto: 1" in out
    book = openpyxl.load_workbook(call / "situazione.xlsx")
    assert book.sheetnames == ["Fondi", "Enti"]
    from conciliare_cli.acts.standing import standing

    s = standing(call)
    pots = s.pots.set_index("pot")
    cents = _cents(final["awarded_eur"])
    gone = final["application_id"]
    total_renounced = cents[gone.eq(renounced)].sum()
    total_revoked = cents[gone.eq(revoked)].sum()
    assert pots["renounced_cents"].sum() == total_renounced
    assert pots["revoked_cents"].sum() == total_revoked
    assert pots["reassigned_cents"].sum() == total_renounced + total_revoked
    assert (pots["free_cents"] == pots["budget_cents"] - pots["awarded_cents"]).all()
    counts = s.partners.drop(columns=["partner_id", "awarded_cents"]).to_numpy().sum()
    assert counts == final["application_id"].nunique()
    assert s.partners[["RINUNCIA", "REVOCA"]].sum().tolist() == [1, 1]


def test_the_public_list_of_an_act_uses_the_published_codes(call: Path) -> None:
    path = call / "bando.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "  public_id: application_id", '  public_id: pseudonym\n  pseudonym_salt: "segreto lungo"'
    )
    path.write_text(text, encoding="utf-8")
    done = runner.invoke(app, ["rank", str(call), "--definitiva", "--forza", "--data", FINAL])
    assert done.exit_code == 0, done.output
    final = _final(call)
    write_events(call, [ev("02/10/2017", "rinuncia", _at(final, 3))])
    assert _scorrimento(call, "2017-10-16").exit_code == 0
    public = (call / "scorrimenti" / "scorrimento_1" / "elenco_pubblico.csv").read_text()
    assert public.startswith("Posizione,Codice,Esito,Importo (EUR)\n")
    for app_id in final["application_id"]:
        assert app_id not in public
    for code in final["minor_tax_code"].tolist() + final["applicant_tax_code"].tolist():
        assert code not in public
    assert "3," in public and "Rinuncia" in public


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("scorrimento", ["--data", "2017-10-16"]),
        ("controlli", ["--numero", "3", "--seme", "s"]),
        ("situazione", ["--data", "2017-10-20"]),
    ],
)
def test_a_second_coordinator_is_stopped_by_the_lock(
    call: Path, command: str, args: list[str]
) -> None:
    import os

    from conciliare_cli.lock import call_lock

    final = _final(call)
    write_events(call, [ev("02/10/2017", "rinuncia", _at(final, 3))])
    before = sorted(p.relative_to(call).as_posix() for p in call.rglob("*"))
    with call_lock(call, "scorrimento"):  # the first coordinator is issuing an act
        second = runner.invoke(app, [command, str(call), *args])
    assert second.exit_code == 2, second.output
    out = " ".join(second.output.split())
    assert f"è già in corso 'scorrimento' (processo {os.getpid()}" in out
    assert "Traceback" not in out
    assert sorted(p.relative_to(call).as_posix() for p in call.rglob("*")) == before
    assert runner.invoke(app, [command, str(call), *args]).exit_code == 0  # once it is done


def test_letters_are_stopped_by_the_lock(call: Path) -> None:
    """`letters` reads the list and writes into esiti/: while another command holds the call
    folder it stops with the lock's message, before writing anything."""
    from conciliare_cli.lock import call_lock

    final = _final(call)
    before = sorted(p.relative_to(call).as_posix() for p in call.rglob("*"))
    with call_lock(call, "rank"):
        second = runner.invoke(
            app, ["letters", str(call), "--protocolli", _at(final, 3), "--data", "2017-10-02"]
        )
    assert second.exit_code == 2, second.output
    assert "è già in corso 'rank'" in " ".join(second.output.split())
    assert sorted(p.relative_to(call).as_posix() for p in call.rglob("*")) == before
