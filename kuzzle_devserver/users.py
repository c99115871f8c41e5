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
            )
            for kuid, entry in raw.items()
        }

    def get(self, kuid: str) -> User | None:
        if kuid == ANONYMOUS_KUID:
            return ANONYMOUS_USER
        return self._users.get(kuid)

    def authenticate(self, username: str, password: str) -> User | None:
        user = self._users.get(username)
        if user is None or not user.password_matches(password):
            return None
        return user

    def update_content(self, kuid: str, changes: dict[str, Any]) -> User:
        """``auth:updateSelf``: merge into the user content (in memory only)."""
        user = self._users[kuid]
        user.content.update(changes)
        return user
