"""The letters' Jinja2 templates: sandboxed, autoescaped, strict, overridable by the call folder.

A call folder may hold its own `templates/` with files named like the shipped ones
(`lettera.html`, `finanziata.html`, ..., `lettera.css`): those win. Every template is checked
before any letter is written (`check_templates`): a syntax error, a variable the letters do not
provide, or an operation the sandbox forbids becomes a UserError naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    nodes,
)
from jinja2.meta import find_undeclared_variables
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment, SecurityError

from conciliare_cli.errors import UserError

SHIPPED = Path(__file__).resolve().parent / "templates"
OVERRIDE_DIR = "templates"
CSS_NAME = "lettera.css"
BASE_NAME = "lettera.html"

# The variables every letter template receives (see context.common_context and Letter.context).
CONTEXT_NAMES = frozenset({"sender", "call", "texts", "logos", "date", "date_short", "letter"})


def template_dirs(call_folder: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins: the call's own, then the shipped ones."""
    dirs = []
    if call_folder is not None and (call_folder / OVERRIDE_DIR).is_dir():
        dirs.append(call_folder / OVERRIDE_DIR)
    dirs.append(SHIPPED)
    return dirs


def make_environment(dirs: Iterable[Path]) -> SandboxedEnvironment:
    """A sandboxed environment: autoescape on, unknown variables are errors, data read-only."""
    return ImmutableSandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(d), encoding="utf-8") for d in dirs]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,  # a template edited between two runs in one process is reread
    )


def read_css(dirs: Iterable[Path]) -> str:
    for d in dirs:
        path = d / CSS_NAME
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""


def template_path(env: SandboxedEnvironment, name: str) -> str:
    """The file a template name resolves to (the override if there is one)."""
    try:
        _source, filename, _uptodate = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except TemplateNotFound:
        return name
    return filename or name


def _roots(env: SandboxedEnvironment) -> list[str]:
    roots: list[str] = []
    loader = env.loader
    for sub in getattr(loader, "loaders", [loader]):
        roots.extend(str(Path(p).resolve()) for p in getattr(sub, "searchpath", []))
    return roots


def _line_in_template(tb: TracebackType | None, env: SandboxedEnvironment) -> tuple[str, int]:
    """The innermost template frame of a traceback: (file, line).

    Jinja rewrites tracebacks so that template code shows as frames of the template file at
    the template's own line numbers.
    """
    roots = _roots(env)
    found = ("", 0)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if any(str(Path(filename).resolve()).startswith(r) for r in roots):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def template_error(exc: BaseException, env: SandboxedEnvironment, name: str) -> UserError:
    """A UserError naming the template file and line of a Jinja error."""
    if isinstance(exc, TemplateSyntaxError):
        file = exc.filename or template_path(env, exc.name or name)
        return UserError(
            f"riga {exc.lineno}: errore nel modello della lettera ({exc.message})",
            file=file,
        )
    file, line = _line_in_template(exc.__traceback__, env)
    if not file:
        file = template_path(env, name)
    where = f"riga {line}: " if line else ""
    if isinstance(exc, UndefinedError):
        message = f"{where}variabile sconosciuta nel modello della lettera ({exc.message})"
        return UserError(message, file=file, hint=_names_hint())
    if isinstance(exc, SecurityError):
        return UserError(f"{where}operazione non permessa nel modello ({exc})", file=file)
    return UserError(f"{where}errore nel modello della lettera ({exc})", file=file)


def _names_hint() -> str:
    return "variabili disponibili: " + ", ".join(sorted(CONTEXT_NAMES)) + " (vedi README)"


def _first_use(ast: nodes.Template, name: str) -> int:
    for node in ast.find_all(nodes.Name):
        if node.name == name and node.ctx == "load":
            return node.lineno
    return 0


_MISSING = object()


def _chain(node: nodes.Node) -> tuple[str, list[str]] | None:
    """`letter.recipient.name` -> ('letter', ['recipient', 'name']); None if not such a chain."""
    keys: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            keys.append(node.attr)
            node = node.node
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            keys.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            return node.name, list(reversed(keys))
        else:
            return None


def _resolve(schema: Any, keys: list[str]) -> tuple[Any, str | None]:
    """Follow `keys` into the example data; (value, first missing key or None)."""
    for key in keys:
        if not isinstance(schema, dict):
            return _MISSING, None  # a string's or a list's own attribute: not ours to check
        if key not in schema:
            return _MISSING, key
        schema = schema[key]
    return schema, None


def _check_attributes(
    node: nodes.Node, scope: dict[str, Any], filename: str, found: list[tuple[int, str]]
) -> None:
    """Walk a template's tree: every `a.b.c` on letter data must name a field that exists.

    Loop variables over lists of the letter data (`for m in letter.minors`) are followed too.
    """
    if isinstance(node, nodes.For) and isinstance(node.target, nodes.Name):
        _check_attributes(node.iter, scope, filename, found)
        chain = _chain(node.iter)
        item: Any = _MISSING
        if chain and chain[0] in scope:
            value, _missing = _resolve(scope[chain[0]], chain[1])
            if isinstance(value, list) and value:
                item = value[0]
        inner = dict(scope)
        inner.pop(node.target.name, None)
        if item is not _MISSING:
            inner[node.target.name] = item
        for child in node.body:
            _check_attributes(child, inner, filename, found)
        for child in node.else_:
            _check_attributes(child, scope, filename, found)
        return
    if isinstance(node, nodes.Getattr | nodes.Getitem):
        chain = _chain(node)
        if chain and chain[0] in scope:
            _value, missing = _resolve(scope[chain[0]], chain[1])
            if missing is not None:
                found.append((node.lineno, ".".join([chain[0], *chain[1]])))
                return
    for child in node.iter_child_nodes():
        _check_attributes(child, scope, filename, found)


def static_check(
    env: SandboxedEnvironment, names: Iterable[str], example: dict[str, Any] | None = None
) -> None:
    """Parse every template and reject names no letter provides, before anything renders.

    With `example` (the data of a complete letter), attribute chains such as
    `letter.recipient.name` are checked against it too, in every branch of the template.
    """
    allowed = CONTEXT_NAMES | set(env.globals)
    for name in names:
        try:
            source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        except TemplateNotFound as exc:
            raise UserError(f"manca il modello della lettera '{name}'") from exc
        try:
            ast = env.parse(source, name, filename)
        except TemplateSyntaxError as exc:
            exc.filename = filename
            raise template_error(exc, env, name) from exc
        unknown = sorted(find_undeclared_variables(ast) - allowed)
        if unknown:
            line = _first_use(ast, unknown[0])
            where = f"riga {line}: " if line else ""
            raise UserError(
                f"{where}variabile sconosciuta nel modello della lettera: '{unknown[0]}'",
                file=filename or name,
                hint=_names_hint(),
            )
        if example is None:
            continue
        assigned = {n.name for n in ast.find_all(nodes.Name) if n.ctx == "store"}
        scope = {k: v for k, v in example.items() if k not in assigned}
        found: list[tuple[int, str]] = []
        _check_attributes(ast, scope, filename or name, found)
        if found:
            line, chain = min(found)
            raise UserError(
                f"riga {line}: variabile sconosciuta nel modello della lettera: '{chain}'",
                file=filename or name,
                hint=_names_hint(),
            )


def render_checked(env: SandboxedEnvironment, name: str, context: dict[str, Any]) -> str:
    """Render a template; any Jinja error becomes a UserError with file and line."""
    try:
        return env.get_template(name).render(context)
    except (TemplateError, SecurityError) as exc:
        raise template_error(exc, env, name).with_traceback(None) from exc
    except (TypeError, ValueError, AttributeError) as exc:  # e.g. a bad filter argument
        raise template_error(exc, env, name) from exc
