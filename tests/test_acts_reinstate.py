"""Corrections after an observation or an appeal: a riammissione puts an excluded application
(at its '12-bis' place) or a removed child back on the list, a correzione raises a voucher;
no other position or award changes, the money comes at the next scorrimento in rank order,
or first with 'precedenza'."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from acts_support import arrays_final, euros, fund, write_events
from test_acts_cli import _at, _cents, _final, _scorrimento, ev, runner

from conciliare_cli.acts.compute import Effects, initial_state, next_state
from conciliare_cli.cli import app

# ------------------------------------------------------------------ on arrays


def test_a_raised_voucher_is_paid_from_freed_money_in_rank_order() -> None:
    base = arrays_final([[300], [300], [200], [300]], [fund("F", 800)])  # 300, 300, 200, 0
    act0 = initial_state(base)
    effects = Effects.none(base)
    effects.need[2] = 300_00  # an appeal: the third voucher is 300, not 200
    effects.word[0] = "RINUNCIA"  # 300 freed
    act1 = next_state(base, act0, effects)
    assert euros(act1.awarded) == [0, 300, 300, 200]  # the raised one first, by rank
    assert list(act1.status[1:]) == ["FINANZIATA", "FINANZIATA", "FINANZIATA_PARZIALMENTE"]


def test_precedence_goes_before_the_rank_order() -> None:
    base = arrays_final([[300], [300], [300], [300]], [fund("F", 600)])  # waiting: 3rd, 4th
    act0 = initial_state(base)
    effects = Effects.none(base)
    effects.word[0] = "RINUNCIA"
    effects.first[3] = True  # the act funds the 4th first (a judgment, say)
    act1 = next_state(base, act0, effects)
    assert euros(act1.awarded) == [0, 300, 0, 300]
    assert list(act1.waiting_position) == [0, 0, 1, 0]


# ------------------------------------------------------------------ a call folder


def _excluded(folder: Path) -> pd.DataFrame:
    csv = pd.read_csv(folder / "esiti" / "graduatoria.csv", dtype=str, keep_default_na=False)
    return csv[csv["status"].eq("ESCLUSA")]


def test_an_excluded_application_gets_its_bis_place_and_nobody_moves(acts_call: Path) -> None:
    call = acts_call
    final = _final(call)
    excluded = _excluded(call)
    two = excluded.groupby("application_id").filter(lambda g: len(g) == 2)
    back = str(two["application_id"].iloc[0])  # ISEE over the threshold; the appeal says no
    score = float(two["score"].iloc[0])
    events = [
        ev("02/10/2017", "rinuncia", _at(final, 3)),
        ev("03/10/2017", "riammissione", back, reason="ricorso accolto: ISEE ricalcolato",
           act="determina n. 300 del 03/10/2017"),
    ]  # fmt: skip
    write_events(call, events)
    assert _scorrimento(call, "2017-10-16").exit_code == 0
    act = _act_all(call, 1)
    mine = act[act["application_id"].eq(back)]
    others = act[act["application_id"].ne(back)].copy()
    others["_r"] = others["rank"].astype(int)
    others = others.sort_values(["_r", "minor_tax_code"]).reset_index(drop=True)
    assert list(others["rank"]) == [str(r) for r in final["rank"]]  # every other place kept
    assert list(others["minor_tax_code"]) == list(final["minor_tax_code"])
    after = final[final["score"].astype(float) >= score]["rank"].max()  # same score: ties
    label = mine["rank"].iloc[0]
    assert label.endswith("-bis") and int(label.split("-")[0]) <= after
    assert set(mine["previous_status"]) == {"ESCLUSA"}
    assert set(mine["change"]) == {"riammessa in graduatoria"}  # no money for it yet
    assert set(mine["status"]) == {"AMMESSA_NON_FINANZIATA"}
    gained = _cents(others["awarded_eur"]) - _cents(final["awarded_eur"]).to_numpy()
    assert gained[others["application_id"].ne(_at(final, 3)).to_numpy()].min() >= 0
    public = (call / "scorrimenti" / "scorrimento_1" / "elenco_pubblico.csv").read_text()
    assert f"\n{label},{back}," in public
    # verify recomputes the act with the reinstated rows in their place
    assert runner.invoke(app, ["verify", str(call)]).exit_code == 0


def test_a_revoked_application_reinstated_with_precedence_is_funded_first(
    acts_call: Path,
) -> None:
    call = acts_call
    final = _final(call)
    revoked = _at(final, 4)  # one child, 300,00 €
    events = [ev("02/10/2017", "controllo", revoked, outcome="irregolare")]
    write_events(call, events)
    assert _scorrimento(call, "2017-10-16").exit_code == 0
    one = _act_all(call, 1)
    assert set(one.loc[one["application_id"].eq(revoked), "status"]) == {"REVOCA"}
    events += [
        ev("20/10/2017", "rinuncia", _at(final, 3)),  # 300,00 € freed
        ev("25/10/2017", "riammissione", revoked, outcome="precedenza",
           reason="ricorso accolto: la dichiarazione era conforme", act="sentenza TAR 12/2017"),
    ]  # fmt: skip
    write_events(call, events)
    assert _scorrimento(call, "2017-11-30").exit_code == 0
    two = _act_all(call, 2)
    mine = two[two["application_id"].eq(revoked)]
    assert mine["rank"].tolist() == ["4"] and mine["status"].tolist() == ["FINANZIATA"]
    assert mine["change"].tolist() == ["riammessa e finanziata con lo scorrimento"]
    assert _cents(mine["awarded_eur"]).sum() == 30000
    # nobody else gained a cent from the renunciation: the reinstated one came first
    rest = two[~two["application_id"].isin([revoked, _at(final, 3)])]
    assert (_cents(rest["awarded_eur"]).to_numpy() == _cents(one.loc[rest.index, "awarded_eur"])
            .to_numpy()).all()  # fmt: skip
    assert runner.invoke(app, ["verify", str(call)]).exit_code == 0


def test_a_correction_raises_a_voucher_and_the_next_act_pays_it(acts_call: Path) -> None:
    call = acts_call
    final = _final(call)
    low = final[final["status"].eq("FINANZIATA") & _cents(final["awarded_eur"]).lt(10000)]
    app_id, child = str(low["application_id"].iloc[0]), str(low["minor_tax_code"].iloc[0])
    before = int(_cents(low["awarded_eur"]).iloc[0])
    write_events(call, [
        ev("02/10/2017", "rinuncia", _at(final, 3)),
        [*ev("03/10/2017", "correzione", app_id, minor=child, reason="costo dichiarato "
             "letto male", act="prot. 77"), "300,00"],
    ])  # fmt: skip
    done = _scorrimento(call, "2017-10-16")
    assert done.exit_code == 0, done.output
    act = _act_all(call, 1)
    mine = act[act["minor_tax_code"].eq(child)]
    assert _cents(mine["awarded_eur"]).tolist() == [30000]  # above the waiting list: paid first
    assert mine["change"].tolist() in (["importo aumentato con lo scorrimento"],
                                       ["completata con lo scorrimento"])  # fmt: skip
    assert before < 30000
    assert runner.invoke(app, ["verify", str(call)]).exit_code == 0


def test_bad_corrections_are_named(acts_call: Path) -> None:
    call = acts_call
    final = _final(call)
    child = str(final["minor_tax_code"].iloc[5])
    write_events(call, [
        ev("02/10/2017", "riammissione", _at(final, 3)),  # on the list: nothing to reinstate
        [*ev("03/10/2017", "correzione", _at(final, 3)), ""],  # no amount
        [*ev("03/10/2017", "correzione", str(final["application_id"].iloc[5]), minor=child),
         "10,00"],  # lower than the voucher
        [*ev("04/10/2017", "rinuncia", _at(final, 4)), "300,00"],  # amount on a renunciation
    ])  # fmt: skip
    done = _scorrimento(call, "2017-10-16")
    out = " ".join(done.output.split())
    assert done.exit_code == 2, out
    assert "riga 2: la domanda " + _at(final, 3) + " è già in graduatoria" in out
    assert "riga 3: per una correzione serve il nuovo importo" in out
    assert "riga 4: una correzione aumenta il voucher: 10,00 € non supera" in out
    assert "riga 5: l'importo vale solo per una correzione o una riammissione" in out


def _act_all(folder: Path, k: int) -> pd.DataFrame:
    """The act's graduatoria.csv in its own order (rank labels as text)."""
    path = folder / "scorrimenti" / f"scorrimento_{k}" / "graduatoria.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)
