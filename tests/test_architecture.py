"""One direction: lower layers never import higher ones, and there is no import circle.

The layers, lowest first (a module may import its own layer and the ones below):

0. base: errors, fields, findings, status, money, italian, taxcode, atomic, lock, resources,
   records, natural, background (a second process for a writer)
1. the call's rules as written: config (YAML, schema), schema, edition (a call from last year's)
2. reading the partners' files: read; the test-data generator: demo
3. istruttoria: validate
4. the rules engine: engine (criteria, compile, eligibility, ranking, allocation, result)
5. writers: write
6. acts and publishing: publish, letters
7. orchestration of a run: runs, audit (verify), trials (a rule set's own tests);
   after the final list: acts (events, scorrimento), vouchers in use: spending (it reads
   the acts)
8. the command line and tooling: app, cli, cli_italian, commands, docs, __main__

Every import counts, also inside functions and under TYPE_CHECKING: a lazy import hides a
circle, it does not remove it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "conciliare_cli"
ROOT = "conciliare_cli"

LAYERS: dict[str, int] = {
    "": 0,  # the package itself (__version__)
    "errors": 0,
    "fields": 0,
    "findings": 0,
    "status": 0,
    "money": 0,
    "italian": 0,
    "taxcode": 0,
    "atomic": 0,
    "lock": 0,
    "resources": 0,
    "records": 0,
    "natural": 0,
    "background": 0,
    "config": 1,
    "schema": 1,
    "edition": 1,
    "read": 2,
    "demo": 2,
    "validate": 3,
    "engine": 4,
    "write": 5,
    "publish": 6,
    "letters": 6,
    "runs": 7,
    "audit": 7,
    "acts": 7,
    "spending": 7,
    "trials": 7,
    "app": 8,
    "cli": 8,
    "cli_italian": 8,
    "commands": 8,
    "docs": 8,
    "__main__": 8,
}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports (absolute and relative, at any depth)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == ROOT)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != ROOT:
                continue
            for alias in node.names:  # `from pkg import module` imports the module
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in known else target)
    return {m for m in out if m in known and m != name}


def layer_of(module: str) -> int:
    parts = module.split(".")[1:]
    key = parts[0] if parts else ""
    if key not in LAYERS:
        raise AssertionError(f"{module}: no layer declared in tests/test_architecture.py")
    return LAYERS[key]


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def test_every_module_has_a_layer():
    for name in modules():
        layer_of(name)


def test_no_import_from_a_higher_layer():
    wrong = [
        f"{a} (layer {layer_of(a)}) imports {b} (layer {layer_of(b)})"
        for a, targets in sorted(graph().items())
        for b in sorted(targets)
        if layer_of(b) > layer_of(a)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_circle():
    g = graph()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(g[node]):
            if state.get(nxt) == 1:
                circles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node)
    assert not circles, "\n".join(" -> ".join(c) for c in circles)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from conciliare_cli.engine import stages\n", {"conciliare_cli.engine.stages"}),
        ("from . import stages\n", {"conciliare_cli.engine.stages"}),
        ("from ..errors import UserError\n", {"conciliare_cli.errors"}),
        ("def f():\n    import conciliare_cli.write.xlsx\n", {"conciliare_cli.write.xlsx"}),
    ],
)
def test_the_walker_sees_every_kind_of_import(tmp_path, source, expected):
    path = tmp_path / "probe.py"
    path.write_text(source)
    known = set(modules())
    assert imports_of("conciliare_cli.engine.probe", path, known) == expected


def test_no_two_modules_with_the_same_name():
    """One name, one module (there were two pipeline.py, two italian.py, two checks.py)."""
    seen: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name not in ("__init__.py", "__main__.py"):
            seen.setdefault(path.stem, []).append(module_name(path))
    twins = {stem: names for stem, names in seen.items() if len(names) > 1}
    assert not twins, twins
