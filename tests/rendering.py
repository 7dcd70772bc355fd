"""Render xlsx files as LibreOffice prints them, and read the PDF back (tests only).

`xlsx_to_pdf(path, out_dir)` runs LibreOffice headless (skipped where it is not installed);
`pdf_words(pdf)` gives each page's words with their font size in points, as drawn (the text
matrix and the page's scaling applied), so a test can check the type a reader gets at 100%.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice non installato (apt-get install libreoffice-calc)")
    return found


def xlsx_to_pdf(path: Path, out_dir: Path) -> Path:
    """The workbook as LibreOffice prints it (every sheet, its own page setup)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "lo-profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out_dir / (path.stem + ".pdf")


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    size: float  # points, as printed


def pdf_words(pdf: Path) -> list[Word]:
    """Every run of text with its printed font size."""
    out: list[Word] = []
    for number, page in enumerate(PdfReader(pdf).pages, start=1):

        def visit(text, cm, tm, font_dict, font_size, page=number):
            if text.strip():
                scale = (
                    abs(tm[0] * cm[0] + tm[1] * cm[2]) ** 2
                    + abs(tm[0] * cm[1] + tm[1] * cm[3]) ** 2
                ) ** 0.5
                out.append(Word(page, text.strip(), round(font_size * scale, 2)))

        page.extract_text(visitor_text=visit)
    return out


def page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def pdf_text(pdf: Path) -> str:
    """The text as pdftotext lays it out (poppler), one page after the other."""
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    )
    return done.stdout
