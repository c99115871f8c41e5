"""Level 1: Kuzzle request -> HTTP call (the JS SDK's formatRequest rules)."""

from __future__ import annotations

from typing import Any

import pytest

from kuzzle_browser.errors import BadResponseError, InvalidArgumentError, RealtimeUnavailableError
from kuzzle_browser.protocol.http import (
    ROUTES,
    check_custom_routes,
    check_http_capable,
    decode_http_response,
    format_http_request,
    merge_routes,
    public_api_fallback,
    response_error,
    routes_from_public_api,
)


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


def _api(*routes: tuple[str, str]) -> dict[str, Any]:
    return {
        "c": {"a": {"action": "a", "controller": "c", "http": [{"verb": v, "url": u} for v, u in routes]}}
    }


@pytest.mark.parametrize(
    ("routes", "chosen"),
    [
        ([("get", "/x/:id")], ("GET", "/x/:id")),
        ([("PATCH", "/x/:id/_u"), ("PUT", "/x/:id/_u")], ("PATCH", "/x/:id/_u")),  # same length: the first
        ([("GET", "/y/:a"), ("POST", "/y/:a")], ("POST", "/y/:a")),  # a body-carrying POST over GET
        ([("PUT", "/z/:a"), ("GET", "/z/:a")], ("GET", "/z/:a")),  # else the GET
        ([("POST", "/i/c/_create"), ("POST", "/i/c/:_id/_create")], ("POST", "/i/c/_create")),  # shortest
    ],
)
def test_route_choice_among_several(routes: list[tuple[str, str]], chosen: tuple[str, str]) -> None:
    """One route per action from server:publicApi: shortest URL, else POST, else GET, else the first."""
    assert routes_from_public_api(_api(*routes))["c"]["a"] == chosen


def test_search_always_posts_and_bad_entries_are_skipped() -> None:
    """document:search takes its POST route; actions without usable routes are left out."""
    api = {
        "document": {
            "search": {"http": [{"verb": "GET", "url": "/:i/:c"}, {"verb": "POST", "url": "/:i/:c/_s"}]}
        },
        "c": {"none": {"action": "none"}, "bad": {"http": [{"verb": 1}]}, "worse": "?"},
        "junk": [],
    }
    routes = routes_from_public_api(api)
    assert routes == {"document": {"search": ("POST", "/:i/:c/_s")}, "c": {}}


def test_custom_routes_merge_action_by_action() -> None:
    """A custom route for one action keeps the controller's other routes (JS replaces the controller)."""
    custom = check_custom_routes({"document": {"get": {"verb": "get", "url": "/g/:_id"}}})
    merged = merge_routes(ROUTES, custom)
    assert merged["document"]["get"] == ("GET", "/g/:_id")
    assert merged["document"]["create"] == ROUTES["document"]["create"]
    assert ROUTES["document"]["get"] == ("GET", "/:index/:collection/:_id")  # the table is not changed


@pytest.mark.parametrize(
    ("status", "fallback"), [(401, "static"), (403, "static"), (404, "server_info"), (500, None), (503, None)]
)
def test_public_api_fallback(status: int, fallback: str | None) -> None:
    """Forbidden publicApi: static routes; missing (Kuzzle < 1.9): server:info; anything else fails."""
    assert public_api_fallback(status) == fallback


def test_decode_http_response() -> None:
    """The envelope and the bare pre-routing error decode; anything else is a BadResponseError."""
    call = format_http_request({"controller": "server", "action": "now"})
    ok = decode_http_response(call, 200, '{"status":200,"error":null,"result":{"now":1}}', {})
    assert response_error(ok) is None and ok["result"] == {"now": 1}
    bare = decode_http_response(call, 413, '{"id":"network.http.request_too_large","status":413}', {})
    assert response_error(bare) == {"id": "network.http.request_too_large", "status": 413}
    with pytest.raises(BadResponseError, match=r"answered 504 .*'<h1>Gateway Timeout</h1>'") as caught:
        decode_http_response(call, 504, "<h1>Gateway\n Timeout</h1>", {})
    assert caught.value.status == 504 and caught.value.id == "sdk.http.bad_response"
    with pytest.raises(BadResponseError, match=r"\(empty\)"):
        decode_http_response(call, 200, "", {})
    with pytest.raises(BadResponseError):
        decode_http_response(call, 200, '{"other": 1}', {})
    with pytest.raises(BadResponseError):  # nested too deeply for json: bad input, not a crash
        decode_http_response(call, 200, "[" * 100_000 + "]" * 100_000, {})


def test_realtime_subscriptions_are_not_http_capable() -> None:
    """subscribe/join/unsubscribe raise RealtimeUnavailableError; publish is fine."""
    for action in ("subscribe", "join", "unsubscribe"):
        with pytest.raises(RealtimeUnavailableError):
            check_http_capable({"controller": "realtime", "action": action})
    check_http_capable({"controller": "realtime", "action": "publish"})


def _kuzzle_public_api() -> dict[str, dict[str, dict[str, list[dict[str, str]]]]]:
    """Kuzzle 2.56's routes (the dev server's copy of lib/api/httpRoutes.js) as server:publicApi."""
    from kuzzle_devserver.http_routes import ROUTES as KUZZLE_ROUTES

    api: dict[str, dict[str, dict[str, list[dict[str, str]]]]] = {}
    for route in KUZZLE_ROUTES:
        entry = api.setdefault(route.controller, {}).setdefault(route.action, {"http": []})
        entry["http"].append({"verb": route.verb, "url": route.path})
    return api


@pytest.mark.parametrize("controller", ["auth", "security", "bulk", "ms", "admin"])
def test_fallback_table_has_every_kuzzle_route_of(controller: str) -> None:
    """With publicApi forbidden, every action Kuzzle serves over HTTP has the route publicApi would give."""
    assert ROUTES[controller] == routes_from_public_api(_kuzzle_public_api())[controller]


def test_every_ms_command_has_a_fallback_route() -> None:
    """The actions kuzzle.ms sends (one per command) all have a static route."""
    from kuzzle_browser.protocol.ms_commands import COMMANDS

    assert set(COMMANDS) <= set(ROUTES["ms"])
    call = format_http_request({"controller": "ms", "action": "hget", "_id": "h", "field": "f"})
    assert (call.method, call.path) == ("GET", "/ms/_hget/h/f")
