"""Collection mappings: Kuzzle's checks on them and Elasticsearch's ``dynamic`` rules on writes.

Checks (kuzzle ``lib/service/storage/7/elasticsearch.ts``): ``_checkDynamicProperty``
turns boolean ``dynamic`` values into strings and refuses anything but ``"true"``,
``"false"``, ``"strict"``; ``_checkMappings`` allows only ``properties``, ``_meta``,
``dynamic``, ``dynamic_templates`` at the root (plus ``type`` below it). Both raise
``services.storage.invalid_mapping``. Kuzzle's ``didYouMean`` hint is empty outside
development mode, so messages end with the property path.

Writes: a document field missing from the mapping is, following the ``dynamic`` value in
force at its level (inherited from the parent object, ``"false"`` by default as Kuzzle's
``commonMapping``): added to the mapping with the type Elasticsearch infers (``"true"``),
ignored (``"false"``), or refused (``"strict"``, :class:`StrictMappingError`). Values of
mapped fields must parse as their type (numbers, with coercion of numeric strings; booleans;
dates in the default formats; objects), else :class:`MapperParsingError`; ``keyword`` and
``text`` take any scalar, and other types are not checked.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .errors import kerror

ROOT_PROPERTIES = ("properties", "_meta", "dynamic", "dynamic_templates")
CHILD_PROPERTIES = ("type",)
DYNAMIC_VALUES = ("true", "false", "strict")
DEFAULT_DYNAMIC = "false"

# Kuzzle's commonMapping: every collection maps its documents' _kuzzle_info.
KUZZLE_META_PROPERTIES: dict[str, Any] = {
    "_kuzzle_info": {
        "properties": {
            "author": {"type": "keyword"},
            "createdAt": {"type": "date"},
            "updater": {"type": "keyword"},
            "updatedAt": {"type": "date"},
        }
    }
}

# Elasticsearch's default dynamic date detection formats (strict_date_optional_time, yyyy/MM/dd).
_DATE = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?$"
    r"|^\d{4}/\d{2}/\d{2}( \d{2}:\d{2}:\d{2})?$"
)


class MappingRejection(Exception):
    """A document Elasticsearch refuses to index; ``reason`` is its bulk item's ``error.reason``."""

    @property
    def reason(self) -> str:
        return str(self)


class StrictMappingError(MappingRejection):
    """``strict_dynamic_mapping_exception`` for ``field`` inside ``parent``."""

    def __init__(self, field: str, parent: str) -> None:
        super().__init__(
            f"mapping set to strict, dynamic introduction of [{field}] within [{parent}] is not allowed"
        )
        self.field = field


class MapperParsingError(MappingRejection):
    """``mapper_parsing_exception``: a value the field's mapped type cannot parse."""


_INTEGERS = {"byte": 8, "short": 16, "integer": 32, "long": 64}
_FLOATS = ("float", "double", "half_float", "scaled_float")
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _java_text(value: Any) -> str:
    """How Elasticsearch previews a value (Java's ``toString``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def _parses(kind: str, value: Any) -> bool:
    """Whether Elasticsearch (``coerce`` on, default date formats) indexes ``value`` as ``kind``."""
    if isinstance(value, dict):
        return False
    if kind in _INTEGERS or kind in _FLOATS:
        if isinstance(value, bool):
            return False
        if isinstance(value, str):
            if not _NUMBER.match(value):
                return False
            value = float(value)
        if not isinstance(value, int | float):
            return False
        bits = _INTEGERS.get(kind)
        return bits is None or -(2 ** (bits - 1)) <= int(value) < 2 ** (bits - 1)
    if kind == "boolean":
        return isinstance(value, bool) or value in ("true", "false", "")
    if kind == "date":
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        return is_number or (isinstance(value, str) and bool(_DATE.match(value)))
    return True  # keyword, text and the types this server does not check


def _check_value(path: str, field: dict[str, Any], value: Any, doc_id: str) -> None:
    kind = field.get("type")
    if kind in (None, "object", "nested"):
        if not isinstance(value, dict):
            raise MapperParsingError(
                f"object mapping for [{path}] tried to parse field [{path.rsplit('.', 1)[-1]}] as object, "
                "but found a concrete value"
            )
        return
    if not _parses(str(kind), value):
        raise MapperParsingError(
            f"failed to parse field [{path}] of type [{kind}] in document with id '{doc_id}'. "
            f"Preview of field's value: '{_java_text(value)}'"
        )


def _find_dynamic(mappings: dict[str, Any], path: list[str], found: dict[str, Any]) -> None:
    if "dynamic" in mappings:
        found[".".join([*path, "dynamic"])] = (mappings, mappings["dynamic"])
    for key, value in mappings.items():
        if isinstance(value, dict):
            _find_dynamic(value, [*path, key], found)


def check_dynamic(mappings: Any) -> None:
    """``_checkDynamicProperty``: booleans become strings, other values are refused."""
    if not isinstance(mappings, dict):
        return
    found: dict[str, Any] = {}
    _find_dynamic(mappings, [], found)
    for path, (holder, value) in found.items():
        if isinstance(value, bool):
            value = holder["dynamic"] = "true" if value else "false"
        elif not isinstance(value, str):
            raise kerror(
                "services.storage.invalid_mapping", path, "Dynamic property value should be a string."
            )
        if value not in DYNAMIC_VALUES:
            expected = '", "'.join(DYNAMIC_VALUES)
            raise kerror(
                "services.storage.invalid_mapping",
                path,
                f'Incorrect dynamic property value ({value}). Should be one of "{expected}"',
            )


def check_mappings(mapping: Any, path: tuple[str, ...] = (), check: bool = True) -> None:
    """``_checkMappings``: unknown mapping properties give ``services.storage.invalid_mapping``.

    Like ``Object.keys``, a string's keys are its character positions: a string mapping
    fails on ``"0"``.
    """
    if isinstance(mapping, str):
        keys: list[str] = [str(i) for i in range(len(mapping))]
        values: dict[str, Any] = dict(zip(keys, mapping, strict=True))
    elif isinstance(mapping, list):
        keys = [str(i) for i in range(len(mapping))]
        values = dict(zip(keys, mapping, strict=True))
    elif isinstance(mapping, dict):
        keys, values = list(mapping), mapping
    else:
        return
    allowed = ROOT_PROPERTIES if not path else ROOT_PROPERTIES + CHILD_PROPERTIES
    for key in keys:
        if check and key not in allowed:
            raise kerror("services.storage.invalid_mapping", ".".join([*path, key]), "")
        value = values[key]
        if key == "properties":
            check_mappings(value, (*path, "properties"), check=False)
        elif isinstance(value, dict) and value.get("properties"):
            check_mappings(value, (*path, key), check=True)


def checked(mappings: Any) -> dict[str, Any]:
    """The mappings after Kuzzle's checks (booleans ``dynamic`` turned into strings)."""
    if mappings is None:
        return {}
    mappings = copy.deepcopy(mappings)
    check_dynamic(mappings)
    check_mappings(mappings)
    if not isinstance(mappings, dict):  # a list passes _checkMappings only when empty
        return {}
    return mappings


def _inferred(value: Any) -> dict[str, Any] | None:
    """The mapping Elasticsearch's dynamic mapping gives a new field, None for nothing."""
    if isinstance(value, list):
        for item in value:
            if item is not None:
                return _inferred(item)
        return None
    if value is None:
        return None
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "long"}
    if isinstance(value, float):
        return {"type": "float"}
    if isinstance(value, dict):
        if not value:
            return {"type": "object"}
        return {"properties": {}}
    if isinstance(value, str) and _DATE.match(value):
        return {"type": "date"}
    return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}


def _apply(node: dict[str, Any], source: dict[str, Any], dynamic: str, path: str, doc_id: str) -> bool:
    """Add (or refuse) ``source``'s unmapped fields under ``node``, check the mapped values.

    True when the mapping grew.
    """
    dynamic = str(node.get("dynamic", dynamic))
    properties = node.setdefault("properties", {}) if dynamic == "true" else node.get("properties", {})
    changed = False
    for key, value in source.items():
        field = properties.get(key)
        if field is None:
            if dynamic == "strict":
                raise StrictMappingError(key, path or "_doc")
            if dynamic == "false":
                continue
            field = _inferred(value)
            if field is None:
                continue
            properties[key] = field
            changed = True
        field_path = f"{path}.{key}" if path else key
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            _check_value(field_path, field, item, doc_id)
            if isinstance(item, dict):
                changed = _apply(field, item, dynamic, field_path, doc_id) or changed
    return changed


def apply_dynamic(mapping: dict[str, Any], source: dict[str, Any], doc_id: str) -> dict[str, Any] | None:
    """The mapping grown by ``source``'s new fields, None when unchanged.

    Raises :class:`StrictMappingError` when a ``strict`` level meets an unmapped field, and
    :class:`MapperParsingError` for a value its mapped type refuses.
    """
    grown = copy.deepcopy(mapping)
    grown.setdefault("properties", {})
    changed = _apply(grown, source, str(grown.get("dynamic", DEFAULT_DYNAMIC)), "", doc_id)
    return grown if changed else None


def indexed(node: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """What Elasticsearch indexed of ``source``, the part a query can find: the fields the
    mapping holds. A field a ``dynamic: false`` level left unmapped stays in ``_source``
    but is not indexed; nor are ``enabled: false`` objects and ``index: false`` fields.
    """
    properties = node.get("properties") or {}
    found: dict[str, Any] = {}
    for key, value in source.items():
        field = properties.get(key)
        if not isinstance(field, dict) or field.get("enabled") is False or field.get("index") is False:
            continue
        if isinstance(value, dict):
            found[key] = indexed(field, value)
        elif isinstance(value, list):
            found[key] = [indexed(field, item) if isinstance(item, dict) else item for item in value]
        else:
            found[key] = value
    return found


def indexed_hit(mapping: dict[str, Any], hit: dict[str, Any]) -> dict[str, Any]:
    """``hit`` with its ``_source`` as :func:`indexed` sees it: what a query reads."""
    return {**hit, "_source": indexed(mapping, hit["_source"])}


def field_mapping(node: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The mapping of the dotted ``path`` (``a.b`` through ``properties``, a multi-field such as
    ``name.keyword`` through ``fields``), or None where the mapping does not hold it."""
    found: Any = node
    for part in path.split("."):
        if not isinstance(found, dict):
            return None
        children = {**(found.get("fields") or {}), **(found.get("properties") or {})}
        found = children.get(part)
    return found if isinstance(found, dict) else None
