"""The one generator of test data: invented people, canonical tables and whole call folders.

Tests, the benchmarks (bench/) and `conciliare demo-data` all draw from here; the example call
examples/conciliare-2017/ is built from the same pieces (`conciliare_cli.demo.example`).

- `pools`: the surnames, names, places and partner bodies people are drawn from;
- `people`: codici fiscali, vectorised (python-codicefiscale's encoders, the check character
  of `conciliare_cli.taxcode`), and numbered codes for unit tests;
- `applications`: the ground truth of a call (`population`), one row per minor, from a seed;
- `tables`: canonical tables as the reader returns them (`minors_table`, `random_minors`);
- `rules`: the shipped rules as text (with partners) or as data (`rules_data`, `call_from`);
- `styles`, `sheets`, `files`: how partners export, their rows as cells, writing the files;
- `calls`: `generate_call`, a complete call folder in every format;
- `example`: the example call with its planted defects.

Everything is deterministic from the seed: the same arguments give byte-identical files.
The generator sits on the base modules and config only (tests/test_architecture.py).
"""

from __future__ import annotations

from conciliare_cli.demo.applications import (
    APPLICATION_FIELDS,
    MAX_MINORS,
    MINOR_FIELDS,
    CallDates,
    population,
)
from conciliare_cli.demo.calls import (
    GeneratedCall,
    GeneratedPartner,
    applications_for,
    generate_call,
)
from conciliare_cli.demo.people import numbered_tax_code, numbered_tax_codes, tax_codes
from conciliare_cli.demo.pools import BIRTHPLACES, FEMALE_NAMES, MALE_NAMES, SURNAMES
from conciliare_cli.demo.rules import call_from, rules_data
from conciliare_cli.demo.styles import DEFAULT_FORMATS, FORMATS, STYLES
from conciliare_cli.demo.tables import minors_table, random_minors

__all__ = [
    "APPLICATION_FIELDS",
    "BIRTHPLACES",
    "DEFAULT_FORMATS",
    "FEMALE_NAMES",
    "FORMATS",
    "MALE_NAMES",
    "MAX_MINORS",
    "MINOR_FIELDS",
    "STYLES",
    "SURNAMES",
    "CallDates",
    "GeneratedCall",
    "GeneratedPartner",
    "applications_for",
    "call_from",
    "generate_call",
    "minors_table",
    "numbered_tax_code",
    "numbered_tax_codes",
    "population",
    "random_minors",
    "rules_data",
    "tax_codes",
]
