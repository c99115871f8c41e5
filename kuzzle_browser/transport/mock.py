"""An in-memory browser and a scripted Kuzzle, for unit tests of code that uses the SDK.

Like httpx's ``MockTransport``: pass a :class:`MockTransport` where the SDK takes a
transport, and your code runs its real asyncio paths with no browser, network or server.
Sockets open on the next loop tick (as a browser's do) and :class:`MockKuzzle` answers
each frame on the next tick, so nothing sleeps. It runs on CPython as in Pyodide::

    import asyncio

    from kuzzle_browser import Kuzzle, WebSocket
    from kuzzle_browser.transport.mock import MockTransport


    async def stock(kuzzle: Kuzzle) -> int:  # the code under test
        return await kuzzle.document.count("shop", "fruits", {"query": {"term": {"ripe": True}}})


    async def test_stock() -> None:
        transport = MockTransport()
        transport.peer.handlers["document:count"] = lambda request: {"result": {"count": 3}}
        kuzzle = Kuzzle(WebSocket("kuzzle.test", transport=transport))
        await kuzzle.connect()
        assert await stock(kuzzle) == 3
        assert transport.peer.requests[-1]["body"] == {"query": {"term": {"ripe": True}}}
        await kuzzle.disconnect()


    asyncio.run(test_stock())

The SDK's own tests (tests/integration/) run on this module; docs/testing.md shows more.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from kuzzle_browser.errors import NetworkError
from kuzzle_browser.transport.base import HttpResponse, SocketListener

__all__ = ["Handler", "HttpHandler", "MockKuzzle", "MockSocket", "MockTransport"]

Handler = Callable[[dict[str, Any]], dict[str, Any]]
"""Answers one request (the decoded frame): the keys to send over the default answer's."""

HttpHandler = Callable[[str, str, str | None], HttpResponse | Awaitable[HttpResponse]]
"""Answers one HTTP call, ``(method, url, body)``, instead of :meth:`MockKuzzle.http`."""


class MockSocket:
    """One WebSocket of a :class:`MockTransport`: what the SDK sent, and the server's side.

    It opens on the next loop tick (or fails, if the transport's ``refuse`` is set). Read
    :attr:`sent`; call :meth:`push` or :meth:`deliver_batch` to send frames to the SDK,
    :meth:`drop` to cut the connection from the server's side.
    """

    def __init__(self, transport: MockTransport, url: str, listener: SocketListener) -> None:
        self.transport = transport
        self.url = url
        self.listener = listener
        self.sent: list[str] = []
        self.cookie = transport.cookie
        self._open = False
        self.closed_with: int | None = None

    @property
    def is_open(self) -> bool:
        """True from :meth:`accept` until :meth:`close` or :meth:`drop`."""
        return self._open

    def accept(self) -> None:
        """Open the socket now (the transport does it on the next tick)."""
        self._open = True
        self.listener.socket_opened()

    def refuse(self) -> None:
        """Fail the opening, as a browser does when no server answers (code 1006)."""
        self.listener.socket_closed(1006, "", False)

    def send(self, text: str) -> None:
        """The SDK sends a frame: recorded in :attr:`sent`, then handed to the peer.

        Raises:
            NetworkError: The socket is not open.
        """
        if not self._open:
            raise NetworkError("The WebSocket is not open")
        self.sent.append(text)
        self.transport.peer.received(self, text)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """The SDK closes the socket; :attr:`closed_with` keeps the code."""
        self._open = False
        self.closed_with = code

    def push(self, frame: str | bytes) -> None:
        """Deliver one frame from the server, now."""
        self.listener.socket_message(frame)

    def deliver_batch(self, frames: Iterable[str | bytes]) -> None:
        """Deliver several frames in one call, as a batching browser transport does."""
        self.listener.socket_messages(list(frames))

    def drop(self, code: int = 1006) -> None:
        """The server side goes away: the SDK sees the socket close with ``code``."""
        if self._open:
            self._open = False
            self.listener.socket_closed(code, "", False)


class MockTransport:
    """The browser as the SDK sees it: sockets, HTTP, online status and local storage.

    Pass it as ``transport=`` to :class:`~kuzzle_browser.WebSocket` or
    :class:`~kuzzle_browser.Http`. Script the server through :attr:`peer` (a
    :class:`MockKuzzle`, or yours), or answer HTTP yourself with :attr:`http_handler`.
    Set :attr:`refuse` to make sockets fail to open, :attr:`online` to False to be offline
    (:meth:`go_online` brings the network back).
    """

    def __init__(self, peer: MockKuzzle | None = None) -> None:
        self.peer = peer or MockKuzzle()
        self.sockets: list[MockSocket] = []
        self.refuse = False
        self.online = True
        self._online_callbacks: list[Callable[[], None]] = []
        self.http_calls: list[dict[str, Any]] = []
        self.http_handler: HttpHandler | None = None
        self.cookie: str | None = None
        self.storage: dict[str, str] = {}

    @property
    def socket(self) -> MockSocket:
        """The socket opened last."""
        return self.sockets[-1]

    def open_socket(self, url: str, listener: SocketListener) -> MockSocket:
        """A new socket (in :attr:`sockets`) that opens, or fails, on the next tick."""
        socket = MockSocket(self, url, listener)
        self.sockets.append(socket)
        loop = asyncio.get_running_loop()
        loop.call_soon(socket.refuse if self.refuse else socket.accept)
        return socket

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
        """Record the call in :attr:`http_calls`; :attr:`http_handler` or the peer answers."""
        call = {"method": method, "url": url, "headers": dict(headers), "body": body}
        self.http_calls.append(call | {"credentials": with_credentials})
        if self.http_handler is not None:
            answer = self.http_handler(method, url, body)
            return await answer if inspect.isawaitable(answer) else answer
        payload = self.peer.http(self, method, url, body)
        return HttpResponse(status=payload.get("status", 200), text=json.dumps(payload))

    def is_online(self) -> bool:
        """:attr:`online`, as ``navigator.onLine``."""
        return self.online

    @property
    def online_listeners(self) -> int:
        """How many ``online`` listeners are registered (each holds a JS proxy in the browser)."""
        return len(self._online_callbacks)

    def on_online(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` at the next :meth:`go_online`; returns a function that cancels it."""
        self._online_callbacks.append(callback)

        def cancel() -> None:
            if callback in self._online_callbacks:
                self._online_callbacks.remove(callback)

        return cancel

    def storage_get(self, key: str) -> str | None:
        """The value saved under ``key`` in :attr:`storage`, or None."""
        return self.storage.get(key)

    def storage_set(self, key: str, value: str | None) -> None:
        """Save ``value`` under ``key`` in :attr:`storage`; None removes it."""
        if value is None:
            self.storage.pop(key, None)
        else:
            self.storage[key] = value

    def go_online(self) -> None:
        """The network comes back: set :attr:`online` and call the ``online`` listeners once."""
        self.online = True
        for callback in list(self._online_callbacks):
            self._online_callbacks.remove(callback)
            callback()


class MockKuzzle:
    """A scripted Kuzzle: answers pings, ``server:now``, ``auth:checkToken``, subscriptions.

    Every other action gets Kuzzle's ``api.process.action_not_found`` unless
    :attr:`handlers` has an entry for ``"controller:action"``: a :data:`Handler`
    whose keys (``result``, ``error``, ``status``...) go over the default answer.
    :attr:`requests` keeps what was received; :meth:`wait_until` waits for one. Set
    :attr:`answer_requests` or :attr:`answer_pings` to False to stay silent, and
    :attr:`batch` to True to deliver the answers of one loop tick in a single
    ``socket_messages`` call. Subclass it and override :meth:`respond` or :meth:`http`
    for more.
    """

    def __init__(self) -> None:
        self.answer_pings = True
        self.answer_requests = True
        self.batch = False
        self.requests: list[dict[str, Any]] = []
        self.pings = 0
        self.handlers: dict[str, Handler] = {}
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._outbox: dict[MockSocket, list[str]] = {}

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Return once ``condition()`` holds; it is checked on every frame received."""
        if condition():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((condition, future))
        await future

    def _check_waiters(self) -> None:
        for entry in list(self._waiters):
            condition, future = entry
            if condition() and not future.done():
                future.set_result(None)
                self._waiters.remove(entry)

    def count(self, action: str) -> int:
        """How many requests of ``action`` (e.g. ``"checkToken"``) were received."""
        return sum(request.get("action") == action for request in self.requests)

    def received(self, socket: MockSocket, text: str) -> None:
        """A frame from the SDK: recorded, then answered on the next tick (if answering)."""
        if text == '{"p":1}':
            self.pings += 1
            self._check_waiters()
            if self.answer_pings:
                self._send(socket, '{"p":2}')
            return
        request = json.loads(text)
        self.requests.append(request)
        self._check_waiters()
        if self.answer_requests:
            self._send(socket, json.dumps(self.respond(request, socket.cookie)))

    def _send(self, socket: MockSocket, frame: str) -> None:
        loop = asyncio.get_running_loop()
        if not self.batch:
            loop.call_soon(socket.push, frame)
            return
        if socket not in self._outbox:
            self._outbox[socket] = []
            loop.call_soon(lambda: socket.deliver_batch(self._outbox.pop(socket)))
        self._outbox[socket].append(frame)

    def respond(self, request: dict[str, Any], cookie: str | None) -> dict[str, Any]:
        """The answer to ``request``; ``cookie`` is the one the socket opened with."""
        key = f"{request['controller']}:{request['action']}"
        base = {"requestId": request.get("requestId"), "room": request.get("requestId"), "status": 200}
        base.update(
            controller=request["controller"], action=request["action"], volatile=request.get("volatile")
        )
        if key in self.handlers:
            return base | self.handlers[key](request)
        if key == "server:now":
            return base | {"result": {"now": 1234}, "error": None}
        if key == "auth:checkToken":
            valid = bool(cookie) or bool(request.get("body", {}).get("token"))
            return base | {"result": {"valid": valid, "kuid": "alice" if valid else "-1"}, "error": None}
        if key == "realtime:subscribe":
            room = "room-" + json.dumps(request.get("body"), sort_keys=True)
            return base | {"result": {"roomId": room, "channel": room + "-311"}, "error": None}
        if key == "realtime:unsubscribe":
            return base | {"result": {"roomId": request["body"]["roomId"]}, "error": None}
        return base | {
            "status": 404,
            "error": {"id": "api.process.action_not_found", "code": 33685509, "status": 404, "message": key},
        }

    def http(self, transport: MockTransport, method: str, url: str, body: str | None) -> dict[str, Any]:
        """The JSON answer to an HTTP call: login and logout set and clear a cookie, else 404."""
        if "/_login/" in url:
            transport.cookie = "authToken=fake"
            return {"status": 200, "result": {"_id": "alice", "expiresAt": 1, "ttl": 1}, "error": None}
        if "/_logout" in url:
            transport.cookie = None
            return {"status": 200, "result": {"acknowledged": True}, "error": None}
        return {"status": 404, "error": {"id": "network.http.url_not_found", "status": 404, "message": url}}
