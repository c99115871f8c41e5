"""``NetworkProtocol``: what :class:`~kuzzle_browser.Kuzzle` needs from a protocol.

:class:`~kuzzle_browser.WebSocket` and :class:`~kuzzle_browser.Http` both satisfy
it; a protocol of your own only has to provide these members (a structural type:
no base class to inherit; ``Kuzzle()`` names the missing ones). Events a protocol
emits and the client listens to:
``connect``, ``reconnect``, ``disconnect``, ``networkError``, ``tokenExpired``,
``queryError``, ``discarded``, ``websocketRenewalDone``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kuzzle_browser.events import Listener
from kuzzle_browser.transport import Transport

__all__ = ["NetworkProtocol", "missing_members"]

ChannelListener = Callable[[dict[str, Any]], None]


class NetworkProtocol(Protocol):
    """The protocol interface the client calls (the JS SDK's ``KuzzleAbstractProtocol``)."""

    id: str
    """Sent as ``volatile.sdkInstanceId``; tells this client's own notifications apart."""

    @property
    def host(self) -> str:
        """Kuzzle server host."""

    @property
    def port(self) -> int:
        """Kuzzle server port."""

    @property
    def ssl(self) -> bool:
        """True over TLS."""

    @property
    def connected(self) -> bool:
        """True while requests can be sent."""

    @property
    def transport(self) -> Transport:
        """The environment (HTTP, sockets, storage)."""

    def is_ready(self) -> bool:
        """True when :meth:`query` can send."""

    def enable_cookie_support(self) -> None:
        """Authenticate with Kuzzle's HttpOnly cookie (``Kuzzle(cookie_auth=True)``)."""

    async def connect(self) -> None:
        """Get ready to send; emits ``connect`` or ``reconnect``."""

    def close(self) -> None:
        """Stop for good; pending requests fail."""

    async def query(self, request: dict[str, Any], *, timeout: float | None = None) -> dict[str, Any]:
        """Send a wire request; return Kuzzle's response envelope or raise a KuzzleError."""

    def on(self, event: str, listener: Listener) -> Callable[[], None]:
        """Listen to a protocol event; returns the remover."""

    def add_channel_listener(self, channel: str, listener: ChannelListener) -> None:
        """Deliver the notifications of ``channel`` to ``listener``."""

    def remove_channel_listener(self, channel: str, listener: ChannelListener) -> None:
        """Stop delivering ``channel`` to ``listener``."""


def missing_members(protocol: object) -> list[str]:
    """The members of :class:`NetworkProtocol` that ``protocol`` lacks (or has but cannot call)."""
    # Looked up without running properties: WebSocket.transport creates the transport.
    own = getattr(protocol, "__dict__", {})
    missing: list[str] = []
    for name in _MEMBERS:
        member = own[name] if name in own else getattr(type(protocol), name, missing)
        if member is missing or (name in _METHODS and not callable(member)):
            missing.append(name)
    return missing


# Built from the class, so a member added to the Protocol is checked too.
_PUBLIC = {name: member for name, member in vars(NetworkProtocol).items() if name[0] != "_"}
_METHODS = frozenset(name for name, member in _PUBLIC.items() if callable(member))
_MEMBERS = (*NetworkProtocol.__annotations__, *_PUBLIC)
