"""Helpers for the publishing tests: a small call folder and a hand-made RankResult.

The RankResult follows the contract of conciliare_cli/engine/result.py, so the publishing code
is tested on its own, without the reader and the engine.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conciliare_cli.config import load_call
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.engine.result import RankResult

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "conciliare-2017.yaml"
RUN_DATE = dt.date(2017, 9, 15)

# (application, partner, applicant name/surname/cf/email, minors: (name, cf, disability, dsa),
#  score, rank, status, awarded cents per minor)
# fmt: off
PEOPLE = [
    ("ASST-0001", "ASST", "Giulia", "Bonizzi", "BNZGLI80A41D142X", "giulia.bonizzi@example.it",
     [("Matteo", "BNZMTT10B12D142Y", True, False)], 37.5, 1, "FINANZIATA", [30000]),
    ("ASST-0002", "ASST", "Marco", "Vailati", "VLTMRC79C03D142Z", "m.vailati@example.it",
     [("Sofia", "VLTSFO12D45D142W", False, True), ("Elia", "VLTLEI14E06D142V", False, False)],
     29.25, 2, "FINANZIATA", [30000, 25000]),
    ("ATS-0001", "ATS", "Chiara", "Severgnini", "SVRCHR85H50D142U", "chiara.s@example.it",
     [("Noemi", "SVRNMO11L52D142T", False, False)], 21.0, 3, "FINANZIATA_PARZIALMENTE",
     [12345]),
    ("ATS-0002", "ATS", "Paolo", "Zaninelli", "ZNNPLA75M10D142S", "paolo.z@example.it",
     [("Achille", "ZNNCHL13P14D142R", True, True)], 19.125, 4, "AMMESSA_NON_FINANZIATA", [0]),
    ("ASST-0003", "ASST", "Licia", "Tolasi", "TLSLCI90R55D142Q", "licia.tolasi@example.it",
     [("Ettore", "TLSTTR05S16D142P", False, False)], 0.0, None, "ESCLUSA", [0]),
]
# fmt: on

NAMES = sorted(
    {p[2] for p in PEOPLE} | {p[3] for p in PEOPLE} | {m[0] for p in PEOPLE for m in p[6]}
)
TAX_CODES = sorted({p[4] for p in PEOPLE} | {m[1] for p in PEOPLE for m in p[6]})
EMAILS = sorted({p[5] for p in PEOPLE})


def make_call_folder(
    folder: Path, *, publication: str | None = None, drop_sensitive: bool = False
) -> Path:
    """A call folder with the shipped 2017 rules; `publication` replaces that section."""
    folder.mkdir(parents=True, exist_ok=True)
    text = RULES.read_text(encoding="utf-8")
    if publication is not None:
        text = re.sub(
            r"^publication:\n(?:  .*\n)+", publication.rstrip("\n") + "\n", text, flags=re.M
        )
    if drop_sensitive:
        text = re.sub(r"^(\s+)sensitive: true", r"\1sensitive: false", text, flags=re.M)
    (folder / "bando.yaml").write_text(text, encoding="utf-8")
    partner = folder / "partner"
    partner.mkdir(exist_ok=True)
    (partner / "asst.csv").write_text("Protocollo;Nome\nASST-0001;Giulia\n", encoding="utf-8")
    (partner / "ats.csv").write_text("Protocollo;Nome\nATS-0001;Chiara\n", encoding="utf-8")
    return folder


def make_result(folder: Path, call: object = None) -> RankResult:
    """A RankResult for the call in `folder`, shaped as the engine's (see result.py)."""
    call = call or load_call(folder)
    minors = []
    units = []
    for app, partner, name, surname, cf, email, kids, score, rank, status, awards in PEOPLE:
        for slot, ((kname, kcf, dis, dsa), award) in enumerate(zip(kids, awards, strict=True)):
            minors.append(
                {
                    "application_id": app,
                    "partner_id": partner,
                    "applicant_name": name,
                    "applicant_surname": surname,
                    "applicant_tax_code": cf,
                    "applicant_email": email,
                    "minor_name": kname,
                    "minor_surname": surname,
                    "minor_tax_code": kcf,
                    "disability": dis,
                    "learning_difficulty": dsa,
                    "source_file": f"partner/{partner.lower()}.csv",
                    "source_row": 2 + slot,
                    "row_key": f"{app}|{kcf}",
                    "score": score,
                    "rank": rank,
                    "status": status,
                    "awarded_cents": award,
                    "fund_FSE_cents": award,
                    "fund_ATS_cents": 0,
                    "exclusion_reasons": "FUORI_TERMINE" if status == "ESCLUSA" else "",
                }
            )
        units.append(
            {
                "unit_id": app,
                "application_id": app,
                "score": score,
                "crit_disabilita": 10.0 if any(k[2] for k in kids) else 0.0,
                "rank": rank,
                "status": status,
                "awarded_cents": sum(awards),
            }
        )
    minors_df = pd.DataFrame(minors).astype(
        {"rank": "Int64", "awarded_cents": "Int64", "score": "Float64"}
    )
    units_df = pd.DataFrame(units).astype(
        {"rank": "Int64", "awarded_cents": "Int64", "score": "Float64"}
    )
    assigned = int(minors_df["awarded_cents"].sum())
    funds = pd.DataFrame(
        {
            "fund_id": ["FSE", "ATS"],
            "name": ["POR FSE 2014-2020 (Fondo Sociale Europeo)", "ATS Val Padana"],
            "budget_cents": pd.array([10_000_000, 4_400_000], dtype="Int64"),
            "assigned_cents": pd.array([assigned, 0], dtype="Int64"),
            "residual_cents": pd.array([10_000_000 - assigned, 4_400_000], dtype="Int64"),
        }
    )
    reserves = pd.DataFrame(
        columns=[
            "reserve_id",
            "fund_id",
            "description",
            "amount_cents",
            "used_cents",
            "returned_cents",
        ]
    )
    return RankResult(
        call=call,
        rules=compile_rules(call),
        minors=minors_df,
        units=units_df,
        funds=funds,
        reserves=reserves,
        findings=pd.DataFrame(),
        input_files=sorted(p.relative_to(folder).as_posix() for p in folder.glob("partner/*")),
    )


def xlsx_texts(path: Path) -> list[str]:
    """Every cell of every sheet, as text (numbers too), plus the workbook's properties."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=False)
    out = []
    for ws in wb.worksheets:
        out.append(ws.title)
        out.append(str(ws.oddHeader.left.text or "") + str(ws.oddHeader.right.text or ""))
        for row in ws.iter_rows(values_only=True):
            out.extend(str(v) for v in row if v is not None)
    props = wb.properties
    out.extend(str(v) for v in (props.title, props.subject, props.creator, props.keywords) if v)
    return out


def xlsx_numbers(path: Path) -> list[float]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return [
        float(v)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]


def pdf_text(path: Path) -> str:
    """The text of every page (pypdf) plus the document metadata."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    meta = reader.metadata or {}
    return text + "\n" + "\n".join(str(v) for v in meta.values())


def weasyprint_available() -> bool:
    """The public list's PDF needs only the colour profile the weasyprint package ships (it is
    never imported, so Pango is not needed)."""
    import importlib.util

    return importlib.util.find_spec("weasyprint") is not None


needs_pdf = pytest.mark.skipif(
    not weasyprint_available(), reason="the weasyprint package (its sRGB profile) is missing"
)


def copy_call(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("esiti"))
    return dst


def write_outputs(result: RankResult, target: Path, status: str, run_date: dt.date) -> None:
    """What `runs.write_outputs` does: every output in a temporary folder,
    the public list, the manifest last, then moved into place."""
    from conciliare_cli.atomic import atomic_output
    from conciliare_cli.publish import write_manifest, write_public

    with atomic_output(target) as tmp:
        frame = result.minors[["application_id", "status", "awarded_cents"]]
        (tmp / "graduatoria.csv").write_text(frame.to_csv(index=False), encoding="utf-8")
        write_public(result, tmp, status, run_date)
        write_manifest(result, tmp, status, run_date)


def run_call(folder: Path, call: object = None, **_recorded: object) -> RankResult:
    """Stands in for runs.run(folder, call=..., run_date=..., override=...)."""
    return make_result(Path(folder), call)
