"""In Chromium, against the dev server: the WebSocket protocol of the seed, over the browser's WebSocket."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from inpage_support import (
    SERVER_HOST,
    SERVER_PORT,
    control,
    document_cookie,
    next_event,
    raises,
    scaled,
    within,
)

from kuzzle_browser import InvalidArgumentError, KeepaliveTimeout, Kuzzle, WebSocket


def protocol(**options: Any) -> WebSocket:
    return WebSocket(SERVER_HOST, port=SERVER_PORT, **options)


async def open_sockets() -> list[dict[str, Any]]:
    return [s for s in await control("sockets", method="GET") if s["open"]]


async def test_connect_query_and_properties() -> None:
    """Properties as given; a request over the real socket; close() ends it."""
    ws = protocol(ping_interval=1.5, reconnection_delay=0.25)
    assert (ws.host, ws.port, ws.ssl, ws.ping_interval, ws.reconnection_delay, ws.auto_reconnect) == (
        SERVER_HOST,
        SERVER_PORT,
        False,
        1.5,
        0.25,
        True,
    )
    await within(ws.connect())
    try:
        assert ws.connected
        response = await within(ws.query({"controller": "server", "action": "now"}))
        assert response["status"] == 200 and response["room"] == response["requestId"]
        assert isinstance(response["result"]["now"], int)
    finally:
        ws.close()
    assert not ws.connected


async def test_headers_option_is_rejected() -> None:
    """The browser cannot set WebSocket headers: a clear error at construction."""
    with raises(InvalidArgumentError, match="cannot set request headers"):
        protocol(headers={"X-Custom": "1"})


async def test_ping_counted_by_server_at_the_interval() -> None:
    """The server counts one {"p":1} per ping_interval on our socket."""
    interval = 0.3
    ws = protocol(ping_interval=interval)
    await within(ws.connect())
    try:
        await asyncio.sleep(interval * 5.5)  # we are measuring the rhythm itself
        (ours,) = await open_sockets()
        times = ours["ping_times"]
        assert len(times) >= 4, ours
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(interval * 0.5 <= gap <= interval * 2 + scaled(0.3) for gap in gaps), gaps
    finally:
        ws.close()


async def test_silent_server_detected_within_two_intervals_and_reconnected() -> None:
    """Pings unanswered: disconnect within 2 intervals, KeepaliveTimeout, then reconnect."""
    interval = 0.4
    ws = protocol(ping_interval=interval, reconnection_delay=0.1)
    await within(ws.connect())
    loop = asyncio.get_running_loop()
    disconnected, error = next_event(ws, "disconnect"), next_event(ws, "networkError")
    reconnected = next_event(ws, "reconnect")
    try:
        await control("pings", {"answer": False})
        silent_since = loop.time()
        assert (await within(disconnected))[0] == {"origin": "network/error"}
        assert loop.time() - silent_since <= 2 * interval + scaled(0.3)
        assert isinstance((await error)[0], KeepaliveTimeout)
        await control("pings", {"answer": True})
        await within(reconnected)
        assert ws.connected
        assert (await within(ws.query({"controller": "server", "action": "now"})))["status"] == 200
    finally:
        await control("pings", {"answer": True})
        ws.close()


async def test_reconnects_after_server_restart() -> None:
    """The server goes away for a while: disconnect, retries, reconnect, requests work again."""
    ws = protocol(reconnection_delay=0.2)
    await within(ws.connect())
    disconnected, reconnected = next_event(ws, "disconnect"), next_event(ws, "reconnect")
    try:
        await control("restart", {"down": 1.0})
        assert (await within(disconnected))[0] == {"origin": "network/error"}
        await within(reconnected, 20)
        assert (await within(ws.query({"controller": "server", "action": "now"})))["status"] == 200
    finally:
        ws.close()


async def test_close_during_reconnection_opens_no_socket() -> None:
    """close() while a reconnection is pending: no socket opens afterwards (server-side count)."""
    ws = protocol(reconnection_delay=0.5)
    await within(ws.connect())
    disconnected = next_event(ws, "disconnect")
    await control("drop", {"mode": "abort"})
    await within(disconnected)
    ws.close()
    await asyncio.sleep(1.5)  # longer than the reconnection delay: nothing may happen
    assert await open_sockets() == []


async def test_listener_that_raises_breaks_nothing() -> None:
    """A listener raising inside a browser event handler is logged; others still run."""
    ws = protocol()
    seen: list[str] = []

    def bad() -> None:
        raise RuntimeError("listener failure")

    ws.on("connect", bad)
    ws.on("connect", lambda: seen.append("ok"))
    await within(ws.connect())
    try:
        assert seen == ["ok"] and ws.connected
        assert (await within(ws.query({"controller": "server", "action": "now"})))["status"] == 200
    finally:
        ws.close()


async def test_cookie_login_then_authenticated_socket_without_jwt() -> None:
    """Cookie login over HTTP resolves; the renewed socket is authenticated; no jwt; JS cannot read it."""
    await control("requests", method="DELETE")
    kuzzle = Kuzzle(protocol(), cookie_auth=True)
    await within(kuzzle.connect())
    try:
        credentials = {"username": "alice", "password": "alice-password"}
        assert await within(kuzzle.auth.login("local", credentials)) is None
        user = await within(kuzzle.auth.get_current_user())
        assert user["_id"] == "alice"
        assert kuzzle.jwt is None and kuzzle.authenticated
        assert "authToken" not in document_cookie()
        recorded = await control("requests", method="GET")
        frames = [r["frame"] for r in recorded if r.get("transport") == "websocket"]
        assert frames and all("jwt" not in f for f in frames if isinstance(f, dict))
        (ours,) = await open_sockets()
        assert ours["cookie_auth"] is True
        await within(kuzzle.auth.logout())
        anonymous = await within(kuzzle.auth.get_current_user())
        assert anonymous["_id"] == "-1"
    finally:
        await kuzzle.disconnect()


async def test_proxies_back_to_zero_after_cycles() -> None:
    """Every handler proxy is destroyed: live count back to 0 after connect/close cycles."""
    ws = protocol()
    transport = ws.transport
    for _ in range(20):
        await within(ws.connect())
        ws.close()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert transport.live_proxies == 0  # type: ignore[attr-defined]


async def test_server_close_with_1000_is_a_loss_and_reconnects() -> None:
    """A clean close we did not ask for (code 1000 or 1001) still means: reconnect.

    JS SDK 7.17.1 treats any 1000 close as user-initiated: no reconnection, and
    ``connected`` stays true on a closed socket (docs/protocol.md §6.3).
    """
    ws = protocol(reconnection_delay=0.1)
    await within(ws.connect())
    try:
        for code in (1000, 1001):
            disconnected, reconnected = next_event(ws, "disconnect"), next_event(ws, "reconnect")
            await control("drop", {"mode": "close", "code": code})
            assert (await within(disconnected))[0] == {"origin": "network/error"}
            await within(reconnected)
            assert ws.connected
    finally:
        ws.close()
