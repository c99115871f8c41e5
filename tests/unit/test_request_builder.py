"""Level 1: the wire request ``Kuzzle.query`` builds (ids, volatile, SDK options, token), in CPython."""

from __future__ import annotations

import logging
import re
from types import MappingProxyType
from typing import Any

import pytest

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.protocol.request_builder import attach_token, build_request

TOKEN = "a.eyJfaWQiOiJhbGljZSJ9.c"
NOW = {"controller": "server", "action": "now"}


def build(
    request: Any = NOW,
    api_args: dict[str, Any] | None = None,
    volatile: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    return build_request(request, api_args or {}, volatile or {}, "instance-1", "python-browser@9", token)


def test_a_bare_request_gets_an_id_and_the_sdk_identity() -> None:
    wire = build()
    assert wire == {
        "controller": "server",
        "action": "now",
        "requestId": wire["requestId"],
        "volatile": {"sdkInstanceId": "instance-1", "sdkName": "python-browser@9"},
    }


def test_request_ids_are_one_page_prefix_and_a_counter() -> None:
    ids = [build()["requestId"] for _ in range(3)]
    prefixes = {re.sub(r"-\d+$", "", rid) for rid in ids}
    counters = [int(rid.rsplit("-", 1)[1]) for rid in ids]
    assert len(prefixes) == 1 and len(prefixes.pop()) >= 32
    assert counters == sorted(counters) and len(set(counters)) == 3


def test_a_request_id_of_the_caller_is_kept() -> None:
    assert build({**NOW, "requestId": "mine"})["requestId"] == "mine"


def test_the_callers_dicts_are_never_changed() -> None:
    request = {**NOW, "volatile": {"page": 1}, "queuable": False}
    client_volatile = {"sdkVersion": "1", "team": "a"}
    wire = build(request, {"refresh": "wait_for"}, client_volatile, TOKEN)
    assert request == {**NOW, "volatile": {"page": 1}, "queuable": False}
    assert client_volatile == {"sdkVersion": "1", "team": "a"}
    assert wire["volatile"] is not request["volatile"]
    wire["volatile"]["x"] = 1
    assert build(request)["volatile"].get("x") is None


def test_api_args_join_the_request_and_win() -> None:
    wire = build({**NOW, "refresh": "false"}, {"refresh": "wait_for", "silent": True})
    assert (wire["refresh"], wire["silent"]) == ("wait_for", True)


def test_any_mapping_is_a_request() -> None:
    assert build(MappingProxyType(NOW))["action"] == "now"


@pytest.mark.parametrize("request_", [None, ["server", "now"], "server:now", 42])
def test_not_a_mapping_is_refused(request_: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="Invalid request"):
        build(request_)


@pytest.mark.parametrize(
    ("request_", "missing"),
    [
        ({"action": "now"}, "controller"),
        ({"controller": "", "action": "now"}, "controller"),
        ({"controller": 1, "action": "now"}, "controller"),
        ({"controller": "server"}, "action"),
        ({"controller": "server", "action": None}, "action"),
        ({"controller": "server", "action": ["now"]}, "action"),
        ({}, "controller"),
    ],
)
def test_controller_and_action_must_be_strings(request_: dict[str, Any], missing: str) -> None:
    with pytest.raises(InvalidArgumentError, match=f'needs a "{missing}" string') as raised:
        build(request_)
    assert raised.value.request is not None and raised.value.request.items() >= request_.items()


def test_client_volatile_goes_under_the_requests() -> None:
    wire = build({**NOW, "volatile": {"page": 2, "tab": "x"}}, volatile={"page": 1, "app": "demo"})
    assert wire["volatile"] == {
        "page": 2,
        "tab": "x",
        "app": "demo",
        "sdkInstanceId": "instance-1",
        "sdkName": "python-browser@9",
    }


def test_a_chosen_instance_id_or_sdk_name_stands() -> None:
    """As the JS SDK: only missing ones are filled in."""
    wire = build({**NOW, "volatile": {"sdkName": "mine@1"}}, volatile={"sdkInstanceId": "shared"})
    assert wire["volatile"] == {"sdkInstanceId": "shared", "sdkName": "mine@1"}


@pytest.mark.parametrize(
    ("request_volatile", "client_volatile"),
    [({"sdkVersion": "7"}, {}), ({}, {"sdkVersion": "7"}), ({"sdkVersion": "7"}, {"sdkVersion": "8"})],
)
def test_sdk_version_never_goes_out(
    request_volatile: dict[str, Any], client_volatile: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Kuzzle 2 rejects requests whose volatile has sdkVersion; dropping it is logged."""
    with caplog.at_level(logging.WARNING, "kuzzle_browser.client"):
        wire = build({**NOW, "volatile": request_volatile}, volatile=client_volatile)
    assert "sdkVersion" not in wire["volatile"]
    assert "sdkVersion removed" in caplog.text


def test_a_none_sdk_version_goes_silently(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "kuzzle_browser.client"):
        wire = build({**NOW, "volatile": {"sdkVersion": None}})
    assert "sdkVersion" not in wire["volatile"] and caplog.text == ""


@pytest.mark.parametrize("volatile", ["x", ["a"], 0])
def test_a_volatile_that_is_no_mapping_is_refused(volatile: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="volatile"):
        build({**NOW, "volatile": volatile})


@pytest.mark.parametrize("option", ["queuable", "timeout", "triggerEvents"])
@pytest.mark.parametrize("where", ["request", "api_args"])
def test_sdk_options_never_reach_the_wire(option: str, where: str) -> None:
    request = {**NOW, option: False} if where == "request" else NOW
    api_args = {option: False, "refresh": "wait_for"} if where == "api_args" else {"refresh": "wait_for"}
    wire = build(request, api_args)
    assert option not in wire and wire["refresh"] == "wait_for"


def test_the_token_goes_on_every_request() -> None:
    assert build(token=TOKEN)["jwt"] == TOKEN
    assert build({"controller": "auth", "action": "logout"}, token=TOKEN)["jwt"] == TOKEN
    assert build({"controller": "shop", "action": "login"}, token=TOKEN)["jwt"] == TOKEN


@pytest.mark.parametrize("action", ["login", "checkToken"])
def test_login_and_check_token_carry_no_token(action: str) -> None:
    assert "jwt" not in build({"controller": "auth", "action": action}, token=TOKEN)


def test_without_a_token_the_callers_jwt_stands() -> None:
    """No session token (anonymous, or cookie authentication): nothing is added or removed."""
    assert "jwt" not in build()
    assert build({**NOW, "jwt": "theirs"})["jwt"] == "theirs"
    assert build({**NOW, "jwt": "theirs"}, token=TOKEN)["jwt"] == TOKEN


def test_attach_token_follows_the_same_rule() -> None:
    request = {"controller": "auth", "action": "checkToken"}
    attach_token(request, TOKEN)
    assert "jwt" not in request
    request = dict(NOW)
    attach_token(request, None)
    assert "jwt" not in request
    attach_token(request, TOKEN)
    assert request["jwt"] == TOKEN


def test_the_body_is_shared_not_copied() -> None:
    """One shallow copy per request: a large body is never walked."""
    body = {"rows": list(range(1000))}
    assert build({**NOW, "body": body})["body"] is body
