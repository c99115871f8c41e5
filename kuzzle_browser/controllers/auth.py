"""The ``auth`` controller: login, logout, tokens, the current user and credentials.

Kuzzle docs: https://docs.kuzzle.io/sdk/js/7/controllers/auth/
"""

from __future__ import annotations

from typing import Any

from kuzzle_browser.controllers.base import BaseController
from kuzzle_browser.errors import KuzzleError
from kuzzle_browser.options import DEFAULT, Timeout
from kuzzle_browser.protocol.jwt import Jwt

__all__ = ["AuthController"]


class AuthController(BaseController):
    """``kuzzle.auth``: authenticate the SDK and manage the current user."""

    name = "auth"

    async def login(
        self, strategy: str, credentials: dict[str, Any], expires_in: str | int | None = None
    ) -> str | None:
        """Log in; the SDK then authenticates every request.

        With ``cookie_auth`` Kuzzle sets an HttpOnly cookie (the call goes over HTTP,
        the WebSocket is renewed to carry it) and the token never reaches Python.

        Args:
            strategy: Authentication strategy, e.g. ``"local"``.
            credentials: e.g. ``{"username": "alice", "password": "..."}``.
            expires_in: Token lifetime (``"1h"``, milliseconds...); Kuzzle's default when omitted.

        Returns:
            The token (``kuzzle.jwt`` holds it too), or ``None`` with cookie authentication.

        Raises:
            BadRequestError: ``security.credentials.rejected`` and friends.

        Emits ``beforeLogin``, then ``afterLogin`` (and the legacy ``loginAttempt``)
        with ``{"success": bool, "error"?: str}``.
        """
        kuzzle = self.kuzzle
        kuzzle.emit("beforeLogin")
        try:
            response = await self._send(
                "login",
                {"strategy": strategy, "body": credentials, "cookieAuth": kuzzle.cookie_auth},
                expiresIn=expires_in,
                queuable=False,
                timeout=None,
            )
            result = response.get("result") or {}
            if kuzzle.cookie_auth and "jwt" in result:
                raise KuzzleError(
                    "Kuzzle support for cookie authentication is disabled or not supported",
                    id="sdk.auth.cookie_unsupported",
                )
        except KuzzleError as exc:
            self._after("Login", {"success": False, "error": str(exc)})
            raise
        token = result.get("jwt")  # never there with cookie_auth: checked above
        kuzzle.session.logged_in(token)
        self._after("Login", {"success": True})
        kuzzle.session.resume()
        return token

    def _after(self, what: str, outcome: dict[str, Any]) -> None:
        self.kuzzle.emit(f"{what.lower()}Attempt", outcome)
        self.kuzzle.emit(f"after{what}", outcome)

    async def logout(self) -> None:
        """Log out: Kuzzle revokes the token (or clears the cookie); the SDK is anonymous again.

        Emits ``beforeLogout``, then ``afterLogout`` (and the deprecated ``logoutAttempt``).
        """
        kuzzle = self.kuzzle
        kuzzle.emit("beforeLogout")
        try:
            await self._send("logout", {"cookieAuth": kuzzle.cookie_auth}, queuable=False, timeout=None)
        except KuzzleError as exc:
            self._after("Logout", {"success": False, "error": str(exc)})
            raise
        kuzzle.session.logged_out()
        self._after("Logout", {"success": True})

    @property
    def authentication_token(self) -> Jwt | None:
        """The SDK's token, decoded (``None`` when logged out or with cookie authentication)."""
        jwt = self.kuzzle.jwt
        return Jwt.parse(jwt) if jwt else None

    def authenticate_request(self, request: dict[str, Any]) -> None:
        """Put the SDK's token in ``request["jwt"]`` as ``Kuzzle.query`` does (not with
        ``cookie_auth``, nor on ``auth:login``, ``auth:checkToken``)."""
        self.kuzzle.session.authenticate(request)

    async def check_token(
        self, token: str | None = None, *, queuable: bool = False, timeout: Timeout = DEFAULT
    ) -> dict[str, Any]:
        """Ask Kuzzle whether ``token`` (default: the SDK's token, or the cookie) is valid.

        Returns:
            ``{"valid": bool, "state"?: str, "expiresAt"?: int, "kuid"?: str}``.
        """
        if token is None:
            token = self.kuzzle.jwt  # None with cookie_auth
        request = {
            "cookieAuth": self.kuzzle.cookie_auth,
            "body": {"token": token} if token is not None else {},
        }
        result: dict[str, Any] = await self._result("checkToken", request, queuable=queuable, timeout=timeout)
        return result

    async def create_token(
        self, *, expires_in: str | int | None = None, single_use: bool | None = None
    ) -> dict[str, Any]:
        """A new token for the current user, e.g. for a download link; the session keeps its own.

        Args:
            expires_in: Token lifetime (``"1h"``, milliseconds...); Kuzzle refuses ``-1``.
            single_use: The token authenticates one request, then is gone.

        Returns:
            ``{"token", "expiresAt", "ttl", "singleUse"}``.
        """
        result: dict[str, Any] = await self._result("createToken", expiresIn=expires_in, singleUse=single_use)
        return result

    async def refresh_token(self, expires_in: str | int | None = None) -> dict[str, Any]:
        """Get a fresh token for the current session (the old one lives 1 s more).

        Returns:
            ``{"_id", "expiresAt", "ttl", "jwt"}`` (no ``jwt`` with cookie authentication).
        """
        kuzzle = self.kuzzle
        result: dict[str, Any] = await self._result(
            "refreshToken", {"cookieAuth": kuzzle.cookie_auth}, expiresIn=expires_in
        )
        if not kuzzle.cookie_auth and result.get("jwt"):
            kuzzle.jwt = result["jwt"]
        return result

    async def get_current_user(self) -> dict[str, Any]:
        """The logged-in user: ``{"_id", "_source", "strategies"}`` (``_id`` ``"-1"`` when anonymous)."""
        result: dict[str, Any] = await self._result("getCurrentUser")
        return result

    async def get_my_rights(self) -> list[dict[str, Any]]:
        """The current user's rights: ``[{"controller", "action", "index", "collection", "value"}]``."""
        result = await self._result("getMyRights")
        hits: list[dict[str, Any]] = result.get("hits", [])
        return hits

    async def get_strategies(self) -> list[str]:
        """The authentication strategies Kuzzle offers."""
        result: list[str] = await self._result("getStrategies")
        return result

    async def update_self(self, content: dict[str, Any]) -> dict[str, Any]:
        """Update the current user's content; returns ``{"_id", "_source"}``."""
        result: dict[str, Any] = await self._result("updateSelf", {"body": content})
        return result

    async def check_rights(self, request_payload: dict[str, Any]) -> bool:
        """Whether the current user may run ``request_payload`` (a request dict)."""
        result = await self._result("checkRights", {"body": request_payload})
        return bool(result.get("allowed"))

    async def create_my_credentials(self, strategy: str, credentials: dict[str, Any]) -> dict[str, Any]:
        """Add credentials for ``strategy`` to the current user."""
        result: dict[str, Any] = await self._result(
            "createMyCredentials", {"strategy": strategy, "body": credentials}
        )
        return result

    async def update_my_credentials(self, strategy: str, credentials: dict[str, Any]) -> dict[str, Any]:
        """Change the current user's credentials for ``strategy``."""
        result: dict[str, Any] = await self._result(
            "updateMyCredentials", {"strategy": strategy, "body": credentials}
        )
        return result

    async def validate_my_credentials(self, strategy: str, credentials: dict[str, Any]) -> bool:
        """Whether ``credentials`` would be valid for ``strategy``."""
        return bool(await self._result("validateMyCredentials", {"strategy": strategy, "body": credentials}))

    async def credentials_exist(self, strategy: str) -> bool:
        """Whether the current user has credentials for ``strategy``."""
        return bool(await self._result("credentialsExist", {"strategy": strategy}))

    async def get_my_credentials(self, strategy: str) -> dict[str, Any]:
        """The current user's credentials for ``strategy`` (without secrets)."""
        result: dict[str, Any] = await self._result("getMyCredentials", {"strategy": strategy})
        return result

    async def delete_my_credentials(self, strategy: str) -> bool:
        """Remove the current user's credentials for ``strategy``."""
        result = await self._result("deleteMyCredentials", {"strategy": strategy})
        return bool(result.get("acknowledged"))

    async def create_api_key(
        self,
        description: str,
        *,
        _id: str | None = None,
        expires_in: str | int | None = None,
        refresh: str | None = None,
    ) -> dict[str, Any]:
        """Create an API key for the current user; its token is in ``result["_source"]["token"]``."""
        result: dict[str, Any] = await self._result(
            "createApiKey",
            {"body": {"description": description}},
            _id=_id,
            expiresIn=expires_in,
            refresh=refresh,
        )
        return result

    async def delete_api_key(self, api_key_id: str, *, refresh: str | None = None) -> None:
        """Delete one of the current user's API keys."""
        await self._send("deleteApiKey", {"_id": api_key_id}, refresh=refresh)

    async def search_api_keys(
        self, query: dict[str, Any] | None = None, *, from_: int | None = None, size: int | None = None
    ) -> dict[str, Any]:
        """Search the current user's API keys: ``{"hits", "total"}``."""
        result: dict[str, Any] = await self._result(
            "searchApiKeys", {"body": query or {}}, **{"from": from_, "size": size}
        )
        return result
