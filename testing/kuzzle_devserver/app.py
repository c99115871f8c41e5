"""``DevServer``: wires storage, tokens, realtime, the funnel and both entry points on one port."""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import tempfile
import threading
import time
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any

from aiohttp import web

from .config import ServerConfig
from .context import ServerContext
from .control import PREFIX, ControlSurface
from .controllers import build_action_table
from .errors import kerror
from .funnel import Funnel
from .http_entry import HttpEntryPoint, json_response, routed_headers
from .http_routes import api_definition
from .realtime import SERVER_CHANNEL, HotelClerk, push
from .request import NODE_ID, envelope
from .storage import Storage
from .tokens import TokenRepository
from .users import UserDirectory
from .ws_entry import WebSocketEntryPoint, WebSocketSession

log = logging.getLogger(__name__)

REQUEST_LOG_SIZE = 20_000

# notifier.js notifyTokenExpired, on the constant server channel (docs/protocol.md §2.5).
TOKEN_EXPIRED = {
    "status": 200,
    "info": "This is an automated server notification",
    "message": "Authentication Token Expired",
    "type": "TokenExpired",
    "node": NODE_ID,
    "room": SERVER_CHANNEL,
}


def _has_auth_cookie(headers: dict[str, str]) -> bool:
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except CookieError:
        return False
    morsel = cookie.get("authToken")
    return morsel is not None and morsel.value not in ("", "null")


class DevServer:
    """A Kuzzle-compatible server for development and tests (see the package README)."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.answer_pings = True
        self.answer_requests = True
        self._temp_dir: tempfile.TemporaryDirectory[str] | None = None
        self._requests: collections.deque[dict[str, Any]] = collections.deque(maxlen=REQUEST_LOG_SIZE)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.port = config.port
        self.ctx = ServerContext(
            config=config,
            storage=Storage(self._database_path()),
            users=UserDirectory(config.users_file),
            tokens=TokenRepository(self._on_token_expired, self._on_token_revoked),
            hotel=HotelClerk(),
        )
        self.ctx.statistics.sockets = lambda: sum(1 for s in self._ws.sessions.values() if s.open)
        actions = build_action_table(self.ctx, lambda: api_definition(actions))
        funnel = Funnel(self.ctx, actions)
        self._http = HttpEntryPoint(config, funnel, self._requests.append)
        self._ws = WebSocketEntryPoint(
            config,
            funnel,
            self._requests.append,
            lambda: self.answer_pings,
            self._on_ws_close,
            lambda: self.answer_requests,
        )
        self._control = ControlSurface(self)

    def _database_path(self) -> Path:
        data_dir = self.config.data_dir
        if data_dir is None:
            self._temp_dir = tempfile.TemporaryDirectory(prefix="kuzzle-devserver-")
            data_dir = Path(self._temp_dir.name)
        data_dir.mkdir(parents=True, exist_ok=True)
        return data_dir / "kuzzle.sqlite3"

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    # Lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=self.config.max_request_size + 1)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2)
        await self._runner.setup()
        await self._listen(self.config.port)

    async def _listen(self, port: int) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self.config.host, port, reuse_address=True)
        await self._site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for session in list(self._ws.sessions.values()):
            if session.open:
                await session.ws.close(code=1001, message=b"server shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
        self.ctx.storage.close()
        if self._temp_dir is not None:
            self._temp_dir.cleanup()

    # Routing between WebSocket, control surface and HTTP API

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._ws.handle(request)
        if request.path.startswith(PREFIX):
            if self.config.control:
                return await self._control.handle(request)
            error = kerror("network.http.url_not_found", request.path)
            content = envelope(request_id="devserver", status=404, error=error)
            return json_response(404, content, routed_headers(request, "devserver"))
        return await self._http.handle(request)

    # Token events (called by the token repository)

    def _background(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_token_expired(self, connection_ids: set[str]) -> None:
        """Push ``TokenExpired`` then drop the connection's subscriptions (docs/protocol.md §4.1)."""

        async def notify() -> None:
            for connection_id in connection_ids:
                session = self._ws.sessions.get(connection_id)
                if session is not None and session.open:
                    await push(session.connection, TOKEN_EXPIRED)
                await self.ctx.hotel.remove_connection(connection_id)

        self._background(notify())

    def _on_token_revoked(self, connection_ids: set[str]) -> None:
        """Early expiry (logout): linked connections silently lose their subscriptions."""

        async def forget() -> None:
            for connection_id in connection_ids:
                await self.ctx.hotel.remove_connection(connection_id)

        self._background(forget())

    async def _on_ws_close(self, session: WebSocketSession) -> None:
        await self.ctx.hotel.remove_connection(session.connection.id)
        self.ctx.tokens.unlink_connection(session.connection.id)

    # Control surface (see control.py)

    def socket_report(self) -> list[dict[str, Any]]:
        return [
            {
                "id": session.connection.id,
                "pings": len(session.ping_times),
                "ping_times": session.ping_times,
                "messages": session.messages,
                "open": session.open,
                "cookie_auth": _has_auth_cookie(session.connection.headers),
                "kuid": self.ctx.tokens.linked_kuid(session.connection.id),
                "origin": session.connection.headers.get("origin"),
            }
            for session in self._ws.sessions.values()
        ]

    def recent_requests(self, limit: int | None) -> list[dict[str, Any]]:
        requests = list(self._requests)
        return requests[-limit:] if limit else requests

    def clear_requests(self) -> None:
        self._requests.clear()

    async def drop_sockets(self, mode: str, code: int) -> None:
        for session in list(self._ws.sessions.values()):
            if not session.open:
                continue
            if mode == "abort":
                session.abort()
            else:
                await session.ws.close(code=code, message=b"")

    async def send_raw(self, frame: str | bytes) -> int:
        """Send ``frame`` as is to every open socket (bad-frame tests); returns how many got it."""
        sent = 0
        for session in list(self._ws.sessions.values()):
            if session.open and not session.ws.closed:
                if isinstance(frame, bytes):
                    await session.ws.send_bytes(frame)
                else:
                    await session.ws.send_str(frame)
                sent += 1
        return sent

    async def blast(self, channel: str, count: int) -> int:
        """Send ``count`` publish notifications on ``channel`` to its subscribers; returns frames sent.

        One template serialized once, ``result._source.n`` spliced in per frame: the
        benchmark's notification source must outrun the browser, not Koncorde.
        """
        room = next((r for r in self.ctx.hotel.rooms.values() if channel in r.channels), None)
        if room is None or count <= 0:
            return 0
        sessions = [
            session
            for connection_id, channels in room.customers.items()
            if channel in channels
            and (session := self._ws.sessions.get(connection_id)) is not None
            and session.open
        ]
        notification = {
            "type": "document", "status": 200, "action": "publish", "scope": "in",
            "result": {"_id": None, "_source": {"n": "@N@"}}, "node": NODE_ID,
            "event": "publish", "requestId": "devserver-blast", "timestamp": int(time.time() * 1000),
            "volatile": {}, "index": room.index, "collection": room.collection,
            "controller": "realtime", "protocol": "websocket", "room": channel,
        }
        head, tail = json.dumps(notification).split('"@N@"')
        sent = 0
        for n in range(count):
            frame = f"{head}{n}{tail}"
            for session in sessions:
                if session.open and not session.ws.closed:
                    await session.ws.send_str(frame)
                    sent += 1
        return sent

    def schedule_restart(self, down: float) -> None:
        self._background(self._restart(down))

    async def _restart(self, down: float) -> None:
        """Like a Kuzzle process restart: sockets die, tokens (Redis) and data (ES) stay."""
        await self.drop_sockets("abort", 1006)
        if self._site is not None:
            await self._site.stop()
        self.ctx.hotel.reset()
        await asyncio.sleep(down)
        await self._listen(self.port)
        log.info("listening again on port %s", self.port)

    async def reset_data(self) -> None:
        self.ctx.storage.reset()
        self.ctx.hotel.reset()
        self.ctx.scrolls.clear()


class ServerThread:
    """A ``DevServer`` running its own event loop in a daemon thread (for pytest)."""

    def __init__(self, config: ServerConfig) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self.server: DevServer | None = None
        self._thread = threading.Thread(target=self._run, name="kuzzle-devserver", daemon=True)
        self._config = config

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self.server = DevServer(self._config)
            self._loop.run_until_complete(self.server.start())
        except BaseException as error:  # reported to the starting thread
            self._startup_error = error
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()

    def start(self, timeout: float = 30) -> ServerThread:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("kuzzle-devserver did not start")
        if self._startup_error is not None:
            raise self._startup_error
        return self

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def stop(self, timeout: float = 30) -> None:
        if self.server is not None:
            future = asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop)
            future.result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        self._loop.close()


def start_in_thread(config: ServerConfig | None = None) -> ServerThread:
    """Start a server in a background thread; ``.url``, ``.port``, ``.stop()``."""
    return ServerThread(config or ServerConfig(port=0)).start()
