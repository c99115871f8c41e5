"""The /_devserver/ control surface, the restart behaviour and the command line."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from kuzzle_devserver import DevServer, start_in_thread
from kuzzle_devserver.config import ServerConfig

ServerFactory = Callable[..., Awaitable[DevServer]]
ORIGIN = "http://127.0.0.1:8000"


async def control(http: aiohttp.ClientSession, server: DevServer, method: str, name: str,
                  body: Any = None) -> Any:
    async with http.request(method, f"{server.url}/_devserver/{name}", json=body,
                            headers={"Origin": ORIGIN}) as response:
        assert response.status == 200
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        return await response.json()


async def test_disabled_by_default(start_server: ServerFactory,
                                   http: aiohttp.ClientSession) -> None:
    server = await start_server(control=False)
    async with http.get(f"{server.url}/_devserver/sockets") as response:
        assert response.status == 404
        assert (await response.json())["error"]["id"] == "network.http.url_not_found"


async def test_sockets_and_pings(server: DevServer, http: aiohttp.ClientSession,
                                 ws_connect: Any) -> None:
    client = await ws_connect(server, headers={"Origin": ORIGIN})
    for _ in range(2):
        await client.send('{"p":1}')
        assert (await client.next_raw()).data == '{"p":2}'
    [report] = await control(http, server, "GET", "sockets")
    assert report["pings"] == 2 and len(report["ping_times"]) == 2
    assert report["messages"] == 2 and report["open"] is True
    assert report["origin"] == ORIGIN and report["cookie_auth"] is False
    assert report["kuid"] is None
    assert await control(http, server, "POST", "pings", {"answer": False}) == {"answer": False}
    await client.send('{"p":1}')
    answer = await client.query({"controller": "server", "action": "now"})
    assert answer["status"] == 200  # the first frame after the unanswered ping is the answer
    await control(http, server, "POST", "pings", {"answer": True})
    await client.send('{"p":1}')
    assert (await client.next_raw()).data == '{"p":2}'


async def test_drop_close_and_abort(server: DevServer, http: aiohttp.ClientSession,
                                    ws_connect: Any) -> None:
    client = await ws_connect(server)
    await control(http, server, "POST", "drop", {"mode": "close", "code": 4000})
    closed = await client.closed()
    assert closed.type == aiohttp.WSMsgType.CLOSE and closed.data == 4000
    client = await ws_connect(server)
    await control(http, server, "POST", "drop", {"mode": "abort"})
    closed = await client.closed()
    assert closed.type != aiohttp.WSMsgType.CLOSE or closed.data != 4000


async def test_restart_keeps_data_and_tokens(server: DevServer, http: aiohttp.ClientSession,
                                             ws_connect: Any, login_as: Any) -> None:
    client = await ws_connect(server)
    jwt = await login_as(client)
    await client.query({"controller": "index", "action": "create", "index": "i"})
    subscribed = await client.query({"controller": "realtime", "action": "subscribe",
                                     "index": "i", "collection": "c", "body": {}})
    assert subscribed["status"] == 200
    port = server.port
    await control(http, server, "POST", "restart", {"down": 0.5})
    await client.closed()
    deadline = asyncio.get_running_loop().time() + 10
    while True:  # poll until the port listens again
        try:
            client = await ws_connect(server)
            break
        except aiohttp.ClientConnectionError:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.1)
    assert server.port == port
    me = await client.query({"controller": "auth", "action": "getCurrentUser", "jwt": jwt})
    assert me["result"]["_id"] == "alice"
    assert (await client.query({"controller": "index", "action": "exists",
                                "index": "i"}))["result"] is True
    listing = await client.query({"controller": "realtime", "action": "list"})
    assert listing["result"] == {}


async def test_request_log_and_reset(server: DevServer, http: aiohttp.ClientSession,
                                     ws_connect: Any) -> None:
    client = await ws_connect(server)
    await client.query({"controller": "index", "action": "create", "index": "i",
                        "volatile": {"sdkName": "py@0.1"}})
    async with http.get(f"{server.url}/_now?x=1", headers={"Authorization": "Bearer t"}):
        pass
    entries = await control(http, server, "GET", "requests?limit=2")
    assert entries[0]["transport"] == "websocket"
    assert entries[0]["frame"]["volatile"] == {"sdkName": "py@0.1"}
    assert entries[1]["method"] == "GET" and entries[1]["path"] == "/_now"
    assert entries[1]["query"] == {"x": "1"} and entries[1]["headers"]["Authorization"] == "Bearer t"
    await control(http, server, "DELETE", "requests")
    assert await control(http, server, "GET", "requests") == []
    await control(http, server, "POST", "reset")
    exists = await client.query({"controller": "index", "action": "exists", "index": "i"})
    assert exists["result"] is False


def test_start_in_thread() -> None:
    handle = start_in_thread(ServerConfig(port=0))
    try:
        assert handle.url == f"http://127.0.0.1:{handle.port}"

        async def now() -> int:
            async with aiohttp.ClientSession() as session, session.get(f"{handle.url}/_now") as r:
                return int((await r.json())["result"]["now"])

        assert asyncio.run(now()) > 0
    finally:
        handle.stop()


REPOSITORY = Path(__file__).resolve().parents[2]


async def test_command_line(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kuzzle_devserver", "--port", "0", "--data", str(tmp_path),
        cwd=REPOSITORY, stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert line.startswith("kuzzle-devserver listening on http://127.0.0.1:")
        url = line.split()[-1]
        async with aiohttp.ClientSession() as session, session.get(f"{url}/_now") as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    assert (tmp_path / "kuzzle.sqlite3").is_file()


async def test_control_preflight(server: DevServer, http: aiohttp.ClientSession) -> None:
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "content-type"}
    async with http.options(f"{server.url}/_devserver/pings", headers=headers) as response:
        assert response.status == 200
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


async def test_blast(server: DevServer, http: aiohttp.ClientSession, ws_connect: Any) -> None:
    subscriber, bystander = await ws_connect(server), await ws_connect(server)
    subscribed = await subscriber.query({"controller": "realtime", "action": "subscribe",
                                         "index": "i", "collection": "c", "body": {}})
    channel = subscribed["result"]["channel"]
    answer = await control(http, server, "POST", "blast", {"channel": channel, "count": 500})
    assert answer == {"channel": channel, "count": 500, "sent": 500}
    received = [await subscriber.notification(channel) for _ in range(500)]
    assert [m["result"]["_source"]["n"] for m in received] == list(range(500))
    assert {(m["type"], m["action"], m["index"], m["collection"]) for m in received} == {
        ("document", "publish", "i", "c")}
    assert (await control(http, server, "POST", "blast", {"channel": "nope", "count": 5}))["sent"] == 0
    await bystander.query({"controller": "server", "action": "now"})  # got no notification
    assert not [m for m in bystander._backlog if m.type == aiohttp.WSMsgType.TEXT]
