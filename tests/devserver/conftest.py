"""Fixtures for the dev server tests: a server per test, an HTTP session, WebSocket clients.

Every server listens on 127.0.0.1 with a free port and a fresh temporary data directory,
unless a test passes ``data_dir``. Time bounds are generous (``TIMEOUT``).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from kuzzle_devserver import DevServer, ServerConfig

TIMEOUT = 10.0

Message = dict[str, Any]


class WsClient:
    """A raw WebSocket client: send frames, await answers by requestId, await notifications."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._queue: asyncio.Queue[aiohttp.WSMessage] = asyncio.Queue()
        self._backlog: list[aiohttp.WSMessage] = []
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            message = await self.ws.receive()
            await self._queue.put(message)
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                aiohttp.WSMsgType.ERROR):
                return

    async def send(self, payload: Any) -> None:
        await self.ws.send_str(payload if isinstance(payload, str) else json.dumps(payload))

    async def next_raw(self, predicate: Callable[[aiohttp.WSMessage], bool] | None = None,
                       timeout: float = TIMEOUT) -> aiohttp.WSMessage:
        """The next frame (or close event) that satisfies ``predicate``; others are kept."""
        for index, message in enumerate(self._backlog):
            if predicate is None or predicate(message):
                return self._backlog.pop(index)
        async with asyncio.timeout(timeout):
            while True:
                message = await self._queue.get()
                if predicate is None or predicate(message):
                    return message
                self._backlog.append(message)

    async def next_message(self, predicate: Callable[[Message], bool] | None = None,
                           timeout: float = TIMEOUT) -> Message:
        """The next JSON object frame satisfying ``predicate``."""

        def wanted(message: aiohttp.WSMessage) -> bool:
            if message.type != aiohttp.WSMsgType.TEXT:
                return False
            data = json.loads(message.data)
            return isinstance(data, dict) and (predicate is None or predicate(data))

        message = await self.next_raw(wanted, timeout)
        result: Message = json.loads(message.data)
        return result

    async def query(self, payload: Message) -> Message:
        """Send a request and return the response whose ``room`` is its requestId."""
        payload = {"requestId": str(uuid.uuid4()), **payload}
        await self.send(payload)
        return await self.next_message(lambda m: m.get("room") == payload["requestId"])

    async def notification(self, channel: str, timeout: float = TIMEOUT) -> Message:
        return await self.next_message(lambda m: m.get("room") == channel, timeout)

    async def closed(self, timeout: float = TIMEOUT) -> aiohttp.WSMessage:
        closing = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
        return await self.next_raw(lambda m: m.type in closing, timeout)

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()


ServerFactory = Callable[..., Awaitable[DevServer]]
WsFactory = Callable[..., Awaitable[WsClient]]


@pytest.fixture
async def start_server() -> AsyncIterator[ServerFactory]:
    servers: list[DevServer] = []

    async def start(**options: Any) -> DevServer:
        server = DevServer(ServerConfig(**{"port": 0, "control": True, **options}))
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


@pytest.fixture
async def server(start_server: ServerFactory) -> DevServer:
    return await start_server()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # unsafe: keep cookies for 127.0.0.1 (IP hosts are ignored by the default jar).
    # Content-Type on every request, as the SDK does (aiohttp would say octet-stream).
    jar = aiohttp.CookieJar(unsafe=True)
    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession(cookie_jar=jar, headers=headers) as session:
        yield session


@pytest.fixture
async def ws_connect(http: aiohttp.ClientSession) -> AsyncIterator[WsFactory]:
    clients: list[WsClient] = []

    async def connect(server: DevServer, headers: dict[str, str] | None = None,
                      path: str = "/") -> WsClient:
        ws = await http.ws_connect(f"{server.url}{path}", headers=headers or {},
                                   autoping=True, timeout=aiohttp.ClientWSTimeout(ws_close=TIMEOUT))
        client = WsClient(ws)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        await client.close()


@pytest.fixture
async def ws(server: DevServer, ws_connect: WsFactory) -> WsClient:
    return await ws_connect(server)


async def login(client: WsClient, username: str = "alice", **extra: Any) -> str:
    response = await client.query({
        "controller": "auth", "action": "login", "strategy": "local",
        "body": {"username": username, "password": f"{username}-password"}, **extra,
    })
    assert response["status"] == 200, response
    jwt: str = response["result"]["jwt"]
    return jwt


@pytest.fixture
def login_as() -> Callable[..., Awaitable[str]]:
    return login
