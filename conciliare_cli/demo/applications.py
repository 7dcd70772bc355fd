"""The ground truth of a synthetic call: applications and their minors, as one table.

`population` draws everything from a numpy Generator seeded by the caller, as whole arrays,
in a fixed order: the same seed gives the same table (no clock, no set iteration order), and
so byte-identical files downstream. Each `_draw_*` step below takes its draws from the one
Generator in turn; changing their order changes every call generated from a seed.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from conciliare_cli.config import load_call
from conciliare_cli.demo.people import distinct_tax_codes, draw_names, pick, slug
from conciliare_cli.demo.pools import BIRTHPLACES, CITIES, SERVICES, STREETS, SURNAMES
from conciliare_cli.demo.rules import RULE_SET
from conciliare_cli.resources import rules_dir

MEAN_MINORS = 1.65  # expected minors per application (1, 2, 3 with p = .5, .35, .15)
MAX_MINORS = 3  # minors per application (and groups of columns in per-application files)

APPLICATION_FIELDS = (
    "application_id",
    "submitted_at",
    "applicant_surname",
    "applicant_name",
    "applicant_tax_code",
    "applicant_email",
    "applicant_address",
    "applicant_postcode",
    "applicant_city",
    "isee",
    "single_parent",
    "both_parents_working",
    "household_size",
)
MINOR_FIELDS = (
    "minor_surname",
    "minor_name",
    "minor_tax_code",
    "minor_birth_date",
    "disability",
    "learning_difficulty",
    "service",
    "requested_eur",
)
# columns of text, held as object arrays (surname ... city of the applicant, the minor's names)
_TEXT_COLUMNS = (
    *("application_id", "protocol", "partner_id", *APPLICATION_FIELDS[2:9]),
    *(*MINOR_FIELDS[:3], "service"),
)
_PLACES = [p for p, _, _ in BIRTHPLACES]
_APPLICANT_PLACE_WEIGHTS = [w for _, w, _ in BIRTHPLACES]
_MINOR_PLACE_WEIGHTS = [w for _, _, w in BIRTHPLACES]
_MAIL_HOSTS = ["gmail.com", "libero.it", "yahoo.it", "hotmail.it", "alice.it"]


@dataclass(frozen=True)
class CallDates:
    reference: np.datetime64  # ages are computed at this date
    opens: np.datetime64
    closes: np.datetime64

    @classmethod
    def of_rules(cls, rule_set: str = RULE_SET) -> CallDates:
        """The dates of a shipped rule set (read once per process: the files do not change)."""
        return _shipped_dates(rule_set)


@functools.cache
def _shipped_dates(rule_set: str) -> CallDates:
    call = load_call(rules_dir() / f"{rule_set}.yaml").config.call
    return CallDates(
        np.datetime64(call.reference_date, "D"),
        np.datetime64(call.submission.opens, "m"),
        np.datetime64(call.submission.closes, "m"),
    )


@dataclass
class _Minors:
    """The minors of the base applications (before the other parents' applications)."""

    kids: np.ndarray  # minors per application
    app_of: np.ndarray  # application of each minor
    first_of: np.ndarray  # index of each application's first minor
    slot: np.ndarray  # each minor's place in its application (1, 2, 3)
    births: np.ndarray  # datetime64[D]
    gender: np.ndarray
    name: np.ndarray
    place: np.ndarray


@dataclass
class _Parents:
    """Applicants: one per base application, or the other parents of some of them."""

    gender: np.ndarray
    surname: np.ndarray
    name: np.ndarray
    place: np.ndarray
    birth: np.ndarray  # datetime64[D]


def population(
    applications: int,
    seed: int,
    partner_ids: Sequence[str],
    *,
    weights: Sequence[float] | None = None,
    counts: Sequence[int] | None = None,
    dates: CallDates | None = None,
    second_parent: float = 0.01,
    outside_window: float = 0.01,
    too_old: float = 0.005,
) -> pd.DataFrame:
    """Ground-truth table: one row per minor, grouped by application, no provenance yet.

    Money in integer cents (Int64, NA when missing), dates as datetime64, booleans.
    `protocol` is the number as the partner's file shows it, `application_id` the reader's
    canonical id (partner + "-" + protocol); `minor_index` is the minor's place (1, 2, 3) in
    its application. Sorted by partner, submission time and application id; protocols are
    numbered per partner in order of submission. `second_parent` is the share of
    applications that are the other parent's application for the same minors (in another
    partner). `counts` fixes the number of applications of each partner (then
    `second_parent` must be 0).
    """
    if applications < 0:
        raise ValueError("applications must be >= 0")
    rng = np.random.default_rng(seed)
    dates = dates or CallDates.of_rules()
    n_dup = round(applications * second_parent) if len(partner_ids) > 1 else 0
    n_dup = min(n_dup, applications // 2)
    minors = _draw_minors(rng, applications - n_dup, dates.reference, too_old)
    applicants, father_surname, oldest = _draw_applicants(rng, minors)
    others, dup_of = _draw_other_parents(rng, applicants, father_surname, oldest, n_dup)
    people = _people(applicants, others, minors, father_surname[minors.app_of])
    people["cf"] = distinct_tax_codes(rng, people)
    partner = _draw_partners(rng, len(partner_ids), dup_of, weights, counts, applications)
    submitted = _draw_submissions(rng, len(partner), dates, outside_window)
    apps = _applications(
        rng, people, partner, submitted, np.concatenate([minors.kids, minors.kids[dup_of]])
    )
    table = _minor_rows(rng, minors, people.iloc[len(partner) :], dup_of, dates.reference)
    table = table.merge(apps, on="_app", how="left", validate="many_to_one")
    return _in_file_order(table, apps, partner_ids, dates)


def _years_before(day: np.datetime64, years: int) -> np.datetime64:
    """The same calendar day `years` earlier (28 February for 29 February)."""
    d = pd.Timestamp(day) - pd.DateOffset(years=years)
    return np.datetime64(d.date(), "D")


def _draw_minors(
    rng: np.random.Generator, n_base: int, reference: np.datetime64, too_old: float
) -> _Minors:
    """1-3 minors per application, aged 0-16 at the reference date (`too_old` of them 17)."""
    kids = rng.choice(np.arange(1, MAX_MINORS + 1), size=n_base, p=[0.5, 0.35, 0.15])
    n_minors = int(kids.sum())
    app_of = np.repeat(np.arange(n_base), kids)
    first_of = np.cumsum(kids) - kids
    slot = np.arange(n_minors) - np.repeat(first_of, kids) + 1
    seventeen = _years_before(reference, 17)  # born on this day: 17 at the reference date
    young_from = seventeen + np.timedelta64(1, "D")  # 16 at most
    young_to = reference - np.timedelta64(60, "D")
    span = int((young_to - young_from).astype(np.int64))
    births = young_from + rng.integers(0, span, n_minors).astype("timedelta64[D]")
    old = rng.random(n_minors) < too_old  # 17 years old at the reference date
    births[old] = seventeen - rng.integers(0, 360, int(old.sum())).astype("timedelta64[D]")
    gender = np.where(rng.random(n_minors) < 0.5, "F", "M").astype(object)
    name = draw_names(rng, gender)
    place = pick(rng, _PLACES, _MINOR_PLACE_WEIGHTS, n_minors)
    return _Minors(kids, app_of, first_of, slot, births, gender, name, place)


def _draw_applicants(
    rng: np.random.Generator, minors: _Minors
) -> tuple[_Parents, np.ndarray, np.ndarray]:
    """The applicants of the base applications, the surname their children carry (the
    father's: the applicant's when he is the father) and each application's oldest birth."""
    n_base = len(minors.kids)
    gender = np.where(rng.random(n_base) < 0.62, "F", "M").astype(object)
    surname = pick(rng, SURNAMES, None, n_base)
    name = draw_names(rng, gender)
    place = pick(rng, _PLACES, _APPLICANT_PLACE_WEIGHTS, n_base)
    births = pd.Series(minors.births).groupby(minors.app_of).min()
    oldest = births.to_numpy().astype("datetime64[D]")
    birth = oldest - rng.integers(20 * 365, 42 * 365, n_base).astype("timedelta64[D]")
    father_surname = np.where(gender == "M", surname, pick(rng, SURNAMES, None, n_base))
    return _Parents(gender, surname, name, place, birth), father_surname, oldest


def _draw_other_parents(
    rng: np.random.Generator,
    applicants: _Parents,
    father_surname: np.ndarray,
    oldest: np.ndarray,
    n_dup: int,
) -> tuple[_Parents, np.ndarray]:
    """The other parent of `n_dup` base applications (which: `dup_of`), who applies too."""
    n_base = len(applicants.gender)
    dup_of = np.sort(rng.choice(n_base, size=n_dup, replace=False)) if n_dup else np.array([], int)
    gender = np.where(applicants.gender[dup_of] == "F", "M", "F").astype(object)
    surname = np.where(gender == "M", father_surname[dup_of], pick(rng, SURNAMES, None, n_dup))
    name = draw_names(rng, gender)
    place = pick(rng, _PLACES, _APPLICANT_PLACE_WEIGHTS, n_dup)
    birth = oldest[dup_of] - rng.integers(20 * 365, 45 * 365, n_dup).astype("timedelta64[D]")
    return _Parents(gender, surname, name, place, birth), dup_of


def _people(
    applicants: _Parents, others: _Parents, minors: _Minors, minor_surname: np.ndarray
) -> pd.DataFrame:
    """Everyone, applicants first, then the other parents, then the minors."""
    groups = [
        (
            applicants.surname,
            applicants.name,
            applicants.gender,
            applicants.birth,
            applicants.place,
        ),
        (others.surname, others.name, others.gender, others.birth, others.place),
        (minor_surname, minors.name, minors.gender, minors.births, minors.place),
    ]
    columns = ["surname", "name", "gender", "birth", "place"]
    return pd.DataFrame({c: np.concatenate([g[i] for g in groups]) for i, c in enumerate(columns)})


def _draw_partners(
    rng: np.random.Generator,
    n_partners: int,
    dup_of: np.ndarray,
    weights: Sequence[float] | None,
    counts: Sequence[int] | None,
    applications: int,
) -> np.ndarray:
    """The partner (index) of each application; the other parent's is another partner."""
    n_base = applications - len(dup_of)
    if counts is not None:
        if sum(counts) != applications or len(counts) != n_partners or len(dup_of):
            raise ValueError("counts must add up to applications, one per partner")
        base = rng.permutation(np.repeat(np.arange(n_partners), counts))
    else:
        base = pick(rng, list(range(n_partners)), weights, n_base).astype(np.int64)
    shift = rng.integers(1, max(n_partners, 2), len(dup_of))
    dup = (base[dup_of] + shift) % max(n_partners, 1)
    return np.concatenate([base, dup]).astype(np.int64)


def _draw_submissions(
    rng: np.random.Generator, n_apps: int, dates: CallDates, outside_window: float
) -> np.ndarray:
    """Submission times: a day of the window, then a minute of office hours (8:00-18:59),
    clipped to the window; `outside_window` of them up to 10 days before or after it."""
    first_day = dates.opens.astype("datetime64[D]")
    days = int((dates.closes.astype("datetime64[D]") - first_day).astype(np.int64)) + 1
    minute = rng.integers(8 * 60, 19 * 60, n_apps).astype("timedelta64[m]")
    submitted = first_day + rng.integers(0, days, n_apps).astype("timedelta64[D]") + minute
    submitted = np.clip(submitted, dates.opens, dates.closes)
    outside = rng.random(n_apps) < outside_window
    before = rng.random(n_apps) < 0.5
    offset = rng.integers(60, 10 * 24 * 60, n_apps).astype("timedelta64[m]")
    submitted = np.where(outside & before, dates.opens - offset, submitted)
    return np.where(outside & ~before, dates.closes + offset, submitted)


def _applications(
    rng: np.random.Generator,
    people: pd.DataFrame,
    partner: np.ndarray,
    submitted: np.ndarray,
    kids: np.ndarray,
) -> pd.DataFrame:
    """One row per application (`_app`, `_partner` and the applicant's fields)."""
    n_apps = len(partner)
    isee = np.round(np.exp(rng.normal(np.log(15_500), 0.55, n_apps)) * 100).astype(np.int64)
    isee_missing = rng.random(n_apps) < 0.10
    single = rng.random(n_apps) < 0.12
    both_working = ~single & (rng.random(n_apps) < 0.75)
    household = kids + np.where(single, 1, 2) + (rng.random(n_apps) < 0.05)
    applicants = people.iloc[:n_apps]
    apps = pd.DataFrame(
        {
            "_app": np.arange(n_apps),
            "_partner": partner,
            "submitted_at": pd.to_datetime(submitted.astype("datetime64[s]")),
            "applicant_surname": applicants["surname"].to_numpy(),
            "applicant_name": applicants["name"].to_numpy(),
            "applicant_tax_code": applicants["cf"].to_numpy(),
            **_contacts(rng, applicants["name"].to_numpy(), applicants["surname"].to_numpy()),
            "isee": pd.array(np.where(isee_missing, 0, isee), dtype="Int64"),
            "single_parent": single,
            "both_parents_working": both_working,
            "household_size": pd.array(household, dtype="Int64"),
        }
    )
    apps.loc[isee_missing, "isee"] = pd.NA
    return apps


def _contacts(rng: np.random.Generator, names: np.ndarray, surnames: np.ndarray) -> dict:
    """E-mail and address of each applicant."""
    n = len(names)
    street = pick(rng, STREETS, None, n)
    number = rng.integers(1, 120, n)
    city_i = pick(rng, list(range(len(CITIES))), [5] + [1] * (len(CITIES) - 1), n)
    mail_host = pick(rng, _MAIL_HOSTS, [5, 3, 1, 1, 1], n)
    return {
        "applicant_email": slug(names) + "." + slug(surnames) + "@" + mail_host,
        "applicant_address": pd.Series(street, dtype=object) + ", " + number.astype(str),
        "applicant_postcode": [CITIES[i][0] for i in city_i],
        "applicant_city": [CITIES[i][1] for i in city_i],
    }


def _rows_of(first_of: np.ndarray, kids: np.ndarray, apps: np.ndarray) -> np.ndarray:
    """Indices of the minors of `apps` (in order)."""
    if len(apps) == 0:
        return np.array([], dtype=np.int64)
    counts = kids[apps]
    starts = np.repeat(first_of[apps], counts)
    return starts + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))


def _minor_rows(
    rng: np.random.Generator,
    minors: _Minors,
    people: pd.DataFrame,
    dup_of: np.ndarray,
    reference: np.datetime64,
) -> pd.DataFrame:
    """One row per minor of every application (`_app`, `minor_index` and the minor's fields);
    the other parents' applications repeat their minors. `people`: the minors' rows."""
    n_base = len(minors.kids)
    repeated = _rows_of(minors.first_of, minors.kids, dup_of)
    source = np.concatenate([np.arange(len(minors.app_of)), repeated])
    owner = np.concatenate(
        [minors.app_of, np.repeat(n_base + np.arange(len(dup_of)), minors.kids[dup_of])]
    )
    total = len(source)
    requested = _requested(rng, total)
    births = people["birth"].to_numpy().astype("datetime64[D]")[source]  # some moved by a clash
    age_days = (reference - births).astype(np.int64)
    return pd.DataFrame(
        {
            "_app": owner,
            "minor_index": np.concatenate([minors.slot, minors.slot[repeated]]),
            "minor_surname": people["surname"].to_numpy()[source],
            "minor_name": people["name"].to_numpy()[source],
            "minor_tax_code": people["cf"].to_numpy()[source],
            "minor_birth_date": pd.to_datetime(births.astype("datetime64[s]")),
            "disability": rng.random(total) < 0.03,
            "learning_difficulty": (rng.random(total) < 0.07) & (age_days > 5 * 365),
            "service": pick(rng, SERVICES, [4, 5, 2, 2, 1], total),
            "requested_eur": requested,
        }
    )


def _requested(rng: np.random.Generator, n: int) -> pd.arrays.IntegerArray:
    """Requested cost in cents: 15% missing, 25% below the 300 EUR cap, the rest above."""
    kind = rng.random(n)
    below = rng.integers(100, 599, n) * 50  # 50,00 .. 299,50
    above = rng.integers(30, 121, n) * 1000  # 300 .. 1.200 in steps of 10
    cents = np.where(kind < 0.25, below, above)
    arr = pd.array(cents, dtype="Int64")
    arr[kind >= 0.85] = pd.NA
    return arr


def _in_file_order(
    table: pd.DataFrame, apps: pd.DataFrame, partner_ids: Sequence[str], dates: CallDates
) -> pd.DataFrame:
    """Ids in order of submission within each partner; rows sorted as the partners export."""
    order = apps.sort_values(["_partner", "submitted_at", "_app"], kind="stable")
    seq = order.groupby("_partner").cumcount().to_numpy() + 1
    prefix = np.asarray(partner_ids, dtype=object)[order["_partner"].to_numpy()]
    year = str(int(str(dates.opens)[:4]))
    protocols = year + "-" + pd.Series(seq).map("{:06d}".format).to_numpy()
    apps_in_order = order["_app"].to_numpy()
    table["protocol"] = pd.Series(protocols, index=apps_in_order).reindex(table["_app"]).to_numpy()
    ids = pd.Series(prefix + "-" + protocols, index=apps_in_order)
    table["application_id"] = ids.reindex(table["_app"]).to_numpy()
    table["partner_id"] = np.asarray(partner_ids, dtype=object)[table["_partner"].to_numpy()]
    rank = pd.Series(np.arange(len(apps)), index=apps_in_order)
    table["_order"] = rank.reindex(table["_app"]).to_numpy()
    table = table.sort_values(["_order", "minor_index"], kind="stable").reset_index(drop=True)
    columns = ["application_id", "partner_id", "protocol", *APPLICATION_FIELDS[1:]]
    out = table[[*columns, *MINOR_FIELDS, "minor_index"]].copy()
    for name in _TEXT_COLUMNS:
        out[name] = out[name].astype(object)
    out["minor_index"] = out["minor_index"].astype(np.int64)
    return out
