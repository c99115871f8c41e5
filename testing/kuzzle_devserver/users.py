"""Users loaded from a JSON fixture; the only strategy is ``local`` (username + password).

Fixture format: ``{"<kuid>": {"password": "...", "profileIds": [...], "content": {...}}}``.
A password may be plain text or ``"sha256:<hex>"``: this is a dev server, plain text
is accepted on purpose so that fixtures stay readable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ANONYMOUS_KUID = "-1"


@dataclass
class User:
    """A Kuzzle user: kuid, profiles and free-form content."""

    kuid: str
    profile_ids: list[str]
    content: dict[str, Any] = field(default_factory=dict)
    password: str = ""
    username: str | None = None
    """The ``local`` strategy's login name; ``None`` once its credentials are deleted."""

    def local_credentials(self) -> dict[str, Any]:
        """What the local strategy plugin returns for the user: ``{username, kuid}``."""
        return {"username": self.username, "kuid": self.kuid}

    def serialize(self) -> dict[str, Any]:
        """``formatProcessing.serializeUser``: ``{_id, _source: {...content, profileIds}}``."""
        return {"_id": self.kuid, "_source": {**self.content, "profileIds": self.profile_ids}}

    def password_matches(self, candidate: str) -> bool:
        if self.password.startswith("sha256:"):
            digest = hashlib.sha256(candidate.encode()).hexdigest()
            return hmac.compare_digest(digest, self.password.removeprefix("sha256:"))
        return hmac.compare_digest(candidate.encode(), self.password.encode())


ANONYMOUS_USER = User(kuid=ANONYMOUS_KUID, profile_ids=["anonymous"])


class UserDirectory:
    """Read-only view of the fixture users, plus the anonymous user ``-1``."""

    def __init__(self, path: Path) -> None:
        raw: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        self._users = {
            kuid: User(
                kuid=kuid,
                profile_ids=list(entry.get("profileIds", ["default"])),
                content=dict(entry.get("content", {})),
                password=str(entry["password"]),
                username=str(entry.get("username", kuid)),
            )
            for kuid, entry in raw.items()
        }

    def get(self, kuid: str) -> User | None:
        if kuid == ANONYMOUS_KUID:
            return ANONYMOUS_USER
        return self._users.get(kuid)

    def authenticate(self, username: str, password: str) -> User | None:
        user = next((u for u in self._users.values() if u.username == username), None)
        if user is None or not user.password_matches(password):
            return None
        return user

    def username_taken(self, username: str, by_other_than: str) -> bool:
        return any(u.username == username and u.kuid != by_other_than for u in self._users.values())

    def set_local_credentials(self, kuid: str, username: str | None, password: str | None) -> User:
        """Create, change (``None`` keeps a value) or, with both ``None``, delete local credentials."""
        user = self._users[kuid]
        if username is None and password is None:
            user.username, user.password = None, ""
        else:
            user.username = username if username is not None else user.username
            user.password = password if password is not None else user.password
        return user

    def update_content(self, kuid: str, changes: dict[str, Any]) -> User:
        """``auth:updateSelf``: merge into the user content (in memory only)."""
        user = self._users[kuid]
        user.content.update(changes)
        return user
