"""The text of the frames: requests out, the ping, and the error for a frame that is not Kuzzle's.

The routing rules of inbound frames are in :meth:`Connection.frames_received
<kuzzle_browser.protocol.connection.Connection.frames_received>`, the one place
that parses them.
"""

from __future__ import annotations

import json
from typing import Any

from kuzzle_browser.errors import InvalidArgumentError, ProtocolError

__all__ = ["PING_FRAME", "PONG_FRAME", "bad_frame", "encode_request"]

# Kuzzle >= 2.10 answers the browser's application ping {"p":1} with {"p":2}:
# "This application-level PING has been especially added for web browsers,
# which don't allow sending PING packets." (JS SDK WebSocket page)
PING_FRAME = '{"p":1}'
PONG_FRAME = '{"p":2}'


_EXCERPT = 120


def bad_frame(data: str | bytes, error: ValueError | None = None) -> ProtocolError:
    """The error for a frame that is not a Kuzzle message: binary, not JSON (``error``), or not an object."""
    if not isinstance(data, str):
        return ProtocolError(f"Kuzzle sends text frames only; got a binary frame of {len(data)} bytes")
    excerpt = data if len(data) <= _EXCERPT else data[:_EXCERPT] + "..."
    if error is not None:
        return ProtocolError(f"Frame is not JSON ({error}): {excerpt}")
    return ProtocolError(f"Frame is not a JSON object: {excerpt}")


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
