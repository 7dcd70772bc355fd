"""The example call examples/conciliare-2017/: six partners' exports (xlsx, xls, ods and
three CSV dialects) with the defects a real call meets planted in known places, and a README
that lists each with its file, row, column and the code the tool must report.

- `partners`: the six partners, their formats and headers;
- `builder`: the people (conciliare_cli.demo.applications) and the record of what is planted;
- `plants`: the planted cases;
- `layout`: each file as rows of cells, with the Excel row of every application;
- `writers`: the files, each the way its partner's system writes it;
- `readme`: the README's tables;
- `build`: all of it, and the command line (`python -m conciliare_cli.demo.example`).
"""

from __future__ import annotations

from conciliare_cli.demo.example.build import build, main

__all__ = ["build", "main"]
