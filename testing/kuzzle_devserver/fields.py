"""Dotted field paths inside JSON documents, shared by the Koncorde and search matchers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_ABSENT: Any = object()


def lookup(document: dict[str, Any], path: str) -> Any:
    """The value at ``a.b.c``, or ``ABSENT`` when any step is missing."""
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    return value


ABSENT = _ABSENT

# The bounds of a `range` clause, shared by Koncorde filters and search queries.
RANGE_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda value, bound: value > bound,
    "gte": lambda value, bound: value >= bound,
    "lt": lambda value, bound: value < bound,
    "lte": lambda value, bound: value <= bound,
}


def leaf_paths(changes: dict[str, Any], prefix: str = "") -> list[str]:
    """``extractFields``: the dotted paths of every leaf of ``changes`` (``_updatedFields``)."""
    paths: list[str] = []
    for key, value in changes.items():
        if key == "_kuzzle_info" and not prefix:
            continue
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            paths.extend(leaf_paths(value, f"{path}."))
        else:
            paths.append(path)
    return paths


def deep_merge(target: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A partial update as Elasticsearch applies it: objects merge, everything else replaces."""
    merged = dict(target)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
