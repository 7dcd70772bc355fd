"""Hand-made RankResults for the letters' tests and benchmark (the engine is not needed).

`small_result` has every outcome, an excluded minor inside an admitted application, a tie
decided by a tie-breaker, a tie decided by the lottery, and hostile data (an id like
`../../x`, names with `/`, `<script>`, `<b>` and `{{7*7}}`). `synthetic_result` makes any
number of applications for the benchmark: its people come from the one generator
(conciliare_cli.demo.population), only the outcomes are drawn here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.config import load_call
from conciliare_cli.demo import population
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.engine.result import RankResult
from conciliare_cli.resources import rules_dir

CRITERIA = ["disabilita", "dsa_bes", "isee", "monogenitore", "genitori_lavoratori", "numero_figli"]
FUNDS = ["FSE", "ATS"]


def make_call_folder(folder: Path, *, logos: list[str] | None = None) -> Path:
    """A call folder with the shipped 2017 rules (optionally with logos in letters.logos)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "bando.yaml"
    shutil.copyfile(rules_dir() / "conciliare-2017.yaml", target)
    if logos is not None:
        text = target.read_text(encoding="utf-8")
        listed = "[" + ", ".join(f'"{name}"' for name in logos) + "]"
        text = text.replace("  logos: []", f"  logos: {listed}")
        target.write_text(text, encoding="utf-8")
    return folder


def _minor(
    app: str,
    applicant: tuple[str, str],
    minor: tuple[str, str, str],
    *,
    status: str,
    awarded: int,
    requested: int = 30000,
    rank: int | None = None,
    waiting: int | None = None,
    score: float | None = None,
    crit: dict[str, float] | None = None,
    reasons: str = "",
    decided_by: str = "",
    isee: int | None = 1200000,
    single_parent: bool | None = False,
    both_working: bool | None = True,
    disability: bool = False,
    dsa: bool = False,
    fse: int | None = None,
) -> dict:
    crit = crit or {}
    fse_cents = awarded if fse is None else fse
    return {
        "application_id": app,
        "partner_id": "ASST",
        "submitted_at": pd.Timestamp("2017-07-10 10:30"),
        "applicant_name": applicant[0],
        "applicant_surname": applicant[1],
        "applicant_tax_code": "RSSMRA80A01C089X",
        "applicant_email": f"{app.lower().replace('/', '')}@example.org",
        "applicant_pec": "",
        "applicant_address": "Via Roma 12",
        "applicant_postcode": "26013",
        "applicant_city": "Crema (CR)",
        "isee": isee,
        "single_parent": single_parent,
        "both_parents_working": both_working,
        "minor_name": minor[0],
        "minor_surname": minor[1],
        "minor_tax_code": minor[2],
        "minor_birth_date": pd.Timestamp("2010-02-01"),
        "disability": disability,
        "learning_difficulty": dsa,
        "service": "centro estivo",
        "minor_eligible": status != "ESCLUSA",
        "exclusion_reasons": reasons,
        **{f"crit_{c}": float(crit.get(c, 0.0)) for c in CRITERIA},
        "score": score,
        "rank": rank,
        "waiting_position": waiting,
        "status": status,
        "requested_cents": requested,
        "awarded_cents": awarded,
        "fund_FSE_cents": fse_cents,
        "fund_ATS_cents": awarded - fse_cents,
        "decided_by": decided_by,
        "lottery_key": "",
        "row_key": f"{app}|{minor[2]}",
    }


def small_rows() -> list[dict]:
    c1 = {"isee": 10, "numero_figli": 4, "monogenitore": 5, "disabilita": 10}
    tie = {"isee": 10, "numero_figli": 2, "genitori_lavoratori": 3}
    return [
        # FINANZIATA, two minors, rank 1
        _minor(
            "ASST-0001",
            ("Mario", "Rossi"),
            ("Luca", "Rossi", "RSSLCU10B01C089A"),
            status="FINANZIATA",
            awarded=30000,
            rank=1,
            score=29,
            crit=c1,
            single_parent=True,
            both_working=False,
            disability=True,
            isee=1450000,
        ),
        _minor(
            "ASST-0001",
            ("Mario", "Rossi"),
            ("Anna", "Rossi", "RSSNNA12C41C089B"),
            status="FINANZIATA",
            awarded=25000,
            requested=25000,
            rank=1,
            score=29,
            crit=c1,
            single_parent=True,
            both_working=False,
            isee=1450000,
            fse=10000,
        ),
        # FINANZIATA with an excluded minor (too old), rank 2
        _minor(
            "ASST-0005",
            ("Giulia", "Bianchi"),
            ("Marco", "Bianchi", "BNCMRC09A01C089C"),
            status="FINANZIATA",
            awarded=30000,
            rank=2,
            score=15,
            crit=tie,
        ),
        _minor(
            "ASST-0005",
            ("Giulia", "Bianchi"),
            ("Pietro", "Bianchi", "BNCPTR00A01C089D"),
            status="ESCLUSA",
            awarded=0,
            requested=0,
            reasons="ETA_NON_AMMESSA",
        ),
        # FINANZIATA_PARZIALMENTE, tie on score decided by ISEE, rank 3
        _minor(
            "ASST-0002",
            ("Paola", "Verdi"),
            ("Sara", "Verdi", "VRDSRA11A41C089E"),
            status="FINANZIATA_PARZIALMENTE",
            awarded=12345,
            rank=3,
            score=15,
            crit=tie,
            decided_by="ISEE più basso",
            isee=1300000,
            fse=0,
        ),
        # AMMESSA_NON_FINANZIATA, same score, after by ISEE, waiting list 1
        _minor(
            "ASST-0003",
            ("Luigi", "Neri"),
            ("Elena", "Neri", "NRELNE13A41C089F"),
            status="AMMESSA_NON_FINANZIATA",
            awarded=0,
            rank=4,
            waiting=1,
            score=15,
            crit=tie,
            decided_by="ISEE più basso",
            isee=1400000,
        ),
        # AMMESSA_NON_FINANZIATA decided by the lottery, name that looks like a template
        _minor(
            "ASST-0006",
            ("{{7*7}}", "<b>x</b>"),
            ("Ugo", "Gialli", "GLLUGO13A01C089G"),
            status="AMMESSA_NON_FINANZIATA",
            awarded=0,
            rank=5,
            waiting=2,
            score=15,
            crit=tie,
            decided_by="sorteggio",
            isee=1400000,
        ),
        # ESCLUSA for the application (ISEE) and for one minor (age)
        _minor(
            "ASST-0004",
            ("Franco", "Blu"),
            ("Rita", "Blu", "BLURTI12A41C089H"),
            status="ESCLUSA",
            awarded=0,
            requested=0,
            reasons="ISEE_OLTRE_SOGLIA",
            isee=4000000,
        ),
        _minor(
            "ASST-0004",
            ("Franco", "Blu"),
            ("Ivo", "Blu", "BLUVIO99A01C089I"),
            status="ESCLUSA",
            awarded=0,
            requested=0,
            reasons="ISEE_OLTRE_SOGLIA;ETA_NON_AMMESSA",
            isee=4000000,
        ),
        # ESCLUSA, hostile id and name
        _minor(
            "../../x",
            ("Anna/<script>alert(1)</script>", "Viola"),
            ("Teo", "Viola", "VLITEO14A01C089L"),
            status="ESCLUSA",
            awarded=0,
            requested=0,
            reasons="CF_RICHIEDENTE_NON_VALIDO",
        ),
    ]


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for col in ["rank", "waiting_position", "requested_cents", "awarded_cents", "isee"] + [
        f"fund_{f}_cents" for f in FUNDS
    ]:
        df[col] = pd.array(df[col].tolist(), dtype="Int64")
    for col in [
        "single_parent",
        "both_parents_working",
        "disability",
        "learning_difficulty",
        "minor_eligible",
    ]:
        df[col] = pd.array(df[col].tolist(), dtype="boolean")
    df["score"] = pd.to_numeric(df["score"]).astype("Float64")
    return df


def result_from_rows(folder: Path, rows: list[dict]) -> RankResult:
    call = load_call(folder)
    minors = _frame(rows)
    units = (
        minors.groupby("application_id", sort=False)
        .agg(
            score=("score", "first"),
            rank=("rank", "min"),
            status=("status", "first"),
            awarded_cents=("awarded_cents", "sum"),
        )
        .reset_index()
        .assign(unit_id=lambda d: d["application_id"])
    )
    funds = pd.DataFrame(
        {
            "fund_id": [f.id for f in call.config.funds],
            "name": [f.name for f in call.config.funds],
            "budget_cents": [int(f.amount_eur * 100) for f in call.config.funds],
        }
    )
    return RankResult(
        call=call,
        rules=compile_rules(call),
        minors=minors,
        units=units,
        funds=funds,
        reserves=pd.DataFrame(),
        findings=pd.DataFrame(),
    )


def small_result(folder: Path, **kwargs) -> RankResult:
    make_call_folder(folder, **kwargs)
    return result_from_rows(folder, small_rows())


def synthetic_rows(n_applications: int, seed: int = 2017) -> pd.DataFrame:
    """`n_applications` applications of invented people (1-3 minors each, from the one
    generator, conciliare_cli.demo) with an outcome drawn per application: every outcome."""
    people = population(n_applications, seed, ["ASST"], second_parent=0.0)
    app_idx = pd.factorize(people["application_id"])[0]
    rng = np.random.default_rng(seed)
    out = _outcomes(rng, n_applications)
    status = out["status"][app_idx]
    admitted = status != "ESCLUSA"
    requested = people["requested_eur"].fillna(30000).clip(upper=30000).to_numpy(dtype=np.int64)
    requested = np.where(admitted, requested, 0)
    awarded = np.select(
        [status == "FINANZIATA", status == "FINANZIATA_PARZIALMENTE"], [requested, requested // 2]
    )
    crit = {c: np.where(admitted, v[app_idx], 0).astype(float) for c, v in out["crit"].items()}
    rank = pd.Series(out["rank"][app_idx], index=people.index, dtype="Int64")
    df = people.drop(columns=["protocol", "household_size", "requested_eur", "minor_index"])
    return df.assign(
        applicant_pec="",
        minor_eligible=admitted,
        exclusion_reasons=np.where(admitted, "", "ISEE_OLTRE_SOGLIA"),
        **{f"crit_{c}": v for c, v in crit.items()},
        score=np.where(admitted, sum(crit.values()), np.nan),
        rank=rank.where(admitted),
        waiting_position=rank.where(status == "AMMESSA_NON_FINANZIATA"),
        status=status,
        requested_cents=requested,
        awarded_cents=awarded,
        fund_FSE_cents=awarded,
        fund_ATS_cents=0,
        decided_by=out["decided_by"][app_idx],
        lottery_key="",
        row_key=people["application_id"] + "|" + people["minor_tax_code"],
    )


def _outcomes(rng: np.random.Generator, n_applications: int) -> dict:
    """Per application: status, rank (a random order), criterion points, tie-breaker note."""
    status = rng.choice(
        ["FINANZIATA", "FINANZIATA_PARZIALMENTE", "AMMESSA_NON_FINANZIATA", "ESCLUSA"],
        size=n_applications,
        p=[0.55, 0.05, 0.25, 0.15],
    )
    rank = np.empty(n_applications, dtype=np.int64)
    rank[np.argsort(rng.random(n_applications))] = np.arange(1, n_applications + 1)
    crit = {c: rng.choice([0, 3, 5, 10], size=n_applications) for c in CRITERIA}
    decided_by = np.where(rng.random(n_applications) < 0.05, "ISEE più basso", "")
    return {"status": status, "rank": rank, "crit": crit, "decided_by": decided_by}


def synthetic_result(folder: Path, n_applications: int, seed: int = 2017) -> RankResult:
    make_call_folder(folder)
    rows = synthetic_rows(n_applications, seed)
    return result_from_rows(folder, rows.to_dict("records"))
