"""Duplicates: one application per applicant, one voucher per minor.

Applicant (`duplicates.applicant`): applications with the same `applicant_tax_code`
(compared without spaces and case) are one applicant's; `last` keeps the one submitted last
(`submitted_at`; equal times: the greatest application_id), `first` the one submitted first
(equal times: the smallest application_id). A missing submission time never wins over a
known one. The others are excluded, whatever their eligibility, with DOMANDA_SOSTITUITA: a
later application replaces the earlier one as the applicant's statement.

Minor (`duplicates.minor`): the same `minor_tax_code` admitted in more than one application
(both parents, two partners) keeps its place in one of them: `earlier` = the application
submitted first (then the smallest application_id); `higher_score` = the unit with the
higher score (then as `earlier`). In the others that minor is excluded with
MINORE_IN_ALTRA_DOMANDA; the rest of those applications is untouched. Only minors that are
admitted (no other reason excludes them) compete, and the choice is made once, on the
admissions before duplicates (engine/stages.py says when).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from conciliare_cli.findings import MINOR_ELSEWHERE, SUPERSEDED

__all__ = ["MINOR_ELSEWHERE", "SUPERSEDED", "duplicate_minors", "superseded_applications"]


def _codes(tax_codes: pd.Series) -> np.ndarray:
    """Group codes of tax codes as the reader gives them (upper case, no spaces); -1 for
    missing or empty ones."""
    text = tax_codes.astype("string")
    text = text.mask(text == "")
    codes, _ = pd.factorize(text.to_numpy(dtype=object, na_value=None), use_na_sentinel=True)
    return codes


def _time_key(times: pd.Series, missing_high: bool) -> np.ndarray:
    t = pd.to_datetime(times)
    ns = t.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    fill = np.iinfo(np.int64).max if missing_high else np.iinfo(np.int64).min
    return np.where(t.isna().to_numpy(), fill, ns)


def _losers(groups: np.ndarray, order: np.ndarray) -> np.ndarray:
    """All but the first of each group along `order` (rows with group -1 never lose)."""
    g = groups[order]
    first = np.ones(len(g), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    lose = np.zeros(len(g), dtype=bool)
    lose[order] = ~first
    lose[groups < 0] = False
    return lose


def superseded_applications(
    tax_codes: pd.Series, submitted_at: pd.Series, id_order: np.ndarray, policy: str
) -> np.ndarray:
    """Per application: true when another application of the same applicant counts instead.

    `id_order` ranks the application ids (the canonical order)."""
    who = _codes(tax_codes)
    if len(who) == 0 or (who < 0).all():
        return np.zeros(len(who), dtype=bool)
    ids = np.asarray(id_order)
    if policy == "last":  # latest first (a missing time is the oldest), then the greatest id
        t = -_time_key(submitted_at, missing_high=False)
        return _losers(who, np.lexsort((-ids, t, who)))
    t = _time_key(submitted_at, missing_high=True)
    return _losers(who, np.lexsort((ids, t, who)))


def duplicate_minors(
    tax_codes: pd.Series,
    submitted_at: pd.Series,
    app_order: np.ndarray,
    candidates: np.ndarray,
    policy: str,
    score_th: np.ndarray | None = None,
) -> np.ndarray:
    """Per row: true when the same minor, admitted in another application, keeps its place
    there. Only `candidates` rows compete; rows are in canonical order (the last key);
    `app_order` ranks each row's application id; `score_th` (per row, its unit's score) is
    what `higher_score` compares."""
    n = len(tax_codes)
    out = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(candidates)
    if not len(idx):
        return out
    who = _codes(tax_codes.iloc[idx])
    if not pd.Series(who[who >= 0]).duplicated().any():
        return out
    t = _time_key(submitted_at.iloc[idx], missing_high=True)
    apps = np.asarray(app_order)[idx]
    if policy == "higher_score" and score_th is not None:
        order = np.lexsort((idx, apps, t, -np.asarray(score_th)[idx], who))
    else:
        order = np.lexsort((idx, apps, t, who))
    out[idx] = _losers(who, order)
    return out
