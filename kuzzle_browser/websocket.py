"""The WebSocket protocol: the JS SDK's ``WebSocket`` class for Python in the browser.

Theory of operation
-------------------
One *link* is one browser WebSocket plus its keep-alive policy. The protocol
has at most one active link; during a cookie renewal an older link may still
*drain*: it delivers the answers to requests that were sent over it, and
nothing else.

- ``connect()`` opens a link; ``connect`` (first time) or ``reconnect`` (after
  an earlier success on the same URL) is emitted, then ``connect()`` returns.
- Every ``ping_interval`` the keep-alive task sends ``{"p":1}``; any inbound
  frame proves the link alive. A whole interval without one after a ping
  means the link is dead (docs/protocol.md §5.2).
- A link that dies (close event, failed ping) emits ``disconnect``
  ``{"origin": "network/error"}`` if it was connected, fails the requests sent
  over it with :class:`~kuzzle_browser.errors.OutcomeUnknownError`, emits
  ``networkError``, and - with ``auto_reconnect`` - starts *one* reconnection
  task: wait ``reconnection_delay`` (or for the ``online`` event while the
  browser is offline), try, repeat. ``close()`` cancels that task, unlike JS
  SDK 7.17.1 whose pending retry timer survives ``disconnect()``.
- With cookie authentication, ``auth:login``, ``auth:logout`` and
  ``auth:refreshToken`` go over HTTP with credentials, because "cookies can
  only be applied to WebSocket connections during the connection handshake"
  (JS SDK WebSocket page). On success a new link is opened so the new cookie
  rides the upgrade, the old one drains, and ``websocketRenewalDone`` tells
  the client to restore its subscriptions. The auth call resolves with its
  result (JS SDK 7.17.1 rejects it, docs/protocol.md §4.3).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from kuzzle_browser.answer import Answer, dispatch_directly
from kuzzle_browser.errors import (
    ApiError,
    InvalidArgumentError,
    KeepaliveTimeout,
    KuzzleError,
    NetworkError,
    NotConnectedError,
    OutcomeUnknownError,
    RequestTimeoutError,
    api_error_from_payload,
)
from kuzzle_browser.events import EventEmitter
from kuzzle_browser.http import Http
from kuzzle_browser.options import check_duration, check_flag, check_port
from kuzzle_browser.protocol.heartbeat import Heartbeat, HeartbeatAction
from kuzzle_browser.protocol.messages import (
    PING_FRAME,
    Malformed,
    Pong,
    RoomMessage,
    TokenExpiredNotice,
    Unroutable,
    decode_frame,
    encode_request,
)
from kuzzle_browser.protocol.requests import RequestTable, new_request_id
from kuzzle_browser.transport import Socket, Transport, default_transport

__all__ = ["PROTOCOL_EVENTS", "WebSocket"]

logger = logging.getLogger("kuzzle_browser.websocket")

DEFAULT_PORT: Final = 7512
DEFAULT_RECONNECTION_DELAY: Final = 1.0
DEFAULT_PING_INTERVAL: Final = 2.0
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
# Kuzzle's server.maxRequestSize default is "1MB"; a bigger frame makes the
# server close the socket (docs/protocol.md §2.1), losing every pending answer.
DEFAULT_MAX_REQUEST_SIZE: Final = 1024 * 1024
# How long a link replaced by a cookie renewal may keep waiting for its answers.
RENEWAL_DRAIN_TIMEOUT: Final = 30.0

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

# Actions that may change the authentication cookie (JS SDK WebSocket page).
COOKIE_ACTIONS: Final = frozenset({"login", "logout", "refreshToken"})
TOKEN_ERRORS: Final = frozenset({"security.token.invalid", "security.token.expired"})

ChannelListener = Callable[[dict[str, Any]], None]


@dataclass(slots=True)
class _Pending:
    future: Answer[dict[str, Any]]
    link: _Link


class _Link:
    """One browser socket as seen by the protocol; also its :class:`SocketListener`."""

    def __init__(self, owner: WebSocket) -> None:
        self.owner = owner
        self.socket: Socket | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.heartbeat: Heartbeat | None = None
        self.draining = False

    def socket_opened(self) -> None:
        self.owner._link_opened(self)

    def socket_message(self, data: str | bytes) -> None:
        owner = self.owner
        dispatch_directly(lambda: owner._link_frame(self, data))

    def socket_messages(self, frames: list[str | bytes]) -> None:
        owner = self.owner

        def route_all() -> None:
            for data in frames:
                owner._link_frame(self, data)

        dispatch_directly(route_all)

    def socket_closed(self, code: int, reason: str, was_clean: bool) -> None:
        self.owner._link_closed(self, code, reason)


class WebSocket(EventEmitter):
    """Kuzzle's WebSocket protocol over the browser's native ``WebSocket``.

    Pass it to :class:`~kuzzle_browser.Kuzzle`, then ``await kuzzle.connect()``.

    Args:
        host: Kuzzle server host name or IP (use the same name as the page,
            e.g. ``127.0.0.1`` everywhere, or cookies are third-party).
        port: Kuzzle server port.
        ssl: Use ``wss://`` and ``https://``. Defaults to True for ports 443 and 7443.
        auto_reconnect: Reconnect after a connection loss.
        reconnection_delay: Seconds between reconnection attempts.
        ping_interval: Seconds between two application pings ``{"p":1}``.
        headers: Not supported: browsers cannot set WebSocket headers. Any
            non-empty value raises :class:`~kuzzle_browser.errors.InvalidArgumentError`.
        ssl_connection: Deprecated alias of ``ssl`` (JS SDK 7.4.0).
        max_request_size: Largest request, in bytes, sent over the socket;
            bigger ones raise before sending. ``None`` disables the check.
        connect_timeout: Seconds to wait for the socket to open before the
            attempt counts as failed (the browser alone may wait for minutes).
        transport: The environment (sockets, HTTP, network status); defaults to
            the browser's. Tests pass a fake.

    Raises:
        InvalidArgumentError: An option has the wrong type or value.
    """

    name = "websocket"

    def __init__(
        self,
        host: str,
        *,
        port: int = DEFAULT_PORT,
        ssl: bool | None = None,
        auto_reconnect: bool = True,
        reconnection_delay: float = DEFAULT_RECONNECTION_DELAY,
        ping_interval: float = DEFAULT_PING_INTERVAL,
        headers: dict[str, str] | None = None,
        ssl_connection: bool | None = None,
        max_request_size: int | None = DEFAULT_MAX_REQUEST_SIZE,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        transport: Transport | None = None,
    ) -> None:
        super().__init__(PROTOCOL_EVENTS)
        if not isinstance(host, str) or not host:
            raise InvalidArgumentError("host is required: a non-empty string")
        if headers:
            raise InvalidArgumentError(
                "The 'headers' option cannot work in a browser: the browser's WebSocket API "
                "cannot set request headers. Authenticate with Kuzzle(..., cookie_auth=True) "
                "(an HttpOnly cookie rides the WebSocket upgrade) or with a token "
                "(kuzzle.auth.login() / kuzzle.jwt), which is sent inside each request."
            )
        if ssl_connection is not None:
            warnings.warn(
                "ssl_connection is deprecated (JS SDK 7.4.0): use ssl",
                DeprecationWarning,
                stacklevel=2,
            )
            if ssl is not None:
                raise InvalidArgumentError('Both "ssl" and "ssl_connection" options are set. Use only "ssl".')
            ssl = check_flag("ssl_connection", ssl_connection)
        self._host = host
        self._port = check_port(port)
        self._ssl = check_flag("ssl", ssl) if ssl is not None else self._port in (443, 7443)
        self._auto_reconnect = check_flag("auto_reconnect", auto_reconnect)
        self._reconnection_delay = check_duration("reconnection_delay", reconnection_delay, allow_zero=True)
        self._ping_interval = check_duration("ping_interval", ping_interval, allow_zero=False)
        self._connect_timeout = check_duration("connect_timeout", connect_timeout, allow_zero=False)
        if max_request_size is not None and (
            isinstance(max_request_size, bool) or not isinstance(max_request_size, int)
        ):
            raise InvalidArgumentError("max_request_size must be an int or None")
        self._max_request_size = max_request_size
        self._transport = transport
        self.id = str(uuid.uuid4())
        """This instance's id, sent as ``volatile.sdkInstanceId``."""
        self.cookie_support = False
        """True after :meth:`enable_cookie_support`."""
        self.state = "offline"
        """``"offline"``, ``"connecting"`` or ``"connected"``."""
        self._link: _Link | None = None
        self._renewing: _Link | None = None
        self._draining: set[_Link] = set()
        self._requests: RequestTable[_Pending] = RequestTable()
        self._channels: dict[str, list[ChannelListener]] = {}
        self._was_connected = False
        self._stopped = True
        self._active_auto_reconnect = self._auto_reconnect
        self._active_reconnection_delay = self._reconnection_delay
        self._connecting: asyncio.Future[None] | None = None
        self._reconnect_task: asyncio.Future[Any] | None = None
        self._http: Http | None = None

    # -- properties (the JS SDK's, in snake_case) ---------------------------------

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
        """True when ``wss://``/``https://`` are used."""
        return self._ssl

    @property
    def ping_interval(self) -> float:
        """Seconds between two application pings."""
        return self._ping_interval

    @property
    def auto_reconnect(self) -> bool:
        """Reconnect after a connection loss; a change takes effect on the next :meth:`connect`."""
        return self._auto_reconnect

    @auto_reconnect.setter
    def auto_reconnect(self, value: bool) -> None:
        self._auto_reconnect = check_flag("auto_reconnect", value)

    @property
    def reconnection_delay(self) -> float:
        """Seconds between reconnection attempts; a change takes effect on the next :meth:`connect`."""
        return self._reconnection_delay

    @reconnection_delay.setter
    def reconnection_delay(self, value: float) -> None:
        self._reconnection_delay = check_duration("reconnection_delay", value, allow_zero=True)

    @property
    def connected(self) -> bool:
        """True while a socket is open and usable."""
        return self.state == "connected"

    @property
    def url(self) -> str:
        """The WebSocket URL, ``ws[s]://host:port`` (Kuzzle accepts any path)."""
        return f"{'wss' if self._ssl else 'ws'}://{self._host}:{self._port}"

    @property
    def http_url(self) -> str:
        """The HTTP base URL of the same server, used for cookie authentication."""
        return f"{'https' if self._ssl else 'http'}://{self._host}:{self._port}"

    @property
    def transport(self) -> Transport:
        """The environment this protocol runs on (created on first use)."""
        if self._transport is None:
            self._transport = default_transport()
        return self._transport

    def is_ready(self) -> bool:
        """True when requests can be sent (the JS SDK's ``isReady()``)."""
        return self.state == "connected"

    def enable_cookie_support(self) -> None:
        """Send ``auth:login``, ``auth:logout`` and ``auth:refreshToken`` over HTTP with credentials."""
        self.cookie_support = True

    # -- connection lifecycle ----------------------------------------------------

    async def connect(self) -> None:
        """Open the connection; returns once it is open.

        Emits ``connect`` (or ``reconnect``) before returning. If it fails,
        ``networkError`` is emitted, reconnection goes on in the background when
        ``auto_reconnect`` is on (stop it with :meth:`close`), and this raises.

        Raises:
            NetworkError: The socket could not be opened.
            InvalidArgumentError: The host makes an invalid URL.
        """
        if self.state == "connected":
            return
        if self._connecting is not None:
            await asyncio.shield(self._connecting)
            return
        self._stopped = False
        self._active_auto_reconnect = self._auto_reconnect
        self._active_reconnection_delay = self._reconnection_delay
        self._cancel_reconnection()
        try:
            await self._open()
        except NetworkError as exc:
            self._schedule_reconnection(exc)
            raise

    async def _open(self) -> None:
        link = _Link(self)
        self._link = link
        self.state = "connecting"
        self._connecting = link.opened
        try:
            link.socket = self.transport.open_socket(self.url, link)
        except KuzzleError:
            self._link = None
            self._connecting = None
            self.state = "offline"
            raise
        try:
            # A half-open path (a proxy that swallows the upgrade) would leave the
            # browser's WebSocket "connecting" for minutes: give up after
            # connect_timeout so the reconnection loop can try again.
            await asyncio.wait({link.opened}, timeout=self._connect_timeout)
            if not link.opened.done():
                if link.socket is not None:
                    link.socket.close()
                if self._link is link:
                    self._link = None
                    self.state = "offline"
                link.opened.set_exception(
                    NetworkError(
                        f"Unable to connect to kuzzle server at {self._host}:{self._port}: "
                        f"no answer within {self._connect_timeout:g} s"
                    )
                )
            await link.opened
        finally:
            if self._connecting is link.opened:
                self._connecting = None

    def _link_opened(self, link: _Link) -> None:
        if link is self._renewing:
            # A cookie renewal: swap links silently, the protocol stayed connected.
            self._renewing = None
            self._link = link
            link.heartbeat = Heartbeat(interval=self._ping_interval, now=asyncio.get_running_loop().time())
            self._spawn(self._keepalive(link))
            link.opened.set_result(None)
            return
        if link is not self._link or link.opened.done():
            if link.socket is not None:
                link.socket.close()
            return
        loop = asyncio.get_running_loop()
        link.heartbeat = Heartbeat(interval=self._ping_interval, now=loop.time())
        self._spawn(self._keepalive(link))
        self.state = "connected"
        reconnected = self._was_connected
        self._was_connected = True
        link.opened.set_result(None)
        self.emit("reconnect" if reconnected else "connect")

    def _link_closed(self, link: _Link, code: int, reason: str) -> None:
        detail = f" (close code {code}{': ' + reason if reason else ''})"
        if link is self._renewing:
            self._renewing = None
            link.opened.set_exception(NetworkError(f"Cannot renew the WebSocket{detail}"))
            return
        if link in self._draining:
            self._retire(link)
            return
        if link is not self._link:
            return
        if not link.opened.done():
            self._link = None
            self.state = "offline"
            link.opened.set_exception(
                NetworkError(f"Unable to connect to kuzzle server at {self._host}:{self._port}{detail}")
            )
            return
        self._connection_lost(link, NetworkError(f"Connection to Kuzzle lost{detail}"))

    def _connection_lost(self, link: _Link, error: KuzzleError) -> None:
        """The active link died: tell everyone, fail its requests, maybe reconnect."""
        was_connected = self.state == "connected"
        self._link = None
        self.state = "offline"
        if link.socket is not None:
            link.socket.close()
        if was_connected:
            self.emit("disconnect", {"origin": "network/error"})
        self._fail_requests(link)
        self._schedule_reconnection(error)

    def _schedule_reconnection(self, error: KuzzleError) -> None:
        self.emit("networkError", error)
        if self._active_auto_reconnect and not self._stopped and self._reconnect_task is None:
            self._reconnect_task = self._spawn(self._reconnect())

    async def _reconnect(self) -> None:
        try:
            while not self._stopped:
                if self.transport.is_online():
                    await asyncio.sleep(self._active_reconnection_delay)
                    if not self.transport.is_online():
                        continue  # went offline meanwhile: wait for "online" instead
                else:
                    await self._wait_online()
                if self._stopped:
                    return
                try:
                    await self._open()
                except NetworkError as exc:
                    self.emit("networkError", exc)
                else:
                    return
        finally:
            if self._reconnect_task is asyncio.current_task():
                self._reconnect_task = None

    async def _wait_online(self) -> None:
        # "Do not try to reconnect if the browser is offline": wait for the
        # online event instead of burning attempts (kuzzle-sdk PR #456).
        online: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not online.done():
                online.set_result(None)

        cancel = self.transport.on_online(wake)
        try:
            await online
        finally:
            cancel()

    def _cancel_reconnection(self) -> None:
        if self._reconnect_task is not None:
            self._reconnect_task.cancel()
            self._reconnect_task = None

    def close(self) -> None:
        """Close the connection for good and stop any reconnection; call :meth:`connect` to reopen.

        Requests still waiting for an answer fail with :class:`NetworkError`.
        Emits ``disconnect`` ``{"origin": "user/connection-closed"}`` if it was connected.
        """
        self._stopped = True
        self._cancel_reconnection()
        was_connected = self.state == "connected"
        link, self._link = self._link, None
        self.state = "offline"
        self._was_connected = False
        for old in list(self._draining):
            self._retire(old)
        renewing, self._renewing = self._renewing, None
        if renewing is not None and renewing.socket is not None:
            renewing.socket.close(1000)
            if not renewing.opened.done():
                renewing.opened.set_exception(NetworkError("The connection was closed"))
        if link is not None:
            if link.socket is not None:
                link.socket.close(1000)
            if not link.opened.done():
                link.opened.set_exception(NetworkError("The connection was closed while opening"))
                link.opened.exception()  # retrieved: connect() callers see it through shield
            self._fail_requests(link)
        if was_connected:
            self.emit("disconnect", {"origin": "user/connection-closed"})

    # -- keep-alive -----------------------------------------------------------------

    async def _keepalive(self, link: _Link) -> None:
        loop = asyncio.get_running_loop()
        heartbeat = link.heartbeat
        assert heartbeat is not None and link.socket is not None
        while self._link is link:
            delay = heartbeat.next_deadline() - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            if self._link is not link:
                return
            action = heartbeat.poll(loop.time())
            if action is HeartbeatAction.PING and link.socket.is_open:
                link.socket.send(PING_FRAME)
            elif action is HeartbeatAction.DEAD:
                link.socket.close(1000)
                self._connection_lost(
                    link,
                    KeepaliveTimeout(
                        f"Kuzzle did not answer the ping within {self._ping_interval:g} s: connection lost"
                    ),
                )
                return

    # -- requests --------------------------------------------------------------------

    async def query(self, request: dict[str, Any], *, timeout: float | None = None) -> dict[str, Any]:
        """Send a request and return Kuzzle's whole response envelope.

        Args:
            request: The wire request (``controller``, ``action``...); a
                ``requestId`` is added when missing.
            timeout: Seconds to wait for the answer; ``None`` waits until the link drops.

        Raises:
            ApiError: Kuzzle answered with an error (a subclass chosen by status).
            NotConnectedError: Not connected (``discarded`` is emitted).
            NetworkError: The link dropped before the answer.
            RequestTimeoutError: No answer within ``timeout``.
            InvalidArgumentError: The request cannot be serialized or is too large.
        """
        if (
            self.cookie_support
            and request.get("controller") == "auth"
            and request.get("action") in COOKIE_ACTIONS
        ):
            return await self._query_with_cookie_renewal(request, timeout)
        link = self._link
        if self.state != "connected" or link is None or link.socket is None:
            self.emit("discarded", request)
            raise NotConnectedError(
                "Unable to execute request: not connected to a Kuzzle server.", request=request
            )
        if "requestId" not in request:
            request["requestId"] = new_request_id()
        text = encode_request(request)
        limit = self._max_request_size
        if limit is not None and len(text) * 4 > limit and len(text.encode()) > limit:
            raise InvalidArgumentError(
                f"The request is {len(text.encode())} bytes; Kuzzle accepts at most {limit} "
                "(server.maxRequestSize). Split it (m* actions) or raise max_request_size.",
                request=request,
            )
        future: Answer[dict[str, Any]] = Answer(asyncio.get_running_loop())
        request_id = self._requests.add(request, _Pending(future, link))
        try:
            link.socket.send(text)
            if timeout is None:
                return await future
            deadline = asyncio.timeout(timeout)
            try:
                async with deadline:
                    return await future
            except TimeoutError:
                if deadline.expired():
                    raise RequestTimeoutError(timeout, request=request) from None
                raise
        finally:
            self._requests.pop(request_id)

    def _link_frame(self, link: _Link, data: str | bytes) -> None:
        if link.heartbeat is not None:
            link.heartbeat.activity()
        # Fast path for the bulk of the traffic, answers and notifications: a JSON
        # object with a room, routed as decode_frame would route it, without
        # building a RoomMessage. Anything else takes decode_frame.
        if type(data) is str and data != '{"p":2}':
            try:
                payload = json.loads(data)
            except ValueError:
                payload = None
            if type(payload) is dict:
                room = payload.get("room")
                if type(room) is str and room and payload.get("type") != "TokenExpired":
                    self._room_message(link, room, payload)
                    return
        frame = decode_frame(data)
        if isinstance(frame, RoomMessage):
            self._room_message(link, frame.room, frame.payload)
        elif isinstance(frame, Pong):
            return
        elif isinstance(frame, TokenExpiredNotice):
            if not link.draining:
                self.emit("tokenExpired")
        elif isinstance(frame, Unroutable):
            entry = self._requests.pop(frame.request_id) if frame.request_id else None
            if entry is not None:
                self._settle(entry[0], entry[1], frame.payload)
                return
            error = frame.payload.get("error")
            api_error = api_error_from_payload(error if isinstance(error, dict) else {})
            logger.warning("Kuzzle sent an error tied to no request: %s", api_error)
            self.emit("discarded", frame.payload)
            self.emit("queryError", {"error": api_error, "request": frame.payload})
        elif isinstance(frame, Malformed):
            logger.warning("%s", frame.error)
            self.emit("queryError", {"error": frame.error, "request": None})

    def _room_message(self, link: _Link, room: str, payload: dict[str, Any]) -> None:
        entry = self._requests.pop(room)
        if entry is not None:
            self._settle(entry[0], entry[1], payload)
            if link.draining and not self._pending_on(link):
                self._retire(link)
        elif not link.draining:
            self._notify(room, payload)

    def _settle(self, request: dict[str, Any], pending: _Pending, payload: dict[str, Any]) -> None:
        if pending.future.done():
            return
        error = payload.get("error")
        if not error:
            pending.future.set_result(payload)
            return
        api_error = api_error_from_payload(error if isinstance(error, dict) else {}, request)
        self.emit("queryError", {"error": api_error, "request": request})
        if api_error.id in TOKEN_ERRORS and request.get("action") != "logout":
            self.emit("tokenExpired")
        pending.future.set_exception(api_error)

    def _pending_on(self, link: _Link) -> bool:
        return any(pending.link is link for _, _, pending in self._requests.entries())

    def _fail_requests(self, link: _Link) -> None:
        for request_id, request, pending in self._requests.entries():
            if pending.link is not link:
                continue
            self._requests.pop(request_id)
            self.emit("discarded", request)
            if not pending.future.done():
                pending.future.set_exception(
                    OutcomeUnknownError(
                        "Network error: request was sent but no response has been received",
                        request=request,
                    )
                )

    # -- notifications -------------------------------------------------------------

    def add_channel_listener(self, channel: str, listener: ChannelListener) -> None:
        """Call ``listener(notification)`` for each message Kuzzle sends on ``channel``."""
        self._channels.setdefault(channel, []).append(listener)

    def remove_channel_listener(self, channel: str, listener: ChannelListener) -> None:
        """Stop calling ``listener`` for ``channel``."""
        listeners = self._channels.get(channel, [])
        if listener in listeners:
            listeners.remove(listener)
        if not listeners:
            self._channels.pop(channel, None)

    def _notify(self, channel: str, payload: dict[str, Any]) -> None:
        listeners = self._channels.get(channel)
        if not listeners:
            # Normal right after an unsubscribe: Kuzzle may have sent it before processing ours.
            logger.debug("Notification for unknown channel %r dropped", channel)
            return
        for listener in list(listeners):
            try:
                listener(payload)
            except Exception:
                logger.exception("A listener of channel %r raised", channel)

    # -- cookie authentication ---------------------------------------------------------

    async def http_query(self, request: dict[str, Any], *, timeout: float | None = None) -> dict[str, Any]:
        """Send ``request`` over HTTP with credentials (cookies) and return the response envelope.

        The call is :meth:`Http.exchange <kuzzle_browser.Http.exchange>` on the same server,
        with the static routes (no route discovery: the auth actions are in it).

        Raises:
            ApiError: Kuzzle answered with an error.
            NetworkError: The HTTP call failed (refused, CORS, offline).
            BadResponseError: The answer is not Kuzzle JSON.
            InvalidArgumentError: The action has no HTTP route.
        """
        if self._http is None:
            self._http = Http(self._host, port=self._port, ssl=self._ssl, transport=self.transport)
            self._http.enable_cookie_support()
        try:
            return await self._http.exchange(request, timeout=timeout)
        except ApiError as api_error:
            self.emit("queryError", {"error": api_error, "request": request})
            raise

    async def _query_with_cookie_renewal(
        self, request: dict[str, Any], timeout: float | None
    ) -> dict[str, Any]:
        self.emit("websocketRenewalStart")
        try:
            response = await self.http_query(request, timeout=timeout)
            if self.state == "connected":
                await self._renew_link()
        finally:
            self.emit("websocketRenewalDone")
        return response

    async def _renew_link(self) -> None:
        """Open a new socket so that the new cookie rides its upgrade; the old one drains."""
        old = self._link
        assert old is not None
        new = _Link(self)
        self._renewing = new
        try:
            new.socket = self.transport.open_socket(self.url, new)
            await new.opened
        except KuzzleError as exc:
            # The browser stored the new cookie: the reconnection loop's sockets carry it.
            self._renewing = None
            if self._link is old:
                self._connection_lost(old, NetworkError(f"Cannot renew the WebSocket: {exc}"))
            return
        old.draining = True
        self._draining.add(old)
        if not self._pending_on(old):
            self._retire(old)
        else:
            self._spawn(self._drain_deadline(old))

    async def _drain_deadline(self, link: _Link) -> None:
        await asyncio.sleep(RENEWAL_DRAIN_TIMEOUT)
        self._retire(link)

    def _retire(self, link: _Link) -> None:
        self._draining.discard(link)
        if link.socket is not None:
            link.socket.close(1000)
        self._fail_requests(link)

    def __repr__(self) -> str:
        return f"<WebSocket {self.url} state={self.state}>"
