"""Synthetic calls: realistic applications in every layout and format the reader supports.

`generate_call` writes a complete call folder (bando.yaml with a `partners:` section, and the
partner files) for demos, tests and benchmarks. Everything comes from a numpy Generator seeded
by the caller: the same seed gives byte-identical files (no clock, no set iteration order).

The people are drawn as whole arrays; codici fiscali are built from the pieces that the
python-codicefiscale library exposes (`encode_lastname`, `encode_firstname`,
`encode_birthdate`, `encode_birthplace`, `encode_cin`), each called once per distinct value:
`encode()` costs about a millisecond per person (17 minutes for a million minors), the pieces
a few seconds in all. The check character is a sum over positions modulo 26; its per-position
table is measured from `encode_cin` itself (one call per position and character), then
applied to the whole array at once. The tests compare a sample with `codicefiscale.encode`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import string
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from codicefiscale import codicefiscale as cf_lib

from conciliare_cli.config import CONFIG_NAME, load_call
from conciliare_cli.errors import UserError
from conciliare_cli.resources import rules_dir

RULE_SET = "conciliare-2017"
MEAN_MINORS = 1.65  # expected minors per application (1, 2, 3 with p = .5, .35, .15)
MAX_MINORS = 3  # minors per application (and groups of columns in per-application files)
MAX_ROWS_PER_FILE = 500_000  # data rows; larger partners are split into several files
FIXED_CREATED = dt.datetime(2017, 8, 1, 9, 0, 0)  # xlsx document date: files are reproducible

# ------------------------------------------------------------------------ pools


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = _words(
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti "
    "De_Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani "
    "Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra "
    "Coppola De_Santis D'Angelo Marchetti Parisi Villa Conte Ferraro Ferri Fabbri Bianco "
    "Marini Grasso Valentini Messina Sala De_Angelis Gatti Pellegrini Palumbo Sanna Farina "
    "Rizzi Monti Cattaneo Morelli Amato Silvestri Mazza Testa Dell'Acqua Pellegrino Carbone "
    "Giuliani Benedetti Barone Rossetti Caputo Montanari Guerra Palmieri Bernardi Martino "
    "Fiore De_Rosa Ferretti Bellini Basile Riva Donati Piras Vitali Battaglia Sartori Neri "
    "Costantini Milani Pagano Ruggiero Sorrentino D'Amico Orlando Damico Negri Brambilla "
    "Cantù Bonizzi Arpini Zaninelli Vailati Severgnini Bombelli Tolasi Cerioli Guerini Bonetti "
    "Scotti Piloni Lupo_Stanghellini Nicolò Forlani Pagliari Mussi Spoldi Tadi Benzoni Agostino"
)
SURNAMES = [s.replace("_", " ") for s in SURNAMES]  # De_Luca: one surname, two words

MALE_NAMES = _words(
    "Francesco Alessandro Lorenzo Andrea Leonardo Mattia Gabriele Tommaso Riccardo Edoardo "
    "Matteo Giuseppe Antonio Federico Diego Davide Christian Nicolò Marco Samuele Pietro "
    "Filippo Luca Michele Simone Giovanni Emanuele Alessio Daniele Vincenzo Giacomo Niccolò "
    "Cristian Stefano Paolo Roberto Massimo Fabio Claudio Maurizio Sergio Giorgio Enrico "
    "Alberto Angelo Salvatore Mario Luigi Carlo Franco Nicola Ivan Omar Youssef Mohamed Alin "
    "Elia Jacopo Achille Ettore Noè"
)

FEMALE_NAMES = _words(
    "Sofia Giulia Aurora Alice Ginevra Emma Giorgia Greta Beatrice Anna Chiara Sara Nicole "
    "Ludovica Gaia Matilde Vittoria Noemi Francesca Alessia Martina Elisa Elena Federica "
    "Valentina Silvia Laura Paola Roberta Monica Barbara Cristina Simona Daniela "
    "Stefania Manuela Michela Ilaria Marta Irene Camilla Rebecca Bianca Arianna Viola Asia "
    "Maria Lucia Rosa Teresa Angela Fatima Andreea Ioana Zoe Desirée Nausicaa Licia Benedetta"
)

# (place, weight for applicants, weight for minors): municipalities and foreign countries
BIRTHPLACES = (
    ("Crema", 30, 55),
    ("Cremona", 12, 15),
    ("Lodi", 6, 8),
    ("Milano", 10, 10),
    ("Bergamo", 5, 4),
    ("Brescia", 4, 2),
    ("Piacenza", 3, 2),
    ("Treviglio", 3, 2),
    ("Napoli", 5, 0.5),
    ("Palermo", 4, 0.3),
    ("Bari", 3, 0.3),
    ("Roma", 3, 0.4),
    ("Romania", 3, 0.2),
    ("Albania", 2, 0.2),
    ("Marocco", 2, 0.1),
    ("India", 1, 0.1),
)

SERVICES = (
    "Pre e post scuola",
    "Centro estivo",
    "Servizi nei periodi di chiusura scolastica",
    "Attività ricreative",
    "Doposcuola",
)

STREETS = (
    "Via Roma",
    "Via Mazzini",
    "Via Garibaldi",
    "Via XX Settembre",
    "Via Cavour",
    "Viale Repubblica",
    "Via Dante",
    "Piazza Duomo",
    "Via Libertà",
    "Via Stazione",
    "Via Carlo Urbino",
    "Via Bottesini",
    "Via Mercato",
    "Largo Dossena",
    "Via Matteotti",
)

CITIES = (
    ("26013", "Crema"),
    ("26100", "Cremona"),
    ("26010", "Bagnolo Cremasco"),
    ("26017", "Pandino"),
    ("26027", "Rivolta d'Adda"),
    ("26012", "Castelleone"),
    ("26010", "Offanengo"),
    ("26019", "Vailate"),
    ("26900", "Lodi"),
    ("24047", "Treviglio"),
)

PARTNERS = (
    ("ASST", "ASST di Crema"),
    ("ATS", "ATS Val Padana"),
    ("COMUNE", "Comune di Crema"),
    ("COOP", "Cooperativa Sociale Il Sorriso"),
    ("AZIENDA", "Manifattura Cremasca S.r.l."),
    ("BANCA", "Banca di Credito Cremasco"),
    ("CASA", "Fondazione Casa di Riposo di Crema"),
    ("SCUOLA", "Istituto Comprensivo Crema Uno"),
)

# ------------------------------------------------------------------------ formats and styles

DATE_EPOCH = np.datetime64("1899-12-30", "D")  # Excel's day zero (serial dates)


@dataclass(frozen=True)
class FileFormat:
    name: str
    extension: str
    delimiter: str | None = None  # CSV only
    encoding: str | None = None  # CSV only
    line_end: str = "\n"


FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in [
        FileFormat("xlsx", "xlsx"),
        FileFormat("csv", "csv", ";", "utf-8-sig", "\r\n"),
        FileFormat("csv-comma", "csv", ",", "cp1252", "\r\n"),
        FileFormat("csv-tab", "csv", "\t", "cp1252", "\r\n"),
        FileFormat("csv-utf8", "csv", ";", "utf-8", "\n"),
    ]
}
DEFAULT_FORMATS = ("xlsx", "csv", "csv-tab", "xlsx", "csv-comma")


@dataclass(frozen=True)
class Style:
    """How one partner's system exports: layout, headers, and how it writes values."""

    layout: str  # "minor" (a row per minor) or "application" (Figlio 1, Figlio 2, ...)
    headers: dict[str, str | tuple[str, str]]  # field -> header; a pair = date and time columns
    date: str  # strftime pattern of dates in text files
    time: str  # strftime pattern of the time (appended to the date, or its own column)
    money: str  # "it" 1.234,56 | "comma" 1234,56 | "euro" € 1.234,56
    yes_no: tuple[str, str]


_MINOR_A = {
    "minor_surname": "Cognome minore",
    "minor_name": "Nome minore",
    "minor_tax_code": "CF minore",
    "minor_birth_date": "Data nascita minore",
    "disability": "Disabilità L.104",
    "learning_difficulty": "DSA/BES",
    "service": "Servizio",
    "requested_eur": "Costo richiesto",
}

STYLES: tuple[Style, ...] = (
    Style(
        "minor",
        {
            "application_id": "Protocollo",
            "submitted_at": "Data presentazione",
            "applicant_surname": "Cognome",
            "applicant_name": "Nome",
            "applicant_tax_code": "Codice fiscale",
            "applicant_email": "E-mail",
            "applicant_address": "Indirizzo",
            "applicant_postcode": "CAP",
            "applicant_city": "Comune",
            "isee": "ISEE",
            "single_parent": "Monogenitore",
            "both_parents_working": "Entrambi lavoratori",
            "household_size": "Componenti nucleo",
            **_MINOR_A,
        },
        "%d/%m/%Y",
        " %H:%M",
        "it",
        ("SI", "NO"),
    ),
    Style(
        "application",
        {
            "application_id": "N. domanda",
            "submitted_at": ("Data invio", "Ora invio"),
            "applicant_surname": "Cognome dipendente",
            "applicant_name": "Nome dipendente",
            "applicant_tax_code": "C.F. dipendente",
            "applicant_email": "Email",
            "isee": "Valore ISEE",
            "single_parent": "Genitore solo",
            "both_parents_working": "Due genitori lavoratori",
            "household_size": "N. componenti",
            "minor_surname": "Cognome figlio {n}",
            "minor_name": "Nome figlio {n}",
            "minor_tax_code": "CF figlio {n}",
            "minor_birth_date": "Nato il figlio {n}",
            "disability": "L.104 figlio {n}",
            "learning_difficulty": "DSA figlio {n}",
            "service": "Servizio figlio {n}",
            "requested_eur": "Spesa figlio {n}",
        },
        "%d/%m/%Y",
        "%H:%M",
        "comma",
        ("X", ""),
    ),
    Style(
        "minor",
        {
            "application_id": "ID pratica",
            "submitted_at": "Timestamp",
            "applicant_surname": "Cognome richiedente",
            "applicant_name": "Nome richiedente",
            "applicant_tax_code": "CF richiedente",
            "applicant_email": "Posta elettronica",
            "applicant_address": "Via",
            "applicant_postcode": "Cap",
            "applicant_city": "Città",
            "isee": "Importo ISEE",
            "single_parent": "Nucleo monogenitoriale",
            "both_parents_working": "Genitori entrambi occupati",
            "minor_surname": "Cognome bambino",
            "minor_name": "Nome bambino",
            "minor_tax_code": "CF bambino",
            "minor_birth_date": "Nascita bambino",
            "disability": "Certificazione 104",
            "learning_difficulty": "DSA o BES",
            "service": "Tipo servizio",
            "requested_eur": "Importo richiesto",
        },
        "%Y-%m-%d",
        " %H:%M:%S",
        "comma",
        ("1", "0"),
    ),
    Style(
        "minor",
        {
            "application_id": "Numero protocollo",
            "submitted_at": "Data e ora domanda",
            "applicant_surname": "COGNOME",
            "applicant_name": "NOME",
            "applicant_tax_code": "CODICE FISCALE",
            "applicant_email": "EMAIL",
            "isee": "ISEE (euro)",
            "single_parent": "MONOGENITORE",
            "both_parents_working": "ENTRAMBI LAVORANO",
            "household_size": "COMPONENTI",
            "minor_surname": "COGNOME FIGLIO",
            "minor_name": "NOME FIGLIO",
            "minor_tax_code": "CODICE FISCALE FIGLIO",
            "minor_birth_date": "DATA NASCITA FIGLIO",
            "disability": "DISABILE",
            "learning_difficulty": "DSA",
            "service": "SERVIZIO",
            "requested_eur": "COSTO",
        },
        "%d.%m.%Y",
        " %H:%M",
        "euro",
        ("Sì", "No"),
    ),
    Style(
        "application",
        {
            "application_id": "Pratica",
            "submitted_at": "Presentata il",
            "applicant_surname": "Cognome",
            "applicant_name": "Nome",
            "applicant_tax_code": "Codice Fiscale",
            "applicant_email": "Indirizzo e-mail",
            "applicant_address": "Residenza",
            "applicant_city": "Comune di residenza",
            "isee": "ISEE",
            "single_parent": "Famiglia monogenitoriale",
            "both_parents_working": "Entrambi i genitori lavorano",
            "minor_surname": "Figlio {n} - Cognome",
            "minor_name": "Figlio {n} - Nome",
            "minor_tax_code": "Figlio {n} - Codice fiscale",
            "minor_birth_date": "Figlio {n} - Data di nascita",
            "disability": "Figlio {n} - L.104",
            "learning_difficulty": "Figlio {n} - DSA/BES",
            "service": "Figlio {n} - Servizio",
            "requested_eur": "Figlio {n} - Costo",
        },
        "%d/%m/%Y",
        " %H:%M",
        "it",
        ("SI", "NO"),
    ),
)

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
MONEY_FIELDS = ("isee", "requested_eur")
BOOL_FIELDS = ("single_parent", "both_parents_working", "disability", "learning_difficulty")

# ------------------------------------------------------------------------ results


def applications_for(minors: int) -> int:
    """How many applications give about `minors` minors (for benchmarks sized in minors)."""
    return max(1, round(minors / MEAN_MINORS))


@dataclass(frozen=True)
class GeneratedPartner:
    id: str
    name: str
    format: str
    layout: str
    files: list[str]  # relative to the call folder, / separators
    applications: int
    minors: int


@dataclass(frozen=True)
class GeneratedCall:
    """What `generate_call` wrote, with the ground truth for tests and benchmarks.

    `table` has one row per minor with the canonical fields as the reader should return them
    (money in integer cents, Int64; dates as datetime64; booleans) and the provenance columns
    (partner_id, source_file, source_sheet, source_row, minor_slot: the group number in
    per-application files, 1 in per-minor files, as conciliare_cli/fields.py says), plus
    `protocol` (as written in the file) and `minor_index` (the minor's place in its
    application).
    """

    folder: Path
    seed: int
    applications: int
    minors: int
    partners: list[GeneratedPartner]
    table: pd.DataFrame = field(repr=False)
    outside_window: int  # applications submitted outside the window
    missing_isee: int  # applications without ISEE
    missing_requested: int  # minors without a requested cost
    below_cap: int  # minors whose requested cost is below the voucher cap
    second_parent: int  # applications of the other parent, with the same minors
    seconds: float = 0.0


# ------------------------------------------------------------------------ codici fiscali

_CF_ALPHABET = string.digits + string.ascii_uppercase


@functools.cache
def _cin_table() -> tuple[int, np.ndarray]:
    """(check value of 'A'*15, table[position, ascii] = change of the sum mod 26).

    Measured from `codicefiscale.encode_cin` on codes that differ from the base in one
    position: the check is a sum over positions, so the changes add up.
    """
    base = "A" * 15
    b = ord(cf_lib.encode_cin(base)) - 65
    table = np.zeros((15, 128), dtype=np.int64)
    for i in range(15):
        for ch in _CF_ALPHABET:
            probe = base[:i] + ch + base[i + 1 :]
            table[i, ord(ch)] = (ord(cf_lib.encode_cin(probe)) - 65 - b) % 26
    return b, table


def _ascii(texts: Sequence[str], width: int) -> np.ndarray:
    """Codes as a (n, width) uint8 matrix."""
    out = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8)
    return out.reshape(len(texts), width) if len(texts) else np.zeros((0, width), np.uint8)


def tax_codes(
    surnames: np.ndarray | Sequence[str],
    names: np.ndarray | Sequence[str],
    genders: np.ndarray | Sequence[str],
    birth_dates: np.ndarray | pd.Series | Sequence[dt.date],
    birthplaces: np.ndarray | Sequence[str],
) -> np.ndarray:
    """Codici fiscali of many people at once (an array of 16-character str).

    Each library piece runs once per distinct surname, name, (date, gender), (place, year).
    """
    n = len(surnames)
    if n == 0:
        return np.array([], dtype=object)
    sur_i, sur_u = pd.factorize(pd.Series(np.asarray(surnames, dtype=object)))
    nam_i, nam_u = pd.factorize(pd.Series(np.asarray(names, dtype=object)))
    sur = _ascii([cf_lib.encode_lastname(s) for s in sur_u], 3)[sur_i]
    nam = _ascii([cf_lib.encode_firstname(s) for s in nam_u], 3)[nam_i]

    days = np.asarray(pd.to_datetime(pd.Series(birth_dates)).to_numpy(), dtype="datetime64[D]")
    female = np.asarray(genders, dtype=object) == "F"
    date_key = days.astype(np.int64) * 2 + female
    d_i, d_u = pd.factorize(date_key)
    date_texts = []
    for key in d_u:
        day = np.datetime64(int(key) // 2, "D").astype(dt.date)
        moment = dt.datetime(day.year, day.month, day.day)
        date_texts.append(cf_lib.encode_birthdate(moment, "F" if key % 2 else "M"))
    dates = _ascii(date_texts, 5)[d_i]

    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    place_key = (
        pd.Series(np.asarray(birthplaces, dtype=object)) + "|" + pd.Series(years).astype(str)
    )
    p_i, p_u = pd.factorize(place_key)
    place_texts = [_birthplace_code(k.split("|")[0], int(k.split("|")[1])) for k in p_u]
    places = _ascii(place_texts, 4)[p_i]

    body = np.hstack([sur, nam, dates, places])
    base, table = _cin_table()
    check = (base + table[np.arange(15), body].sum(axis=1)) % 26 + 65
    full = np.hstack([body, check.astype(np.uint8)[:, None]])
    return np.ascontiguousarray(full).view("S16").ravel().astype(str).astype(object)


@functools.cache
def _birthplace_code(place: str, year: int) -> str:
    code = cf_lib.encode_birthplace(place, dt.datetime(year, 7, 1))
    if not code:  # pragma: no cover - every pooled place is known to the library
        raise ValueError(place)
    return str(code)


# ------------------------------------------------------------------------ the population


@dataclass(frozen=True)
class CallDates:
    reference: np.datetime64  # ages are computed at this date
    opens: np.datetime64
    closes: np.datetime64

    @classmethod
    def of_rules(cls, rule_set: str = RULE_SET) -> CallDates:
        call = load_call(rules_dir() / f"{rule_set}.yaml").config.call
        return cls(
            np.datetime64(call.reference_date, "D"),
            np.datetime64(call.submission.opens, "m"),
            np.datetime64(call.submission.closes, "m"),
        )


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
    n_partners = len(partner_ids)
    n_dup = round(applications * second_parent) if n_partners > 1 else 0
    n_dup = min(n_dup, applications // 2)
    n_base = applications - n_dup

    # --- minors of the base applications
    kids = rng.choice(np.arange(1, MAX_MINORS + 1), size=n_base, p=[0.5, 0.35, 0.15])
    n_minors = int(kids.sum())
    app_of = np.repeat(np.arange(n_base), kids)
    first_of = np.cumsum(kids) - kids
    slot = np.arange(n_minors) - np.repeat(first_of, kids) + 1

    ref = dates.reference
    seventeen = _years_before(ref, 17)  # born on this day: 17 at the reference date
    young_from = seventeen + np.timedelta64(1, "D")  # 16 at most
    young_to = ref - np.timedelta64(60, "D")
    span = int((young_to - young_from).astype(np.int64))
    births = young_from + rng.integers(0, span, n_minors).astype("timedelta64[D]")
    old = rng.random(n_minors) < too_old  # 17 years old at the reference date
    births[old] = seventeen - rng.integers(0, 360, int(old.sum())).astype("timedelta64[D]")
    minor_gender = np.where(rng.random(n_minors) < 0.5, "F", "M").astype(object)
    minor_name = _names(rng, minor_gender)
    minor_place = _pick(
        rng, [p for p, _, _ in BIRTHPLACES], [w for _, _, w in BIRTHPLACES], n_minors
    )

    # --- applicants (base) and the other parents
    app_gender = np.where(rng.random(n_base) < 0.62, "F", "M").astype(object)
    app_surname = _pick(rng, SURNAMES, None, n_base)
    app_name = _names(rng, app_gender)
    app_place = _pick(rng, [p for p, _, _ in BIRTHPLACES], [w for _, w, _ in BIRTHPLACES], n_base)
    oldest = pd.Series(births).groupby(app_of).min().to_numpy().astype("datetime64[D]")
    app_birth = oldest - rng.integers(20 * 365, 42 * 365, n_base).astype("timedelta64[D]")
    # children carry the father's surname: the applicant's when he is the father
    father_surname = np.where(app_gender == "M", app_surname, _pick(rng, SURNAMES, None, n_base))
    minor_surname = father_surname[app_of]

    dup_of = np.sort(rng.choice(n_base, size=n_dup, replace=False)) if n_dup else np.array([], int)
    dup_gender = np.where(app_gender[dup_of] == "F", "M", "F").astype(object)
    dup_surname = np.where(
        dup_gender == "M", father_surname[dup_of], _pick(rng, SURNAMES, None, n_dup)
    )
    dup_name = _names(rng, dup_gender)
    dup_place = _pick(rng, [p for p, _, _ in BIRTHPLACES], [w for _, w, _ in BIRTHPLACES], n_dup)
    dup_birth = oldest[dup_of] - rng.integers(20 * 365, 45 * 365, n_dup).astype("timedelta64[D]")

    # --- codici fiscali, distinct across all people
    people = pd.DataFrame(
        {
            "surname": np.concatenate([app_surname, dup_surname, minor_surname]),
            "name": np.concatenate([app_name, dup_name, minor_name]),
            "gender": np.concatenate([app_gender, dup_gender, minor_gender]),
            "birth": np.concatenate([app_birth, dup_birth, births]).astype("datetime64[D]"),
            "place": np.concatenate([app_place, dup_place, minor_place]),
        }
    )
    people["cf"] = _distinct_tax_codes(rng, people)
    a_people = people.iloc[:n_base].reset_index(drop=True)
    d_people = people.iloc[n_base : n_base + n_dup].reset_index(drop=True)
    m_people = people.iloc[n_base + n_dup :].reset_index(drop=True)
    births = m_people["birth"].to_numpy().astype("datetime64[D]")  # some moved by a clash

    # --- application facts
    n_apps = n_base + n_dup
    if counts is not None:
        if sum(counts) != applications or len(counts) != n_partners or n_dup:
            raise ValueError("counts must add up to applications, one per partner")
        base_partner = rng.permutation(np.repeat(np.arange(n_partners), counts))
    else:
        base_partner = _pick(rng, list(range(n_partners)), weights, n_base).astype(np.int64)
    shift = rng.integers(1, max(n_partners, 2), n_dup)
    dup_partner = (base_partner[dup_of] + shift) % max(n_partners, 1)
    partner = np.concatenate([base_partner, dup_partner]).astype(np.int64)

    # inside the window: a day, then a minute of office hours (8:00-18:59), clipped
    first_day = dates.opens.astype("datetime64[D]")
    days = int((dates.closes.astype("datetime64[D]") - first_day).astype(np.int64)) + 1
    minute = rng.integers(8 * 60, 19 * 60, n_apps).astype("timedelta64[m]")
    submitted = first_day + rng.integers(0, days, n_apps).astype("timedelta64[D]") + minute
    submitted = np.clip(submitted, dates.opens, dates.closes)
    outside = rng.random(n_apps) < outside_window
    before = rng.random(n_apps) < 0.5
    offset = rng.integers(60, 10 * 24 * 60, n_apps).astype("timedelta64[m]")
    submitted = np.where(outside & before, dates.opens - offset, submitted)
    submitted = np.where(outside & ~before, dates.closes + offset, submitted)

    isee = np.round(np.exp(rng.normal(np.log(15_500), 0.55, n_apps)) * 100).astype(np.int64)
    isee_missing = rng.random(n_apps) < 0.10
    single = rng.random(n_apps) < 0.12
    both_working = ~single & (rng.random(n_apps) < 0.75)
    all_kids = np.concatenate([kids, kids[dup_of]])
    household = all_kids + np.where(single, 1, 2) + (rng.random(n_apps) < 0.05)

    surnames = np.concatenate([a_people["surname"], d_people["surname"]])
    names = np.concatenate([a_people["name"], d_people["name"]])
    street = _pick(rng, STREETS, None, n_apps)
    number = rng.integers(1, 120, n_apps)
    city_i = _pick(rng, list(range(len(CITIES))), [5] + [1] * (len(CITIES) - 1), n_apps)
    mail_host = _pick(
        rng,
        ["gmail.com", "libero.it", "yahoo.it", "hotmail.it", "alice.it"],
        [5, 3, 1, 1, 1],
        n_apps,
    )
    apps = pd.DataFrame(
        {
            "_app": np.arange(n_apps),
            "_partner": partner,
            "submitted_at": pd.to_datetime(submitted.astype("datetime64[s]")),
            "applicant_surname": surnames,
            "applicant_name": names,
            "applicant_tax_code": np.concatenate([a_people["cf"], d_people["cf"]]),
            "applicant_email": _slug(names) + "." + _slug(surnames) + "@" + mail_host,
            "applicant_address": pd.Series(street, dtype=object) + ", " + number.astype(str),
            "applicant_postcode": [CITIES[i][0] for i in city_i],
            "applicant_city": [CITIES[i][1] for i in city_i],
            "isee": pd.array(np.where(isee_missing, 0, isee), dtype="Int64"),
            "single_parent": single,
            "both_parents_working": both_working,
            "household_size": pd.array(household, dtype="Int64"),
        }
    )
    apps.loc[isee_missing, "isee"] = pd.NA

    # --- minor facts (second-parent applications repeat the same minors)
    source = np.concatenate([np.arange(n_minors), _rows_of(first_of, kids, dup_of)])
    owner = np.concatenate([app_of, np.repeat(n_base + np.arange(n_dup), kids[dup_of])])
    total = len(source)
    requested = _requested(rng, total)
    age_days = (ref - births[source]).astype(np.int64)
    minors = pd.DataFrame(
        {
            "_app": owner,
            "minor_index": np.concatenate([slot, slot[_rows_of(first_of, kids, dup_of)]]),
            "minor_surname": m_people["surname"].to_numpy()[source],
            "minor_name": m_people["name"].to_numpy()[source],
            "minor_tax_code": m_people["cf"].to_numpy()[source],
            "minor_birth_date": pd.to_datetime(births[source].astype("datetime64[s]")),
            "disability": rng.random(total) < 0.03,
            "learning_difficulty": (rng.random(total) < 0.07) & (age_days > 5 * 365),
            "service": _pick(rng, SERVICES, [4, 5, 2, 2, 1], total),
            "requested_eur": requested,
        }
    )
    table = minors.merge(apps, on="_app", how="left", validate="many_to_one")

    # --- ids in order of submission within each partner; rows sorted as exported
    order = apps.sort_values(["_partner", "submitted_at", "_app"], kind="stable")
    seq = order.groupby("_partner").cumcount().to_numpy() + 1
    prefix = np.asarray(partner_ids, dtype=object)[order["_partner"].to_numpy()]
    year = str(int(str(dates.opens)[:4]))
    protocols = year + "-" + pd.Series(seq).map("{:06d}".format).to_numpy()
    protocol_of = pd.Series(protocols, index=order["_app"].to_numpy())
    id_of = pd.Series(prefix + "-" + protocols, index=order["_app"].to_numpy())
    rank_of = pd.Series(np.arange(n_apps), index=order["_app"].to_numpy())
    table["protocol"] = protocol_of.reindex(table["_app"]).to_numpy()
    table["application_id"] = id_of.reindex(table["_app"]).to_numpy()
    table["partner_id"] = np.asarray(partner_ids, dtype=object)[table["_partner"].to_numpy()]
    table["_order"] = rank_of.reindex(table["_app"]).to_numpy()
    table = table.sort_values(["_order", "minor_index"], kind="stable").reset_index(drop=True)
    columns = [
        "application_id",
        "partner_id",
        "protocol",
        *APPLICATION_FIELDS[1:],
        *MINOR_FIELDS,
        "minor_index",
    ]
    out = table[columns].copy()
    for name in (
        "application_id",
        "protocol",
        "partner_id",
        "applicant_surname",
        "applicant_name",
        "applicant_tax_code",
        "applicant_email",
        "applicant_address",
        "applicant_postcode",
        "applicant_city",
        "minor_surname",
        "minor_name",
        "minor_tax_code",
        "service",
    ):
        out[name] = out[name].astype(object)
    out["minor_index"] = out["minor_index"].astype(np.int64)
    return out


def _years_before(day: np.datetime64, years: int) -> np.datetime64:
    """The same calendar day `years` earlier (28 February for 29 February)."""
    d = pd.Timestamp(day) - pd.DateOffset(years=years)
    return np.datetime64(d.date(), "D")


def _rows_of(first_of: np.ndarray, kids: np.ndarray, apps: np.ndarray) -> np.ndarray:
    """Indices of the minors of `apps` (in order)."""
    if len(apps) == 0:
        return np.array([], dtype=np.int64)
    counts = kids[apps]
    starts = np.repeat(first_of[apps], counts)
    return starts + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))


def _pick(
    rng: np.random.Generator, pool: Sequence, weights: Sequence[float] | None, n: int
) -> np.ndarray:
    p = None
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        p = w / w.sum()
    idx = rng.choice(len(pool), size=n, p=p)
    return np.asarray(list(pool), dtype=object)[idx]


def _names(rng: np.random.Generator, genders: np.ndarray) -> np.ndarray:
    male = _pick(rng, MALE_NAMES, None, len(genders))
    female = _pick(rng, FEMALE_NAMES, None, len(genders))
    return np.where(genders == "F", female, male).astype(object)


def _requested(rng: np.random.Generator, n: int) -> pd.arrays.IntegerArray:
    """Requested cost in cents: 15% missing, 25% below the 300 EUR cap, the rest above."""
    kind = rng.random(n)
    below = rng.integers(100, 599, n) * 50  # 50,00 .. 299,50
    above = rng.integers(30, 121, n) * 1000  # 300 .. 1.200 in steps of 10
    cents = np.where(kind < 0.25, below, above)
    arr = pd.array(cents, dtype="Int64")
    arr[kind >= 0.85] = pd.NA
    return arr


def _slug(values: np.ndarray | pd.Series) -> np.ndarray:
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


def _distinct_tax_codes(rng: np.random.Generator, people: pd.DataFrame) -> np.ndarray:
    """Tax codes for `people`, moving birth dates a few days until no two people share one.

    (In real life the Agenzia delle Entrate resolves clashes by omocodia; here the few
    clashing people are born a few days later.) `people.birth` is updated in place.
    """
    codes = tax_codes(
        people["surname"], people["name"], people["gender"], people["birth"], people["place"]
    )
    for _ in range(50):
        clash = pd.Series(codes).duplicated(keep="first").to_numpy()
        if not clash.any():
            return codes
        idx = np.flatnonzero(clash)
        moved = people["birth"].to_numpy()[idx] + rng.integers(1, 28, len(idx)).astype(
            "timedelta64[D]"
        )
        people.loc[idx, "birth"] = moved
        codes[idx] = tax_codes(
            people["surname"].to_numpy()[idx],
            people["name"].to_numpy()[idx],
            people["gender"].to_numpy()[idx],
            people["birth"].to_numpy()[idx],
            people["place"].to_numpy()[idx],
        )
    raise RuntimeError("could not make the tax codes distinct")  # pragma: no cover


# ------------------------------------------------------------------------ rendering


def text_money(cents: pd.Series, style: str) -> np.ndarray:
    """Cents as the partner's system writes them; '' when missing (once per distinct value)."""
    codes, uniques = pd.factorize(cents)

    def one(c: int) -> str:
        c = int(c)
        sign = "-" if c < 0 else ""
        euros, cc = divmod(abs(c), 100)
        whole = f"{euros:,}".replace(",", ".") if style in ("it", "euro") else str(euros)
        text = f"{sign}{whole},{cc:02d}"
        return f"€ {text}" if style == "euro" else text

    texts = np.asarray([one(u) for u in uniques] + [""], dtype=object)
    return texts[codes]


def text_dates(values: pd.Series, pattern: str) -> np.ndarray:
    """Dates (or date-times) with a strftime pattern; '' when missing."""
    codes, uniques = pd.factorize(values)
    texts = np.asarray([pd.Timestamp(u).strftime(pattern) for u in uniques] + [""], dtype=object)
    return texts[codes]


def text_bools(values: pd.Series, yes_no: tuple[str, str]) -> np.ndarray:
    v = values.astype("boolean")
    return np.where(v.fillna(False).to_numpy(dtype=bool), yes_no[0], yes_no[1]).astype(object)


def _headers_for(style: Style, slot: int | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, header in style.headers.items():
        hs = list(header) if isinstance(header, tuple) else [header]
        if slot is not None:
            hs = [h.replace("{n}", str(slot)) for h in hs]
        out[name] = hs
    return out


@dataclass
class Sheet:
    """A partner table ready to write: headers and one typed column per header."""

    headers: list[str]
    columns: list[np.ndarray]  # object arrays; None = empty cell
    kinds: list[str]  # text, number, date, datetime, time


def render(table: pd.DataFrame, style: Style, spreadsheet: bool) -> Sheet:
    """The partner's rows for `table` (one partner): per-minor or per-application layout.

    For spreadsheets, money is a number, dates are date cells; for text files, everything is
    text as the partner's system writes it.
    """
    if style.layout == "minor":
        rows = table
        app_rows = table
    else:
        app_rows = table.drop_duplicates("application_id", keep="first")
        rows = app_rows
    headers: list[str] = []
    columns: list[np.ndarray] = []
    kinds: list[str] = []

    def add(name: str, frame: pd.DataFrame, slot: int | None, present: np.ndarray | None) -> None:
        if name not in style.headers:
            return
        hs = _headers_for(style, slot)[name]
        values = frame["protocol" if name == "application_id" else name]
        cols = _cells(name, values, style, spreadsheet, len(hs) == 2)
        for h, (col, kind) in zip(hs, cols, strict=True):
            if present is not None:
                col = np.where(present, col, None)
            headers.append(h)
            columns.append(col)
            kinds.append(kind)

    for name in APPLICATION_FIELDS:
        add(name, app_rows, None, None)
    if style.layout == "minor":
        for name in MINOR_FIELDS:
            add(name, rows, None, None)
    else:
        ids = app_rows["application_id"].to_numpy()
        for slot in range(1, MAX_MINORS + 1):
            kids = table[table["minor_index"].to_numpy() == slot].set_index("application_id")
            aligned = kids.reindex(ids)
            present = aligned["minor_tax_code"].notna().to_numpy()
            for name in MINOR_FIELDS:
                add(name, aligned, slot, present)
    return Sheet(headers, columns, kinds)


def _cells(
    name: str, values: pd.Series, style: Style, spreadsheet: bool, split: bool
) -> list[tuple[np.ndarray, str]]:
    missing = values.isna().to_numpy()
    if name in MONEY_FIELDS:
        if spreadsheet:
            nums = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan) / 100
            return [(np.where(missing, None, nums).astype(object), "number")]
        return [(np.where(missing, None, text_money(values, style.money)), "text")]
    if name in BOOL_FIELDS:
        return [(text_bools(values, style.yes_no), "text")]
    if name == "household_size":
        if spreadsheet:
            return [
                (
                    np.where(
                        missing,
                        None,
                        values.astype("Float64").to_numpy(dtype=float, na_value=np.nan),
                    ).astype(object),
                    "number",
                )
            ]
        return [
            (
                np.where(
                    missing, None, values.astype("string").to_numpy(dtype=object, na_value="")
                ),
                "text",
            )
        ]
    if name == "minor_birth_date":
        if spreadsheet:
            return [(_serial(values, missing), "date")]
        return [(np.where(missing, None, text_dates(values, style.date)), "text")]
    if name == "submitted_at":
        if split:
            if spreadsheet:
                serial = _serial(values, missing)
                day = np.where(missing, None, np.floor(serial.astype(float)))
                frac = np.where(
                    missing, None, serial.astype(float) - np.floor(serial.astype(float))
                )
                return [(day.astype(object), "date"), (frac.astype(object), "time")]
            return [
                (np.where(missing, None, text_dates(values, style.date)), "text"),
                (np.where(missing, None, text_dates(values, style.time)), "text"),
            ]
        if spreadsheet:
            return [(_serial(values, missing), "datetime")]
        return [(np.where(missing, None, text_dates(values, style.date + style.time)), "text")]
    texts = values.to_numpy(dtype=object)
    return [(np.where(missing, None, texts).astype(object), "text")]


def _serial(values: pd.Series, missing: np.ndarray) -> np.ndarray:
    """Excel serial day numbers (float, with the time as the fraction)."""
    ts = pd.to_datetime(values).to_numpy(dtype="datetime64[s]")
    secs = (ts - DATE_EPOCH.astype("datetime64[s]")).astype(np.int64)
    serial = np.round(secs / 86400.0, 10)
    return np.where(missing, None, serial).astype(object)


# ------------------------------------------------------------------------ writers


def write_xlsx(path: Path, sheets: list[tuple[str, Sheet]]) -> None:
    """Write sheets with XlsxWriter (constant memory), reproducibly, via a temp file."""
    tmp = path.with_name(path.name + ".tmp")
    wb = xlsxwriter.Workbook(
        str(tmp),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    wb.set_properties({"created": FIXED_CREATED, "author": "conciliare demo-data"})
    bold = wb.add_format({"bold": True})
    formats = {
        "date": wb.add_format({"num_format": "dd/mm/yyyy"}),
        "datetime": wb.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
        "time": wb.add_format({"num_format": "hh:mm"}),
    }
    for name, sheet in sheets:
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, sheet.headers, bold)
        lists = [c.tolist() for c in sheet.columns]
        writers: list[Callable[[int, int, object], object]] = []
        for kind in sheet.kinds:
            if kind == "text":
                writers.append(ws.write_string)
            elif kind == "number":
                writers.append(ws.write_number)
            else:
                fmt = formats[kind]
                writers.append(functools.partial(_write_fmt, ws.write_number, fmt=fmt))
        n = len(lists[0]) if lists else 0
        for r in range(n):
            row = r + 1
            for c, values in enumerate(lists):
                v = values[r]
                if v is not None and v != "":
                    writers[c](row, c, v)
    wb.close()
    tmp.replace(path)


def _write_fmt(
    write: Callable[..., object], row: int, col: int, value: object, fmt: object
) -> object:
    return write(row, col, value, fmt)


def write_csv(path: Path, sheet: Sheet, fmt: FileFormat) -> None:
    frame = pd.DataFrame(
        {i: pd.Series(c, dtype=object).where(pd.notna(c), "") for i, c in enumerate(sheet.columns)}
    )
    frame.columns = sheet.headers
    tmp = path.with_name(path.name + ".tmp")
    frame.to_csv(
        tmp,
        sep=fmt.delimiter or ";",
        index=False,
        encoding=fmt.encoding,
        lineterminator=fmt.line_end,
    )
    tmp.replace(path)


# ------------------------------------------------------------------------ the call


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def partners_yaml(partners: Sequence[tuple[str, str, str, Style, dict[str, object]]]) -> str:
    """The `partners:` section: (id, name, files pattern, style, extra keys) each."""
    lines = ["partners:"]
    for pid, name, files, style, extra in partners:
        lines.append(f"  - id: {pid}")
        lines.append(f"    name: {_yaml_str(name)}")
        lines.append(f"    files: {_yaml_str(files)}")
        for key, value in extra.items():
            lines.append(f"    {key}: {_yaml_str(value) if isinstance(value, str) else value}")
        lines.append("    columns:")
        for fname, header in style.headers.items():
            if isinstance(header, tuple):
                text = "[" + ", ".join(_yaml_str(h) for h in header) + "]"
            else:
                text = _yaml_str(header)
            lines.append(f"      {fname}: {text}")
    return "\n".join(lines) + "\n"


def bando_text(partners_section: str, rule_set: str = RULE_SET) -> str:
    """The shipped rules with `partners: []` replaced by `partners_section`."""
    text = (rules_dir() / f"{rule_set}.yaml").read_text(encoding="utf-8")
    marker = "\npartners: []\n"
    if marker not in text:  # pragma: no cover - the shipped file has it
        raise ValueError("the rule set has no 'partners: []' line")
    return text.replace(marker, "\n" + partners_section, 1)


def write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode("utf-8"))
    tmp.replace(path)


def generate_call(
    folder: Path,
    applications: int,
    seed: int,
    partners: int = 5,
    formats: list[str] | None = None,
) -> GeneratedCall:
    """Write a complete call folder with `applications` applications; see the module doc.

    Partner i uses style STYLES[i % 5] (layout, headers, how values are written) and
    format `formats[i % len(formats)]` (xlsx, csv, csv-comma, csv-tab, csv-utf8).
    """
    started = time.perf_counter()
    if applications < 1:
        raise UserError("il numero di domande deve essere almeno 1")
    if partners < 1:
        raise UserError("serve almeno un partner")
    chosen = list(formats) if formats else list(DEFAULT_FORMATS)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise UserError(
            f"formato sconosciuto: {', '.join(unknown)}",
            hint="formati disponibili: " + ", ".join(FORMATS),
        )
    folder = Path(folder)
    if (folder / CONFIG_NAME).exists():
        raise UserError(f"{folder / CONFIG_NAME} esiste già: non lo sovrascrivo")
    ids_names = [
        PARTNERS[i] if i < len(PARTNERS) else (f"P{i + 1:02d}", f"Partner {i + 1}")
        for i in range(partners)
    ]
    ids = [p for p, _ in ids_names]
    weights = [1.0 + 1.0 / (i + 1) for i in range(partners)]
    table = population(applications, seed, ids, weights=weights)

    (folder / "partner").mkdir(parents=True, exist_ok=True)
    sections = []
    made: list[GeneratedPartner] = []
    provenance = []
    for i, (pid, pname) in enumerate(ids_names):
        style = STYLES[i % len(STYLES)]
        fmt = FORMATS[chosen[i % len(chosen)]]
        part = table[table["partner_id"].to_numpy() == pid]
        stem = f"{pid.lower()}_domande"
        files = []
        for k, chunk in enumerate(_chunks(part, style), start=1):
            rel = f"partner/{stem}_{k}.{fmt.extension}"
            path = folder / rel
            sheet_name = "Domande" if fmt.extension == "xlsx" else ""
            sheet = render(chunk, style, spreadsheet=fmt.extension == "xlsx")
            if fmt.extension == "xlsx":
                write_xlsx(path, [(sheet_name, sheet)])
            else:
                write_csv(path, sheet, fmt)
            files.append(rel)
            provenance.append(_provenance(chunk, style, rel, sheet_name))
        sections.append((pid, pname, f"partner/{stem}_*.{fmt.extension}", style, {}))
        made.append(
            GeneratedPartner(
                pid,
                pname,
                fmt.name,
                style.layout,
                files,
                int(part["application_id"].nunique()),
                len(part),
            )
        )
    write_text(folder / CONFIG_NAME, bando_text(partners_yaml(sections)))
    load_call(folder)  # the generated call must be valid

    prov = pd.concat(provenance) if provenance else pd.DataFrame()
    table = as_written(
        table.join(prov), {pid: STYLES[i % len(STYLES)] for i, pid in enumerate(ids)}
    )
    apps = table.drop_duplicates("application_id")
    dates = CallDates.of_rules()
    sub = apps["submitted_at"].to_numpy(dtype="datetime64[m]")
    cap = 30_000
    req = table["requested_eur"]
    return GeneratedCall(
        folder=folder,
        seed=seed,
        applications=len(apps),
        minors=len(table),
        partners=made,
        table=table,
        outside_window=int(((sub < dates.opens) | (sub > dates.closes)).sum()),
        missing_isee=int(apps["isee"].isna().sum()),
        missing_requested=int(req.isna().sum()),
        below_cap=int((req < cap).fillna(False).sum()),
        second_parent=_second_parents(table),
        seconds=time.perf_counter() - started,
    )


def as_written(table: pd.DataFrame, styles: dict[str, Style]) -> pd.DataFrame:
    """The table as the files tell it: a field a partner does not export is missing, and so
    is a 'no' written as a blank cell (X/blank flags)."""
    out = table.copy()
    for pid, style in styles.items():
        rows = (out["partner_id"] == pid).to_numpy()
        for name in (*APPLICATION_FIELDS, *MINOR_FIELDS):
            if name in style.headers:
                continue
            out[name] = _with_missing(out[name], rows)
        if style.yes_no[1] == "":
            for name in BOOL_FIELDS:
                out[name] = _with_missing(
                    out[name], rows & ~out[name].fillna(False).to_numpy(dtype=bool)
                )
    return out


def _with_missing(values: pd.Series, where: np.ndarray) -> pd.Series:
    if not where.any():
        return values
    if values.dtype == bool:
        values = values.astype("boolean")
    return values.mask(pd.Series(where, index=values.index))


def _second_parents(table: pd.DataFrame) -> int:
    """Applications whose minors all appear in an earlier (by row order) application."""
    firsts = table.drop_duplicates("minor_tax_code", keep="first")
    return int(table["application_id"].nunique() - firsts["application_id"].nunique())


def _chunks(part: pd.DataFrame, style: Style) -> list[pd.DataFrame]:
    """Split a partner's rows into files of at most MAX_ROWS_PER_FILE data rows, never
    splitting an application."""
    if len(part) == 0:
        return [part]
    rows_per_app = (
        part.groupby("application_id", sort=False).size().to_numpy()
        if style.layout == "minor"
        else np.ones(part["application_id"].nunique(), dtype=np.int64)
    )
    file_of_app = (np.cumsum(rows_per_app) - 1) // MAX_ROWS_PER_FILE
    app_codes = pd.factorize(part["application_id"])[0]
    file_of_row = file_of_app[app_codes]
    return [part[file_of_row == k] for k in range(int(file_of_app.max()) + 1)]


def _provenance(chunk: pd.DataFrame, style: Style, rel: str, sheet: str) -> pd.DataFrame:
    if style.layout == "minor":
        row = np.arange(len(chunk)) + 2
    else:
        row = pd.factorize(chunk["application_id"])[0] + 2
    slot = chunk["minor_index"].to_numpy() if style.layout == "application" else 1
    return pd.DataFrame(
        {
            "source_file": rel,
            "source_sheet": sheet,
            "source_row": row.astype(np.int64),
            "minor_slot": np.broadcast_to(slot, len(chunk)).astype(np.int64),
        },
        index=chunk.index,
    )
