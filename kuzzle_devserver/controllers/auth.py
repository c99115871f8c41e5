"""``auth`` controller (kuzzle ``lib/api/controllers/authController.ts``, §6.1, §7.7, §7.8)."""

from __future__ import annotations

from email.utils import formatdate
from typing import Any

from ..config import parse_duration_ms
from ..context import ActionTable, ServerContext
from ..errors import KuzzleError, kerror
from ..request import KuzzleRequest
from ..tokens import Token
from ..users import ANONYMOUS_KUID

LOCAL_STRATEGY = "local"
# Every role is unrestricted until createFirstAdmin (§7.8), so everyone may do everything.
_UNRESTRICTED_RIGHTS = [
    {"controller": "*", "action": "*", "index": "*", "collection": "*", "value": "allowed"}
]


def auth_cookie(token: Token) -> str:
    """``Cookie.serialize("authToken", jwt, {expires, httpOnly, path: "/", sameSite})``."""
    expires = formatdate(token.expires_at / 1000, usegmt=True)
    return f"authToken={token.jwt}; Path=/; Expires={expires}; HttpOnly; SameSite=Strict"


LOGOUT_COOKIE = "authToken=null; Path=/; HttpOnly; SameSite=Strict"


class AuthController:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx

    def actions(self) -> ActionTable:
        return {
            "auth": {
                "login": self.login,
                "logout": self.logout,
                "checkToken": self.check_token,
                "refreshToken": self.refresh_token,
                "getCurrentUser": self.get_current_user,
                "getMyRights": self.get_my_rights,
                "updateSelf": self.update_self,
                "getStrategies": self.get_strategies,
            }
        }

    def _ttl_ms(self, request: KuzzleRequest) -> int:
        raw = request.args.get("expiresIn")
        if raw is None:
            return self._ctx.config.token_ttl_ms
        try:
            ttl = parse_duration_ms(raw if isinstance(raw, str | int | float) else str(raw))
        except ValueError:
            raise kerror("security.token.invalid_expiration", raw) from None
        if ttl <= 0:
            raise kerror("security.token.invalid_expiration", raw)
        return ttl

    def _send_token(self, token: Token, request: KuzzleRequest) -> dict[str, Any]:
        """``_sendToken``: with cookieAuth the jwt goes into Set-Cookie, not the result."""
        response: dict[str, Any] = {
            "_id": token.kuid,
            "expiresAt": token.expires_at,
            "jwt": token.jwt,
            "ttl": token.ttl,
        }
        if request.get_boolean("cookieAuth"):
            request.set_cookie(auth_cookie(token))
            del response["jwt"]
        return response

    def _link(self, token: Token, request: KuzzleRequest) -> None:
        if request.connection.notifiable:
            self._ctx.tokens.link(token, request.connection.id)

    @staticmethod
    def _assert_authenticated(request: KuzzleRequest) -> None:
        if request.kuid == ANONYMOUS_KUID:
            raise kerror("security.rights.unauthorized", request.controller, request.action)

    async def login(self, request: KuzzleRequest) -> dict[str, Any]:
        strategy = request.get_string("strategy")
        if strategy != LOCAL_STRATEGY:
            raise kerror("security.credentials.unknown_strategy", strategy)
        ttl = self._ttl_ms(request)
        body = request.body if isinstance(request.body, dict) else {}
        username, password = body.get("username"), body.get("password")
        # The local strategy plugin's own messages (passport-local, plugin.strategy.missing_user).
        if not isinstance(username, str) or not isinstance(password, str):
            raise kerror("plugin.strategy.missing_user", "Missing credentials")
        user = self._ctx.users.authenticate(username, password)
        if user is None:
            raise kerror("plugin.strategy.missing_user", "wrong username or password")
        token = self._ctx.tokens.create(user.kuid, ttl)
        self._link(token, request)
        return self._send_token(token, request)

    async def logout(self, request: KuzzleRequest) -> dict[str, Any]:
        cookie_auth = request.get_boolean("cookieAuth")
        if not cookie_auth:
            self._assert_authenticated(request)
        tokens = self._ctx.tokens
        tokens.unlink_connection(request.connection.id)
        if request.kuid != ANONYMOUS_KUID:
            if request.get_boolean("global"):
                tokens.revoke_all_of(request.kuid)
            elif request.token is not None:
                tokens.revoke(request.token)
        if cookie_auth:
            request.set_cookie(LOGOUT_COOKIE)
        return {"acknowledged": True}

    async def check_token(self, request: KuzzleRequest) -> dict[str, Any]:
        if request.get_boolean("cookieAuth"):
            jwt = request.jwt  # the cookie's token, moved there by the funnel
        else:
            body = request.body if isinstance(request.body, dict) else {}
            jwt = body.get("token") or None
        if jwt is None:
            return {"valid": True, "kuid": ANONYMOUS_KUID, "expiresAt": -1}
        if not isinstance(jwt, str):
            raise kerror("api.assert.invalid_type", "body.token", "string")
        try:
            token = self._ctx.tokens.verify(jwt)
        except KuzzleError as error:
            if error.status == 401:
                return {"valid": False, "state": error.message}
            raise
        return {"valid": True, "kuid": token.kuid, "expiresAt": token.expires_at}

    async def refresh_token(self, request: KuzzleRequest) -> dict[str, Any]:
        self._assert_authenticated(request)
        if request.token is None:
            raise kerror("security.token.invalid")
        token = self._ctx.tokens.refresh(request.token, self._ttl_ms(request))
        self._link(token, request)
        return self._send_token(token, request)

    async def get_current_user(self, request: KuzzleRequest) -> dict[str, Any]:
        strategies = [] if request.kuid == ANONYMOUS_KUID else [LOCAL_STRATEGY]
        return {**request.user.serialize(), "strategies": strategies}

    async def get_my_rights(self, request: KuzzleRequest) -> dict[str, Any]:
        return {"hits": _UNRESTRICTED_RIGHTS, "total": len(_UNRESTRICTED_RIGHTS)}

    async def update_self(self, request: KuzzleRequest) -> dict[str, Any]:
        self._assert_authenticated(request)
        body = request.get_body()
        for forbidden in ("_id", "profileIds"):
            if forbidden in body:
                raise kerror("api.assert.invalid_argument", f"body.{forbidden}", "absent")
        return self._ctx.users.update_content(request.kuid, body).serialize()

    async def get_strategies(self, request: KuzzleRequest) -> list[str]:
        return [LOCAL_STRATEGY]
