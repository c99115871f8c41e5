"""Level 1: Kuzzle request -> HTTP call (the JS SDK's formatRequest rules)."""

from __future__ import annotations

import pytest

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.protocol.http import format_http_request


def test_cookie_login_route() -> None:
    """auth:login with cookieAuth posts to /_login/:strategy with the bare flag."""
    call = format_http_request(
        {
            "controller": "auth",
            "action": "login",
            "strategy": "local",
            "body": {"username": "a", "password": "b"},
            "cookieAuth": True,
            "expiresIn": "1h",
        }
    )
    assert call.method == "POST"
    assert call.path == "/_login/local?cookieAuth&expiresIn=1h"
    assert call.body == '{"username":"a","password":"b"}'


def test_false_booleans_are_left_out() -> None:
    """Kuzzle reads an HTTP boolean as present-means-true, so False must vanish."""
    call = format_http_request({"controller": "auth", "action": "logout", "cookieAuth": False})
    assert call.path == "/_logout"


def test_placeholders_are_percent_encoded() -> None:
    """Ids are encoded like encodeURIComponent and leave the query string."""
    call = format_http_request(
        {"controller": "document", "action": "get", "index": "i", "collection": "c", "_id": "a b/é"}
    )
    assert call.method == "GET"
    assert call.path == "/i/c/a%20b%2F%C3%A9"
    assert call.body is None


def test_jwt_and_volatile_become_headers() -> None:
    """jwt -> Authorization: Bearer; volatile -> X-Kuzzle-Volatile JSON."""
    call = format_http_request(
        {"controller": "server", "action": "now", "jwt": "t", "volatile": {"sdkName": "x"}}
    )
    assert call.headers["Authorization"] == "Bearer t"
    assert call.headers["X-Kuzzle-Volatile"] == '{"sdkName":"x"}'


def test_query_values_lists_and_objects() -> None:
    """Lists are comma-joined, objects JSON, None dropped."""
    call = format_http_request(
        {
            "controller": "document",
            "action": "search",
            "index": "i",
            "collection": "c",
            "size": 10,
            "ids": ["a", "b"],
            "opt": {"x": 1},
            "none": None,
        }
    )
    assert call.path == "/i/c/_search?size=10&ids=a%2Cb&opt=%7B%22x%22%3A1%7D"


def test_get_body_joins_query_string() -> None:
    """With GET, body keys become query arguments."""
    call = format_http_request({"controller": "server", "action": "now", "body": {"a": 1}})
    assert call.path == "/_now?a=1" and call.body is None


def test_unknown_action_and_missing_placeholder() -> None:
    """No route, or a missing URL parameter, is a clear error before any call."""
    with pytest.raises(InvalidArgumentError, match='No URL found for "realtime:subscribe"'):
        format_http_request({"controller": "realtime", "action": "subscribe"})
    with pytest.raises(InvalidArgumentError, match='Missing URL param "_id"'):
        format_http_request({"controller": "document", "action": "get", "index": "i", "collection": "c"})
