"""``auth`` controller (kuzzle ``lib/api/controllers/authController.ts``; docs/protocol.md §4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from ..config import parse_duration_ms
from ..context import ActionTable, ServerContext
from ..errors import KuzzleError, kerror
from ..request import KuzzleRequest
from ..tokens import NEVER, Token
from ..users import ANONYMOUS_KUID

LOCAL_STRATEGY = "local"
# Every role is unrestricted until createFirstAdmin (docs/protocol.md §4.1), so everyone may do everything.
_UNRESTRICTED_RIGHTS = [
    {"controller": "*", "action": "*", "index": "*", "collection": "*", "value": "allowed"}
]


def auth_cookie(token: Token) -> str:
    """``Cookie.serialize("authToken", jwt, {expires, httpOnly, path: "/", sameSite})``."""
    expires = formatdate(token.expires_at / 1000, usegmt=True)
    return f"authToken={token.jwt}; Path=/; Expires={expires}; HttpOnly; SameSite=Strict"


LOGOUT_COOKIE = "authToken=null; Path=/; HttpOnly; SameSite=Strict"


@dataclass
class ApiKey:
    """An API key (Kuzzle keeps them in its internal index): its token and description."""

    key_id: str
    token: Token
    description: str

    def source(self, *, with_token: bool) -> dict[str, Any]:
        source: dict[str, Any] = {
            "userId": self.token.kuid,
            "description": self.description,
            "expiresAt": self.token.expires_at,
            "ttl": self.token.ttl,
        }
        if with_token:  # only createApiKey shows the token, once
            source["token"] = self.token.jwt
        return source


class AuthController:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx
        self._api_keys: dict[str, ApiKey] = {}

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
                "createToken": self.create_token,
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
        # passport-local reads each field from the body, then from the query string.
        body = request.body if isinstance(request.body, dict) else {}
        username = body.get("username") or request.args.get("username")
        password = body.get("password") or request.args.get("password")
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

    async def check_rights(self, request: KuzzleRequest) -> dict[str, Any]:
        body = request.get_body()
        for field_name in ("controller", "action"):
            if not isinstance(body.get(field_name), str):
                raise kerror("api.assert.missing_argument", f"body.{field_name}")
        return {"allowed": True}  # every role is unrestricted (docs/protocol.md §4.1)

    # -- credentials of the local strategy (kuzzle-plugin-auth-passport-local) -------------

    def _local_user(self, request: KuzzleRequest) -> Any:
        self._assert_authenticated(request)
        strategy = request.get_string("strategy")
        if strategy != LOCAL_STRATEGY:
            raise kerror("security.credentials.unknown_strategy", strategy)
        return request.user

    def _checked_credentials(self, request: KuzzleRequest, *, partial: bool) -> tuple[str | None, str | None]:
        body = request.get_body()
        username, password = body.get("username"), body.get("password")
        for name, value in (("username", username), ("password", password)):
            if value is None and partial:
                continue
            if not isinstance(value, str) or not value:
                raise kerror("security.credentials.rejected", f"{name} must be a non-empty string")
        if isinstance(username, str) and self._ctx.users.username_taken(username, request.kuid):
            raise kerror("security.credentials.rejected", f'username "{username}" is already used')
        return username, password

    async def credentials_exist(self, request: KuzzleRequest) -> bool:
        return self._local_user(request).username is not None

    async def get_my_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        user = self._local_user(request)
        if user.username is None:
            raise kerror("services.storage.not_found", request.kuid, "local", "credentials")
        return dict(user.local_credentials())

    async def validate_my_credentials(self, request: KuzzleRequest) -> bool:
        self._local_user(request)
        self._checked_credentials(request, partial=False)
        return True

    async def create_my_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        user = self._local_user(request)
        if user.username is not None:
            raise kerror("security.credentials.rejected", "the user already has local credentials")
        username, password = self._checked_credentials(request, partial=False)
        return dict(self._ctx.users.set_local_credentials(user.kuid, username, password).local_credentials())

    async def update_my_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        user = self._local_user(request)
        if user.username is None:
            raise kerror("services.storage.not_found", request.kuid, "local", "credentials")
        username, password = self._checked_credentials(request, partial=True)
        return dict(self._ctx.users.set_local_credentials(user.kuid, username, password).local_credentials())

    async def delete_my_credentials(self, request: KuzzleRequest) -> dict[str, Any]:
        user = self._local_user(request)
        self._ctx.users.set_local_credentials(user.kuid, None, None)
        return {"acknowledged": True}

    # -- API keys ----------------------------------------------------------------------------

    async def create_api_key(self, request: KuzzleRequest) -> dict[str, Any]:
        self._assert_authenticated(request)
        description = request.get_body_field("description", str, "string")
        raw_ttl = request.args.get("expiresIn", NEVER)
        ttl = NEVER if raw_ttl in (NEVER, str(NEVER)) else self._ttl_ms(request)
        key_id = request.args.get("_id") or str(uuid.uuid4())
        if not isinstance(key_id, str):
            raise kerror("api.assert.invalid_type", "_id", "string")
        token = self._ctx.tokens.create(request.kuid, ttl, api_key=True)
        key = self._api_keys[key_id] = ApiKey(key_id, token, description)
        return {"_id": key_id, "_source": key.source(with_token=True)}

    async def search_api_keys(self, request: KuzzleRequest) -> dict[str, Any]:
        self._assert_authenticated(request)
        mine = [k for k in self._api_keys.values() if k.token.kuid == request.kuid]
        offset = request.get_integer("from", 0)
        size = request.get_integer("size", 10)
        hits = [
            {"_id": k.key_id, "_source": k.source(with_token=False)} for k in mine[offset : offset + size]
        ]
        return {"hits": hits, "total": len(mine)}

    async def delete_api_key(self, request: KuzzleRequest) -> dict[str, Any]:
        self._assert_authenticated(request)
        key_id = request.get_string("_id")
        key = self._api_keys.get(key_id)
        if key is None or key.token.kuid != request.kuid:
            raise kerror("services.storage.not_found", key_id, "kuzzle", "api-keys")
        del self._api_keys[key_id]
        self._ctx.tokens.revoke(key.token)
        return {"_id": key_id}

    # -- createToken ------------------------------------------------------------------------

    async def create_token(self, request: KuzzleRequest) -> dict[str, Any]:
        """A token for the current user (anonymous included), ``singleUse`` if asked."""
        single_use = request.get_boolean("singleUse")
        if str(request.args.get("expiresIn")) == "-1":
            raise kerror("security.token.invalid_expiration", "expiresIn", "cannot be infinite")
        token = self._ctx.tokens.create(request.kuid, self._ttl_ms(request), single_use=single_use)
        return {"expiresAt": token.expires_at, "singleUse": single_use, "token": token.jwt, "ttl": token.ttl}
