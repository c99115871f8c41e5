"""Authentication: JWTs, token errors, refresh grace, cookies, SDK and origin checks (docs/protocol.md §4)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from kuzzle_devserver import DevServer

LOGIN = {"username": "alice", "password": "alice-password"}


def claims_of(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


async def http_login(http: aiohttp.ClientSession, server: DevServer, query: str = "") -> Any:
    async with http.post(f"{server.url}/_login/local{query}", json=LOGIN) as response:
        return response, await response.json()


async def test_login_returns_a_signed_jwt(server: DevServer, http: aiohttp.ClientSession) -> None:
    before = int(time.time())
    _, body = await http_login(http, server, "?expiresIn=2h")
    result = body["result"]
    assert set(result) == {"_id", "jwt", "expiresAt", "ttl"}
    assert result["_id"] == "alice" and result["ttl"] == 7_200_000
    header = json.loads(base64.urlsafe_b64decode(result["jwt"].split(".")[0] + "=="))
    assert header["alg"] == "HS256"
    claims = claims_of(result["jwt"])
    assert claims["_id"] == "alice" and claims["iat"] >= before
    assert claims["exp"] - claims["iat"] in (7200, 7201)


async def test_login_failures(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{server.url}/_login/local",
                         json={"username": "alice", "password": "nope"}) as response:
        body = await response.json()
    assert response.status == 401
    assert body["error"]["id"] == "plugin.strategy.missing_user"
    async with http.post(f"{server.url}/_login/oauth", json=LOGIN) as response:
        body = await response.json()
    assert body["error"]["id"] == "security.credentials.unknown_strategy"
    assert body["status"] == 400


async def test_bearer_token_and_current_user(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/_me") as response:
        anonymous = (await response.json())["result"]
    assert anonymous == {"_id": "-1", "_source": {"profileIds": ["anonymous"]}, "strategies": []}
    _, body = await http_login(http, server)
    headers = {"Authorization": f"Bearer {body['result']['jwt']}"}
    async with http.get(f"{server.url}/_me", headers=headers) as response:
        me = (await response.json())["result"]
    assert me["_id"] == "alice" and me["strategies"] == ["local"]
    assert me["_source"]["profileIds"] == ["admin"]
    async with http.get(f"{server.url}/_me/_rights", headers=headers) as response:
        rights = (await response.json())["result"]
    assert rights["hits"][0]["value"] == "allowed"
    async with http.put(f"{server.url}/_me", json={"nickname": "al"}, headers=headers) as response:
        assert (await response.json())["result"]["_source"]["nickname"] == "al"
    async with http.get(f"{server.url}/strategies") as response:
        assert (await response.json())["result"] == ["local"]


async def test_invalid_tokens(server: DevServer, http: aiohttp.ClientSession) -> None:
    _, body = await http_login(http, server)
    jwt = body["result"]["jwt"]
    tampered = jwt[:-2] + ("AA" if not jwt.endswith("AA") else "BB")
    for token in (tampered, "garbage"):
        async with http.get(f"{server.url}/_me",
                            headers={"Authorization": f"Bearer {token}"}) as response:
            error = (await response.json())["error"]
        assert error["id"] == "security.token.invalid" and error["status"] == 401
        assert error["code"] == 117506049


async def test_check_token(server: DevServer, http: aiohttp.ClientSession) -> None:
    _, body = await http_login(http, server)
    jwt = body["result"]["jwt"]
    async with http.post(f"{server.url}/_checkToken", json={"token": jwt}) as response:
        result = (await response.json())["result"]
    assert result == {"valid": True, "kuid": "alice", "expiresAt": body["result"]["expiresAt"]}
    async with http.post(f"{server.url}/_checkToken", json={"token": "x.y.z"}) as response:
        assert (await response.json())["result"] == {"valid": False, "state": "Invalid token."}
    async with http.post(f"{server.url}/_checkToken", json={}) as response:
        assert (await response.json())["result"] == {"valid": True, "kuid": "-1", "expiresAt": -1}


async def test_expired_token(server: DevServer, http: aiohttp.ClientSession) -> None:
    _, body = await http_login(http, server, "?expiresIn=1s")
    headers = {"Authorization": f"Bearer {body['result']['jwt']}"}
    deadline = time.monotonic() + 10
    while True:  # time-based: poll until the token is past its expiry
        async with http.get(f"{server.url}/_me", headers=headers) as response:
            error = (await response.json())["error"]
        if error is not None or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert error["id"] == "security.token.expired" and error["code"] == 117506054


async def test_refresh_keeps_the_old_token_for_a_grace_period(
    server: DevServer, http: aiohttp.ClientSession
) -> None:
    _, body = await http_login(http, server)
    old = {"Authorization": f"Bearer {body['result']['jwt']}"}
    async with http.post(f"{server.url}/_refreshToken?expiresIn=2h", headers=old) as response:
        refreshed = (await response.json())["result"]
    assert refreshed["jwt"] != body["result"]["jwt"] and refreshed["ttl"] == 7_200_000
    async with http.get(f"{server.url}/_me", headers=old) as response:
        assert (await response.json())["result"]["_id"] == "alice"  # within the grace period
    deadline = time.monotonic() + 10
    while True:
        async with http.get(f"{server.url}/_me", headers=old) as response:
            error = (await response.json())["error"]
        if error is not None or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert error["id"] == "security.token.invalid"
    new = {"Authorization": f"Bearer {refreshed['jwt']}"}
    async with http.get(f"{server.url}/_me", headers=new) as response:
        assert (await response.json())["result"]["_id"] == "alice"


async def test_logout(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{server.url}/_logout") as response:
        error = (await response.json())["error"]
    assert error["id"] == "security.rights.unauthorized"
    _, body = await http_login(http, server)
    headers = {"Authorization": f"Bearer {body['result']['jwt']}"}
    async with http.post(f"{server.url}/_logout", headers=headers) as response:
        assert (await response.json())["result"] == {"acknowledged": True}
    async with http.get(f"{server.url}/_me", headers=headers) as response:
        assert (await response.json())["error"]["id"] == "security.token.invalid"


async def test_cookie_login_logout(server: DevServer, http: aiohttp.ClientSession) -> None:
    response, body = await http_login(http, server, "?cookieAuth")
    cookie = response.headers["Set-Cookie"]
    assert "jwt" not in body["result"] and body["headers"] == {}
    name_value, *attributes = cookie.split("; ")
    assert name_value.startswith("authToken=") and len(name_value.split(".")) == 3
    assert attributes[0] == "Path=/" and attributes[1].startswith("Expires=")
    assert attributes[1].endswith(" GMT") and attributes[2:] == ["HttpOnly", "SameSite=Strict"]
    # The cookie jar now sends authToken: it authenticates HTTP requests.
    async with http.get(f"{server.url}/_me") as me:
        assert (await me.json())["result"]["_id"] == "alice"
    async with http.post(f"{server.url}/_checkToken?cookieAuth", json={}) as check:
        assert (await check.json())["result"]["kuid"] == "alice"
    token = name_value.removeprefix("authToken=")
    async with http.get(f"{server.url}/_me",
                        headers={"Authorization": f"Bearer {token}"}) as both:
        error = (await both.json())["error"]
    assert error["id"] == "security.token.verification_error" and error["status"] == 500
    async with http.post(f"{server.url}/_logout?cookieAuth") as logout:
        assert logout.headers["Set-Cookie"] == "authToken=null; Path=/; HttpOnly; SameSite=Strict"


async def test_boolean_presence_means_true(server: DevServer, http: aiohttp.ClientSession) -> None:
    response, body = await http_login(http, server, "?cookieAuth=false")
    assert "Set-Cookie" in response.headers and "jwt" not in body["result"]


async def test_cookie_actions_skip_token_verification(
    server: DevServer, http: aiohttp.ClientSession
) -> None:
    headers = {"Cookie": "authToken=not-a-token"}
    async with http.post(f"{server.url}/_login/local?cookieAuth", json=LOGIN,
                         headers=headers) as response:
        assert (await response.json())["status"] == 200
    http.cookie_jar.clear()  # keep only the bad cookie of `headers`
    async with http.post(f"{server.url}/_checkToken?cookieAuth", json={},
                         headers=headers) as response:
        assert (await response.json())["result"] == {"valid": False, "state": "Invalid token."}
    async with http.get(f"{server.url}/_now", headers=headers) as response:
        assert (await response.json())["error"]["id"] == "security.token.invalid"


async def test_sdk_version_checks(server: DevServer, http: aiohttp.ClientSession) -> None:
    async def volatile(value: dict[str, Any]) -> Any:
        async with http.get(f"{server.url}/_now",
                            headers={"X-Kuzzle-Volatile": json.dumps(value)}) as response:
            return await response.json()

    rejected = await volatile({"sdkVersion": "7.0.0"})
    assert rejected["error"]["id"] == "api.process.incompatible_sdk_version"
    assert rejected["error"]["code"] == 33685510 and rejected["status"] == 400
    assert (await volatile({"sdkName": "js@6.1.0"}))["error"]["props"] == ["6.1.0",
                                                                             "min: 7, max: none"]
    assert (await volatile({"sdkName": "js@7.17.1"}))["error"] is None
    assert (await volatile({"sdkName": "python@0.1.0"}))["error"] is None


async def test_origin_allow_list(
    start_server: Callable[..., Awaitable[DevServer]], http: aiohttp.ClientSession,
    ws_connect: Callable[..., Awaitable[Any]],
) -> None:
    server = await start_server(allowed_origins=["http://good.test"])
    async with http.get(f"{server.url}/_now", headers={"Origin": "http://evil.test"}) as response:
        body = await response.json()
        assert response.headers["Access-Control-Allow-Origin"] == "http://evil.test"
    assert response.status == 401
    assert body["error"]["id"] == "api.process.unauthorized_origin"
    assert body["error"]["props"] == ["http://evil.test"]
    async with http.get(f"{server.url}/_now", headers={"Origin": "http://good.test"}) as response:
        assert response.status == 200
    client = await ws_connect(server, headers={"Origin": "http://evil.test"})
    answer = await client.query({"controller": "server", "action": "now"})
    assert answer["error"]["id"] == "api.process.unauthorized_origin"
