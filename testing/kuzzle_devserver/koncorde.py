"""A subset of Koncorde, the real-time filter engine of Kuzzle.

Supported keywords: ``equals``, ``in``, ``range`` (gt/gte/lt/lte), ``exists``, ``missing``,
``ids``, ``and``, ``or``, ``not``, ``bool`` (must/must_not/should/should_not/filter).
An empty filter ``{}`` matches every document. Anything else is rejected with
``api.assert.koncorde_dsl_error``, as Kuzzle does for a malformed filter.

Room ids: Koncorde hashes index, collection and the normalized filters with
HMAC-SHA256 and a constant seed, so the same subscription gets the same roomId across
reconnections and restarts (docs/protocol.md §2.6). Here "normalized" means canonical JSON (sorted keys);
Koncorde also reorders ``and``/``or`` operands, which this subset does not.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from .errors import KuzzleError, kerror
from .fields import ABSENT, RANGE_TESTS, lookup

Matcher = Callable[[dict[str, Any]], bool]

_ROOM_SEED = b"kuzzle-devserver constant koncorde seed"


def room_id(index: str, collection: str, filters: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"index": index, "collection": collection, "filters": filters},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(_ROOM_SEED, canonical.encode(), hashlib.sha256).hexdigest()


def _dsl_error(message: str) -> KuzzleError:
    return kerror("api.assert.koncorde_dsl_error", message)


def _single_field(keyword: str, operand: Any) -> tuple[str, Any]:
    if not isinstance(operand, dict) or len(operand) != 1:
        raise _dsl_error(f'"{keyword}" must be an object with exactly one field')
    field, value = next(iter(operand.items()))
    return str(field), value


def _equals(operand: Any) -> Matcher:
    field, expected = _single_field("equals", operand)
    if isinstance(expected, dict | list):
        raise _dsl_error(f'"equals.{field}" must hold a scalar value')
    return lambda doc: lookup(doc, field) == expected


def _in(operand: Any) -> Matcher:
    field, values = _single_field("in", operand)
    if not isinstance(values, list) or not values:
        raise _dsl_error(f'"in.{field}" must be a non-empty array')
    return lambda doc: lookup(doc, field) in values


def _range(operand: Any) -> Matcher:
    field, bounds = _single_field("range", operand)
    if not isinstance(bounds, dict) or not bounds:
        raise _dsl_error(f'"range.{field}" must be a non-empty object')
    for name, bound in bounds.items():
        if name not in RANGE_TESTS:
            raise _dsl_error(f'"range.{field}" accepts only "gt", "gte", "lt" and "lte"')
        if isinstance(bound, bool) or not isinstance(bound, int | float):
            raise _dsl_error(f'"range.{field}.{name}" must be a number')

    def test(doc: dict[str, Any]) -> bool:
        value = lookup(doc, field)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return all(RANGE_TESTS[name](value, bound) for name, bound in bounds.items())

    return test


def _field_name(keyword: str, operand: Any) -> str:
    if isinstance(operand, str) and operand:
        return operand
    if isinstance(operand, dict) and isinstance(operand.get("field"), str):
        return str(operand["field"])
    raise _dsl_error(f'"{keyword}" expects a field name')


def _exists(operand: Any) -> Matcher:
    field = _field_name("exists", operand)
    return lambda doc: lookup(doc, field) is not ABSENT


def _missing(operand: Any) -> Matcher:
    field = _field_name("missing", operand)
    return lambda doc: lookup(doc, field) is ABSENT


def _ids(operand: Any) -> Matcher:
    values = operand.get("values") if isinstance(operand, dict) else None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _dsl_error('"ids" expects {"values": [<string>, ...]}')
    return lambda doc: doc.get("_id") in values


def _operands(keyword: str, operand: Any) -> list[Matcher]:
    if not isinstance(operand, list) or not operand:
        raise _dsl_error(f'"{keyword}" must be a non-empty array of filters')
    return [compile_filter(item) for item in operand]


def _and(operand: Any) -> Matcher:
    matchers = _operands("and", operand)
    return lambda doc: all(m(doc) for m in matchers)


def _or(operand: Any) -> Matcher:
    matchers = _operands("or", operand)
    return lambda doc: any(m(doc) for m in matchers)


def _not(operand: Any) -> Matcher:
    matcher = compile_filter(operand)
    return lambda doc: not matcher(doc)


def _bool(operand: Any) -> Matcher:
    if not isinstance(operand, dict) or not operand:
        raise _dsl_error('"bool" must be a non-empty object')
    allowed = {"must", "must_not", "should", "should_not", "filter"}
    unknown = set(operand) - allowed
    if unknown:
        raise _dsl_error(f'"bool" does not accept "{sorted(unknown)[0]}"')
    groups = {name: _operands(f"bool.{name}", clauses) for name, clauses in operand.items()}

    def test(doc: dict[str, Any]) -> bool:
        checks = {
            "must": lambda ms: all(m(doc) for m in ms),
            "filter": lambda ms: all(m(doc) for m in ms),
            "must_not": lambda ms: not any(m(doc) for m in ms),
            "should": lambda ms: any(m(doc) for m in ms),
            "should_not": lambda ms: not all(m(doc) for m in ms),
        }
        return all(checks[name](matchers) for name, matchers in groups.items())

    return test


_KEYWORDS: dict[str, Callable[[Any], Matcher]] = {
    "equals": _equals,
    "in": _in,
    "range": _range,
    "exists": _exists,
    "missing": _missing,
    "ids": _ids,
    "and": _and,
    "or": _or,
    "not": _not,
    "bool": _bool,
}


def compile_filter(filters: Any) -> Matcher:
    """Validate ``filters`` and turn them into a predicate over ``{**_source, "_id": id}``."""
    if not isinstance(filters, dict):
        raise _dsl_error("filters must be an object")
    if not filters:
        return lambda doc: True
    if len(filters) != 1:
        raise _dsl_error("a filter must contain exactly one keyword")
    keyword, operand = next(iter(filters.items()))
    compiler = _KEYWORDS.get(keyword)
    if compiler is None:
        raise _dsl_error(f'unknown DSL keyword: "{keyword}"')
    return compiler(operand)
