"""Level 2: specifications, stats, metrics, deleteFields, mExists and createToken over the fake peer.

Each method must send Kuzzle's request (controller, action, arguments, body) and give back
the action's result; the specifications search pages with ``collection:scrollSpecifications``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from kuzzle_browser import Kuzzle, WebSocket

from .conftest import MS, within
from .fakes import FakeTransport

Call = Callable[[Kuzzle], Awaitable[Any]]


def make(transport: FakeTransport) -> Kuzzle:
    return Kuzzle(WebSocket("127.0.0.1", transport=transport, reconnection_delay=10 * MS))


def sent_fields(request: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k not in ("requestId", "volatile")}


SPEC = {"fields": {"n": {"type": "integer"}}}
IC = {"index": "i", "collection": "c"}
COL = {"controller": "collection", **IC}
DOC = {"controller": "document", **IC}


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda k: k.collection.get_specifications("i", "c"), {**COL, "action": "getSpecifications"}),
        (
            lambda k: k.collection.update_specifications("i", "c", SPEC),
            {**COL, "action": "updateSpecifications", "body": SPEC},
        ),
        (
            lambda k: k.collection.validate_specifications("i", "c", SPEC),
            {**COL, "action": "validateSpecifications", "body": SPEC},
        ),
        (lambda k: k.collection.delete_specifications("i", "c"), {**COL, "action": "deleteSpecifications"}),
        (lambda k: k.index.stats(), {"controller": "index", "action": "stats"}),
        (lambda k: k.server.capabilities(), {"controller": "server", "action": "capabilities"}),
        (
            lambda k: k.server.get_stats(1, "2024-01-01"),
            {"controller": "server", "action": "getStats", "startTime": 1, "stopTime": "2024-01-01"},
        ),
        (lambda k: k.server.get_stats(), {"controller": "server", "action": "getStats"}),
        (lambda k: k.server.get_last_stats(), {"controller": "server", "action": "getLastStats"}),
        (lambda k: k.server.get_all_stats(), {"controller": "server", "action": "getAllStats"}),
        (lambda k: k.server.metrics(), {"controller": "server", "action": "metrics"}),
        (
            lambda k: k.document.delete_fields("i", "c", "d", ["a.b"], source=True, silent=True),
            {**DOC, "action": "deleteFields", "_id": "d", "body": {"fields": ["a.b"]}, "source": True,
             "silent": True},
        ),
        (
            lambda k: k.document.m_exists("i", "c", ["a", "b"], strict=True),
            {**DOC, "action": "mExists", "body": {"ids": ["a", "b"]}, "strict": True},
        ),
        (
            lambda k: k.auth.create_token(expires_in="1m", single_use=True),
            {"controller": "auth", "action": "createToken", "expiresIn": "1m", "singleUse": True},
        ),
    ],
)
async def test_requests_and_results(transport: FakeTransport, call: Call, expected: dict[str, Any]) -> None:
    controller = expected["controller"]
    answer = {"some": "result"}
    transport.peer.handlers[f"{controller}:{expected['action']}"] = lambda request: {
        "result": answer, "error": None}
    kuzzle = make(transport)
    await within(kuzzle.connect())
    result = await within(call(kuzzle))
    assert sent_fields(transport.peer.requests[-1]) == expected
    if expected["action"] != "deleteSpecifications":
        assert result == answer
    else:
        assert result is None


async def test_search_specifications_pages_with_scroll_specifications(transport: FakeTransport) -> None:
    pages = iter([
        {"hits": [{"_id": "i#c"}], "total": 2, "scrollId": "s1"},
        {"hits": [{"_id": "i#d"}], "total": 2, "scrollId": "s1"},
    ])
    handler = lambda request: {"result": next(pages), "error": None}  # noqa: E731
    transport.peer.handlers["collection:searchSpecifications"] = handler
    transport.peer.handlers["collection:scrollSpecifications"] = handler
    kuzzle = make(transport)
    await within(kuzzle.connect())
    first = await within(kuzzle.collection.search_specifications({"query": {}}, size=1, scroll="10s"))
    assert sent_fields(transport.peer.requests[-1]) == {
        "controller": "collection", "action": "searchSpecifications", "body": {"query": {}}, "size": 1,
        "scroll": "10s"}
    second = await within(first.next())
    assert sent_fields(transport.peer.requests[-1]) == {
        "controller": "collection", "action": "scrollSpecifications", "scroll": "10s", "scrollId": "s1"}
    assert second is not None and [h["_id"] for h in second.hits] == ["i#d"]
    assert await within(second.next()) is None
