"""Load bando.yaml safely and validate it; every error names file, line and key, in Italian."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import Reader, ReaderError
from ruamel.yaml.scalarfloat import ScalarFloat

from conciliare_cli.config.limits import check_aliases, check_config_size
from conciliare_cli.config.models import CallConfig
from conciliare_cli.errors import ConfigError, UserError
from conciliare_cli.fields import CANONICAL_FIELDS, DERIVED_FIELDS, Field, Level
from conciliare_cli.italian import number

CONFIG_NAME = "bando.yaml"

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedCall:
    """A validated call: the config, where it came from, and the hash of its rules."""

    config: CallConfig
    folder: Path
    path: Path
    rules_sha256: str
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int | None:
        return _line_for(self.lines, loc)

    @property
    def fields(self) -> dict[str, Field]:
        return known_fields(self.config)

    def require_partners(self) -> None:
        """A call without partners has nothing to check or rank: say what to do."""
        if not self.config.partners:
            raise UserError(
                "nessun partner elencato: non ci sono domande da leggere",
                file=str(self.path),
                hint="completa la sezione 'partners' con i file e le colonne di ogni ente "
                "(esempio in examples/conciliare-2017/bando.yaml)",
            )


def known_fields(config: CallConfig) -> dict[str, Field]:
    """Canonical, derived and declared extra fields, by name."""
    out = dict(CANONICAL_FIELDS)
    out.update(DERIVED_FIELDS)
    for f in config.fields:
        out[f.name] = Field(f.name, f.kind, f.level, f.label, health=f.health)
    return out


def load_call(folder: Path | str) -> LoadedCall:
    """Load `folder/bando.yaml` (or a YAML file given directly)."""
    path = Path(folder)
    if path.is_dir():
        path = path / CONFIG_NAME
    if not path.exists():
        raise UserError(
            f"non trovo il file delle regole {path}",
            hint="la cartella del bando si crea con 'conciliare init CARTELLA'",
        )
    check_config_size(path.stat().st_size, path.name)
    raw_bytes = path.read_bytes()
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError("il file non è in UTF-8; salvalo come UTF-8", file=path.name) from exc
    yaml = YAML(typ="rt")
    try:
        check_aliases(text, path.name)  # before loading: an alias bomb never expands
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", riga {mark.line + 1}, colonna {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "sintassi YAML non valida"
        raise ConfigError([f"{path.name}{where}: errore di sintassi YAML ({problem})"]) from exc
    except ReaderError as exc:  # a control character (NUL...) where YAML allows none
        found = Reader.NON_PRINTABLE.search(text)  # ruamel's position counts in its buffer
        at = found.start() if found else 0
        line = text[:at].count("\n") + 1
        code = ord(text[at]) if found else 0
        message = f"carattere non ammesso U+{code:04X}: salva il file come testo semplice"
        raise ConfigError([f"{path.name}, riga {line}: {message}"]) from exc
    if not isinstance(data, CommentedMap):
        raise ConfigError([f"{path.name}, riga 1: il file deve contenere le sezioni del bando"])
    lines = _collect_lines(data)
    italian = list(_italian_numbers(data))
    if italian:
        raise ConfigError(
            [
                f"{path.name}, riga {_line_for(lines, loc) or 1}, {dotted(loc)}: {m}"
                for loc, m in italian
            ]
        )
    plain = _to_plain(data)
    try:
        config = CallConfig.model_validate(plain)
    except ValidationError as exc:
        raise ConfigError(
            [_format(path.name, lines, plain, e) for e in exc.errors(include_url=False)]
        ) from exc
    problems = list(check_semantics(config))
    if problems:
        raise ConfigError(
            [
                f"{path.name}, riga {_line_for(lines, loc) or 1}, {dotted(loc)}: {msg}"
                for loc, msg in problems
            ]
        )
    return LoadedCall(
        config=config,
        folder=path.parent,
        path=path,
        rules_sha256=hashlib.sha256(raw_bytes).hexdigest(),
        lines=lines,
    )


# ------------------------------------------------------------------ semantic checks


def check_semantics(config: CallConfig) -> Iterable[tuple[Loc, str]]:
    """Checks of the mappings against the fields: every partner's `columns` names a known
    field, `{n}` only for minors' fields, every required field mapped. The rules themselves
    (expressions, criteria, funds) are checked when they are compiled (engine/compile.py)."""
    fields = known_fields(config)
    mappable = {k: v for k, v in fields.items() if k not in DERIVED_FIELDS}
    for i, partner in enumerate(config.partners):
        loc: Loc = ("partners", i, "columns")
        for key, headers in partner.columns.items():
            if key not in mappable:
                yield (*loc, key), f"campo sconosciuto '{key}'{suggest(key, mappable)}"
                continue
            hs = [headers] if isinstance(headers, str) else headers
            if any("{n}" in h for h in hs) and mappable[key].level is not Level.MINOR:
                yield (
                    (*loc, key),
                    (f"'{key}' è un dato della domanda: {{n}} si usa solo per i campi dei figli"),
                )
        for name, f in mappable.items():
            if f.required and name not in partner.columns:
                yield loc, f"manca il campo obbligatorio '{name}'"


def _italian_numbers(node: Any, loc: Loc = ()) -> Iterable[tuple[Loc, str]]:
    """Amounts written the Italian way (`max: 35.000`, `amount_eur: 1.500`): YAML reads them
    as 35 and 1.5 euros. A number with one to three digits before the dot and exactly three
    after it, under a key of money (`*_eur`) or a band's `min`/`max`, is refused with the
    number to write instead: never guessed."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            here = (*loc, str(key))
            if isinstance(value, ScalarFloat) and _money_key(str(key)) and _thousands(value):
                digits = value._width - value._prec - 1  # type: ignore[attr-defined]
                written = f"{float(value):.{digits}f}"
                yield (
                    here,
                    (
                        f"l'importo {written} sembra scritto all'italiana, con il punto delle "
                        f"migliaia: in bando.yaml il punto separa i decimali; scrivi "
                        f"{written.replace('.', '')}"
                    ),
                )
            else:
                yield from _italian_numbers(value, here)
    elif isinstance(node, CommentedSeq):
        for i, item in enumerate(node):
            yield from _italian_numbers(item, (*loc, i))


def _money_key(key: str) -> bool:
    return key.endswith("_eur") or key in ("min", "max")


def _thousands(value: ScalarFloat) -> bool:
    width = getattr(value, "_width", None)
    dot = getattr(value, "_prec", None)
    if width is None or dot is None:
        return False
    integer = int(abs(float(value)))
    return 1 <= dot <= 3 and width - dot - 1 == 3 and integer > 0


def suggest(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (forse '{close[0]}'?)" if close else ""


# ------------------------------------------------------------------ error formatting

_TYPE_TEXT = {
    "string_type": "atteso un testo",
    "int_type": "atteso un numero intero",
    "int_parsing": "atteso un numero intero",
    "float_type": "atteso un numero",
    "float_parsing": "atteso un numero",
    "decimal_type": "atteso un numero",
    "decimal_parsing": "atteso un numero",
    "bool_type": "atteso vero o falso (true/false)",
    "bool_parsing": "atteso vero o falso (true/false)",
    "date_type": "attesa una data (AAAA-MM-GG)",
    "date_parsing": "attesa una data (AAAA-MM-GG)",
    "date_from_datetime_parsing": "attesa una data (AAAA-MM-GG)",
    "datetime_type": "attese data e ora (AAAA-MM-GG HH:MM)",
    "datetime_parsing": "attese data e ora (AAAA-MM-GG HH:MM)",
    "datetime_from_date_parsing": "attese data e ora (AAAA-MM-GG HH:MM)",
    "finite_number": "atteso un numero finito (non .inf, non .nan)",
    "list_type": "attesa una lista (righe che iniziano con '-')",
    "dict_type": "attesa una sezione con chiavi",
    "model_type": "attesa una sezione con chiavi",
    "model_attributes_type": "attesa una sezione con chiavi",
}


def _format(filename: str, lines: dict[Loc, int], data: Any, err: dict[str, Any]) -> str:
    loc = _data_loc(data, tuple(err["loc"]))
    line = _line_for(lines, loc) or 1
    etype = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if etype == "missing":
        parent, key = loc[:-1], loc[-1]
        return f"{filename}, riga {line}, {dotted(parent)}: manca il campo obbligatorio '{key}'"
    if etype == "extra_forbidden":
        key = loc[-1]
        allowed = _allowed_keys(data, loc[:-1])
        return (
            f"{filename}, riga {line}, {dotted(loc)}: chiave non prevista '{key}'"
            f"{suggest(str(key), allowed)}"
        )
    if etype in _TYPE_TEXT:
        msg = f"{_TYPE_TEXT[etype]}, trovato {value!r}"
    elif etype in ("greater_than_equal", "greater_than"):
        sign = "≥" if etype == "greater_than_equal" else ">"
        bound = _bound(ctx.get("ge", ctx.get("gt")))
        msg = f"il valore deve essere {sign} {bound}, trovato {value!r}"
    elif etype in ("less_than_equal", "less_than"):
        sign = "≤" if etype == "less_than_equal" else "<"
        bound = _bound(ctx.get("le", ctx.get("lt")))
        msg = f"il valore deve essere {sign} {bound}, trovato {value!r}"
    elif etype == "literal_error":
        msg = f"valore non ammesso {value!r}; ammessi: {ctx.get('expected')}"
    elif etype == "union_tag_invalid":
        msg = f"tipo non ammesso {ctx.get('tag')!r}; ammessi: {ctx.get('expected_tags')}"
    elif etype == "union_tag_not_found":
        msg = f"manca la chiave '{ctx.get('discriminator', 'type').strip(chr(39))}'"
    elif etype == "string_pattern_mismatch":
        msg = f"formato non valido {value!r} (atteso: {ctx.get('pattern')})"
    elif etype in ("too_short", "string_too_short"):
        least = int(ctx.get("min_length", 1) or 1)
        what = "caratteri" if etype == "string_too_short" else "elementi"
        msg = "non può essere vuoto" if least <= 1 else f"deve avere almeno {least} {what}"
    elif etype == "decimal_max_places":
        msg = f"al massimo {ctx.get('decimal_places')} decimali, trovato {value!r}"
    elif etype == "value_error":
        msg = str(ctx.get("error", err.get("msg")))
    else:
        msg = f"valore non valido {value!r} ({etype})"
    return f"{filename}, riga {line}, {dotted(loc)}: {msg}"


def _bound(value: Any) -> str:
    """A schema's bound as Italian reads it: 1000000000 -> '1.000.000.000'."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return number(value)
    return str(value)


def _data_loc(data: Any, loc: Loc) -> Loc:
    """Drop the union tags pydantic puts in `loc` ('bands' in criteria.0.bands.x)."""
    out: list[str | int] = []
    cur = data
    for i, part in enumerate(loc):
        in_map = isinstance(cur, dict) and part in cur
        in_seq = isinstance(cur, list) and isinstance(part, int) and part < len(cur)
        if in_map or in_seq:
            out.append(part)
            cur = cur[part]
        elif i == len(loc) - 1 or not isinstance(cur, dict | list):
            out.append(part)
            cur = None
        # else: a tag of a tagged union, not a key of the data: skip
    return tuple(out)


def _allowed_keys(data: Any, loc: Loc) -> list[str]:
    schema = CallConfig.model_json_schema()
    defs = schema.get("$defs", {})
    node: dict[str, Any] = schema
    cur = data
    for part in loc:
        cur = cur[part] if isinstance(cur, dict | list) else None
        node = _resolve(node, defs, cur)
        if isinstance(part, int):
            node = _resolve(node.get("items", {}), defs, cur)
        else:
            node = _resolve(node.get("properties", {}).get(part, {}), defs, cur)
    return list(node.get("properties", {}))


def _resolve(node: dict[str, Any], defs: dict[str, Any], value: Any) -> dict[str, Any]:
    while True:
        if "$ref" in node:
            node = defs[node["$ref"].split("/")[-1]]
            continue
        options = node.get("anyOf") or node.get("oneOf")
        if options:
            tagged = [defs[o["$ref"].split("/")[-1]] if "$ref" in o else o for o in options]
            tag = value.get("type") if isinstance(value, dict) else None
            for opt in tagged:
                const = opt.get("properties", {}).get("type", {}).get("const")
                if tag is not None and const == tag:
                    return opt
            for opt in tagged:
                if "properties" in opt or "items" in opt:
                    return opt
            return node
        return node


def dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(radice)"


def _collect_lines(node: Any, prefix: Loc = ()) -> dict[Loc, int]:
    lines: dict[Loc, int] = {}
    if isinstance(node, CommentedMap):
        for key in node:
            try:
                ln = node.lc.key(key)[0] + 1
            except (KeyError, TypeError):
                ln = None
            if ln is not None:
                lines[(*prefix, str(key))] = ln
            lines.update(_collect_lines(node[key], (*prefix, str(key))))
    elif isinstance(node, CommentedSeq):
        for i, item in enumerate(node):
            with contextlib.suppress(KeyError, TypeError):
                lines[(*prefix, i)] = node.lc.item(i)[0] + 1
            lines.update(_collect_lines(item, (*prefix, i)))
    return lines


def _line_for(lines: dict[Loc, int], loc: Loc) -> int | None:
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return None


def _to_plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_plain(v) for v in node]
    if hasattr(node, "value") and type(node).__module__.startswith("ruamel"):
        return node.value  # scalar wrappers
    if type(node).__module__.startswith("ruamel"):
        for base in (bool, int, float, str):
            if isinstance(node, base):
                return base(node)
    return node
