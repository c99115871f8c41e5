"""The WebSocket protocol: the JS SDK's ``WebSocket`` class for Python in the browser.

An asyncio driver of :class:`~kuzzle_browser.protocol.connection.Connection`, which
takes every decision (docs/protocol.md §7).
"""

# Socket callbacks, one timer and the online event go in; the commands that come out
# (sockets, futures, events) are carried out here. With cookie authentication,
# auth:login/logout/refreshToken go over HTTP with credentials, then a new socket
# carries the new cookie (docs/protocol.md §4.3); unlike JS SDK 7.17.1 the auth call
# resolves, and close() stops a pending reconnection.

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from kuzzle_browser.answer import Answer, dispatch_directly
from kuzzle_browser.errors import ApiError, InvalidArgumentError, KuzzleError, RequestTimeoutError
from kuzzle_browser.options import check_duration, check_flag
from kuzzle_browser.protocol.connection import (
    PING_FRAME,
    TOKEN_ERRORS,
    Close,
    Command,
    Connection,
    Emit,
    Fail,
    Open,
    Send,
    State,
    WakeAt,
    WatchOnline,
)
from kuzzle_browser.protocol_base import DEFAULT_PORT, PROTOCOL_EVENTS, ProtocolBase
from kuzzle_browser.transport import Socket, Transport

if TYPE_CHECKING:  # imported on the first cookie call: most pages never make one
    from kuzzle_browser.http import Http

__all__ = ["PROTOCOL_EVENTS", "TOKEN_ERRORS", "WebSocket"]

logger = logging.getLogger("kuzzle_browser.websocket")

DEFAULT_RECONNECTION_DELAY: Final = 1.0
DEFAULT_PING_INTERVAL: Final = 2.0
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
# Kuzzle's server.maxRequestSize default is "1MB"; a bigger frame makes the
# server close the socket (docs/protocol.md §2.1), losing every pending answer.
DEFAULT_MAX_REQUEST_SIZE: Final = 1024 * 1024
# Actions that may change the authentication cookie (JS SDK WebSocket page).
COOKIE_ACTIONS: Final = frozenset({"login", "logout", "refreshToken"})
_PUBLIC_STATE: Final = {State.CONNECTING: "connecting", State.CONNECTED: "connected"}

ChannelListener = Callable[[dict[str, Any]], None]


class _Listener:
    """The :class:`SocketListener` of socket ``sid``."""

    __slots__ = ("owner", "route", "run", "sid")

    def __init__(self, owner: WebSocket, sid: int) -> None:
        self.owner = owner
        self.sid = sid
        self.route = owner._core.frames_received
        self.run = owner._run

    def socket_opened(self) -> None:
        owner = self.owner
        owner._run(owner._core.opened(self.sid, owner._loop.time()))

    def socket_message(self, data: str | bytes) -> None:
        commands = self.route(self.sid, [data])
        if commands:
            dispatch_directly(lambda: self.run(commands))

    def socket_messages(self, frames: list[str | bytes]) -> None:
        # The whole batch is routed in one call; the answers it settles wake their tasks
        # at the end of this browser task (kuzzle_browser.answer).
        commands = self.route(self.sid, frames)
        if commands:
            dispatch_directly(lambda: self.run(commands))

    def socket_closed(self, code: int, reason: str, was_clean: bool) -> None:
        owner = self.owner
        owner._sockets.pop(self.sid, None)
        now = owner._loop.time()
        owner._run(owner._core.closed(self.sid, code, reason, now, online=owner.transport.is_online()))


class WebSocket(ProtocolBase):
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
    _loop: asyncio.AbstractEventLoop  # the running loop, from the first connect()

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
        super().__init__(host, port=port, ssl=ssl, ssl_connection=ssl_connection, transport=transport)
        if headers:
            raise InvalidArgumentError(
                "The 'headers' option cannot work in a browser: the browser's WebSocket API "
                "cannot set request headers. Authenticate with Kuzzle(..., cookie_auth=True) "
                "(an HttpOnly cookie rides the WebSocket upgrade) or with a token "
                "(kuzzle.auth.login() / kuzzle.jwt), which is sent inside each request."
            )
        self._auto_reconnect = check_flag("auto_reconnect", auto_reconnect)
        self._reconnection_delay = check_duration("reconnection_delay", reconnection_delay, allow_zero=True)
        self._ping_interval = check_duration("ping_interval", ping_interval, allow_zero=False)
        connect_timeout = check_duration("connect_timeout", connect_timeout, allow_zero=False)
        if max_request_size is not None and (
            isinstance(max_request_size, bool) or not isinstance(max_request_size, int)
        ):
            raise InvalidArgumentError("max_request_size must be an int or None")
        self._core: Connection[Any] = Connection(
            f"{self._host}:{self._port}",
            ping_interval=self._ping_interval,
            connect_timeout=connect_timeout,
            max_request_size=max_request_size,
        )
        self._sockets: dict[int, Socket] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._stop_watching_online: Callable[[], None] | None = None
        self._http: Http | None = None

    # -- properties (the JS SDK's, in snake_case) ---------------------------------

    @property
    def state(self) -> str:
        """``"offline"``, ``"connecting"`` or ``"connected"``."""
        return _PUBLIC_STATE.get(self._core.state, "offline")

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
        return self._core.state is State.CONNECTED

    @property
    def url(self) -> str:
        """The WebSocket URL, ``ws[s]://host:port`` (Kuzzle accepts any path)."""
        return f"{'wss' if self._ssl else 'ws'}://{self._host}:{self._port}"

    @property
    def http_url(self) -> str:
        """The HTTP base URL of the same server, used for cookie authentication."""
        return f"{'https' if self._ssl else 'http'}://{self._host}:{self._port}"

    # -- the driver: core inputs in, commands out ------------------------------------

    def _run(self, commands: list[Command]) -> None:
        """Carry out the core's ``commands`` in order (the two hot ones first)."""
        for command in commands:
            if type(command) is tuple:  # the hot ones: (waiter, value), (listeners, payload)
                target, value = command
                if type(target) is tuple:
                    for listener in target:
                        try:
                            listener(value)
                        except Exception:
                            logger.exception("A listener of channel %r raised", value.get("room"))
                elif not target.done():
                    target.set_result(value)
            elif type(command) is Send:
                socket = self._sockets[command.sid]
                if command.text is not PING_FRAME or socket.is_open:
                    socket.send(command.text)
            elif type(command) is Fail:
                if not command.waiter.done():
                    command.waiter.set_exception(command.error)
            elif type(command) is Emit:
                self.emit(command.name, *command.args)
            elif type(command) is Open:
                try:
                    self._sockets[command.sid] = self.transport.open_socket(
                        self.url, _Listener(self, command.sid)
                    )
                except KuzzleError as exc:
                    self._run(self._core.open_failed(command.sid, exc, self._loop.time()))
            elif type(command) is Close:
                closing = self._sockets.pop(command.sid, None)
                if closing is not None:
                    closing.close(command.code)
            elif type(command) is WakeAt:
                if self._timer is not None:
                    self._timer.cancel()
                when = command.when
                # call_later, not call_at: Pyodide's loop refuses a time already past.
                self._timer = (
                    None
                    if when is None
                    else self._loop.call_later(max(0.0, when - self._loop.time()), self._tick)
                )
            elif type(command) is WatchOnline:
                if self._stop_watching_online is not None:
                    self._stop_watching_online()
                    self._stop_watching_online = None
                if command.watch:
                    # "Do not try to reconnect if the browser is offline": wait for the
                    # online event instead of burning attempts (kuzzle-sdk PR #456).
                    self._stop_watching_online = self.transport.on_online(self._online)

    def _online(self) -> None:
        self._stop_watching_online = None
        self._run(self._core.online(self._loop.time()))

    def _tick(self) -> None:
        self._timer = None
        self._run(self._core.tick(self._loop.time(), online=self.transport.is_online()))

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
        self._loop = loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._run(
            self._core.connect(
                waiter,
                loop.time(),
                auto_reconnect=self._auto_reconnect,
                reconnection_delay=self._reconnection_delay,
            )
        )
        await waiter

    def close(self) -> None:
        """Close the connection for good and stop any reconnection; call :meth:`connect` to reopen.

        Requests still waiting for an answer fail with :class:`NetworkError`.
        Emits ``disconnect`` ``{"origin": "user/connection-closed"}`` if it was connected.
        """
        self._run(self._core.close())

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
        answer: Answer[dict[str, Any]] = Answer(asyncio.get_running_loop())
        try:
            self._run(self._core.send(request, answer))
            if timeout is None:
                return await answer
            deadline = asyncio.timeout(timeout)
            try:
                async with deadline:
                    return await answer
            except TimeoutError:
                if deadline.expired():
                    raise RequestTimeoutError(timeout, request=request) from None
                raise
        except BaseException:  # a timeout, a cancellation: an answer is settled and gone
            request_id = request.get("requestId")
            if isinstance(request_id, str):
                self._core.forget(request_id, answer)
            raise

    # -- notifications -------------------------------------------------------------

    def add_channel_listener(self, channel: str, listener: ChannelListener) -> None:
        """Call ``listener(notification)`` for each message Kuzzle sends on ``channel``."""
        self._core.add_channel_listener(channel, listener)

    def remove_channel_listener(self, channel: str, listener: ChannelListener) -> None:
        """Stop calling ``listener`` for ``channel``."""
        self._core.remove_channel_listener(channel, listener)

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
            from kuzzle_browser.http import Http

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
            # A new socket, so that the new cookie rides its upgrade; the old one drains.
            loop = asyncio.get_running_loop()
            switched: asyncio.Future[None] = loop.create_future()
            self._run(self._core.renew(switched, loop.time()))
            await switched
        finally:
            self.emit("websocketRenewalDone")
        return response

    def __repr__(self) -> str:
        return f"<WebSocket {self.url} state={self.state}>"
