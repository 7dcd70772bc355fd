"""Validation (istruttoria): checks on the canonical table, and the read + check stage.

- `validate_table(call, minors)`: the findings of every check (conciliare_cli/findings.py
  codes), vectorised, sorted; the table is not modified.
- `fill_birth_dates(call, minors)`: empty minor birth dates taken from the tax code.
- `validate_call(call, on_file=None)`: read every partner file, check, fill the birth dates;
  returns the ReadResult (with the filled table) and all findings, reader's and checks'.
"""

from conciliare_cli.taxcode import tax_code_problem
from conciliare_cli.validate.checks import (
    birth_dates_from_cf,
    fill_birth_dates,
    validate_table,
)
from conciliare_cli.validate.stage import CheckOptions, check_read, merge_findings, validate_call

__all__ = [
    "CheckOptions",
    "birth_dates_from_cf",
    "check_read",
    "fill_birth_dates",
    "merge_findings",
    "tax_code_problem",
    "validate_call",
    "validate_table",
]
