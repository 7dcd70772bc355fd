"""What `rank` produces: the typed data handed to the writers, `explain` and the letters.

`RankResult.rules` are the compiled rules of the run (engine/compile.py): the criteria (each
with its kind, label, article and words), funds and reserves in cents, tie-breakers, the
lottery seed, the voucher rule and every reason of exclusion with its level and sentence. The
writers read those, never bando.yaml again and never the column names below.

Columns of `RankResult.minors` (one row per input minor, every input minor exactly once; the
rows are in canonical order — application_id, minor_slot, minor_tax_code — never in input
order; the writers sort by rank themselves):
- every canonical field, declared extra field and provenance column of the read table
  (see conciliare_cli/fields.py), plus `row_key`;
- derived fields: `age`, `applicant_tax_code_valid`, `minor_tax_code_valid`, `minors`
  (rows of the application), `eligible_minors` (its minors that pass the minor-level
  requirements);
- `minor_admissible` (bool): the minor passes the minor-level requirements (rules, blocking
  findings, missing cost, duplicates): the minors that count/sum criteria and any/all/count/sum
  in conditions gather;
- `minor_eligible` (bool): the minor is admitted (its application too);
- `exclusion_reasons` (str): reason codes joined by ';' (application-level reasons first, then
  the minor's own), '' when admitted;
- `crit_<criterion id>` (float): points of each criterion for the row's unit (application or
  minor); `score` (float): the total; points are summed in integer thousandths, so a score
  is exact to 0.001;
- `rank` (Int64): position in the graduatoria, NA when excluded; `waiting_position` (Int64):
  position on the waiting list for AMMESSA_NON_FINANZIATA, else NA;
- `status` (str): FINANZIATA, FINANZIATA_PARZIALMENTE, AMMESSA_NON_FINANZIATA, ESCLUSA;
- `requested_cents` (Int64): what the minor may receive: the voucher as the call computes it
  (engine/amounts.py), after the application cap; NA where the computation excluded it;
- `awarded_cents` (Int64, 0 when nothing); `fund_<FUND ID>_cents` (Int64) one per fund;
  `reserve_<RESERVE ID>_cents` (Int64) the part of the award paid from each reserve;
- `decided_by` (str): for a unit tied on score with a neighbour, the label of the tie-breaker
  (or 'sorteggio') that set its place; '' otherwise;
- `lottery_key` (str): hex SHA-256 of "<seed>:<unit id>".

`RankResult.units`: one row per ranking unit (application, or minor when ranking.unit is
minor) with unit_id, application_id, partner_id, crit_*, score, rank, status,
waiting_position, minors (rows), admitted_minors, requested_cents (sum over admitted minors),
awarded_cents, fund_<ID>_cents, reserve_<ID>_cents, decided_by, the tie-breaker values
(`tb_<i>`, as in the minors table: money in cents), lottery_key, exclusion_reasons (for an
excluded unit, every code of its rows); sorted by rank, excluded units last in canonical
order (by application id).

`RankResult.amounts` (engine/amounts.py: AmountTrace): each minor's computation step by step,
aligned with the rows of `minors`; `engine.amount_words.amount_texts(result.amounts, rows)`
gives it in Italian words for `explain` and the letters.

`RankResult.funds`: fund_id, name, budget_cents, assigned_cents, residual_cents.
`RankResult.reserves`: reserve_id, fund_id, description, amount_cents, used_cents,
returned_cents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from conciliare_cli.config import LoadedCall
from conciliare_cli.engine.allocation import Allocation
from conciliare_cli.engine.amounts import AmountTrace
from conciliare_cli.engine.compile import Rules
from conciliare_cli.findings import Override


@dataclass
class RankResult:
    """The outcome of a run, with the compiled rules that made it (`rules`: its criteria,
    funds, reserves, tie-breakers and reasons, typed), so that every writer, `explain` and
    the letters describe the same run without reading bando.yaml again."""

    call: LoadedCall
    rules: Rules
    minors: pd.DataFrame
    units: pd.DataFrame
    funds: pd.DataFrame
    reserves: pd.DataFrame
    findings: pd.DataFrame
    input_files: list[str] = field(default_factory=list)  # relative paths, sorted
    amounts: AmountTrace | None = None  # each minor's voucher, step by step (amount_words)
    # partners with rows without protocol (validate/idsecret.py): checked before publishing
    derived_ids: list[tuple[str, int, str, int]] = field(default_factory=list)
    corrections: pd.DataFrame | None = None  # applied (validate/corrections.py APPLIED_COLUMNS)
    override: Override | None = None  # open blocking findings settled by the office
    # the allocation as the allocator made it (its pots with the units each may draw on, the
    # cents per minor and pot) and the rows of `minors` it covers, in rank order: what a
    # scorrimento (acts/) continues from
    allocation: Allocation | None = None
    allocation_rows: np.ndarray | None = None

    @property
    def reasons(self) -> dict[str, str]:
        """Reason code -> its Italian sentence (every code the run can give)."""
        return {code: r.sentence for code, r in self.rules.reasons.items()}
