"""Limits of bando.yaml, checked before any work: a value that passes the schema's types but no
call could mean (a fund of 1e300 euros, a date in year 1, an alias bomb) stops with one Italian
message naming the file, the line and the key, never a crash or a hang later on.

Two checks happen before the YAML becomes Python objects:

- the size of the file (`MAX_CONFIG_BYTES`, `check_config_size`), before it is read;
- the size of the YAML once its aliases are expanded (`MAX_YAML_NODES`, `check_aliases`):
  anchors and aliases (`&colonne` ... `*colonne`) are allowed, for partners that share their
  columns, but an alias bomb (each alias repeating the one before it nine times: 13 KB of
  text, 9^29 values once expanded) stops here, counted on the parser's events in one pass
  and without expanding anything.

The others are bounds of the pydantic models (config/models.py): amounts (`MAX_EUR`), points
(`MAX_POINTS`), the numbers of the bands (`MAX_NUMBER`), dates (`MIN_DATE`-`MAX_DATE`), the
header row (`MAX_HEADER_ROW`), and a CSV encoding must be a text encoding Python knows.
Expressions have their own limit of length (engine/expr.py, `MAX_LENGTH`).
"""

from __future__ import annotations

import codecs
import datetime as dt
from decimal import Decimal

from ruamel.yaml import YAML
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    ScalarEvent,
)

from conciliare_cli.errors import ConfigError
from conciliare_cli.italian import date_short, number

MAX_CONFIG_BYTES = 1 << 20  # 1 MiB: the example call's bando.yaml is 14 KB
MAX_YAML_NODES = 100_000  # values, lists and sections once aliases are expanded (example: ~900)
MAX_EUR = Decimal(1_000_000_000)  # any amount of the rules: a fund, a reserve, the voucher cap
MAX_POINTS = Decimal(1_000_000)  # points of a criterion, a band, a map entry (either sign)
MAX_NUMBER = Decimal(10) ** 15  # bounds of a band (an ISEE, a count); as expression literals
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)  # pandas' own dates end in 2262
MAX_HEADER_ROW = 1_048_576  # Excel's last row


def check_config_size(size: int, filename: str) -> None:
    """ConfigError when bando.yaml is larger than MAX_CONFIG_BYTES (asked before reading it)."""
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(
            [
                f"{filename}: il file è di {number(size)} byte, oltre il limite di "
                f"{number(MAX_CONFIG_BYTES)}: non è un file di regole"
            ]
        )


def check_aliases(text: str, filename: str) -> None:
    """ConfigError when the YAML, once its aliases are expanded, holds more than
    MAX_YAML_NODES values, lists and sections (counted on the parser's events, without
    expanding anything). YAML syntax errors are left to the loader, which names their line."""
    sizes: dict[str, int] = {}  # anchor -> expanded size of its node
    stack: list[list] = []  # open lists and sections: [anchor, size so far]
    for event in YAML(typ="rt").parse(text):
        if isinstance(event, CollectionStartEvent):
            stack.append([event.anchor, 1])
            continue
        if isinstance(event, ScalarEvent):
            anchor, size = event.anchor, 1
        elif isinstance(event, CollectionEndEvent):
            anchor, size = stack.pop()
        elif isinstance(event, AliasEvent):
            anchor, size = None, sizes.get(event.anchor, 1)
        else:
            continue
        if anchor:
            sizes[anchor] = size
        if stack:
            stack[-1][1] += size
            if stack[-1][1] > MAX_YAML_NODES:
                line = event.start_mark.line + 1 if event.start_mark else 1
                raise ConfigError([_too_big(filename, line)])


def _too_big(filename: str, line: int) -> str:
    return (
        f"{filename}, riga {line}: espandendo gli alias (*nome) il file supera "
        f"{number(MAX_YAML_NODES)} valori: non è un file di regole (forse una «bomba» di alias); "
        "usa gli alias solo per ripetere una sezione, non per moltiplicarla"
    )


def text_encoding(name: str) -> str:
    """`name` when it is a text encoding Python knows (for CSV files); ValueError otherwise."""
    try:
        codecs.lookup(name)
        b"a".decode(name)  # a bytes-to-bytes codec (rot13, base64, zlib) refuses here
    except UnicodeDecodeError:
        pass  # a text encoding all the same (utf-16 needs two bytes)
    except LookupError:
        raise ValueError(
            f"codifica '{name}' sconosciuta o non testuale: usa ad esempio utf-8 o cp1252, "
            "oppure togli 'encoding' (la codifica viene rilevata)"
        ) from None
    return name


def in_date_range(value: dt.date) -> dt.date:
    """`value` (a date or a datetime) when it lies within MIN_DATE-MAX_DATE; ValueError if not."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(
            f"data fuori dall'intervallo ammesso (dal {date_short(MIN_DATE)} al "
            f"{date_short(MAX_DATE)}), trovato {day.isoformat()}"
        )
    return value
