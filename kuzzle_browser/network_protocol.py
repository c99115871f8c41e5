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

    # Comments, not docstrings: the wheel drops comments.
    id: str  # sent as volatile.sdkInstanceId; tells this client's own notifications apart

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def ssl(self) -> bool: ...  # True over TLS

    @property
    def connected(self) -> bool: ...  # True while requests can be sent

    @property
    def transport(self) -> Transport: ...  # the environment: HTTP, sockets, storage

    def is_ready(self) -> bool: ...  # True when query() can send

    def enable_cookie_support(self) -> None: ...  # Kuzzle(cookie_auth=True): the HttpOnly cookie

    async def connect(self) -> None: ...  # get ready to send; emits connect or reconnect

    def close(self) -> None: ...  # stop for good; pending requests fail

    # Send a wire request; return Kuzzle's response envelope or raise a KuzzleError.
    async def query(self, request: dict[str, Any], *, timeout: float | None = None) -> dict[str, Any]: ...

    def on(self, event: str, listener: Listener) -> Callable[[], None]: ...  # returns the remover

    # Deliver the notifications of channel to listener, or stop.
    def add_channel_listener(self, channel: str, listener: ChannelListener) -> None: ...

    def remove_channel_listener(self, channel: str, listener: ChannelListener) -> None: ...


def missing_members(protocol: object) -> list[str]:
    """The members of :class:`NetworkProtocol` that ``protocol`` lacks or cannot call."""
    # Looked up on the class: running WebSocket.transport would create the transport.
    attrs = getattr(protocol, "__dict__", {})
    missing = []
    for name in _MEMBERS:
        member = attrs.get(name, getattr(type(protocol), name, _ABSENT))
        if member is _ABSENT or (name in _METHODS and not callable(member)):
            missing.append(name)
    return missing


# Built from the class, so a member added to the Protocol is checked too.
_ABSENT = object()
_MEMBERS = (*NetworkProtocol.__annotations__, *(name for name in vars(NetworkProtocol) if name[0] != "_"))
_METHODS = {name for name in _MEMBERS if callable(getattr(NetworkProtocol, name, None))}
