"""``Session``: who a :class:`~kuzzle_browser.Kuzzle` is to Kuzzle, as login, logout and expiry leave it.

The client holds one (``kuzzle.session``) behind ``jwt``, ``authenticated`` and
``login_required``; the auth controller and the offline queue change it through
its methods, the client through its flags. Plain state: no I/O, time is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.protocol.jwt import Jwt
from kuzzle_browser.protocol.request_builder import attach_token

__all__ = ["Session"]


class Session:
    """A client's authentication state; ``on_login(held)`` runs on :meth:`resume`."""

    def __init__(self, cookie_auth: bool, on_login: Callable[[bool], None]) -> None:
        self.cookie_auth = cookie_auth
        # What requests carry as jwt; never with cookies.
        self.token: str | None = None
        # Logged in (token, cookie or authenticator), until logout, expiry or disconnect.
        self.active = False
        # The session is gone and queued requests wait for a login.
        self.login_required = False
        # A check or an authenticator run is under way.
        self.reauthenticating = False
        self._on_login = on_login
        self._expired_at = float("-inf")

    def use_token(self, value: str | None) -> None:
        """Authenticate with ``value`` (``kuzzle.jwt = value``); ``None`` drops the token."""
        if value is not None and not isinstance(value, str):
            raise InvalidArgumentError("jwt must be a string or None")
        if self.cookie_auth and value is not None:
            raise InvalidArgumentError(
                "With cookie_auth the token lives in an HttpOnly cookie: do not set jwt"
            )
        self.token = value or None
        self.active = bool(value)

    def authenticated(self, now: float) -> bool:
        """A cookie session, or a token not expired at ``now`` (epoch seconds)."""
        if self.cookie_auth:
            return self.active
        return self.token is not None and not Jwt.parse(self.token).expired(now)

    def authenticate(self, request: dict[str, Any]) -> None:
        """Put the token in ``request`` (never on ``auth:login``, ``auth:checkToken``)."""
        attach_token(request, self.token)

    def logged_in(self, jwt: str | None) -> None:
        """``auth:login`` succeeded; call :meth:`resume` after its events."""
        if self.cookie_auth:
            self.active = True
        else:
            self.use_token(jwt)

    def resume(self) -> None:
        """After a login: the client resubscribes and replays a queue held for it."""
        held, self.login_required = self.login_required, False
        self._on_login(held)

    def logged_out(self) -> None:
        """``auth:logout`` succeeded: anonymous again."""
        self.token = None
        self.active = False

    def token_expired(self, now: float, interval: float) -> bool:
        """Drop the token; False, and nothing done, within ``interval`` s of the last expiry."""
        if now - self._expired_at < interval:
            return False
        self._expired_at = now
        self.token = None
        return True
