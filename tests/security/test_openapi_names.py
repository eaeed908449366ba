"""The OpenAPI document names each body and answer by its class name. Two schemas of one name in
different modules collapse into one component, so a client (and the contract check) is told the
wrong fields for one of the operations."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

from ninja import Schema

import caucus.api


def test_every_api_schema_has_its_own_name() -> None:
    where: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.iter_modules(caucus.api.__path__, "caucus.api."):
        module = importlib.import_module(module_info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, Schema) and obj is not Schema:
                where[obj.__name__].add(f"{obj.__module__}.{name}")
    shared = {name: sorted(places) for name, places in where.items() if len(places) > 1}
    assert shared == {}
