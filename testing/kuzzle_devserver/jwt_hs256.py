"""HS256 JSON Web Tokens with the standard library (Kuzzle signs with HS256: docs/protocol.md §4.1)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


class InvalidSignatureError(ValueError):
    """The token is malformed or its signature does not match."""


def _b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(claims: dict[str, Any], secret: bytes) -> str:
    """Sign ``claims`` into a compact JWT."""
    header = _b64url_encode(b'{"alg":"HS256","typ":"JWT"}')
    payload = _b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url_encode(signature)}"


def decode(token: str, secret: bytes) -> dict[str, Any]:
    """Check the signature and return the claims; expiry is the caller's business."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidSignatureError("not a JWT")
    header, payload, signature = parts
    expected = hmac.new(secret, f"{header}.{payload}".encode("ascii"), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _b64url_decode(signature)):
            raise InvalidSignatureError("bad signature")
        claims = json.loads(_b64url_decode(payload))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidSignatureError(str(error)) from error
    if not isinstance(claims, dict):
        raise InvalidSignatureError("claims are not an object")
    return claims
