"""A TCP proxy between Chromium and the dev server that tests can break on purpose.

In-page tests reach it through ``inpage_faults`` (written into the page with its ports):

* ``pass``: bytes flow both ways;
* ``blackhole``: connections stay open but nothing is delivered either way (a half-open
  link: no RST, no FIN, the peer never learns);
* ``latency``: every chunk is delayed by ``delay`` seconds;
* ``cut``: every current connection is reset (RST, the browser sees code 1006);
* ``stats``: connections opened since start and still open, so tests can count sockets;
* ``offline``: an outage of the page's browser context (offline, links cut, back online).

A small HTTP control server (CORS-enabled, the page calls it with ``fetch``) also takes
the *figures* each reliability scenario reports, for the summary printed at the end of
the run, and offline/online switches for a page's browser context.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Figure:
    """One reliability figure: what was measured, its value and the bound it must meet."""

    scenario: str
    figure: str
    value: str
    bound: str
    ok: bool


@dataclass(eq=False)  # hashed by identity: kept in a set while open
class _Pair:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class FaultProxy:
    """The proxy and its control server, on an event loop in a thread of their own.

    Args:
        target_port: The dev server's port on 127.0.0.1.
        set_offline: ``(page_id, offline)`` -> None, switches a page's context offline.
    """

    def __init__(self, target_port: int, set_offline: Callable[[str, bool], None]) -> None:
        self.target_port = target_port
        self._set_offline = set_offline
        self.mode = "pass"
        self.delay = 0.0
        self.opened = 0
        self.figures: list[Figure] = []
        self._pairs: set[_Pair] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)
        self.port = 0
        self.control_port = 0
        self._server: asyncio.Server | None = None
        self._background: set[asyncio.Future[None]] = set()
        self._runner: web.AppRunner | None = None

    # -- life cycle (called from the test thread) -------------------------------------

    def start(self) -> FaultProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        app = web.Application()
        app.router.add_route("*", "/{action}", self._control)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.control_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _stop(self) -> None:
        self._cut()
        if self._server is not None:
            self._server.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- the proxy ---------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.opened += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        pair = _Pair(writer, up_writer)
        self._pairs.add(pair)
        pair.tasks = [
            asyncio.ensure_future(self._pump(reader, up_writer, pair)),
            asyncio.ensure_future(self._pump(up_reader, writer, pair)),
        ]

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pair: _Pair) -> None:
        try:
            while data := await reader.read(65536):
                if self.mode == "blackhole":
                    continue  # swallowed: the link looks alive to both ends and carries nothing
                if self.mode == "latency" and self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._close(pair)

    def _close(self, pair: _Pair) -> None:
        if pair in self._pairs:
            self._pairs.discard(pair)
            for end in (pair.client, pair.upstream):
                end.close()
            for task in pair.tasks:
                task.cancel()

    def _cut(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        linger = struct.pack("ii", 1, 0)
        for pair in list(self._pairs):
            for end in (pair.client, pair.upstream):
                sock = end.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                end.transport.abort()
            self._pairs.discard(pair)
            for task in pair.tasks:
                task.cancel()

    async def _outage(self, page_id: str, duration: float, cut: bool) -> None:
        await asyncio.sleep(0.05)
        await asyncio.to_thread(self._set_offline, page_id, True)
        if cut:
            self._cut()
        await asyncio.sleep(duration)
        await asyncio.to_thread(self._set_offline, page_id, False)

    # -- the control server --------------------------------------------------------------

    async def _control(self, request: web.Request) -> web.Response:
        headers = {
            "Access-Control-Allow-Origin": request.headers.get("Origin", "*"),
            "Access-Control-Allow-Methods": "GET,POST,OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            "Content-Type": "application/json",
        }
        if request.method == "OPTIONS":
            return web.Response(headers=headers)
        body: dict[str, Any] = await request.json() if request.can_read_body else {}
        action = request.match_info["action"]
        if action == "mode":
            self.mode = str(body.get("mode", "pass"))
            self.delay = float(body.get("delay", 0))
        elif action == "cut":
            self._cut()
        elif action == "figure":
            self.figures.append(
                Figure(
                    str(body["scenario"]),
                    str(body["figure"]),
                    str(body["value"]),
                    str(body["bound"]),
                    bool(body["ok"]),
                )
            )
        elif action == "offline":
            # The page cannot call us while offline, so the whole outage is scheduled
            # here: answer, go offline, cut the links, wait, come back online.
            outage = self._outage(str(body["page"]), float(body["duration"]), bool(body.get("cut", True)))
            self._background.add(asyncio.ensure_future(outage))
        elif action != "stats":
            return web.Response(status=404, headers=headers, text='{"error":"unknown action"}')
        stats = {"mode": self.mode, "opened": self.opened, "active": len(self._pairs)}
        return web.Response(headers=headers, text=json.dumps(stats))
