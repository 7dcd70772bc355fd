"""A rule set's own tests: made-up applications with the outcome the call's text gives for each.

A coordinator writes them in `prove.yaml` next to bando.yaml (the format of tests/cases/*.yaml,
described in the README, "Testing the rules before ranking"); `conciliare prova` runs each case
through the real engine with the call's rules — eligibility, scores, repeated applications,
ranking, amounts, reserves and allocation — and says, case by case, what differs. The
partners' files are not read: a case gives the canonical fields directly, and the tax codes
are made up (valid ones, from the birth dates) unless the case writes them.

    cases:
      - title: "ISEE 12.500, costo 150,30: voucher 112,73"
        rules: {funds: [{id: F, name: Fondo, amount_eur: 1000}]}   # optional changes
        applications:
          - {id: A, isee: 12500, minors: [{requested_eur: 150.30}]}
        expected:
          A: {status: FINANZIATA, awarded_eur: 112.73}

`rules:` changes the call's rules for that case only: sections merge key by key, anything else
(a list, a value) replaces; `null` removes a key.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from conciliare_cli.config import CONFIG_NAME, LoadedCall, known_fields, load_call
from conciliare_cli.config.loader import suggest
from conciliare_cli.demo import call_from, minors_table
from conciliare_cli.demo import numbered_tax_code as tax_code
from conciliare_cli.engine.compile import compile_rules
from conciliare_cli.engine.result import RankResult
from conciliare_cli.engine.stages import rank_call
from conciliare_cli.errors import ConfigError, UserError
from conciliare_cli.fields import DERIVED_FIELDS, Level
from conciliare_cli.status import Status

TRIALS_NAME = "prove.yaml"
APP_KEYS = ("status", "score", "rank", "waiting_position", "awarded_eur", "reasons")
MINOR_KEYS = ("status", "awarded_eur", "reasons")
_CASE_KEYS = ("title", "rules", "applications", "expected")
_APP_SPECIAL = ("id", "minors", "same_applicant_as")
_MINOR_SPECIAL = ("birth_date", "same_minor_as")


@dataclass
class CaseReport:
    title: str
    line: int | None
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


# ------------------------------------------------------------------ reading the cases


def load_cases(path: Path, call: LoadedCall) -> list[tuple[dict[str, Any], int | None]]:
    """The cases of `path`, checked against the call's fields; each with its line."""
    name = path.name
    if not path.is_file():
        raise UserError(f"manca il file {name}", file=str(path.parent), hint=_HINT)
    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        raise UserError(f"il file non è YAML leggibile: {exc}", file=name) from exc
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list) or not cases:
        raise UserError("atteso 'cases:', una lista di casi", file=name, hint=_HINT)
    errors: list[str] = []
    out = []
    for i, case in enumerate(cases):
        line = cases.lc.item(i)[0] + 1 if hasattr(cases, "lc") else None
        where = f"{name}, riga {line}, cases[{i}]" if line else f"{name}, cases[{i}]"
        errors += [f"{where}: {p}" for p in case_problems(case, call)]
        out.append((_plain(case), line))
    if errors:
        raise ConfigError(errors)
    return out


_HINT = "vedere nel README la sezione 'Testing the rules before ranking'"


def _plain(node: Any) -> Any:
    return json.loads(json.dumps(node, default=str))


def case_problems(case: Any, call: LoadedCall) -> list[str]:
    """What is wrong in one case, in Italian (empty when nothing is)."""
    if not isinstance(case, dict):
        return ["atteso un caso con title, applications ed expected"]
    out = [
        f"chiave non prevista '{k}'{suggest(k, _CASE_KEYS)}" for k in case if k not in _CASE_KEYS
    ]
    out += [f"manca '{k}'" for k in ("title", "applications", "expected") if k not in case]
    apps = case.get("applications") or []
    if not isinstance(apps, list):
        return [*out, "applications: attesa una lista di domande"]
    fields = {n: f for n, f in known_fields(call.config).items() if n not in DERIVED_FIELDS}
    ids = []
    for j, app in enumerate(apps):
        if not isinstance(app, dict) or "id" not in app:
            out.append(f"applications[{j}]: ogni domanda ha un 'id'")
            continue
        ids.append(str(app["id"]))
        out += [f"applications[{j}] ({app['id']}): {p}" for p in _app_problems(app, fields)]
    expected = case.get("expected") or {}
    if not isinstance(expected, dict):
        return [*out, "expected: attesa una sezione 'id della domanda: esito'"]
    for app_id, want in expected.items():
        out += [f"expected.{app_id}: {p}" for p in _expected_problems(str(app_id), want, ids)]
    return out


def _app_problems(app: dict[str, Any], fields: dict[str, Any]) -> list[str]:
    out = []
    for key in app:
        f = fields.get(key)
        if key not in _APP_SPECIAL and (f is None or f.level is not Level.APPLICATION):
            out.append(_unknown(key, fields, Level.APPLICATION))
    minors = app.get("minors", [{}])
    if not isinstance(minors, list) or not minors:
        return [*out, "minors: attesa una lista di minori (anche [{}])"]
    for k, minor in enumerate(minors, start=1):
        for key in minor if isinstance(minor, dict) else []:
            f = fields.get(key)
            if key not in _MINOR_SPECIAL and (f is None or f.level is not Level.MINOR):
                out.append(f"minore {k}: {_unknown(key, fields, Level.MINOR)}")
    return out


def _unknown(key: str, fields: dict[str, Any], level: Level) -> str:
    f = fields.get(key)
    if f is not None:
        where = "dei minori (sotto minors:)" if f.level is Level.MINOR else "della domanda"
        return f"'{key}' è un dato {where}"
    names = [n for n, g in fields.items() if g.level is level]
    return f"campo sconosciuto '{key}'{suggest(key, names)}"


def _expected_problems(app_id: str, want: Any, ids: list[str]) -> list[str]:
    if app_id not in ids:
        return [f"nessuna domanda '{app_id}' tra le applications{suggest(app_id, ids)}"]
    if not isinstance(want, dict):
        return ["atteso un esito con chiavi (status, awarded_eur, ...)"]
    out = [
        f"chiave non prevista '{k}'{suggest(k, APP_KEYS)}"
        for k in want
        if k not in (*APP_KEYS, "minors")
    ]
    statuses = [want.get("status")] + [m.get("status") for m in want.get("minors", []) or []]
    valid = [s.value for s in Status]
    out += [
        f"esito sconosciuto '{s}'{suggest(str(s), valid)}" for s in statuses if s and s not in valid
    ]
    for key in ("awarded_eur", "score"):
        if key in want and _number(want[key]) is None:
            out.append(f"{key}: atteso un numero, non '{want[key]}'")
    return out


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# ------------------------------------------------------------------ running them


def merged(base: Any, changes: Any) -> Any:
    """`changes` over `base`: mappings merge key by key (None removes), anything else replaces."""
    if isinstance(base, dict) and isinstance(changes, dict):
        out = dict(base)
        for key, value in changes.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = merged(base.get(key), value)
        return out
    return copy.deepcopy(changes)


def rows_of(applications: list[dict[str, Any]], submitted: Any) -> list[dict[str, Any]]:
    """The canonical rows of the case's applications, with made-up valid tax codes; an
    application without `submitted_at` is submitted at `submitted`."""
    applicants: dict[str, str] = {}
    children: dict[str, tuple[str, pd.Timestamp]] = {}  # 'A.1' -> (tax code, birth date)
    for i, app in enumerate(applications):
        applicants[str(app["id"])] = tax_code(i + 1, pd.Timestamp("1980-01-01"))
        for j, m in enumerate(app.get("minors", [{}]), start=1):
            born = pd.Timestamp(m.get("birth_date", "2010-01-01"))
            children[f"{app['id']}.{j}"] = (tax_code(1000 * (i + 1) + j, born), born)
    rows = []
    for app in applications:
        facts = {k: v for k, v in app.items() if k not in _APP_SPECIAL}
        facts.setdefault("submitted_at", submitted)
        for j, m in enumerate(app.get("minors", [{}]), start=1):
            child = {k: v for k, v in m.items() if k not in _MINOR_SPECIAL}
            code, born = children[str(m.get("same_minor_as", f"{app['id']}.{j}"))]
            rows.append(
                {
                    "application_id": str(app["id"]),
                    "applicant_tax_code": applicants[str(app.get("same_applicant_as", app["id"]))],
                    "minor_tax_code": code,
                    "minor_birth_date": born,
                    **facts,
                    **child,
                }
            )
    return rows


def run_case(case: dict[str, Any], base: dict[str, Any], folder: Path) -> RankResult:
    """The case through the engine with the rules `base` (bando.yaml as data) changed by the
    case's `rules:`; files the rules name (lists) are read from `folder`."""
    call = call_from(merged(base, case.get("rules") or {}), folder)
    rules = compile_rules(call)
    opens = call.config.call.submission.opens
    table = minors_table(rows_of(case["applications"], opens))
    return rank_call(rules, table, pd.DataFrame())


def outcome(result: RankResult, app_id: str) -> dict[str, Any]:
    """What the engine decided for one application, in the keys of `expected`."""
    m = result.minors
    rows = m[m["application_id"] == app_id].sort_values("minor_slot")
    statuses = list(rows["status"])
    admitted = [s for s in statuses if s != Status.EXCLUDED.value]
    ranks, waits = rows["rank"].dropna(), rows["waiting_position"].dropna()
    codes: list[str] = []
    for text in rows["exclusion_reasons"]:
        codes += [c for c in str(text).split(";") if c and c not in codes]
    return {
        "status": admitted[0] if admitted else Status.EXCLUDED.value,
        "score": float(rows["score"].iloc[0]) if len(rows) else None,
        "rank": int(ranks.min()) if len(ranks) else None,
        "waiting_position": int(waits.min()) if len(waits) else None,
        "awarded_eur": Decimal(int(rows["awarded_cents"].sum())) / 100,
        "reasons": codes,
        "minors": [
            {
                "status": r["status"],
                "awarded_eur": Decimal(int(r["awarded_cents"])) / 100,
                "reasons": [c for c in str(r["exclusion_reasons"]).split(";") if c],
            }
            for _, r in rows.iterrows()
        ],
    }


def differences(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Each key of `expected` whose value the engine did not give, in Italian."""
    out = []
    for key in APP_KEYS:
        if key in expected and _norm(expected[key]) != _norm(got[key]):
            out.append(f"{key}: atteso {_show(expected[key])}, ottenuto {_show(got[key])}")
    for i, want in enumerate(expected.get("minors", []) or [], start=1):
        have = got["minors"][i - 1] if i <= len(got["minors"]) else {}
        for key, value in want.items():
            if _norm(value) != _norm(have.get(key)):
                out.append(
                    f"minore {i} {key}: atteso {_show(value)}, ottenuto {_show(have.get(key))}"
                )
    return out


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).normalize()
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _show(value: Any) -> str:
    if value is None:
        return "nessuno"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]" if value else "nessuno"
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def check_case(case: dict[str, Any], base: dict[str, Any], folder: Path) -> list[str]:
    result = run_case(case, base, folder)
    return [
        f"{app_id} {d}"
        for app_id, want in case["expected"].items()
        for d in differences(want, outcome(result, str(app_id)))
    ]


def check_call(folder: Path, path: Path | None = None) -> list[CaseReport]:
    """Every case of the call's `prove.yaml` (or `path`) against its bando.yaml."""
    call = load_call(folder)
    target = path if path is not None else folder / TRIALS_NAME
    cases = load_cases(target, call)
    base = _plain(YAML(typ="safe").load((folder / CONFIG_NAME).read_text(encoding="utf-8")))
    reports = []
    for case, line in cases:
        report = CaseReport(str(case["title"]), line)
        try:
            report.problems = check_case(case, base, folder)
        except ConfigError as exc:
            report.problems = [f"regole del caso non valide: {e}" for e in exc.errors]
        except ValidationError as exc:
            report.problems = [
                f"regole del caso non valide: {'.'.join(map(str, e['loc']))}: {e['msg']}"
                for e in exc.errors()
            ]
        reports.append(report)
    return reports
