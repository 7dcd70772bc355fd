"""The files the letters read from the call folder stay inside it.

The letters read the call's own templates (`CARTELLA/templates/`, files named like the shipped
ones) and the logos named in `letters.logos`. A symbolic link in `templates/` (or the folder
itself being one) that points out of the call folder, or a logo path that climbs out of it
(`../`, an absolute path, a link), would let a call folder read any file the user can read
into a letter: `letters` stops first, exit 2, naming the file and where it points. The
check runs on paths only and opens nothing; it is the same rule the reader applies to the
partners' files (read.partner_files).
"""

from __future__ import annotations

from pathlib import Path

from conciliare_cli.config.loader import CONFIG_NAME, LoadedCall
from conciliare_cli.errors import UserError

TEMPLATES_DIR = "templates"  # the letters' override folder (letters/: OVERRIDE_DIR)
MAX_TEMPLATE_FILES = 1_000  # a templates folder holds a few files; a deep tree is a mistake


def _outside(path: Path, root: Path) -> bool:
    real = path.resolve()
    return real != root and root not in real.parents


def check_letters_files(call: LoadedCall) -> None:
    """UserError when a template or a logo of the call resolves outside the call folder."""
    root = call.folder.resolve()
    templates = call.folder / TEMPLATES_DIR
    if templates.exists() or templates.is_symlink():
        paths = [templates]
        if templates.is_dir() and not _outside(templates, root):
            for n, path in enumerate(sorted(templates.rglob("*"))):
                if n >= MAX_TEMPLATE_FILES:
                    break
                paths.append(path)
        for path in paths:
            if _outside(path, root):
                raise UserError(
                    f"è un collegamento a '{path.resolve()}', fuori dalla cartella del bando: "
                    "le lettere usano solo modelli dentro la cartella del bando",
                    file=path.relative_to(call.folder).as_posix(),
                    hint="copia il file vero nella cartella templates/ al posto del collegamento",
                )
    letters = call.config.letters
    for name in letters.logos if letters is not None else []:
        path = call.folder / name
        if _outside(path, root):
            raise UserError(
                f"il logo '{name}' indicato in letters.logos è fuori dalla cartella del "
                "bando: le lettere usano solo file dentro la cartella del bando",
                file=CONFIG_NAME,
                hint="copia l'immagine nella cartella del bando e scrivi in letters.logos un "
                "percorso relativo, come 'loghi/ente.png'",
            )
