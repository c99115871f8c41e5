"""Kuzzle's internal index and its Redis cache, as one SQLite file: ``internal.sqlite3``.

Kuzzle keeps its JWT secret, users, profiles, roles, credentials and API keys in its
internal Elasticsearch index, and tokens in Redis, so all of them survive a restart of
the Kuzzle process. The dev server keeps them here, next to ``kuzzle.sqlite3`` in the
data directory; a temporary data directory (no ``--data``) is deleted at exit, so its
security state is ephemeral. Every repository (tokens, API keys, users, credentials,
profiles, roles) writes through to this file; ``transaction()`` groups the writes of an
action that touches several rows so that a failure leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS config (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    jwt TEXT PRIMARY KEY,
    kuid TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    ttl INTEGER NOT NULL,
    refreshed INTEGER NOT NULL,
    api_key INTEGER NOT NULL,
    single_use INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    kuid TEXT NOT NULL,
    jwt TEXT NOT NULL,
    description TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, source TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (id TEXT PRIMARY KEY, source TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS roles (id TEXT PRIMARY KEY, source TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
    kuid TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL
);
"""


class InternalDb:
    """The SQLite connection the security repositories share."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # WAL + NORMAL: durable across a process crash (SIGKILL), no fsync per write.
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(tokens)")}
        if "single_use" not in columns:  # a data directory written before the column existed
            self.db.execute("ALTER TABLE tokens ADD COLUMN single_use INTEGER NOT NULL DEFAULT 0")
        self._depth = 0

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all (nested uses join the outer one)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    def get_config(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM config WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_config(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO config (name, value) VALUES (?, ?)", (name, value))


class InternalCollection:
    """One of the ``users``, ``profiles``, ``roles`` collections: JSON sources by id.

    Reads always go to SQLite (no cache to invalidate): a change applies to the next
    request, as Kuzzle's repositories invalidate their caches on write.
    """

    def __init__(self, internal: InternalDb, table: str) -> None:
        assert table in {"users", "profiles", "roles"}
        self._db = internal.db
        self._table = table

    def get(self, object_id: str) -> dict[str, Any] | None:
        row = self._db.execute(f"SELECT source FROM {self._table} WHERE id = ?", (object_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def exists(self, object_id: str) -> bool:
        return self.get(object_id) is not None

    def all(self) -> list[tuple[str, dict[str, Any]]]:
        """Every object, in creation order."""
        rows = self._db.execute(f"SELECT id, source FROM {self._table} ORDER BY seq").fetchall()
        return [(str(object_id), dict(json.loads(source))) for object_id, source in rows]

    def put(self, object_id: str, source: dict[str, Any]) -> None:
        """Create or replace; a replaced object keeps its place in the creation order."""
        self._db.execute(
            f"INSERT INTO {self._table} (id, source, seq)"
            f" VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM {self._table}))"
            " ON CONFLICT (id) DO UPDATE SET source = excluded.source",
            (object_id, json.dumps(source)),
        )

    def delete(self, object_id: str) -> None:
        self._db.execute(f"DELETE FROM {self._table} WHERE id = ?", (object_id,))

    def clear(self) -> int:
        """Delete everything; how many objects there were."""
        return self._db.execute(f"DELETE FROM {self._table}").rowcount
