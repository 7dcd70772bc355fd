"""The graduatoria as a committee reads and signs it: one line per ranked application.

The main sheet of graduatoria.xlsx has one line per ranking unit (the application, or the minor
when ranking.unit is minor), in rank order, with the columns chosen for print on A4 landscape at
readable type: position, protocol, applicant, the values the tie-breakers use (ISEE and the
submission time, and any other tie-breaker field), one column per criterion (its short label),
score, outcome, amount, waiting-list position and what decided a tie. The children of each
application, with their amounts per fund, are on the Minori sheet. The page footer carries the
approving act and the signatory (publication.act, publication.signature), and the sheet ends
with the signature block.
"""

from __future__ import annotations

import pandas as pd

from conciliare_cli.engine.result import RankResult
from conciliare_cli.fields import Kind
from conciliare_cli.status import status_label
from conciliare_cli.write.xlsx import Column

APPLICATION_FIELDS = ("applicant_surname", "applicant_name", "isee", "submitted_at")
ALWAYS_SHOWN = ("isee", "submitted_at")  # what "ISEE più basso" and the date decide on
KIND_OF = {
    Kind.MONEY: "money_cents",
    Kind.DATE: "date",
    Kind.DATETIME: "datetime",
    Kind.INTEGER: "int",
    Kind.NUMBER: "number",
    Kind.BOOL: "bool",
}


def _full_name(frame: pd.DataFrame, surname: str, name: str) -> pd.Series:
    parts = [
        frame[c].astype("string").fillna("").str.strip() if c in frame.columns else ""
        for c in (surname, name)
    ]
    return (parts[0] + " " + parts[1]).str.strip()


def tie_fields(result: RankResult) -> list[str]:
    """The fields whose values the sheet shows beside the score: ISEE, submission time, and
    every other tie-breaker's field, in the rules' order."""
    out = list(ALWAYS_SHOWN)
    out += [t.field for t in result.rules.tie_breakers if t.field not in out]
    return out


def units_frame(result: RankResult) -> pd.DataFrame:
    """The ranked units in rank order, with the applicant's name and the tie-breakers' fields
    (read from the application's rows), the outcome's label and, per minor unit, the minor."""
    units = result.units
    ranked = units[units["rank"].notna().to_numpy()].copy()
    m = result.minors
    wanted = [c for c in dict.fromkeys([*APPLICATION_FIELDS, *tie_fields(result)]) if c in m]
    firsts = m.drop_duplicates("application_id")[["application_id", *wanted]]
    ranked = ranked.merge(firsts, on="application_id", how="left", suffixes=("", "_app"))
    if result.rules.by_minor and "row_key" in m.columns:
        minors = m[["row_key", "minor_surname", "minor_name"]].rename(
            columns={"row_key": "unit_id"}
        )
        ranked = ranked.merge(minors, on="unit_id", how="left")
        ranked["minor_full"] = _full_name(ranked, "minor_surname", "minor_name")
    ranked["applicant_full"] = _full_name(ranked, "applicant_surname", "applicant_name")
    ranked["status_label"] = ranked["status"].map(status_label)
    ranked["rank"] = pd.to_numeric(ranked["rank"])
    order = ranked.sort_values(["rank", "application_id", "unit_id"], kind="mergesort").index
    return ranked.loc[order].reset_index(drop=True)


def graduatoria_columns(result: RankResult) -> list[Column]:
    """The main sheet's columns (see the module docstring); the first three stay in view."""
    fields = result.rules.fields
    cols = [
        Column("rank", "Pos.", "int", width=5),
        Column("application_id", "Protocollo"),
        Column("applicant_full", "Richiedente", width=16, wrap=True),
    ]
    if result.rules.by_minor:
        cols.append(Column("minor_full", "Minore", width=18, wrap=True))
    for name in tie_fields(result):
        f = fields[name]
        header = "Presentata il" if name == "submitted_at" else f.label
        kind = KIND_OF.get(f.kind, "text")
        width = {"money_cents": 10, "datetime": 15, "date": 10}.get(kind)
        cols.append(Column(name, header, kind, width=width, wrap=f.kind is Kind.TEXT))
    for c in result.rules.criteria:
        header = c.model.short_label or c.label
        cols.append(Column(f"crit_{c.id}", header, "score", width=7))
    cols += [
        Column("score", "Punteggio", "score", width=9),
        Column("status_label", "Esito", width=20, wrap=True),  # 'Ammessa non finanziata' whole
        Column("awarded_cents", "Importo assegnato", "money_cents", width=10, total=True),
        Column("waiting_position", "In attesa", "int", width=7),
        Column("decided_by", "Parità decisa da", width=13, wrap=True),
    ]
    return cols


def minors_columns(result: RankResult) -> list[Column]:
    """The Minori sheet: each ranked minor with its application, amounts and funds."""
    cols = [
        Column("rank", "Pos.", "int", width=6),
        Column("application_id", "Protocollo"),
        Column("minor_full", "Minore", width=22, wrap=True),
        Column("minor_tax_code", "CF minore", width=19),
        Column("age", "Età", "int", width=5),
        Column("status_label", "Esito", width=14, wrap=True),
        Column("requested_cents", "Importo spettante", "money_cents", width=11, total=True),
        Column("awarded_cents", "Importo assegnato", "money_cents", width=11, total=True),
    ]
    for f in result.rules.funds:
        cols.append(Column(f"fund_{f.id}_cents", f"di cui {f.id}", "money_cents", width=11,
                           total=True))  # fmt: skip
    cols.append(Column("waiting_position", "In attesa", "int", width=7))
    return cols


# The Anomalie and Esclusi sheets as printed: long texts wrap in narrower columns (codes never
# wrap: a code is one word), so each fits A4 landscape at readable type.
PRINT_WIDTHS: dict[str, tuple[float, bool]] = {
    "source_file": (18, True),
    "source_sheet": (10, True),
    "column": (14, True),
    "field_label": (14, True),
    "value": (14, True),
    "message": (38, True),
    "applicant_full": (18, True),
    "minor_full": (18, True),
    "reasons_text": (40, True),
}


# The partner is in the protocol and the file's folder, the field in the column's own name; the
# sheet stays (a partner's workbook may have several, and a row is found by file, sheet, row).
NOT_PRINTED = ("field_label", "partner_id")


def for_print(columns: list[Column]) -> list[Column]:
    """The same columns with the print widths above, less those the others already say."""
    out = []
    for c in columns:
        if c.source in NOT_PRINTED:
            continue
        width, wrap = PRINT_WIDTHS.get(c.source, (c.width, c.wrap))
        out.append(Column(c.source, c.header, c.kind, width=width, total=c.total, wrap=wrap))
    return out


def code_width(codes: pd.Series) -> float:
    """A column of reason codes as wide as its longest code (codes never break)."""
    longest = codes.astype("string").str.split(r"[;,]\s*").explode().str.len().max()
    return float(max(int(longest) if pd.notna(longest) else 0, 10) + 2)


def signature_lines(result: RankResult) -> list[str]:
    """The signature block: publication.signature, else the lead partner's signatory."""
    cfg = result.call.config
    lines = list(cfg.publication.signature)
    if not lines and cfg.call.lead_partner.signatory:
        lines = [cfg.call.lead_partner.signatory]
    return lines


def act_text(result: RankResult) -> str:
    act = result.call.config.publication.act
    return f"Approvata con {act}" if act else ""


def page_footer(result: RankResult) -> tuple[str, str]:
    """(left, right) of the footer: the approving act, and who signs."""
    lines = signature_lines(result)
    right = f"Firma: {lines[0]}" if lines else ""
    return act_text(result), right
