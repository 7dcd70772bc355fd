"""A rich progress bar over the partner files while they are read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from conciliare_cli.app import err_console
from conciliare_cli.config import LoadedCall


def count_input_files(call: LoadedCall) -> int:
    files: set[Path] = set()
    for partner in call.config.partners:
        for pattern in partner.file_patterns:
            try:
                files.update(p for p in call.folder.glob(pattern) if p.is_file())
            except (ValueError, NotImplementedError, OSError):
                continue  # an absolute or bad pattern: the reader refuses it, in Italian
    return len(files)


@contextmanager
def reading_progress(call: LoadedCall) -> Iterator[Callable[[Path], None]]:
    """Yield an `on_file` callback that advances a bar over the call's partner files."""
    progress = Progress(
        TextColumn("[bold]Lettura file dei partner"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[name]}", markup=False),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = progress.add_task("lettura", total=count_input_files(call) or None, name="")
    with progress:

        def on_file(path: Path) -> None:
            progress.update(task, advance=1, name=Path(path).name)

        yield on_file
