"""A ``lang=koncorde`` search: Kuzzle translates the Koncorde filter into an Elasticsearch
query and runs that (``lib/service/storage/commons/queryTranslator.ts``), so the search has
Elasticsearch's semantics (``equals`` is a ``term`` and matches one element of an array
field, only mapped fields match), not Koncorde's realtime ones.

Clauses: ``equals`` → ``term``, ``in`` → ``terms``, ``exists`` (also ``"field[value]"``: the
field holds that value) → ``exists``, ``missing`` → ``bool.must_not.exists``, ``ids``,
``range`` and the ``geo*`` clauses → their ES twins; any other clause goes through unchanged
(``regexp``, ``match``...). Operators: ``and`` → ``bool.filter``, ``or`` → ``bool.should``,
``not`` → ``bool.must_not``; ``bool`` is refused with ``api.assert.koncorde_restricted_keyword``.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import kerror

_CLAUSES = {
    "equals": "term",
    "in": "terms",
    "ids": "ids",
    "range": "range",
    "geoBoundingBox": "geo_bounding_box",
    "geoDistance": "geo_distance",
    "geoDistanceRange": "geo_distance_range",
    "geoPolygon": "geo_polygon",
}


def to_es_query(filters: Any) -> dict[str, Any]:
    """The Elasticsearch query Kuzzle runs for ``filters`` (``{}`` stays ``{}``: all)."""
    if not isinstance(filters, dict):
        raise kerror("api.assert.invalid_type", "body.query", "object")
    if not filters:
        return {}
    name, value = next(iter(filters.items()))
    name = str(name)
    if name in ("and", "or"):
        if not isinstance(value, list):
            raise kerror("api.assert.koncorde_dsl_error", f'"{name}" must be an array')
        operands = [to_es_query(operand) for operand in value]
        return {"bool": {"filter" if name == "and" else "should": operands}}
    if name == "not":
        return {"bool": {"must_not": [to_es_query(value)]}}
    if name == "bool":
        raise kerror("api.assert.koncorde_restricted_keyword", "operator", "bool")
    if name == "exists":
        return _exists(value.get("field") if isinstance(value, dict) else value)
    if name == "missing":
        return {"bool": {"must_not": [{"exists": {"field": value}}]}}
    return {_CLAUSES.get(name, name): value}


def _exists(path: Any) -> dict[str, Any]:
    # "field[value]": the field exists and holds value (an element of an array field)
    if not isinstance(path, str) or "[" not in path:
        return {"exists": {"field": path}}
    if "]" not in path:
        raise kerror(
            "services.koncorde.elastic_translation_error",
            f'Invalid exists path "{path}": missing closing bracket',
        )
    field = path[: path.index("[")]
    try:
        value = json.loads(path[path.index("[") + 1 : path.rindex("]")])
    except ValueError as error:
        raise kerror("services.koncorde.elastic_translation_error", str(error)) from None
    bounds = {"gte": value, "lte": value}
    return {"bool": {"filter": [{"exists": {"field": field}}, {"range": {field: bounds}}]}}
