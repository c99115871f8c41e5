"""Level 2: the Http protocol (and Kuzzle over it) on the in-memory transport."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlsplit

import pytest

from kuzzle_browser import (
    BadResponseError,
    ForbiddenError,
    Http,
    InternalError,
    InvalidArgumentError,
    Kuzzle,
    NetworkError,
    NotConnectedError,
    RealtimeUnavailableError,
    UnauthorizedError,
)
from kuzzle_browser.transport.base import HttpResponse

from .conftest import next_event, within
from .fakes import FakeTransport

PUBLIC_API = {
    "server": {"now": {"action": "now", "controller": "server", "http": [{"verb": "GET", "url": "/_now"}]}},
    "document": {
        "search": {
            "http": [
                {"verb": "GET", "url": "/:index/:collection/_search"},
                {"verb": "POST", "url": "/:index/:collection/_search"},
            ]
        },
        "create": {
            "http": [
                {"verb": "POST", "url": "/:index/:collection/_create"},
                {"verb": "POST", "url": "/:index/:collection/:_id/_create"},
            ]
        },
    },
    "auth": {
        "login": {
            "http": [
                {"verb": "POST", "url": "/_login/:strategy"},
                {"verb": "GET", "url": "/_login/:strategy"},
            ]
        },
        "checkToken": {"http": [{"verb": "POST", "url": "/_checkToken"}]},
    },
    "greeter": {"sayHello": {"http": [{"verb": "POST", "url": "/_/greeter/hello/:name"}]}, "noRoute": {}},
}


def envelope(result: Any = None, error: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    body = {"requestId": "r", "status": status, "error": error, "result": result}
    return HttpResponse(status=status, text=json.dumps(body))


def error(status: int, id_: str) -> dict[str, Any]:
    return {"id": id_, "code": 1, "status": status, "message": id_}


class FakeServer:
    """Answers ``(method, path)`` from a table; records what it got."""

    def __init__(self, transport: FakeTransport, public_api: HttpResponse | None = None) -> None:
        self.answers: dict[tuple[str, str], HttpResponse] = {
            ("GET", "/_publicApi"): public_api or envelope(PUBLIC_API),
            ("GET", "/_now"): envelope({"now": 42}),
        }
        self.calls: list[tuple[str, str, str | None]] = []
        transport.http_handler = self.handle

    def handle(self, method: str, url: str, body: str | None) -> HttpResponse:
        parts = urlsplit(url)
        self.calls.append((method, parts.path + (f"?{parts.query}" if parts.query else ""), body))
        return self.answers.get(
            (method, parts.path), envelope(error=error(404, "network.http.url_not_found"))
        )


def http(transport: FakeTransport, **options: Any) -> Http:
    return Http("127.0.0.1", transport=transport, **options)


async def test_connect_discovers_routes_and_custom_controllers(transport: FakeTransport) -> None:
    """connect() reads server:publicApi: custom controller routes work; the JS route choice is kept."""
    server = FakeServer(transport)
    protocol = http(transport)
    connected = next_event(protocol, "connect")
    await within(protocol.connect())
    await within(connected)
    assert protocol.is_ready() and protocol.connected
    routes = protocol.routes
    assert routes["document"]["search"] == ("POST", "/:index/:collection/_search")  # always POST
    assert routes["document"]["create"] == ("POST", "/:index/:collection/_create")  # the shortest
    assert "noRoute" not in routes["greeter"]
    server.answers[("POST", "/_/greeter/hello/ann%20b")] = envelope("Hello, ann b")
    response = await within(
        protocol.query({"controller": "greeter", "action": "sayHello", "name": "ann b", "loud": True})
    )
    assert response["result"] == "Hello, ann b"
    assert server.calls[-1][:2] == ("POST", "/_/greeter/hello/ann%20b?loud")


async def test_forbidden_public_api_falls_back_to_static_routes(
    transport: FakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    """401/403 on publicApi: static routes with a warning; custom_routes still reach custom controllers."""
    server = FakeServer(transport, envelope(error=error(403, "security.rights.forbidden"), status=403))
    protocol = http(transport, custom_routes={"greeter": {"sayHello": {"verb": "get", "url": "/hi/:name"}}})
    with caplog.at_level(logging.WARNING, "kuzzle_browser.http"):
        await within(protocol.connect())
    assert "static routes" in caplog.text
    assert (await within(protocol.query({"controller": "server", "action": "now"})))["result"] == {"now": 42}
    server.answers[("GET", "/hi/ann")] = envelope("hi")
    assert (await protocol.query({"controller": "greeter", "action": "sayHello", "name": "ann"}))[
        "result"
    ] == "hi"
    with pytest.raises(InvalidArgumentError, match='No URL found for "greeter:other"'):
        await protocol.query({"controller": "greeter", "action": "other"})


async def test_forbidden_public_api_still_routes_security_ms_and_bulk(transport: FakeTransport) -> None:
    """With publicApi forbidden, the static table has Kuzzle's security, ms and bulk routes."""
    server = FakeServer(transport, envelope(error=error(403, "security.rights.forbidden"), status=403))
    server.answers[("GET", "/roles/editor")] = envelope({"_id": "editor", "_source": {"controllers": {}}})
    server.answers[("GET", "/ms/k")] = envelope("v")
    server.answers[("POST", "/idx/col/_write")] = envelope({"_id": "d", "_source": {"a": 1}, "_version": 1})
    kuzzle = Kuzzle(http(transport))
    await within(kuzzle.connect())
    assert (await within(kuzzle.security.get_role("editor")))._id == "editor"
    assert await within(kuzzle.ms.get("k")) == "v"
    assert (await within(kuzzle.bulk.write("idx", "col", {"a": 1}, "d")))["_id"] == "d"
    assert [call[:2] for call in server.calls[-3:]] == [
        ("GET", "/roles/editor"),
        ("GET", "/ms/k"),
        ("POST", "/idx/col/_write?_id=d"),
    ]


async def test_missing_public_api_falls_back_to_server_info(transport: FakeTransport) -> None:
    """404 (Kuzzle < 1.9): the routes come from server:info, as in the JS SDK."""
    server = FakeServer(transport, envelope(error=error(404, "network.http.url_not_found"), status=404))
    server.answers[("GET", "/_serverInfo")] = envelope(
        {"serverInfo": {"kuzzle": {"api": {"routes": PUBLIC_API}}}}
    )
    protocol = http(transport)
    await within(protocol.connect())
    assert protocol.routes["greeter"]["sayHello"] == ("POST", "/_/greeter/hello/:name")


async def test_connect_failure_emits_network_error_and_raises(transport: FakeTransport) -> None:
    """An unreachable server: networkError is emitted and connect() raises; a 500 stays Kuzzle's error."""
    protocol = http(transport)

    def refused(method: str, url: str, body: str | None) -> HttpResponse:
        raise NetworkError("fetch failed")

    transport.http_handler = refused
    emitted = next_event(protocol, "networkError")
    with pytest.raises(NetworkError):
        await protocol.connect()
    assert "Unable to connect to kuzzle server at 127.0.0.1:7512" in str((await within(emitted))[0])
    assert not protocol.is_ready()
    FakeServer(transport, envelope(error=error(500, "core.fatal"), status=500))
    with pytest.raises(InternalError):
        await protocol.connect()


async def test_realtime_subscriptions_raise_a_clear_error(transport: FakeTransport) -> None:
    """subscribe over Http raises RealtimeUnavailableError before any HTTP call."""
    server = FakeServer(transport)
    kuzzle = Kuzzle(http(transport))
    await within(kuzzle.connect())
    calls = len(server.calls)
    with pytest.raises(RealtimeUnavailableError, match="Use WebSocket for realtime"):
        await kuzzle.realtime.subscribe("i", "c", {}, callback=lambda n: None)
    assert all(path != "/_checkToken" for _, path, _ in server.calls[calls:])
    assert len(server.calls) == calls


@pytest.mark.parametrize(
    ("status", "text", "http_status"),
    [
        (502, "<html><body>502 Bad Gateway</body></html>", 502),
        (200, "", 502),
        (200, '{"truncated": ', 502),
        (200, "[1, 2]", 502),
    ],
)
async def test_bad_responses_are_typed(
    transport: FakeTransport, status: int, text: str, http_status: int
) -> None:
    """A body that is not Kuzzle JSON raises BadResponseError with the HTTP status, and queryError fires."""
    server = FakeServer(transport)
    protocol = http(transport)
    await within(protocol.connect())
    server.answers[("GET", "/_now")] = HttpResponse(status=status, text=text)
    query_error = next_event(protocol, "queryError")
    with pytest.raises(BadResponseError) as caught:
        await protocol.query({"controller": "server", "action": "now"})
    assert caught.value.status == http_status and caught.value.http_status == status
    assert "GET /_now answered" in str(caught.value)
    assert (await within(query_error))[0]["error"] is caught.value


async def test_kuzzle_errors_raise_api_errors_and_token_errors_expire(transport: FakeTransport) -> None:
    """Kuzzle's error envelope raises its ApiError; security.token.invalid also emits tokenExpired."""
    server = FakeServer(transport)
    protocol = http(transport)
    await within(protocol.connect())
    server.answers[("GET", "/_now")] = envelope(error=error(401, "security.token.invalid"), status=401)
    expired = next_event(protocol, "tokenExpired")
    with pytest.raises(UnauthorizedError):
        await protocol.query({"controller": "server", "action": "now", "jwt": "bad"})
    await within(expired)
    # An error raised before routing is the bare error object.
    server.answers[("GET", "/_now")] = HttpResponse(403, json.dumps(error(403, "x.y")))
    with pytest.raises(ForbiddenError):
        await protocol.query({"controller": "server", "action": "now"})


async def test_headers_jwt_and_cookies(transport: FakeTransport) -> None:
    """Default headers ride every call; jwt is a Bearer header; cookie support sends credentials."""
    FakeServer(transport)
    protocol = http(transport, headers={"X-App": "demo", "authorization": "overridden"})
    await within(protocol.connect())
    await protocol.query({"controller": "server", "action": "now", "jwt": "tok", "requestId": "r1"})
    call = transport.http_calls[-1]
    assert call["headers"]["X-App"] == "demo" and call["headers"]["Authorization"] == "Bearer tok"
    assert "authorization" not in call["headers"] and "r1" not in call["url"]
    assert call["credentials"] is False
    protocol.enable_cookie_support()
    await protocol.query({"controller": "server", "action": "now"})
    assert transport.http_calls[-1]["credentials"] is True


async def test_close_aborts_calls_in_flight(transport: FakeTransport) -> None:
    """close() fails pending calls with NetworkError and emits discarded; later queries are refused."""
    server = FakeServer(transport)
    protocol = http(transport)
    await within(protocol.connect())
    started = asyncio.Event()

    async def hang(method: str, url: str, body: str | None) -> HttpResponse:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    transport.http_handler = hang
    pending = asyncio.ensure_future(protocol.query({"controller": "server", "action": "now"}))
    await within(started.wait())
    discarded = next_event(protocol, "discarded")
    protocol.close()
    with pytest.raises(NetworkError, match="no response"):
        await within(pending)
    assert (await within(discarded))[0]["action"] == "now"
    with pytest.raises(NotConnectedError):
        await protocol.query({"controller": "server", "action": "now"})
    transport.http_handler = server.handle


async def test_kuzzle_over_http_cookie_auth(transport: FakeTransport) -> None:
    """Kuzzle(Http, cookie_auth=True): login returns no token, every call carries credentials."""
    server = FakeServer(transport)
    server.answers[("POST", "/_checkToken")] = envelope({"valid": False})
    server.answers[("POST", "/_login/local")] = envelope({"_id": "alice", "expiresAt": 1, "ttl": 1})
    kuzzle = Kuzzle(http(transport), cookie_auth=True)
    await within(kuzzle.connect())
    assert await kuzzle.auth.login("local", {"username": "alice", "password": "p"}) is None
    assert kuzzle.jwt is None
    assert await within(kuzzle.server.now()) == 42
    login = next(c for c in transport.http_calls if "/_login/local" in c["url"])
    assert login["url"].endswith("?cookieAuth") and all(c["credentials"] for c in transport.http_calls)


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ({"c": {"a": {"verb": "GET"}}}, "Incorrect URL for custom route c:a."),
        ({"c": {"a": {"url": "/x", "verb": ""}}}, "Incorrect VERB for custom route c:a."),
        ({"c": "nope"}, "custom_routes"),
    ],
)
def test_custom_routes_are_checked(routes: Any, message: str) -> None:
    """Malformed custom routes fail at construction, with the JS SDK's messages."""
    with pytest.raises(InvalidArgumentError, match=message):
        Http("h", custom_routes=routes)


def test_options() -> None:
    """ssl from the port, timeout 0 means none, headers must be strings."""
    assert Http("h", port=443).url == "https://h:443" and Http("h").protocol == "http"
    protocol = Http("h", timeout=0)
    assert protocol.timeout is None and not protocol.connected
    protocol.timeout = 2.5
    assert protocol.timeout == 2.5
    with pytest.raises(InvalidArgumentError):
        Http("h", headers={"X": 1})  # type: ignore[dict-item]
    with pytest.raises(InvalidArgumentError):
        Http("")


async def test_a_token_set_after_connect_is_not_checked(transport: FakeTransport) -> None:
    """The first connection's checkToken is about the token held at connect(): a (single-use)
    token set once connect() returned is never sent to checkToken, and stays logged in."""
    server = FakeServer(transport)
    server.answers[("POST", "/_checkToken")] = envelope({"valid": True, "kuid": "-1"})
    kuzzle = Kuzzle(http(transport))
    await kuzzle.connect()  # no within(): the next line runs before the SDK's own tasks, as in a page
    kuzzle.jwt = "a.eyJfaWQiOiJhbGljZSJ9.c"
    assert await within(kuzzle.server.now()) == 42
    await asyncio.sleep(0)  # let the first-connection check run, were it to send anything
    assert all("eyJfaWQiOiJhbGljZSJ9" not in (body or "") for _, _, body in server.calls)
    assert kuzzle.authenticated
