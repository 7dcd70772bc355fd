"""The public list never shows who was funded out of order by a condition on health data.

A reserve "for minors with disability" (`condition: any(disability)`) or a fund paying only
such applications funds some of them below the first "Ammessa non finanziata": in a list in
graduatoria order each of them would stand out as funded by the health condition, that is as
a family with a disabled child (d.lgs. 196/2003 art. 2-septies c. 8: health data may never be
disseminated). A condition on a health field is therefore treated like a sensitive criterion.

Two ways were open: not showing the order, or not showing out-of-order outcomes. The second
would mean publishing a funded application as something else (the public list is the act: it
cannot say "not funded" of a funded application) or leaving it out (then the list no longer
accounts for the money). So the order is what goes:

- the funded units (Finanziata, Finanziata parzialmente) are listed by their public id,
  without their position and without the score, so nothing tells which were funded by order
  and which by the condition;
- the admitted units not funded follow in the order of the waiting list (the order that
  moving down the list, the scorrimento, follows), also without position and score: among
  them no condition has acted, and their order is what each of them needs to know;
- excluded units are listed as always (by public id, "Non ammessa");
- a note under the title says why.

This is decided by the rules, not by the data: a call with such a condition publishes its
list this way even when, this time, nobody was funded out of order, so the list's shape
says nothing about anyone. Each applicant's own letter still gives the position.
"""

from __future__ import annotations

import pandas as pd

from conciliare_cli.engine.compile import Rules
from conciliare_cli.status import Status

ORDER_HIDDEN_NOTE = (
    "Le domande finanziate sono elencate per {id_what}, senza posizione né punteggio, "
    "perché {what} riservat{agree} a chi ha requisiti relativi alla salute ({ids}): l'ordine "
    "rivelerebbe chi li possiede. Le domande ammesse e non finanziate seguono nell'ordine "
    "della lista d'attesa. Ogni richiedente riceve la comunicazione della propria posizione."
)

_FUNDED = (Status.FUNDED.public_label, Status.PARTIAL.public_label)


def health_conditions(rules: Rules) -> list[str]:
    """'fondo X' / 'riserva Y' for every fund or reserve whose condition reads a health field
    (disability, learning difficulty, a declared field with `health: true`)."""
    health = {name for name, f in rules.fields.items() if f.health}
    found = [f"fondo {f.id}" for f in rules.funds if f.condition and f.condition.names & health]
    found += [f"riserva {r.id}" for r in rules.reserves if r.condition.names & health]
    return found


def hide_funding_order(
    ranked: pd.DataFrame, columns: list[str], rules: Rules, id_what: str
) -> tuple[pd.DataFrame, list[str], str | None]:
    """The ranked units of the public list (columns public_id, status as the public reads it,
    in graduatoria order) and its columns, without the order of the funded units when a fund
    or a reserve is conditioned on health data, and the note that says why; the same table and
    columns and None otherwise."""
    conditions = health_conditions(rules)
    if not conditions:
        return ranked, columns, None
    funded = ranked["status"].isin(_FUNDED).fillna(False).to_numpy(dtype=bool)
    by_id = ranked[funded].sort_values("public_id", kind="stable")
    waiting = ranked[~funded]  # already in graduatoria order
    one = len(conditions) == 1
    note = ORDER_HIDDEN_NOTE.format(
        id_what=id_what,
        what="una quota dei fondi è" if one else "alcune quote dei fondi sono",
        agree="a" if one else "e",
        ids=", ".join(conditions),
    )
    kept = [c for c in columns if c not in ("rank", "score")]
    return pd.concat([by_id, waiting]).reset_index(drop=True), kept, note
