"""The example's people and the planted cases while the files are laid out.

`Builder` draws the people of the six partners (`population`, seeded, with no second-parent
applications, none outside the window, none too old: the example plants those itself),
renumbers the applications the way each partner does, and records what is planted where:
changes to the people (`pop`), single cells overridden as written in a file (`cells`), and
the README's rows (`plants`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from conciliare_cli.demo.applications import population
from conciliare_cli.demo.example.partners import PARTNERS, SEED


@dataclass
class Plant:
    partner: str
    app: str  # application id
    slot: int | None  # minor slot (per-minor rows: which minor); None = application / file
    column: str  # header as the partner sees it ('' for a file-level case)
    what: str
    code: str
    by: str  # validate or rank
    row: str = ""  # resolved Excel row ('—' for file-level)
    file: str = ""


class Builder:
    """Holds the population and the planted cases while the files are laid out."""

    def __init__(self) -> None:
        ids = [p.id for p in PARTNERS]
        self.pop = population(
            sum(p.applications for p in PARTNERS),
            SEED,
            ids,
            counts=[p.applications for p in PARTNERS],
            second_parent=0.0,
            outside_window=0.0,
            too_old=0.0,
        )
        self._protocols()
        self.plants: list[Plant] = []
        self.used: set[str] = set()
        self.cells: dict[str, dict[tuple[str, int | None, str], object]] = {
            p.id: {} for p in PARTNERS
        }
        # the true values of what a planted case overwrote (application, slot, field), for
        # the answers of the istruttoria (demo/example/answers.py)
        self.truth: dict[tuple[str, int | None, str], object] = {}

    def _protocols(self) -> None:
        """Each partner numbers its applications its own way (in order of submission)."""
        pop = self.pop
        seq = pd.Series(pd.factorize(pop["application_id"])[0], index=pop.index)
        first = seq.groupby(pop["partner_id"]).transform("min")
        n = (seq - first + 1).astype(int)
        pattern = {p.id: p.protocol for p in PARTNERS}
        protocol = [pattern[pid].format(n=k) for pid, k in zip(pop["partner_id"], n, strict=True)]
        pop["protocol"] = pd.Series(protocol, index=pop.index, dtype=object)
        pop["application_id"] = (pop["partner_id"] + "-" + pop["protocol"]).astype(object)

    # -- choosing applications
    def pick(
        self,
        partner: str,
        minors: int,
        at: float,
        before: str | None = None,
        after: pd.Timestamp | None = None,
    ) -> str:
        """An unused application of `partner` with `minors` minors, about `at` of the way
        through the file (0..1)."""
        apps = self.pop[self.pop["partner_id"] == partner].groupby("application_id", sort=True)
        sizes = apps.size()
        when = apps["submitted_at"].first()
        ids = list(sizes.index)
        start = int(at * len(ids))
        for app in ids[start:] + ids[:start]:
            if app in self.used or sizes[app] != minors:
                continue
            if after is not None and when[app] <= after:
                continue
            self.used.add(app)
            return app
        raise RuntimeError(f"no application of {partner} with {minors} minors")

    def rows(self, app: str) -> pd.Index:
        return self.pop.index[self.pop["application_id"] == app]

    def minor(self, app: str, slot: int) -> int:
        idx = self.pop.index[
            (self.pop["application_id"] == app) & (self.pop["minor_index"] == slot)
        ]
        return int(idx[0])

    def header(self, partner: str, name: str, slot: int | None = None) -> str:
        style = next(p.style for p in PARTNERS if p.id == partner).headers[name]
        text = style[0] if isinstance(style, tuple) else style
        return text.replace("{n}", str(slot or 1))

    def plant(
        self,
        partner: str,
        app: str,
        slot: int | None,
        field_name: str,
        what: str,
        code: str,
        by: str = "validate",
    ) -> None:
        column = self.header(partner, field_name, slot) if field_name else ""
        self.plants.append(Plant(partner, app, slot, column, what, code, by))

    def cell(self, partner: str, app: str, slot: int | None, header: str, value: object) -> None:
        """Override one cell (as written in the file) of an application / minor."""
        self.cells[partner][(app, slot, header)] = value
