"""``bulk`` controller: import, write, mWrite, deleteByQuery, updateByQuery, their errors and routes."""

from __future__ import annotations

from typing import Any

import aiohttp
from conftest import WsClient

from kuzzle_devserver import DevServer

BULK = {"controller": "bulk", "index": "i", "collection": "c"}


async def prepare(ws: WsClient) -> None:
    await ws.query({"controller": "collection", "action": "create", "index": "i", "collection": "c"})


async def get(ws: WsClient, doc_id: str) -> dict[str, Any]:
    response = await ws.query(
        {"controller": "document", "action": "get", "index": "i", "collection": "c", "_id": doc_id}
    )
    return response["result"]


async def test_import_reports_each_line(ws: WsClient) -> None:
    await prepare(ws)
    bulk_data = [
        {"index": {"_id": "a"}},
        {"n": 1},
        {"create": {"_id": "b"}},
        {"n": 2},
        {"create": {"_id": "a"}},
        {"n": 3, "_kuzzle_info": {"author": "x"}},
        {"update": {"_id": "b"}},
        {"doc": {"m": 1}},
        {"update": {"_id": "zz"}},
        {"doc": {"m": 1}},
        {"delete": {"_id": "zz"}},
        {"delete": {"_id": "a"}},
        {"index": {}},
        {"n": 4},
    ]
    response = await ws.query({**BULK, "action": "import", "body": {"bulkData": bulk_data}})
    assert response["status"] == 200, response
    successes, errors = response["result"]["successes"], response["result"]["errors"]
    assert successes[:4] == [
        {"index": {"_id": "a", "status": 201}},
        {"create": {"_id": "b", "status": 201}},
        {"update": {"_id": "b", "status": 200}},
        {"delete": {"_id": "a", "status": 200}},
    ]
    assert successes[4]["index"]["status"] == 201 and len(successes[4]["index"]["_id"]) == 20
    assert errors == [
        {
            "create": {
                "_id": "a",
                "status": 409,
                "_source": {"n": 3},
                "error": {
                    "type": "version_conflict_engine_exception",
                    "reason": "[a]: version conflict, document already exists (current version [1])",
                },
            }
        },
        {
            "update": {
                "_id": "zz",
                "status": 404,
                "_source": {"m": 1},
                "error": {"type": "document_missing_exception", "reason": "[zz]: document missing"},
            }
        },
        {"delete": {"_id": "zz", "status": 404}},
    ]
    b = await get(ws, "b")
    assert b["_version"] == 2 and b["_source"]["n"] == 2 and b["_source"]["m"] == 1
    info = b["_source"]["_kuzzle_info"]
    assert info["author"] == "-1" and info["updater"] == "-1" and info["updatedAt"] >= info["createdAt"]


async def test_import_strict_and_argument_errors(ws: WsClient) -> None:
    await prepare(ws)
    bulk_data = [{"create": {"_id": "a"}}, {"n": 1}, {"create": {"_id": "a"}}, {"n": 1}]
    strict = await ws.query({**BULK, "action": "import", "strict": True, "body": {"bulkData": bulk_data}})
    assert strict["status"] == 400
    error = strict["error"]
    assert (error["id"], error["props"], error["count"]) == (
        "api.process.incomplete_multiple_request",
        ["import"],
        1,
    )
    assert error["message"] == "At least one of the import actions failed."
    assert error["errors"][0]["create"]["status"] == 409
    missing = await ws.query({**BULK, "action": "import", "body": {}})
    assert missing["error"]["id"] == "api.assert.missing_argument" and missing["error"]["props"] == [
        "body.bulkData"
    ]
    wrong = await ws.query({**BULK, "action": "import", "body": {"bulkData": {}}})
    assert wrong["error"]["props"] == ["body.bulkData", "array"]
    unknown = await ws.query({**BULK, "action": "import", "collection": "nope", "body": {"bulkData": []}})
    assert unknown["error"]["id"] == "services.storage.unknown_collection"


async def test_write_keeps_the_content_as_is(ws: WsClient) -> None:
    await prepare(ws)
    content = {"n": 1, "_kuzzle_info": {"author": "someone", "createdAt": 1}}
    written = await ws.query({**BULK, "action": "write", "_id": "w", "body": content})
    assert written["result"] == {"_id": "w", "_source": content, "_version": 1}
    again = await ws.query({**BULK, "action": "write", "_id": "w", "body": {"n": 2}})
    assert again["result"] == {"_id": "w", "_source": {"n": 2}, "_version": 2}
    assert (await get(ws, "w"))["_source"] == {"n": 2}
    generated = await ws.query({**BULK, "action": "write", "body": {"n": 3}})
    assert len(generated["result"]["_id"]) == 20
    no_body = await ws.query({**BULK, "action": "write", "_id": "x"})
    assert no_body["error"]["id"] == "api.assert.body_required"


async def test_write_notifies_only_when_asked(ws: WsClient, ws_connect: Any, server: DevServer) -> None:
    await prepare(ws)
    listener = await ws_connect(server)
    room = await listener.query(
        {"controller": "realtime", "action": "subscribe", "index": "i", "collection": "c", "body": {}}
    )
    channel = room["result"]["channel"]
    await ws.query({**BULK, "action": "write", "_id": "quiet", "body": {"n": 0}})
    await ws.query({**BULK, "action": "write", "_id": "w", "notify": True, "body": {"n": 1}})
    created = await listener.notification(channel)
    assert (created["action"], created["result"]["_id"]) == ("create", "w")
    await ws.query(
        {**BULK, "action": "mWrite", "notify": True, "body": {"documents": [{"_id": "w", "body": {"n": 2}}]}}
    )
    replaced = await listener.notification(channel)
    assert (replaced["action"], replaced["result"]["_source"]) == ("replace", {"n": 2})


async def test_m_write(ws: WsClient) -> None:
    await prepare(ws)
    documents = [{"_id": "a", "body": {"n": 1}}, {"body": {"n": 2}}, {"_id": "b", "body": "nope"}]
    response = await ws.query({**BULK, "action": "mWrite", "body": {"documents": documents}})
    successes, errors = response["result"]["successes"], response["result"]["errors"]
    assert successes[0] == {"_id": "a", "_source": {"n": 1}, "_version": 1}
    assert successes[1]["_source"] == {"n": 2}
    assert errors == [
        {"document": {"_id": "b", "body": "nope"}, "reason": "document body must be an object", "status": 400}
    ]
    strict = await ws.query({**BULK, "action": "mWrite", "strict": True, "body": {"documents": documents}})
    assert strict["error"]["id"] == "api.process.incomplete_multiple_request"
    assert strict["error"]["props"] == ["write"] and strict["error"]["count"] == 1
    assert (await get(ws, "a"))["_version"] == 2  # the valid documents were written anyway


async def test_by_query(ws: WsClient) -> None:
    mappings = {"properties": {"n": {"type": "integer"}, "tag": {"type": "keyword"}}}
    await ws.query({"controller": "collection", "action": "create", "index": "i", "collection": "c",
                    "body": {"mappings": mappings}})
    documents = [{"_id": str(n), "body": {"n": n, "tag": "x" if n < 3 else "y"}} for n in range(5)]
    await ws.query({**BULK, "action": "mWrite", "body": {"documents": documents}})
    updated = await ws.query(
        {
            **BULK,
            "action": "updateByQuery",
            "body": {"query": {"term": {"tag": "x"}}, "changes": {"seen": True}},
        }
    )
    assert updated["result"] == {"updated": 3}
    assert (await get(ws, "0"))["_source"] == {"n": 0, "tag": "x", "seen": True}
    deleted = await ws.query({**BULK, "action": "deleteByQuery", "body": {"query": {"term": {"tag": "y"}}}})
    assert deleted["result"] == {"deleted": 2}
    count = await ws.query({"controller": "document", "action": "count", "index": "i", "collection": "c"})
    assert count["result"]["count"] == 3
    no_query = await ws.query({**BULK, "action": "deleteByQuery", "body": {}})
    assert no_query["error"]["props"] == ["body.query"]
    no_changes = await ws.query({**BULK, "action": "updateByQuery", "body": {"query": {}}})
    assert no_changes["error"]["props"] == ["body.changes"]


async def test_http_routes(server: DevServer, ws: WsClient, http: aiohttp.ClientSession) -> None:
    await prepare(ws)
    url = f"{server.url}/i/c"
    async with http.post(f"{url}/_bulk", json={"bulkData": [{"index": {"_id": "a"}}, {"n": 1}]}) as response:
        assert (await response.json())["result"]["successes"] == [{"index": {"_id": "a", "status": 201}}]
    async with http.post(f"{url}/_write?_id=w", json={"n": 1}) as response:
        assert (await response.json())["result"]["_id"] == "w"
    async with http.post(f"{url}/_mWrite", json={"documents": [{"_id": "m", "body": {}}]}) as response:
        assert (await response.json())["action"] == "mWrite"
    async with http.patch(f"{url}/_bulk/_query", json={"query": {}, "changes": {"k": 1}}) as response:
        assert (await response.json())["result"] == {"updated": 3}
    async with http.delete(f"{url}/_bulk/_query", json={"query": {}}) as response:
        assert (await response.json())["result"] == {"deleted": 3}
