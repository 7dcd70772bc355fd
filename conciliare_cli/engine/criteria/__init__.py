"""The kinds of scoring criterion: one module each, found by their YAML `type`.

Every module of this package that defines a `CriterionRule` subclass with a `kind` is a kind:
flag, bands, map, count, sum (see base.py for what a kind provides). Adding a kind means one
model class in config/models.py (`CRITERION_MODELS`) and one module here; `register` admits a
kind made elsewhere (the tests make one up).
"""

from __future__ import annotations

import importlib
import pkgutil

from conciliare_cli.config.models import CriterionModel, register_criterion_model
from conciliare_cli.engine.criteria.base import CriterionRule

KINDS: dict[str, type[CriterionRule]] = {}


def register(rule: type[CriterionRule]) -> type[CriterionRule]:
    """Make `rule` the engine's side of the YAML type `rule.kind` (and admit its model)."""
    KINDS[rule.kind] = rule
    register_criterion_model(rule.model_class)
    return rule


def rule_class(model: CriterionModel) -> type[CriterionRule]:
    """The kind of a criterion of the YAML (by its `type`)."""
    return KINDS[model.type]  # type: ignore[attr-defined]


def _discover() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, CriterionRule)
                and value.__module__ == module.__name__
                and value.kind
            ):
                KINDS[value.kind] = value


_discover()

__all__ = ["KINDS", "CriterionRule", "register", "rule_class"]
