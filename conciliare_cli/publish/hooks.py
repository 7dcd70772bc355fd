"""A failure injected by the tests, to prove that a run interrupted midway leaves the previous
result whole.

`CONCILIARE_TEST_FAIL_AFTER=<step>` makes `test_hook(<step>)` fail: with
`CONCILIARE_TEST_FAIL_MODE=kill` the process kills itself with SIGKILL (nothing gets to clean
up, as when the power goes), otherwise it raises RuntimeError. Steps: `public_xlsx` (after
the public Excel file is written), `public_pdf` (after the public PDF), `manifest`.
Without the variable the hook does nothing.
"""

from __future__ import annotations

import os
import signal

FAIL_AFTER = "CONCILIARE_TEST_FAIL_AFTER"
FAIL_MODE = "CONCILIARE_TEST_FAIL_MODE"


def test_hook(step: str) -> None:
    if os.environ.get(FAIL_AFTER) != step:
        return
    if os.environ.get(FAIL_MODE) == "kill":
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    raise RuntimeError(f"failure injected after {step} ({FAIL_AFTER})")


test_hook.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
