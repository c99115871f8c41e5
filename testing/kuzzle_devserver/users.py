"""Users (Kuzzle's ``users`` internal collection), persisted in the internal database.

A user is a kuid, a list of profile ids and free-form content; credentials live apart
(``credentials.py``), as Kuzzle keeps them in its strategy plugins. The anonymous user
``-1`` (profile ``anonymous``) is not stored: Kuzzle builds it on the fly too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .internal import InternalDb

ANONYMOUS_KUID = "-1"


@dataclass
class User:
    """A Kuzzle user: kuid, profiles and free-form content."""

    kuid: str
    profile_ids: list[str]
    content: dict[str, Any] = field(default_factory=dict)

    def serialize(self) -> dict[str, Any]:
        """``formatProcessing.serializeUser``: ``{_id, _source: {...content, profileIds}}``."""
        return {"_id": self.kuid, "_source": {**self.content, "profileIds": self.profile_ids}}


ANONYMOUS_USER = User(kuid=ANONYMOUS_KUID, profile_ids=["anonymous"])


class UserRepository:
    """Users by kuid; every read goes to SQLite, so a change applies to the next request."""

    def __init__(self, internal: InternalDb) -> None:
        self._db = internal.db

    def get(self, kuid: str) -> User | None:
        if kuid == ANONYMOUS_KUID:
            return ANONYMOUS_USER
        row = self._db.execute("SELECT source FROM users WHERE id = ?", (kuid,)).fetchone()
        return None if row is None else _from_source(kuid, row[0])

    def exists(self, kuid: str) -> bool:
        return self._db.execute("SELECT 1 FROM users WHERE id = ?", (kuid,)).fetchone() is not None

    def all(self) -> Iterator[User]:
        """Every stored user, in creation order."""
        for kuid, source in self._db.execute("SELECT id, source FROM users ORDER BY seq").fetchall():
            yield _from_source(kuid, source)

    def save(self, user: User) -> User:
        """Create or replace; a replaced user keeps its place in the creation order."""
        source = json.dumps({"profileIds": user.profile_ids, "content": user.content})
        self._db.execute(
            "INSERT INTO users (id, source, seq) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM users))"
            " ON CONFLICT (id) DO UPDATE SET source = excluded.source",
            (user.kuid, source),
        )
        return user

    def delete(self, kuid: str) -> None:
        self._db.execute("DELETE FROM users WHERE id = ?", (kuid,))

    def clear(self) -> None:
        self._db.execute("DELETE FROM users")


def _from_source(kuid: str, source: str) -> User:
    data = json.loads(source)
    return User(kuid=kuid, profile_ids=list(data["profileIds"]), content=dict(data["content"]))
