"""Persistent document storage in SQLite, standing in for Elasticsearch.

Index and collection names follow Kuzzle's rules (lower case, no ``\\/*?"<>| ,#:%&.``,
no leading ``_``). Writes are visible at once, so ``refresh`` is accepted and ignored.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from pathlib import Path
from typing import Any

from .errors import kerror
from .fields import deep_merge

Document = dict[str, Any]  # {"_id", "_source", "_version"}

_FORBIDDEN_NAME = re.compile(r'[\\/*?"<>| \t\r\n,#:%&.]')

_SCHEMA = """
CREATE TABLE IF NOT EXISTS indexes (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS collections (
    index_name TEXT NOT NULL,
    name TEXT NOT NULL,
    mappings TEXT NOT NULL,
    settings TEXT NOT NULL,
    PRIMARY KEY (index_name, name)
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


def _valid_name(name: str) -> bool:
    return (
        bool(name)
        and name == name.lower()
        and not name.startswith("_")
        and not (_FORBIDDEN_NAME.search(name))
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
        self._db.executescript("DELETE FROM documents; DELETE FROM collections; DELETE FROM indexes;")

    # Indexes

    def list_indexes(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT name FROM indexes ORDER BY name")]

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

    def create_collection(
        self, index: str, collection: str, mappings: dict[str, Any], settings: dict[str, Any]
    ) -> None:
        """Create the collection (and its index, as Kuzzle does), or update its mappings."""
        if not _valid_name(index):
            raise kerror("services.storage.invalid_index_name", index)
        if not _valid_name(collection):
            raise kerror("services.storage.invalid_collection_name", collection)
        if self.collection_exists(index, collection):
            self.update_mapping(index, collection, mappings)
            return
        self._db.execute("INSERT OR IGNORE INTO indexes (name) VALUES (?)", (index,))
        base = {"dynamic": "true", "_meta": {}, "properties": {}}
        self._db.execute(
            "INSERT INTO collections (index_name, name, mappings, settings) VALUES (?, ?, ?, ?)",
            (index, collection, json.dumps(deep_merge(base, mappings)), json.dumps(settings)),
        )

    def get_mapping(self, index: str, collection: str) -> dict[str, Any]:
        self.assert_collection(index, collection)
        row = self._db.execute(
            "SELECT mappings FROM collections WHERE index_name = ? AND name = ?",
            (index, collection),
        ).fetchone()
        mapping: dict[str, Any] = json.loads(row[0])
        return mapping

    def update_mapping(self, index: str, collection: str, mappings: dict[str, Any]) -> dict[str, Any]:
        merged = deep_merge(self.get_mapping(index, collection), mappings)
        self._db.execute(
            "UPDATE collections SET mappings = ? WHERE index_name = ? AND name = ?",
            (json.dumps(merged), index, collection),
        )
        return merged

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

    def create(self, index: str, collection: str, doc_id: str | None, source: dict[str, Any]) -> Document:
        doc_id = doc_id or new_document_id()
        if self.find(index, collection, doc_id) is not None:
            raise kerror("services.storage.document_already_exists")
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
