"""The ``local`` authentication strategy (Kuzzle's kuzzle-plugin-auth-passport-local).

Credentials are ``{username, password}``; the password is stored salted and hashed
(PBKDF2-HMAC-SHA512, ``hashlib``: no dependency), never in clear. What the strategy shows
of a user's credentials is ``{username, kuid}``. Rejections use
``security.credentials.rejected`` with the plugin's reason.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from .errors import kerror
from .internal import InternalDb

LOCAL_STRATEGY = "local"
# A dev server seeds and logs in many times per test run: far fewer iterations than a
# production store would use (this protects fixtures on disk, not production secrets).
_ITERATIONS = 1_000
_ALGORITHM = "pbkdf2_sha512"


def hash_password(password: str) -> str:
    """``pbkdf2_sha512$<iterations>$<salt hex>$<hash hex>``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, _ITERATIONS)
    return f"{_ALGORITHM}${_ITERATIONS}${salt.hex()}${digest.hex()}"


def password_matches(stored: str, candidate: str) -> bool:
    algorithm, iterations, salt, expected = stored.split("$")
    if algorithm != _ALGORITHM:
        return False
    digest = hashlib.pbkdf2_hmac("sha512", candidate.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


class LocalStrategy:
    """Local credentials by kuid, in the internal database."""

    name = LOCAL_STRATEGY
    fields = ("username", "password")  # getCredentialFields

    def __init__(self, internal: InternalDb) -> None:
        self._db = internal.db

    def _row(self, kuid: str) -> tuple[str, str] | None:
        row = self._db.execute("SELECT username, hash FROM credentials WHERE kuid = ?", (kuid,)).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def exists(self, kuid: str) -> bool:
        return self._row(kuid) is not None

    def info(self, kuid: str) -> dict[str, Any] | None:
        """``getInfo``: ``{username, kuid}``, or None without credentials."""
        row = self._row(kuid)
        return None if row is None else {"username": row[0], "kuid": kuid}

    def kuid_of(self, username: str) -> str | None:
        """``getById``: the kuid owning ``username``."""
        row = self._db.execute("SELECT kuid FROM credentials WHERE username = ?", (username,)).fetchone()
        return None if row is None else str(row[0])

    def authenticate(self, username: str, password: str) -> str | None:
        """The kuid whose credentials these are, or None."""
        query = "SELECT kuid, hash FROM credentials WHERE username = ?"
        row = self._db.execute(query, (username,)).fetchone()
        if row is None or not password_matches(str(row[1]), password):
            return None
        return str(row[0])

    def validate(self, kuid: str, credentials: Any, *, partial: bool) -> None:
        """``validate``: both fields non-empty strings (``partial``: those given), username free."""
        if not isinstance(credentials, dict):
            raise kerror("api.assert.invalid_type", "body", "object")
        for name in self.fields:
            value = credentials.get(name)
            if value is None and partial:
                continue
            if not isinstance(value, str) or not value:
                raise kerror("security.credentials.rejected", f"{name} must be a non-empty string")
        username = credentials.get("username")
        if isinstance(username, str):
            owner = self.kuid_of(username)
            if owner is not None and owner != kuid:
                raise kerror("security.credentials.rejected", f'username "{username}" is already used')

    def create(self, kuid: str, credentials: dict[str, Any]) -> dict[str, Any]:
        if self.exists(kuid):
            raise kerror("security.credentials.rejected", "the user already has local credentials")
        self.validate(kuid, credentials, partial=False)
        self._db.execute(
            "INSERT INTO credentials (kuid, username, hash) VALUES (?, ?, ?)",
            (kuid, credentials["username"], hash_password(credentials["password"])),
        )
        return {"username": credentials["username"], "kuid": kuid}

    def update(self, kuid: str, credentials: dict[str, Any]) -> dict[str, Any]:
        row = self._row(kuid)
        if row is None:
            raise kerror("services.storage.not_found", kuid, "local", "credentials")
        self.validate(kuid, credentials, partial=True)
        username = credentials.get("username") or row[0]
        password = credentials.get("password")
        stored = hash_password(password) if password else row[1]
        self._db.execute(
            "UPDATE credentials SET username = ?, hash = ? WHERE kuid = ?", (username, stored, kuid)
        )
        return {"username": username, "kuid": kuid}

    def delete(self, kuid: str) -> None:
        self._db.execute("DELETE FROM credentials WHERE kuid = ?", (kuid,))
