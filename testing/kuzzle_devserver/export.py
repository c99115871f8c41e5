"""``document:export`` bodies (kuzzle ``lib/util/dump-collection.ts``).

JSONL: a ``{"collection", "index", "type": "collection"}`` header line, then one
``{"_id", "body"}`` line per document. CSV: a header of ``_id`` and the fields (renamed by
``fieldsName``), then one line per document, values joined by ``separator`` as JavaScript's
``Array.join`` prints them (nothing for null, ``[OBJECT]`` for objects and arrays, no
quoting); without ``fields``, the mapped leaf fields (``_kuzzle_info`` excluded).
"""

from __future__ import annotations

import json
from typing import Any

from .fields import ABSENT, lookup


def _mapped_fields(properties: dict[str, Any], prefix: str = "") -> list[str]:
    """``flattenObject(extractMappingFields(properties))``: dotted typed leaves."""
    fields: list[str] = []
    for name, spec in properties.items():
        if not isinstance(spec, dict):
            continue
        if spec.get("type"):
            fields.append(prefix + name)
        else:
            fields.extend(_mapped_fields(spec.get("properties", spec), f"{prefix}{name}."))
    return fields


def _js_text(value: Any) -> str:
    if value is None or value is ABSENT:
        return ""
    if isinstance(value, dict | list):
        return "[OBJECT]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def export_lines(
    index: str,
    collection: str,
    hits: list[dict[str, Any]],
    fmt: str,
    fields: list[Any],
    names: dict[str, Any],
    separator: str,
    mapping: dict[str, Any],
) -> list[str]:
    """The export, line by line (each ends with a newline)."""
    if fmt.lower() != "csv":
        header = {"collection": collection, "index": index, "type": "collection"}
        return [
            _json(line) + "\n" for line in [header, *({"_id": h["_id"], "body": h["_source"]} for h in hits)]
        ]
    columns = (
        [str(f) for f in fields if f != "_id"] if fields else _mapped_fields(mapping.get("properties") or {})
    )
    header_line = separator.join(str(names.get(name) or name) for name in ["_id", *columns])
    lines = [header_line + "\n"]
    for hit in hits:
        values = [hit["_id"], *(_js_text(lookup(hit["_source"], c)) for c in columns)]
        lines.append(separator.join(values) + "\n")
    return lines
