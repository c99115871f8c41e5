"""Wire conformance with Kuzzle 2.56, per route, written for the fidelity issue (issue 4).

Complements test_http.py / test_auth.py / test_websocket.py: every served HTTP route answers
the envelope with Kuzzle's headers (docs/protocol.md §3.1, §3.4), errors keep Kuzzle's
shape, cookie attributes follow §4.2, ``volatile.sdkVersion`` is rejected on every entry
point (§4.4), and the WebSocket upgrade echoes the requested subprotocol as uWS does (the
official JS SDK's browser build requests ``null``: tests/fidelity/).
"""

from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from kuzzle_spec import ENVELOPE_KEYS, RESOURCE_KEYS

from kuzzle_devserver import DevServer

ORIGIN = "http://127.0.0.1:8000"
ALLOW_METHODS = "GET,POST,PUT,PATCH,DELETE,OPTIONS,HEAD"
ALLOW_HEADERS = (
    "Content-Type, Access-Control-Allow-Headers, Authorization, X-Requested-With, "
    "Content-Encoding, Content-Length, X-Kuzzle-Volatile"
)
LOGIN = {"username": "alice", "password": "alice-password"}

# (method, path, body, controller, action): one per served route family, in the order they
# run (later ones rely on the index, collection and document created by earlier ones).
ROUTES: list[tuple[str, str, Any, str, str]] = [
    ("GET", "/", None, "server", "info"),
    ("GET", "/_serverInfo", None, "server", "info"),
    ("GET", "/_now", None, "server", "now"),
    ("GET", "/_healthCheck", None, "server", "healthCheck"),
    ("GET", "/_getConfig", None, "server", "getConfig"),
    ("GET", "/_adminExists", None, "server", "adminExists"),
    ("GET", "/_publicApi", None, "server", "publicApi"),
    ("POST", "/_checkToken", {}, "auth", "checkToken"),
    ("GET", "/strategies", None, "auth", "getStrategies"),
    ("GET", "/_me", None, "auth", "getCurrentUser"),
    ("GET", "/_me/_rights", None, "auth", "getMyRights"),
    ("POST", "/fid/_create", {}, "index", "create"),
    ("GET", "/fid/_exists", None, "index", "exists"),
    ("GET", "/_list", None, "index", "list"),
    ("PUT", "/fid/items", {}, "collection", "create"),
    ("GET", "/fid/items/_exists", None, "collection", "exists"),
    ("GET", "/fid/_list", None, "collection", "list"),
    ("GET", "/fid/items/_mapping", None, "collection", "getMapping"),
    ("PUT", "/fid/items/_mapping", {"properties": {"n": {"type": "integer"}}}, "collection", "updateMapping"),
    ("POST", "/fid/items/_create?_id=d1", {"n": 1}, "document", "create"),
    ("GET", "/fid/items/d1", None, "document", "get"),
    ("GET", "/fid/items/d1/_exists", None, "document", "exists"),
    ("PATCH", "/fid/items/d1/_update", {"n": 2}, "document", "update"),
    ("PUT", "/fid/items/d1/_replace", {"n": 3}, "document", "replace"),
    ("PUT", "/fid/items/d2", {"n": 4}, "document", "createOrReplace"),
    ("POST", "/fid/items/_count", {}, "document", "count"),
    ("POST", "/fid/items/_search?size=1", {"query": {"match_all": {}}}, "document", "search"),
    ("POST", "/fid/items/_mGet", {"ids": ["d1", "d2"]}, "document", "mGet"),
    ("POST", "/fid/items/_publish", {"n": 9}, "realtime", "publish"),
    ("DELETE", "/fid/items/d2", None, "document", "delete"),
    ("DELETE", "/fid/items/_truncate", None, "collection", "truncate"),
    ("DELETE", "/fid", None, "index", "delete"),
]


async def _call(
    http: aiohttp.ClientSession,
    server: DevServer,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[Any, Any]:
    data = json.dumps(body) if body is not None else None
    async with http.request(
        method, f"{server.url}{path}", data=data, headers={"Origin": ORIGIN, **(headers or {})}
    ) as response:
        return response, await response.json()


async def test_every_route_answers_kuzzles_envelope_and_headers(
    server: DevServer, http: aiohttp.ClientSession
) -> None:
    """§3.1/§3.4: per route, the envelope (no `room`) and the headers Kuzzle writes."""
    for method, path, body, controller, action in ROUTES:
        response, content = await _call(http, server, method, path, body)
        where = f"{method} {path}"
        assert response.status == 200 and content["error"] is None, (where, content)
        assert ENVELOPE_KEYS <= set(content) <= ENVELOPE_KEYS | RESOURCE_KEYS, (where, sorted(content))
        assert (content["controller"], content["action"]) == (controller, action), where
        assert content["status"] == 200 and content["headers"] == {} and content["node"], where
        headers = response.headers
        assert headers["Content-Type"] == "application/json", where
        assert headers["X-Kuzzle-Request-Id"] == content["requestId"], where
        assert headers["Access-Control-Allow-Origin"] == ORIGIN and headers["Vary"] == "Origin", where
        assert headers["Access-Control-Allow-Credentials"] == "true", where
        assert headers["Access-Control-Allow-Methods"] == ALLOW_METHODS, where
        assert headers["Access-Control-Allow-Headers"] == ALLOW_HEADERS, where
        assert "Set-Cookie" not in headers, where
        assert content.get("index") == ("fid" if path.startswith("/fid") else None), where
        assert content.get("collection") == ("items" if path.startswith("/fid/items") else None), where


async def test_routed_errors_keep_kuzzles_error_shape(server: DevServer, http: aiohttp.ClientSession) -> None:
    """§2.4: `{id, code, message, status, props}` (no stack outside development) in the envelope."""
    cases = [
        ("GET", "/nope/items/d1", None, "services.storage.unknown_index", 412, 16842753),
        ("GET", "/_me", None, "security.token.invalid", 401, 117506049),
        ("POST", "/_login/nosuch", LOGIN, "security.credentials.unknown_strategy", 400, 117571585),
    ]
    for method, path, body, error_id, status, code in cases:
        headers = {"Authorization": "Bearer not.a.token"} if path == "/_me" else {}
        response, content = await _call(http, server, method, path, body, headers)
        error = content["error"]
        assert ENVELOPE_KEYS <= set(content) <= ENVELOPE_KEYS | RESOURCE_KEYS, (path, sorted(content))
        assert error["id"] == error_id, (path, error)
        assert response.status == content["status"] == error["status"] == status, (path, error)
        assert code is None or error["code"] == code, (path, error)
        assert set(error) <= {"id", "code", "message", "status", "props"} and "stack" not in error
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert response.headers["Access-Control-Allow-Credentials"] == "true"


async def test_preflight_answers_kuzzles_cors_headers(server: DevServer, http: aiohttp.ClientSession) -> None:
    """§3.1/§3.4: OPTIONS on any path, 200, the configured methods and headers, origin echoed."""
    for path in ("/_login/local", "/fid/items/_search", "/any/unknown/path"):
        headers = {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization,x-kuzzle-volatile",
        }
        async with http.options(f"{server.url}{path}", headers=headers) as response:
            assert response.status == 200, path
            assert response.headers["Access-Control-Allow-Origin"] == ORIGIN, path
            assert response.headers["Access-Control-Allow-Methods"] == ALLOW_METHODS, path
            assert response.headers["Access-Control-Allow-Headers"] == ALLOW_HEADERS, path
            assert response.headers["Access-Control-Allow-Credentials"] == "true", path


async def test_cookie_expires_matches_the_token_and_refresh_renews_it(
    server: DevServer, http: aiohttp.ClientSession
) -> None:
    """§4.2: `Expires` is the token's expiresAt; refreshToken with cookieAuth sets a new cookie
    and no jwt; the envelope's `headers` never carries Set-Cookie."""
    response, content = await _call(http, server, "POST", "/_login/local?cookieAuth&expiresIn=1h", LOGIN)
    cookie = response.headers["Set-Cookie"]
    assert "jwt" not in content["result"] and "set-cookie" not in {k.lower() for k in content["headers"]}
    expires = next(a for a in cookie.split("; ") if a.startswith("Expires="))
    expires_at = parsedate_to_datetime(expires.removeprefix("Expires=")).timestamp() * 1000
    assert abs(expires_at - content["result"]["expiresAt"]) < 1000
    assert abs(content["result"]["expiresAt"] - (time.time() * 1000 + 3_600_000)) < 60_000
    assert content["result"]["ttl"] == 3_600_000
    assert "Secure" not in cookie and "Domain" not in cookie
    refreshed, body = await _call(http, server, "POST", "/_refreshToken?cookieAuth")
    assert body["error"] is None and "jwt" not in body["result"], body
    new_cookie = refreshed.headers["Set-Cookie"]
    assert new_cookie.startswith("authToken=") and new_cookie.split(";")[0] != cookie.split(";")[0]
    assert new_cookie.endswith("; HttpOnly; SameSite=Strict")


async def test_cookie_login_over_websocket_leaves_jwt_out(ws: Any) -> None:
    """§4.2: `cookieAuth: true` removes the jwt from the result whatever the protocol."""
    answer = await ws.query(
        {"controller": "auth", "action": "login", "strategy": "local", "body": LOGIN, "cookieAuth": True}
    )
    assert answer["error"] is None and "jwt" not in answer["result"], answer
    assert answer["headers"] == {}


async def test_sdk_version_rejected_on_every_entry_point(
    server: DevServer, http: aiohttp.ClientSession, ws: Any
) -> None:
    """§4.4: any `volatile.sdkVersion` is rejected, even next to a valid sdkName, on HTTP routes,
    the generic `/_query` endpoint and WebSocket; the JS SDK's own volatile passes."""
    volatile = {"sdkVersion": "7.17.1", "sdkName": "js@7.17.1", "sdkInstanceId": "i"}
    _, routed = await _call(http, server, "GET", "/_now", headers={"X-Kuzzle-Volatile": json.dumps(volatile)})
    _, generic = await _call(
        http, server, "POST", "/_query", {"controller": "server", "action": "now", "volatile": volatile}
    )
    over_ws = await ws.query({"controller": "server", "action": "now", "volatile": volatile})
    for answer in (routed, generic, over_ws):
        assert answer["error"]["id"] == "api.process.incompatible_sdk_version", answer
        assert answer["error"]["code"] == 33685510 and answer["status"] == 400
    del volatile["sdkVersion"]
    assert (await ws.query({"controller": "server", "action": "now", "volatile": volatile}))["error"] is None


async def test_websocket_upgrade_echoes_the_requested_subprotocol(
    server: DevServer, http: aiohttp.ClientSession
) -> None:
    async with http.ws_connect(f"{server.url}/", protocols=("null",)) as ws:
        assert ws.protocol == "null"
