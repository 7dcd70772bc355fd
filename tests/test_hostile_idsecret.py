"""Ids without protocol that nobody can recompute (issue 11, part 2).

A row without a protocol gets an id derived from the applicant's tax code and submission
time. Unkeyed, anyone who knows a tax code finds it in at most 86,400 tries (the seconds of
the submission day) and reads the applicant's outcome in the public list. With
`call.id_secret` the id is an HMAC under the secret; without it, and with the ids published
as they are, rank stops before writing anything and validate warns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import sys
from pathlib import Path

import pandas as pd
from test_hostile_pseudonyms import _texts
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.read import application_ids

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "hostile"))
import make_corpus as mc

SECRET = "una-frase-lunga-che-nessuno-conosce-2017"
DATE = "2017-09-15"
CF = "RMNMTT80D09D150L"
WHEN = pd.Timestamp("2017-06-01 12:39:00")  # S001 of the example's COOP file


def _without_protocol(parent: Path, config: tuple[str, str] | None = None) -> Path:
    """The example's COOP file with the protocol of its first application (two rows) empty."""
    folder = mc.make_case(mc.Case("senza_protocollo", "read", lambda f: None), parent)
    mc.set_csv(folder, {(0, "Prot."): "", (1, "Prot."): ""})
    if config is not None:
        mc.edit_config(folder, *config)
    return folder


def _with_secret(parent: Path, secret: str = SECRET) -> Path:
    return _without_protocol(
        parent,
        ('protocol_prefix: "CONC2017"', f'protocol_prefix: "CONC2017"\n  id_secret: "{secret}"'),
    )


def _brute_force(cf: str, day: dt.date, target: str) -> bool:
    """Whether an id ending in `target` is found by trying every second of `day` with the
    tax code (the unkeyed derivation's inputs)."""
    start = dt.datetime.combine(day, dt.time())
    for second in range(86_400):
        stamp = (start + dt.timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%S")
        if hashlib.sha256(f"{cf}|{stamp}".encode()).hexdigest()[:10].upper() == target:
            return True
    return False


def _derived(secret: str | None) -> str:
    table = pd.DataFrame(
        {
            "application_id": pd.array([None], dtype="string"),
            "applicant_tax_code": [CF],
            "submitted_at": pd.Series([WHEN]),
        }
    )
    return re.sub(r"^COOP-", "", str(application_ids("COOP", table, secret).iloc[0]))


def test_without_a_secret_the_id_is_found_from_the_tax_code() -> None:
    """The threat, as it stands for a call without a secret."""
    assert _brute_force(CF, WHEN.date(), _derived(None))


def test_with_the_secret_it_is_not_and_the_office_can_still_recompute_it() -> None:
    code = _derived(SECRET)
    assert not _brute_force(CF, WHEN.date(), code)
    content = f"{CF}|{WHEN:%Y-%m-%dT%H:%M:%S}".encode()
    assert code == hmac.new(SECRET.encode(), content, hashlib.sha256).hexdigest()[:10].upper()
    assert _derived(SECRET + "x") != code


def test_published_without_a_secret_rank_stops_before_writing(tmp_path: Path) -> None:
    folder = _without_protocol(tmp_path)
    result = CliRunner().invoke(app, ["rank", str(folder), "--date", DATE])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "partner/coop_il_sorriso.csv" in "".join(result.output.split())
    assert "2 righe del partner COOP senza protocollo (la prima è la riga 2)" in text
    assert "id_secret" in text and "public_id: pseudonym" in text
    assert "Traceback" not in result.output
    assert not (folder / "esiti").exists()


def test_validate_says_it_first_and_goes_on(tmp_path: Path) -> None:
    folder = _without_protocol(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(folder), "--date", DATE])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Attenzione ('rank' si fermerà qui prima di scrivere gli esiti)" in text
    assert "2 righe del partner COOP senza protocollo" in text
    assert (folder / "esiti" / "anomalie.xlsx").exists()


def test_with_pseudonyms_no_secret_is_needed(tmp_path: Path) -> None:
    folder = _without_protocol(
        tmp_path,
        (
            "public_id: application_id        # application_id (protocollo) o pseudonym",
            'public_id: pseudonym\n  pseudonym_salt: "un-altro-segreto-del-bando"',
        ),
    )
    result = CliRunner().invoke(app, ["validate", str(folder), "--date", DATE])
    assert result.exit_code == 0, result.output


def test_with_a_secret_the_call_runs_and_the_secret_is_in_no_output(tmp_path: Path) -> None:
    folder = _with_secret(tmp_path)
    runner, said = CliRunner(), []
    for command in (["validate", "--date", DATE], ["rank", "--date", DATE], ["verify"]):
        result = runner.invoke(app, [command[0], str(folder), *command[1:]])
        assert result.exit_code == 0, result.output
        said.append(result.output)
    graduatoria = (folder / "esiti" / "graduatoria.csv").read_text(encoding="utf-8")
    assert f"COOP-{_derived(SECRET)}" in graduatoria
    assert f"COOP-{_derived(None)}" not in graduatoria
    for path in (p for p in (folder / "esiti").rglob("*") if p.is_file()):
        for blob in _texts(path):
            assert SECRET.encode() not in blob, path
            assert SECRET.encode("utf-16-le") not in blob, path
    assert all(SECRET not in s for s in said)


def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    folder = _with_secret(tmp_path, "corto")
    result = CliRunner().invoke(app, ["validate", str(folder), "--date", DATE])
    assert result.exit_code == 2, result.output
    assert "call.id_secret: deve avere almeno 16 caratteri" in result.output
    assert "corto" not in result.output  # a secret is never echoed
