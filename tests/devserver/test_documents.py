"""Storage: indexes, collections, documents, multiple-document actions, persistence."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from kuzzle_devserver import DevServer

ServerFactory = Callable[..., Awaitable[DevServer]]
BASE = {"controller": "document", "index": "i", "collection": "c"}


async def prepare(client: Any) -> None:
    await client.query({"controller": "index", "action": "create", "index": "i"})
    await client.query({"controller": "collection", "action": "create", "index": "i",
                        "collection": "c", "body": {"mappings": {"properties": {
                            "n": {"type": "integer"}}}}})


async def test_index_and_collection_lifecycle(ws: Any) -> None:
    await prepare(ws)
    again = await ws.query({"controller": "index", "action": "create", "index": "i"})
    assert again["error"]["id"] == "services.storage.index_already_exists"
    bad = await ws.query({"controller": "index", "action": "create", "index": "Bad"})
    assert bad["error"]["id"] == "services.storage.invalid_index_name"
    assert (await ws.query({"controller": "index", "action": "list"}))["result"] == {
        "indexes": ["i"]}
    assert (await ws.query({"controller": "index", "action": "exists", "index": "i"}))["result"]
    listing = await ws.query({"controller": "collection", "action": "list", "index": "i"})
    assert listing["result"] == {"type": "all", "collections": [{"name": "c", "type": "stored"}]}
    mapping = await ws.query({"controller": "collection", "action": "getMapping", "index": "i",
                              "collection": "c"})
    assert mapping["result"]["properties"] == {"n": {"type": "integer"}}
    updated = await ws.query({"controller": "collection", "action": "updateMapping",
                              "index": "i", "collection": "c",
                              "body": {"properties": {"s": {"type": "keyword"}}}})
    # Kuzzle answers the whole mapping, _kuzzle_info included (includeKuzzleMeta: true).
    assert set(updated["result"]["properties"]) == {"_kuzzle_info", "n", "s"}
    missing = await ws.query({**BASE, "action": "get", "collection": "zz", "_id": "x"})
    assert missing["error"]["id"] == "services.storage.unknown_collection"
    assert missing["status"] == 412 and missing["error"]["code"] == 16842754
    missing = await ws.query({**BASE, "action": "get", "index": "zz", "_id": "x"})
    assert missing["error"]["id"] == "services.storage.unknown_index"
    await ws.query({"controller": "collection", "action": "delete", "index": "i",
                    "collection": "c"})
    exists = await ws.query({"controller": "collection", "action": "exists", "index": "i",
                             "collection": "c"})
    assert exists["result"] is False
    deleted = await ws.query({"controller": "index", "action": "mDelete",
                              "body": {"indexes": ["i", "nope"]}})
    assert deleted["result"] == {"deleted": ["i"]}


async def test_document_crud(ws: Any, login_as: Any) -> None:
    await prepare(ws)
    jwt = await login_as(ws)
    auto = await ws.query({**BASE, "action": "create", "body": {"n": 1}, "jwt": jwt})
    assert len(auto["result"]["_id"]) == 20 and auto["result"]["_version"] == 1
    info = auto["result"]["_source"]["_kuzzle_info"]
    assert info["author"] == "alice" and info["updater"] is None
    created = await ws.query({**BASE, "action": "create", "_id": "d", "body": {"n": 1}})
    assert created["result"]["_id"] == "d"
    dup = await ws.query({**BASE, "action": "create", "_id": "d", "body": {"n": 2}})
    assert dup["error"]["id"] == "services.storage.document_already_exists"
    updated = await ws.query({**BASE, "action": "update", "_id": "d",
                              "body": {"o": {"p": 1}}, "jwt": jwt})
    assert updated["result"]["_version"] == 2
    assert updated["result"]["_source"]["o"] == {"p": 1} and "n" not in updated["result"]["_source"]
    got = await ws.query({**BASE, "action": "get", "_id": "d"})
    assert got["result"]["_source"]["n"] == 1 and got["result"]["_source"]["o"] == {"p": 1}
    assert got["result"]["_source"]["_kuzzle_info"]["updater"] == "alice"
    replaced = await ws.query({**BASE, "action": "replace", "_id": "d", "body": {"z": 1}})
    assert replaced["result"]["_version"] == 3 and "n" not in replaced["result"]["_source"]
    nope = await ws.query({**BASE, "action": "replace", "_id": "nope", "body": {"z": 1}})
    assert nope["error"]["id"] == "services.storage.not_found" and nope["status"] == 404
    written = await ws.query({**BASE, "action": "createOrReplace", "_id": "e", "body": {"k": 1}})
    assert written["result"]["created"] is True
    upsert = await ws.query({**BASE, "action": "upsert", "_id": "u",
                             "body": {"changes": {"a": 1}, "default": {"b": 2}}})
    assert upsert["result"]["created"] is True
    stored = await ws.query({**BASE, "action": "get", "_id": "u"})
    assert stored["result"]["_source"]["a"] == 1 and stored["result"]["_source"]["b"] == 2
    exists = await ws.query({**BASE, "action": "exists", "_id": "u"})
    assert exists["result"] is True
    deleted = await ws.query({**BASE, "action": "delete", "_id": "u"})
    assert deleted["result"] == {"_id": "u"}
    gone = await ws.query({**BASE, "action": "get", "_id": "u"})
    assert gone["error"]["id"] == "services.storage.not_found"
    assert gone["error"]["message"] == 'Document "u" not found in "i":"c".'
    validated = await ws.query({**BASE, "action": "validate", "body": {"a": 1}})
    assert validated["result"]["valid"] is True


async def test_multiple_document_actions(ws: Any) -> None:
    await prepare(ws)
    created = await ws.query({**BASE, "action": "mCreate", "body": {"documents": [
        {"_id": "a", "body": {"n": 1}}, {"_id": "a", "body": {"n": 2}}, {"body": {"n": 3}}]}})
    result = created["result"]
    # Kuzzle checks existence before the bulk request: the second "a" overwrites the first.
    assert [(s["_id"], s["status"], s["result"]) for s in result["successes"][:2]] == [
        ("a", 201, "created"), ("a", 200, "updated")]
    assert len(result["successes"]) == 3 and result["errors"] == []
    again = await ws.query({**BASE, "action": "mCreate", "body": {"documents": [
        {"_id": "a", "body": {"n": 2}}]}})
    assert again["result"]["errors"] == [{"document": {"_id": "a", "body": {"n": 2}},
                                          "reason": "document already exists", "status": 400}]
    got = await ws.query({**BASE, "action": "mGet", "body": {"ids": ["a", "zz"]}})
    assert [d["_id"] for d in got["result"]["successes"]] == ["a"]
    assert got["result"]["errors"] == ["zz"]
    replaced = await ws.query({**BASE, "action": "mReplace", "body": {"documents": [
        {"_id": "a", "body": {"n": 10}}, {"_id": "zz", "body": {}}]}})
    assert replaced["result"]["errors"][0]["status"] == 404
    updated = await ws.query({**BASE, "action": "mUpdate", "body": {"documents": [
        {"_id": "a", "body": {"m": 1}}]}})
    assert updated["result"]["successes"][0]["_source"]["n"] == 10
    upserted = await ws.query({**BASE, "action": "mUpsert", "body": {"documents": [
        {"_id": "new", "changes": {"n": 7}}]}})
    assert upserted["result"]["successes"][0]["created"] is True
    written = await ws.query({**BASE, "action": "mCreateOrReplace", "body": {"documents": [
        {"_id": "w", "body": {"n": 5}}]}})
    assert written["result"]["successes"][0]["_id"] == "w"
    deleted = await ws.query({**BASE, "action": "mDelete", "body": {"ids": ["a", "zz"]}})
    assert deleted["result"]["successes"] == ["a"]
    assert deleted["result"]["errors"] == [{"_id": "zz", "reason": "document not found",
                                            "status": 404}]


async def test_by_query_actions(ws: Any) -> None:
    await prepare(ws)
    await ws.query({"controller": "collection", "action": "updateMapping", "index": "i",
                    "collection": "c", "body": {"properties": {"big": {"type": "boolean"}}}})
    for n in range(5):
        await ws.query({**BASE, "action": "create", "_id": f"d{n}", "body": {"n": n}})
    updated = await ws.query({**BASE, "action": "updateByQuery", "body": {
        "query": {"range": {"n": {"gte": 3}}}, "changes": {"big": True}}})
    assert sorted(s["_id"] for s in updated["result"]["successes"]) == ["d3", "d4"]
    assert updated["result"]["errors"] == []
    deleted = await ws.query({**BASE, "action": "deleteByQuery",
                              "body": {"query": {"term": {"big": True}}}})
    assert sorted(deleted["result"]["ids"]) == ["d3", "d4"]
    assert "_source" not in deleted["result"]["documents"][0]
    count = await ws.query({**BASE, "action": "count", "body": {}})
    assert count["result"] == {"count": 3}
    await ws.query({"controller": "collection", "action": "truncate", "index": "i",
                    "collection": "c"})
    assert (await ws.query({**BASE, "action": "count"}))["result"] == {"count": 0}


async def test_data_survives_a_new_server(
    start_server: ServerFactory, ws_connect: Any, tmp_path: Path
) -> None:
    first = await start_server(data_dir=tmp_path)
    client = await ws_connect(first)
    await prepare(client)
    await client.query({**BASE, "action": "create", "_id": "kept", "body": {"n": 1}})
    await first.stop()
    second = await start_server(data_dir=tmp_path)
    got = await (await ws_connect(second)).query({**BASE, "action": "get", "_id": "kept"})
    assert got["result"]["_source"]["n"] == 1
    assert (tmp_path / "kuzzle.sqlite3").exists()
