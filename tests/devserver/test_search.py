"""Search: the query DSL subset, sort, from/size, search_after, scroll, errors."""

from __future__ import annotations

from typing import Any

import pytest

BASE = {"controller": "document", "index": "i", "collection": "c"}
PEOPLE = [
    {"name": "Ann Lee", "age": 31, "city": "Paris", "tags": ["a", "b"]},
    {"name": "Bob Stone", "age": 25, "city": "Lyon", "tags": ["b"]},
    {"name": "Cid Lee", "age": 47, "city": "Paris"},
    {"name": "Dan Roe", "age": 25, "city": "Nice", "tags": []},
    {"name": "Eve Moss", "age": 62},
]
# Kuzzle's collections are dynamic: false by default: Elasticsearch indexes only mapped fields
NAME = {"type": "text", "fields": {"keyword": {"type": "keyword"}}}  # ES's dynamic mapping of a string
MAPPINGS = {"properties": {"name": NAME, "age": {"type": "integer"},
                           "city": {"type": "keyword"}, "tags": {"type": "keyword"}}}


@pytest.fixture
async def people(ws: Any) -> Any:
    await ws.query({"controller": "index", "action": "create", "index": "i"})
    await ws.query({"controller": "collection", "action": "create", "index": "i",
                    "collection": "c", "body": {"mappings": MAPPINGS}})
    documents = [{"_id": f"p{n}", "body": body} for n, body in enumerate(PEOPLE)]
    await ws.query({**BASE, "action": "mCreate", "body": {"documents": documents}})
    return ws


async def search(client: Any, body: dict[str, Any], **args: Any) -> dict[str, Any]:
    answer = await client.query({**BASE, "action": "search", "body": body, **args})
    assert answer["status"] == 200, answer
    result: dict[str, Any] = answer["result"]
    return result


def ids(result: dict[str, Any]) -> list[str]:
    return [hit["_id"] for hit in result["hits"]]


@pytest.mark.parametrize(("query", "expected"), [
    ({}, ["p0", "p1", "p2", "p3", "p4"]),
    ({"match_all": {}}, ["p0", "p1", "p2", "p3", "p4"]),
    ({"ids": {"values": ["p1", "p3"]}}, ["p1", "p3"]),
    ({"term": {"city": "Paris"}}, ["p0", "p2"]),
    ({"term": {"tags": {"value": "b"}}}, ["p0", "p1"]),
    ({"terms": {"city": ["Lyon", "Nice"]}}, ["p1", "p3"]),
    ({"match": {"name": "lee"}}, ["p0", "p2"]),
    ({"range": {"age": {"gte": 25, "lt": 40}}}, ["p0", "p1", "p3"]),
    ({"exists": {"field": "tags"}}, ["p0", "p1"]),
    ({"bool": {"must": [{"term": {"city": "Paris"}}], "must_not": [{"match": {"name": "cid"}}]}},
     ["p0"]),
    ({"bool": {"should": [{"term": {"age": 25}}, {"term": {"age": 62}}]}}, ["p1", "p3", "p4"]),
    ({"bool": {"filter": {"range": {"age": {"gt": 40}}}}}, ["p2", "p4"]),
])
async def test_query_dsl(people: Any, query: dict[str, Any], expected: list[str]) -> None:
    result = await search(people, {"query": query})
    assert ids(result) == expected and result["total"] == len(expected)


async def test_hit_shape_and_default_size(people: Any) -> None:
    for n in range(10):
        await people.query({**BASE, "action": "create", "body": {"extra": n}})
    result = await search(people, {})
    assert len(result["hits"]) == 10 and result["total"] == 15
    hit = result["hits"][0]
    assert set(hit) == {"_id", "_score", "_source", "index", "collection"}


async def test_sort_and_from_size(people: Any) -> None:
    sort = [{"age": "desc"}, "_id"]
    first = await search(people, {"sort": sort}, size=2)
    assert ids(first) == ["p4", "p2"] and first["total"] == 5
    second = await search(people, {"sort": sort}, size=2, **{"from": 2})
    assert ids(second) == ["p0", "p1"]
    asc = await search(people, {"sort": [{"age": {"order": "asc"}}, {"_id": "desc"}]})
    assert ids(asc) == ["p3", "p1", "p0", "p2", "p4"]


async def test_search_after(people: Any) -> None:
    sort = [{"age": "asc"}, "_id"]
    page = await search(people, {"sort": sort}, size=2)
    assert ids(page) == ["p1", "p3"]
    last = page["hits"][-1]
    page = await search(people, {"sort": sort, "search_after": [last["_source"]["age"],
                                                                last["_id"]]}, size=2)
    assert ids(page) == ["p0", "p2"] and page["total"] == 5


async def test_scroll(people: Any) -> None:
    first = await search(people, {"sort": ["_id"]}, size=2, scroll="1m")
    assert ids(first) == ["p0", "p1"] and first["remaining"] == 3
    scroll_id = first["scrollId"]
    pages = []
    for _ in range(2):
        answer = await people.query({"controller": "document", "action": "scroll",
                                     "scrollId": scroll_id, "scroll": "1m"})
        pages.append(ids(answer["result"]))
    assert pages == [["p2", "p3"], ["p4"]]
    done = await people.query({"controller": "document", "action": "scroll",
                               "scrollId": scroll_id})
    assert done["error"]["id"] == "services.storage.unknown_scroll_id"


async def test_unsupported_queries_are_errors(people: Any) -> None:
    answer = await people.query({**BASE, "action": "search",
                                 "body": {"query": {"equals": {"city": "Paris"}}}})
    assert answer["error"]["id"] == "services.storage.unknown_query_keyword"
    assert answer["status"] == 400 and answer["error"]["props"] == ["equals"]
    answer = await people.query({**BASE, "action": "search", "body": {"rescore": {}}})
    assert answer["error"]["id"] == "services.storage.invalid_search_query"  # not in Kuzzle's list


async def test_koncorde_lang_and_count(people: Any) -> None:
    result = await search(people, {"query": {"equals": {"city": "Paris"}}}, lang="koncorde")
    assert ids(result) == ["p0", "p2"]
    count = await people.query({**BASE, "action": "count",
                                "body": {"query": {"range": {"age": {"lt": 30}}}}})
    assert count["result"] == {"count": 2}


async def test_unmapped_fields_are_kept_but_not_searchable(people: Any) -> None:
    """dynamic: false (Kuzzle's default): an unmapped field stays in _source, but
    Elasticsearch did not index it, so no query, count, aggregation or sort can use it."""
    await people.query({**BASE, "action": "create", "_id": "x", "body": {"nick": "Zed", "age": 9},
                        "refresh": "wait_for"})
    got = await people.query({**BASE, "action": "get", "_id": "x"})
    assert got["result"]["_source"]["nick"] == "Zed"
    for query in ({"term": {"nick": "Zed"}}, {"match": {"nick": "zed"}}, {"exists": {"field": "nick"}}):
        assert ids(await search(people, {"query": query})) == []
    count = await people.query({**BASE, "action": "count", "body": {"query": {"term": {"nick": "Zed"}}}})
    assert count["result"] == {"count": 0}
    assert ids(await search(people, {"query": {"equals": {"nick": "Zed"}}}, lang="koncorde")) == []
    aggregated = await search(people, {"aggs": {"nicks": {"terms": {"field": "nick"}}}}, size=0)
    assert aggregated["aggregations"]["nicks"]["buckets"] == []
    assert ids(await search(people, {"query": {"term": {"age": 9}}})) == ["x"]  # mapped: found


async def test_sorting_needs_a_mapped_non_text_field(people: Any) -> None:
    unmapped = await people.query({**BASE, "action": "search", "body": {"sort": ["nick"]}})
    assert unmapped["status"] == 400 and unmapped["error"]["id"] == "services.storage.unexpected_bad_request"
    assert unmapped["error"]["message"] == "No mapping found for [nick] in order to sort on"
    text = await people.query({**BASE, "action": "search", "body": {"sort": [{"name": "asc"}]}})
    assert text["error"]["id"] == "services.storage.unexpected_bad_request"
    assert text["error"]["message"].startswith("Text fields are not optimised for operations")
    told = await search(people, {"sort": [{"nick": {"order": "asc", "unmapped_type": "keyword"}}, "_id"]})
    assert ids(told) == ["p0", "p1", "p2", "p3", "p4"]  # all missing: the next key decides
    meta = await search(people, {"sort": [{"_kuzzle_info.createdAt": "asc"}, "_id"]})
    assert len(ids(meta)) == 5


async def test_koncorde_searches_run_as_elasticsearch_queries(people: Any) -> None:
    """lang=koncorde is translated to an ES query (Kuzzle's QueryTranslator), so it has ES
    semantics: equals on an array field matches one of its elements."""
    async def found(query: dict[str, Any]) -> list[str]:
        return ids(await search(people, {"query": query}, lang="koncorde"))

    assert await found({"equals": {"tags": "b"}}) == ["p0", "p1"]
    assert await found({"in": {"city": ["Lyon", "Nice"]}}) == ["p1", "p3"]
    assert await found({"missing": "tags"}) == ["p2", "p3", "p4"]  # [] indexes nothing
    assert await found({"exists": 'tags["a"]'}) == ["p0"]
    assert await found({"and": [{"equals": {"city": "Paris"}}, {"not": {"equals": {"age": 47}}}]}) == ["p0"]
    either = {"or": [{"equals": {"age": 25}}, {"range": {"age": {"gt": 60}}}]}
    assert await found(either) == ["p1", "p3", "p4"]
    refused = await people.query({**BASE, "action": "search", "lang": "koncorde",
                                  "body": {"query": {"bool": {"must": []}}}})
    assert refused["error"]["id"] == "api.assert.koncorde_restricted_keyword"
    malformed = await people.query({**BASE, "action": "search", "lang": "koncorde",
                                    "body": {"query": {"and": 3}}})
    assert malformed["error"]["id"] == "api.assert.koncorde_dsl_error"
    assert refused["error"]["message"] == (
        'The operator "bool" of Koncorde DSL is not supported for search queries.')


async def test_a_keyword_multi_field_is_searched_and_sorted_by_its_parent_value(people: Any) -> None:
    assert ids(await search(people, {"query": {"term": {"name.keyword": "Cid Lee"}}})) == ["p2"]
    assert ids(await search(people, {"query": {"term": {"name.keyword": "cid"}}})) == []  # not analysed
    ordered = await search(people, {"sort": [{"name.keyword": "desc"}]})
    assert ids(ordered) == ["p4", "p3", "p2", "p1", "p0"]
