"""Control surface for tests, under ``/_devserver/`` (only with ``--control``).

JSON in and out, with the same CORS headers as API routes so that browser tests can call
it with ``fetch`` from another origin:

- ``GET /_devserver/sockets``: open and closed sockets with their ping and message counts;
- ``POST /_devserver/pings`` ``{"answer": bool}``: stop or resume answering ``{"p":1}``;
- ``POST /_devserver/silence`` ``{"requests": bool}``: stop or resume answering requests;
- ``POST /_devserver/send`` ``{"frame": str, "pad": n, "binary": bool}``: push a raw frame to every socket;
- ``POST /_devserver/blast`` ``{"channel": str, "count": n}``: push ``count`` notifications (``publish``
  shape, ``result._source.n`` = 0..count-1) to the sockets subscribed to ``channel``, as fast as the
  server can write them (benchmarks);
- ``POST /_devserver/drop`` ``{"mode": "close"|"abort", "code": int}``: end every socket;
- ``POST /_devserver/restart`` ``{"down": seconds}``: answer, then stop listening for that long;
- ``GET /_devserver/requests?limit=N`` / ``DELETE /_devserver/requests``: the request log;
- ``POST /_devserver/reset``: drop every index, document and subscription (users stay).
- ``POST /_devserver/test-controller``: register the ``greeting`` app controller (once; it stays).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web

from .errors import kerror
from .http_entry import json_response, routed_headers
from .request import envelope

PREFIX = "/_devserver/"


class ControlledServer(Protocol):
    """What the control surface drives (implemented by ``DevServer``)."""

    answer_pings: bool
    answer_requests: bool

    def socket_report(self) -> list[dict[str, Any]]: ...
    def recent_requests(self, limit: int | None) -> list[dict[str, Any]]: ...
    def clear_requests(self) -> None: ...
    async def drop_sockets(self, mode: str, code: int) -> None: ...
    async def send_raw(self, frame: str | bytes) -> int: ...
    async def blast(self, channel: str, count: int) -> int: ...
    def schedule_restart(self, down: float) -> None: ...
    async def reset_data(self) -> None: ...
    def enable_test_controller(self) -> bool: ...


Action = Callable[[web.Request, dict[str, Any]], Awaitable[Any]]


class ControlSurface:
    def __init__(self, server: ControlledServer) -> None:
        self._server = server
        self._routes: dict[tuple[str, str], Action] = {
            ("GET", "sockets"): self._sockets,
            ("POST", "pings"): self._pings,
            ("POST", "silence"): self._silence,
            ("POST", "send"): self._send,
            ("POST", "blast"): self._blast,
            ("POST", "drop"): self._drop,
            ("POST", "restart"): self._restart,
            ("GET", "requests"): self._requests,
            ("DELETE", "requests"): self._clear_requests,
            ("POST", "reset"): self._reset,
            ("POST", "test-controller"): self._test_controller,
        }

    async def handle(self, request: web.Request) -> web.StreamResponse:
        headers = routed_headers(request, "devserver")
        name = request.path[len(PREFIX) :].strip("/")
        if request.method == "OPTIONS":
            # Browser tests call this from another origin with a JSON body: answer the preflight.
            return web.Response(status=200, headers=headers)
        action = self._routes.get((request.method, name))
        if action is None:
            error = kerror("network.http.url_not_found", request.path)
            content = envelope(request_id="devserver", status=404, error=error)
            return json_response(404, content, headers)
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            error = kerror("network.http.body_parse_failed", "invalid JSON")
            return json_response(400, error.to_json(), headers)
        result = await action(request, body if isinstance(body, dict) else {})
        response = json_response(200, result, headers)
        if name == "restart":
            # Answer first, then go down: the caller must get its 200.
            await response.prepare(request)
            await response.write_eof()
            self._server.schedule_restart(float(body.get("down", 1)))
        return response

    async def _sockets(self, request: web.Request, body: dict[str, Any]) -> Any:
        return self._server.socket_report()

    async def _pings(self, request: web.Request, body: dict[str, Any]) -> Any:
        self._server.answer_pings = bool(body.get("answer", True))
        return {"answer": self._server.answer_pings}

    async def _silence(self, request: web.Request, body: dict[str, Any]) -> Any:
        self._server.answer_requests = not bool(body.get("requests", True))
        return {"answer_requests": self._server.answer_requests}

    async def _send(self, request: web.Request, body: dict[str, Any]) -> Any:
        # "pad" appends spaces (still valid JSON) to build multi-megabyte frames
        # without a multi-megabyte control request (HTTP bodies are capped at 1 MB).
        text = str(body.get("frame", "")) + " " * int(body.get("pad", 0))
        frame: str | bytes = text.encode() if body.get("binary") else text
        return {"sent": await self._server.send_raw(frame)}

    async def _blast(self, request: web.Request, body: dict[str, Any]) -> Any:
        channel, count = str(body.get("channel", "")), max(0, int(body.get("count", 0)))
        return {"channel": channel, "count": count, "sent": await self._server.blast(channel, count)}

    async def _drop(self, request: web.Request, body: dict[str, Any]) -> Any:
        mode = str(body.get("mode", "close"))
        await self._server.drop_sockets(mode, int(body.get("code", 1000)))
        return {"dropped": True, "mode": mode}

    async def _restart(self, request: web.Request, body: dict[str, Any]) -> Any:
        return {"restarting": True, "down": float(body.get("down", 1))}

    async def _requests(self, request: web.Request, body: dict[str, Any]) -> Any:
        limit = request.query.get("limit")
        return self._server.recent_requests(int(limit) if limit else None)

    async def _clear_requests(self, request: web.Request, body: dict[str, Any]) -> Any:
        self._server.clear_requests()
        return {"cleared": True}

    async def _reset(self, request: web.Request, body: dict[str, Any]) -> Any:
        await self._server.reset_data()
        return {"reset": True}

    async def _test_controller(self, request: web.Request, body: dict[str, Any]) -> Any:
        return {"controller": "greeting", "registered": self._server.enable_test_controller()}
