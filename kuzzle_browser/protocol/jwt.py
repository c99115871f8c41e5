"""Read a JWT's claims locally, as the JS SDK's ``Jwt`` class does, without its bug.

JWT segments are base64url (RFC 7515 §2): ``-`` and ``_`` instead of ``+`` and
``/``, padding stripped. JS SDK 7.17.1 decodes them with the standard alphabet
and fails on any payload containing ``-`` or ``_`` (docs/protocol.md §6.5).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from kuzzle_browser.protocol import Value

__all__ = ["Jwt", "decode_jwt_payload"]


def decode_jwt_payload(token: str) -> dict[str, Any] | None:
    """Return the claims of ``token``, or ``None`` if it is not a decodable JWT.

    The signature is not checked: only Kuzzle can do that.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    segment = parts[1]
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        claims = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


class Jwt(Value):
    """A token and the claims the SDK uses: the user id (``_id``) and the expiry (``exp``)."""

    # expires_at: seconds since the epoch; None for tokens without exp (API keys)
    __slots__ = ("encoded", "expires_at", "user_id")

    def __init__(self, encoded: str, user_id: str | None, expires_at: float | None) -> None:
        self.encoded = encoded
        self.user_id = user_id
        self.expires_at = expires_at

    @classmethod
    def parse(cls, token: str) -> Jwt:
        """Decode ``token``; an opaque token gives a ``Jwt`` without claims."""
        claims = decode_jwt_payload(token) or {}
        user_id = claims.get("_id")
        exp = claims.get("exp")
        return cls(
            encoded=token,
            user_id=user_id if isinstance(user_id, str) else None,
            expires_at=float(exp) if isinstance(exp, int | float) else None,
        )

    def expired(self, now: float) -> bool:
        """True when ``exp`` is in the past at ``now`` (epoch seconds); API keys never expire here."""
        return self.expires_at is not None and now > self.expires_at

    def __repr__(self) -> str:
        # Never show the token itself: reprs end up in logs.
        return f"Jwt(user_id={self.user_id!r}, expires_at={self.expires_at!r})"
