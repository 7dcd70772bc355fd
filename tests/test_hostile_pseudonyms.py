"""Regression tests of issue 11, second part: public codes that nobody can recompute.

- The public pseudonyms (publication.public_id: pseudonym) are an HMAC keyed with
  publication.pseudonym_salt: without the salt, knowing every protocol number does not
  say which code is whose, and the salt appears in no output (manifest included).
- Ids derived for rows without protocol numbers: see test_hostile_idsecret.py.
"""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from pathlib import Path

import pytest
from test_publish_support import needs_pdf, pdf_text
from typer.testing import CliRunner

from conciliare_cli.cli import app
from conciliare_cli.publish import public_list
from conciliare_cli.publish.listing import pseudonym
from conciliare_cli.runs import run

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "hostile"))
import make_corpus as mc

SALT = "frase-segreta-del-bando-2017-Qx7"
DATE = "2017-09-15"


def _pseudonymous(folder_parent: Path, salt: str = SALT) -> Path:
    case = mc.Case("pseudonimi", "read", lambda f: None)
    folder = mc.make_case(case, folder_parent)
    mc.edit_config(
        folder,
        "public_id: application_id        # application_id (protocollo) o pseudonym",
        f'public_id: pseudonym\n  pseudonym_salt: "{salt}"',
    )
    return folder


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A call with pseudonyms, through validate, rank, letters (HTML) and verify."""
    folder = _pseudonymous(tmp_path_factory.mktemp("pseudo"))
    runner, said = CliRunner(), []
    for command in (
        ["validate", "--date", DATE],
        ["rank", "--date", DATE],
        ["letters", "--format", "html", "--date", DATE],
        ["verify"],
    ):
        result = runner.invoke(app, [command[0], str(folder), *command[1:]])
        assert result.exit_code == 0, result.output
        said.append(result.output)
    return folder, "\n".join(said)


def _texts(path: Path) -> list[bytes]:
    """The bytes a reader of `path` can get at: the file, every member of a zip (xlsx), the
    text of a PDF."""
    data = path.read_bytes()
    out = [data]
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            out += [zf.read(name) for name in zf.namelist()]
    if path.suffix == ".pdf":
        out.append(pdf_text(path).encode("utf-8"))
    return out


@needs_pdf
def test_the_salt_is_in_no_output(published: tuple[Path, str]) -> None:
    folder, said = published
    files = [p for p in (folder / "esiti").rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"manifest.json", "graduatoria-pubblica.pdf"}
    for path in files:
        for blob in _texts(path):
            assert SALT.encode() not in blob, path
            assert SALT.encode("utf-16-le") not in blob, path
    assert SALT not in said


def test_pseudonyms_are_keyed(tmp_path: Path) -> None:
    """Knowing every protocol number, without the salt, nobody can say whose a code is: the
    codes are not any unkeyed hash of the ids, and another salt gives other codes."""
    result = run(_pseudonymous(tmp_path))
    ids = result.units["application_id"].astype(str)
    codes = set(public_list(result).ranked["public_id"]) | set(
        public_list(result).excluded["public_id"]
    )
    assert len(codes) == len(ids)
    unkeyed = {
        hashlib.new(name, i.encode()).hexdigest()[: len(c)].upper()
        for i in ids
        for name in ("sha256", "sha1", "md5")
        for c in list(codes)[:1]
    }
    assert not codes & unkeyed
    assert not codes & {pseudonym("", i) for i in ids}
    assert not codes & {pseudonym(SALT + "x", i) for i in ids}
    assert codes == {pseudonym(SALT, i) for i in ids}  # and the office, with the salt, can
