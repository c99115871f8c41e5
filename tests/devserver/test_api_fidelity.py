"""Kuzzle 2.56's answers for the index, collection, document, server and auth actions.

Each expectation comes from Kuzzle's controllers and storage layer (see the README's list
of what differs); the comments name the Kuzzle code that decides the answer.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from kuzzle_devserver import DevServer
from kuzzle_devserver.http_routes import ROUTES

BASE = {"controller": "document", "index": "i", "collection": "c"}


async def setup_collection(ws: Any, mappings: dict[str, Any] | None = None) -> None:
    await ws.query({"controller": "index", "action": "create", "index": "i"})
    body = {"mappings": mappings} if mappings is not None else {}
    answer = await ws.query({"controller": "collection", "action": "create", "index": "i",
                             "collection": "c", "body": body})
    assert answer["status"] == 200, answer


async def test_index_create_list_order_and_counts(ws: Any) -> None:
    created = await ws.query({"controller": "index", "action": "create", "index": "zeta"})
    assert created["status"] == 200 and created["result"] is None  # create returns nothing
    await ws.query({"controller": "index", "action": "create", "index": "alpha"})
    await ws.query({"controller": "collection", "action": "create", "index": "zeta", "collection": "c"})
    listed = await ws.query({"controller": "index", "action": "list", "countCollection": True})
    # The index cache is a Map: creation order.
    assert listed["result"] == {"indexes": ["zeta", "alpha"], "collections": {"zeta": 1, "alpha": 0}}
    plain = await ws.query({"controller": "index", "action": "list"})
    assert plain["result"] == {"indexes": ["zeta", "alpha"]}
    deleted = await ws.query({"controller": "index", "action": "mDelete",
                              "body": {"indexes": ["alpha", "nope", 3, "zeta"]}})
    assert deleted["result"] == {"deleted": ["zeta", "alpha"]}


async def test_index_stats(ws: Any) -> None:
    await setup_collection(ws)
    await ws.query({**BASE, "action": "create", "_id": "a", "body": {"n": 1}})
    await ws.query({"controller": "index", "action": "create", "index": "empty"})
    stats = (await ws.query({"controller": "index", "action": "stats"}))["result"]
    [index] = stats["indexes"]  # an index without collections is left out
    assert index["name"] == "i" and index["collections"][0]["name"] == "c"
    assert index["collections"][0]["documentCount"] == 1
    assert stats["size"] == index["size"] == index["collections"][0]["size"] > 0


async def test_collection_create_with_string_mappings(ws: Any, server: DevServer,
                                                      http: aiohttp.ClientSession) -> None:
    await ws.query({"controller": "index", "action": "create", "index": "i"})
    answer = await ws.query({"controller": "collection", "action": "create", "index": "i",
                             "collection": "c", "body": {"mappings": "oops"}})
    # _checkMappings walks Object.keys("oops"): the first character position is refused.
    assert answer["error"]["id"] == "services.storage.invalid_mapping"
    assert answer["error"]["message"] == 'Invalid mapping property "mappings.0".'
    async with http.put(f"{server.url}/i/c", json={"mappings": "oops"}) as response:
        body = await response.json()
    assert response.status == 400 and body["error"]["id"] == "services.storage.invalid_mapping"


async def test_invalid_mappings(ws: Any) -> None:
    await ws.query({"controller": "index", "action": "create", "index": "i"})

    async def create(mappings: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await ws.query({"controller": "collection", "action": "create",
                                                 "index": "i", "collection": "c",
                                                 "body": {"mappings": mappings}})
        return answer

    wrong = await create({"propertiez": {}})
    assert wrong["error"]["message"] == 'Invalid mapping property "mappings.propertiez".'
    nested = await create({"properties": {"o": {"properties": {"a": {"type": "keyword"}}, "foo": 1}}})
    assert nested["error"]["message"] == 'Invalid mapping property "mappings.properties.o.foo".'
    dynamic = await create({"dynamic": "sometimes"})
    assert dynamic["error"]["message"] == (
        'Invalid mapping property "mappings.dynamic".Incorrect dynamic property value (sometimes). '
        'Should be one of "true", "false", "strict"')
    boolean = await create({"dynamic": True, "properties": {"n": {"type": "integer"}}})
    assert boolean["status"] == 200
    mapping = await ws.query({"controller": "collection", "action": "getMapping", "index": "i",
                              "collection": "c"})
    assert mapping["result"] == {"dynamic": "true", "properties": {"n": {"type": "integer"}}}


async def test_mapping_defaults_and_dynamic_rules(ws: Any) -> None:
    await setup_collection(ws)
    mapping = await ws.query({"controller": "collection", "action": "getMapping", "index": "i",
                              "collection": "c", "includeKuzzleMeta": True})
    assert mapping["result"]["dynamic"] == "false" and "_meta" not in mapping["result"]
    assert set(mapping["result"]["properties"]) == {"_kuzzle_info"}
    await ws.query({"controller": "collection", "action": "update", "index": "i", "collection": "c",
                    "body": {"mappings": {"dynamic": "strict", "properties": {
                        "n": {"type": "integer"},
                        "o": {"dynamic": "true", "properties": {}}}}}})
    refused = await ws.query({**BASE, "action": "create", "_id": "x", "body": {"extra": 1}})
    assert refused["error"]["id"] == "services.storage.strict_mapping_rejection"
    assert refused["error"]["message"] == (
        'Cannot create document. Field "extra" is not present in collection "i:c" strict mapping')
    accepted = await ws.query({**BASE, "action": "create", "_id": "y",
                               "body": {"n": 1, "o": {"word": "hi", "when": "2024-01-02", "k": 2.5}}})
    assert accepted["status"] == 200
    grown = await ws.query({"controller": "collection", "action": "getMapping", "index": "i",
                            "collection": "c"})
    assert grown["result"]["properties"]["o"]["properties"] == {
        "k": {"type": "float"},
        "when": {"type": "date"},
        "word": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}},
    }
    bulk = await ws.query({**BASE, "action": "mCreate", "body": {"documents": [
        {"_id": "z", "body": {"extra": 1}}]}})
    assert bulk["result"]["errors"] == [{
        "document": {"_id": "z", "_source": {"_kuzzle_info": bulk["result"]["errors"][0]["document"][
            "_source"]["_kuzzle_info"], "extra": 1}},
        "reason": "mapping set to strict, dynamic introduction of [extra] within [_doc] is not allowed",
        "status": 400,
    }]


async def test_collection_answers(ws: Any) -> None:
    await setup_collection(ws)
    updated = await ws.query({"controller": "collection", "action": "update", "index": "i",
                              "collection": "c", "body": {"settings": {"number_of_replicas": 2}}})
    assert updated["status"] == 200 and updated["result"] is None
    settings = (await ws.query({"controller": "collection", "action": "getSettings", "index": "i",
                                "collection": "c"}))["result"]
    assert settings["number_of_replicas"] == "2" and settings["number_of_shards"] == "1"
    assert settings["provided_name"] == "&i.c" and settings["creation_date"].isdigit()
    listed = await ws.query({"controller": "collection", "action": "list", "index": "i", "from": 1})
    assert listed["result"] == {"collections": [], "from": 0 + 1, "type": "all"}
    bad = await ws.query({"controller": "collection", "action": "list", "index": "i", "type": "x"})
    assert bad["error"]["message"] == 'Invalid argument ""all", "stored", "realtime"". Expected: %s'
    refreshed = await ws.query({"controller": "collection", "action": "refresh", "index": "i",
                                "collection": "c"})
    assert refreshed["result"] is None
    deleted = await ws.query({"controller": "collection", "action": "delete", "index": "i",
                              "collection": "c"})
    assert deleted["status"] == 200 and deleted["result"] is None


SPEC = {
    "strict": True,
    "fields": {
        "age": {"type": "integer", "mandatory": True, "typeOptions": {"range": {"min": 0}}},
        "name": {"type": "string", "defaultValue": "anonymous", "typeOptions": {"length": {"max": 5}}},
        "tags": {"type": "enum", "multivalued": {"value": True, "maxCount": 2},
                 "typeOptions": {"values": ["a", "b"]}},
        "address": {"type": "object", "typeOptions": {"strict": False}},
        "address/zip": {"type": "string"},
    },
}


async def test_specifications_lifecycle(ws: Any) -> None:
    await setup_collection(ws)
    spec_args = {"controller": "collection", "index": "i", "collection": "c"}
    missing = await ws.query({**spec_args, "action": "getSpecifications"})
    assert missing["error"]["id"] == "validation.assert.not_found" and missing["status"] == 404
    assert missing["error"]["message"] == "No specifications defined for index i and collection c"
    stored = await ws.query({**spec_args, "action": "updateSpecifications", "body": SPEC})
    assert stored["result"] == SPEC
    got = await ws.query({**spec_args, "action": "getSpecifications"})
    assert got["result"] == {"collection": "c", "index": "i", "validation": SPEC}
    found = await ws.query({"controller": "collection", "action": "searchSpecifications",
                            "body": {"query": {"term": {"index": "i"}}}})
    assert found["result"] == {"hits": [{"_id": "i#c", "_score": 1, "_source": got["result"],
                                         "collection": "validations", "index": "kuzzle"}],
                               "total": 1}
    await ws.query({**spec_args, "collection": "d", "action": "updateSpecifications", "body": SPEC})
    scrolled = await ws.query({"controller": "collection", "action": "searchSpecifications",
                               "body": {"sort": ["_id"]}, "scroll": "10s", "size": 1})
    assert scrolled["result"]["total"] == 2 and [h["_id"] for h in scrolled["result"]["hits"]] == ["i#c"]
    page = await ws.query({"controller": "collection", "action": "scrollSpecifications",
                           "scrollId": scrolled["result"]["scrollId"]})
    assert [h["_id"] for h in page["result"]["hits"]] == ["i#d"] and page["result"]["total"] == 2
    deleted = await ws.query({**spec_args, "action": "deleteSpecifications"})
    assert deleted["result"] == {"acknowledged": True}
    again = await ws.query({**spec_args, "action": "deleteSpecifications"})
    assert again["result"] == {"acknowledged": True}


async def test_invalid_specifications(ws: Any) -> None:
    spec_args = {"controller": "collection", "index": "i", "collection": "c"}
    bad = {"fields": {"n": {"type": "nope"}, "m": {"type": "integer", "typeOptions": {"length": 1}}}}
    checked = await ws.query({**spec_args, "action": "validateSpecifications", "body": bad})
    assert checked["result"] == {
        "description": "Some errors with provided specifications.",
        "details": [
            'In "i.c.n": unknown type "nope".',
            'The object "i.c.m" contains unexpected properties (allowed: range).',
        ],
        "valid": False,
    }
    refused = await ws.query({**spec_args, "action": "updateSpecifications", "body": bad})
    assert refused["error"]["id"] == "validation.assert.invalid_specifications"
    assert refused["error"]["message"] == (
        'Errors occured with the provided specifications:\nIn "i.c.n": unknown type "nope".\n\t- '
        'The object "i.c.m" contains unexpected properties (allowed: range).')
    extra = await ws.query({**spec_args, "action": "validateSpecifications", "body": {"foo": 1}})
    assert extra["result"]["details"] == [
        'The object "i.c" contains unexpected properties (allowed: strict, fields, validators).']
    orphan = await ws.query({**spec_args, "action": "validateSpecifications",
                             "body": {"fields": {"a/b": {"type": "string"}}}})
    assert orphan["result"]["details"][0]["id"] == "validation.assert.missing_nested_spec"
    ok = await ws.query({**spec_args, "action": "validateSpecifications", "body": SPEC})
    assert ok["result"] == {"valid": True}


async def test_specifications_enforced(ws: Any) -> None:
    await setup_collection(ws)
    await ws.query({"controller": "collection", "action": "updateSpecifications", "index": "i",
                    "collection": "c", "body": SPEC})
    verbose = await ws.query({**BASE, "action": "validate",
                              "body": {"age": -1, "name": "too long", "tags": ["a", "b", "a"]}})
    assert verbose["result"] == {
        "errorMessages": {"fieldScope": {"children": {
            "age": {"messages": ["Value -1 is lesser than the allowed minimum (0)"]},
            "name": {"messages": ['Invalid string length. Expected max: 5. Received: 8 ("too long")']},
            "tags": {"messages": ["Too many elements. Maximum count is set to 2."]},
        }}},
        "valid": False,
    }
    strict = await ws.query({**BASE, "action": "validate", "body": {"age": 1, "zz": 1}})
    assert strict["result"]["errorMessages"] == {"documentScope": [
        'The document validation is strict. Cannot add unspecified sub-field "zz"']}
    failed = await ws.query({**BASE, "action": "create", "body": {"name": "x"}})
    assert failed["error"]["id"] == "validation.check.failed_field"
    assert failed["error"]["message"] == 'Validation failed. Field "age": The field is mandatory.'
    created = await ws.query({**BASE, "action": "create", "_id": "ok",
                              "body": {"age": 3, "address": {"zip": "1", "free": True}}})
    assert created["result"]["_source"]["name"] == "anonymous"  # the defaultValue
    replaced = await ws.query({**BASE, "action": "replace", "_id": "ok", "body": {"age": "3"}})
    assert replaced["error"]["message"] == 'Validation failed. Field "age": The field must be a number.'
    # m* writes are not validated by Kuzzle.
    bulk = await ws.query({**BASE, "action": "mCreate", "body": {"documents": [{"body": {"zz": 1}}]}})
    assert bulk["result"]["errors"] == []


async def test_document_validate_without_collection(ws: Any) -> None:
    answer = await ws.query({**BASE, "action": "validate", "body": {"a": 1}})
    assert answer["result"] == {"errorMessages": {}, "valid": True}
    missing = await ws.query({**BASE, "action": "validate"})
    assert missing["error"]["id"] == "api.assert.body_required"


async def test_m_errors_order_and_wording(ws: Any) -> None:
    await setup_collection(ws)
    await ws.query({**BASE, "action": "create", "_id": "a", "body": {"n": 1}})
    created = await ws.query({**BASE, "action": "mCreate", "body": {"documents": [
        {"_id": "a", "body": {"n": 2}}, {"_id": "b", "body": "x"}, {"_id": 12, "body": {"n": 3}}]}})
    result = created["result"]
    assert result["errors"] == [
        {"document": {"_id": "b", "body": "x"}, "reason": "document body must be an object", "status": 400},
        {"document": {"_id": "a", "body": {"n": 2}}, "reason": "document already exists", "status": 400},
    ]
    assert [(s["_id"], s["status"], s["created"]) for s in result["successes"]] == [("12", 201, True)]
    replaced = await ws.query({**BASE, "action": "mReplace", "body": {"documents": [
        {"_id": "zz", "body": {}}, {"_id": 1, "body": {}}]}})
    assert replaced["result"] == {"errors": [
        {"document": {"_id": 1, "body": {}}, "reason": "document _id must be a string", "status": 400},
        {"document": {"_id": "zz", "body": {}}, "reason": "document not found", "status": 404},
    ], "successes": []}
    updated = await ws.query({**BASE, "action": "mUpdate", "body": {"documents": [
        {"_id": "zz", "body": {"m": 1}}, {"body": {"m": 1}}]}})
    [no_id, missing] = updated["result"]["errors"]
    assert no_id == {"document": {"body": {"m": 1}}, "reason": "document _id must be a string", "status": 400}
    assert missing["reason"] == "document not found" and missing["status"] == 404
    assert set(missing["document"]["body"]) == {"_kuzzle_info", "m"}
    strict = await ws.query({**BASE, "action": "mReplace", "strict": True, "body": {"documents": [
        {"_id": "zz", "body": {}}]}})
    assert strict["error"]["id"] == "api.process.incomplete_multiple_request"
    assert strict["error"]["message"] == "At least one of the mReplace actions failed."
    assert strict["error"]["count"] == 1 and strict["error"]["errors"][0]["status"] == 404
    source = await ws.query({**BASE, "action": "mCreate", "body": {"documents": [
        {"_id": "s", "_source": {"n": 1}}]}})
    assert source["error"]["id"] == "api.assert.unexpected_argument"
    assert source["error"]["message"] == (
        'Unexpected argument "documents[0]._source" (accepted arguments: documents[0].body)')


async def test_m_upsert(ws: Any, login_as: Any) -> None:
    await setup_collection(ws)
    jwt = await login_as(ws)
    await ws.query({**BASE, "action": "create", "_id": "old", "body": {"n": 1, "o": {"a": 1}}, "jwt": jwt})
    answer = await ws.query({**BASE, "action": "mUpsert", "jwt": jwt, "body": {"documents": [
        {"_id": "old", "changes": {"o": {"b": 2}}, "default": {"d": 1}},
        {"_id": "new", "changes": {"n": 1, "x": 1}, "default": {"n": 9}},
        {"_id": "bad", "changes": {}, "default": "x"},
        {"changes": {}},
    ]}})
    result = answer["result"]
    assert result["errors"] == [
        {"document": {"_id": "bad", "changes": {}, "default": "x"},
         "reason": "document default must be an object", "status": 400},
        {"document": {"changes": {}}, "reason": "document _id must be a string", "status": 400},
    ]
    old, new = result["successes"]
    assert (old["status"], old["created"], new["status"], new["created"]) == (200, False, 201, True)
    assert old["_source"]["o"] == {"a": 1, "b": 2} and "d" not in old["_source"]
    # On creation the defaults win over the changes (Object.assign order).
    assert new["_source"]["n"] == 9 and new["_source"]["x"] == 1
    assert set(new["_source"]["_kuzzle_info"]) == {"author", "createdAt"}
    single = await ws.query({**BASE, "action": "upsert", "_id": "one", "jwt": jwt,
                             "body": {"changes": {"n": 1}, "default": {"n": 9, "d": 1}}})
    assert single["result"] == {"_id": "one", "_version": 1, "created": True}
    stored = (await ws.query({**BASE, "action": "get", "_id": "one"}))["result"]["_source"]
    # The single upsert's changes win, and their _kuzzle_info replaces the default one.
    assert stored["n"] == 1 and stored["d"] == 1
    assert set(stored["_kuzzle_info"]) == {"updatedAt", "updater"}


async def test_ids_stay_strings_and_m_reads(ws: Any, server: DevServer, http: aiohttp.ClientSession) -> None:
    await setup_collection(ws)
    await ws.query({**BASE, "action": "mCreateOrReplace", "body": {"documents": [
        {"_id": 7, "body": {"n": 7}}, {"_id": "x", "body": {"n": 0}}]}})
    got = await ws.query({**BASE, "action": "mGet", "body": {"ids": [7, "nope"]}})
    assert [d["_id"] for d in got["result"]["successes"]] == ["7"] and got["result"]["errors"] == ["nope"]
    exists = await ws.query({**BASE, "action": "mExists", "body": {"ids": ["x", 7, "nope"]}})
    assert exists["result"] == {"errors": ["nope"], "successes": ["x", "7"]}
    strict = await ws.query({**BASE, "action": "mExists", "strict": True, "body": {"ids": ["nope"]}})
    assert strict["error"]["message"] == "At least one of the get actions failed."
    async with http.get(f"{server.url}/i/c/_mGet?ids=x,7") as response:
        error = (await response.json())["error"]
    assert error["message"] == 'Wrong type for argument "ids" (expected: array)'
    async with http.get(f"{server.url}/i/c/_mGet?ids=" + json.dumps(["x"])) as response:
        assert [d["_id"] for d in (await response.json())["result"]["successes"]] == ["x"]
    deleted = await ws.query({**BASE, "action": "mDelete", "body": {"ids": ["x", 3, "nope", "x"]}})
    assert deleted["result"] == {"errors": [
        {"_id": 3, "reason": "document _id must be a string", "status": 400},
        {"_id": "nope", "reason": "document not found", "status": 404},
    ], "successes": ["x"]}


async def test_delete_fields(ws: Any) -> None:
    await setup_collection(ws)
    await ws.query({**BASE, "action": "create", "_id": "d", "body": {"a": 1, "o": {"b": 2, "c": 3}}})
    answer = await ws.query({**BASE, "action": "deleteFields", "_id": "d",
                             "body": {"fields": ["a", "o.b", "missing"]}})
    assert answer["result"] == {"_id": "d", "_version": 2}
    source = (await ws.query({**BASE, "action": "get", "_id": "d"}))["result"]["_source"]
    assert "a" not in source and source["o"] == {"c": 3} and source["_kuzzle_info"]["updatedAt"]
    with_source = await ws.query({**BASE, "action": "deleteFields", "_id": "d", "source": True,
                                  "body": {"fields": ["o"]}})
    assert set(with_source["result"]["_source"]) == {"_kuzzle_info"}
    missing = await ws.query({**BASE, "action": "deleteFields", "_id": "d", "body": {}})
    assert missing["error"]["message"] == 'Missing argument "body.fields".'


async def test_scroll_pages_keep_the_total(ws: Any) -> None:
    await setup_collection(ws)
    documents = [{"body": {"n": n}} for n in range(5)]
    await ws.query({**BASE, "action": "mCreate", "body": {"documents": documents}})
    first = await ws.query({**BASE, "action": "search", "body": {}, "scroll": "10s", "size": 2})
    assert first["result"]["total"] == 5 and first["result"]["remaining"] == 3
    second = await ws.query({"controller": "document", "action": "scroll",
                             "scrollId": first["result"]["scrollId"]})
    assert second["result"]["total"] == 5 and second["result"]["remaining"] == 1
    bad_lang = await ws.query({**BASE, "action": "search", "body": {}, "lang": "sql"})
    assert bad_lang["error"]["message"] == 'Invalid argument "lang". Expected: "elasticsearch" or "koncorde"'


async def test_export(ws: Any, server: DevServer, http: aiohttp.ClientSession) -> None:
    await setup_collection(ws, {"properties": {"n": {"type": "integer"}, "o": {"properties": {
        "s": {"type": "keyword"}}}}})
    await ws.query({**BASE, "action": "create", "_id": "a", "body": {"n": 1, "o": {"s": "x"}}})
    await ws.query({**BASE, "action": "create", "_id": "b", "body": {"n": 2, "o": {"s": None}}})
    async with http.get(f"{server.url}/i/c/_export") as response:
        assert response.headers["Content-Type"] == "html/text"
        assert response.headers["Content-Disposition"] == 'attachment; filename="i-c.jsonl"'
        lines = [json.loads(line) for line in (await response.text()).splitlines()]
    assert lines[0] == {"collection": "c", "index": "i", "type": "collection"}
    assert [(line["_id"], line["body"]["n"]) for line in lines[1:]] == [("a", 1), ("b", 2)]
    async with http.post(f"{server.url}/i/c/_export?format=csv&separator=;",
                         json={"query": {"term": {"n": 1}}}) as response:
        assert response.headers["Content-Type"] == "text/csv"
        assert await response.text() == "_id;n;o.s\na;1;x\n"
    async with http.get(f"{server.url}/i/c/_export?format=csv&fields=" + json.dumps(["o.s"])
                        + "&fieldsName=" + json.dumps({"o.s": "S"})) as response:
        assert await response.text() == "_id,S\na,x\nb,\n"
    over_ws = await ws.query({**BASE, "action": "export"})
    assert over_ws["error"]["id"] == "api.assert.unsupported_protocol" and over_ws["status"] == 500


async def test_routes_are_kuzzles(server: DevServer, http: aiohttp.ClientSession) -> None:
    routes = {(r.verb, r.path) for r in ROUTES}
    assert ("GET", "/:index/:collection/_count") not in routes
    assert ("POST", "/_createToken") in routes and ("GET", "/_storageStats") in routes
    async with http.get(f"{server.url}/i/c/_count") as response:
        # No such route: it is document:get of the document "_count".
        assert (await response.json())["action"] == "get"
    async with http.get(f"{server.url}/_me/nothing") as response:
        # A static segment is followed without backtracking to /:index/:collection routes.
        assert (await response.json())["error"]["id"] == "network.http.url_not_found"
    async with http.post(f"{server.url}/_query", json={"action": "now"}) as response:
        body = await response.json()
    assert body["error"]["message"] == 'API controller "null" not found.'
    assert body["error"]["props"] == [None]
    for probe in ("_healthcheck", "_ready"):
        async with http.get(f"{server.url}/{probe}") as response:
            body = await response.json()
        assert response.status == 200 and body["status"] == 200 and body["result"] is None
        assert body["controller"] is None and body["error"] is None


async def test_server_actions(ws: Any, server: DevServer, http: aiohttp.ClientSession) -> None:
    info = (await ws.query({"controller": "server", "action": "info"}))["result"]["serverInfo"]
    kuzzle = info["kuzzle"]
    assert {"api", "application", "memoryUsed", "nodeVersion", "plugins", "system", "uptime",
            "version"} <= set(kuzzle)
    assert set(info["services"]) == {"internalCache", "internalStorage", "memoryStorage", "publicStorage"}
    assert kuzzle["uptime"].endswith("s") and set(kuzzle["system"]["memory"]) == {"free", "total"}
    capabilities = (await ws.query({"controller": "server", "action": "capabilities"}))["result"]
    assert capabilities["limits"]["documentsWriteCount"] == 200 and capabilities["version"] == "2.56.0"
    assert "createToken" in capabilities["routes"]["auth"]
    metrics = (await ws.query({"controller": "server", "action": "metrics"}))["result"]
    assert metrics["network"]["connections"]["websocket"] == 1
    assert metrics["realtime"] == {"rooms": 0, "subscriptions": 0}
    stats = (await ws.query({"controller": "server", "action": "getStats"}))["result"]
    assert stats["total"] == 1 and stats["hits"][0]["completedRequests"]["websocket"] >= 3
    last = (await ws.query({"controller": "server", "action": "getLastStats"}))["result"]
    assert last["completedRequests"] == {} and isinstance(last["timestamp"], int)
    health = await ws.query({"controller": "server", "action": "healthCheck", "services": "storageEngine"})
    assert health["result"] == {"services": {"storageEngine": "green"}, "status": "green"}
    async with http.get(f"{server.url}/_openapi") as response:
        assert response.headers["Content-Type"] == "application/json"
        openapi = await response.json()
    assert openapi["swagger"] == "2.0"
    assert openapi["paths"]["/{index}/_create"]["post"]["summary"] == "Action: create."
    bad = await ws.query({"controller": "server", "action": "openapi", "scope": "x"})
    assert bad["error"]["id"] == "api.assert.unexpected_argument"


async def test_auth_create_token_and_query_string_login(ws: Any, server: DevServer,
                                                        http: aiohttp.ClientSession, login_as: Any) -> None:
    jwt = await login_as(ws)
    created = (await ws.query({"controller": "auth", "action": "createToken", "jwt": jwt,
                               "singleUse": True, "expiresIn": "1m"}))["result"]
    assert created["singleUse"] is True and created["ttl"] == 60000
    first = await ws.query({"controller": "auth", "action": "getCurrentUser", "jwt": created["token"]})
    assert first["result"]["_id"] == "alice"
    second = await ws.query({"controller": "auth", "action": "getCurrentUser", "jwt": created["token"]})
    assert second["error"]["id"] == "security.token.invalid"
    infinite = await ws.query({"controller": "auth", "action": "createToken", "jwt": jwt, "expiresIn": -1})
    assert infinite["error"]["id"] == "security.token.invalid_expiration"
    async with http.get(f"{server.url}/_login/local?username=alice&password=alice-password") as response:
        body = await response.json()
    assert response.status == 200 and body["result"]["_id"] == "alice"


async def test_search_targets_and_refresh(ws: Any) -> None:
    await setup_collection(ws, {"properties": {"n": {"type": "integer"}}})
    await ws.query({"controller": "collection", "action": "create", "index": "i", "collection": "d",
                    "body": {"mappings": {"properties": {"n": {"type": "integer"}}}}})
    await ws.query({**BASE, "action": "create", "_id": "a", "body": {"n": 1}})
    await ws.query({**BASE, "collection": "d", "action": "create", "_id": "b", "body": {"n": 2}})
    targets = [{"index": "i", "collections": ["c", "d"]}]
    found = await ws.query({"controller": "document", "action": "search", "targets": targets,
                            "body": {"sort": ["n"]}})
    assert [(h["_id"], h["collection"]) for h in found["result"]["hits"]] == [("a", "c"), ("b", "d")]
    nothing = await ws.query({"controller": "document", "action": "search", "body": {}})
    assert nothing["error"]["message"] == 'Missing argument "index, collection or targets".'
    wildcard = await ws.query({**BASE, "collection": "c*", "action": "search", "body": {}})
    assert wildcard["error"]["id"] == "services.storage.invalid_multi_index_collection_usage"
    bad_target = await ws.query({"controller": "document", "action": "search", "body": {},
                                 "targets": [{"index": "i", "collections": []}]})
    assert bad_target["error"]["message"] == 'The argument "targets[0].collections" is empty.'
    refresh = await ws.query({**BASE, "action": "createOrReplace", "_id": "a", "body": {}, "refresh": "true"})
    assert refresh["error"]["message"] == 'Argument "refresh" is invalid (expected: "wait_for", false)'
    typed = await ws.query({**BASE, "action": "delete", "_id": "a", "refresh": True})
    assert typed["error"]["message"] == 'Wrong type for argument "refresh" (expected: string)'


async def test_realtime_publish_and_validate_use_specifications(ws: Any) -> None:
    await setup_collection(ws)
    await ws.query({"controller": "collection", "action": "updateSpecifications", "index": "i",
                    "collection": "c", "body": SPEC})
    args = {"controller": "realtime", "index": "i", "collection": "c"}
    checked = await ws.query({**args, "action": "validate", "body": {"age": "x"}})
    assert checked["result"]["valid"] is False
    assert checked["result"]["errorMessages"]["fieldScope"]["children"]["age"]["messages"] == [
        "The field must be a number."]
    refused = await ws.query({**args, "action": "publish", "body": {"name": "x"}})
    assert refused["error"]["message"] == 'Validation failed. Field "age": The field is mandatory.'
    published = await ws.query({**args, "action": "publish", "body": {"age": 1}})
    assert published["result"] == {"published": True}


async def test_index_names(ws: Any) -> None:
    underscore = await ws.query({"controller": "index", "action": "create", "index": "_private"})
    assert underscore["status"] == 200  # Kuzzle allows a leading underscore
    for bad in ("a+b", "_all", "x" * 127, "A"):
        answer = await ws.query({"controller": "index", "action": "create", "index": bad})
        assert answer["error"]["id"] == "services.storage.invalid_index_name", bad


async def test_search_aggregations_and_source_filters(ws: Any) -> None:
    city = {"type": "text", "fields": {"keyword": {"type": "keyword"}}}  # ES's dynamic mapping of a string
    await setup_collection(ws, {"properties": {"city": city, "age": {"type": "integer"}}})
    people = [{"city": "Paris", "age": 30}, {"city": "Lyon", "age": 40}, {"city": "Paris", "age": 50},
              {"city": None}]
    await ws.query({**BASE, "action": "mCreate", "body": {"documents": [{"body": p} for p in people]}})
    answer = await ws.query({**BASE, "action": "search", "size": 0, "body": {"aggs": {
        "cities": {"terms": {"field": "city.keyword"}, "aggs": {"oldest": {"max": {"field": "age"}}}},
        "mean": {"avg": {"field": "age"}},
        "count": {"value_count": {"field": "age"}},
    }}})
    aggregations = answer["result"]["aggregations"]
    assert aggregations["cities"] == {
        "doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": [
            {"key": "Paris", "doc_count": 2, "oldest": {"value": 50.0}},
            {"key": "Lyon", "doc_count": 1, "oldest": {"value": 40.0}},
        ]}
    assert aggregations["mean"] == {"value": 40.0} and aggregations["count"] == {"value": 3}
    assert answer["result"]["hits"] == [] and answer["result"]["total"] == 4
    filtered = await ws.query({**BASE, "action": "search", "body": {
        "query": {"match": {"city": "paris"}}, "_source": ["age"],
        "post_filter": {"range": {"age": {"gt": 40}}},
    }})
    assert [hit["_source"] for hit in filtered["result"]["hits"]] == [{"age": 50}]
    refused = await ws.query({**BASE, "action": "search", "body": {"script": {}}})
    assert refused["error"]["message"] == (
        'The argument "script" is not allowed at this level of a search query.')


def test_every_sdk_http_route_is_a_kuzzle_route() -> None:
    """The SDK's HTTP routes (kuzzle_browser.protocol.http) reach the same action here."""
    from kuzzle_browser.protocol.http import ROUTES as SDK_ROUTES
    from kuzzle_devserver.http_routes import match_route

    for controller, actions in SDK_ROUTES.items():
        for action, (verb, path) in actions.items():
            concrete = "/".join("x" if part.startswith(":") else part for part in path.split("/"))
            matched = match_route(verb, concrete)
            assert matched is not None, (controller, action, verb, path)
            assert (matched[0].controller, matched[0].action) == (controller, action), (verb, path)


async def test_mapped_types_are_enforced(ws: Any) -> None:
    await setup_collection(ws, {"properties": {"n": {"type": "integer"}, "b": {"type": "boolean"},
                                               "o": {"properties": {"k": {"type": "keyword"}}}}})
    coerced = await ws.query({**BASE, "action": "create", "_id": "ok", "body": {"n": "12", "b": "true"}})
    assert coerced["status"] == 200 and coerced["result"]["_source"]["n"] == "12"  # kept as sent
    refused = await ws.query({**BASE, "action": "create", "_id": "x", "body": {"n": "abc"}})
    assert refused["error"]["id"] == "services.storage.unexpected_bad_request"
    assert refused["error"]["message"] == (
        "failed to parse field [n] of type [integer] in document with id 'x'. "
        "Preview of field's value: 'abc'")
    concrete = await ws.query({**BASE, "action": "mCreate", "body": {"documents": [
        {"_id": "y", "body": {"o": 1}}, {"_id": "z", "body": {"b": "yes"}}]}})
    assert [e["reason"] for e in concrete["result"]["errors"]] == [
        "object mapping for [o] tried to parse field [o] as object, but found a concrete value",
        "failed to parse field [b] of type [boolean] in document with id 'z'. "
        "Preview of field's value: 'yes'",
    ]


async def test_scroll_duration_limit(ws: Any) -> None:
    await setup_collection(ws)
    answer = await ws.query({**BASE, "action": "search", "body": {}, "scroll": "2m"})
    assert answer["error"]["message"] == 'Scroll duration "2m" is too great.'
    specs = await ws.query({"controller": "collection", "action": "searchSpecifications", "body": {},
                            "scroll": "1h"})
    assert specs["error"]["id"] == "services.storage.scroll_duration_too_great"


async def test_count_takes_a_query_only(ws: Any) -> None:
    await setup_collection(ws)
    sorted_count = await ws.query({**BASE, "action": "count", "body": {"query": {}, "sort": ["n"]}})
    assert sorted_count["error"]["id"] == "services.storage.unexpected_bad_request"
    assert sorted_count["error"]["message"] == "request does not support [sort]"
    unknown = await ws.query({**BASE, "action": "count", "body": {"nope": 1}})
    assert unknown["error"]["id"] == "services.storage.invalid_search_query"


async def test_get_config_is_kuzzles_without_security(ws: Any) -> None:
    config = (await ws.query({"controller": "server", "action": "getConfig"}))["result"]
    assert "security" not in config and "routes" not in config["http"]
    assert config["version"] == "2.56.0" and config["limits"]["documentsWriteCount"] == 200
    assert config["server"]["maxRequestSize"] == "1MB"
    assert config["services"]["storageEngine"]["commonMapping"]["dynamic"] == "false"


async def test_export_of_a_missing_collection(server: DevServer, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/nope/c/_export") as response:
        # The stream has started: 200, the JSONL header, then the error's text.
        assert response.status == 200
        text = await response.text()
    assert text == ('{"collection":"c","index":"nope","type":"collection"}\n'
                    'PreconditionError: The index "nope" does not exist.')


async def test_empty_ids(ws: Any) -> None:
    await setup_collection(ws)
    created = await ws.query({**BASE, "action": "create", "_id": "", "body": {"n": 1}})
    assert len(created["result"]["_id"]) == 20  # an empty id is generated
    written = await ws.query({**BASE, "action": "createOrReplace", "_id": "", "body": {"n": 1}})
    assert written["error"]["message"] == 'Missing argument "_id".'


async def test_scroll_refuses_from(ws: Any) -> None:
    await setup_collection(ws)
    answer = await ws.query({**BASE, "action": "search", "body": {}, "scroll": "10s", "from": 1})
    assert answer["error"]["message"] == (
        "Validation Failed: 1: using [from] is not allowed in a scroll context;")
