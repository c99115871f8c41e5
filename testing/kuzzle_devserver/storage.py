"""Persistent document storage in SQLite, standing in for Elasticsearch.

Index and collection names follow Kuzzle's rules (lower case, no ``\\/*?"<>| ,+#:%&.``,
at most 126 bytes, not ``_all``). Writes are visible at once: ``refresh`` changes nothing.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import kerror
from .fields import deep_merge
from .mappings import (
    DEFAULT_DYNAMIC,
    KUZZLE_META_PROPERTIES,
    apply_dynamic,
    check_dynamic,
    checked,
    indexed_hit,
)

Document = dict[str, Any]  # {"_id", "_source", "_version"}

_FORBIDDEN_NAME = re.compile(r'[\\/*?"<>| \t\r\n,+#:%&.]')

_SCHEMA = """
CREATE TABLE IF NOT EXISTS indexes (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS collections (
    index_name TEXT NOT NULL,
    name TEXT NOT NULL,
    mappings TEXT NOT NULL,
    settings TEXT NOT NULL,
    PRIMARY KEY (index_name, name)
);
CREATE TABLE IF NOT EXISTS specifications (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    index_name TEXT NOT NULL,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (index_name, collection, id)
);
"""


ES_VERSION_ID = "7160399"  # settings.index.version.created of an Elasticsearch 7.16.3 index


def _es_settings(settings: Any) -> dict[str, Any]:
    """Settings as Elasticsearch stores them: ``index.`` prefix dropped, scalars as strings."""
    if not isinstance(settings, dict):
        return {}
    nested = settings.get("index")
    flat: dict[str, Any] = nested if isinstance(nested, dict) else {}
    rest = {k: v for k, v in settings.items() if k != "index"}

    def text(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [text(v) for v in value]
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if value is None else str(value)

    result: dict[str, Any] = text({**rest, **flat})
    return result


def _valid_name(name: str) -> bool:
    """``_isObjectNameValid``: lower case, at most 126 UTF-8 bytes, not ``_all``, no forbidden character."""
    return (
        bool(name)
        and name == name.lower()
        and len(name.encode()) <= 126
        and name != "_all"
        and not _FORBIDDEN_NAME.search(name)
    )


def new_document_id() -> str:
    """A 20-character URL-safe id, like the ids Elasticsearch generates."""
    return secrets.token_urlsafe(15)


class Storage:
    """Indexes, collections (with their mappings) and documents in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def reset(self) -> None:
        self._db.executescript(
            "DELETE FROM documents; DELETE FROM collections; DELETE FROM indexes; DELETE FROM specifications;"
        )

    # Indexes

    def list_indexes(self) -> list[str]:
        # Kuzzle's index cache is a Map: indexes come in creation order.
        return [row[0] for row in self._db.execute("SELECT name FROM indexes ORDER BY rowid")]

    def index_exists(self, index: str) -> bool:
        row = self._db.execute("SELECT 1 FROM indexes WHERE name = ?", (index,)).fetchone()
        return row is not None

    def create_index(self, index: str) -> None:
        if not _valid_name(index):
            raise kerror("services.storage.invalid_index_name", index)
        if self.index_exists(index):
            raise kerror("services.storage.index_already_exists", "public", index)
        self._db.execute("INSERT INTO indexes (name) VALUES (?)", (index,))

    def delete_index(self, index: str) -> None:
        self.assert_index(index)
        self._db.execute("DELETE FROM documents WHERE index_name = ?", (index,))
        self._db.execute("DELETE FROM collections WHERE index_name = ?", (index,))
        self._db.execute("DELETE FROM indexes WHERE name = ?", (index,))

    def assert_index(self, index: str) -> None:
        if not self.index_exists(index):
            raise kerror("services.storage.unknown_index", index)

    # Collections

    def collection_exists(self, index: str, collection: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM collections WHERE index_name = ? AND name = ?", (index, collection)
        ).fetchone()
        return row is not None

    def assert_collection(self, index: str, collection: str) -> None:
        self.assert_index(index)
        if not self.collection_exists(index, collection):
            raise kerror("services.storage.unknown_collection", index, collection)

    def list_collections(self, index: str) -> list[str]:
        self.assert_index(index)
        rows = self._db.execute("SELECT name FROM collections WHERE index_name = ? ORDER BY name", (index,))
        return [row[0] for row in rows]

    def create_collection(self, index: str, collection: str, mappings: Any, settings: dict[str, Any]) -> None:
        """``createCollection``: create it (and its index, as Kuzzle's cache does), or update it."""
        if not _valid_name(index):
            raise kerror("services.storage.invalid_index_name", index)
        if not _valid_name(collection):
            raise kerror("services.storage.invalid_collection_name", collection)
        if self.collection_exists(index, collection):
            self.update_collection(index, collection, mappings, settings)
            return
        mappings = checked(mappings)
        mapping: dict[str, Any] = {"dynamic": str(mappings.get("dynamic") or DEFAULT_DYNAMIC)}
        if mappings.get("_meta"):
            mapping["_meta"] = mappings["_meta"]
        mapping["properties"] = deep_merge(dict(mappings.get("properties") or {}), KUZZLE_META_PROPERTIES)
        index_settings = {
            "creation_date": str(int(time.time() * 1000)),
            "number_of_replicas": "1",
            "number_of_shards": "1",
            "provided_name": f"&{index}.{collection}",
            "uuid": secrets.token_urlsafe(16)[:22],
            "version": {"created": ES_VERSION_ID},
            **_es_settings(settings),
        }
        self._db.execute("INSERT OR IGNORE INTO indexes (name) VALUES (?)", (index,))
        self._db.execute(
            "INSERT INTO collections (index_name, name, mappings, settings) VALUES (?, ?, ?, ?)",
            (index, collection, json.dumps(mapping), json.dumps(index_settings)),
        )

    def update_collection(self, index: str, collection: str, mappings: Any, settings: dict[str, Any]) -> None:
        """``updateCollection``: settings first, then mappings (when not empty)."""
        self.assert_collection(index, collection)
        if settings:
            merged = deep_merge(self.get_settings(index, collection), _es_settings(settings))
            self._db.execute(
                "UPDATE collections SET settings = ? WHERE index_name = ? AND name = ?",
                (json.dumps(merged), index, collection),
            )
        if mappings:
            self.update_mapping(index, collection, mappings)

    def get_mapping(self, index: str, collection: str, *, include_kuzzle_meta: bool = True) -> dict[str, Any]:
        """``{dynamic, _meta?, properties}`` (``_meta`` only once set, as Elasticsearch)."""
        self.assert_collection(index, collection)
        row = self._db.execute(
            "SELECT mappings FROM collections WHERE index_name = ? AND name = ?",
            (index, collection),
        ).fetchone()
        mapping: dict[str, Any] = json.loads(row[0])
        if not include_kuzzle_meta:
            properties = mapping.get("properties") or {}
            mapping["properties"] = {k: v for k, v in properties.items() if k != "_kuzzle_info"}
        return mapping

    def get_settings(self, index: str, collection: str) -> dict[str, Any]:
        """The index settings Elasticsearch answers (``settings.index``): values as strings."""
        self.assert_collection(index, collection)
        row = self._db.execute(
            "SELECT settings FROM collections WHERE index_name = ? AND name = ?",
            (index, collection),
        ).fetchone()
        settings: dict[str, Any] = json.loads(row[0])
        return settings

    def update_mapping(self, index: str, collection: str, mappings: Any) -> dict[str, Any]:
        """``updateMapping``: the whole new mapping, ``_kuzzle_info`` included."""
        mappings = copy.deepcopy(mappings) if isinstance(mappings, dict) else mappings
        check_dynamic(mappings)
        current = self.get_mapping(index, collection)
        mappings = checked(mappings)
        updated: dict[str, Any] = {"dynamic": str(mappings.get("dynamic") or current.get("dynamic"))}
        meta = mappings.get("_meta") or current.get("_meta")
        if meta is not None:
            updated["_meta"] = meta
        updated["properties"] = deep_merge(current.get("properties") or {}, mappings.get("properties") or {})
        self._save_mapping(index, collection, updated)
        return updated

    def _save_mapping(self, index: str, collection: str, mapping: dict[str, Any]) -> None:
        self._db.execute(
            "UPDATE collections SET mappings = ? WHERE index_name = ? AND name = ?",
            (json.dumps(mapping), index, collection),
        )

    def _index_fields(self, index: str, collection: str, doc_id: str, source: dict[str, Any]) -> None:
        """Apply the mapping (``dynamic`` rules, value types); raises :class:`MappingRejection`."""
        grown = apply_dynamic(self.get_mapping(index, collection), source, doc_id)
        if grown is not None:
            self._save_mapping(index, collection, grown)

    def stats(self) -> dict[str, Any]:
        """``index:stats``: documents and bytes (JSON sources) per collection, by index."""
        indexes: list[dict[str, Any]] = []
        total = 0
        for index in self.list_indexes():
            collections = []
            for collection in self.list_collections(index):
                count, size = self._db.execute(
                    "SELECT COUNT(*), COALESCE(SUM(LENGTH(source)), 0) FROM documents "
                    "WHERE index_name = ? AND collection = ?",
                    (index, collection),
                ).fetchone()
                collections.append({"documentCount": count, "name": collection, "size": size})
            if not collections:  # only the hidden placeholder collection: Kuzzle skips it
                continue
            size = sum(c["size"] for c in collections)
            indexes.append({"collections": collections, "name": index, "size": size})
            total += size
        return {"indexes": indexes, "size": total}

    def delete_collection(self, index: str, collection: str) -> None:
        self.truncate(index, collection)
        self._db.execute("DELETE FROM collections WHERE index_name = ? AND name = ?", (index, collection))

    def truncate(self, index: str, collection: str) -> None:
        self.assert_collection(index, collection)
        self._db.execute("DELETE FROM documents WHERE index_name = ? AND collection = ?", (index, collection))

    # Documents

    def find(self, index: str, collection: str, doc_id: str) -> Document | None:
        self.assert_collection(index, collection)
        row = self._db.execute(
            "SELECT source, version FROM documents WHERE index_name = ? AND collection = ? AND id = ?",
            (index, collection, doc_id),
        ).fetchone()
        if row is None:
            return None
        return {"_id": doc_id, "_source": json.loads(row[0]), "_version": row[1]}

    def get(self, index: str, collection: str, doc_id: str) -> Document:
        document = self.find(index, collection, doc_id)
        if document is None:
            raise kerror("services.storage.not_found", doc_id, index, collection)
        return document

    def all_documents(self, index: str, collection: str) -> list[Document]:
        """Every document of the collection, in insertion order."""
        self.assert_collection(index, collection)
        rows = self._db.execute(
            "SELECT id, source, version FROM documents WHERE index_name = ? AND collection = ? ORDER BY seq",
            (index, collection),
        )
        return [{"_id": r[0], "_source": json.loads(r[1]), "_version": r[2]} for r in rows]

    def matching(
        self, index: str, collection: str, matches: Callable[[Document], bool]
    ) -> list[Document]:
        """The documents ``matches`` accepts when it reads what Elasticsearch indexed of
        them (:func:`~.mappings.indexed`: no unmapped field of a ``dynamic: false`` level)."""
        mapping = self.get_mapping(index, collection)
        return [
            document
            for document in self.all_documents(index, collection)
            if matches(indexed_hit(mapping, document))
        ]

    def create(self, index: str, collection: str, doc_id: str | None, source: dict[str, Any]) -> Document:
        doc_id = doc_id or new_document_id()
        if self.find(index, collection, doc_id) is not None:
            raise kerror("services.storage.document_already_exists")
        self._index_fields(index, collection, doc_id, source)
        self._db.execute(
            "INSERT INTO documents (index_name, collection, id, source, version) VALUES (?, ?, ?, ?, 1)",
            (index, collection, doc_id, json.dumps(source)),
        )
        return {"_id": doc_id, "_source": source, "_version": 1}

    def write(self, index: str, collection: str, doc_id: str, source: dict[str, Any]) -> Document:
        """Create or overwrite; ``created`` tells which."""
        existing = self.find(index, collection, doc_id)
        if existing is None:
            return {**self.create(index, collection, doc_id, source), "created": True}
        self._index_fields(index, collection, doc_id, source)
        version = existing["_version"] + 1
        self._db.execute(
            "UPDATE documents SET source = ?, version = ? WHERE index_name = ? AND collection = ? AND id = ?",
            (json.dumps(source), version, index, collection, doc_id),
        )
        return {"_id": doc_id, "_source": source, "_version": version, "created": False}

    def delete(self, index: str, collection: str, doc_id: str) -> Document:
        document = self.get(index, collection, doc_id)
        self._db.execute(
            "DELETE FROM documents WHERE index_name = ? AND collection = ? AND id = ?",
            (index, collection, doc_id),
        )
        return document

    # Validation specifications (Kuzzle's internal "validations" collection, ids "index#collection")

    def specifications(self) -> list[Document]:
        rows = self._db.execute("SELECT id, source FROM specifications ORDER BY rowid")
        return [{"_id": r[0], "_source": json.loads(r[1])} for r in rows]

    def find_specification(self, spec_id: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT source FROM specifications WHERE id = ?", (spec_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def save_specification(self, spec_id: str, source: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO specifications (id, source) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET source = excluded.source",
            (spec_id, json.dumps(source)),
        )

    def delete_specification(self, spec_id: str) -> bool:
        return self._db.execute("DELETE FROM specifications WHERE id = ?", (spec_id,)).rowcount > 0
