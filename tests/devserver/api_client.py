"""A small JSON API client for the security and admin tests: ``/_query`` or a route."""

from __future__ import annotations

from typing import Any

import aiohttp

from kuzzle_devserver import DevServer


class Api:
    """Calls as one user (``jwt``) on one server; ``as_user`` logs someone else in."""

    def __init__(self, http: aiohttp.ClientSession, server: DevServer, jwt: str | None = None) -> None:
        self.http, self.server, self.jwt = http, server, jwt

    async def __call__(self, controller: str, action: str, **payload: Any) -> dict[str, Any]:
        """The whole response envelope of ``controller:action``."""
        body = {"controller": controller, "action": action, **payload}
        if self.jwt:
            body["jwt"] = self.jwt
        async with self.http.post(f"{self.server.url}/_query", json=body) as response:
            envelope: dict[str, Any] = await response.json()
            assert response.status == envelope["status"]
            return envelope

    async def ok(self, controller: str, action: str, **payload: Any) -> Any:
        """The result of a call that must succeed."""
        envelope = await self(controller, action, **payload)
        assert envelope["status"] == 200 and envelope["error"] is None, envelope
        return envelope["result"]

    async def error(self, controller: str, action: str, **payload: Any) -> dict[str, Any]:
        """The error of a call that must fail."""
        envelope = await self(controller, action, **payload)
        assert envelope["error"] is not None, envelope
        error: dict[str, Any] = envelope["error"]
        assert error["status"] == envelope["status"]
        return error

    async def route(self, verb: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.jwt}"} if self.jwt else {}
        async with self.http.request(
            verb, f"{self.server.url}{path}", json=body, headers=headers
        ) as response:
            return response.status, await response.json()

    async def as_user(self, username: str, password: str | None = None) -> Api:
        credentials = {"username": username, "password": password or f"{username}-password"}
        result = await Api(self.http, self.server).ok("auth", "login", strategy="local", body=credentials)
        return Api(self.http, self.server, result["jwt"])
