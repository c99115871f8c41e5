"""Users (Kuzzle's ``users`` internal collection), persisted in the internal database.

A user is a kuid, a list of profile ids and free-form content; credentials live apart
(``credentials.py``), as Kuzzle keeps them in its strategy plugins. The anonymous user
``-1`` (profile ``anonymous``) is not stored: Kuzzle builds it on the fly too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .internal import InternalCollection, InternalDb

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
        self._collection = InternalCollection(internal, "users")

    def get(self, kuid: str) -> User | None:
        if kuid == ANONYMOUS_KUID:
            return ANONYMOUS_USER
        source = self._collection.get(kuid)
        return None if source is None else _from_source(kuid, source)

    def exists(self, kuid: str) -> bool:
        return self._collection.exists(kuid)

    def all(self) -> list[User]:
        """Every stored user, in creation order."""
        return [_from_source(kuid, source) for kuid, source in self._collection.all()]

    def save(self, user: User) -> User:
        """Create or replace."""
        self._collection.put(user.kuid, {**user.content, "profileIds": user.profile_ids})
        return user

    def delete(self, kuid: str) -> None:
        self._collection.delete(kuid)


def _from_source(kuid: str, source: dict[str, Any]) -> User:
    content = dict(source)
    return User(kuid=kuid, profile_ids=list(content.pop("profileIds")), content=content)
