"""Client connections as the funnel sees them: a protocol, headers, and a way to push."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

PushText = Callable[[str], Awaitable[None]]


@dataclass
class ClientConnection:
    """Kuzzle's ``ClientConnection``.

    For WebSocket, ``headers`` are the upgrade request headers: Kuzzle re-attaches them to
    every request sent over the socket (docs/protocol.md §2.1), which is how the ``cookie`` and ``origin``
    captured at upgrade apply to each message.
    """

    protocol: str  # "websocket" or "http"
    headers: dict[str, str]
    push: PushText | None = None  # set for WebSocket connections only
    verb: str | None = None  # the HTTP method (Kuzzle's connection.misc.verb)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def notifiable(self) -> bool:
        """Whether the connection can receive notifications (realtimeNotifications: true)."""
        return self.push is not None
