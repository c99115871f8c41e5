"""Level 2: the WebSocket protocol over the in-memory transport."""

from __future__ import annotations

import asyncio
import json
import warnings

import pytest

from kuzzle_browser import (
    ApiError,
    InvalidArgumentError,
    KeepaliveTimeout,
    NetworkError,
    NotConnectedError,
    NotFoundError,
    RequestTimeoutError,
    WebSocket,
)

from .conftest import MS, next_event, within
from .fakes import FakeSocket, FakeTransport


def make(transport: FakeTransport, **options: object) -> WebSocket:
    options.setdefault("reconnection_delay", 10 * MS)
    return WebSocket("127.0.0.1", transport=transport, **options)  # type: ignore[arg-type]


# -- construction ---------------------------------------------------------------


def test_headers_are_rejected_with_a_clear_error() -> None:
    """Browsers cannot set WebSocket headers: say so, and say what to use."""
    with pytest.raises(InvalidArgumentError, match=r"cannot set request headers.*cookie_auth"):
        WebSocket("127.0.0.1", headers={"Authorization": "x"})
    WebSocket("127.0.0.1", headers={})  # empty is harmless


@pytest.mark.parametrize(("port", "ssl"), [(443, True), (7443, True), (7512, False), ("8080", False)])
def test_ssl_defaults_from_port(port: int, ssl: bool) -> None:
    """ssl defaults to True for ports 443 and 7443; string ports are accepted."""
    ws = WebSocket("h", port=port)
    assert ws.ssl is ssl
    assert ws.url == f"{'wss' if ssl else 'ws'}://h:{int(port)}"
    assert ws.http_url.startswith("https://" if ssl else "http://")


def test_ssl_connection_is_deprecated_alias() -> None:
    """ssl_connection works with a DeprecationWarning; both options together are an error."""
    with pytest.warns(DeprecationWarning, match="ssl_connection is deprecated"):
        assert WebSocket("h", ssl_connection=True).ssl is True
    with warnings.catch_warnings(), pytest.raises(InvalidArgumentError, match="Use only"):
        warnings.simplefilter("ignore")
        WebSocket("h", ssl=True, ssl_connection=True)


@pytest.mark.parametrize(
    "options",
    [
        {"port": 0},
        {"port": "abc"},
        {"port": True},
        {"ssl": "yes"},
        {"auto_reconnect": 1},
        {"reconnection_delay": -1},
        {"ping_interval": 0},
        {"ping_interval": "2"},
    ],
)
def test_wrong_options_are_typed_errors(options: dict[str, object]) -> None:
    """Wrong types and values fail at construction with InvalidArgumentError (a ValueError)."""
    (name,) = options
    with pytest.raises(InvalidArgumentError, match=name) as raised:
        WebSocket("h", **options)  # type: ignore[arg-type]
    assert isinstance(raised.value, ValueError)


def test_properties() -> None:
    """The JS SDK's properties, in snake_case, durations in seconds."""
    ws = WebSocket("kuzzle.example", port=7512, ping_interval=5, reconnection_delay=3, auto_reconnect=False)
    assert (ws.host, ws.port, ws.ssl, ws.connected) == ("kuzzle.example", 7512, False, False)
    assert (ws.ping_interval, ws.reconnection_delay, ws.auto_reconnect) == (5.0, 3.0, False)
    ws.auto_reconnect = True
    ws.reconnection_delay = 0.5
    assert (ws.auto_reconnect, ws.reconnection_delay) == (True, 0.5)
    with pytest.raises(InvalidArgumentError):
        ws.auto_reconnect = "no"  # type: ignore[assignment]


# -- requests ------------------------------------------------------------------------


async def test_connect_then_query(transport: FakeTransport) -> None:
    """connect() emits connect, then a request resolves with the whole envelope."""
    ws = make(transport)
    connected = next_event(ws, "connect")
    await within(ws.connect())
    assert ws.connected and connected.done()
    response = await within(ws.query({"controller": "server", "action": "now"}))
    assert response["result"] == {"now": 1234}
    assert response["room"] == response["requestId"]


async def test_api_error_is_typed_and_emitted(transport: FakeTransport) -> None:
    """An error response raises the status's subclass and emits queryError."""
    ws = make(transport)
    await within(ws.connect())
    query_error = next_event(ws, "queryError")
    with pytest.raises(NotFoundError) as caught:
        await within(ws.query({"controller": "nope", "action": "x"}))
    assert caught.value.id == "api.process.action_not_found" and caught.value.code == 33685509
    assert isinstance(caught.value, ApiError) and caught.value.status == 404
    assert (await query_error)[0]["error"] is caught.value


async def test_query_while_offline_is_discarded(transport: FakeTransport) -> None:
    """Not connected: discarded is emitted and NotConnectedError (a ConnectionError) raised."""
    ws = make(transport)
    discarded = next_event(ws, "discarded")
    with pytest.raises(ConnectionError):
        await ws.query({"controller": "server", "action": "now"})
    assert (await discarded)[0]["action"] == "now"


async def test_request_timeout(transport: FakeTransport) -> None:
    """No answer in time: RequestTimeoutError, which is a TimeoutError."""
    ws = make(transport)
    await within(ws.connect())
    transport.peer.answer_requests = False
    with pytest.raises(TimeoutError) as caught:
        await ws.query({"controller": "server", "action": "now"}, timeout=20 * MS)
    assert isinstance(caught.value, RequestTimeoutError)


async def test_oversized_request_fails_before_sending(transport: FakeTransport) -> None:
    """A request above max_request_size is refused locally; nothing reaches the socket."""
    ws = make(transport, max_request_size=1000)
    await within(ws.connect())
    with pytest.raises(InvalidArgumentError, match="Kuzzle accepts at most 1000"):
        await ws.query({"controller": "document", "action": "create", "body": {"x": "é" * 600}})
    assert transport.socket.sent == []


async def test_unroutable_error_with_request_id_settles_that_request(transport: FakeTransport) -> None:
    """Kuzzle's errors without room but with requestId reject the request (JS SDK leaves it hanging)."""
    ws = make(transport)
    await within(ws.connect())
    transport.peer.answer_requests = False
    pending = asyncio.ensure_future(ws.query({"controller": "server", "action": "now", "requestId": "r1"}))
    await asyncio.sleep(0)
    transport.socket.push(
        json.dumps(
            {"requestId": "r1", "status": 400, "error": {"id": "api.assert.invalid_type", "status": 400}}
        )
    )
    with pytest.raises(ApiError, match="Unknown Kuzzle error"):
        await within(pending)


@pytest.mark.parametrize("frame", ["garbage", "[]", b"\x01\x02", '{"room":"unknown-channel"}'])
async def test_bad_frames_never_break_the_connection(transport: FakeTransport, frame: str | bytes) -> None:
    """Malformed frames and unknown rooms are logged/emitted; requests still work."""
    ws = make(transport)
    await within(ws.connect())
    transport.socket.push(frame)
    assert ws.connected
    assert (await within(ws.query({"controller": "server", "action": "now"})))["result"]["now"] == 1234


async def test_listener_that_raises_does_not_break_anything(transport: FakeTransport) -> None:
    """A failing listener is logged; the next listeners and the connection go on."""
    ws = make(transport)
    calls: list[str] = []

    def bad() -> None:
        raise RuntimeError("boom")

    ws.on("connect", bad)
    ws.on("connect", lambda: calls.append("second"))
    await within(ws.connect())
    assert calls == ["second"] and ws.connected


def test_unknown_event_name_fails_loudly() -> None:
    """A typo in an event name raises instead of never firing."""
    with pytest.raises(InvalidArgumentError, match="Unknown event 'conect'"):
        WebSocket("h").on("conect", print)


# -- keep-alive and reconnection ------------------------------------------------------


async def test_pings_sent_at_interval_and_answered(transport: FakeTransport) -> None:
    """The application ping {"p":1} goes out every interval; answers keep the link alive."""
    ws = make(transport, ping_interval=20 * MS)
    await within(ws.connect())
    await within(transport.peer.wait_until(lambda: transport.peer.pings >= 3))
    assert ws.connected and len(transport.sockets) == 1


async def test_silent_server_detected_within_two_intervals_then_reconnected(transport: FakeTransport) -> None:
    """No pong: disconnect (network/error) within 2 intervals, KeepaliveTimeout, then reconnect."""
    interval = 50 * MS
    ws = make(transport, ping_interval=interval)
    await within(ws.connect())
    loop = asyncio.get_running_loop()
    disconnected, error, reconnected = (
        next_event(ws, "disconnect"),
        next_event(ws, "networkError"),
        next_event(ws, "reconnect"),
    )
    transport.peer.answer_pings = False
    silent_since = loop.time()
    assert (await within(disconnected))[0] == {"origin": "network/error"}
    assert loop.time() - silent_since <= 2 * interval + 50 * MS
    assert isinstance((await error)[0], KeepaliveTimeout)
    transport.peer.answer_pings = True
    await within(reconnected)
    assert ws.connected and len(transport.sockets) == 2
    assert transport.sockets[0].closed_with == 1000


async def test_drop_fails_pending_requests_and_reconnects(transport: FakeTransport) -> None:
    """A dropped link fails its pending requests with NetworkError, then reconnects."""
    ws = make(transport)
    await within(ws.connect())
    transport.peer.answer_requests = False
    pending = asyncio.ensure_future(ws.query({"controller": "server", "action": "now"}))
    await asyncio.sleep(0)
    reconnected = next_event(ws, "reconnect")
    transport.socket.drop()
    with pytest.raises(NetworkError, match="no response has been received"):
        await within(pending)
    await within(reconnected)


async def test_failed_connect_raises_and_retries_in_background(transport: FakeTransport) -> None:
    """connect() raises NetworkError; retries go on and succeed later with connect (not reconnect)."""
    transport.refuse = True
    ws = make(transport)
    errors: list[object] = []
    three_failures: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def failed(error: object) -> None:
        errors.append(error)
        if len(errors) == 3:
            three_failures.set_result(None)

    ws.on("networkError", failed)
    with pytest.raises(NetworkError, match="Unable to connect"):
        await within(ws.connect())
    await within(three_failures)
    assert len(errors) == len(transport.sockets)  # one networkError per failed attempt
    connected = next_event(ws, "connect")
    transport.refuse = False
    await within(connected)
    assert ws.connected


async def test_close_cancels_pending_reconnection(transport: FakeTransport) -> None:
    """close() during a reconnect delay: no socket opens afterwards (the JS SDK opens one)."""
    ws = make(transport, reconnection_delay=30 * MS)
    await within(ws.connect())
    transport.socket.drop()
    ws.close()
    await asyncio.sleep(100 * MS)
    assert len(transport.sockets) == 1 and not ws.connected


async def test_close_while_offline_releases_the_online_listener(transport: FakeTransport) -> None:
    """close() while waiting for the browser to come back online frees that listener at once."""
    ws = make(transport)
    await within(ws.connect())
    transport.online = False
    lost = next_event(ws, "networkError")
    transport.socket.drop()
    await within(lost)
    await asyncio.sleep(0)  # the reconnection task starts and registers its listener
    assert transport.online_listeners == 1
    ws.close()
    await asyncio.sleep(0)  # the cancelled task runs its cleanup
    assert transport.online_listeners == 0
    transport.go_online()
    await asyncio.sleep(0)
    assert len(transport.sockets) == 1 and not ws.connected


async def test_no_attempt_while_offline_then_prompt_on_online(transport: FakeTransport) -> None:
    """While navigator.onLine is false, wait for the online event instead of retrying."""
    ws = make(transport, reconnection_delay=5 * MS)
    await within(ws.connect())
    transport.online = False
    transport.socket.drop()
    await asyncio.sleep(50 * MS)
    assert len(transport.sockets) == 1
    reconnected = next_event(ws, "reconnect")
    transport.go_online()
    await within(reconnected)
    assert len(transport.sockets) == 2


async def test_auto_reconnect_change_applies_on_next_connect(transport: FakeTransport) -> None:
    """auto_reconnect set while connected only matters after the next connect()."""
    ws = make(transport)
    await within(ws.connect())
    ws.auto_reconnect = False
    reconnected = next_event(ws, "reconnect")
    transport.socket.drop()
    await within(reconnected)  # still the old setting
    ws.close()
    await within(ws.connect())
    transport.socket.drop()
    await asyncio.sleep(50 * MS)
    assert not ws.connected and len(transport.sockets) == 3


async def test_user_close_emits_user_origin(transport: FakeTransport) -> None:
    """close() tells listeners it was the user's doing."""
    ws = make(transport)
    await within(ws.connect())
    disconnected = next_event(ws, "disconnect")
    ws.close()
    assert (await disconnected)[0] == {"origin": "user/connection-closed"}
    with pytest.raises(NotConnectedError):
        await ws.query({"controller": "server", "action": "now"})


# -- cookie authentication ------------------------------------------------------------


async def test_cookie_login_goes_over_http_and_renews_socket(transport: FakeTransport) -> None:
    """Login with credentials over HTTP resolves, then a new socket carries the cookie."""
    ws = make(transport)
    ws.enable_cookie_support()
    await within(ws.connect())
    started, done = next_event(ws, "websocketRenewalStart"), next_event(ws, "websocketRenewalDone")
    response = await within(
        ws.query(
            {"controller": "auth", "action": "login", "strategy": "local", "body": {}, "cookieAuth": True}
        )
    )
    assert response["result"]["_id"] == "alice"
    assert started.done() and done.done()
    call = transport.http_calls[0]
    assert call["credentials"] is True and call["url"] == "http://127.0.0.1:7512/_login/local?cookieAuth"
    assert len(transport.sockets) == 2 and transport.socket.cookie == "authToken=fake"
    assert transport.sockets[0].closed_with == 1000 and ws.connected
    checked = await within(ws.query({"controller": "auth", "action": "checkToken", "body": {}}))
    assert checked["result"]["valid"] is True


async def test_connect_timeout_when_the_upgrade_never_answers(transport: FakeTransport) -> None:
    """A socket stuck opening (half-open path) fails after connect_timeout, then retries."""
    ws = make(transport, connect_timeout=30 * MS)
    real_open = transport.open_socket

    def swallow(url: str, listener: object) -> object:
        socket = FakeSocket(transport, url, listener)  # type: ignore[arg-type]
        transport.sockets.append(socket)
        return socket  # never accepted, never refused

    transport.open_socket = swallow  # type: ignore[method-assign, assignment]
    retried = next_event(ws, "networkError")
    with pytest.raises(NetworkError, match="no answer within"):
        await within(ws.connect())
    assert transport.sockets[0].closed_with == 1000
    await within(retried)  # the failed attempt was reported ...
    transport.open_socket = real_open  # type: ignore[method-assign]
    await within(next_event(ws, "connect"))  # ... and the loop tried again and got through
    assert ws.connected


async def test_a_batch_of_frames_settles_each_request_and_notifies_in_order(transport: FakeTransport) -> None:
    """socket_messages (a batching transport's entry point): answers and notifications, one call."""
    ws = make(transport)
    await within(ws.connect())
    transport.peer.answer_requests = False
    seen: list[int] = []
    ws.add_channel_listener("ch", lambda payload: seen.append(payload["n"]))
    pending = [
        asyncio.ensure_future(ws.query({"controller": "server", "action": "now", "requestId": f"r{n}"}))
        for n in range(3)
    ]
    await asyncio.sleep(0)
    frames: list[str | bytes] = [json.dumps({"room": "ch", "n": n}) for n in range(2)]
    frames += [
        json.dumps({"room": f"r{n}", "requestId": f"r{n}", "status": 200, "result": n}) for n in (2, 0, 1)
    ]
    transport.socket.listener.socket_messages(frames)
    assert [response["result"] for response in await within(asyncio.gather(*pending))] == [0, 1, 2]
    assert seen == [0, 1]


async def test_zero_reconnection_delay_retries_at_once(transport: FakeTransport) -> None:
    """reconnection_delay=0 is allowed: the retry comes on the next loop turn."""
    ws = make(transport, reconnection_delay=0)
    await within(ws.connect())
    reconnected = next_event(ws, "reconnect")
    transport.socket.drop()
    await within(reconnected)
    assert len(transport.sockets) == 2


async def test_what_connect_listeners_start_goes_out_before_the_callers_requests(
    transport: FakeTransport,
) -> None:
    """A task spawned on connect (the client's checkToken) sends before the code awaiting connect()."""
    ws = make(transport)
    tasks: list[asyncio.Task[object]] = []
    ws.on(
        "connect",
        lambda: tasks.append(asyncio.ensure_future(ws.query({"controller": "auth", "action": "checkToken"}))),
    )
    # Awaited directly, not through within(): its extra loop turns would hide the order.
    await ws.connect()
    await ws.query({"controller": "server", "action": "now"})
    await within(tasks[0])
    assert [request["action"] for request in transport.peer.requests] == ["checkToken", "now"]
