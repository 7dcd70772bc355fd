"""Italian formats and plain amounts (conciliare_cli/italian.py, money.py, status.py)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from conciliare_cli.italian import eur, eur_decimal, score_it, yes_no
from conciliare_cli.money import cents_to_decimal
from conciliare_cli.status import status_label


def nb(text: str) -> str:
    return text.replace("\xa0", " ")  # Babel separates the € with a no-break space


def test_money():
    assert nb(eur(123456)) == "1.234,56 €"
    assert nb(eur_decimal(Decimal("44000"))) == "44.000,00 €"
    assert cents_to_decimal(30050) == Decimal("300.50")
    assert cents_to_decimal(pd.NA) is None and eur(None) == ""


def test_scores_and_labels():
    assert score_it(23.0) == "23" and score_it(0.1 + 0.2) == "0,3"
    assert score_it(1234.5) == "1.234,5" and score_it(None) == ""
    assert status_label("FINANZIATA_PARZIALMENTE") == "Finanziata parzialmente"
    assert status_label("ALTRO") == "ALTRO" and status_label(None) == ""
    assert [yes_no(v) for v in (True, False, None, pd.NA, float("nan"))] == [
        "Sì",
        "No",
        "",
        "",
        "",
    ]
