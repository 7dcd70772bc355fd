"""Duplicates: one application per applicant, one voucher per minor.

Applicant (`duplicates.applicant`, `applicant_among`): applications with the same
`applicant_tax_code` (compared without spaces and case) are one applicant's. Which of them
take part in the choice is `applicant_among`:
- `in_window` (the default): only the applications submitted within the call's window, as
  time is counted (engine/timing.py). A late application is neither replaced nor replaces a
  timely one: it is left to the window's rule (FUORI_TERMINE), so it can never make a timely
  application lose its place;
- `admitted`: only the applications no rule or blocking finding excludes and with at least
  one eligible minor ("the last one among those admitted counts");
- `all`: every application, late or excluded ones too (the rule of the first calls).
Among those, `last` keeps the one submitted last, `first` the one submitted first; the
others are excluded, whatever else is true of them, with DOMANDA_SOSTITUITA. A missing
submission time never wins over a known one.

Minor (`duplicates.minor`): the same `minor_tax_code` admitted in more than one application
(both parents, two partners) keeps its place in one of them: `earlier` = the application
submitted first; `higher_score` = the unit with the higher score, then the earlier. In the
others that minor is excluded with MINORE_IN_ALTRA_DOMANDA; the rest of those applications is
untouched. Only minors that are admitted (no other reason excludes them) compete.

Ties (`duplicates.ties`): at the same time of submission (to the second or the minute, as the
call counts it), `lottery` (the default) lets the call's lottery decide: the application
whose lottery text hashes first in the lottery's direction wins (engine/lottery.py), then
the smaller application id; `application_id` uses the ids alone (for `last` the greater id
wins, for `first` and for minors the smaller).

Order of evaluation (engine/stages.py): minor-level rules; application-level rules and
blocking findings; then the applicant's applications (so `admitted` sees those exclusions);
scores; then the minors (after which the application rules run again, not the applicants'
choice). Nothing depends on the order of the rows: every choice is a sort on content.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from conciliare_cli.findings import MINOR_ELSEWHERE, SUPERSEDED

__all__ = ["MINOR_ELSEWHERE", "SUPERSEDED", "duplicate_minors", "superseded_applications"]


def _codes(tax_codes: pd.Series) -> np.ndarray:
    """Group codes of tax codes as the reader gives them (upper case, no spaces); -1 for
    missing or empty ones."""
    text = tax_codes.astype("string").str.replace(r"\s+", "", regex=True).str.upper()
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


def _sort(priority: list[np.ndarray]) -> np.ndarray:
    """Positions sorted on the keys, the first key first."""
    return np.lexsort(tuple(reversed(priority)))


def _lottery_keys(lottery: np.ndarray | None) -> list[np.ndarray]:
    if lottery is None:
        return []
    words = np.asarray(lottery)
    return [words[:, i] for i in range(words.shape[1])]


def superseded_applications(
    tax_codes: pd.Series,
    submitted_at: pd.Series,
    id_order: np.ndarray,
    policy: str,
    among: np.ndarray | None = None,
    lottery: np.ndarray | None = None,
) -> np.ndarray:
    """Per application: true when another application of the same applicant counts instead.

    `id_order` ranks the application ids (the canonical order); `among` marks the
    applications that take part (default all); `lottery` (per application, the lottery's
    sortable words) decides equal times, else the ids do."""
    who = _codes(tax_codes)
    if among is not None:
        who = np.where(np.asarray(among, dtype=bool), who, -1)
    if len(who) == 0 or (who < 0).all():
        return np.zeros(len(who), dtype=bool)
    ids = np.asarray(id_order)
    ties = _lottery_keys(lottery)
    if policy == "last":  # latest first (a missing time is the oldest)
        t = -_time_key(submitted_at, missing_high=False)
        last_ids = ids if ties else -ids  # without the lottery: the greatest id
        return _losers(who, _sort([who, t, *ties, last_ids]))
    t = _time_key(submitted_at, missing_high=True)
    return _losers(who, _sort([who, t, *ties, ids]))


def duplicate_minors(
    tax_codes: pd.Series,
    submitted_at: pd.Series,
    app_order: np.ndarray,
    candidates: np.ndarray,
    policy: str,
    score_th: np.ndarray | None = None,
    lottery: np.ndarray | None = None,
) -> np.ndarray:
    """Per row: true when the same minor, admitted in another application, keeps its place
    there. Only `candidates` rows compete; rows are in canonical order (the last key);
    `app_order` ranks each row's application id; `score_th` (per row, its unit's score) is
    what `higher_score` compares; `lottery` (per row, its application's lottery words)
    decides equal times."""
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
    ties = _lottery_keys(None if lottery is None else np.asarray(lottery)[idx])
    score: list[np.ndarray] = []
    if policy == "higher_score" and score_th is not None:
        score = [-np.asarray(score_th)[idx]]
    out[idx] = _losers(who, _sort([who, *score, t, *ties, apps, idx]))
    return out


def applicant_words(applicant: str, among: str, ties: str) -> str:
    """The applicant's rule in Italian (the Criteri sheet)."""
    which = "vale la prima" if applicant == "first" else "vale l'ultima"
    where = {
        "all": " tra tutte le sue domande, anche tardive o escluse",
        "in_window": " tra quelle presentate nei termini",
        "admitted": " tra quelle ammissibili",
    }[among]
    tie = "il sorteggio" if ties == "lottery" else "il protocollo in ordine alfabetico"
    return f"{which}{where}; a pari ora di presentazione decide {tie}"
