"""The Http protocol: the JS SDK's ``Http`` class over the browser's ``fetch``.

Theory of operation
-------------------
Every request is one HTTP call; there is no connection to keep, so no
keep-alive, no reconnection and no notifications.

- ``connect()`` reads the routes from ``GET /_publicApi`` (custom controllers
  included), falls back to the static table when that action is forbidden
  (401/403) and to ``GET /`` (server:info) on a Kuzzle without it (404), lays
  ``custom_routes`` over them, then emits ``connect``. The route decisions are
  in :mod:`kuzzle_browser.protocol.http`; this module only does the I/O.
- ``query()`` formats the request into method, URL, headers and body, calls
  ``fetch`` (with credentials after :meth:`Http.enable_cookie_support`) and
  decodes Kuzzle's envelope. Kuzzle errors raise the matching
  :class:`~kuzzle_browser.errors.ApiError`; a body that is not Kuzzle JSON
  raises :class:`~kuzzle_browser.errors.BadResponseError`; realtime
  subscriptions raise :class:`~kuzzle_browser.errors.RealtimeUnavailableError`.
- ``close()`` aborts the calls in flight; they fail with
  :class:`~kuzzle_browser.errors.NetworkError`. As in the JS SDK, no
  ``disconnect`` is emitted and a failed call starts no reconnection: each call
  stands alone, so the next one simply tries again.

The WebSocket protocol's cookie path (login/logout/refreshToken over HTTP) uses
:meth:`Http.exchange`, which needs no ``connect()``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from kuzzle_browser.errors import (
    ApiError,
    InvalidArgumentError,
    KuzzleError,
    NetworkError,
    NotConnectedError,
    RealtimeUnavailableError,
    api_error_from_payload,
)
from kuzzle_browser.network_protocol import ChannelListener
from kuzzle_browser.options import check_optional_duration
from kuzzle_browser.protocol.connection import TOKEN_ERRORS
from kuzzle_browser.protocol.http import (
    ROUTES,
    RouteTable,
    check_custom_routes,
    check_http_capable,
    decode_http_response,
    format_http_request,
    merge_routes,
    public_api_fallback,
    response_error,
    routes_from_public_api,
)
from kuzzle_browser.protocol_base import DEFAULT_PORT, ProtocolBase
from kuzzle_browser.transport import Transport

__all__ = ["Http"]

logger = logging.getLogger("kuzzle_browser.http")


class Http(ProtocolBase):
    """Kuzzle's HTTP protocol over the browser's ``fetch``: every action but realtime subscriptions.

    Pass it to :class:`~kuzzle_browser.Kuzzle`, then ``await kuzzle.connect()``::

        kuzzle = Kuzzle(Http("kuzzle.example.com", port=443))
        await kuzzle.connect()          # reads the routes from server:publicApi
        await kuzzle.document.create("shop", "orders", {"total": 42})

    Args:
        host: Kuzzle server host name or IP.
        port: Kuzzle server port.
        ssl: Use ``https://``. Defaults to True for ports 443 and 7443.
        ssl_connection: Deprecated alias of ``ssl`` (JS SDK 7.4.0).
        custom_routes: ``{controller: {action: {"verb", "url"}}}``, laid over the
            discovered routes (for routes that ``server:publicApi`` does not list).
        headers: Headers sent with every request (``fetch`` may set them, unlike WebSocket).
        timeout: Seconds an HTTP call may take; ``None`` (or ``0``, as the JS SDK): no limit.
        transport: The environment; defaults to the browser's. Tests pass a fake.

    Raises:
        InvalidArgumentError: An option has the wrong type or value.
    """

    name = "http"

    def __init__(
        self,
        host: str,
        *,
        port: int = DEFAULT_PORT,
        ssl: bool | None = None,
        ssl_connection: bool | None = None,
        custom_routes: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        transport: Transport | None = None,
    ) -> None:
        super().__init__(host, port=port, ssl=ssl, ssl_connection=ssl_connection, transport=transport)
        if headers is not None and not (
            isinstance(headers, Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
        ):
            raise InvalidArgumentError("headers must be a {name: value} dict of strings")
        self._custom_routes = check_custom_routes(custom_routes)
        self._headers = dict(headers or {})
        self.timeout = timeout
        self._routes: RouteTable = merge_routes(ROUTES, self._custom_routes)
        self._in_flight: dict[asyncio.Future[Any], dict[str, Any]] = {}
        self.state = "offline"
        """``"offline"`` or ``"ready"`` (after :meth:`connect`)."""

    # -- properties (the JS SDK's, in snake_case) ---------------------------------

    @property
    def protocol(self) -> str:
        """``"http"`` or ``"https"``."""
        return "https" if self._ssl else "http"

    @property
    def url(self) -> str:
        """The base URL, ``http[s]://host:port``."""
        return f"{self.protocol}://{self._host}:{self._port}"

    @property
    def routes(self) -> RouteTable:
        """``{controller: {action: (verb, url)}}`` in use (a copy); discovered by :meth:`connect`."""
        return {controller: dict(actions) for controller, actions in self._routes.items()}

    @property
    def timeout(self) -> float | None:
        """Seconds an HTTP call may take; ``None``: no limit."""
        return self._timeout

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        self._timeout = check_optional_duration("timeout", value) or None

    @property
    def connected(self) -> bool:
        """True after :meth:`connect` and until :meth:`close` (JS SDK 7.17.1: always true)."""
        return self.state == "ready"

    # -- lifecycle ---------------------------------------------------------------------

    async def connect(self) -> None:
        """Read the routes from ``server:publicApi`` (see the module docstring), then emit ``connect``.

        Raises:
            NetworkError: Kuzzle cannot be reached (``networkError`` is emitted too).
            ApiError: Kuzzle refused ``server:publicApi`` for a reason other than rights.
            BadResponseError: The answer is not Kuzzle JSON.
        """
        if self.state == "ready":
            return
        try:
            discovered = await self._discover_routes()
        except KuzzleError as exc:
            self.emit(
                "networkError",
                NetworkError(f"Unable to connect to kuzzle server at {self._host}:{self._port}: {exc}"),
            )
            raise
        self._routes = merge_routes(discovered, self._custom_routes)
        self.state = "ready"
        self.emit("connect")

    async def _discover_routes(self) -> RouteTable:
        request = {"controller": "server", "action": "publicApi"}
        try:
            return routes_from_public_api((await self.exchange(request))["result"] or {})
        except ApiError as exc:
            fallback = public_api_fallback(exc.status)
            if fallback is None:
                raise
            if fallback == "server_info":
                try:
                    info = (await self.exchange({"controller": "server", "action": "info"}))["result"]
                    return routes_from_public_api(info["serverInfo"]["kuzzle"]["api"]["routes"])
                except ApiError as info_error:
                    if public_api_fallback(info_error.status) != "static":
                        raise
        logger.warning(
            "server:publicApi is forbidden to this user: using the static routes, "
            "so custom controllers' routes are unknown (pass custom_routes)"
        )
        return dict(ROUTES)

    def close(self) -> None:
        """Stop; calls in flight are aborted and fail with :class:`NetworkError`. :meth:`connect` resumes."""
        self.state = "offline"
        for call, request in list(self._in_flight.items()):
            call.cancel()
            self.emit("discarded", request)

    # -- requests ------------------------------------------------------------------------

    async def query(self, request: dict[str, Any], *, timeout: float | None = None) -> dict[str, Any]:
        """Send ``request`` as an HTTP call and return Kuzzle's response envelope.

        Raises:
            ApiError: Kuzzle answered with an error (a subclass chosen by status).
            NotConnectedError: :meth:`connect` was not called (``discarded`` is emitted).
            RealtimeUnavailableError: A realtime subscription action.
            InvalidArgumentError: The action has no HTTP route, or a URL parameter is missing.
            BadResponseError: The answer is not Kuzzle JSON.
            NetworkError: ``fetch`` failed, or :meth:`close` aborted the call.
            RequestTimeoutError: No answer within ``timeout`` (or the protocol's).
        """
        if self.state != "ready":
            self.emit("discarded", request)
            raise NotConnectedError(
                "Unable to execute request: not connected to a Kuzzle server.", request=request
            )
        try:
            check_http_capable(request)
            call: asyncio.Future[dict[str, Any]] = asyncio.ensure_future(
                self.exchange(request, timeout=timeout)
            )
            self._in_flight[call] = request
            try:
                return await call
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # the caller was cancelled, not the call aborted by close()
                raise NetworkError(
                    "Network error: request was sent but no response has been received",
                    id="sdk.network.no_response",
                    request=request,
                ) from None
            finally:
                self._in_flight.pop(call, None)
        except KuzzleError as exc:
            if not isinstance(exc, RealtimeUnavailableError):
                self.emit("queryError", {"error": exc, "request": request})
            if exc.id in TOKEN_ERRORS and request.get("action") != "logout":
                self.emit("tokenExpired")
            raise

    async def exchange(self, request: Mapping[str, Any], *, timeout: float | None = None) -> dict[str, Any]:
        """One HTTP call with the routes known now (no :meth:`connect` needed); no event is emitted.

        Raises:
            ApiError: Kuzzle answered with an error.
            InvalidArgumentError: No route for the action, or a URL parameter is missing.
            BadResponseError: The answer is not Kuzzle JSON.
            NetworkError: ``fetch`` failed.
            RequestTimeoutError: ``timeout`` (or the protocol's) passed.
        """
        # requestId stays out of the URL: Kuzzle's HTTP router names its own.
        call = format_http_request({k: v for k, v in request.items() if k != "requestId"}, self._routes)
        limits = [t for t in (timeout, self._timeout) if t is not None]
        response = await self.transport.http(
            call.method,
            self.url + call.path,
            headers=_with_defaults(call.headers, self._headers),
            body=call.body,
            with_credentials=self.cookie_support,
            timeout=min(limits) if limits else None,
        )
        payload = decode_http_response(call, response.status, response.text, request)
        error = response_error(payload)
        if error is not None:
            raise api_error_from_payload(error, request)
        return payload

    # -- realtime: not over HTTP ------------------------------------------------------------

    def add_channel_listener(self, channel: str, listener: ChannelListener) -> None:
        """Always raises: HTTP cannot receive notifications.

        Raises:
            RealtimeUnavailableError: Always.
        """
        raise RealtimeUnavailableError(
            "The Http protocol cannot receive notifications. Use WebSocket for realtime."
        )

    def remove_channel_listener(self, channel: str, listener: ChannelListener) -> None:
        """Nothing to remove: no channel is ever listened to over HTTP."""

    def __repr__(self) -> str:
        return f"<Http {self.url} state={self.state}>"


def _with_defaults(headers: Mapping[str, str], defaults: Mapping[str, str]) -> dict[str, str]:
    # The request's own headers (Authorization, X-Kuzzle-Volatile) win over the defaults;
    # names compare case-insensitively, as fetch's Headers would merge them into one value.
    own = {name.lower() for name in headers}
    return {**{k: v for k, v in defaults.items() if k.lower() not in own}, **headers}
