"""kuzzle.ms and kuzzle.bulk over the in-memory transport: what goes out, what comes back."""

from __future__ import annotations

from typing import Any

import pytest

from kuzzle_browser import BadRequestError, Kuzzle, WebSocket

from .conftest import MS, within
from .fakes import FakeTransport


def answering(transport: FakeTransport, key: str, result: Any) -> Kuzzle:
    transport.peer.handlers[key] = lambda request: {"result": result, "error": None}
    return Kuzzle(WebSocket("127.0.0.1", transport=transport, reconnection_delay=10 * MS))


def sent(transport: FakeTransport) -> dict[str, Any]:
    request = dict(transport.peer.requests[-1])
    for key in ("requestId", "volatile"):
        request.pop(key)
    return request


async def test_ms_getter_and_conversion(transport: FakeTransport) -> None:
    kuzzle = answering(transport, "ms:zrangebyscore", ["a", "1", "b", "2.5"])
    await within(kuzzle.connect())
    members = await within(kuzzle.ms.zrangebyscore("z", 1, "+inf", limit=[0, 2], timeout=5))
    assert members == [{"member": "a", "score": 1.0}, {"member": "b", "score": 2.5}]
    assert sent(transport) == {
        "controller": "ms",
        "action": "zrangebyscore",
        "_id": "z",
        "min": 1,
        "max": "+inf",
        "options": ["withscores"],
        "limit": [0, 2],
    }


async def test_ms_setter_puts_arguments_in_the_body(transport: FakeTransport) -> None:
    kuzzle = answering(transport, "ms:set", "OK")
    await within(kuzzle.connect())
    assert await within(kuzzle.ms.set("k", "v", ex=10, nx=True)) is None
    assert sent(transport) == {
        "controller": "ms",
        "action": "set",
        "_id": "k",
        "body": {"value": "v", "ex": 10, "nx": True},
    }
    transport.peer.handlers["ms:del"] = lambda request: {"result": 2, "error": None}
    assert await within(kuzzle.ms.delete(["a", "b"])) == 2
    assert sent(transport)["body"] == {"keys": ["a", "b"]}


async def test_ms_errors_are_kuzzle_errors(transport: FakeTransport) -> None:
    kuzzle = answering(transport, "ms:get", None)
    error = {"id": "api.assert.missing_argument", "code": 33619971, "status": 400, "message": "Missing"}
    transport.peer.handlers["ms:get"] = lambda request: {"status": 400, "error": error}
    await within(kuzzle.connect())
    with pytest.raises(BadRequestError) as raised:
        await within(kuzzle.ms.get(""))
    assert raised.value.id == "api.assert.missing_argument"


async def test_bulk_requests_and_results(transport: FakeTransport) -> None:
    kuzzle = answering(transport, "bulk:deleteByQuery", {"deleted": 3})
    await within(kuzzle.connect())
    assert (
        await within(kuzzle.bulk.delete_by_query("i", "c", {"query": {"term": {"a": 1}}}, refresh="wait_for"))
        == 3
    )
    assert sent(transport) == {
        "controller": "bulk",
        "action": "deleteByQuery",
        "index": "i",
        "collection": "c",
        "body": {"query": {"term": {"a": 1}}},
        "refresh": "wait_for",
    }
    transport.peer.handlers["bulk:updateByQuery"] = lambda request: {"result": {"updated": 2}, "error": None}
    assert await within(kuzzle.bulk.update_by_query("i", "c", {"match_all": {}}, {"x": 1})) == 2
    assert sent(transport)["body"] == {"query": {"match_all": {}}, "changes": {"x": 1}}
    transport.peer.handlers["bulk:write"] = lambda request: {"result": {"_id": "w"}, "error": None}
    assert await within(kuzzle.bulk.write("i", "c", {"n": 1}, "w", notify=True)) == {"_id": "w"}
    assert sent(transport) == {
        "controller": "bulk",
        "action": "write",
        "index": "i",
        "collection": "c",
        "body": {"n": 1},
        "_id": "w",
        "notify": True,
    }
    transport.peer.handlers["bulk:import"] = lambda request: {
        "result": {"successes": [], "errors": []},
        "error": None,
    }
    await within(kuzzle.bulk.import_("i", "c", [{"index": {}}, {"n": 1}], strict=True))
    assert sent(transport)["body"] == {"bulkData": [{"index": {}}, {"n": 1}]} and sent(transport)["strict"]
    transport.peer.handlers["bulk:mWrite"] = lambda request: {
        "result": {"successes": [], "errors": []},
        "error": None,
    }
    await within(kuzzle.bulk.m_write("i", "c", [{"_id": "a", "body": {}}]))
    assert sent(transport)["body"] == {"documents": [{"_id": "a", "body": {}}]}
