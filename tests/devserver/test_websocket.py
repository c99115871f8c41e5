"""WebSocket conformance: envelope, ping, roomless messages, limits, TokenExpired (docs/protocol.md §2)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from kuzzle_devserver import DevServer
from pytest_kuzzle_browser.settings import scaled

ServerFactory = Callable[..., Awaitable[DevServer]]


async def test_response_envelope_has_room(ws: Any) -> None:
    response = await ws.query(
        {
            "requestId": "abc",
            "controller": "server",
            "action": "now",
            "volatile": {"sdkName": "js@7.17.1", "sdkInstanceId": "i"},
        }
    )
    assert response["room"] == "abc" and response["requestId"] == "abc"
    assert response["status"] == 200 and response["error"] is None
    assert response["volatile"] == {"sdkName": "js@7.17.1", "sdkInstanceId": "i"}
    assert response["headers"] == {} and response["node"]
    assert {"controller", "action", "result"} <= set(response)
    assert not {"index", "collection"} & set(response)  # absent when the request had none


async def test_any_path_is_a_websocket(server: DevServer, ws_connect: Any) -> None:
    client = await ws_connect(server, path="/some/path")
    assert (await client.query({"controller": "server", "action": "now"}))["status"] == 200


async def test_application_ping(ws: Any) -> None:
    await ws.send('{"p":1}')
    pong = await ws.next_raw()
    assert pong.type == aiohttp.WSMsgType.TEXT and pong.data == '{"p":2}'
    # Not exactly one key "p" equal to 1: a normal request (that fails as one).
    await ws.send({"p": 1, "requestId": "r"})
    answer = await ws.next_message(lambda m: m.get("requestId") == "r")
    assert answer["error"]["id"] == "api.process.controller_not_found"


async def test_messages_without_room(ws: Any) -> None:
    await ws.send("{not json")
    error = await ws.next_message()
    assert "room" not in error
    assert error["error"]["id"] == "network.websocket.unexpected_error"
    assert error["error"]["code"] == 50528257 and error["status"] == 400
    await ws.send("[1, 2]")
    error = await ws.next_message()
    assert "room" not in error and error["status"] == 400
    await ws.send({"requestId": 42, "controller": "server", "action": "now"})
    error = await ws.next_message()
    assert "room" not in error and error["requestId"] == 42
    assert error["error"]["id"] == "api.assert.invalid_type"
    await ws.ws.send_bytes(b'{"controller":"server","action":"now"}')
    error = await ws.next_message()
    assert "room" not in error and error["error"]["id"] == "network.websocket.unexpected_error"


async def test_boolean_arguments_must_be_booleans(ws: Any) -> None:
    answer = await ws.query(
        {
            "controller": "auth",
            "action": "login",
            "strategy": "local",
            "cookieAuth": "yes",
            "body": {"username": "alice", "password": "alice-password"},
        }
    )
    assert answer["error"]["id"] == "api.assert.invalid_type"
    assert answer["error"]["props"] == ["cookieAuth", "boolean"]


async def test_missing_argument(ws: Any) -> None:
    answer = await ws.query({"controller": "document", "action": "get", "index": "i"})
    assert answer["error"]["id"] == "api.assert.missing_argument"
    assert answer["error"]["code"] == 33619971


async def test_idle_timeout_closes_silent_sockets(start_server: ServerFactory, ws_connect: Any) -> None:
    server = await start_server(idle_timeout=1)
    client = await ws_connect(server)
    closed = await client.closed(timeout=10)
    assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    report = server.socket_report()
    assert report[0]["open"] is False


async def test_pings_keep_a_socket_alive(start_server: ServerFactory, ws_connect: Any) -> None:
    idle = scaled(1.5)  # a loaded machine may delay a ping: the margin grows with the scale
    server = await start_server(idle_timeout=idle)
    client = await ws_connect(server)
    for _ in range(10):  # pings for twice the idle timeout
        await client.send('{"p":1}')
        pong = await client.next_raw()
        assert pong.data == '{"p":2}'
        await asyncio.sleep(idle / 5)  # the client-side ping interval
    assert server.socket_report()[0]["open"] is True


async def test_frame_size_limit(start_server: ServerFactory, ws_connect: Any) -> None:
    server = await start_server(max_request_size=1000)
    client = await ws_connect(server)
    await client.send(json.dumps({"controller": "server", "action": "now", "pad": "x" * 2000}))
    closed = await client.closed()
    assert closed.type == aiohttp.WSMsgType.CLOSE and closed.data == 1009


async def test_token_expired_notification(ws: Any, login_as: Any) -> None:
    jwt = await login_as(ws, expiresIn="1s")
    subscribed = await ws.query(
        {
            "controller": "realtime",
            "action": "subscribe",
            "index": "i",
            "collection": "c",
            "body": {},
            "jwt": jwt,
        }
    )
    room_id = subscribed["result"]["roomId"]
    expired = await ws.notification("kuzzle:notification:server")
    assert expired == {
        "status": 200,
        "info": "This is an automated server notification",
        "message": "Authentication Token Expired",
        "type": "TokenExpired",
        "node": expired["node"],
        "room": "kuzzle:notification:server",
    }
    count = await ws.query({"controller": "realtime", "action": "count", "body": {"roomId": room_id}})
    assert count["error"]["id"] == "core.realtime.room_not_found"  # subscriptions removed
    late = await ws.query({"controller": "server", "action": "now", "jwt": jwt})
    assert late["error"]["id"] == "security.token.expired"


async def test_upgrade_cookie_authenticates_every_message(
    server: DevServer, http: aiohttp.ClientSession, ws_connect: Any
) -> None:
    async with http.post(
        f"{server.url}/_login/local?cookieAuth", json={"username": "bob", "password": "bob-password"}
    ) as response:
        token = response.cookies["authToken"].value
    client = await ws_connect(server, headers={"Cookie": f"authToken={token}"})
    me = await client.query({"controller": "auth", "action": "getCurrentUser"})
    assert me["result"]["_id"] == "bob"
    both = await client.query({"controller": "auth", "action": "getCurrentUser", "jwt": token})
    assert both["error"]["id"] == "security.token.verification_error"
    report = server.socket_report()
    assert report[0]["cookie_auth"] is True and report[0]["kuid"] == "bob"


async def test_sdk_version_over_websocket(ws: Any) -> None:
    answer = await ws.query({"controller": "server", "action": "now", "volatile": {"sdkVersion": "5.0.0"}})
    assert answer["error"]["id"] == "api.process.incompatible_sdk_version"
