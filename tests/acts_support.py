"""Helpers for the tests of the acts after the final list (conciliare_cli/acts/)."""

from __future__ import annotations

import numpy as np

from conciliare_cli.acts.compute import ActState, Effects, next_state
from conciliare_cli.acts.finallist import FinalList
from conciliare_cli.engine.allocation import Pot, allocate_arrays

EUR = 100


def fund(id_: str, euros: int, eligible: list[bool] | None = None) -> Pot:
    return Pot(id_, id_, euros * EUR, None if eligible is None else np.array(eligible))


def reserve(id_: str, fund_id: str, euros: int, eligible: list[bool]) -> Pot:
    return Pot(id_, fund_id, euros * EUR, np.array(eligible), is_reserve=True)


def arrays_final(
    units: list[list[int]],
    funds: list[Pot],
    reserves: list[Pot] = (),  # type: ignore[assignment]
    policy: str = "partial",
    split: bool = True,
) -> FinalList:
    """A final list made by the allocator from units in rank order (vouchers in euros)."""
    unit = np.array([u for u, minors in enumerate(units) for _ in minors], dtype=np.int64)
    need = np.array([e * EUR for minors in units for e in minors], dtype=np.int64)
    alloc = allocate_arrays(unit, need, funds, list(reserves), policy, split)
    return FinalList(
        result=None,  # type: ignore[arg-type]
        rows=np.arange(len(need)),
        unit=unit,
        need=need,
        draws=alloc.draws.copy(),
        pots=list(alloc.pots),
        policy=policy,
        split=split,
        manifest={"run_date": "2017-09-15"},
        manifest_sha256="0" * 64,
        folder=None,  # type: ignore[arg-type]
    )


def remove(base: FinalList, prev: ActState, rows: list[int], word: str = "RINUNCIA") -> ActState:
    """The next act with `rows` (of the final list) removed by an event."""
    removed = np.zeros(len(base.need), dtype=bool)
    removed[rows] = True
    effects = Effects.none(base)
    effects.word[:] = np.where(removed | prev.removed, np.where(prev.removed, prev.word, word), "")
    return next_state(base, prev, effects)


def euros(cents: np.ndarray) -> list[int]:
    return [int(c) // EUR for c in cents]


def per_fund(base: FinalList, state: ActState) -> dict[str, int]:
    out: dict[str, int] = {}
    for j, pot in enumerate(base.pots):
        out[pot.fund] = out.get(pot.fund, 0) + int(state.draws[:, j].sum())
    return out


def write_events(folder, rows: list[list[str]], name: str = "eventi.xlsx", title: bool = False):
    """The office's register of events as a spreadsheet (the Italian headers of records.py)."""
    import xlsxwriter

    from conciliare_cli.records import EVENTS_HEADERS

    wb = xlsxwriter.Workbook(str(folder / name), {"strings_to_numbers": False})
    ws = wb.add_worksheet("Eventi")
    first = 0
    if title:
        ws.write_string(0, 0, "Registro degli eventi dopo la graduatoria definitiva")
        first = 2
    ws.write_row(first, 0, list(EVENTS_HEADERS.values()))
    for i, row in enumerate(rows, start=first + 1):
        for j, value in enumerate(row):
            ws.write_string(i, j, value)
    wb.close()
