"""Find an application the way a family names it on the phone.

`find_applications(result, key)` tries, in order, and stops at the first kind that matches:

1. the application id, in any case and spacing ('coop-s033');
2. the partner's own protocol number, without the partner prefix ('S033', and '42' for
   'ASST-2017-0042': leading zeros of a number are ignored);
3. a tax code, the applicant's or a minor's;
4. the applicant's surname, or surname and name, in any case and without accents.

Several applications can match (a surname, or an applicant who applied twice): the caller lists
them (`candidates`) so that the coordinator picks one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from conciliare_cli.engine.result import RankResult
from conciliare_cli.italian import datetime_short
from conciliare_cli.natural import natural_sorted
from conciliare_cli.status import status_label

_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def _plain(value: object) -> str:
    """Upper case, no spaces, no accents: how two ways of writing the same key compare."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "".join(text.upper().split())


def _column(m: pd.DataFrame, name: str) -> pd.Series:
    if name not in m.columns:
        return pd.Series("", index=m.index, dtype=object)
    return m[name].astype(object).where(m[name].notna(), "").map(_plain)


def _protocols(ids: pd.Series, partners: pd.Series) -> pd.Series:
    """The id without its '<partner>-' prefix, leading zeros of numbers dropped."""
    out = [
        i[len(p) + 1 :] if p and i.startswith(p + "-") else i
        for i, p in zip(ids.tolist(), partners.tolist(), strict=True)
    ]
    return pd.Series(out, index=ids.index, dtype=object).str.replace(_ZEROS, "", regex=True)


def find_applications(result: RankResult, key: str) -> list[str]:
    """The ids of the applications `key` names (see the module docstring), in natural order."""
    m = result.minors
    wanted = _plain(key)
    if not wanted:
        return []
    ids = _column(m, "application_id")
    surname = _column(m, "applicant_surname")
    full = surname + _column(m, "applicant_name")
    tries = [
        ids == wanted,
        _protocols(ids, _column(m, "partner_id")) == _ZEROS.sub("", wanted),
        (_column(m, "applicant_tax_code") == wanted) | (_column(m, "minor_tax_code") == wanted),
        (surname == wanted) | (full == wanted),
    ]
    for hit in tries:
        found = m.loc[hit.to_numpy(), "application_id"].astype(str).unique().tolist()
        if found:
            return [str(i) for i in natural_sorted(found)]
    return []


@dataclass(frozen=True)
class Candidate:
    """One application among several that match, as the list shows it."""

    application_id: str
    applicant: str
    submitted_at: str
    outcome: str


def candidates(result: RankResult, ids: list[str]) -> list[Candidate]:
    m = result.minors
    out = []
    for app_id in ids:
        rows = m[m["application_id"].astype(str) == app_id]
        admitted = rows[rows["status"].astype(str) != "ESCLUSA"]
        first = (admitted if len(admitted) else rows).iloc[0]
        name = " ".join(
            str(first[c]).strip()
            for c in ("applicant_surname", "applicant_name")
            if c in first.index and pd.notna(first[c])
        )
        when = first.get("submitted_at")
        out.append(
            Candidate(
                application_id=app_id,
                applicant=name,
                submitted_at=datetime_short(when) if pd.notna(when) else "",
                outcome=status_label(str(first.get("status", ""))),
            )
        )
    return out
