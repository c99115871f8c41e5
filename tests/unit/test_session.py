"""Level 1: the client's authentication state through login, logout, expiry and a lost session."""

from __future__ import annotations

import base64
import json

import pytest

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.session import Session


def token(**claims: object) -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"_id": "alice", **claims}).encode()).rstrip(b"=")
    return f"h.{payload.decode()}.s"


def session(cookie_auth: bool = False) -> tuple[Session, list[bool]]:
    resumed: list[bool] = []
    return Session(cookie_auth, resumed.append), resumed


def state(s: Session) -> tuple[str | None, bool, bool]:
    """(token, active, login_required), read afresh (no narrowing across calls)."""
    return s.token, s.active, s.login_required


def test_a_new_session_is_anonymous() -> None:
    s, _ = session()
    assert state(s) == (None, False, False)
    assert not s.authenticated(0.0)


def test_a_token_set_by_hand_authenticates_until_it_expires() -> None:
    s, _ = session()
    jwt = token(exp=1000)
    s.use_token(jwt)
    assert s.token == jwt and s.active
    assert s.authenticated(999.0) and not s.authenticated(1001.0)
    s.use_token(None)
    assert state(s) == (None, False, False)


def test_an_empty_token_is_no_token() -> None:
    s, _ = session()
    s.use_token("")
    assert s.token is None and not s.active


def test_a_token_without_expiry_never_expires_here() -> None:
    s, _ = session()
    s.use_token("kapikey-123")
    assert s.authenticated(1e12)


@pytest.mark.parametrize("value", [1, b"x.y.z", ["x"]])
def test_a_token_must_be_a_string(value: object) -> None:
    s, _ = session()
    with pytest.raises(InvalidArgumentError, match="jwt must be a string"):
        s.use_token(value)  # type: ignore[arg-type]
    assert s.token is None


def test_with_cookies_no_token_is_held() -> None:
    s, _ = session(cookie_auth=True)
    with pytest.raises(InvalidArgumentError, match="HttpOnly cookie"):
        s.use_token(token())
    s.use_token(None)
    assert s.token is None


def test_login_with_a_token() -> None:
    s, resumed = session()
    jwt = token(exp=1000)
    s.logged_in(jwt)
    assert s.token == jwt and s.active and s.authenticated(0.0)
    assert resumed == []  # the client resumes once the login events are out
    s.resume()
    assert resumed == [False]


def test_login_with_cookies_keeps_no_token() -> None:
    s, _ = session(cookie_auth=True)
    s.logged_in(None)
    assert s.token is None and s.active and s.authenticated(0.0)


def test_logout_makes_the_session_anonymous() -> None:
    for cookie_auth, jwt in ((False, token()), (True, None)):
        s, _ = session(cookie_auth)
        s.logged_in(jwt)
        s.logged_out()
        assert state(s) == (None, False, False) and not s.authenticated(0.0)


def test_a_login_awaited_is_resumed_by_the_next_one() -> None:
    s, resumed = session()
    s.logged_in(token())
    s.logged_out()
    s.login_required = True  # what the client does when Kuzzle no longer accepts the session
    assert state(s) == (None, False, True)
    s.logged_in(token(n=2))
    assert state(s)[1:] == (True, True)  # login_required until the login's events are out
    s.resume()
    assert resumed == [True] and state(s)[1:] == (True, False)


def test_token_expiry_is_reported_once_per_interval() -> None:
    s, _ = session()
    s.use_token(token())
    assert s.token_expired(10.0, 1.0)
    assert state(s)[0] is None
    s.use_token(token(n=2))
    assert not s.token_expired(10.5, 1.0)
    assert state(s)[0] == token(n=2)  # a report within the interval changes nothing
    assert s.token_expired(11.0, 1.0)
    assert state(s)[0] is None


def test_authenticate_puts_the_token_in_requests() -> None:
    s, _ = session()
    s.use_token(token())
    request = {"controller": "server", "action": "now"}
    s.authenticate(request)
    assert request["jwt"] == s.token
    login = {"controller": "auth", "action": "login"}
    s.authenticate(login)
    assert "jwt" not in login


def test_authenticate_adds_nothing_with_cookies() -> None:
    s, _ = session(cookie_auth=True)
    s.logged_in(None)
    request = {"controller": "server", "action": "now"}
    s.authenticate(request)
    assert "jwt" not in request
