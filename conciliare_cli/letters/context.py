"""From a RankResult to the data of each letter: plain dicts of Italian strings for the templates.

Nothing here renders: `build_letters` turns the engine's tables into one `Letter` per
application (recipient, each child once with its outcome, amounts, reasons, the statement of
reasons required by L. 241/1990 art. 3, the vouchers of a final list), and
`common.common_context` what every letter shares. Outcomes, totals and ranks are computed with
vectorised pandas over the whole table; only the assembly of each letter's dict is a loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from conciliare_cli.engine.amount_words import amount_texts
from conciliare_cli.engine.compile import Rules
from conciliare_cli.engine.criteria.base import LetterView
from conciliare_cli.engine.outcomes import application_outcomes
from conciliare_cli.engine.result import RankResult
from conciliare_cli.italian import eur
from conciliare_cli.letters.children import children_of, partial_explanation, vouchers_of
from conciliare_cli.letters.common import ListSource
from conciliare_cli.letters.delivery import channel_of
from conciliare_cli.letters.words import (
    agree,
    datetime_with_article,
    feminine_from_tax_code,
    points_text,
)
from conciliare_cli.publish.listing import public_id_for
from conciliare_cli.status import Status

FINANZIATA = Status.FUNDED.value
PARZIALE = Status.PARTIAL.value
ATTESA = Status.WAITING.value
ESCLUSA = Status.EXCLUDED.value
OUTCOMES = (FINANZIATA, PARZIALE, ATTESA, ESCLUSA)
OUTCOME_LABELS = {s.value: s.letter_label for s in Status}

_RECORD_COLUMNS = [
    "applicant_name",
    "applicant_surname",
    "applicant_tax_code",
    "applicant_address",
    "applicant_postcode",
    "applicant_city",
    "applicant_email",
    "applicant_pec",
    "submitted_at",
    "minor_name",
    "minor_surname",
    "minor_tax_code",
    "minor_birth_date",
    "minor_slot",
    "service",
    "exclusion_reasons",
    "decided_by",
    "amount_explanation",
    "reason_details",
]


@dataclass
class Letter:
    """One application's letter: what the templates see (`context`) and what the index needs."""

    application_id: str
    outcome: str
    recipient_name: str
    total_cents: int
    order: int  # position in graduatoria order (rank, then excluded by id)
    context: dict[str, Any] = field(repr=False)
    file_stem: str = ""  # set by files.assign_file_stems

    @property
    def recipient(self) -> dict[str, Any]:
        return self.context["recipient"]

    @property
    def vouchers(self) -> list[dict[str, Any]]:
        return self.context["vouchers"]


def _col(df: pd.DataFrame, name: str, default: Any = pd.NA) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series(default, index=df.index, dtype="object")


def _cents(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("Int64").fillna(0).astype("int64")


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _join(*parts: Any) -> str:
    return " ".join(t for t in (_text(p) for p in parts) if t)


def _int_text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(int(value))


def _unit_key(rules: Rules, minors: pd.DataFrame) -> pd.Series:
    if rules.by_minor:
        key = _col(minors, "row_key")
        fallback = pd.Series(minors.index.astype(str), index=minors.index)
        return key.astype("string").fillna(fallback.astype("string")).astype(str)
    return minors["application_id"].astype(str)


def _select(minors: pd.DataFrame, ids: set[str] | None, only: set[str] | None) -> pd.DataFrame:
    """The rows of the letters to write: no letter while the data of an application are
    regularised (DA_REGOLARIZZARE); then `ids` and `only`, if given."""
    if ids is not None:
        minors = minors[minors["application_id"].astype(str).isin(ids)]
    if not minors.empty:
        app = minors["application_id"].astype(str)
        wanted = application_outcomes(minors)
        wanted = wanted[wanted != Status.TO_REGULARISE.value]
        if only is not None:
            wanted = wanted[wanted.isin(only)]
        minors = minors[app.isin(wanted.index)]
    return minors.reset_index(names="x_row")  # x_row: the row in the result's minors


def build_letters(
    result: RankResult,
    source: ListSource,
    *,
    ids: set[str] | None = None,
    only: set[str] | None = None,
) -> list[Letter]:
    """One Letter per application of `result`, in graduatoria order (rank, then excluded by id).

    With `ids` (application ids) or `only` (outcomes), only those letters are built: what each
    letter says does not depend on the others (its rank and position come from its own rows).
    """
    rules = result.rules
    minors = _select(result.minors, ids, only)
    if minors.empty:
        return []
    app = minors["application_id"].astype(str)
    status = _col(minors, "status").astype("string").fillna(ESCLUSA).astype(str)
    admitted = status != ESCLUSA
    awarded = _cents(_col(minors, "awarded_cents", 0))
    rank = pd.to_numeric(_col(minors, "rank"), errors="coerce").astype("Int64")
    waiting = pd.to_numeric(_col(minors, "waiting_position"), errors="coerce").astype("Int64")
    unit = _unit_key(rules, minors)
    if result.amounts is not None and admitted.any():
        # how each admitted child's voucher was computed, as explain says it
        rows = minors["x_row"][admitted]
        minors["amount_explanation"] = pd.Series(
            amount_texts(result.amounts, rows.to_numpy()), index=rows.index, dtype="object"
        )

    outcome = application_outcomes(minors)
    app_rank = rank.where(admitted).groupby(app, sort=False).min()
    app_wait = waiting.groupby(app, sort=False).min()
    app_total = awarded.groupby(app, sort=False).sum()

    view = LetterView(minors, unit, admitted, rules.fields)
    crit_values = {c.id: c.shown_values(view).to_dict() for c in rules.criteria}
    fund_cents = {f.id: _cents(_col(minors, f"fund_{f.id}_cents", 0)) for f in rules.funds}

    order_frame = pd.DataFrame({"app": app_rank.index, "rank": app_rank.to_numpy()})
    order_frame["excluded"] = order_frame["rank"].isna()
    order_frame = order_frame.sort_values(["excluded", "rank", "app"], kind="stable")
    position = {a: i for i, a in enumerate(order_frame["app"])}

    keep = [c for c in _RECORD_COLUMNS if c in minors.columns]
    keep += [c for c in minors.columns if c.startswith("crit_")]
    records = minors[keep].assign(
        x_app=app,
        x_status=status,
        x_awarded=awarded,
        x_requested=_cents(_col(minors, "requested_cents", 0)),
        x_rank=rank,
        x_wait=waiting,
        x_score=pd.to_numeric(_col(minors, "score"), errors="coerce"),
        x_unit=unit,
        **{f"x_fund_{fid}": s for fid, s in fund_cents.items()},
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for rec in records.to_dict("records"):
        groups.setdefault(rec["x_app"], []).append(rec)
    shared = _Shared(rules, crit_values, source)
    outcome_of, rank_of, wait_of = outcome.to_dict(), app_rank.to_dict(), app_wait.to_dict()
    total_of = app_total.to_dict()
    letters = [
        _one_letter(
            app_id,
            rows,
            outcome=str(outcome_of[app_id]),
            rank=rank_of.get(app_id),
            waiting=wait_of.get(app_id),
            total=int(total_of[app_id]),
            order=position[app_id],
            shared=shared,
        )
        for app_id, rows in groups.items()
    ]
    letters.sort(key=lambda letter: letter.order)
    return letters


@dataclass(frozen=True)
class _Shared:
    rules: Rules
    crit_values: dict[str, dict[Any, Any]]
    source: ListSource

    @property
    def prefix(self) -> str:
        return self.rules.call.config.call.protocol_prefix or ""

    @property
    def tie_labels(self) -> set[str]:
        return {tb.own_label for tb in self.rules.tie_breakers if tb.own_label}


def _recipient(first: dict[str, Any]) -> dict[str, Any]:
    feminine = feminine_from_tax_code(first.get("applicant_tax_code"))
    name = _join(first.get("applicant_name"), first.get("applicant_surname"))
    contact = {
        "address": _text(first.get("applicant_address")),
        "postcode_city": _join(first.get("applicant_postcode"), first.get("applicant_city")),
        "email": _text(first.get("applicant_email")),
        "pec": _text(first.get("applicant_pec")),
    }
    title = "" if feminine is None else agree(feminine, "signor", "signora")
    return {
        "name": name,
        "feminine": feminine,
        "salutation": {
            None: "Alla cortese attenzione di",
            False: "Al signor",
            True: "Alla signora",
        }[feminine],
        "greeting": f"Gentile {title} {name}".replace("  ", " ").strip(),
        **contact,
        "channel": channel_of(contact),
    }


def _one_letter(
    app_id: str,
    rows: list[dict[str, Any]],
    *,
    outcome: str,
    rank: Any,
    waiting: Any,
    total: int,
    order: int,
    shared: _Shared,
) -> Letter:
    rules = shared.rules
    first = rows[0]
    config = rules.call.config
    public_id = public_id_for(config, app_id)
    children, app_reasons = children_of(rows, outcome, rules)
    units = _units(rows, shared)
    funds_paid = {f.name: sum(int(r[f"x_fund_{f.id}"]) for r in rows) for f in rules.funds}
    final = shared.source.final
    context = {
        "application_id": app_id,
        "public_id": public_id,
        "reference": f"{shared.prefix}/{app_id}" if shared.prefix else app_id,
        "final": final,
        "list": shared.source.context(),
        "outcome": outcome,
        "outcome_label": OUTCOME_LABELS[outcome],
        "submitted": datetime_with_article(first.get("submitted_at")),
        "recipient": _recipient(first),
        "children": children,
        "children_phrase": _children_phrase([c for c in children if c["paid"]]),
        "reasons": app_reasons,
        "total": eur(total),
        "due_total": eur(sum(c["due_cents"] for c in children if c["admitted"])),
        "funds": [{"name": n, "amount": eur(c)} for n, c in funds_paid.items() if c > 0],
        "rank": _int_text(rank),
        "waiting": _int_text(waiting),
        "points": units[0]["points"] if units else "",
        "partial": partial_explanation(children, outcome, total),
        "units": units,
        "vouchers": vouchers_of(children, public_id, shared.prefix) if final else [],
    }
    return Letter(
        application_id=app_id,
        outcome=outcome,
        recipient_name=context["recipient"]["name"],
        total_cents=total,
        order=order,
        context=context,
    )


def _children_phrase(paid: list[dict[str, Any]]) -> str:
    """Whom the voucher is for: "la minore indicata qui sotto", "ciascuno dei 2 minori ..."."""
    if len(paid) == 1:
        return agree(paid[0]["feminine"], "il minore indicato", "la minore indicata") + " qui sotto"
    return f"ciascuno dei {len(paid)} minori indicati qui sotto"


def _units(rows: list[dict[str, Any]], shared: _Shared) -> list[dict[str, Any]]:
    """The statement of reasons: one per application, or per minor when ranking by minor."""
    rules = shared.rules
    units = []
    seen: set[str] = set()
    for r in rows:
        key = r["x_unit"]
        if r["x_status"] == ESCLUSA or key in seen or (seen and not rules.by_minor):
            continue
        seen.add(key)
        decided = _text(r.get("decided_by"))
        units.append(
            {
                "label": _join(r.get("minor_name"), r.get("minor_surname"))
                if rules.by_minor
                else "",
                "criteria": [
                    {
                        "label": c.label,
                        "reference": c.reference or "",
                        "value": _lookup(shared.crit_values.get(c.id), key),
                        "points": points_text(_points(r, c.id)).split(" ")[0],
                    }
                    for c in rules.criteria
                ],
                "score": points_text(r["x_score"]).split(" ")[0],
                "points": points_text(r["x_score"]),
                "rank": _int_text(r["x_rank"]),
                "waiting": _int_text(r["x_wait"]),
                "decided_by": decided,
                "decided_by_lottery": bool(decided) and decided not in shared.tie_labels,
            }
        )
    return units


def _lookup(values: dict[Any, Any] | None, key: Any) -> str:
    value = None if values is None else values.get(key)
    return "—" if value is None else str(value)


def _points(row: dict[str, Any], crit_id: str) -> Any:
    value = row.get(f"crit_{crit_id}")
    return 0 if value is None or pd.isna(value) else value
