"""Read the partners' exports into the canonical table (one row per minor).

`read_call(call)` finds each partner's files (globs relative to the call folder, sorted by
path), reads them (xlsx, xlsm, xlsb, xls, ods, csv, txt), maps the columns named in the YAML
to the canonical fields, parses every value by its kind, and collects the findings of
reading: ignored rows and columns, unused columns, values that cannot be read. Problems that
make a file unreadable as a whole (no such file, sheet or header; a corrupt file) raise
UserError. Input files are only read, never written.
"""

from __future__ import annotations

import glob
import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from conciliare_cli.config import CONFIG_NAME, LoadedCall
from conciliare_cli.config.models import PartnerConfig
from conciliare_cli.errors import MappingError, UserError, UserErrors
from conciliare_cli.fields import (
    CANONICAL_FIELDS,
    MINOR_SLOT,
    PARTNER_ID,
    PROVENANCE,
    ROW_KEY,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
    Field,
)
from conciliare_cli.findings import FINDING_COLUMNS, empty_findings
from conciliare_cli.read import sources
from conciliare_cli.read.table import TableRead, read_table
from conciliare_cli.read.values import DTYPES

__all__ = ["PartnerReport", "ReadResult", "canonical_columns", "empty_table", "read_call"]

PROVENANCE_DTYPES = {
    PARTNER_ID: "string",
    SOURCE_FILE: "string",
    SOURCE_SHEET: "string",
    SOURCE_ROW: "Int64",
    MINOR_SLOT: "Int64",
    ROW_KEY: "string",
}
IGNORED_NAMES = ("~$", ".~lock.", "._")  # Office lock files, macOS resource forks


@dataclass
class PartnerReport:
    """Per partner, for the validate summary."""

    partner_id: str
    name: str
    files: list[str]  # relative paths, '/' separators
    rows_read: int  # data rows read from the files (one per application or per minor)
    applications: int
    minors: int
    ignored_rows: int  # empty rows among the data, and totals/notes rows, reported
    unused_columns: list[str] = field(default_factory=list)
    # rows without protocol, whose id was derived: (how many, file, row of the first)
    derived_ids: tuple[int, str, int] | None = None


@dataclass
class ReadResult:
    minors: pd.DataFrame  # canonical table, one row per minor
    findings: pd.DataFrame  # FINDING_COLUMNS
    partners: list[PartnerReport]
    input_files: list[Path]  # every file read, sorted
    corrections: pd.DataFrame | None = None  # applied by validate (validate/corrections.py)


def table_fields(call: LoadedCall) -> dict[str, Field]:
    """Canonical fields plus the call's declared extra fields (the mappable ones)."""
    out = dict(CANONICAL_FIELDS)
    for f in call.config.fields:
        out[f.name] = Field(f.name, f.kind, f.level, f.label, health=f.health)
    return out


def canonical_columns(call: LoadedCall) -> list[str]:
    return [*table_fields(call), *PROVENANCE, ROW_KEY]


def empty_table(call: LoadedCall, n: int = 0) -> pd.DataFrame:
    """A canonical table of n all-NA rows with the right dtypes."""
    cols: dict[str, pd.Series] = {}
    for name, f in table_fields(call).items():
        cols[name] = pd.Series(pd.array([None] * n, dtype=DTYPES[f.kind]))
    for name, dtype in PROVENANCE_DTYPES.items():
        cols[name] = pd.Series(pd.array([None] * n, dtype=dtype))
    return pd.DataFrame(cols, index=range(n))


def read_call(call: LoadedCall, on_file: Callable[[Path], None] | None = None) -> ReadResult:
    """Read every partner's files into the canonical table; see the module docstring."""
    fields = table_fields(call)
    folder = call.folder
    frames: list[pd.DataFrame] = []
    findings: list[pd.DataFrame] = []
    reports: list[PartnerReport] = []
    inputs: dict[str, Path] = {}
    errors: list[UserError] = []  # every partner's problems are reported in one run
    for i, partner in enumerate(call.config.partners):
        tables: list[TableRead] = []
        try:
            paths = partner_files(folder, partner)
        except UserError as exc:
            errors.append(exc)
            continue
        for path in paths:
            rel = relative(path, folder)
            try:
                tables.append(read_table(path, rel, partner, fields))
            except MappingError as exc:
                errors.append(_with_yaml_lines(exc, call, i))
            except UserError as exc:
                errors.append(exc)
            inputs[rel] = path
            if on_file is not None:
                on_file(path)
        _same_applications_in_two_files(partner, tables, errors)
        if errors:
            continue
        secret = call.config.call.id_secret
        frame, partner_findings, derived = _assemble(partner, tables, fields, secret)
        frames.append(frame)
        findings.append(partner_findings)
        reports.append(
            PartnerReport(
                partner_id=partner.id,
                name=partner.name,
                files=[t.rel for t in tables],
                rows_read=sum(t.rows_read for t in tables),
                applications=int(frame["application_id"].nunique()),
                minors=len(frame),
                ignored_rows=sum(t.ignored_rows for t in tables),
                unused_columns=sorted({c for t in tables for c in t.unused_columns}),
                derived_ids=_first_derived(frame, derived),
            )
        )
    if errors:
        raise errors[0] if len(errors) == 1 else UserErrors(errors)
    minors = pd.concat(frames, ignore_index=True) if frames else empty_table(call)
    minors = minors[canonical_columns(call)]
    found = [f for f in findings if len(f)]
    all_findings = pd.concat(found, ignore_index=True) if found else empty_findings()
    return ReadResult(
        minors=minors,
        findings=all_findings[FINDING_COLUMNS],
        partners=reports,
        input_files=[inputs[k] for k in sorted(inputs)],
    )


def _with_yaml_lines(exc: MappingError, call: LoadedCall, index: int) -> MappingError:
    """The missing columns' mapping, pointed at by its lines in bando.yaml."""
    where = []
    for name in exc.fields:
        line = call.line_of(("partners", index, "columns", name))
        where.append(f"{call.path.name} riga {line}" if line else call.path.name)
    places = ", ".join(dict.fromkeys(where))
    return MappingError(
        f"{exc.message} (mappatura in {places})", fields=exc.fields, file=exc.file, hint=exc.hint
    )


def _same_applications_in_two_files(
    partner: PartnerConfig, tables: list[TableRead], errors: list[UserError]
) -> None:
    """Two files of one partner with the same application numbers: a corrected copy left
    beside the original, most likely. Reading both would count those applications twice."""
    seen: dict[str, str] = {}
    for t in tables:
        ids = (
            t.frame["application_id"].dropna().astype(str).unique()
            if "application_id" in t.frame
            else []
        )
        for other in sorted({seen[i] for i in ids if i in seen}):
            shared = sorted(i for i in ids if seen.get(i) == other)
            errors.append(
                UserError(
                    f"i file '{other}' e '{t.rel}' del partner {partner.id} hanno le stesse "
                    f"domande ({len(shared)}, ad esempio {', '.join(shared[:3])})",
                    hint="lascia nella cartella una sola copia (l'altra spostala fuori dalla "
                    f"cartella del bando), o correggi 'files' del partner {partner.id}",
                )
            )
        for i in ids:
            seen.setdefault(i, t.rel)


# ------------------------------------------------------------------ files


def relative(path: Path, folder: Path) -> str:
    return Path(os.path.relpath(path, folder)).as_posix()


def partner_files(folder: Path, partner: PartnerConfig) -> list[Path]:
    """The partner's files, sorted by relative path; a pattern matching nothing is an error.

    Only files inside the call folder are read: an absolute pattern, a pattern that climbs
    out with '..', or a match that resolves outside (a symbolic link to a file or a folder
    elsewhere) stops the run with a UserError, before any file is read."""
    found: dict[str, Path] = {}
    root = folder.resolve()
    for pattern in partner.file_patterns:
        _check_pattern(pattern, partner)
        matches = [
            Path(p)
            for p in glob.glob(str(folder / pattern), recursive=True)
            if Path(p).is_file() and not Path(p).name.startswith(IGNORED_NAMES)
        ]
        if not matches:
            raise UserError(
                f"nessun file corrisponde a '{pattern}' (partner {partner.id})",
                file=CONFIG_NAME,
                hint=f"metti i file del partner nella cartella del bando ({folder}) o correggi "
                f"'files' del partner {partner.id}",
            )
        for p in matches:
            _check_inside(p, root, folder, partner)
            suffix = p.suffix.lower()
            if suffix not in sources.SPREADSHEET_SUFFIXES + sources.TEXT_SUFFIXES:
                raise UserError(
                    f"formato non supportato '{p.suffix or p.name}'",
                    file=relative(p, folder),
                    hint="formati ammessi: "
                    + ", ".join(sources.SPREADSHEET_SUFFIXES + sources.TEXT_SUFFIXES)
                    + f"; oppure restringi 'files' del partner {partner.id}",
                )
            found[relative(p, folder)] = p
    return [found[k] for k in sorted(found)]


def _check_pattern(pattern: str, partner: PartnerConfig) -> None:
    """A pattern is relative to the call folder and never climbs out of it."""
    parts = Path(pattern).parts
    if os.path.isabs(pattern) or pattern.startswith("~") or ".." in parts:
        raise UserError(
            f"il percorso '{pattern}' dei file del partner {partner.id} esce dalla cartella "
            "del bando: si leggono solo file dentro la cartella del bando",
            file=CONFIG_NAME,
            hint="copia i file nella cartella del bando (ad esempio in partner/) e scrivi in "
            "'files' un percorso relativo, come 'partner/*.xlsx'",
        )


def _check_inside(path: Path, root: Path, folder: Path, partner: PartnerConfig) -> None:
    """A matched file resolves inside the call folder (a link elsewhere is not followed)."""
    real = path.resolve()
    if real != root and root not in real.parents:
        raise UserError(
            f"il file del partner {partner.id} è un collegamento a '{real}', fuori dalla "
            "cartella del bando: non viene letto",
            file=relative(path, folder),
            hint="copia il file vero nella cartella del bando al posto del collegamento",
        )


# ------------------------------------------------------------------ assembling


def _first_derived(frame: pd.DataFrame, derived: np.ndarray) -> tuple[int, str, int] | None:
    """(how many rows, file, row of the first) of the rows whose id was derived, or None."""
    if not derived.any():
        return None
    first = int(np.flatnonzero(derived)[0])
    where = frame.iloc[first]
    return int(derived.sum()), str(where[SOURCE_FILE]), int(where[SOURCE_ROW])


def _assemble(
    partner: PartnerConfig,
    tables: list[TableRead],
    fields: dict[str, Field],
    secret: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """One partner's rows with ids, keys and dtypes; its findings with ids and keys; which
    rows had no protocol (their id derived, see application_ids)."""
    pieces = []
    offsets = []
    total = 0
    for t in tables:
        f = t.frame.copy()
        f[SOURCE_FILE] = t.rel
        f[SOURCE_SHEET] = t.sheet
        pieces.append(f)
        offsets.append(total)
        total += len(f)
    frame = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()
    n = len(frame)
    out: dict[str, object] = {}
    for name, f in fields.items():
        if name in frame.columns:
            out[name] = frame[name].astype(DTYPES[f.kind]).reset_index(drop=True)
        else:
            out[name] = pd.Series(pd.array([None] * n, dtype=DTYPES[f.kind]))
    result = pd.DataFrame(out, index=range(n))
    result[PARTNER_ID] = pd.array([partner.id] * n, dtype="string")
    for col in (SOURCE_FILE, SOURCE_SHEET):
        result[col] = pd.array(frame[col] if n else [], dtype="string")
    for col in (SOURCE_ROW, MINOR_SLOT):
        result[col] = pd.array(frame[col] if n else [], dtype="Int64")
    per_application = partner.per_application
    derived = result["application_id"].isna().to_numpy()
    result["application_id"] = application_ids(partner.id, result, secret)
    result[ROW_KEY] = row_keys(result, per_application)

    findings = [t.file_findings for t in tables if len(t.file_findings)]
    for t, offset in zip(tables, offsets, strict=True):
        vf = t.value_findings
        if not len(vf):
            continue
        pos = vf["pos"].to_numpy(dtype=np.int64) + offset
        rows = pd.DataFrame(
            {
                "column": vf["column"].to_numpy(dtype=object),
                "field": vf["field"].to_numpy(dtype=object),
                "value": vf["value"].to_numpy(dtype=object),
                "detail": (vf["detail"].to_numpy(dtype=object) if "detail" in vf.columns else None),
                "source_row": result[SOURCE_ROW].to_numpy(dtype=object)[pos],
                "application_id": result["application_id"].to_numpy(dtype=object)[pos],
                "row_key": result[ROW_KEY].to_numpy(dtype=object)[pos],
            }
        )
        for code, group in rows.groupby(vf["code"].to_numpy(), sort=True):
            findings.append(
                _findings(
                    str(code),
                    group,
                    partner_id=partner.id,
                    source_file=t.rel,
                    source_sheet=t.sheet,
                )
            )
    if findings:
        all_f = pd.concat(findings, ignore_index=True)
        order = np.lexsort(
            (
                _texts(all_f["column"]),
                all_f["source_row"].astype(np.int64).to_numpy(),
                _texts(all_f["source_file"]),
            )
        )
        all_f = all_f.iloc[order].reset_index(drop=True)
    else:
        all_f = empty_findings()
    return result, all_f, derived


def _texts(col: pd.Series) -> np.ndarray:
    return np.array(["" if pd.isna(v) else str(v) for v in col], dtype=object)


def _findings(code: str, rows: pd.DataFrame, **kw: object) -> pd.DataFrame:
    from conciliare_cli.findings import make_findings

    return make_findings(code, rows.reset_index(drop=True), **kw)


def application_ids(partner_id: str, table: pd.DataFrame, secret: str | None = None) -> pd.Series:
    """f"{partner}-{protocol}"; without a protocol, f"{partner}-" + 10 hex chars (upper) of
    sha256(applicant tax code + "|" + submitted_at as YYYY-MM-DDTHH:MM:SS), keyed with the
    call's `secret` (HMAC-SHA256) when it has one: without it anyone who knows a tax code
    can recompute the id (read/idsecret.py refuses to publish such ids)."""
    protocol = table["application_id"]
    has = protocol.notna().to_numpy()
    values = protocol.to_numpy(dtype=object, na_value="")
    missing = np.flatnonzero(~has)
    if len(missing):
        part = table.iloc[missing]
        cf = part["applicant_tax_code"].to_numpy(dtype=object, na_value="")
        submitted = (
            part["submitted_at"]
            .dt.strftime("%Y-%m-%dT%H:%M:%S")
            .to_numpy(dtype=object, na_value="")
        )
        codes, uniques = pd.factorize(cf + "|" + submitted)
        digests = np.array([derived_digest(str(u), secret) for u in uniques], dtype=object)
        values[missing] = digests[codes]
    ids = (partner_id + "-") + values if len(values) else values
    return pd.Series(pd.array(ids, dtype="string"), index=table.index)


def derived_digest(content: str, secret: str | None) -> str:
    """The 10 upper-case hex digits of an id without protocol: HMAC-SHA256 with the call's
    secret, else (a call without `call.id_secret`) SHA-256."""
    data = content.encode("utf-8")
    if secret:
        return hmac.new(secret.encode("utf-8"), data, hashlib.sha256).hexdigest()[:10].upper()
    return hashlib.sha256(data).hexdigest()[:10].upper()


def row_keys(table: pd.DataFrame, per_application: bool) -> pd.Series:
    """application_id/minor CF, else /#slot (per-application layouts) or /r<row>.

    A key repeated (the same minor twice in one application) gets '~2', '~3', ... in the
    order of file, row and slot, so every row has its own key.
    """
    if not len(table):
        return pd.Series(pd.array([], dtype="string"), index=table.index)
    app = table["application_id"].to_numpy(dtype=object, na_value="")
    cf = table["minor_tax_code"]
    has_cf = cf.notna().to_numpy()
    cf_v = cf.to_numpy(dtype=object, na_value="")
    numbers = table[MINOR_SLOT if per_application else SOURCE_ROW].to_numpy(dtype=np.int64)
    tail = ("#" if per_application else "r") + numbers.astype(str).astype(object)
    keys = app + "/" + np.where(has_cf, cf_v, tail)
    # the rows come in file, row and slot order: the first of a repeated key keeps it bare
    repeated = pd.Series(keys).duplicated().to_numpy()
    if repeated.any():
        nth = pd.Series(keys).groupby(keys).cumcount().to_numpy()
        again = np.flatnonzero(repeated)
        keys[again] = keys[again] + "~" + (nth[again] + 1).astype(str).astype(object)
    return pd.Series(pd.array(keys, dtype="string"), index=table.index)
