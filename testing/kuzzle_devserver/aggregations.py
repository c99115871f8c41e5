"""A subset of Elasticsearch aggregations, computed in Python over the matching hits.

Metrics: ``min``, ``max``, ``avg``, ``sum``, ``value_count``, ``cardinality``, ``stats``
(``{"value": ...}``, ``null`` without values, as Elasticsearch). Buckets: ``terms``
(``field``, ``size`` default 10; buckets by ``doc_count`` then ``key``, with
``doc_count_error_upper_bound`` and ``sum_other_doc_count``), with sub-aggregations under
``aggs``/``aggregations``. A ``field.keyword`` sub-field reads ``field``'s value. Anything
else gives ``services.storage.invalid_search_query``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from .errors import kerror
from .es_query import indexed_values

Hit = dict[str, Any]


def _values(hits: list[Hit], field: str) -> list[Any]:
    return [value for hit in hits for value in indexed_values(hit, field)]


def _numbers(hits: list[Hit], field: str) -> list[float]:
    return [float(v) for v in _values(hits, field) if isinstance(v, int | float) and not isinstance(v, bool)]


def _stats(numbers: list[float]) -> dict[str, Any]:
    if not numbers:
        return {"count": 0, "min": None, "max": None, "avg": None, "sum": 0.0}
    total = sum(numbers)
    return {
        "count": len(numbers),
        "min": min(numbers),
        "max": max(numbers),
        "avg": total / len(numbers),
        "sum": total,
    }


_METRICS: dict[str, Callable[[list[Hit], str], dict[str, Any]]] = {
    "min": lambda hits, field: {"value": _stats(_numbers(hits, field))["min"]},
    "max": lambda hits, field: {"value": _stats(_numbers(hits, field))["max"]},
    "avg": lambda hits, field: {"value": _stats(_numbers(hits, field))["avg"]},
    "sum": lambda hits, field: {"value": _stats(_numbers(hits, field))["sum"]},
    "stats": lambda hits, field: _stats(_numbers(hits, field)),
    "value_count": lambda hits, field: {"value": len(_values(hits, field))},
    "cardinality": lambda hits, field: {"value": len({repr(v) for v in _values(hits, field)})},
}


def _field(name: str, spec: Any) -> str:
    field = spec.get("field") if isinstance(spec, dict) else None
    if not isinstance(field, str):
        raise kerror("services.storage.invalid_search_query", f"{name}.field")
    return field


def _terms(name: str, spec: dict[str, Any], hits: list[Hit], children: dict[str, Any]) -> dict[str, Any]:
    field = _field(name, spec)
    size = spec.get("size", 10)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise kerror("services.storage.invalid_search_query", f"{name}.size")
    counts: Counter[Any] = Counter()
    members: dict[Any, list[Hit]] = {}
    for hit in hits:
        for key in {repr(v): v for v in _values([hit], field)}.values():
            counts[key] += 1
            members.setdefault(key, []).append(hit)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], _sort_key(item[0])))
    buckets = []
    for key, count in ordered[:size]:
        bucket: dict[str, Any] = {"key": key, "doc_count": count}
        if isinstance(key, bool):  # Elasticsearch keys booleans as 1/0 with key_as_string
            bucket = {"key": int(key), "key_as_string": "true" if key else "false", "doc_count": count}
        bucket.update(aggregate(children, members[key]))
        buckets.append(bucket)
    return {
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": sum(count for _, count in ordered[size:]),
        "buckets": buckets,
    }


def _sort_key(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)


def aggregate(aggregations: Any, hits: list[Hit]) -> dict[str, Any]:
    """``{name: result}`` for every aggregation of the request body."""
    if not isinstance(aggregations, dict):
        raise kerror("services.storage.invalid_search_query", "aggregations")
    results: dict[str, Any] = {}
    for name, definition in aggregations.items():
        if not isinstance(definition, dict):
            raise kerror("services.storage.invalid_search_query", name)
        children: dict[str, Any] = definition.get("aggs") or definition.get("aggregations") or {}
        kinds = [k for k in definition if k not in ("aggs", "aggregations", "meta")]
        if len(kinds) != 1:
            raise kerror("services.storage.invalid_search_query", name)
        kind = kinds[0]
        spec = definition[kind]
        if kind == "terms":
            results[name] = _terms(name, spec if isinstance(spec, dict) else {}, hits, children)
        elif kind in _METRICS and not children:
            results[name] = _METRICS[kind](hits, _field(name, spec))
        else:
            raise kerror("services.storage.invalid_search_query", f"{name}.{kind}")
    return results
