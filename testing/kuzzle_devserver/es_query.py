"""A subset of the Elasticsearch query DSL, evaluated in Python over stored documents.

Queries: ``match_all``, ``ids``, ``term``, ``terms``, ``match`` (case-insensitive word match:
any query word present in the field), ``range`` (gt/gte/lt/lte, numbers or strings),
``exists``, ``bool`` (must/filter/should/must_not, ``minimum_should_match``).
Search body keys: Kuzzle's list (``query``, ``sort``, ``search_after``, ``aggregations``,
``post_filter`` and ``_source`` filters are applied; ``highlight``, ``suggest``,
``collapse``, ``explain``... are accepted and have no effect; ``from``/``size`` in the body
are overridden by the request's, as Kuzzle sends those as parameters). Sort entries: ``"field"``,
``{"field": "asc"|"desc"}``, ``{"field": {"order": ..., "unmapped_type": ...}}``; ``_id`` sorts
by document id. Missing values sort last, as Elasticsearch's default ``missing: _last``.

Anything outside the subset raises an error instead of silently matching nothing: an
unknown query keyword gives ``services.storage.unknown_query_keyword`` (what Kuzzle answers
for, e.g., a Koncorde keyword in an ES query) and an unsupported body key gives
``services.storage.invalid_search_query``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import kerror
from .fields import ABSENT, RANGE_TESTS, lookup
from .mappings import field_mapping

Hit = dict[str, Any]  # {"_id", "_source", ...}
HitMatcher = Callable[[Hit], bool]

# Kuzzle's searchBodyKeys: any other key is refused with invalid_search_query.
_BODY_KEYS = {
    "aggregations", "aggs", "collapse", "explain", "fields", "from", "highlight", "post_filter",
    "query", "search_after", "search_timeout", "size", "sort", "suggest", "_name", "_source",
    "_source_excludes", "_source_includes",
}  # fmt: skip


def _value(hit: Hit, field: str) -> Any:
    if field == "_id":
        return hit["_id"]
    found = lookup(hit["_source"], field)
    if found is ABSENT and field.endswith(".keyword"):  # a multi-field: its parent's value
        return lookup(hit["_source"], field.removesuffix(".keyword"))
    return found


def _single(keyword: str, operand: Any) -> tuple[str, Any]:
    if not isinstance(operand, dict) or len(operand) != 1:
        raise kerror("services.storage.invalid_search_query", keyword)
    field, spec = next(iter(operand.items()))
    return str(field), spec


def indexed_values(hit: Hit, field: str) -> list[Any]:
    """What Elasticsearch indexed under ``field``: arrays (of objects too) are flattened,
    so ``policies.roleId`` holds the roleId of every policy."""
    if field == "_id":
        return [hit["_id"]]
    parts = field.split(".")
    found = _flattened(hit["_source"], parts)
    if not found and parts[-1] == "keyword":  # a multi-field (``name.keyword``): its parent's values
        return _flattened(hit["_source"], parts[:-1])
    return found


def _flattened(value: Any, parts: list[str]) -> list[Any]:
    if isinstance(value, list):
        return [found for item in value for found in _flattened(item, parts)]
    if not parts:
        return [] if value is None else [value]
    if isinstance(value, dict) and parts[0] in value:
        return _flattened(value[parts[0]], parts[1:])
    return []


def _term(operand: Any) -> HitMatcher:
    field, spec = _single("term", operand)
    expected = spec.get("value") if isinstance(spec, dict) else spec
    return lambda hit: expected in indexed_values(hit, field)


def _terms(operand: Any) -> HitMatcher:
    field, expected = _single("terms", operand)
    if not isinstance(expected, list):
        raise kerror("services.storage.invalid_search_query", f"terms.{field}")
    return lambda hit: any(v in expected for v in indexed_values(hit, field))


def _words(text: Any) -> set[str]:
    return set(str(text).lower().split())


def _match(operand: Any) -> HitMatcher:
    field, spec = _single("match", operand)
    wanted = _words(spec.get("query") if isinstance(spec, dict) else spec)
    return lambda hit: any(wanted & _words(v) for v in indexed_values(hit, field))


def _comparable(value: Any, bound: Any) -> bool:
    numbers = (int, float)
    if isinstance(value, bool) or isinstance(bound, bool):
        return False
    return (isinstance(value, numbers) and isinstance(bound, numbers)) or (
        isinstance(value, str) and isinstance(bound, str)
    )


def _range(operand: Any) -> HitMatcher:
    field, bounds = _single("range", operand)
    if not isinstance(bounds, dict) or set(bounds) - set(RANGE_TESTS):
        raise kerror("services.storage.invalid_search_query", f"range.{field}")

    def test(hit: Hit) -> bool:
        return any(
            all(_comparable(v, b) and RANGE_TESTS[op](v, b) for op, b in bounds.items())
            for v in indexed_values(hit, field)
        )

    return test


def _exists(operand: Any) -> HitMatcher:
    field = operand.get("field") if isinstance(operand, dict) else None
    if not isinstance(field, str):
        raise kerror("services.storage.invalid_search_query", "exists")
    return lambda hit: bool(indexed_values(hit, field))


def _ids(operand: Any) -> HitMatcher:
    values = operand.get("values") if isinstance(operand, dict) else None
    if not isinstance(values, list):
        raise kerror("services.storage.invalid_search_query", "ids")
    return lambda hit: hit["_id"] in values


def _clauses(name: str, operand: Any) -> list[HitMatcher]:
    items = operand if isinstance(operand, list) else [operand]
    if not all(isinstance(item, dict) for item in items):
        raise kerror("services.storage.invalid_search_query", f"bool.{name}")
    return [compile_query(item) for item in items]


def _bool(operand: Any) -> HitMatcher:
    if not isinstance(operand, dict):
        raise kerror("services.storage.invalid_search_query", "bool")
    groups: dict[str, list[HitMatcher]] = {"must": [], "filter": [], "should": [], "must_not": []}
    minimum_should_match: int | None = None
    for name, clauses in operand.items():
        if name == "minimum_should_match":
            minimum_should_match = int(clauses)
        elif name in groups:
            groups[name] = _clauses(name, clauses)
        else:
            raise kerror("services.storage.invalid_search_query", f"bool.{name}")
    required = groups["must"] + groups["filter"]
    should = groups["should"]
    # ES: with no must/filter clause, at least one should clause has to match.
    if minimum_should_match is None:
        minimum_should_match = 0 if required or not should else 1

    def test(hit: Hit) -> bool:
        return (
            all(m(hit) for m in required)
            and not any(m(hit) for m in groups["must_not"])
            and sum(1 for m in should if m(hit)) >= minimum_should_match
        )

    return test


_QUERIES: dict[str, Callable[[Any], HitMatcher]] = {
    "match_all": lambda operand: lambda hit: True,
    "ids": _ids,
    "term": _term,
    "terms": _terms,
    "match": _match,
    "range": _range,
    "exists": _exists,
    "bool": _bool,
}


def compile_query(query: dict[str, Any]) -> HitMatcher:
    """Turn an ES query object into a predicate over hits; ``{}`` matches everything."""
    if not query:
        return lambda hit: True
    if len(query) != 1:
        raise kerror("services.storage.invalid_search_query", ",".join(sorted(query)))
    keyword, operand = next(iter(query.items()))
    compiler = _QUERIES.get(keyword)
    if compiler is None:
        raise kerror("services.storage.unknown_query_keyword", keyword)
    return compiler(operand)


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool
    unmapped_type: str | None = None  # ES sorts an unmapped field as missing when given


SORT_BUILTINS = frozenset({"_id", "_score", "_doc"})  # sortable without a mapping


def parse_sort(sort: Any) -> list[SortKey]:
    entries = sort if isinstance(sort, list) else [sort]
    keys: list[SortKey] = []
    for entry in entries:
        if isinstance(entry, str):
            keys.append(SortKey(entry, False))
            continue
        field, spec = _single("sort", entry)
        order = spec.get("order", "asc") if isinstance(spec, dict) else spec
        if order not in ("asc", "desc"):
            raise kerror("services.storage.invalid_search_query", f"sort.{field}")
        unmapped = spec.get("unmapped_type") if isinstance(spec, dict) else None
        keys.append(SortKey(field, order == "desc", unmapped if isinstance(unmapped, str) else None))
    return keys


def _compare_values(left: Any, right: Any) -> int:
    if left == right:
        return 0
    try:
        return -1 if left < right else 1
    except TypeError:  # mixed types: order by type name, deterministic
        return -1 if type(left).__name__ < type(right).__name__ else 1


def _compare_key(left: Any, right: Any, key: SortKey) -> int:
    left_missing, right_missing = left in (ABSENT, None), right in (ABSENT, None)
    if left_missing or right_missing:  # missing last, whatever the order
        return (left_missing > right_missing) - (left_missing < right_missing)
    result = _compare_values(left, right)
    return -result if key.descending else result


def sort_values(hit: Hit, keys: list[SortKey]) -> list[Any]:
    return [_value(hit, key.field) for key in keys]


def sort_hits(hits: list[Hit], keys: list[SortKey]) -> list[Hit]:
    def compare(left: Hit, right: Hit) -> int:
        for key, a, b in zip(keys, sort_values(left, keys), sort_values(right, keys), strict=True):
            result = _compare_key(a, b, key)
            if result:
                return result
        return 0

    return sorted(hits, key=functools.cmp_to_key(compare))


def after(hits: list[Hit], keys: list[SortKey], search_after: list[Any]) -> list[Hit]:
    """The sorted hits strictly after the ``search_after`` sort values."""
    if len(search_after) != len(keys):
        raise kerror("services.storage.invalid_search_query", "search_after")

    def is_after(hit: Hit) -> bool:
        for key, value, bound in zip(keys, sort_values(hit, keys), search_after, strict=True):
            result = _compare_key(value, bound, key)
            if result:
                return result > 0
        return False

    return [hit for hit in hits if is_after(hit)]


# Elasticsearch 7's reason for sorting or aggregating on a text field
_TEXT_FIELD_SORT = (
    "Text fields are not optimised for operations that require per-document field data like "
    "aggregations and sorting, so these operations are disabled by default. Please use a "
    "keyword field instead. Alternatively, set fielddata=true on [{}] in order to load field "
    "data by uninverting the inverted index. Note that this can use significant memory."
)


def check_sortable(keys: list[SortKey], mappings: list[dict[str, Any]]) -> None:
    """Elasticsearch sorts only on what a mapping indexes: a field none of the searched
    collections maps fails the search (unless ``unmapped_type`` says how to treat it), and
    so does a ``text`` field; Kuzzle passes ES's reason on as ``unexpected_bad_request``."""
    for key in keys:
        if key.field in SORT_BUILTINS or key.unmapped_type is not None:
            continue
        found = [m for m in (field_mapping(mapping, key.field) for mapping in mappings) if m]
        if not found:
            raise kerror(
                "services.storage.unexpected_bad_request",
                f"No mapping found for [{key.field}] in order to sort on",
            )
        if all(m.get("type") == "text" and not m.get("fielddata") for m in found):
            raise kerror("services.storage.unexpected_bad_request", _TEXT_FIELD_SORT.format(key.field))


def sort_by_body(body: dict[str, Any], hits: list[Hit], mappings: list[dict[str, Any]]) -> list[Hit] | None:
    """The hits in the order of the body's ``sort`` and after its ``search_after`` values,
    or None when the body has no ``sort`` (``search_after`` needs one)."""
    if "sort" not in body:
        return None
    keys = parse_sort(body["sort"])
    check_sortable(keys, mappings)
    hits = sort_hits(hits, keys)
    if "search_after" in body:
        if not isinstance(body["search_after"], list):
            raise kerror("services.storage.invalid_search_query", "search_after")
        hits = after(hits, keys, body["search_after"])
    return hits


def check_body(body: dict[str, Any]) -> None:
    for key in body:
        if key not in _BODY_KEYS:
            raise kerror("services.storage.invalid_search_query", key)


def _paths(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if value else []


def filter_source(body: dict[str, Any], source: dict[str, Any]) -> dict[str, Any] | None:
    """The ``_source`` a hit shows: ``_source: false`` hides it; includes/excludes pick paths."""
    spec = body.get("_source", True)
    if spec is False:
        return None
    includes = _paths(body.get("_source_includes"))
    excludes = _paths(body.get("_source_excludes"))
    if isinstance(spec, dict):
        includes += _paths(spec.get("includes"))
        excludes += _paths(spec.get("excludes"))
    elif spec is not True:
        includes += _paths(spec)
    if not includes and not excludes:
        return source
    kept: dict[str, Any] = {}
    for path in includes or list(source):
        value = lookup(source, path)
        if value is not ABSENT:
            _put(kept, path, value)
    for path in excludes:
        _drop(kept, path)
    return kept


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _drop(target: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        child = target.get(part)
        if not isinstance(child, dict):
            return
        target = child
    target.pop(last, None)
