"""Authentication tokens: creation, verification, refresh, revocation and expiry pushes.

Kuzzle keeps its JWT secret in its internal index and tokens in Redis, so a restarted
Kuzzle still accepts the tokens it issued. This repository keeps both in the internal
SQLite file (``internal.py``), with the live tokens also in memory (expiry timers and
connection links, which die with the process as sockets do). Rules implemented
(README, "HTTP routes" and "Security"):

- a bad signature or format, or a token missing from the cache (logged out, or past its
  grace period after a refresh) gives ``security.token.invalid``; a past expiry gives
  ``security.token.expired``;
- ``refresh`` keeps the old token valid for a 1 s grace period and moves connection links;
- every authenticated request on a WebSocket links the connection to its latest token;
  when a linked token expires the server pushes ``TokenExpired`` to that connection;
- an early expiry (logout) silently drops the other linked connections' subscriptions.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import jwt_hs256
from .errors import kerror
from .internal import InternalDb

REFRESH_GRACE_PERIOD_S = 1.0  # security.authToken.gracePeriod = 1000 ms
API_KEY_PREFIX = "kapikey-"  # Kuzzle prefixes API key tokens; the SDKs' setAPIKey requires it
NEVER = -1  # expiresAt of a token that never expires (API keys by default)


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Token:
    """One issued token, as Kuzzle's token cache holds it."""

    jwt: str
    kuid: str
    expires_at: int  # epoch milliseconds
    ttl: int  # milliseconds
    refreshed: bool = False
    api_key: bool = False
    single_use: bool = False  # auth:createToken?singleUse: verified once, then gone
    connection_ids: set[str] = field(default_factory=set)
    expiry_timer: asyncio.TimerHandle | None = None


ConnectionsCallback = Callable[[set[str]], None]


class TokenRepository:
    """Token cache with HS256 signing, persisted in the internal database."""

    def __init__(
        self, internal: InternalDb, on_expired: ConnectionsCallback, on_revoked: ConnectionsCallback
    ) -> None:
        self._db = internal.db
        self._secret = self._load_secret(internal)
        self._on_expired = on_expired
        self._on_revoked = on_revoked
        # A token refreshed before the restart has had its grace period; Redis would
        # have dropped an expired one by its TTL.
        self._db.execute("DELETE FROM tokens WHERE refreshed = 1 OR (expires_at >= 0 AND expires_at <= ?)",
                         (now_ms(),))
        rows = self._db.execute("SELECT jwt, kuid, expires_at, ttl, api_key, single_use FROM tokens")
        self._tokens: dict[str, Token] = {}
        for jwt, kuid, expires_at, ttl, api_key, single_use in rows:
            self._tokens[jwt] = Token(
                jwt, kuid, expires_at, ttl, api_key=bool(api_key), single_use=bool(single_use)
            )

    @staticmethod
    def _load_secret(internal: InternalDb) -> bytes:
        """The JWT secret of this data directory, created on first use (Kuzzle's ``seed``)."""
        stored = internal.get_config("jwt_secret")
        if stored is not None:
            return bytes.fromhex(stored)
        secret = secrets.token_bytes(32)
        internal.set_config("jwt_secret", secret.hex())
        return secret

    def _save(self, token: Token) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO tokens (jwt, kuid, expires_at, ttl, refreshed, api_key, single_use)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token.jwt, token.kuid, token.expires_at, token.ttl, int(token.refreshed), int(token.api_key),
             int(token.single_use)),
        )

    def create(self, kuid: str, ttl_ms: int, *, api_key: bool = False, single_use: bool = False) -> Token:
        """Issue a token for ``kuid``; ``ttl_ms`` < 0 (API keys only) never expires."""
        issued_at = now_ms()
        expires_at = NEVER if ttl_ms < 0 else issued_at + ttl_ms
        claims: dict[str, object] = {
            "_id": kuid,
            "iat": issued_at // 1000,
            # Two tokens issued in the same second for the same user must differ.
            "jti": secrets.token_hex(8),
        }
        if expires_at != NEVER:
            claims["exp"] = math.ceil(expires_at / 1000)
        jwt = jwt_hs256.encode(claims, self._secret)
        text = API_KEY_PREFIX + jwt if api_key else jwt
        token = Token(text, kuid, expires_at, ttl_ms, api_key=api_key, single_use=single_use)
        self._tokens[token.jwt] = token
        self._save(token)
        self._arm_expiry(token)
        return token

    def _arm_expiry(self, token: Token) -> None:
        # Tokens loaded from a previous process get their timer when first linked.
        if token.expires_at != NEVER and token.expiry_timer is None:
            delay = max(0.0, (token.expires_at - now_ms()) / 1000)
            token.expiry_timer = asyncio.get_running_loop().call_later(delay, self._expire, token)

    def verify(self, jwt: str) -> Token:
        """The token behind ``jwt``, or ``security.token.invalid`` / ``expired``."""
        try:
            claims = jwt_hs256.decode(jwt.removeprefix(API_KEY_PREFIX), self._secret)
        except jwt_hs256.InvalidSignatureError:
            raise kerror("security.token.invalid") from None
        exp = claims.get("exp")
        if isinstance(exp, int | float) and time.time() >= exp:
            raise kerror("security.token.expired")
        token = self._tokens.get(jwt)
        if token is None:
            raise kerror("security.token.invalid")
        if token.expires_at != NEVER and now_ms() >= token.expires_at:
            raise kerror("security.token.expired")
        if token.single_use:
            self._forget(token)
        return token

    def refresh(self, old: Token, ttl_ms: int) -> Token:
        """Issue a new token; the old one dies after the grace period."""
        if old.api_key or old.expires_at == NEVER:
            raise kerror("security.token.refresh_forbidden", "API keys")
        if old.refreshed:
            raise kerror("security.token.invalid")
        old.refreshed = True
        self._save(old)
        new = self.create(old.kuid, ttl_ms)
        new.connection_ids, old.connection_ids = old.connection_ids, set()
        asyncio.get_running_loop().call_later(REFRESH_GRACE_PERIOD_S, self._forget, old)
        return new

    def link(self, token: Token, connection_id: str) -> None:
        """One token per connection: linking replaces any previous link."""
        for other in self._tokens.values():
            if other is not token:
                other.connection_ids.discard(connection_id)
        token.connection_ids.add(connection_id)
        self._arm_expiry(token)

    def unlink_connection(self, connection_id: str) -> None:
        for token in self._tokens.values():
            token.connection_ids.discard(connection_id)

    def linked_kuid(self, connection_id: str) -> str | None:
        """The user of the token a connection is linked to, if any."""
        for token in self._tokens.values():
            if connection_id in token.connection_ids:
                return token.kuid
        return None

    def revoke(self, token: Token) -> None:
        """Logout: the token is gone; connections still linked lose their subscriptions."""
        self._forget(token)
        if token.connection_ids:
            self._on_revoked(set(token.connection_ids))

    def revoke_all_of(self, kuid: str, *, keep_api_keys: bool = True) -> None:
        """Every token of the user (``deleteByKuid``: API keys stay unless told otherwise)."""
        doomed = [t for t in self._tokens.values() if t.kuid == kuid and not (keep_api_keys and t.api_key)]
        for token in doomed:
            self.revoke(token)

    def find(self, jwt: str) -> Token | None:
        return self._tokens.get(jwt)

    def clear(self) -> None:
        """Forget every token (``admin:resetSecurity``, ``resetCache``)."""
        for token in list(self._tokens.values()):
            self.revoke(token)

    def _forget(self, token: Token) -> None:
        if token.expiry_timer is not None:
            token.expiry_timer.cancel()
        self._tokens.pop(token.jwt, None)
        self._db.execute("DELETE FROM tokens WHERE jwt = ?", (token.jwt,))

    def _expire(self, token: Token) -> None:
        # Expired tokens stay in the cache so that using one says "expired", not "invalid".
        if token.connection_ids:
            linked, token.connection_ids = token.connection_ids, set()
            self._on_expired(linked)
