"""The interface between the SDK and its environment.

The protocol classes only call these methods; they never touch ``js``.
Callbacks of :class:`SocketListener` run synchronously inside the browser's
event handlers, so they must only record data and resolve futures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from kuzzle_browser.protocol import Value

__all__ = ["HttpResponse", "Socket", "SocketListener", "Transport"]


class SocketListener(Protocol):
    """What a :class:`Socket` reports to. ``socket_opened`` and ``socket_closed`` are called at most once."""

    def socket_opened(self) -> None:
        """The WebSocket is open: ``send`` works from now on."""

    def socket_message(self, data: str | bytes) -> None:
        """A frame arrived (``str`` for text frames, ``bytes`` for binary ones)."""

    def socket_messages(self, frames: list[str | bytes]) -> None:
        """Several frames arrived, in arrival order (a transport that batches calls this)."""

    def socket_closed(self, code: int, reason: str, was_clean: bool) -> None:
        """The socket closed or failed to open; no callback follows this one."""


class Socket(Protocol):
    """One WebSocket connection, already opening when returned by :meth:`Transport.open_socket`."""

    @property
    def is_open(self) -> bool:
        """True while frames can be sent."""

    def send(self, text: str) -> None:
        """Send one text frame.

        Raises:
            NetworkError: The socket is not open.
        """

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket and stop reporting: the listener gets no further callback."""


class HttpResponse(Value):
    """A completed HTTP exchange (any status: Kuzzle answers errors with JSON too)."""

    __slots__ = ("status", "text")

    def __init__(self, status: int, text: str) -> None:
        self.status = status
        self.text = text


class Transport(Protocol):
    """The environment: sockets, HTTP, and the network status."""

    def open_socket(self, url: str, listener: SocketListener) -> Socket:
        """Start opening a WebSocket to ``url``; the listener hears the outcome.

        Raises:
            InvalidArgumentError: The URL is not a valid WebSocket URL.
        """

    async def http(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: str | None,
        with_credentials: bool,
        timeout: float | None,
    ) -> HttpResponse:
        """Make one HTTP call; ``with_credentials`` sends and stores cookies cross-origin.

        Raises:
            NetworkError: The call failed before any response (refused, CORS, offline).
            RequestTimeoutError: ``timeout`` seconds passed.
        """

    def is_online(self) -> bool:
        """``navigator.onLine``: False when the browser knows it has no network."""

    def on_online(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` once when the network comes back; returns a function that cancels it."""

    def storage_get(self, key: str) -> str | None:
        """The value saved under ``key`` by an earlier page (``localStorage``), or ``None``."""

    def storage_set(self, key: str, value: str | None) -> None:
        """Save ``value`` under ``key`` for later pages; ``None`` removes it."""
