"""The mistakes a family or a lawyer would notice in a letter (issue 14), as patterns over its
text: gender, articles before dates, plurals, field names and codes in the text, broken e-mail
addresses, empty slots, sentences without a verb. Used on every letter of a generated call
(test_letters_italian.py) and of the example call (test_letters_example.py)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

# (what a reader would notice, a pattern over the letter's text with its lines joined)
MISTAKES_IN_TEXT = [
    (
        "a singular noun after 1 in the plural",
        r"(?<![\d,.])1 (anni|punti|minori|giorni|mesi|buoni|volte|motivi)\b|\(1 in tutto\)",
    ),
    ("'il' before 8 or 11", r"\bil (8|11|08|01|0\d)\b"),
    ("an elided article before a day that takes none", r"\bl'(1|[2-79]|1[02-9]|[23]\d)\b"),
    ("a date written 08/06/2017 after an article", r"\b(il|l')\s?\d\d/\d\d/\d{4}"),
    ("a field name", r"\b(applicant|minor)_\w+|\w+_(eur|cents)\b|\bcrit_\w+"),
    ("a Python value", r"\b(None|nan|NaN|NaT|True|False|null)\b"),
    ("a status or reason code", r"\b[A-Z]{3,}_[A-Z_]{3,}\b"),
    ("an empty number", r"\bn\.\s*[,.;:)]|posto n\.\s+(con|della|in)\b"),
    ("an empty date or name", r"\b(del|il|al)\s*[,.;)]|\bpresentata\s*[,;)]|Gentile (signora? )?,"),
    ("a space before punctuation", r"\s[,;](?=\s)|\(\s|\s\)"),
    ("doubled punctuation", r",\s*,|(?<!\.)\.\s*\.(?!\.)|:\s*\."),
    ("a template left in the text", r"\{\{|\}\}|#[a-z]+\(|\bl\.[a-z_]+\b"),
    ("an unreadable service", r"=[A-Z]+\("),
    ("a renunciation without its verb", r"Rinuncia (?!Se non intende utilizzare)"),
    (
        "the old appeal text",
        r"TAR per la Lombardia|Tribunale Amministrativo Regionale per la Lombardia entro",
    ),
]
# Patterns over single lines of `pdftotext -layout` (a child's row, a bullet).
MISTAKES_IN_LINES = [
    ("a girl in the masculine", r"\(nata [^)]*\).*\b(finanziato|ammesso|indicato|considerato)\b"),
    ("a boy in the feminine", r"\(nato [^)]*\).*\b(finanziata|ammessa|indicata|considerata)\b"),
    ("an e-mail address broken across two lines", r"[\w.+-]+@[\w.-]*-$"),
]


def pdftotext(path: Path, *layout: str) -> str:
    out = subprocess.run(
        ["pdftotext", *layout, str(path), "-"], capture_output=True, check=True, text=True
    )
    return out.stdout


def split_letters(text: str) -> list[str]:
    """The letters of the combined PDF (each begins with the sender and its title)."""
    pages = text.split("\f")
    letters: list[str] = []
    for page in pages:
        if "Oggetto:" in page:
            letters.append(page)
        elif letters and "VOUCHER DI CONCILIAZIONE" not in page:
            letters[-1] += page
    return letters


def problems(letter: str, layout_lines: list[str]) -> list[str]:
    joined = " ".join(letter.replace("\u00ad\n", "").split())
    found = [what for what, pattern in MISTAKES_IN_TEXT if re.search(pattern, joined)]
    for line in layout_lines:
        found += [what for what, pattern in MISTAKES_IN_LINES if re.search(pattern, line.strip())]
    return found
