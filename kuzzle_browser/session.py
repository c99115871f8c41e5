"""``Session``: who a :class:`~kuzzle_browser.Kuzzle` is to Kuzzle, as login, logout and expiry leave it.

The client holds one (``kuzzle.session``) behind ``jwt``, ``authenticated`` and
``login_required``; the auth controller and the offline queue change it through
its methods. Plain state: no I/O, and time is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.protocol.jwt import Jwt
from kuzzle_browser.protocol.request_builder import attach_token

__all__ = ["Session"]


class Session:
    """A client's authentication state.

    Args:
        cookie_auth: The session rides on Kuzzle's HttpOnly cookie: no token here.
        on_login: Called by :meth:`resume` with whether a login was awaited.
    """

    def __init__(self, cookie_auth: bool, on_login: Callable[[bool], None]) -> None:
        self.cookie_auth = cookie_auth
        self.token: str | None = None
        """What requests carry as ``jwt``; always ``None`` with cookies."""
        self.jwt: Jwt | None = None
        """:attr:`token`, decoded."""
        self.active = False
        """Logged in (token, cookie or authenticator), until logout, expiry or disconnect."""
        self.login_required = False
        """The session is gone and queued requests wait for a login."""
        self.reauthenticating = False
        """A check or an ``authenticator`` run is under way."""
        self._on_login = on_login
        self._expired_at = float("-inf")

    def use_token(self, value: str | None) -> None:
        """Authenticate with ``value`` from now on (``kuzzle.jwt = value``); ``None`` drops the token."""
        if value is not None and not isinstance(value, str):
            raise InvalidArgumentError("jwt must be a string or None")
        if self.cookie_auth and value is not None:
            raise InvalidArgumentError(
                "With cookie_auth the token lives in an HttpOnly cookie: do not set jwt"
            )
        self._set(Jwt.parse(value) if value else None)
        self.active = bool(value)

    def _set(self, jwt: Jwt | None) -> None:
        self.jwt = jwt
        self.token = None if jwt is None else jwt.encoded

    def authenticated(self, now: float) -> bool:
        """A valid cookie session, or a token not expired at ``now`` (epoch seconds)."""
        if self.cookie_auth:
            return self.active
        return self.jwt is not None and not self.jwt.expired(now)

    def authenticate(self, request: dict[str, Any]) -> None:
        """Put the current token in ``request`` (never on ``auth:login``, ``auth:checkToken``)."""
        attach_token(request, self.token)

    def logged_in(self, jwt: str | None) -> None:
        """``auth:login`` succeeded (``jwt`` is ``None`` with cookies); :meth:`resume` after its events."""
        if self.cookie_auth:
            self.active = True
        else:
            self.use_token(jwt)

    def resume(self) -> None:
        """After a login: the client resubscribes, and replays a queue held for the login."""
        required, self.login_required = self.login_required, False
        self._on_login(required)

    def logged_out(self) -> None:
        """``auth:logout`` succeeded: anonymous again."""
        self._set(None)
        self.active = False

    def ended(self) -> None:
        """Kuzzle no longer accepts the session: no token, and a login is awaited."""
        self._set(None)
        self.active = False
        self.login_required = True

    def token_expired(self, now: float, interval: float) -> bool:
        """Drop the token; False (and nothing changes) within ``interval`` seconds of the last expiry."""
        if now - self._expired_at < interval:
            return False
        self._expired_at = now
        self._set(None)
        return True
