"""HTTP wire conformance: envelope, headers, routes, pre-routing errors (docs/protocol.md §3)."""

from __future__ import annotations

import json

import aiohttp
from kuzzle_spec import ENVELOPE_KEYS

from kuzzle_devserver import DevServer

ORIGIN = "http://app.test:8000"


async def test_now_envelope_and_headers(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/_now", headers={"Origin": ORIGIN}) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert response.headers["Vary"] == "Origin"
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
        assert "X-Kuzzle-Volatile" in response.headers["Access-Control-Allow-Headers"]
        assert response.headers["Access-Control-Allow-Methods"] == ("GET,POST,PUT,PATCH,DELETE,OPTIONS,HEAD")
        body = await response.json()
    assert set(body) == ENVELOPE_KEYS  # no `room` over HTTP
    assert body["controller"] == "server" and body["action"] == "now"
    assert body["error"] is None and isinstance(body["result"]["now"], int)
    assert response.headers["X-Kuzzle-Request-Id"] == body["requestId"]


async def test_request_id_header_is_echoed(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/_now", headers={"X-Kuzzle-Request-Id": "r-1"}) as response:
        assert (await response.json())["requestId"] == "r-1"


async def test_preflight_and_head(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.options(f"{server.url}/_login/local", headers={"Origin": ORIGIN}) as response:
        assert response.status == 200
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
    async with http.head(f"{server.url}/") as response:
        assert response.status == 200


async def test_unknown_url(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/a/b/c/d/e") as response:
        assert response.status == 404
        body = await response.json()
    assert body["error"]["id"] == "network.http.url_not_found"
    assert body["error"]["code"] == 50397191


async def test_oversized_body_is_a_bare_error(
    start_server: ...,
    http: aiohttp.ClientSession,  # type: ignore[valid-type]
) -> None:
    server = await start_server(max_request_size=100)
    async with http.post(
        f"{server.url}/_login/local", data=b"{" + b" " * 200 + b"}", headers={"Origin": ORIGIN}
    ) as response:
        assert response.status == 413
        body = await response.json()
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers
    assert body == {
        "id": "network.http.request_too_large",
        "code": 50397185,
        "message": "Maximum HTTP request size exceeded.",
        "status": 413,
        "props": [],
    }


async def test_bad_json_and_content_type(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.post(
        f"{server.url}/_login/local", data=b"{nope", headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
        body = await response.json()
    assert body["id"] == "network.http.body_parse_failed" and "requestId" not in body
    async with http.post(
        f"{server.url}/_checkToken", data=b"x", headers={"Content-Type": "text/plain"}
    ) as response:
        assert (await response.json())["id"] == "network.http.unsupported_content"


async def test_volatile_header(server: DevServer, http: aiohttp.ClientSession) -> None:
    headers = {"X-Kuzzle-Volatile": json.dumps({"foo": "bar"})}
    async with http.get(f"{server.url}/_now", headers=headers) as response:
        assert (await response.json())["volatile"] == {"foo": "bar"}
    async with http.get(f"{server.url}/_now", headers={"X-Kuzzle-Volatile": "{"}) as response:
        body = await response.json()
    assert body["error"]["id"] == "network.http.volatile_parse_failed"


async def test_generic_query_endpoint(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{server.url}/_query", json={"controller": "server", "action": "now"}) as response:
        assert (await response.json())["result"]["now"] > 0
    async with http.post(f"{server.url}/_query", json={"controller": "nope", "action": "now"}) as response:
        body = await response.json()
    assert response.status == 404
    assert body["error"]["id"] == "api.process.controller_not_found"
    async with http.post(f"{server.url}/_query", json={"controller": "server", "action": "nope"}) as response:
        body = await response.json()
    assert body["error"] == {
        "id": "api.process.action_not_found",
        "code": 33685509,
        "status": 404,
        "message": 'API action "server":"nope" not found',
        "props": ["server", "nope"],
    }


async def test_server_routes(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/") as response:
        info = (await response.json())["result"]["serverInfo"]
    assert info["kuzzle"]["version"] == "2.56.0"
    assert "login" in info["kuzzle"]["api"]["routes"]["auth"]
    async with http.get(f"{server.url}/_publicApi") as response:
        api = (await response.json())["result"]
    assert api["auth"]["login"]["controller"] == "auth"
    assert {"path": "/_login/:strategy", "url": "/_login/:strategy", "verb": "POST"} in (
        api["auth"]["login"]["http"]
    )
    assert "http" not in api["realtime"]["subscribe"]
    async with http.get(f"{server.url}/_healthCheck") as response:
        assert (await response.json())["result"]["status"] == "green"
    async with http.get(f"{server.url}/_healthcheck") as response:
        assert response.status == 200
    async with http.get(f"{server.url}/_getConfig") as response:
        config = (await response.json())["result"]
    assert config["server"]["protocols"]["websocket"]["idleTimeout"] == 60000


async def test_unsupported_verb(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.request("TRACE", f"{server.url}/") as response:
        assert (await response.json())["error"]["id"] == "network.http.unsupported_verb"


async def test_placeholders_are_decoded(server: DevServer, http: aiohttp.ClientSession) -> None:
    await http.post(f"{server.url}/idx/_create", json={})
    await http.put(f"{server.url}/idx/col", json={})
    async with http.put(f"{server.url}/idx/col/a%20b", json={"x": 1}) as response:
        assert (await response.json())["result"]["_id"] == "a b"
    async with http.get(f"{server.url}/idx/col/a%20b") as response:
        assert (await response.json())["result"]["_source"]["x"] == 1
