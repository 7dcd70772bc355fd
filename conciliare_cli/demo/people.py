"""People and their codici fiscali, drawn as whole arrays.

Codes of named people (`tax_codes`) are built from the pieces that python-codicefiscale
exposes (`encode_lastname`, `encode_firstname`, `encode_birthdate`, `encode_birthplace`), each
called once per distinct value: `encode()` costs about a millisecond per person (17 minutes
for a million minors), the pieces a few seconds in all. The check character comes from
`conciliare_cli.taxcode.check_codes`, the one the validation uses, over the whole array at
once. The tests compare a sample with `codicefiscale.encode` and the check with python-stdnum.

Codes for unit tests (`numbered_tax_codes`) need no names: a number gives six letters and a
place, a birth date the date part; different numbers give different codes.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd
from codicefiscale import codicefiscale as cf_lib

from conciliare_cli.demo.pools import FEMALE_NAMES, MALE_NAMES
from conciliare_cli.taxcode import check_character, check_codes

_MONTH_LETTERS = np.frombuffer(b"ABCDEHLMPRST", dtype=np.uint8)
_OMOCODIA_DIGITS = str.maketrans("LMNPQRSTUV", "0123456789")

# ------------------------------------------------------------------------ codes of named people


def tax_codes(
    surnames: np.ndarray | Sequence[str],
    names: np.ndarray | Sequence[str],
    genders: np.ndarray | Sequence[str],
    birth_dates: np.ndarray | pd.Series | Sequence[dt.date],
    birthplaces: np.ndarray | Sequence[str],
) -> np.ndarray:
    """Codici fiscali of many people at once (an object array of 16-character str).

    Each library piece runs once per distinct surname, name, (date, gender), (place, year).
    """
    if len(surnames) == 0:
        return np.array([], dtype=object)
    days = np.asarray(pd.to_datetime(pd.Series(birth_dates)).to_numpy(), dtype="datetime64[D]")
    body = np.hstack(
        [
            _encoded(surnames, cf_lib.encode_lastname, 3),
            _encoded(names, cf_lib.encode_firstname, 3),
            _birth_pieces(days, np.asarray(genders, dtype=object) == "F"),
            _place_pieces(birthplaces, days),
        ]
    )
    return with_check(body)


def with_check(bodies: np.ndarray) -> np.ndarray:
    """Whole codes (object array of str) from an (n, 15) uint8 array of their first 15
    characters, with the check character of `taxcode.check_codes`."""
    full = np.hstack([bodies, check_codes(bodies)[:, None]])
    return np.ascontiguousarray(full).view("S16").ravel().astype(str).astype(object)


def _ascii(texts: Sequence[str], width: int) -> np.ndarray:
    """Texts of `width` ASCII characters as a (n, width) uint8 matrix."""
    out = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8)
    return out.reshape(len(texts), width) if len(texts) else np.zeros((0, width), np.uint8)


def _encoded(values: np.ndarray | Sequence[str], encode, width: int) -> np.ndarray:
    """`encode` applied once per distinct value, as a (n, width) matrix."""
    index, uniques = pd.factorize(pd.Series(np.asarray(values, dtype=object)))
    return _ascii([encode(u) for u in uniques], width)[index]


def _birth_pieces(days: np.ndarray, female: np.ndarray) -> np.ndarray:
    """The five characters of the birth date (and sex), once per distinct (day, sex)."""
    index, uniques = pd.factorize(days.astype(np.int64) * 2 + female)
    texts = []
    for key in uniques:
        day = np.datetime64(int(key) // 2, "D").astype(dt.date)
        moment = dt.datetime(day.year, day.month, day.day)
        texts.append(cf_lib.encode_birthdate(moment, "F" if key % 2 else "M"))
    return _ascii(texts, 5)[index]


def _place_pieces(places: np.ndarray | Sequence[str], days: np.ndarray) -> np.ndarray:
    """The four characters of the birth place, once per distinct (place, year of birth)."""
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    key = pd.Series(np.asarray(places, dtype=object)) + "|" + pd.Series(years).astype(str)
    index, uniques = pd.factorize(key)
    texts = [_birthplace_code(k.split("|")[0], int(k.split("|")[1])) for k in uniques]
    return _ascii(texts, 4)[index]


@functools.cache
def _birthplace_code(place: str, year: int) -> str:
    code = cf_lib.encode_birthplace(place, dt.datetime(year, 7, 1))
    if not code:  # pragma: no cover - every pooled place is known to the library
        raise ValueError(place)
    return str(code)


def distinct_tax_codes(rng: np.random.Generator, people: pd.DataFrame) -> np.ndarray:
    """Tax codes for `people` (surname, name, gender, birth, place), moving birth dates a few
    days until no two people share one.

    (In real life the Agenzia delle Entrate resolves clashes by omocodia; here the few
    clashing people are born a few days later.) `people.birth` is updated in place.
    """
    columns = ["surname", "name", "gender", "birth", "place"]
    codes = tax_codes(*(people[c] for c in columns))
    for _ in range(50):
        clash = pd.Series(codes).duplicated(keep="first").to_numpy()
        if not clash.any():
            return codes
        idx = np.flatnonzero(clash)
        moved = people["birth"].to_numpy()[idx] + rng.integers(1, 28, len(idx)).astype(
            "timedelta64[D]"
        )
        people.loc[idx, "birth"] = moved
        codes[idx] = tax_codes(*(people[c].to_numpy()[idx] for c in columns))
    raise RuntimeError("could not make the tax codes distinct")  # pragma: no cover


# ------------------------------------------------------------------------ changing one code


def recode_birth(code: str, birth: dt.date) -> str:
    """The same codice fiscale with another birth date (same sex, new check character)."""
    female = int(code[9:11].translate(_OMOCODIA_DIGITS)) > 40
    when = dt.datetime(birth.year, birth.month, birth.day)
    body = code[:6] + cf_lib.encode_birthdate(when, "F" if female else "M") + code[11:15]
    return body + check_character(body)


def with_surname(code: str, surname: str) -> str:
    """The same codice fiscale for someone with another surname (new check character)."""
    body = cf_lib.encode_lastname(surname) + code[3:15]
    return body + check_character(body)


def bad_check(code: str) -> str:
    """The same code with a wrong check character."""
    last = code[-1]
    return code[:-1] + chr((ord(last) - 65 + 7) % 26 + 65)


# ------------------------------------------------------------------------ codes for unit tests


def numbered_tax_codes(
    numbers: np.ndarray | Sequence[int],
    births: pd.DatetimeIndex | pd.Series | Sequence,
    female: np.ndarray | Sequence[bool] | None = None,
) -> np.ndarray:
    """A valid codice fiscale per number (an object array of str), vectorised.

    The number gives the six letters (base 26) and the place (D100-D999), `births` the date
    part, `female` adds 40 to the day. Different numbers below 26**6 give different codes.
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    b = pd.DatetimeIndex(births)
    body = np.zeros((len(numbers), 15), dtype=np.uint8)
    for i in range(6):
        body[:, i] = 65 + (numbers // 26**i) % 26
    yy = np.asarray(b.year % 100)
    body[:, 6], body[:, 7] = 48 + yy // 10, 48 + yy % 10
    body[:, 8] = _MONTH_LETTERS[np.asarray(b.month) - 1]
    day = np.asarray(b.day) + (40 * np.asarray(female, dtype=bool) if female is not None else 0)
    body[:, 9], body[:, 10] = 48 + day // 10, 48 + day % 10
    body[:, 11] = ord("D")
    place = numbers % 900 + 100
    body[:, 12], body[:, 13], body[:, 14] = (
        48 + place // 100,
        48 + place // 10 % 10,
        48 + place % 10,
    )
    return with_check(body)


def numbered_tax_code(number: int, birth: pd.Timestamp | None = None, female: bool = False) -> str:
    """`numbered_tax_codes` for one number (born on 1 January 2010 unless told)."""
    born = birth if birth is not None else pd.Timestamp("2010-01-01")
    return str(numbered_tax_codes([number], pd.DatetimeIndex([born]), [female])[0])


# ------------------------------------------------------------------------ drawing


def pick(
    rng: np.random.Generator, pool: Sequence, weights: Sequence[float] | None, n: int
) -> np.ndarray:
    """`n` values of `pool` (an object array), with `weights` (relative) or uniformly."""
    p = None
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        p = w / w.sum()
    idx = rng.choice(len(pool), size=n, p=p)
    return np.asarray(list(pool), dtype=object)[idx]


def draw_names(rng: np.random.Generator, genders: np.ndarray) -> np.ndarray:
    """A first name per person, from the pool of their gender ('F' or 'M')."""
    male = pick(rng, MALE_NAMES, None, len(genders))
    female = pick(rng, FEMALE_NAMES, None, len(genders))
    return np.where(genders == "F", female, male).astype(object)


def slug(values: np.ndarray | pd.Series) -> np.ndarray:
    """Lower-case ASCII letters of names, for e-mail addresses (once per distinct value)."""
    s = pd.Series(np.asarray(values, dtype=object))
    codes, uniques = pd.factorize(s)
    mapped = [
        "".join(
            ch for ch in unicodedata.normalize("NFKD", u).lower() if ch.isalpha() and ch.isascii()
        )
        for u in uniques
    ]
    return np.asarray(mapped, dtype=object)[codes]
