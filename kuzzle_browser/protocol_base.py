"""What :class:`~kuzzle_browser.WebSocket` and :class:`~kuzzle_browser.Http` share: the server
options (``host``, ``port``, ``ssl``), the instance id, the transport and cookie support.

Only the JS SDK's ``KuzzleAbstractProtocol`` members that both implement the same way
live here; each subclass keeps its own lifecycle and requests.
"""

from __future__ import annotations

import os
import warnings
from typing import Final

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.events import EventEmitter
from kuzzle_browser.options import check_flag, check_port
from kuzzle_browser.transport import Transport, default_transport

__all__ = ["DEFAULT_PORT", "PROTOCOL_EVENTS", "ProtocolBase"]

DEFAULT_PORT: Final = 7512
PROTOCOL_EVENTS: Final = frozenset(
    {
        "connect",
        "reconnect",
        "disconnect",
        "networkError",
        "tokenExpired",
        "queryError",
        "discarded",
        "websocketRenewalStart",
        "websocketRenewalDone",
    }
)


class ProtocolBase(EventEmitter):
    """The options and members common to both protocols; subclasses define ``connected``.

    Raises:
        InvalidArgumentError: ``host``, ``port`` or ``ssl`` has the wrong type or value.
    """

    def __init__(
        self,
        host: str,
        *,
        port: int,
        ssl: bool | None,
        ssl_connection: bool | None,
        transport: Transport | None,
    ) -> None:
        super().__init__(PROTOCOL_EVENTS)
        if not isinstance(host, str) or not host:
            raise InvalidArgumentError("host is required: a non-empty string")
        if ssl_connection is not None:
            # stacklevel 3: the warning points at the user's WebSocket(...) or Http(...) call.
            warnings.warn(
                "ssl_connection is deprecated (JS SDK 7.4.0): use ssl", DeprecationWarning, stacklevel=3
            )
            if ssl is not None:
                raise InvalidArgumentError('Both "ssl" and "ssl_connection" options are set. Use only "ssl".')
            ssl = check_flag("ssl_connection", ssl_connection)
        self._host = host
        self._port = check_port(port)
        self._ssl = check_flag("ssl", ssl) if ssl is not None else self._port in (443, 7443)
        self._transport = transport
        h = os.urandom(16).hex()  # str(uuid.uuid4()) without importing uuid (~40 ms in Pyodide)
        self.id = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
        """This instance's id, sent as ``volatile.sdkInstanceId``."""
        self.cookie_support = False
        """True after :meth:`enable_cookie_support`."""

    @property
    def host(self) -> str:
        """Kuzzle server host."""
        return self._host

    @property
    def port(self) -> int:
        """Kuzzle server port."""
        return self._port

    @property
    def ssl(self) -> bool:
        """True over TLS (``wss://``, ``https://``)."""
        return self._ssl

    @property
    def connected(self) -> bool:
        """True while requests can be sent."""
        raise NotImplementedError

    @property
    def transport(self) -> Transport:
        """The environment this protocol runs on (created on first use)."""
        if self._transport is None:
            self._transport = default_transport()
        return self._transport

    def is_ready(self) -> bool:
        """True when requests can be sent (the JS SDK's ``isReady()``)."""
        return self.connected

    def enable_cookie_support(self) -> None:
        """Use Kuzzle's HttpOnly ``authToken`` cookie (over WebSocket, the auth actions go over HTTP)."""
        self.cookie_support = True
