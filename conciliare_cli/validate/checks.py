"""Checks on the canonical minors table: each returns a findings table (FINDING_COLUMNS).

Every check is vectorised over the whole table; per-value work (tax codes, formatting of the
few values that are reported) runs once per distinct value. The findings point at the cell
as the partner sees it: file, sheet, row number as Excel shows it, and the column header of
the partner's file (from the `columns` mapping of bando.yaml).

Scope: a finding on an application-level field (the applicant's tax code, the submission
date) blocks the whole application, so it carries scope `application` even when its code is
also used for minor fields (CAMPO_OBBLIGATORIO_MANCANTE, CF_NON_VALIDO): one finding per row
of the partner's file, never one per minor of a per-application row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from conciliare_cli import italian, taxcode
from conciliare_cli.config import LoadedCall
from conciliare_cli.config.models import PartnerConfig
from conciliare_cli.fields import (
    DERIVED_FIELDS,
    MINOR_SLOT,
    PARTNER_ID,
    ROW_KEY,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
    Field,
    Kind,
    Level,
)
from conciliare_cli.findings import (
    FINDING_COLUMNS,
    Scope,
    Severity,
    empty_findings,
    make_findings,
    sort_findings,
)

APPLICATION_ID = "application_id"
FILE_ROW = [APPLICATION_ID, SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW]
EARLIEST_SUBMISSION = pd.Timestamp(2000, 1, 1)


class Context:
    """What every check needs: the call, the table, the fields and the partners."""

    def __init__(self, call: LoadedCall, minors: pd.DataFrame, run_date: dt.date | None = None):
        self.call = call
        self.run_date = run_date  # the date of the run: a submission after it is impossible
        self.minors = minors.reset_index(drop=True)
        self.fields: dict[str, Field] = {
            k: v for k, v in call.fields.items() if k not in DERIVED_FIELDS
        }
        self.partners: dict[str, PartnerConfig] = {p.id: p for p in call.config.partners}
        self._file_rows: pd.DataFrame | None = None
        self._codes: dict[str, pd.DataFrame] = {}

    def code_info(self, field: str) -> pd.DataFrame:
        """Tax code analysis of `field` for every row of the table (cached)."""
        if field not in self._codes:
            self._codes[field] = code_info(self.col(field))
        return self._codes[field]

    def col(self, name: str, frame: pd.DataFrame | None = None) -> pd.Series:
        """A column, or all-NA when the table does not carry it."""
        frame = self.minors if frame is None else frame
        if name in frame.columns:
            return frame[name]
        return pd.Series(pd.NA, index=frame.index, dtype="object")

    @property
    def file_rows(self) -> pd.DataFrame:
        """One row per row of a partner file (the first minor of per-application rows)."""
        if self._file_rows is None:
            m = self.minors
            if len(m) == 0:
                self._file_rows = m
            else:
                order = _sort_keys(m)
                self._file_rows = m.loc[order].drop_duplicates(FILE_ROW, keep="first")
        return self._file_rows

    def rows_for(self, field: str) -> pd.DataFrame:
        """The rows a check on `field` looks at: file rows for application fields."""
        f = self.fields.get(field)
        if f is not None and f.level is Level.APPLICATION:
            return self.file_rows
        return self.minors

    def headers(self, field: str, rows: pd.DataFrame) -> np.ndarray:
        """The header of `field` in each row's partner file ({n} -> slot, lists joined)."""
        out = np.full(len(rows), None, dtype=object)
        if len(rows) == 0:
            return out
        partner_ids = self.col(PARTNER_ID, rows).astype(object).to_numpy()
        slots = self.col(MINOR_SLOT, rows).astype(object).to_numpy()
        for pid in pd.unique(partner_ids):
            partner = self.partners.get(str(pid)) if pid is not None else None
            mapping = partner.columns.get(field) if partner is not None else None
            if mapping is None:
                continue
            templates = [mapping] if isinstance(mapping, str) else list(mapping)
            where = partner_ids == pid
            if any("{n}" in t for t in templates):
                by_slot = {
                    s: " + ".join(t.replace("{n}", _slot_text(s)) for t in templates)
                    for s in pd.unique(slots[where])
                }
                out[where] = [by_slot[s] for s in slots[where]]
            else:
                out[where] = " + ".join(templates)
        return out

    def label(self, field: str) -> str:
        f = self.fields.get(field)
        return f.label if f is not None else field

    def kind(self, field: str) -> Kind:
        f = self.fields.get(field)
        return f.kind if f is not None else Kind.TEXT


def _slot_text(slot: object) -> str:
    if slot is None or pd.isna(slot):
        return "1"
    return str(int(slot)) if isinstance(slot, (int, float, np.integer)) else str(slot)


def _sort_keys(frame: pd.DataFrame) -> pd.Index:
    """Index of `frame` ordered by file, sheet, row, slot, row key: never input order."""
    keys = pd.DataFrame(
        {
            "f": _text_key(frame, SOURCE_FILE),
            "s": _text_key(frame, SOURCE_SHEET),
            "r": pd.to_numeric(_col(frame, SOURCE_ROW), errors="coerce").fillna(-1),
            "n": pd.to_numeric(_col(frame, MINOR_SLOT), errors="coerce").fillna(-1),
            "k": _text_key(frame, ROW_KEY),
            "a": _text_key(frame, APPLICATION_ID),
        },
        index=frame.index,
    )
    return keys.sort_values(list(keys.columns), kind="stable").index


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def _text_key(frame: pd.DataFrame, name: str) -> pd.Series:
    return _col(frame, name).astype("string").fillna("")


# ---------------------------------------------------------------- building findings


def findings_for(
    ctx: Context,
    code: str,
    rows: pd.DataFrame,
    field: str,
    *,
    value: pd.Series | np.ndarray | str | None = None,
    detail: pd.Series | np.ndarray | list[str] | None = None,
) -> pd.DataFrame:
    """One finding of `code` per row of `rows` (a subset of the table) on `field`.

    `value` defaults to the field's value formatted in Italian; the message names the field
    by its Italian label, the `field` column holds its canonical name.
    """
    if len(rows) == 0:
        return empty_findings()
    n = len(rows)
    if value is None:
        value = format_values(ctx.col(field, rows), ctx.kind(field))
    elif isinstance(value, str):
        value = np.full(n, value, dtype=object)
    data = {
        PARTNER_ID: ctx.col(PARTNER_ID, rows).astype(object).to_numpy(),
        SOURCE_FILE: ctx.col(SOURCE_FILE, rows).astype(object).to_numpy(),
        SOURCE_SHEET: ctx.col(SOURCE_SHEET, rows).astype(object).to_numpy(),
        SOURCE_ROW: _ints(ctx.col(SOURCE_ROW, rows)),
        APPLICATION_ID: ctx.col(APPLICATION_ID, rows).astype(object).to_numpy(),
        ROW_KEY: ctx.col(ROW_KEY, rows).astype(object).to_numpy(),
        "column": ctx.headers(field, rows),
        "field": np.full(n, ctx.label(field), dtype=object),
        "value": np.asarray(value, dtype=object),
        "detail": np.asarray(detail if detail is not None else [""] * n, dtype=object),
    }
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
    for name in (PARTNER_ID, SOURCE_FILE, SOURCE_SHEET, APPLICATION_ID, ROW_KEY):
        frame[name] = frame[name].where(frame[name].notna(), None)
    out = make_findings(code, frame)
    out["field"] = field
    f = ctx.fields.get(field)
    if f is not None and f.level is Level.APPLICATION:
        out["scope"] = str(Scope.APPLICATION)
    return out


def _ints(series: pd.Series) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").astype("Int64")
    return np.array([None if pd.isna(v) else int(v) for v in values], dtype=object)


def format_values(series: pd.Series, kind: Kind) -> np.ndarray:
    """Values as a person reads them: Italian money, dates, Sì/No; '' when missing.

    Meant for the few rows that are reported: formats each distinct value once.
    """
    if len(series) == 0:
        return np.array([], dtype=object)
    fmt: Callable[[object], str]
    if kind is Kind.MONEY:
        fmt = lambda v: italian.eur(int(v))  # noqa: E731
    elif kind is Kind.DATE:
        fmt = italian.date_short  # type: ignore[assignment]
    elif kind is Kind.DATETIME:
        fmt = italian.datetime_short  # type: ignore[assignment]
    elif kind is Kind.BOOL:
        fmt = lambda v: "Sì" if bool(v) else "No"  # noqa: E731
    elif kind is Kind.NUMBER:
        fmt = italian.number  # type: ignore[assignment]
    else:
        fmt = str
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = np.array([fmt(v) for v in uniques] + [""], dtype=object)
    return texts[codes]  # -1 (missing) picks the trailing ''


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_findings()
    return pd.concat(frames, ignore_index=True)[FINDING_COLUMNS]


def is_blank(series: pd.Series) -> pd.Series:
    """Missing, or a text made only of spaces."""
    missing = series.isna()
    if (pd.api.types.is_string_dtype(series.dtype) or series.dtype == object) and not missing.all():
        text = series.astype("string")
        missing = missing | text.str.strip().eq("").fillna(False)
    return missing.astype(bool)


# ---------------------------------------------------------------- the checks


def check_required(ctx: Context) -> pd.DataFrame:
    """CAMPO_OBBLIGATORIO_MANCANTE: a required field is empty."""
    out = []
    for name, f in ctx.fields.items():
        if not f.required:
            continue
        rows = ctx.rows_for(name)
        missing = is_blank(ctx.col(name, rows)).to_numpy()
        out.append(findings_for(ctx, "CAMPO_OBBLIGATORIO_MANCANTE", rows[missing], name))
    return concat(out)


def code_info(codes: pd.Series) -> pd.DataFrame:
    """Per row: problem (None when valid or empty), yy, month, day of the tax code.

    Each distinct code is analysed once (taxcode.analyse), then looked up by position.
    """
    codes = codes.astype("string")
    codes = codes.where(~is_blank(codes))
    info = taxcode.analyse(codes.dropna().unique())
    pos = info.index.get_indexer(codes.astype(object).where(codes.notna(), None))
    found = pos >= 0
    out = pd.DataFrame(index=codes.index)
    problem = np.full(len(codes), None, dtype=object)
    problem[found] = info["problem"].to_numpy(dtype=object)[pos[found]]
    out["problem"] = pd.Series(problem, index=codes.index, dtype=object)
    for name in ("yy", "month", "day"):
        values = pd.array(np.full(len(codes), pd.NA, dtype=object), dtype="Int64")
        values[found] = info[name].array[pos[found]]
        out[name] = values
    return out


def tax_code_problems(ctx: Context, field: str) -> tuple[pd.DataFrame, pd.Series]:
    """(rows, reason) for `field`: reason per row, None when valid or empty."""
    rows = ctx.rows_for(field)
    return rows, ctx.code_info(field).loc[rows.index, "problem"]


def check_tax_codes(ctx: Context) -> pd.DataFrame:
    """CF_NON_VALIDO: applicant and minor tax codes (length, format, check character)."""
    out = []
    for name, f in ctx.fields.items():
        if f.kind is not Kind.TAX_CODE:
            continue
        rows, reason = tax_code_problems(ctx, name)
        bad = reason.notna().to_numpy(dtype=bool)
        out.append(
            findings_for(
                ctx,
                "CF_NON_VALIDO",
                rows[bad],
                name,
                value=ctx.col(name, rows)[bad].astype(object).to_numpy(),
                detail=reason[bad].astype(object).to_numpy(),
            )
        )
    return concat(out)


def check_birth_date_matches_cf(ctx: Context) -> pd.DataFrame:
    """CF_DATA_NASCITA_DIVERSA: the declared birth date is not the one the CF encodes.

    Day, month and the year modulo 100 are compared (the CF does not say the century); the
    message shows the CF's date in the century closest to the declared one.
    """
    m = ctx.minors
    birth = pd.to_datetime(ctx.col("minor_birth_date"), errors="coerce")
    info = ctx.code_info("minor_tax_code")
    yy, mm, dd = info["yy"], info["month"], info["day"]
    known = (birth.notna() & yy.notna()).to_numpy()
    if not known.any():
        return empty_findings()
    b = birth[known]
    differs = (
        (b.dt.year.astype("Int64") % 100 != yy[known])
        | (b.dt.month.astype("Int64") != mm[known])
        | (b.dt.day.astype("Int64") != dd[known])
    ).to_numpy(dtype=bool)
    rows = m[known][differs]
    if len(rows) == 0:
        return empty_findings()
    details = []
    for when, y, mo, d in zip(
        birth[rows.index], yy[rows.index], mm[rows.index], dd[rows.index], strict=True
    ):
        cf_date = taxcode.nearest_birth_date((int(y), int(mo), int(d)), when.date())
        details.append(f"il codice fiscale indica il {italian.date_short(cf_date)}")
    return findings_for(ctx, "CF_DATA_NASCITA_DIVERSA", rows, "minor_birth_date", detail=details)


def check_negative(ctx: Context) -> pd.DataFrame:
    """ISEE_NEGATIVO and IMPORTO_NEGATIVO: money below zero."""
    out = []
    for code, name in (("ISEE_NEGATIVO", "isee"), ("IMPORTO_NEGATIVO", "requested_eur")):
        rows = ctx.rows_for(name)
        values = pd.to_numeric(ctx.col(name, rows), errors="coerce")
        neg = (values < 0).fillna(False).to_numpy(dtype=bool)
        out.append(findings_for(ctx, code, rows[neg], name))
    return concat(out)


def check_future_birth(ctx: Context) -> pd.DataFrame:
    """NASCITA_FUTURA: a birth date after the call's reference date."""
    ref = pd.Timestamp(ctx.call.config.call.reference_date)
    birth = pd.to_datetime(ctx.col("minor_birth_date"), errors="coerce")
    future = (birth > ref).fillna(False).to_numpy(dtype=bool)
    return findings_for(ctx, "NASCITA_FUTURA", ctx.minors[future], "minor_birth_date")


def check_submission_dates(ctx: Context) -> pd.DataFrame:
    """DATA_PRESENTAZIONE_IMPLAUSIBILE: more than a year before the window or after it, or
    after the day of the run (a submission cannot come from the future).

    A date merely outside the window is not a finding: the eligibility rules decide that, on
    a date that could be believed. An implausible date is a typing mistake to put to the
    applicant, never a reason to exclude (the finding blocks until it is resolved).
    """
    sub = ctx.call.config.call.submission
    opens, closes = pd.Timestamp(sub.opens), pd.Timestamp(sub.closes)
    low = opens - pd.DateOffset(years=1)
    high = closes + pd.DateOffset(years=1)
    rows = ctx.file_rows
    when = pd.to_datetime(ctx.col("submitted_at", rows), errors="coerce")
    too_old = (when < EARLIEST_SUBMISSION).fillna(False).to_numpy(dtype=bool)
    early = (when < low).fillna(False).to_numpy(dtype=bool) & ~too_old
    late = (when > high).fillna(False).to_numpy(dtype=bool)
    future = np.zeros(len(rows), dtype=bool)
    today = ""
    if ctx.run_date is not None:
        end_of_day = pd.Timestamp(ctx.run_date) + pd.Timedelta(days=1)
        future = (when >= end_of_day).fillna(False).to_numpy(dtype=bool) & ~late
        today = italian.date_short(ctx.run_date)
    bad = too_old | early | late | future
    if not bad.any():
        return empty_findings()
    detail = np.select(
        [too_old, early, late],
        [
            "anteriore al 2000",
            f"oltre un anno prima dell'apertura del bando ({italian.datetime_short(opens)})",
            f"oltre un anno dopo la chiusura del bando ({italian.datetime_short(closes)})",
        ],
        default=f"successiva alla data di oggi ({today})",
    ).astype(object)
    return findings_for(
        ctx, "DATA_PRESENTAZIONE_IMPLAUSIBILE", rows[bad], "submitted_at", detail=detail[bad]
    )


def check_submission_without_time(ctx: Context) -> pd.DataFrame:
    """DATA_SENZA_ORA: a submission date without a time (read as midnight) in a call whose
    window opens or closes at a time of day. On the opening or the closing day the hour
    decides whether it is in time: the finding blocks until the time is known; on other days
    it is a warning."""
    sub = ctx.call.config.call.submission
    opens, closes = pd.Timestamp(sub.opens), pd.Timestamp(sub.closes)
    if opens == opens.normalize() and closes == closes.normalize():
        return empty_findings()
    rows = ctx.file_rows
    when = pd.to_datetime(ctx.col("submitted_at", rows), errors="coerce")
    near = when.between(opens - pd.DateOffset(years=1), closes + pd.DateOffset(years=1))
    bare = (near & when.eq(when.dt.normalize())).fillna(False).to_numpy(dtype=bool)
    if not bare.any():
        return empty_findings()
    day = when.dt.normalize()
    edge = (day.eq(opens.normalize()) | day.eq(closes.normalize())).fillna(False).to_numpy()
    window = (
        f"la finestra va dal {italian.datetime_short(opens)} al {italian.datetime_short(closes)}"
    )
    out = findings_for(
        ctx,
        "DATA_SENZA_ORA",
        rows[bare],
        "submitted_at",
        value=format_values(when[bare], Kind.DATE),
        detail=[window] * int(bare.sum()),
    )
    out.loc[edge[bare], "severity"] = str(Severity.BLOCKING)
    return out


# ---------------------------------------------------------------- duplicates


def _partner_name(ctx: Context, pid: object) -> str:
    p = ctx.partners.get(str(pid))
    return p.name if p is not None else str(pid)


def _where(ctx: Context, row: pd.Series, ref: pd.Series) -> str:
    """Where `row` is, said relative to `ref` (in the same file and sheet: just the row)."""
    partner = ctx.partners.get(str(row.get(PARTNER_ID)))
    here = f"riga {row.get(SOURCE_ROW)}"
    slot = row.get(MINOR_SLOT)
    if partner is not None and partner.per_application and not pd.isna(slot):
        here += f", figlio {int(slot)}"
    same_sheet = row.get(SOURCE_FILE) == ref.get(SOURCE_FILE) and row.get(SOURCE_SHEET) == ref.get(
        SOURCE_SHEET
    )
    if same_sheet:
        return f"alla {here}"
    sheet = row.get(SOURCE_SHEET)
    sheet_text = f", foglio {sheet}" if isinstance(sheet, str) and sheet else ""
    return f"in {row.get(SOURCE_FILE)}{sheet_text}, {here}"


def check_minor_duplicates(ctx: Context) -> pd.DataFrame:
    """MINORE_IN_PIU_DOMANDE (every occurrence, naming the other applications) and
    MINORE_RIPETUTO_IN_DOMANDA (each repeat after the first occurrence in one application,
    in file/sheet/row order)."""
    m = ctx.minors
    cf = ctx.col("minor_tax_code").astype("string")
    cf = cf.where(~is_blank(cf))
    present = m[cf.notna().to_numpy()]
    if len(present) == 0:
        return empty_findings()
    present = present.loc[_sort_keys(present)]
    key = cf[present.index]
    pair = pd.DataFrame({"cf": key, "app": present[APPLICATION_ID].astype("string")})
    out = []

    # repeated in the same application: every occurrence after the first
    repeat = pair.duplicated(["cf", "app"], keep="first").to_numpy()
    if repeat.any():
        in_dup = pair.duplicated(["cf", "app"], keep=False).to_numpy()
        firsts = present[in_dup & ~repeat]
        first_at = {
            (c, a): row
            for c, a, (_, row) in zip(
                pair.loc[firsts.index, "cf"],
                pair.loc[firsts.index, "app"],
                firsts.iterrows(),
                strict=True,
            )
        }
        rep_rows = present[repeat]
        details = [
            "già " + _where(ctx, first_at[(c, a)], row)
            for c, a, (_, row) in zip(
                pair.loc[rep_rows.index, "cf"],
                pair.loc[rep_rows.index, "app"],
                rep_rows.iterrows(),
                strict=True,
            )
        ]
        out.append(
            findings_for(
                ctx,
                "MINORE_RIPETUTO_IN_DOMANDA",
                rep_rows,
                "minor_tax_code",
                value=key[rep_rows.index].astype(object).to_numpy(),
                detail=details,
            )
        )

    # the same minor in several applications
    apps = pair.drop_duplicates(["cf", "app"])
    apps = apps.assign(partner=present.loc[apps.index, PARTNER_ID].astype("string"))
    multi = apps[apps.duplicated("cf", keep=False)]
    if len(multi):
        listing = {
            c: list(zip(g["app"], g["partner"], strict=True)) for c, g in multi.groupby("cf")
        }
        detail_of = {
            (c, a): " e ".join(
                f"domanda {oa} ({_partner_name(ctx, op)})" for oa, op in others if oa != a
            )
            for c, others in listing.items()
            for a, _ in others
        }
        hit = key.isin(list(listing)).to_numpy()
        rows = present[hit]
        details = [
            detail_of[(str(c), str(a))]
            for c, a in zip(key[rows.index], rows[APPLICATION_ID], strict=True)
        ]
        out.append(
            findings_for(
                ctx,
                "MINORE_IN_PIU_DOMANDE",
                rows,
                "minor_tax_code",
                value=key[rows.index].astype(object).to_numpy(),
                detail=details,
            )
        )
    return concat(out)


def _first_rows_of_applications(ctx: Context) -> pd.DataFrame:
    """The first file row of each application (file, sheet, row order)."""
    rows = ctx.file_rows
    return rows.drop_duplicates(APPLICATION_ID, keep="first")


def check_applicant_duplicates(ctx: Context) -> pd.DataFrame:
    """RICHIEDENTE_DUPLICATO: the same applicant (tax code) in several applications.

    One finding per application, at its first row, naming the applicant's other ones.
    """
    firsts = _first_rows_of_applications(ctx)
    cf = ctx.col("applicant_tax_code", firsts).astype("string")
    cf = cf.where(~is_blank(cf))
    multi = cf.notna() & cf.duplicated(keep=False)
    rows = firsts[multi.to_numpy(dtype=bool)]
    if len(rows) == 0:
        return empty_findings()
    key = cf[rows.index]
    when = format_values(ctx.col("submitted_at", rows), Kind.DATETIME)
    entries = pd.DataFrame(
        {
            "cf": key.to_numpy(dtype=object),
            "app": rows[APPLICATION_ID].astype(str).to_numpy(),
            "text": [
                f"la domanda {a} ({_partner_name(ctx, p)}" + (f", {w})" if w else ")")
                for a, p, w in zip(
                    rows[APPLICATION_ID], ctx.col(PARTNER_ID, rows), when, strict=True
                )
            ],
        }
    )
    by_cf = {c: list(zip(g["app"], g["text"], strict=True)) for c, g in entries.groupby("cf")}
    details = [
        " e ".join(t for oa, t in by_cf[c] if oa != a)
        for c, a in zip(entries["cf"], entries["app"], strict=True)
    ]
    return findings_for(
        ctx,
        "RICHIEDENTE_DUPLICATO",
        rows,
        "applicant_tax_code",
        value=key.astype(object).to_numpy(),
        detail=details,
    )


def check_incoherent_applications(ctx: Context) -> pd.DataFrame:
    """DOMANDA_INCOERENTE: rows of one application whose application fields differ.

    Only values present are compared (a value on the first row and blanks on the others is
    not a contradiction). One finding per application and field, at the application's first
    row, listing the values found with their rows.
    """
    rows = ctx.file_rows
    names = [
        n
        for n, f in ctx.fields.items()
        if f.level is Level.APPLICATION and n != APPLICATION_ID and n in rows.columns
    ]
    if len(rows) == 0 or not names:
        return empty_findings()
    counts_app = rows[APPLICATION_ID].value_counts()
    multi_apps = counts_app.index[counts_app > 1]
    if len(multi_apps) == 0:
        return empty_findings()
    sub = rows[rows[APPLICATION_ID].isin(multi_apps).to_numpy()]
    distinct = sub.groupby(APPLICATION_ID, sort=True)[names].nunique(dropna=True)
    out = []
    for name in names:
        apps = distinct.index[(distinct[name] > 1).to_numpy()]
        if len(apps) == 0:
            continue
        group = sub[sub[APPLICATION_ID].isin(apps).to_numpy()]
        texts = format_values(group[name], ctx.kind(name))
        located = pd.DataFrame(
            {
                "app": group[APPLICATION_ID].to_numpy(),
                "text": texts,
                "where": [
                    f"riga {r}" if f == f0 else f"{f}, riga {r}"
                    for r, f, f0 in zip(
                        group[SOURCE_ROW],
                        group[SOURCE_FILE],
                        group.groupby(APPLICATION_ID)[SOURCE_FILE].transform("first"),
                        strict=True,
                    )
                ],
                "present": group[name].notna().to_numpy(),
            }
        )
        located = located[located["present"]]
        label = ctx.label(name)
        detail_of = {
            app: f"{label} "
            + ", ".join(
                f"{text} ({', '.join(g2['where'])})" for text, g2 in g.groupby("text", sort=False)
            )
            for app, g in located.groupby("app", sort=False)
        }
        firsts = group.drop_duplicates(APPLICATION_ID, keep="first")
        out.append(
            findings_for(
                ctx,
                "DOMANDA_INCOERENTE",
                firsts,
                name,
                value="",
                detail=[detail_of[a] for a in firsts[APPLICATION_ID]],
            )
        )
    return concat(out)


# ---------------------------------------------------------------- birth dates from the CF


def birth_dates_from_cf(call: LoadedCall, minors: pd.DataFrame) -> pd.Series:
    """The birth date each valid minor tax code encodes (datetime64[ns], NaT otherwise).

    The CF holds two digits of the year: the century is the latest that keeps the date not
    after the call's reference date (a minor is born before it).
    """
    ref = pd.Timestamp(call.config.call.reference_date)
    info = code_info(_col(minors, "minor_tax_code"))
    yy = info["yy"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    month = info["month"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    day = info["day"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    base = ref.year - np.mod(ref.year - yy, 100)
    out = pd.Series(pd.NaT, index=minors.index, dtype="datetime64[ns]")
    for back in (0, 100, 200):
        candidate = pd.Series(
            pd.to_datetime(
                pd.DataFrame({"year": base - back, "month": month, "day": day}), errors="coerce"
            ).to_numpy(),
            index=minors.index,
        )
        take = out.isna() & candidate.notna() & (candidate <= ref)
        out = out.where(~take, candidate)
    return out.astype("datetime64[ns]")


def fill_birth_dates(call: LoadedCall, minors: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """A copy of `minors` whose empty (or unmapped) minor_birth_date comes from the CF.

    Returns the table and how many birth dates were filled. Declared dates are never changed
    (a mismatch is the CF_DATA_NASCITA_DIVERSA finding).
    """
    out = minors.copy()
    if "minor_birth_date" in out.columns:
        declared = pd.to_datetime(out["minor_birth_date"], errors="coerce").astype("datetime64[ns]")
    else:
        declared = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    from_cf = birth_dates_from_cf(call, out)
    fill = declared.isna() & from_cf.notna()
    out["minor_birth_date"] = declared.where(~fill, from_cf)
    return out, int(fill.sum())


CHECKS: list[Callable[[Context], pd.DataFrame]] = [
    check_required,
    check_tax_codes,
    check_birth_date_matches_cf,
    check_negative,
    check_future_birth,
    check_submission_dates,
    check_submission_without_time,
    check_minor_duplicates,
    check_applicant_duplicates,
    check_incoherent_applications,
]


def validate_table(
    call: LoadedCall, minors: pd.DataFrame, run_date: dt.date | None = None
) -> pd.DataFrame:
    """Every check on the canonical minors table: the findings (FINDING_COLUMNS), sorted.

    The table is not modified. Findings never stop a run: a blocking one keeps its
    application out of the graduatoria (DA_REGOLARIZZARE) until it is resolved.
    """
    ctx = Context(call, minors, run_date)
    return sort_findings(concat([check(ctx) for check in CHECKS]))


__all__ = [
    "CHECKS",
    "Context",
    "birth_dates_from_cf",
    "fill_birth_dates",
    "validate_table",
]
