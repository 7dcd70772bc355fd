"""What `rank` produces: the typed data handed to the writers, `explain` and the letters.

Columns of `RankResult.minors` (one row per input minor, every input minor exactly once):
- every canonical field, declared extra field and provenance column of the read table
  (see conciliare_cli/fields.py), plus `row_key`;
- derived fields: `age`, `applicant_tax_code_valid`, `minor_tax_code_valid`;
- `minor_eligible` (bool): the minor is admitted (its application too);
- `exclusion_reasons` (str): reason codes joined by ';' (application-level reasons first, then
  the minor's own), '' when admitted;
- `crit_<criterion id>` (float): points of each criterion for the row's unit (application or
  minor); `score` (float): the total; points are summed in integer thousandths, so a score
  is exact to 0.001;
- `rank` (Int64): position in the graduatoria, NA when excluded; `waiting_position` (Int64):
  position on the waiting list for AMMESSA_NON_FINANZIATA, else NA;
- `status` (str): FINANZIATA, FINANZIATA_PARZIALMENTE, AMMESSA_NON_FINANZIATA, ESCLUSA;
- `requested_cents` (Int64): what the minor may receive (min(cap, requested) or the cap);
- `awarded_cents` (Int64, 0 when nothing); `fund_<FUND ID>_cents` (Int64) one per fund;
  `reserve_<RESERVE ID>_cents` (Int64) the part of the award paid from each reserve;
- `decided_by` (str): for a unit tied on score with a neighbour, the label of the tie-breaker
  (or 'sorteggio') that set its place; '' otherwise;
- `lottery_key` (str): hex SHA-256 of "<seed>:<unit id>".

`RankResult.units`: one row per ranking unit (application, or minor when ranking.unit is
minor) with unit_id, application_id, score, crit_*, rank, status, awarded_cents, fund_*,
decided_by, the tie-breaker values (`tb_<i>`), lottery_key; sorted by rank then unit_id,
excluded units last.

`RankResult.funds`: fund_id, name, budget_cents, assigned_cents, residual_cents.
`RankResult.reserves`: reserve_id, fund_id, description, amount_cents, used_cents,
returned_cents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from conciliare_cli.config import LoadedCall

STATUSES = ("FINANZIATA", "FINANZIATA_PARZIALMENTE", "AMMESSA_NON_FINANZIATA", "ESCLUSA")


@dataclass
class RankResult:
    call: LoadedCall
    minors: pd.DataFrame
    units: pd.DataFrame
    funds: pd.DataFrame
    reserves: pd.DataFrame
    findings: pd.DataFrame
    reasons: dict[str, str] = field(default_factory=dict)  # reason code -> Italian sentence
    input_files: list[str] = field(default_factory=list)  # relative paths, sorted
