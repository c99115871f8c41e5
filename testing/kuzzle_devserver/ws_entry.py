"""WebSocket entry point (kuzzle ``httpwsProtocol.js`` ``wsOn*Handler``; docs/protocol.md §2).

Per text frame: ignore empty frames; parse JSON (failure → ``network.websocket.unexpected_error``
with no ``room``); ``{"p":1}`` with exactly that key → raw ``{"p":2}``; build the request
(failure → the error with the client's ``requestId`` and no ``room``); run it through the
funnel and answer with ``room = requestId``.

Differences from uWebSockets, documented in the README:
- a frame over ``max_request_size`` makes aiohttp close with code 1009; uWS closes with 1006;
- binary frames are answered with ``network.websocket.unexpected_error`` (no room);
- the idle timeout kills the TCP connection without a close frame, as uWS does on
  inactivity (clients see 1006), with a one-second resolution instead of uWS's four.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .config import ServerConfig
from .connection import ClientConnection
from .errors import KuzzleError, kerror
from .funnel import Funnel
from .request import KuzzleRequest, envelope

log = logging.getLogger(__name__)

PONG = '{"p":2}'


@dataclass
class WebSocketSession:
    """One open socket, with the counters the control surface reports."""

    ws: web.WebSocketResponse
    transport: asyncio.BaseTransport | None
    connection: ClientConnection
    ping_times: list[float] = field(default_factory=list)
    messages: int = 0
    open: bool = True

    async def send(self, text: str) -> None:
        await self.ws.send_str(text)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (the peer sees 1006)."""
        if self.transport is not None:
            self.transport.abort()  # type: ignore[attr-defined]


def is_ping(payload: Any) -> bool:
    """``parsed.p === 1`` and exactly one key (JS ``===``: true is not 1)."""
    return (
        isinstance(payload, dict)
        and len(payload) == 1
        and not isinstance(payload.get("p"), bool)
        and payload.get("p") == 1
    )


class WebSocketEntryPoint:
    def __init__(
        self,
        config: ServerConfig,
        funnel: Funnel,
        log_request: Callable[[dict[str, Any]], None],
        answer_pings: Callable[[], bool],
        on_close: Callable[[WebSocketSession], Any],
        answer_requests: Callable[[], bool] = lambda: True,
    ) -> None:
        self._config = config
        self._funnel = funnel
        self._log_request = log_request
        self._answer_pings = answer_pings
        self._answer_requests = answer_requests
        self._on_close = on_close
        self.sessions: dict[str, WebSocketSession] = {}

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        # uWS passes the requested Sec-WebSocket-Protocol through unchanged
        # (httpwsProtocol.js wsOnUpgradeHandler); the JS SDK's browser build asks
        # for "null" (new WebSocket(url, null)) and Chromium fails a handshake
        # whose answer does not echo it.
        requested = request.headers.get("Sec-WebSocket-Protocol", "")
        ws = web.WebSocketResponse(
            max_msg_size=self._config.max_request_size,
            autoping=True,
            compress=False,
            protocols=[p.strip() for p in requested.split(",") if p.strip()],
        )
        await ws.prepare(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        session = WebSocketSession(ws, request.transport, ClientConnection("websocket", headers))
        session.connection.push = session.send
        self.sessions[session.connection.id] = session
        try:
            await self._receive_loop(session)
        finally:
            session.open = False
            await self._on_close(session)
        return ws

    async def _receive_loop(self, session: WebSocketSession) -> None:
        ws = session.ws
        while not ws.closed:
            try:
                message = await ws.receive(timeout=self._config.idle_timeout)
            except TimeoutError:
                log.info("closing idle socket %s", session.connection.id)
                session.abort()
                return
            if message.type == WSMsgType.TEXT:
                session.messages += 1
                await self._on_text(session, message.data)
            elif message.type == WSMsgType.BINARY:
                session.messages += 1
                reason = "binary frames are not supported"
                await self._send_error(session, kerror("network.websocket.unexpected_error", reason), None)
            else:  # CLOSE, CLOSING, CLOSED, or ERROR (e.g. frame too big: aiohttp sent 1009)
                return

    async def _on_text(self, session: WebSocketSession, text: str) -> None:
        if not text:
            return
        try:
            payload = json.loads(text)
        except ValueError as error:
            self._log_request({"transport": "websocket", "socket": session.connection.id, "frame": text})
            await self._send_error(session, kerror("network.websocket.unexpected_error", error), None)
            return
        self._log_request({"transport": "websocket", "socket": session.connection.id, "frame": payload})
        if is_ping(payload):
            session.ping_times.append(time.monotonic())
            if self._answer_pings():
                await session.send(PONG)
            return
        try:
            request = KuzzleRequest.from_payload(payload, session.connection)
        except KuzzleError as error:
            request_id = payload.get("requestId") if isinstance(payload, dict) else None
            await self._send_error(session, error, request_id)
            return
        if not self._answer_requests():
            return  # control surface "silence": a server that never answers
        content = await self._funnel.execute(request)
        content["room"] = request.request_id
        await _safe_send(session, json.dumps(content))

    async def _send_error(self, session: WebSocketSession, error: KuzzleError, request_id: Any) -> None:
        """``wsSendError``: an envelope carrying the error and no ``room``."""
        if request_id is None:  # Kuzzle's `new Request({})` draws a fresh id
            request_id = str(uuid.uuid4())
        content = envelope(request_id=request_id, status=error.status, error=error)
        await _safe_send(session, json.dumps(content))


async def _safe_send(session: WebSocketSession, text: str) -> None:
    try:
        await session.send(text)
    except (ConnectionError, RuntimeError) as error:
        log.debug("socket %s closed before the answer: %s", session.connection.id, error)
