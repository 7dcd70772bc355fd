"""Regenerate the pictures of the example's outputs in examples/conciliare-2017/img/.

    .venv/bin/python bench/screenshots.py [--out examples/conciliare-2017/img]

Runs `conciliare rank` on the example call (date 15/09/2017, into a temporary folder), prints
graduatoria.xlsx as a committee would, with LibreOffice (headless, its own profile), and
turns the first page of that print and of graduatoria-pubblica.pdf into PNG with poppler's
pdftoppm. Needs `libreoffice-calc`, `fonts-crosextra-carlito` and `poppler-utils` (the
packages CI installs). The example's README shows the two pictures.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "conciliare-2017"
PICTURES = {  # picture name: (output of rank, printed first)
    "graduatoria.png": ("graduatoria.xlsx", True),
    "graduatoria-pubblica.png": ("graduatoria-pubblica.pdf", False),
}
DPI = 80


def _run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True, timeout=600)


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        sys.exit(f"{name} non trovato: installare {package}")
    return found


def _first_page_png(pdf: Path, png: Path) -> None:
    pdftoppm = _tool("pdftoppm", "poppler-utils")
    _run(pdftoppm, "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", pdf,
         png.with_suffix(""))  # fmt: skip


def make_pictures(out: Path) -> list[Path]:
    """Rank the example in a temporary folder and write the PNGs in `out`."""
    soffice = _tool("soffice", "libreoffice-calc")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        esiti = work / "esiti"
        conciliare = Path(sys.executable).parent / "conciliare"
        _run(conciliare, "rank", EXAMPLE, "--esiti", esiti, "--data", "2017-09-15")
        written = []
        for picture, (name, printed) in PICTURES.items():
            source = esiti / name
            if printed:
                profile = (work / "lo-profile").as_uri()
                _run(soffice, f"-env:UserInstallation={profile}", "--headless",
                     "--convert-to", "pdf", "--outdir", work, source)  # fmt: skip
                source = work / (source.stem + ".pdf")
            _first_page_png(source, out / picture)
            written.append(out / picture)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EXAMPLE / "img")
    for path in make_pictures(parser.parse_args().out):
        print(f"scritto {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
