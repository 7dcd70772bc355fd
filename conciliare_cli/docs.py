"""Reference sections of the README, generated from the code so that they cannot drift.

`python -m conciliare_cli.docs` rewrites the blocks between `<!-- BEGIN name -->` and
`<!-- END name -->` in README.md; a test fails when README.md is not current.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from conciliare_cli.config import annexes, models, spending_models, voucher
from conciliare_cli.fields import CANONICAL_FIELDS, DERIVED_FIELDS
from conciliare_cli.findings import CATALOGUE, ENGINE_REASONS

README = Path(__file__).resolve().parent.parent / "README.md"


def _kind(model: type[BaseModel], key: str = "type") -> str:
    return typing.get_args(model.model_fields[key].annotation)[0]


def _sub_sections(model: type[BaseModel]) -> list[tuple[str, type[BaseModel]]]:
    """The sections nested in a kind of criterion as lists of models (bands[])."""
    out = []
    for key, info in model.model_fields.items():
        args = typing.get_args(info.annotation)
        item = args[0] if typing.get_origin(info.annotation) is list and args else None
        if isinstance(item, type) and issubclass(item, BaseModel):
            out.append((key, item))
    return out


# The sections of bando.yaml in the README's order; the kinds of criterion come from
# models.CRITERION_MODELS (a new kind is documented without touching this file).
SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("(root)", models.CallConfig),
    ("call", models.CallInfo),
    ("call.submission", models.Submission),
    ("call.lead_partner", models.Office),
    ("fields[]", models.ExtraField),
    ("partners[]", models.PartnerConfig),
    ("lists[]", annexes.NamedList),
    ("eligibility[]", models.EligibilityRule),
    *(
        section
        for model in models.CRITERION_MODELS
        for section in [
            (f"criteria[] type: {_kind(model)}", model),
            *((f"criteria[].{key}[]", sub) for key, sub in _sub_sections(model)),
        ]
    ),
    ("ranking", models.Ranking),
    ("ranking.tie_breakers[]", models.TieBreaker),
    ("ranking.lottery", models.Lottery),
    ("duplicates", models.Duplicates),
    ("voucher", models.Voucher),
    *((f"voucher.steps[] step: {_kind(m, 'step')}", m) for m in voucher.STEP_MODELS),
    ("voucher.steps[].bands[] (share)", voucher.ShareBand),
    ("voucher.steps[].bands[] (fixed, cap)", voucher.AmountBand),
    ("funds[]", models.Fund),
    ("reserves[]", models.Reserve),
    ("allocation", models.Allocation),
    ("publication", models.Publication),
    ("letters", models.Letters),
    ("checks", models.Checks),
    ("acceptance", models.Acceptance),
    ("spending", spending_models.Spending),
    ("spending.providers", spending_models.ProvidersFiles),
    ("spending.invoices", spending_models.InvoicesFiles),
    ("spending.fse", spending_models.FseData),
]


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        names = list(dict.fromkeys(_type_name(a) for a in args if a is not type(None)))
        if len(names) > 2 and all("criteria[]" in n for n in names):
            return "criterion (one of the `criteria[]` types below)"
        if len(names) > 2 and all("voucher.steps[]" in n for n in names):
            return "step (one of the `voucher.steps[]` kinds below)"
        return " or ".join(names)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map {_type_name(args[0])} → {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        title = next((t for t, m in SECTIONS if m is annotation), None)
        if title is None and annotation.__name__.endswith("Criterion"):
            return "criterion (see `criteria[]`)"
        return f"section `{title}`" if title else "section"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(f"`{m.value}`" for m in annotation)
    names = {
        "str": "text",
        "int": "integer",
        "Decimal": "number",
        "bool": "true/false",
        "date": "date",
        "datetime": "date and time",
    }
    name = getattr(annotation, "__name__", str(annotation))
    return names.get(name, name)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
        if isinstance(value, BaseModel):
            return "see the section"
        return f"`{value}`" if value else "empty"
    if info.default is None:
        return "—"
    if isinstance(info.default, BaseModel):
        return "see the section"
    value = getattr(info.default, "value", info.default)
    return f"`{value}`"


def yaml_reference() -> str:
    out: list[str] = []
    for title, model in SECTIONS:
        out.append(f"#### `{title}`\n")
        doc = (model.__doc__ or "").strip().splitlines()
        if doc and not doc[0].startswith("Usage docs"):
            out.append(doc[0] + "\n")
        out.append("| key | type | default | meaning (as the schema shows it) |")
        out.append("| --- | --- | --- | --- |")
        for name, info in model.model_fields.items():
            desc = (info.description or "").replace("|", "\\|").replace("\n", " ")
            out.append(f"| `{name}` | {_type_name(info.annotation)} | {_default(info)} | {desc} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def fields_reference() -> str:
    out = ["| field | level | kind | Italian label | notes |", "| --- | --- | --- | --- | --- |"]
    for f in CANONICAL_FIELDS.values():
        notes = ", ".join(
            n
            for n, on in [("required", f.required), ("personal", f.personal), ("health", f.health)]
            if on
        )
        out.append(f"| `{f.name}` | {f.level} | {f.kind} | {f.label} | {notes} |")
    for f in DERIVED_FIELDS.values():
        out.append(f"| `{f.name}` | {f.level} | {f.kind} | {f.label} | derived (rules only) |")
    return "\n".join(out) + "\n"


def findings_reference() -> str:
    out = ["| code | severity | blocks | meaning |", "| --- | --- | --- | --- |"]
    blocks = {"file": "—", "application": "the application", "minor": "the minor"}
    for t in CATALOGUE.values():
        what = blocks[str(t.scope)] if t.severity == "BLOCCANTE" else "nothing (warning)"
        out.append(f"| `{t.code}` | {t.severity} | {what} | {t.description} |")
    return "\n".join(out) + "\n"


def reasons_reference() -> str:
    """The reasons of exclusion the engine gives itself (the rules' own codes are the call's)."""
    out = ["| code | excludes | sentence in the letters |", "| --- | --- | --- |"]
    what = {"application": "the application", "minor": "the minor"}
    for code, (level, sentence) in ENGINE_REASONS.items():
        text = sentence.replace(
            "{which}", "l'ultima / la prima presentata (tra quelle ammissibili)"
        ).replace("{kept}", "presentata prima / con il punteggio più alto")
        text = text.replace("{label}", "<criterion label>").replace("{minimum}", "<minimum>")
        out.append(f"| `{code}` | {what[str(level)]} | {text} |")
    return "\n".join(out) + "\n"


GENERATORS = {
    "yaml-reference": yaml_reference,
    "fields-reference": fields_reference,
    "findings-reference": findings_reference,
    "reasons-reference": reasons_reference,
}


def render(text: str) -> str:
    for name, make in GENERATORS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", flags=re.DOTALL)
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + m.group(2), text)
    return text


def main() -> None:
    text = README.read_text(encoding="utf-8")
    README.write_text(render(text), encoding="utf-8")
    print(f"aggiornato {README}")


if __name__ == "__main__":
    main()
