"""The graduatoria: the machine-readable CSV, the internal Excel workbook and the run summary.

All three read a RankResult (conciliare_cli/engine/result.py). Rows are always in the same
order, whatever the order of the input rows: ranked minors by rank, minor slot, minor tax code,
row key; then the excluded by application id and row key.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from conciliare_cli.atomic import atomic_write_bytes
from conciliare_cli.engine.amount_words import rule_rows
from conciliare_cli.engine.duplicates import applicant_words
from conciliare_cli.engine.lottery import key_words
from conciliare_cli.engine.outcomes import application_outcomes, outcome_counts, totals
from conciliare_cli.engine.phrasing import condition_words
from conciliare_cli.engine.result import RankResult
from conciliare_cli.engine.timing import granularity_words
from conciliare_cli.fields import Level
from conciliare_cli.findings import Severity, open_blocking
from conciliare_cli.italian import (
    count_noun,
    date_short,
    datetime_short,
    eur,
    eur_decimal,
    number,
    points_text,
)
from conciliare_cli.money import cents_to_plain, plain_score
from conciliare_cli.status import Status, status_label
from conciliare_cli.write import printable
from conciliare_cli.write.anomalies import (
    CORRECTIONS_COLUMNS,
    FINDING_SHEET_COLUMNS,
    findings_sheet_frame,
)
from conciliare_cli.write.csvsafe import csv_safe_texts
from conciliare_cli.write.istruttoria import corrections_frame
from conciliare_cli.write.xlsx import Column, write_table, xlsx_workbook

FUNDED = (Status.FUNDED.value, Status.PARTIAL.value)
STATUSES = Status.codes()

# The contract columns of graduatoria.csv, in this order (fund columns go after awarded_eur).
CONTRACT_HEAD = [
    "rank",
    "application_id",
    "partner_id",
    "applicant_tax_code",
    "minor_tax_code",
    "score",
    "status",
    "awarded_eur",
]
CONTRACT_TAIL = ["exclusion_reasons", "source_file", "source_row"]
# The columns of graduatoria.csv that hold texts (the others are numbers the tool writes).
TEXT_COLUMNS = [
    "application_id",
    "partner_id",
    "applicant_tax_code",
    "minor_tax_code",
    "status",
    "exclusion_reasons",
    "source_file",
    "decided_by",
    "source_sheet",
    "row_key",
    "lottery_key",
]

LOTTERY_RULE = (
    "A parità di punteggio e di tutti i criteri precedenti decide il sorteggio: per ogni {unit} "
    'si calcola l\'impronta SHA-256 del testo "seme:{ident}" (il seme pubblicato, i due punti, '
    "{ident_long}) e si ordina per impronta crescente (in esadecimale). Chiunque può ricalcolarlo."
)


# ----------------------------------------------------------------------------- helpers


def _fund_ids(result: RankResult) -> list[str]:
    """Funds in the order the rules declare them."""
    return [f.id for f in result.rules.funds]


def _reserve_ids(result: RankResult) -> list[str]:
    return [r.id for r in result.rules.reserves]


def _criterion_ids(result: RankResult) -> list[str]:
    return [c.id for c in result.rules.criteria]


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    """A column, or an all-missing one when the result does not carry it."""
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype=object)


def _text(series: pd.Series) -> pd.Series:
    values = series.astype(object)
    na = values.isna().to_numpy()
    out = values.to_numpy(dtype=object, copy=True)
    out[na] = ""
    texts_only = isinstance(series.dtype, pd.StringDtype)  # str or missing: nothing to look at
    if not texts_only and not all(type(v) is str for v in out.tolist()):  # numbers...: str()
        out = np.array([v if type(v) is str else str(v) for v in out.tolist()], dtype=object)
    return pd.Series(out, index=series.index, dtype=object)


def _int_text(series: pd.Series) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce").astype("Float64")
    na = values.isna().to_numpy()
    ints = np.rint(values.fillna(0).to_numpy(dtype=np.float64)).astype(np.int64).astype(str)
    return pd.Series(np.where(na, "", ints).astype(object), index=series.index, dtype=object)


def _cents(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        raise KeyError(f"the RankResult has no column {name!r}")
    return pd.to_numeric(df[name], errors="raise").astype("Int64")


def ordered_minors(result: RankResult) -> pd.DataFrame:
    """The minors in graduatoria order, never in input order.

    Ranked rows (rank present) by rank, minor_slot, minor_tax_code, row_key; then the excluded
    by application_id, row_key. Remaining ties (identical keys) are broken by every other column,
    so the order is a function of the content only. A run's writers sort once and pass the
    frame (`ordered=`) to each other.
    """
    m = result.minors.reset_index(drop=True)
    rank = pd.to_numeric(_col(m, "rank"), errors="coerce").astype("Float64")
    excluded = rank.isna()
    keys = pd.DataFrame(
        {
            "excluded": excluded.astype(int),
            "rank": rank.where(~excluded, 0.0).fillna(0.0).astype(float),
            "slot": pd.to_numeric(_col(m, "minor_slot"), errors="coerce")
            .astype("Float64")
            .fillna(0)
            .astype(float)
            .where(~excluded, 0.0),
            "cf": _text(_col(m, "minor_tax_code")).where(~excluded, ""),
            "app": _text(_col(m, "application_id")).where(excluded, ""),
            "row_key": _text(_col(m, "row_key")),
        },
        index=m.index,
    )
    if keys.duplicated().any():  # only then do the other columns matter
        for i, c in enumerate(sorted(m.columns)):
            keys[f"_{i}"] = _text(m[c])
    order = keys.sort_values(list(keys.columns), kind="mergesort").index
    return m.loc[order].reset_index(drop=True)


# ----------------------------------------------------------------------------- CSV


def graduatoria_frame(result: RankResult, ordered: pd.DataFrame | None = None) -> pd.DataFrame:
    """The machine-readable graduatoria: one row per minor, every value as text.

    Contract columns first: rank, application_id, partner_id, applicant_tax_code,
    minor_tax_code, score, status, awarded_eur, fund_<ID>_eur per fund, exclusion_reasons,
    source_file, source_row; then waiting_position, crit_<id> per criterion, requested_eur,
    reserve_<ID>_eur per reserve, decided_by, source_sheet, minor_slot, row_key, lottery_key.
    Amounts have a dot and two decimals, from whole cents exactly; scores have no float noise.
    A text that a spreadsheet would open as a formula gets an apostrophe in front
    (write/csvsafe.py).
    """
    m = ordered_minors(result) if ordered is None else ordered
    out = pd.DataFrame(index=m.index)
    out["rank"] = _int_text(_col(m, "rank"))
    for c in ("application_id", "partner_id", "applicant_tax_code", "minor_tax_code"):
        out[c] = _text(_col(m, c))
    out["score"] = plain_score(_col(m, "score"))
    out["status"] = _text(_col(m, "status"))
    out["awarded_eur"] = cents_to_plain(_cents(m, "awarded_cents"))
    for f in _fund_ids(result):
        out[f"fund_{f}_eur"] = cents_to_plain(_cents(m, f"fund_{f}_cents"))
    out["exclusion_reasons"] = _text(_col(m, "exclusion_reasons"))
    out["source_file"] = _text(_col(m, "source_file"))
    out["source_row"] = _int_text(_col(m, "source_row"))
    # extras
    out["waiting_position"] = _int_text(_col(m, "waiting_position"))
    for c in _criterion_ids(result):
        out[f"crit_{c}"] = plain_score(_col(m, f"crit_{c}"))
    if "requested_cents" in m.columns:
        out["requested_eur"] = cents_to_plain(_cents(m, "requested_cents"))
    for r in _reserve_ids(result):
        if f"reserve_{r}_cents" in m.columns:
            out[f"reserve_{r}_eur"] = cents_to_plain(_cents(m, f"reserve_{r}_cents"))
    out["decided_by"] = _text(_col(m, "decided_by"))
    out["source_sheet"] = _text(_col(m, "source_sheet"))
    out["minor_slot"] = _int_text(_col(m, "minor_slot"))
    out["row_key"] = _text(_col(m, "row_key"))
    out["lottery_key"] = _text(_col(m, "lottery_key"))
    for c in TEXT_COLUMNS:  # partners' texts never open as formulas (write/csvsafe.py)
        out[c] = csv_safe_texts(out[c])
    return out


def graduatoria_csv_bytes(result: RankResult, ordered: pd.DataFrame | None = None) -> bytes:
    """The CSV as bytes: UTF-8 (no BOM), comma-separated, '\\n' line endings."""
    return csv_text(graduatoria_frame(result, ordered)).encode("utf-8")


def csv_text(frame: pd.DataFrame) -> str:
    """A frame of texts as CSV, exactly as `frame.to_csv(index=False, lineterminator="\\n")`
    writes it (minimal quoting: a field with a comma, a quote or a line break is quoted, its
    quotes doubled), made a column at a time."""
    header = ",".join(_csv_fields(np.array([str(c) for c in frame.columns], dtype=object)))
    if len(frame.columns) == 0:
        return header + "\n"
    columns = [_csv_fields(frame[c].to_numpy(dtype=object)) for c in frame.columns]
    lines = map(",".join, zip(*(c.tolist() for c in columns), strict=True))
    body = "\n".join(lines)
    return header + "\n" + (body + "\n" if len(frame) else "")


def _csv_special() -> tuple[str, ...]:
    """The characters that make Python's csv module (pandas' writer) quote a field with
    lineterminator '\\n': asked of the module itself, as versions differ on '\\r'."""
    out = []
    for ch in (",", '"', "\n", "\r"):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([f"a{ch}b", "c"])
        if buffer.getvalue().startswith('"'):
            out.append(ch)
    return tuple(out)


_CSV_SPECIAL = _csv_special()


def _csv_fields(values: np.ndarray) -> np.ndarray:
    """Each text as a CSV field (texts only: NA must already be '')."""
    if not any(ch in "\x00".join(values.tolist()) for ch in _CSV_SPECIAL):
        return values  # the usual case: nothing to quote in the whole column
    return np.array(
        [
            '"' + v.replace('"', '""') + '"' if any(ch in v for ch in _CSV_SPECIAL) else v
            for v in values.tolist()
        ],
        dtype=object,
    )


def write_graduatoria_csv(
    result: RankResult, path: Path, ordered: pd.DataFrame | None = None
) -> Path:
    """Write graduatoria.csv atomically; returns the path. `ordered`: ordered_minors(result),
    when the caller has it already."""
    return atomic_write_bytes(path, graduatoria_csv_bytes(result, ordered))


# ----------------------------------------------------------------------------- XLSX


def _person(m: pd.DataFrame, surname: str, name: str) -> pd.Series:
    full = (_text(_col(m, surname)) + " " + _text(_col(m, name))).str.strip()
    return full


def _excel_frame(result: RankResult, ordered: pd.DataFrame | None = None) -> pd.DataFrame:
    m = ordered_minors(result) if ordered is None else ordered.copy(deep=False)
    m["applicant_full"] = _person(m, "applicant_surname", "applicant_name")
    m["minor_full"] = _person(m, "minor_surname", "minor_name")
    m["status_label"] = _col(m, "status").map(status_label)
    m["score"] = pd.to_numeric(_col(m, "score"), errors="coerce")
    return m


def _graduatoria_columns(result: RankResult) -> list[Column]:
    crit_labels = {c.id: c.label for c in result.rules.criteria}
    cols = [
        Column("rank", "Posizione", "int", width=9),
        Column("application_id", "Protocollo"),
        Column("partner_id", "Partner", width=10),
        Column("applicant_full", "Richiedente"),
        Column("minor_full", "Minore"),
        Column("minor_tax_code", "CF minore", width=18),
    ]
    for c in _criterion_ids(result):
        cols.append(Column(f"crit_{c}", crit_labels.get(c, c), "score", width=12))
    cols += [
        Column("score", "Punteggio", "score", width=10),
        Column("status_label", "Esito", width=18, wrap=True),
        Column("requested_cents", "Importo spettante", "money_cents", total=True),
        Column("awarded_cents", "Importo assegnato", "money_cents", total=True),
    ]
    for f in _fund_ids(result):
        cols.append(Column(f"fund_{f}_cents", f"di cui {f}", "money_cents", total=True))
    cols += [
        Column("waiting_position", "Posizione in attesa", "int", width=10),
        Column("decided_by", "Parità risolta da", width=18, wrap=True),
    ]
    return cols


def excluded_frame(result: RankResult, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The excluded minors, in order, with the reasons in words (RankResult.reasons)."""
    m = _excel_frame(result) if frame is None else frame
    rank = pd.to_numeric(_col(m, "rank"), errors="coerce")
    ex = m[rank.isna().to_numpy()].reset_index(drop=True)
    codes = _text(_col(ex, "exclusion_reasons"))
    exploded = codes.str.split(";").explode().str.strip()
    exploded = exploded[exploded != ""]
    words = exploded.map(lambda c: result.reasons.get(c, c))
    joined = words.groupby(level=0).agg("\n".join)
    ex["reasons_text"] = joined.reindex(ex.index).fillna("")
    ex["reason_codes"] = codes.str.replace(";", ", ", regex=False)
    return ex


EXCLUDED_COLUMNS = [
    Column("application_id", "Protocollo"),
    Column("partner_id", "Partner", width=10),
    Column("applicant_full", "Richiedente"),
    Column("minor_full", "Minore"),
    Column("minor_tax_code", "CF minore", width=18),
    Column("reason_codes", "Motivi (codici)", width=24, wrap=True),
    Column("reasons_text", "Motivazione", width=60, wrap=True),
    Column("source_file", "File"),
    Column("source_sheet", "Foglio"),
    Column("source_row", "Riga", "int", width=7),
]


def write_graduatoria_xlsx(
    result: RankResult,
    path: Path,
    status: str = "PROVVISORIA",
    run_date: dt.date | dt.datetime | None = None,
    ordered: pd.DataFrame | None = None,
) -> Path:
    """The internal graduatoria workbook: Graduatoria, Esclusi, Criteri, Anomalie, Riepilogo.

    Italian headers and formats, print-ready (see write_table); written atomically.
    `ordered`: ordered_minors(result), when the caller has it already.
    """
    call = result.call
    title = call.config.call.title
    rules_line = (
        f"Regole versione {call.config.call.rules_version} – SHA-256 del file delle regole: "
        f"{call.rules_sha256}"
    )
    common: dict[str, Any] = {"title": title, "status": status, "run_date": run_date}
    m = _excel_frame(result, ordered)
    rank = pd.to_numeric(_col(m, "rank"), errors="coerce")
    ranked = m[rank.notna().to_numpy()].reset_index(drop=True)
    units = printable.units_frame(result)
    grad_columns = printable.graduatoria_columns(result)
    minor_columns = printable.minors_columns(result)
    for frame, columns in ((units, grad_columns), (ranked, minor_columns)):
        for c in columns:  # optional extras the engine may not give: blank columns
            if c.source not in frame.columns:
                frame[c.source] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    footer = printable.page_footer(result)
    notes = [n for n in (printable.act_text(result), rules_line) if n]
    with xlsx_workbook(path, run_date=run_date, title=title, subject="Graduatoria") as wb:
        info = write_table(
            wb,
            "Graduatoria",
            units,
            grad_columns,
            subtitle="Graduatoria",
            notes=notes,
            freeze_columns=3,
            footer=footer,
            **common,
        )
        _signature_block(info, printable.signature_lines(result), wb)
        if not result.rules.by_minor:
            write_table(
                wb,
                "Minori",
                ranked,
                minor_columns,
                subtitle="Minori delle domande in graduatoria",
                freeze_columns=3,
                footer=footer,
                **common,
            )
        excluded = excluded_frame(result, m)
        codes = Column(
            "reason_codes",
            "Motivi (codici)",
            width=printable.code_width(excluded["reason_codes"]),
            wrap=True,
        )
        write_table(
            wb,
            "Esclusi",
            excluded,
            printable.for_print(
                [codes if c.source == "reason_codes" else c for c in EXCLUDED_COLUMNS]
            ),
            subtitle="Domande e minori esclusi",
            empty_text="Nessun escluso.",
            **common,
        )
        _write_criteria(wb, result, common)
        write_table(
            wb,
            "Anomalie",
            findings_sheet_frame(result.findings, call, result.minors),
            printable.for_print(FINDING_SHEET_COLUMNS),
            subtitle="Anomalie dell'istruttoria",
            empty_text="Nessuna anomalia.",
            **common,
        )
        if result.corrections is not None and len(result.corrections):
            write_table(
                wb,
                "Correzioni",
                corrections_frame(result.corrections),
                CORRECTIONS_COLUMNS,
                subtitle="Correzioni applicate (soccorso istruttorio)",
                **common,
            )
        _write_summary(wb, result, common)
    return Path(path)


def _signature_block(info: Any, lines: list[str], wb: Any) -> None:
    """Place, date and signature under the main table (where the committee signs)."""
    fmt = wb.add_format({"font_size": 11})
    row = info.last_row + 3
    info.worksheet.write_string(row, 1, "Luogo e data ______________________", fmt)
    for i, line in enumerate([*lines, "_______________________________"]):
        info.worksheet.write_string(row + 2 + i, 8, line, fmt)


# ----------------------------------------------------------------------------- Criteri


MISSING_TEXT = {
    "zero": "0 punti",
    "exclude": "esclusione",
    "error": "anomalia bloccante",
    "admit": "ammissione",
    "last": "in fondo",
    "first": "in testa",
}


def _missing_text(value: Any) -> str:
    if isinstance(value, Decimal | int | float):
        return points_text(value)
    return MISSING_TEXT.get(str(value), str(value))


def _time_rows(rules: Any) -> list[tuple[str, str]]:
    if rules.granularity == "second":
        return []
    return [("Orari di presentazione", "contati " + granularity_words(rules.granularity))]


def _lottery_rule(rules: Any) -> str:
    unit_is_minor = rules.by_minor
    if not rules.lottery.is_default:
        words = key_words(rules.lottery, rules.fields, unit_is_minor)
        return "A parità di punteggio e di tutti i criteri precedenti decide il sorteggio: " + (
            rules.lottery.recipe(words) + ". Chiunque può ricalcolarlo."
        )
    return LOTTERY_RULE.format(
        unit="minore" if unit_is_minor else "domanda",
        ident="identificativo" if unit_is_minor else "protocollo",
        ident_long="l'identificativo del minore"
        if unit_is_minor
        else "il protocollo della domanda",
    )


def criteria_tables(result: RankResult) -> dict[str, pd.DataFrame]:
    """The rules as applied, as tables: general, eligibility, criteria, ties, funds, reserves."""
    call = result.call
    cfg = call.config
    rules = result.rules
    consts = rules.constants
    unit_is_minor = rules.by_minor
    general = [
        ("Bando", cfg.call.title),
        ("Versione delle regole", cfg.call.rules_version),
        ("SHA-256 del file delle regole", call.rules_sha256),
        ("Data di riferimento per l'età", date_short(cfg.call.reference_date)),
        (
            "Presentazione delle domande",
            f"dal {datetime_short(cfg.call.submission.opens)} "
            f"al {datetime_short(cfg.call.submission.closes)}",
        ),
        ("Unità di graduatoria", "minore" if unit_is_minor else "domanda"),
        *rule_rows(rules.voucher),
        (
            "Domanda che non rientra nei fondi",
            {
                "partial": "riceve il residuo (finanziamento parziale)",
                "skip": "si passa alla successiva che rientra",
                "stop": "l'assegnazione si ferma",
            }[rules.allocation.when_not_fitting],
        ),
        (
            "Un voucher pagato da due fondi",
            "ammesso" if rules.allocation.split_between_funds else "non ammesso",
        ),
        (
            "Stesso richiedente in più domande",
            applicant_words(
                rules.duplicates.applicant,
                rules.duplicates.applicant_among,
                rules.duplicates.ties,
            ),
        ),
        (
            "Stesso minore in più domande",
            "lo tiene la domanda presentata prima"
            if rules.duplicates.minor == "earlier"
            else "lo tiene la domanda con punteggio più alto",
        ),
        *_time_rows(rules),
        ("Seme del sorteggio", rules.lottery_seed),
        ("Regola del sorteggio", _lottery_rule(rules)),
        ("File letti", "\n".join(result.input_files)),
    ]
    tables: dict[str, pd.DataFrame] = {}
    tables["general"] = pd.DataFrame(general, columns=["item", "value"])
    tables["eligibility"] = pd.DataFrame(
        [
            {
                "code": r.code,
                "level": "domanda" if r.level == Level.APPLICATION else "minore",
                "require": r.label or condition_words(r.require, rules.fields, consts),
                "on_missing": _missing_text(r.on_missing),
                "message": r.message,
                "reference": r.reference,
            }
            for r in rules.eligibility
        ],
        columns=["code", "level", "require", "on_missing", "message", "reference"],
    )
    tables["criteria"] = pd.DataFrame(
        [
            {
                "id": c.id,
                "label": c.label,
                "type": c.kind,
                "parameters": c.describe(rules.fields),
                "cap": number(c.max_points) if c.max_points is not None else "",
                "missing": _missing_text(c.missing),
                "sensitive": c.sensitive,
                "reference": c.reference or "",
            }
            for c in rules.criteria
        ],
        columns=[
            "id",
            "label",
            "type",
            "parameters",
            "cap",
            "missing",
            "sensitive",
            "reference",
        ],
    )
    ties = [
        {
            "order": i + 1,
            "field": t.field_label,
            "direction": "prima il valore minore"
            if t.order == "asc"
            else "prima il valore maggiore",
            "missing": _missing_text(t.missing),
            "label": t.own_label or "",
        }
        for i, t in enumerate(rules.tie_breakers)
    ]
    ties.append(
        {
            "order": len(ties) + 1,
            "field": "Sorteggio",
            "direction": f"seme pubblicato: {rules.lottery_seed}",
            "missing": "",
            "label": "impronta SHA-256 di seme:protocollo, prima la più bassa"
            if not unit_is_minor
            else "impronta SHA-256 di seme:identificativo, prima la più bassa",
        }
    )
    tables["ties"] = pd.DataFrame(ties, columns=["order", "field", "direction", "missing", "label"])
    tables["funds"] = pd.DataFrame(
        [
            {
                "id": f.id,
                "name": f.name,
                "amount_cents": f.budget_cents,
                "condition": condition_words(f.condition, rules.fields, consts)
                if f.condition is not None
                else "tutti",
            }
            for f in rules.funds
        ],
        columns=["id", "name", "amount_cents", "condition"],
    )
    tables["reserves"] = pd.DataFrame(
        [
            {
                "id": r.id,
                "description": r.description,
                "fund": r.fund,
                "amount": eur_decimal(r.amount_eur)
                if r.amount_eur is not None
                else f"{number(r.share * 100)}% del fondo",
                "condition": condition_words(r.condition, rules.fields, consts),
            }
            for r in rules.reserves
        ],
        columns=["id", "description", "fund", "amount", "condition"],
    )
    return tables


def _criteria_print_frames(t: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The Criteri sheet's blocks as printed: the wide text of each block in column B."""
    el = t["eligibility"].copy()
    el["text"] = el["require"] + "\nMotivazione: " + el["message"]
    el["level"] = "della " + el["level"]
    cr = t["criteria"].copy()
    ties = t["ties"].copy()
    ties["text"] = (ties["label"] + " (" + ties["direction"] + ")").str.replace(
        r"^ \(", "(", regex=True
    )
    funds = t["funds"].copy()
    funds["fund"] = funds["id"] + " – " + funds["name"]
    res = t["reserves"].copy()
    res["reserve"] = res["id"] + " – " + res["description"]
    return {"eligibility": el, "criteria": cr, "ties": ties, "funds": funds, "reserves": res}


def _write_criteria(wb: Any, result: RankResult, common: dict[str, Any]) -> None:
    """The rules as applied, in words: six blocks sharing the same columns (A a name, B the
    rule in words, then short values), so the sheet fits A4 landscape at readable type."""
    t = criteria_tables(result)
    p = _criteria_print_frames(t)
    sheet = "Criteri"
    a, b = 30, 78
    write_table(
        wb,
        sheet,
        t["general"],
        [Column("item", "Voce", width=a, wrap=True), Column("value", "Valore", width=b, wrap=True)],
        subtitle="Regole applicate",
        caption="Dati del bando",
        fixed_header=False,
        **common,
    )
    write_table(
        wb,
        sheet,
        p["eligibility"],
        [
            Column("code", "Codice", width=a),
            Column(
                "text",
                "Requisito per l'ammissione e motivazione (nelle lettere)",
                width=b,
                wrap=True,
            ),
            Column("level", "Esclude", width=13),
            Column("on_missing", "Se il dato manca", width=13, wrap=True),
            Column("reference", "Riferimento", width=12, wrap=True),
        ],
        caption="Requisiti di ammissione",
        empty_text="Nessun requisito.",
    )
    write_table(
        wb,
        sheet,
        p["criteria"],
        [
            Column("label", "Criterio", width=a, wrap=True),
            Column("parameters", "Punti", width=b, wrap=True),
            Column("cap", "Tetto di punti", width=13),
            Column("missing", "Se il dato manca", width=13, wrap=True),
            Column("reference", "Riferimento", width=12, wrap=True),
            Column("sensitive", "Dato sanitario", "bool", width=10),
        ],
        caption="Criteri di punteggio",
        empty_text="Nessun criterio.",
    )
    write_table(
        wb,
        sheet,
        p["ties"],
        [
            Column("field", "Criterio di parità", width=a, wrap=True),
            Column("text", "Come decide", width=b, wrap=True),
            Column("missing", "Dato mancante", width=13, wrap=True),
        ],
        caption="Criteri di parità (in ordine, dopo il punteggio)",
    )
    write_table(
        wb,
        sheet,
        p["funds"],
        [
            Column("fund", "Fondo", width=a, wrap=True),
            Column("condition", "Chi può pagare", width=b, wrap=True),
            Column("amount_cents", "Importo", "money_cents", width=13, total=True),
        ],
        caption="Fondi (in ordine di utilizzo)",
    )
    write_table(
        wb,
        sheet,
        p["reserves"],
        [
            Column("reserve", "Riserva", width=a, wrap=True),
            Column("condition", "Condizione", width=b, wrap=True),
            Column("fund", "Fondo", width=13),
            Column("amount", "Importo o quota", width=13, wrap=True),
        ],
        caption="Riserve",
        empty_text="Nessuna riserva prevista.",
    )


# ----------------------------------------------------------------------------- Riepilogo


def status_counts(result: RankResult) -> pd.DataFrame:
    """Per outcome: applications (by their outcome), minors (by their own), amount awarded
    (engine/outcomes.py: the one definition every output uses)."""
    return outcome_counts(result)


def partner_counts(result: RankResult) -> pd.DataFrame:
    """Per partner and status: applications, minors, amount awarded (sorted, no empty rows)."""
    m = result.minors
    df = pd.DataFrame(
        {
            "partner_id": _text(_col(m, "partner_id")),
            "status": _text(_col(m, "status")),
            "application_id": _text(_col(m, "application_id")),
            "awarded": _cents(m, "awarded_cents").fillna(0).astype("int64"),
        }
    )
    cols = ["partner_id", "name", "status", "label", "applications", "minors", "awarded_cents"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    outcome = application_outcomes(m)
    df["outcome"] = df["application_id"].map(outcome).astype(object)
    first = ~df.duplicated("application_id")
    apps = df[first].groupby(["partner_id", "outcome"], sort=False).size()
    g = df.groupby(["partner_id", "status"], sort=False).agg(
        minors=("application_id", "size"),
        awarded_cents=("awarded", "sum"),
    )
    keys = g.index.union(apps.index.set_names(g.index.names))
    g = g.reindex(keys, fill_value=0)
    g["applications"] = apps.reindex(keys, fill_value=0).to_numpy()
    g = g.reset_index()
    rank_status = {s: i for i, s in enumerate(STATUSES)}
    g["_s"] = g["status"].map(lambda s: rank_status.get(s, len(STATUSES)))
    g = g.sort_values(["partner_id", "_s", "status"], kind="mergesort").reset_index(drop=True)
    names = {p.id: p.name for p in result.call.config.partners}
    g["name"] = g["partner_id"].map(lambda p: names.get(p, ""))
    g["label"] = g["status"].map(status_label)
    return g[cols]


def _counting_note(result: RankResult) -> str:
    n = totals(result)["excluded_in_admitted"]
    minors = "minore escluso" if n == 1 else "minori esclusi"
    return (
        "Le domande sono contate per il loro esito (il migliore tra quelli dei loro minori), i "
        f"minori per il proprio: di cui {number(n)} {minors} in domande ammesse."
    )


def decision_notes(result: RankResult) -> list[str]:
    """What the office decided on the data, on record: corrections and an override."""
    notes = []
    corrections = result.corrections
    if corrections is not None and len(corrections):
        n = len(corrections)
        what = "correzione applicata" if n == 1 else "correzioni applicate"
        notes.append(f"{number(n)} {what} ({corrections['file'].iloc[0]}): foglio Correzioni.")
    if result.override is not None:
        settled = 0
        if len(result.findings) and "resolution" in result.findings:
            resolution = result.findings["resolution"].astype("string")
            settled = int(resolution.eq(result.override.text()).sum())
        notes.append(
            f"Deroga decisa da {result.override.by}: {result.override.reason}. "
            f"{number(settled)} anomalie bloccanti ancora aperte sono state decise sui dati "
            "come sono stati letti."
        )
    return notes


def _write_summary(wb: Any, result: RankResult, common: dict[str, Any]) -> None:
    sheet = "Riepilogo"
    funds = result.funds.copy()
    for c in ("budget_cents", "assigned_cents", "residual_cents"):
        funds[c] = _cents(funds, c)
    write_table(
        wb,
        sheet,
        funds,
        [
            Column("fund_id", "Fondo", width=10),
            Column("name", "Nome", width=44),
            Column("budget_cents", "Dotazione", "money_cents", total=True),
            Column("assigned_cents", "Assegnato", "money_cents", total=True),
            Column("residual_cents", "Residuo", "money_cents", total=True),
        ],
        subtitle="Riepilogo",
        caption="Fondi",
        notes=decision_notes(result),
        fixed_header=False,
        **common,
    )
    reserves = result.reserves.copy()
    for c in ("amount_cents", "used_cents", "returned_cents"):
        if c in reserves.columns:
            reserves[c] = _cents(reserves, c)
        else:
            reserves[c] = pd.array([pd.NA] * len(reserves), dtype="Int64")
    for c in ("reserve_id", "fund_id", "description"):
        if c not in reserves.columns:
            reserves[c] = ""
    write_table(
        wb,
        sheet,
        reserves,
        [
            Column("reserve_id", "Riserva", width=14),
            Column("fund_id", "Fondo", width=10),
            Column("description", "Descrizione", width=44, wrap=True),
            Column("amount_cents", "Importo riservato", "money_cents", total=True),
            Column("used_cents", "Usato", "money_cents", total=True),
            Column("returned_cents", "Tornato ai fondi", "money_cents", total=True),
        ],
        caption="Riserve",
        empty_text="Nessuna riserva prevista.",
    )
    write_table(
        wb,
        sheet,
        status_counts(result),
        [
            Column("label", "Esito", width=34),
            Column("applications", "Domande", "int", total=True),
            Column("minors", "Minori", "int", total=True),
            Column("awarded_cents", "Importo assegnato", "money_cents", total=True),
        ],
        caption="Per esito",
        notes=[_counting_note(result)],
    )
    write_table(
        wb,
        sheet,
        partner_counts(result),
        [
            Column("partner_id", "Partner", width=10),
            Column("name", "Ente", width=34),
            Column("label", "Esito", width=34),
            Column("applications", "Domande", "int", total=True),
            Column("minors", "Minori", "int", total=True),
            Column("awarded_cents", "Importo assegnato", "money_cents", total=True),
        ],
        caption="Per partner ed esito",
    )


# ----------------------------------------------------------------------------- summary


def last_funded(result: RankResult) -> tuple[int, float] | None:
    """(rank, score) of the last funded position, or None when nothing is funded."""
    m = result.minors
    funded = _text(_col(m, "status")).isin(FUNDED)
    rank = pd.to_numeric(_col(m, "rank"), errors="coerce")[funded]
    if rank.dropna().empty:
        return None
    i = rank.idxmax()
    score = pd.to_numeric(_col(m, "score"), errors="coerce")[i]
    return int(rank[i]), float(score)


def summary_warnings(result: RankResult) -> list[str]:
    """Things worth a look after a run, in Italian."""
    out: list[str] = []
    f = result.findings
    if len(f):
        sev = _text(_col(f, "severity"))
        open_ = int(open_blocking(f).sum())
        settled = int((sev == str(Severity.BLOCKING)).sum()) - open_
        warning = int((sev == str(Severity.WARNING)).sum())
        if open_:
            words = "anomalia bloccante aperta" if open_ == 1 else "anomalie bloccanti aperte"
            text = f"{open_} {words}"
        else:
            text = "nessuna anomalia bloccante aperta"
        if settled:
            text += f" ({settled} {'risolta' if settled == 1 else 'risolte'})"
        if warning:
            text += f" e {warning} {'avviso' if warning == 1 else 'avvisi'}"
        out.append(f"{text}: vedere il foglio Anomalie.")
        if open_:
            apps = int(f[open_blocking(f)]["application_id"].dropna().nunique())
            out.append(
                f"{apps} {'domanda resta' if apps == 1 else 'domande restano'} da regolarizzare: "
                "la graduatoria DEFINITIVA non si può fare finché restano aperte."
            )
    status = _text(_col(result.minors, "status"))
    waiting = int((status == Status.WAITING.value).sum())
    residual = (
        int(_cents(result.funds, "residual_cents").fillna(0).sum()) if len(result.funds) else 0
    )
    if residual > 0 and waiting == 0:
        out.append(f"Fondi non esauriti: restano {eur(residual)} senza domande in attesa.")
    elif residual > 0:
        out.append(
            f"Restano {eur(residual)} non assegnati pur con "
            f"{count_noun(waiting, 'minore', 'minori')} in attesa "
            "(vedere la regola per la domanda che non rientra e le condizioni dei fondi)."
        )
    if len(result.minors) == 0:
        out.append("Nessuna domanda letta.")
    return out


def print_summary(result: RankResult, console: Console) -> None:
    """A rich summary of the run: outcomes, money per fund, last funded position, warnings."""
    by_status = status_counts(result)
    t = Table(title="Esiti", title_justify="left")
    t.add_column("Esito")
    t.add_column("Domande", justify="right")
    t.add_column("Minori", justify="right")
    t.add_column("Importo assegnato", justify="right")
    for row in by_status.itertuples(index=False):
        t.add_row(row.label, number(row.applications), number(row.minors), eur(row.awarded_cents))
    t.add_row(
        "Totale",
        number(int(_text(_col(result.minors, "application_id")).nunique())),
        number(len(result.minors)),
        eur(int(by_status["awarded_cents"].sum())),
        style="bold",
    )
    console.print(t)
    console.print(_counting_note(result), highlight=False)

    ft = Table(title="Fondi", title_justify="left")
    for name in ("Fondo", "Dotazione", "Assegnato", "Residuo"):
        ft.add_column(name, justify="left" if name == "Fondo" else "right")
    funds = result.funds
    for row in funds.itertuples(index=False):
        ft.add_row(
            f"{row.fund_id} – {row.name}" if getattr(row, "name", "") else str(row.fund_id),
            eur(row.budget_cents),
            eur(row.assigned_cents),
            eur(row.residual_cents),
        )
    if len(funds):
        ft.add_row(
            "Totale",
            eur(int(_cents(funds, "budget_cents").fillna(0).sum())),
            eur(int(_cents(funds, "assigned_cents").fillna(0).sum())),
            eur(int(_cents(funds, "residual_cents").fillna(0).sum())),
            style="bold",
        )
    console.print(ft)
    if len(result.reserves):
        for row in result.reserves.itertuples(index=False):
            console.print(
                f"Riserva {row.reserve_id} ({row.fund_id}): {eur(row.amount_cents)} riservati, "
                f"{eur(row.used_cents)} usati, {eur(row.returned_cents)} tornati ai fondi."
            )

    last = last_funded(result)
    if last is None:
        console.print("Nessuna posizione finanziata.")
    else:
        rank, score = last
        console.print(
            f"Ultima posizione finanziata: [bold]{number(rank)}[/] "
            f"(punteggio {number(round(score, 3))})."
        )
    for w in summary_warnings(result):
        console.print(f"[yellow]Attenzione:[/] {w}", highlight=False)
