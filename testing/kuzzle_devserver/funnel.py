"""The funnel: every API request, from HTTP or WebSocket, goes through ``Funnel.execute``.

Order of checks, as in kuzzle ``lib/api/funnel.js``:
1. origin allow-list (``api.process.unauthorized_origin``, docs/protocol.md §3.4);
2. SDK version (``api.process.incompatible_sdk_version``, §4.4);
3. ``authToken`` cookie (§4.2): both a cookie and a ``jwt`` → ``security.token.verification_error``;
   ``auth:login|checkToken|logout`` with ``cookieAuth`` run as anonymous;
4. token verification (anonymous when there is none) and, on WebSocket, token linking (§4.1);
5. controller and action lookup, then the action itself.
Rights are not checked: Kuzzle's roles are unrestricted until createFirstAdmin (§4.1).
"""

from __future__ import annotations

import re
from http.cookies import CookieError, SimpleCookie
from typing import Any

from .context import ActionTable, ServerContext
from .errors import KuzzleError, kerror
from .request import KuzzleRequest, request_envelope
from .users import ANONYMOUS_USER

# lib/config/sdkCompatibility.json: minimum major version per SDK name.
_SDK_MIN_MAJOR = {"js": 7, "csharp": 2, "cpp": 2, "java": 3, "android": 5, "go": 3, "php": 4}
_SKIP_TOKEN_VERIFICATION = {"login", "checkToken", "logout"}
_MAJOR = re.compile(r"^\s*v?(\d+)")


class Funnel:
    def __init__(self, ctx: ServerContext, actions: ActionTable) -> None:
        self._ctx = ctx
        self._actions = actions

    async def execute(self, request: KuzzleRequest) -> dict[str, Any]:
        """Run the request and return its response envelope (without ``room``)."""
        statistics = self._ctx.statistics
        statistics.start(request.connection.protocol)
        try:
            result = await self._process(request)
        except KuzzleError as error:
            statistics.finish(request.connection.protocol, failed=True)
            return request_envelope(request, error=error)
        statistics.finish(request.connection.protocol, failed=False)
        return request_envelope(request, result=result)

    async def _process(self, request: KuzzleRequest) -> Any:
        origin = request.connection.headers.get("origin")
        if origin is not None and not self._ctx.config.origin_allowed(origin):
            raise kerror("api.process.unauthorized_origin", origin)
        self._check_sdk_version(request.volatile or {})
        self._authenticate(request)
        handlers = self._actions.get(request.controller)
        if handlers is None:
            if not request.controller:  # Kuzzle formats the missing name as null
                error = kerror("api.process.controller_not_found", "null")
                error.props = [None]
                raise error
            raise kerror("api.process.controller_not_found", request.controller)
        handler = handlers.get(request.action)
        if handler is None:
            raise kerror("api.process.action_not_found", request.controller, request.action)
        return await handler(request)

    @staticmethod
    def _check_sdk_version(volatile: dict[str, Any]) -> None:
        sdk_version = volatile.get("sdkVersion")
        if sdk_version:  # only Kuzzle v1 SDKs sent it
            raise kerror("api.process.incompatible_sdk_version", sdk_version, "Kuzzle v2")
        sdk_name = volatile.get("sdkName")
        if not isinstance(sdk_name, str) or "@" not in sdk_name:
            return
        name, _, version = sdk_name.partition("@")
        minimum = _SDK_MIN_MAJOR.get(name)
        major = _MAJOR.match(version)
        if minimum is not None and major is not None and int(major.group(1)) < minimum:
            raise kerror("api.process.incompatible_sdk_version", version, f"min: {minimum}, max: none")

    def _authenticate(self, request: KuzzleRequest) -> None:
        skip_verification = False
        cookie_header = request.connection.headers.get("cookie")
        if cookie_header is not None:
            cookie_token = _auth_token_cookie(cookie_header)
            if cookie_token is not None and cookie_token != "null":
                if request.jwt:
                    raise kerror(
                        "security.token.verification_error",
                        "Both token and cookie are present, could not decide which one to use",
                    )
                request.jwt = cookie_token
                skip_verification = (
                    request.get_boolean("cookieAuth")
                    and request.controller == "auth"
                    and request.action in _SKIP_TOKEN_VERIFICATION
                )
        if skip_verification or not request.jwt:
            request.user, request.token = ANONYMOUS_USER, None
            return
        token = self._ctx.tokens.verify(request.jwt)
        user = self._ctx.users.get(token.kuid)
        if user is None:  # the fixture changed under a live token
            raise kerror("security.token.invalid")
        request.user, request.token = user, token
        if request.connection.notifiable:
            self._ctx.tokens.link(token, request.connection.id)


def _auth_token_cookie(header: str) -> str | None:
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(header)
    except CookieError:
        raise kerror("security.cookie.invalid") from None
    morsel = cookie.get("authToken")
    return morsel.value if morsel is not None else None
