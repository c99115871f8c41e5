"""API keys (Kuzzle's ``api-keys`` internal collection, ``lib/model/storage/apiKey.js``).

An API key is a never-refreshed token (``kapikey-`` prefix) plus a stored document
``{userId, description, expiresAt, ttl, fingerprint}``; its default id is the
fingerprint (SHA-256 of the token). Only its creation answer shows the token.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .errors import kerror
from .internal import InternalDb
from .tokens import TokenRepository


class ApiKeyRepository:
    def __init__(self, internal: InternalDb, tokens: TokenRepository) -> None:
        self._db = internal.db
        self._tokens = tokens

    def create(self, kuid: str, ttl_ms: int, description: str, key_id: str | None) -> dict[str, Any]:
        """``ApiKey.create``: the key document, token included (the only time it is shown)."""
        token = self._tokens.create(kuid, ttl_ms, api_key=True)
        fingerprint = hashlib.sha256(token.jwt.encode()).hexdigest()
        key_id = key_id or fingerprint
        previous = self._db.execute("SELECT jwt FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        if previous is not None:  # saved with createOrReplace: the old key's token dies
            self._revoke(str(previous[0]))
        self._db.execute(
            "INSERT OR REPLACE INTO api_keys (id, kuid, jwt, description, seq)"
            " VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM api_keys))",
            (key_id, kuid, token.jwt, description),
        )
        document = self._document(key_id, kuid, token.jwt, description)
        document["_source"]["token"] = token.jwt
        return document

    def _document(self, key_id: str, kuid: str, jwt: str, description: str) -> dict[str, Any]:
        token = self._tokens.find(jwt)
        expires_at, ttl = (token.expires_at, token.ttl) if token is not None else (0, 0)
        source = {
            "userId": kuid,
            "description": description,
            "expiresAt": expires_at,
            "ttl": ttl,
            "fingerprint": hashlib.sha256(jwt.encode()).hexdigest(),
        }
        return {"_id": key_id, "_source": source}

    def search(self, kuid: str, offset: int, size: int) -> dict[str, Any]:
        rows = self._db.execute(
            "SELECT id, jwt, description FROM api_keys WHERE kuid = ? ORDER BY seq", (kuid,)
        ).fetchall()
        hits = [self._document(key_id, kuid, jwt, description) for key_id, jwt, description in rows]
        return {"hits": hits[offset : offset + size], "total": len(hits)}

    def delete(self, kuid: str, key_id: str) -> None:
        """``ApiKey.load`` then delete: not found unless the key is the user's."""
        row = self._db.execute("SELECT kuid, jwt FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        if row is None or row[0] != kuid:
            raise kerror("services.storage.not_found", key_id, "kuzzle", "api-keys")
        self._db.execute("DELETE FROM api_keys WHERE id = ?", (key_id,))
        self._revoke(str(row[1]))

    def delete_all_of(self, kuid: str) -> None:
        """``ApiKey.deleteByUser`` (the user is being deleted)."""
        for (key_id,) in self._db.execute("SELECT id FROM api_keys WHERE kuid = ?", (kuid,)).fetchall():
            self.delete(kuid, str(key_id))

    def _revoke(self, jwt: str) -> None:
        token = self._tokens.find(jwt)
        if token is not None:
            self._tokens.revoke(token)
