"""``auth`` controller (kuzzle ``lib/api/controllers/authController.ts``, §6.1, §7.7, §7.8)."""

from __future__ import annotations

from email.utils import formatdate
from typing import Any

from ..config import parse_duration_ms
from ..context import ActionTable, ServerContext
from ..credentials import LOCAL_STRATEGY
from ..errors import KuzzleError, kerror
from ..request import KuzzleRequest
from ..tokens import NEVER, Token
from ..users import ANONYMOUS_KUID, User


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
                "checkRights": self.check_rights,
                "credentialsExist": self.credentials_exist,
                "getMyCredentials": self.get_my_credentials,
                "createMyCredentials": self.create_my_credentials,
                "updateMyCredentials": self.update_my_credentials,
                "validateMyCredentials": self.validate_my_credentials,
                "deleteMyCredentials": self.delete_my_credentials,
                "createApiKey": self.create_api_key,
                "searchApiKeys": self.search_api_keys,
                "deleteApiKey": self.delete_api_key,
            }
        }

    def _ttl_ms(self, request: KuzzleRequest) -> int:
        return token_ttl_ms(self._ctx, request)

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
        kuid = self._ctx.local.authenticate(username, password)
        if kuid is None or not self._ctx.users.exists(kuid):
            raise kerror("plugin.strategy.missing_user", "wrong username or password")
        token = self._ctx.tokens.create(kuid, ttl)
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
        strategies = [LOCAL_STRATEGY] if self._ctx.local.exists(request.kuid) else []
        return {**request.user.serialize(), "strategies": strategies}

    async def get_my_rights(self, request: KuzzleRequest) -> dict[str, Any]:
        hits = self._ctx.security.rights(request.user.profile_ids)
        return {"hits": hits, "total": len(hits)}

    async def update_self(self, request: KuzzleRequest) -> dict[str, Any]:
        self._assert_authenticated(request)
        body = request.get_body()
        for forbidden in ("_id", "profileIds"):
            if forbidden in body:
                raise kerror("api.assert.invalid_argument", f"body.{forbidden}", "absent")
        return self._ctx.security.update_user(request.kuid, None, body, request.kuid).serialize()

    async def get_strategies(self, request: KuzzleRequest) -> list[str]:
        return [LOCAL_STRATEGY]

    async def check_rights(self, request: KuzzleRequest) -> dict[str, Any]:
        body = request.get_body()
        for field_name in ("controller", "action"):
            if not isinstance(body.get(field_name), str):
                raise kerror("api.assert.missing_argument", f"body.{field_name}")
        return {"allowed": requested_action_allowed(self._ctx, request.user, body)}

    # -- credentials of the local strategy (kuzzle-plugin-auth-passport-local) -------------

    def _local_user(self, request: KuzzleRequest) -> str:
        """The caller's kuid, once the strategy is known to be ``local``."""
        self._assert_authenticated(request)
        strategy = request.get_string("strategy")
        if strategy != LOCAL_STRATEGY:
            raise kerror("security.credentials.unknown_strategy", strategy)
        return request.kuid

    async def credentials_exist(self, request: KuzzleRequest) -> bool:
        return self._ctx.local.exists(self._local_user(request))

    async def get_my_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        kuid = self._local_user(request)
        info = self._ctx.local.info(kuid)
        if info is None:
            raise kerror("services.storage.not_found", kuid, "local", "credentials")
        return info

    async def validate_my_credentials(self, request: KuzzleRequest) -> bool:
        self._ctx.local.validate(self._local_user(request), request.get_body(), partial=False)
        return True

    async def create_my_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._ctx.local.create(self._local_user(request), request.get_body())

    async def update_my_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._ctx.local.update(self._local_user(request), request.get_body())

    async def delete_my_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        self._ctx.local.delete(self._local_user(request))
        return {"acknowledged": True}

    # -- API keys ----------------------------------------------------------------------------

    async def create_api_key(self, request: KuzzleRequest) -> dict[str, Any]:
        self._assert_authenticated(request)
        return create_api_key(self._ctx, request, request.kuid)

    async def search_api_keys(self, request: KuzzleRequest) -> dict[str, Any]:
        self._assert_authenticated(request)
        return self._ctx.api_keys.search(
            request.kuid, request.get_integer("from", 0), request.get_integer("size", 10)
        )

    async def delete_api_key(self, request: KuzzleRequest) -> dict[str, Any]:
        self._assert_authenticated(request)
        key_id = request.get_string("_id")
        self._ctx.api_keys.delete(request.kuid, key_id)
        return {"_id": key_id}


def requested_action_allowed(ctx: ServerContext, user: User, payload: dict[str, Any]) -> bool:
    """``isActionAllowed(new Request(payload))``: the payload's own arguments count."""
    arguments = {k: v for k, v in payload.items() if k not in ("controller", "action", "body")}
    return ctx.security.allows(user, payload["controller"], payload["action"], arguments)


def api_key_ttl_ms(ctx: ServerContext, request: KuzzleRequest) -> int:
    """``expiresIn`` of an API key: ``-1`` (the default) never expires."""
    raw = request.args.get("expiresIn", NEVER)
    if raw in (NEVER, str(NEVER)):
        return NEVER
    return token_ttl_ms(ctx, request)


def create_api_key(ctx: ServerContext, request: KuzzleRequest, kuid: str) -> dict[str, Any]:
    """``auth:createApiKey`` and ``security:createApiKey``: body ``description``, ``_id``, ``expiresIn``."""
    description = request.get_body_field("description", str, "string")
    key_id = request.get_string("_id", None)
    return ctx.api_keys.create(kuid, api_key_ttl_ms(ctx, request), description, key_id)


def token_ttl_ms(ctx: ServerContext, request: KuzzleRequest) -> int:
    """``expiresIn`` in milliseconds (the configured default when absent)."""
    raw = request.args.get("expiresIn")
    if raw is None:
        return ctx.config.token_ttl_ms
    try:
        ttl = parse_duration_ms(raw if isinstance(raw, str | int | float) else str(raw))
    except ValueError:
        raise kerror("security.token.invalid_expiration", raw) from None
    if ttl <= 0:
        raise kerror("security.token.invalid_expiration", raw)
    return ttl
