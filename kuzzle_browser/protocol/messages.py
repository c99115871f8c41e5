"""Encode requests and decode the frames Kuzzle sends over WebSocket.

Routing rules (kuzzle-sdk ``src/protocols/WebSocket.ts`` ``onmessage``, Kuzzle
2.x ``httpwsProtocol.js``):

- ``{"p":2}`` alone is the answer to the application ping ``{"p":1}``;
- ``type == "TokenExpired"`` is the server notification sent when the
  connection's token expires; it is checked *before* ``room``;
- ``room`` equal to a pending ``requestId`` is that request's response; any
  other ``room`` is a subscription channel (a notification);
- a message with no ``room`` is an error Kuzzle could not tie to a request
  (bad JSON, rate limit, invalid request); it may carry ``requestId``.

:func:`decode_frame` never raises: bad input becomes a :class:`Malformed` frame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kuzzle_browser.errors import InvalidArgumentError, ProtocolError

__all__ = [
    "PING_FRAME",
    "Frame",
    "Malformed",
    "Pong",
    "RoomMessage",
    "TokenExpiredNotice",
    "Unroutable",
    "decode_frame",
    "encode_request",
]

# Kuzzle >= 2.10 answers the browser's application ping {"p":1} with {"p":2}:
# "This application-level PING has been especially added for web browsers,
# which don't allow sending PING packets." (JS SDK WebSocket page)
PING_FRAME = '{"p":1}'


@dataclass(frozen=True, slots=True)
class Pong:
    """The server's answer to :data:`PING_FRAME`."""


@dataclass(frozen=True, slots=True)
class TokenExpiredNotice:
    """Kuzzle's ``TokenExpired`` server notification; the server also drops our subscriptions."""

    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RoomMessage:
    """A message with a ``room``: a response (room == requestId) or a notification (room == channel)."""

    room: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Unroutable:
    """An error message without ``room``; ``request_id`` is set when Kuzzle echoed one."""

    request_id: str | None
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Malformed:
    """A frame that is not a Kuzzle message: binary, not JSON, or not a JSON object."""

    error: ProtocolError


Frame = Pong | TokenExpiredNotice | RoomMessage | Unroutable | Malformed

_EXCERPT = 120


def _excerpt(data: str | bytes) -> str:
    text = data if isinstance(data, str) else repr(data[:_EXCERPT])
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "..."


def decode_frame(data: str | bytes) -> Frame:
    """Classify one inbound WebSocket frame.

    Args:
        data: The frame as the browser delivered it (``str`` for text frames,
            ``bytes`` for binary ones).

    Returns:
        One :data:`Frame`; the caller routes it (see the module docstring).
    """
    if not isinstance(data, str):
        return Malformed(
            ProtocolError(f"Kuzzle sends text frames only; got a binary frame of {len(data)} bytes")
        )
    # Fast path: the pong is the most frequent frame on an idle link.
    if data == '{"p":2}':
        return Pong()
    try:
        payload = json.loads(data)
    except ValueError as exc:
        return Malformed(ProtocolError(f"Frame is not JSON ({exc}): {_excerpt(data)}"))
    if not isinstance(payload, dict):
        return Malformed(ProtocolError(f"Frame is not a JSON object: {_excerpt(data)}"))
    if payload.get("p") == 2 and len(payload) == 1:
        return Pong()
    if payload.get("type") == "TokenExpired":
        return TokenExpiredNotice(payload)
    room = payload.get("room")
    if isinstance(room, str) and room:
        return RoomMessage(room, payload)
    request_id = payload.get("requestId")
    return Unroutable(request_id if isinstance(request_id, str) else None, payload)


def encode_request(request: dict[str, Any]) -> str:
    """Serialize a request for the wire, compactly.

    Raises:
        InvalidArgumentError: The request holds something JSON cannot carry
            (a set, bytes, NaN...). Nothing was sent.
    """
    try:
        return json.dumps(request, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"The request cannot be sent as JSON: {exc}") from exc
