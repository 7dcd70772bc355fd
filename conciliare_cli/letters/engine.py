"""The letters' layout engine: Typst (the `typst` package), in a sandbox, compiling chunks.

A run builds a *project* folder (a temporary folder, the only one Typst may read): the shipped
templates, the call's own templates/ on top of them (same file name wins; fonts and images in
that folder come along), the logos named in bando.yaml, and the document `documento.typ`
written here, which lays out a chunk of letters, each followed by its voucher slips:

    #show: pagina                      (stile.typ: page, font, paragraph)
    for each letter: marker, lettera(c, l), then for each voucher: marker, buono(c, l, b)

The data arrives as JSON in `sys.inputs`, never as Typst code, so a name such as `#x` or
`{{7*7}}` prints as itself. Each marker is an invisible heading that becomes a PDF bookmark:
its page is where a letter or a slip begins (pdfparts cuts the chunk's PDF there).

Sandbox: Typst reads files only under the project's root; packages (`@preview/...`) would be
downloaded, so every compilation runs with the HTTP(S) proxy set to a closed local port, and
the package folders point into the project (empty). System fonts are ignored: the fonts are
those built into Typst plus the call's own, so the same inputs give the same bytes anywhere.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conciliare_cli.errors import UserError

SHIPPED = Path(__file__).resolve().parent / "templates"
OVERRIDE_DIR = "templates"
TEMPLATE_NAMES = ("stile.typ", "lettera.typ", "buono.typ")
DOCUMENT = "documento.typ"
FOOTERS_DOCUMENT = "piedi.typ"
# An empty document compiled after each chunk, only to age Typst's memo cache (below).
EMPTY_DOCUMENT = "conciliare-vuoto.typ"
# typst-py drops the memo entries left unused for 10 compilations (comemo::evict(10) after each
# compile): 11 compilations of the empty document after a chunk drop what the chunk cached.
FORGET_PASSES = 11
DATA_INPUT = "conciliare-dati"
LETTER_MARK = "conciliare-lettera-"
SLIP_MARK = "conciliare-buono-"
PDF_STANDARD = "a-3b"
FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".otc"}
ASSET_SUFFIXES = FONT_SUFFIXES | {".typ", ".png", ".jpg", ".jpeg", ".gif", ".svg"}
# Where a package download would go: nowhere (a closed port on this machine).
NO_NETWORK = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}

DOCUMENT_SOURCE = f"""// Written by conciliare for each run: not a template (see the README).
#import "stile.typ": pagina
#import "lettera.typ": lettera
#import "buono.typ": buono
#let dati = json(bytes(sys.inputs.at("{DATA_INPUT}")))
#set document(title: dati.title, author: dati.author)
#show heading.where(level: 6, outlined: false): none
#show: pagina
#for (i, l) in dati.letters.enumerate() {{
  if i > 0 {{ pagebreak() }}
  heading(level: 6, outlined: false, bookmarked: true, "{LETTER_MARK}" + str(i))
  lettera(dati.common, l)
  for (k, b) in l.vouchers.enumerate() {{
    pagebreak()
    heading(level: 6, outlined: false, bookmarked: true, "{SLIP_MARK}" + str(i) + "-" + str(k))
    buono(dati.common, l, b)
  }}
}}
"""


# The page footers of a chunk's letters, one page each ("Domanda ... – pagina N di M", from
# `piede` in stile.typ), drawn over the letters' pages by pdfparts (ChunkObjects.stamp). Laid
# out apart because a footer that counts pages makes Typst lay the whole chunk out twice.
FOOTERS_SOURCE = f"""// Written by conciliare for each run: not a template (see the README).
#import "stile.typ": pagina, piede
#let dati = json(bytes(sys.inputs.at("{DATA_INPUT}")))
#set document(title: dati.title, author: dati.author)
#show: pagina
#for p in dati.pages {{
  page(footer: piede(p.id, p.page, p.pages), [])
}}
"""


class PdfUnavailable(UserError):
    """The PDF engine (the typst package) cannot be loaded here."""


def load_typst() -> Any:
    """Import typst, or say in Italian how to install it."""
    try:
        import typst
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise PdfUnavailable(
            "per creare i PDF manca il pacchetto 'typst': reinstallare conciliare "
            "con 'pip install -e .'"
        ) from exc
    return typst


@dataclass(frozen=True)
class Project:
    """The sandbox folder of a run and where each of its templates came from."""

    root: str
    origin: dict[str, str]  # file name in the project -> the file it was copied from

    def source_of(self, name: str) -> str:
        return self.origin.get(Path(name).name, name)


def template_dirs(call_folder: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins: the call's own, then the shipped ones."""
    dirs = []
    if call_folder is not None and (call_folder / OVERRIDE_DIR).is_dir():
        dirs.append(call_folder / OVERRIDE_DIR)
    dirs.append(SHIPPED)
    return dirs


@contextmanager
def project(call_folder: Path | None, logos: Sequence[Path]) -> Iterator[Project]:
    """A temporary project folder for a run (removed at the end)."""
    root = Path(tempfile.mkdtemp(prefix="conciliare-lettere-"))
    try:
        yield build_project(root, call_folder, logos)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def build_project(root: Path, call_folder: Path | None, logos: Sequence[Path]) -> Project:
    origin: dict[str, str] = {}
    for folder in reversed(template_dirs(call_folder)):  # shipped first, the call's on top
        for path in sorted(folder.iterdir()):
            if (
                path.is_file()
                and path.suffix.lower() in ASSET_SUFFIXES
                and path.name not in (DOCUMENT, FOOTERS_DOCUMENT, EMPTY_DOCUMENT)
            ):
                shutil.copyfile(path, root / path.name)
                origin[path.name] = str(path)
    (root / "loghi").mkdir()
    for i, logo in enumerate(logos, start=1):
        shutil.copyfile(logo, root / "loghi" / f"{i}{logo.suffix.lower()}")
    (root / DOCUMENT).write_text(DOCUMENT_SOURCE, encoding="utf-8")
    (root / FOOTERS_DOCUMENT).write_text(FOOTERS_SOURCE, encoding="utf-8")
    (root / EMPTY_DOCUMENT).write_text("", encoding="utf-8")
    (root / "pacchetti").mkdir()
    return Project(root=str(root), origin=origin)


def logo_paths(count: int, logos: Sequence[Path]) -> list[str]:
    """The logos as the templates see them (paths inside the project)."""
    return [f"loghi/{i}{p.suffix.lower()}" for i, p in enumerate(logos[:count], start=1)]


def font_folders(project: Project) -> list[str]:
    root = Path(project.root)
    has_fonts = any(p.suffix.lower() in FONT_SUFFIXES for p in root.iterdir())
    return [str(root)] if has_fonts else []


@contextmanager
def no_network() -> Iterator[None]:
    """The proxy variables pointing at a closed port for the duration of a compilation."""
    saved = {k: os.environ.get(k) for k in (*NO_NETWORK, *(k.lower() for k in NO_NETWORK))}
    os.environ.update(NO_NETWORK)
    os.environ.update({k.lower(): v for k, v in NO_NETWORK.items()})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class Compiler:
    """One warm Typst compiler over a project (fonts loaded once).

    Memory: Typst memoizes layouts in a process-wide cache that typst-py ages after each
    compilation (an entry unused for 10 compilations goes). A chunk's entries (its letters'
    paragraphs) are of no use to the next chunk, and ten chunks' worth took ~1.5 GB a process;
    so after each chunk the empty document is compiled FORGET_PASSES times, which drops them:
    a worker then stays at ~350 MB, and spends less CPU (less memory to allocate and fault in).
    The output bytes do not depend on the cache.
    """

    def __init__(self, project: Project) -> None:
        typst = load_typst()
        root = Path(project.root)
        self.project = project
        self._typst = typst
        options = {
            "root": str(root),
            "ignore_system_fonts": True,
            "package_path": str(root / "pacchetti"),
            "package_cache_path": str(root / "pacchetti"),
        }
        fonts = font_folders(project)
        self._compiler = typst.Compiler(str(root / DOCUMENT), font_paths=fonts, **options)
        self._footers = typst.Compiler(str(root / FOOTERS_DOCUMENT), font_paths=fonts, **options)
        self._empty = typst.Compiler(str(root / EMPTY_DOCUMENT), **options)

    def forget(self) -> None:
        """Drop the layouts Typst cached for the documents compiled so far."""
        with no_network():
            for _ in range(FORGET_PASSES):
                self._empty.compile()

    def compile(self, data: dict[str, Any], run_date: dt.date) -> bytes:
        """The PDF/A of a chunk (`data`: title, author, common, letters), then forget() it."""
        return self._run(self._compiler, data, run_date)

    def compile_footers(self, data: dict[str, Any], run_date: dt.date) -> bytes:
        """The PDF/A of a chunk's page footers (`data`: title, author, pages: id, page, pages)."""
        return self._run(self._footers, data, run_date)

    def _run(self, compiler: Any, data: dict[str, Any], run_date: dt.date) -> bytes:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        stamp = dt.datetime(run_date.year, run_date.month, run_date.day, tzinfo=dt.UTC)
        try:
            with no_network():
                pdf = compiler.compile(
                    sys_inputs={DATA_INPUT: text},
                    pdf_standards=[PDF_STANDARD],
                    timestamp=stamp,
                    pdf_tags=False,
                )
        except self._typst.TypstError as exc:
            raise template_error(exc, self.project) from None
        finally:
            self.forget()
        if not isinstance(pdf, bytes):  # pragma: no cover - typst's API changed
            raise RuntimeError("typst returned no PDF")
        return pdf


_LOCATION = re.compile(r"┌─ (?P<file>[^\s:]+\.typ):(?P<line>\d+):(?P<col>\d+)")


def template_error(exc: Any, project: Project) -> UserError:
    """A Typst error as an Italian UserError naming the template file and line."""
    message = str(getattr(exc, "message", exc))
    diagnostic = str(getattr(exc, "diagnostic", ""))
    hints = [str(h) for h in getattr(exc, "hints", []) or []]
    own = (DOCUMENT, FOOTERS_DOCUMENT)
    found = [m for m in _LOCATION.finditer(diagnostic) if Path(m["file"]).name not in own]
    if "failed to download package" in message or ("package" in message and "@" in message):
        message = "i pacchetti esterni non sono ammessi (nessun accesso alla rete)"
    elif "file not found" in message or "access denied" in message:
        message = (
            f"file non accessibile ({message}): i modelli possono leggere solo i file della "
            "propria cartella templates/ e i loghi indicati in bando.yaml"
        )
    overridden = any(
        Path(o).parent.name == OVERRIDE_DIR and SHIPPED not in Path(o).parents
        for o in project.origin.values()
    )
    if overridden and ("unresolved import" in message or "unknown variable" in message):
        hints.append(
            "i modelli nella cartella templates/ del bando possono venire da una versione "
            "precedente: confrontarli con quelli forniti (per esempio stile.typ definisce ora "
            "anche piede e affianca)"
        )
    if not found:
        return UserError(f"errore nel modello della lettera ({message})", hint="; ".join(hints))
    where = found[0]
    return UserError(
        f"riga {where['line']}: errore nel modello della lettera ({message})",
        file=project.source_of(where["file"]),
        hint="; ".join(hints) or None,
    )
