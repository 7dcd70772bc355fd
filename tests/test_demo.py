"""The synthetic-call generator: deterministic bytes, valid tax codes, the requested size."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from codicefiscale import codicefiscale as cf_lib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.it import codicefiscale as stdnum_cf
from typer.testing import CliRunner

from conciliare_cli import demo
from conciliare_cli.cli import app
from conciliare_cli.config import load_call
from conciliare_cli.demo import calls
from conciliare_cli.resources import rules_dir

IDS = ["ASST", "ATS", "COMUNE"]


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> demo.GeneratedCall:
    folder = tmp_path_factory.mktemp("demo") / "bando"
    return demo.generate_call(folder, 300, seed=11, partners=5)


# ---------------------------------------------------------------- determinism


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    formats = list(demo.FORMATS)
    a = demo.generate_call(tmp_path / "a", 120, seed=5, partners=5, formats=formats)
    b = demo.generate_call(tmp_path / "b", 120, seed=5, partners=5, formats=formats)
    fa, fb = _files(a.folder), _files(b.folder)
    assert list(fa) == list(fb)
    assert any(name.endswith(".xlsx") for name in fa)
    for name in fa:
        assert fa[name] == fb[name], name
    c = demo.generate_call(tmp_path / "c", 120, seed=6, partners=5, formats=formats)
    assert _files(c.folder) != fa


def test_xlsx_zip_is_reproducible(small: demo.GeneratedCall) -> None:
    xlsx = [p for p in (small.folder / "partner").glob("*.xlsx")]
    assert xlsx
    with zipfile.ZipFile(xlsx[0]) as z:
        stamps = {i.date_time for i in z.infolist()}
        core = z.read("docProps/core.xml").decode()
    assert len(stamps) == 1  # one fixed timestamp, not the clock
    assert "2017-08-01T09:00:00Z" in core


def test_population_does_not_depend_on_anything_but_the_seed() -> None:
    a = demo.population(200, 3, IDS)
    b = demo.population(200, 3, IDS)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(demo.population(200, 4, IDS))


# ---------------------------------------------------------------- tax codes


def test_tax_codes_equal_the_library_encode() -> None:
    rng = np.random.default_rng(1)
    n = 40
    surnames = rng.choice(demo.SURNAMES, n)
    genders = rng.choice(["M", "F"], n)
    names = np.where(
        genders == "F", rng.choice(demo.FEMALE_NAMES, n), rng.choice(demo.MALE_NAMES, n)
    )
    places = rng.choice([p for p, _, _ in demo.BIRTHPLACES], n)
    births = [dt.date(1950, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 24000, n)]
    got = demo.tax_codes(surnames, names, genders, births, places)
    for i in range(n):
        expected = cf_lib.encode(
            lastname=surnames[i],
            firstname=names[i],
            gender=genders[i],
            birthdate=dt.datetime(births[i].year, births[i].month, births[i].day),
            birthplace=places[i],
        )
        assert got[i] == expected


def test_every_tax_code_is_valid_and_matches_the_birth_date(small: demo.GeneratedCall) -> None:
    t = small.table
    for code in pd.unique(pd.concat([t["applicant_tax_code"], t["minor_tax_code"]])):
        assert stdnum_cf.is_valid(code), code
    for code, born in zip(t["minor_tax_code"], t["minor_birth_date"], strict=True):
        assert stdnum_cf.get_birth_date(code, minyear=1990) == born.date()


def test_distinct_people_have_distinct_tax_codes() -> None:
    t = demo.population(3000, 8, IDS, second_parent=0.0)
    minors = t["minor_tax_code"]
    applicants = t.drop_duplicates("application_id")["applicant_tax_code"]
    assert minors.is_unique
    assert applicants.is_unique
    assert not set(minors) & set(applicants)


def test_second_parent_applications_repeat_minors_in_another_partner() -> None:
    t = demo.population(2000, 9, IDS, second_parent=0.02)
    twice = t[t["minor_tax_code"].duplicated(keep=False)]
    assert len(twice)
    per_minor = twice.groupby("minor_tax_code").agg(
        apps=("application_id", "nunique"),
        partners=("partner_id", "nunique"),
        applicants=("applicant_tax_code", "nunique"),
    )
    assert (per_minor["apps"] == 2).all()
    assert (per_minor["partners"] == 2).all()
    assert (per_minor["applicants"] == 2).all()
    assert t.drop_duplicates("application_id")["applicant_tax_code"].is_unique


# ---------------------------------------------------------------- size and content


def test_requested_size(small: demo.GeneratedCall) -> None:
    t = small.table
    assert small.applications == 300 == t["application_id"].nunique()
    assert small.minors == len(t)
    assert sum(p.applications for p in small.partners) == 300
    assert sum(p.minors for p in small.partners) == len(t)
    assert [p.id for p in small.partners] == ["ASST", "ATS", "COMUNE", "COOP", "AZIENDA"]
    sizes = t.groupby("application_id").size()
    assert sizes.between(1, demo.MAX_MINORS).all()
    slots = t.groupby("application_id")["minor_index"].agg(list)
    assert all(s == list(range(1, len(s) + 1)) for s in slots)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 150), seed=st.integers(0, 2**32 - 1), partners=st.integers(1, 4))
def test_population_properties(n: int, seed: int, partners: int) -> None:
    ids = [f"P{i}" for i in range(partners)]
    t = demo.population(n, seed, ids)
    assert t["application_id"].nunique() == n
    assert (t["application_id"] == t["partner_id"] + "-" + t["protocol"]).all()
    apps = t.drop_duplicates("application_id")
    assert apps["partner_id"].isin(ids).all()
    ref = pd.Timestamp(2017, 9, 1)
    age = (ref.year - t["minor_birth_date"].dt.year) - (
        (t["minor_birth_date"].dt.month > ref.month)
        | ((t["minor_birth_date"].dt.month == ref.month) & (t["minor_birth_date"].dt.day > ref.day))
    ).astype(int)
    assert age.between(0, 17).all()
    assert (t["requested_eur"].dropna() > 0).all()
    assert (apps["isee"].dropna() > 0).all()
    # rows are in file order: partner, then submission time
    keys = list(zip(t["partner_id"].map(ids.index), t["submitted_at"], strict=True))
    assert keys == sorted(keys)


def test_realistic_mix(tmp_path: Path) -> None:
    t = demo.population(20_000, 2017, IDS)
    apps = t.drop_duplicates("application_id")
    n, m = len(apps), len(t)
    assert 0.08 < apps["isee"].isna().mean() < 0.12
    assert 0.02 < t["disability"].mean() < 0.04
    assert 0.04 < t["learning_difficulty"].mean() < 0.08
    assert 0.12 < t["requested_eur"].isna().mean() < 0.18
    assert 0.2 < (t["requested_eur"] < 30_000).fillna(False).mean() < 0.3
    dates = demo.CallDates.of_rules()
    sub = apps["submitted_at"].to_numpy(dtype="datetime64[m]")
    outside = (sub < dates.opens) | (sub > dates.closes)
    assert 0.005 < outside.mean() < 0.02
    assert 1.55 < m / n < 1.75
    assert (apps["isee"] > 3_500_000).any()
    accented = t["minor_name"].str.contains("[àèéìòù]", regex=True)
    assert accented.any()


def test_files_hold_the_table(small: demo.GeneratedCall) -> None:
    """Each partner file has a header and one row per minor or per application, with the
    tax codes of the table."""
    t = small.table
    for i, p in enumerate(small.partners):
        style = demo.STYLES[i % len(demo.STYLES)]
        part = t[t["partner_id"] == p.id]
        (rel,) = p.files
        path = small.folder / rel
        fmt = demo.FORMATS[p.format]
        if fmt.extension == "xlsx":
            frame = pd.read_excel(path, dtype=object, engine="openpyxl")
        else:
            frame = pd.read_csv(
                path, sep=fmt.delimiter, encoding=fmt.encoding, dtype=str, keep_default_na=False
            )
        expected_rows = len(part) if p.layout == "minor" else part["application_id"].nunique()
        assert len(frame) == expected_rows, p
        applicant = frame[style.headers["applicant_tax_code"]]
        assert set(applicant) == set(part["applicant_tax_code"]), p
        minor = str(style.headers["minor_tax_code"])
        cols = [minor.replace("{n}", str(k)) for k in range(1, demo.MAX_MINORS + 1)]
        found = set(frame[list(dict.fromkeys(cols))].astype(str).to_numpy().ravel())
        assert found - {"", "nan"} == set(part["minor_tax_code"]), p
        rows = part["source_row"]
        assert rows.min() == 2 and rows.max() == expected_rows + 1


def test_bando_is_valid_and_maps_every_file(small: demo.GeneratedCall) -> None:
    call = load_call(small.folder)
    assert [p.id for p in call.config.partners] == [p.id for p in small.partners]
    for partner, made in zip(call.config.partners, small.partners, strict=True):
        matched = sorted(
            q.relative_to(small.folder).as_posix()
            for pattern in partner.file_patterns
            for q in small.folder.glob(pattern)
        )
        assert matched == made.files
        assert partner.per_application == (made.layout == "application")
    shipped = load_call(rules_dir() / "conciliare-2017.yaml").config
    assert call.config.model_dump(exclude={"partners"}) == shipped.model_dump(exclude={"partners"})


def test_large_partners_are_split_without_splitting_applications(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(calls, "MAX_ROWS_PER_FILE", 40)
    made = demo.generate_call(tmp_path / "b", 150, seed=2, partners=2, formats=["csv"])
    assert all(len(p.files) > 1 for p in made.partners)
    t = made.table
    assert (t.groupby("application_id")["source_file"].nunique() == 1).all()
    counts = t.groupby("source_file").size()
    per_app = t.groupby("source_file")["application_id"].nunique()
    for f in counts.index:
        layout = next(p.layout for p in made.partners if f in p.files)
        assert (counts[f] if layout == "minor" else per_app[f]) <= 40
    load_call(made.folder)


def test_the_reader_reads_back_the_table(tmp_path: Path) -> None:
    """Every format and layout the generator writes reads back to its ground-truth table."""
    from conciliare_cli.read import read_call

    made = demo.generate_call(tmp_path / "rt", 400, seed=3, partners=6, formats=list(demo.FORMATS))
    read = read_call(load_call(made.folder))
    assert not len(read.findings), read.findings[["code", "source_file", "column"]]
    key = ["source_file", "source_row", "minor_slot"]
    got = read.minors.astype({"source_row": "int64", "minor_slot": "int64"})
    both = made.table.merge(got, on=key, how="outer", suffixes=("", "_read"), indicator=True)
    assert (both["_merge"] == "both").all()
    for name in ("application_id", "partner_id", *demo.APPLICATION_FIELDS[1:], *demo.MINOR_FIELDS):
        expected, actual = both[name], both[f"{name}_read"]
        if name in ("submitted_at", "minor_birth_date"):
            expected, actual = pd.to_datetime(expected), pd.to_datetime(actual)
        same = (expected.astype(str) == actual.astype(str)) | (expected.isna() & actual.isna())
        assert same.all(), (name, both.loc[~same, [*key, name, f"{name}_read"]].head())


# ---------------------------------------------------------------- the command


def test_command_writes_a_call(tmp_path: Path) -> None:
    target = tmp_path / "prova"
    result = CliRunner().invoke(
        app,
        [
            "demo-data",
            str(target),
            "--domande",
            "50",
            "--seme",
            "4",
            "--partner",
            "2",
            "--formati",
            "csv,csv-tab",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "50 domande" in " ".join(result.output.split())
    assert sorted(p.name for p in (target / "partner").iterdir()) == [
        "asst_domande_1.csv",
        "ats_domande_1.csv",
    ]
    again = CliRunner().invoke(app, ["demo-data", str(target), "--domande", "5"])
    assert again.exit_code == 2
    assert "esiste già" in " ".join(again.output.split())
    assert "Traceback" not in again.output


def test_command_rejects_an_unknown_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo-data", str(tmp_path / "x"), "--formati", "pdf"])
    assert result.exit_code == 2
    assert "formato sconosciuto" in " ".join(result.output.split())
    assert not (tmp_path / "x" / "bando.yaml").exists()


def test_applications_for_minors() -> None:
    n = demo.applications_for(100_000)
    t = demo.population(n, 1, IDS)
    assert abs(len(t) - 100_000) < 1500
