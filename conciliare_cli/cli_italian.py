"""The command line's own words in Italian: the parser's errors and the help's metavars.

Typer (with its vendored Click) writes its messages in English ("Missing argument 'CARTELLA'",
"No such option: --finale", "No such command 'rnak'", pydantic's "Input should be greater than
or equal to 1"). `italian_message(exc)` says each of them in Italian, from the exception's own
data (the parameter, the option typed, the possibilities) rather than by translating its text;
`app.py` prints it in place of Typer's panel.

Options have Italian names; the English names of earlier versions are kept as aliases
(`ALIASES`), accepted by every command and documented in the README, never shown in `--help`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from typer._click import exceptions as click_exc

# Old (English) option names → the Italian name, per command ("" = the root).
ALIASES: dict[str, dict[str, str]] = {
    "": {"--version": "--versione"},
    "validate": {"--out": "--esiti", "--date": "--data"},
    "rank": {
        "--out": "--esiti",
        "--date": "--data",
        "--final": "--definitiva",
        "--force": "--forza",
    },
    "letters": {
        "--out": "--lettere",
        "--date": "--data",
        "--only": "--solo",
        "--ids": "--protocolli",
        "--workers": "--processi",
    },
    "verify": {"--out": "--esiti"},
    "ricevute": {"--ids": "--protocolli"},
    **{
        name: {"--out": "--spese", "--date": "--data"}
        for name in ("spese", "rendiconto", "fse", "trasparenza", "conservazione")
    },
}


def normalizer(command: str):
    """The `token_normalize_func` of `command`: an English alias becomes its Italian option."""
    # Click passes the name without its dashes ('final'), and command names through it too
    table = {old.lstrip("-"): new.lstrip("-") for old, new in ALIASES.get(command, {}).items()}

    def normalize(token: str) -> str:
        return table.get(token, token)

    return normalize


def _names(param: Any) -> str:
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "argument":
        return str(getattr(param, "metavar", None) or param.name or "").upper()
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    return opts[0] if opts else (param.opts[0] if param.opts else str(param.name))


# pydantic's and Click's words about a value, as Italian phrases (the value is not repeated:
# the message names the option and the user sees what they typed).
_VALUE_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"greater than or equal to (\S+?)\.?$"), "deve essere almeno {0}"),
    (re.compile(r"greater than (\S+?)\.?$"), "deve essere maggiore di {0}"),
    (re.compile(r"less than or equal to (\S+?)\.?$"), "non può superare {0}"),
    (re.compile(r"less than (\S+?)\.?$"), "deve essere minore di {0}"),
    (re.compile(r"valid integer|is not a valid int"), "deve essere un numero intero"),
    (re.compile(r"valid number|valid float|is not a valid float"), "deve essere un numero"),
    (re.compile(r"valid boolean|is not a valid bool"), "deve essere sì o no"),
    (re.compile(r"does not exist"), "non esiste"),
    (re.compile(r"is a directory"), "è una cartella, non un file"),
    (re.compile(r"is a file"), "è un file, non una cartella"),
]


def value_phrase(message: str) -> str:
    """Click's or pydantic's words about a bad value, in Italian ('valore non valido' when
    the words are not known)."""
    for pattern, text in _VALUE_PHRASES:
        found = pattern.search(message)
        if found:
            return text.format(*found.groups())
    return "valore non valido"


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(set(choices)), n=3, cutoff=0.5)
    return f" (forse {', '.join(close)}?)" if close else ""


def _missing(exc: click_exc.MissingParameter) -> str:
    param = exc.param
    if param is not None and getattr(param, "param_type_name", "") == "option":
        return f"manca l'opzione {_names(param)}"
    return f"manca l'argomento {_names(param)}" if param is not None else "manca un argomento"


def _no_such_option(exc: click_exc.NoSuchOption) -> str:
    ctx = exc.ctx
    known: dict[str, str] = {}  # a name (Italian, or an old English alias) → the Italian name
    if ctx is not None:
        for p in ctx.command.get_params(ctx):
            known.update({o: o for o in getattr(p, "opts", []) if o.startswith("--")})
        for old, new in ALIASES.get(ctx.info_name if ctx.parent else "", {}).items():
            known.setdefault(old, new)
    close = difflib.get_close_matches(exc.option_name, sorted(known), n=3, cutoff=0.5)
    names = list(dict.fromkeys(known[c] for c in close))
    hint = f" (forse {', '.join(names)}?)" if names else ""
    return f"opzione sconosciuta {exc.option_name}{hint}"


def _usage(exc: click_exc.UsageError) -> str:
    text = exc.message
    ctx = exc.ctx
    command = re.match(r"No such command '(.*?)'", text)
    if command:
        names = list(getattr(ctx.command, "commands", {}) or {}) if ctx else []
        return f"comando sconosciuto '{command.group(1)}'" + _suggest(command.group(1), names)
    if text.startswith("Missing command"):
        return "manca il comando (uno di: init, validate, rank, explain, letters, verify)"
    extra = re.match(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", text)
    if extra:
        return f"argomenti in più non previsti: {extra.group(1)}"
    needs = re.match(r"Option '(.*?)' requires", text)
    if needs:
        return f"l'opzione {needs.group(1)} vuole un valore"
    no_value = re.match(r"Option '(.*?)' does not take a value", text)
    if no_value:
        return f"l'opzione {no_value.group(1)} non vuole un valore"
    return "uso non corretto del comando"


def italian_message(exc: click_exc.ClickException) -> str:
    """The Italian message for an error of the command line (parser, types, usage)."""
    if isinstance(exc, click_exc.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click_exc.NoSuchOption):
        return _no_such_option(exc)
    if isinstance(exc, click_exc.BadParameter):
        where = _names(exc.param) if exc.param is not None else ""
        phrase = value_phrase(exc.message)
        return f"{where}: {phrase}" if where else phrase
    if isinstance(exc, click_exc.BadOptionUsage):
        return _usage(exc)
    if isinstance(exc, click_exc.UsageError):
        return _usage(exc)
    if isinstance(exc, click_exc.FileError):
        return f"non riesco ad aprire il file {exc.ui_filename}"
    return "errore nella riga di comando"


def range_text(minimum: Any, maximum: Any) -> str | None:
    """A parameter's range for --help, in Italian."""
    if minimum is not None and maximum is not None:
        return f"da {minimum} a {maximum}"
    if minimum is not None:
        return f"almeno {minimum}"
    if maximum is not None:
        return f"al massimo {maximum}"
    return None
