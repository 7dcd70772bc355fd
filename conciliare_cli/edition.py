"""A new edition of a call from the last one, and the checks that it was really renewed.

`new_edition(previous, folder, values)` writes `folder/bando.yaml` from the previous call's:
partners, column mappings, rules, funds and letters' texts are kept (with the file's comments);
what belongs to one edition only (title, year, submission window, reference date, lottery
seed, the checks' seed) is set from `values` or left empty, so that `validate` refuses the
file until the coordinator fills it in; the letters' protocol prefix and the rules' version
follow the new year when it is given. `call.previous_edition` records where the previous call
is, and `edition_warnings(call)` (shown by `validate`) says what is still equal to last
year's.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from conciliare_cli.atomic import atomic_write_bytes
from conciliare_cli.config import CONFIG_NAME, LoadedCall, load_call
from conciliare_cli.errors import UserError
from conciliare_cli.italian import date_short, datetime_short

TO_FILL = "DA COMPILARE per la nuova edizione"


@dataclass(frozen=True)
class EditionValues:
    """What changes from one edition to the next; None = leave it to be filled in."""

    title: str | None = None
    year: int | None = None
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    reference_date: dt.date | None = None
    seed: str | None = None
    checks_seed: str | None = None  # the sample of the checks (checks.seed), if the call has one


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096  # long texts stay on their line
    yaml.indent(mapping=2, sequence=4, offset=2)  # the shipped files' layout
    yaml.preserve_quotes = True
    return yaml


def _set(section: CommentedMap, key: str, value: object, what: str) -> None:
    """Set `key`, or empty it with a comment saying it must be filled in."""
    section[key] = value
    if value is None:
        section.yaml_add_eol_comment(f"{TO_FILL}: {what}", key)


def _renew_year(text: object, old: int, new: int | None) -> object:
    """'CONC2017' → 'CONC2018' when the new year is known (else as it was)."""
    if isinstance(text, str) and new is not None and str(old) in text:
        return str(text).replace(str(old), str(new))
    return text


def new_edition(previous: Path, folder: Path, values: EditionValues) -> Path:
    """Write `folder/bando.yaml` for a new edition of the call in `previous`; see the module
    docstring. The previous call must be valid; nothing of it is modified."""
    old = load_call(previous)  # a broken previous call is reported as such
    target = folder / CONFIG_NAME
    if target.exists():
        raise UserError(f"{target} esiste già: non lo sovrascrivo")
    data = _yaml().load(old.path.read_text(encoding="utf-8-sig"))
    call, old_year = data["call"], old.config.call.year
    _set(call, "title", values.title, "titolo del bando")
    _set(call, "year", values.year, "anno del bando")
    for key in ("rules_version", "protocol_prefix"):
        if key in call:
            call[key] = _renew_year(call[key], old_year, values.year)
    _set(call, "reference_date", values.reference_date, "data di riferimento per l'età")
    window = call["submission"]
    _set(window, "opens", _yaml_time(values.opens), "apertura delle domande")
    _set(window, "closes", _yaml_time(values.closes), "chiusura delle domande")
    call["previous_edition"] = _where(old.folder.resolve(), folder.resolve())
    _set(data["ranking"]["lottery"], "seed", values.seed, "nuovo seme del sorteggio")
    checks = data.get("checks")
    if checks is not None and "seed" in checks:
        _set(checks, "seed", values.checks_seed, "nuovo seme dell'estrazione dei controlli")
    publication = data.get("publication")
    if publication is not None and publication.get("act") is not None:  # last year's act
        _set(publication, "act", None, "atto che approva la nuova graduatoria")
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    (folder / "partner").mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, buffer.getvalue().encode("utf-8"))
    _copy_own_files(old, folder)
    return target


def _where(previous: Path, folder: Path) -> str:
    """The previous call's folder as the new bando.yaml records it: relative when the two are
    near (bando-2017 beside bando-2018), else absolute."""
    relative = Path(os.path.relpath(previous, folder))
    return relative.as_posix() if relative.parts.count("..") <= 2 else previous.as_posix()


def _yaml_time(value: dt.datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else None


def _copy_own_files(old: LoadedCall, folder: Path) -> None:
    """The call's own templates and logos go along (the partners' files do not)."""
    templates = old.folder / "templates"
    if templates.is_dir() and not (folder / "templates").exists():
        shutil.copytree(templates, folder / "templates")
    letters = old.config.letters
    for logo in letters.logos if letters is not None else []:
        source, target = old.folder / logo, folder / logo
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def has_checks(previous: Path) -> bool:
    """Whether the call in `previous` draws a sample of checks with its own seed."""
    return load_call(previous).config.checks is not None


def edition_warnings(call: LoadedCall) -> list[str]:
    """What is still equal to the previous edition's (seed, dates, title, year), in Italian;
    empty without `call.previous_edition` or when the previous call cannot be read."""
    where = call.config.call.previous_edition
    if not where:
        return []
    folder = (call.folder / where).resolve()
    try:
        old = load_call(folder)
    except UserError:
        return [f"non riesco a leggere il bando dell'edizione precedente in {folder}"]
    new_c, old_c = call.config.call, old.config.call
    out = []
    if call.config.ranking.lottery.seed == old.config.ranking.lottery.seed:
        out.append(
            "il seme del sorteggio è lo stesso dell'edizione precedente: sceglierne e "
            "pubblicarne uno nuovo prima di ricevere le domande"
        )
    new_k, old_k = call.config.checks, old.config.checks
    if new_k is not None and old_k is not None and new_k.seed == old_k.seed:
        out.append(
            "il seme dell'estrazione dei controlli è lo stesso dell'edizione precedente: "
            "sceglierne e pubblicarne uno nuovo prima dell'estrazione"
        )
    same = [  # (equal, what, its value, the pronoun that agrees with it)
        (new_c.submission.opens == old_c.submission.opens, "l'apertura delle domande",
         datetime_short(new_c.submission.opens), "quella"),
        (new_c.submission.closes == old_c.submission.closes, "la chiusura delle domande",
         datetime_short(new_c.submission.closes), "quella"),
        (new_c.reference_date == old_c.reference_date, "la data di riferimento per l'età",
         date_short(new_c.reference_date), "quella"),
        (new_c.year == old_c.year, "l'anno del bando", str(new_c.year), "quello"),
        (new_c.title == old_c.title, "il titolo del bando", new_c.title, "quello"),
    ]  # fmt: skip
    out += [
        f"{what} ({value}) è uguale a {pronoun} dell'edizione precedente"
        for equal, what, value, pronoun in same
        if equal
    ]
    return out
