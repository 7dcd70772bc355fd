"""Regenerate the example call examples/conciliare-2017/ (bando.yaml, partner files, README).

    .venv/bin/pip install xlwt odfpy     # only for this script: .xls and .ods writers
    .venv/bin/python bench/make_example.py [--out examples/conciliare-2017]

xlwt and odfpy are NOT dependencies of conciliare (the tool reads .xls and .ods with
python-calamine); they are needed only here, to write the committed example files.

The example is built by conciliare_cli.demo.example (the same generator as `conciliare
demo-data` and the tests); this script only gives it the repository's example folder as the
default output. Running it twice gives the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conciliare_cli.demo.example import main  # noqa: E402

if __name__ == "__main__":
    main(default_out=ROOT / "examples" / "conciliare-2017")
