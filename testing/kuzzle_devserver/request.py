"""Kuzzle API requests: input parsing, typed argument getters, and the response envelope."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from .connection import ClientConnection
from .errors import KuzzleError, kerror
from .tokens import Token
from .users import ANONYMOUS_USER, User

NODE_ID = "knode-devserver"

# Keys RequestInput pulls out of a payload; every other key is an API argument (docs/protocol.md §2.2).
_RESERVED_KEYS = {"controller", "action", "requestId", "jwt", "volatile", "body"}

_MISSING: Any = object()


def _check_type(name: str, value: Any, expected: type | tuple[type, ...], label: str) -> None:
    if value is not None and not isinstance(value, expected):
        raise kerror("api.assert.invalid_type", name, label)


@dataclass
class KuzzleRequest:
    """A request and its context (connection, user, token)."""

    controller: str
    action: str
    request_id: str
    args: dict[str, Any]
    body: Any
    jwt: str | None
    volatile: dict[str, Any] | None
    connection: ClientConnection
    user: User = field(default_factory=lambda: ANONYMOUS_USER)
    token: Token | None = None
    timestamp: int = field(default_factory=lambda: int(time.time() * 1000))
    response_headers: dict[str, str] = field(default_factory=dict)
    partial_error: KuzzleError | None = None
    """``request.setError`` with a result: a partial success (206) keeps its result."""
    # An action answering a raw body over HTTP (document:export, server:openapi) sets it.
    raw_response: bytes | None = None

    @classmethod
    def from_payload(cls, payload: Any, connection: ClientConnection) -> KuzzleRequest:
        """``new Request(payload)``: raises when the payload cannot make a request (docs/protocol.md §2.8)."""
        if not isinstance(payload, dict):
            raise kerror("api.assert.invalid_type", "payload", "object")
        _check_type("requestId", payload.get("requestId"), str, "string")
        _check_type("controller", payload.get("controller"), str, "string")
        _check_type("action", payload.get("action"), str, "string")
        _check_type("jwt", payload.get("jwt"), str, "string")
        _check_type("volatile", payload.get("volatile"), dict, "object")
        _check_type("body", payload.get("body"), dict, "object")
        return cls(
            controller=payload.get("controller") or "",
            action=payload.get("action") or "",
            request_id=payload.get("requestId") or str(uuid.uuid4()),
            args={k: v for k, v in payload.items() if k not in _RESERVED_KEYS},
            body=payload.get("body"),
            jwt=payload.get("jwt"),
            volatile=payload.get("volatile"),
            connection=connection,
        )

    @property
    def over_http(self) -> bool:
        return self.connection.protocol == "http"

    @property
    def kuid(self) -> str:
        return self.user.kuid

    # Argument getters, with Kuzzle's assertion errors.

    def get_boolean(self, name: str) -> bool:
        """``_getBoolean``: over HTTP presence means true; over WS a JSON boolean is required."""
        value = self.args.get(name)
        if self.over_http:
            return name in self.args
        if value is None:
            return False
        if not isinstance(value, bool):
            raise kerror("api.assert.invalid_type", name, "boolean")
        return value

    def get_string(self, name: str, default: Any = _MISSING) -> Any:
        value = self.args.get(name)
        if value is None:
            if default is _MISSING:
                raise kerror("api.assert.missing_argument", name)
            return default
        if not isinstance(value, str):
            raise kerror("api.assert.invalid_type", name, "string")
        return value

    def get_lang(self) -> str:
        """``getLangParam``: the query language of a search, ``elasticsearch`` or ``koncorde``."""
        lang = str(self.get_string("lang", "elasticsearch"))
        if lang not in ("elasticsearch", "koncorde"):
            raise kerror("api.assert.invalid_argument", "lang", '"elasticsearch" or "koncorde"')
        return lang

    def get_integer(self, name: str, default: int) -> int:
        value = self.args.get(name)
        if value is None:
            return default
        if isinstance(value, str):  # query strings carry numbers as text
            try:
                return int(value)
            except ValueError:
                raise kerror("api.assert.invalid_type", name, "integer") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise kerror("api.assert.invalid_type", name, "integer")
        return value

    def get_array(self, name: str) -> list[Any]:
        """``getArray``: an array, or over HTTP a JSON array in a query-string value."""
        value = self.args.get(name)
        if value is None:
            raise kerror("api.assert.missing_argument", name)
        if isinstance(value, str) and self.over_http:
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, list):
                self.args[name] = parsed
                return parsed
        if not isinstance(value, list):
            raise kerror("api.assert.invalid_type", name, "array")
        return value

    def get_index(self) -> str:
        return str(self.get_string("index"))

    def get_collection(self) -> str:
        return str(self.get_string("collection"))

    def get_id(self) -> str:
        """``getId``: an empty id is a missing one."""
        if self.args.get("_id") == "":
            raise kerror("api.assert.missing_argument", "_id")
        return str(self.get_string("_id"))

    def get_body(self) -> dict[str, Any]:
        if self.body is None:
            raise kerror("api.assert.body_required")
        if not isinstance(self.body, dict):
            raise kerror("api.assert.invalid_type", "body", "object")
        return self.body

    def get_body_field(self, name: str, kind: type, label: str, default: Any = _MISSING) -> Any:
        """A body attribute of type ``kind`` (``getBodyObject``/``getBodyArray``/...)."""
        body = self.body if isinstance(self.body, dict) else {}
        value = body.get(name)
        if value is None:
            if default is _MISSING:
                if self.body is None:
                    raise kerror("api.assert.body_required")
                raise kerror("api.assert.missing_argument", f"body.{name}")
            return default
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise kerror("api.assert.invalid_type", f"body.{name}", label)
        return value

    def set_cookie(self, value: str) -> None:
        self.response_headers["Set-Cookie"] = value


def envelope(
    *,
    request_id: str | None,
    status: int,
    result: Any = None,
    error: KuzzleError | None = None,
    controller: str | None = None,
    action: str | None = None,
    index: Any = None,
    collection: Any = None,
    volatile: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``RequestResponse.toJSON().content`` (docs/protocol.md §2.3); ``Set-Cookie`` never appears in it.

    ``index`` and ``collection`` read ``request.input.args``: undefined when the
    request had none, so ``JSON.stringify`` leaves them out (docs/protocol.md §2.3).
    """
    content = {
        "requestId": request_id,
        "status": status,
        "error": error.to_json() if error else None,
        "controller": controller,
        "action": action,
        "volatile": volatile,
        "headers": {k: v for k, v in (headers or {}).items() if k.lower() != "set-cookie"},
        "node": NODE_ID,
        "result": result,
    }
    if index is not None:
        content["index"] = index
    if collection is not None:
        content["collection"] = collection
    return content


def request_envelope(
    request: KuzzleRequest, result: Any = None, error: KuzzleError | None = None
) -> dict[str, Any]:
    """The envelope answering ``request``."""
    return envelope(
        request_id=request.request_id,
        status=error.status if error else 200,
        result=result,
        error=error,
        controller=request.controller or None,
        action=request.action or None,
        index=request.args.get("index"),
        collection=request.args.get("collection"),
        volatile=request.volatile,
        headers=request.response_headers,
    )
