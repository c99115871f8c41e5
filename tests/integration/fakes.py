"""An in-memory environment for the SDK: a fake transport and a scripted Kuzzle peer.

Sockets open on the next loop tick (like a browser's), and every frame sent is
answered by :class:`FakeKuzzle` on the next tick, so the asyncio code paths are
the real ones with no network and no sleeps.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

from kuzzle_browser.errors import NetworkError
from kuzzle_browser.transport.base import HttpResponse, SocketListener


class FakeSocket:
    """One fake WebSocket; tests can drop it or push frames through it."""

    def __init__(self, transport: FakeTransport, url: str, listener: SocketListener) -> None:
        self.transport = transport
        self.url = url
        self.listener = listener
        self.sent: list[str] = []
        self.cookie = transport.cookie
        self._open = False
        self.closed_with: int | None = None

    @property
    def is_open(self) -> bool:
        return self._open

    def accept(self) -> None:
        self._open = True
        self.listener.socket_opened()

    def refuse(self) -> None:
        self.listener.socket_closed(1006, "", False)

    def send(self, text: str) -> None:
        if not self._open:
            raise NetworkError("The WebSocket is not open")
        self.sent.append(text)
        self.transport.peer.received(self, text)

    def close(self, code: int = 1000, reason: str = "") -> None:
        self._open = False
        self.closed_with = code

    def push(self, frame: str | bytes) -> None:
        """Deliver a frame from the server."""
        self.listener.socket_message(frame)

    def drop(self, code: int = 1006) -> None:
        """The server side goes away."""
        if self._open:
            self._open = False
            self.listener.socket_closed(code, "", False)


class FakeTransport:
    """The environment: sockets that open unless ``refuse`` is set, HTTP, online status."""

    def __init__(self, peer: FakeKuzzle | None = None) -> None:
        self.peer = peer or FakeKuzzle()
        self.sockets: list[FakeSocket] = []
        self.refuse = False
        self.online = True
        self._online_callbacks: list[Callable[[], None]] = []
        self.http_calls: list[dict[str, Any]] = []
        self.cookie: str | None = None
        self.storage: dict[str, str] = {}

    @property
    def socket(self) -> FakeSocket:
        return self.sockets[-1]

    def open_socket(self, url: str, listener: SocketListener) -> FakeSocket:
        socket = FakeSocket(self, url, listener)
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
        self.http_calls.append(
            {
                "method": method,
                "url": url,
                "headers": dict(headers),
                "body": body,
                "credentials": with_credentials,
            }
        )
        payload = self.peer.http(self, method, url, body)
        return HttpResponse(status=payload.get("status", 200), text=json.dumps(payload))

    def is_online(self) -> bool:
        return self.online

    @property
    def online_listeners(self) -> int:
        """How many ``online`` listeners are registered (each holds a JS proxy in the browser)."""
        return len(self._online_callbacks)

    def on_online(self, callback: Callable[[], None]) -> Callable[[], None]:
        self._online_callbacks.append(callback)
        return lambda: callback in self._online_callbacks and self._online_callbacks.remove(callback)  # type: ignore[func-returns-value]

    def storage_get(self, key: str) -> str | None:
        return self.storage.get(key)

    def storage_set(self, key: str, value: str | None) -> None:
        if value is None:
            self.storage.pop(key, None)
        else:
            self.storage[key] = value

    def go_online(self) -> None:
        self.online = True
        for callback in list(self._online_callbacks):
            self._online_callbacks.remove(callback)
            callback()


class FakeKuzzle:
    """A scripted Kuzzle: answers pings, server:now, auth and realtime:subscribe."""

    def __init__(self) -> None:
        self.answer_pings = True
        self.answer_requests = True
        self.requests: list[dict[str, Any]] = []
        self.pings = 0
        self.handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

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
        """How many requests of ``action`` were received."""
        return sum(request.get("action") == action for request in self.requests)

    def received(self, socket: FakeSocket, text: str) -> None:
        loop = asyncio.get_running_loop()
        if text == '{"p":1}':
            self.pings += 1
            self._check_waiters()
            if self.answer_pings:
                loop.call_soon(socket.push, '{"p":2}')
            return
        request = json.loads(text)
        self.requests.append(request)
        self._check_waiters()
        if not self.answer_requests:
            return
        response = self.respond(request, socket.cookie)
        loop.call_soon(socket.push, json.dumps(response))

    def respond(self, request: dict[str, Any], cookie: str | None) -> dict[str, Any]:
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

    def http(self, transport: FakeTransport, method: str, url: str, body: str | None) -> dict[str, Any]:
        if "/_login/" in url:
            transport.cookie = "authToken=fake"
            return {"status": 200, "result": {"_id": "alice", "expiresAt": 1, "ttl": 1}, "error": None}
        if "/_logout" in url:
            transport.cookie = None
            return {"status": 200, "result": {"acknowledged": True}, "error": None}
        return {"status": 404, "error": {"id": "network.http.url_not_found", "status": 404, "message": url}}
