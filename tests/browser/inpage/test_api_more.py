"""In Chromium, against the dev server: specifications, stats, metrics, deleteFields, mExists, createToken,
over WebSocket and over Http."""

from __future__ import annotations

import uuid

from inpage_protocols import Over, client
from inpage_support import raises, within

from kuzzle_browser import BadRequestError, Kuzzle, NotFoundError, UnauthorizedError

SPEC = {
    "strict": True,
    "fields": {
        "age": {"type": "integer", "mandatory": True},
        "name": {"type": "string", "defaultValue": "anonymous"},
    },
}


async def logged_in(over: Over) -> Kuzzle:
    kuzzle = client(over)
    await within(kuzzle.connect())
    await within(kuzzle.auth.login("local", {"username": "alice", "password": "alice-password"}))
    return kuzzle


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def with_collection(kuzzle: Kuzzle) -> str:
    index = fresh("more")
    await kuzzle.index.create(index)
    await kuzzle.collection.create(index, "c", {"mappings": {"properties": {"age": {"type": "integer"}}}})
    return index


async def test_specifications() -> None:
    await specifications("websocket")


async def test_specifications_over_http() -> None:
    await specifications("http")


async def specifications(over: Over) -> None:
    """update/get/validate/search/delete specifications; writes checked, defaults applied."""
    kuzzle = await logged_in(over)
    index = await with_collection(kuzzle)
    collection = kuzzle.collection
    try:
        with raises(NotFoundError, match="No specifications defined"):
            await collection.get_specifications(index, "c")
        checked = await collection.validate_specifications(index, "c", {"fields": {"x": {"type": "nope"}}})
        assert checked["valid"] is False and checked["details"] == [f'In "{index}.c.x": unknown type "nope".']
        with raises(BadRequestError, match="Errors occured with the provided specifications"):
            await collection.update_specifications(index, "c", {"fields": {"x": {"type": "nope"}}})
        assert await collection.update_specifications(index, "c", SPEC) == SPEC
        assert (await collection.get_specifications(index, "c"))["validation"] == SPEC
        with raises(BadRequestError, match='Field "age": The field is mandatory'):
            await kuzzle.document.create(index, "c", {"name": "x"})
        created = await kuzzle.document.create(index, "c", {"age": 3})
        assert created["_source"]["name"] == "anonymous"
        assert await kuzzle.document.validate(index, "c", {"age": 1, "other": 1}) is False
        found = await collection.search_specifications({"query": {"term": {"index": index}}}, size=1)
        assert found.total == 1 and found.hits[0]["_id"] == f"{index}#c"
        await collection.delete_specifications(index, "c")
        assert await kuzzle.document.validate(index, "c", {"other": 1}) is True
    finally:
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_search_specifications_scrolls() -> None:
    await search_specifications_scrolls("websocket")


async def test_search_specifications_scrolls_over_http() -> None:
    await search_specifications_scrolls("http")


async def search_specifications_scrolls(over: Over) -> None:
    """A scrolled specifications search pages with collection:scrollSpecifications."""
    kuzzle = await logged_in(over)
    index = await with_collection(kuzzle)
    try:
        for name in ("a", "b", "c"):
            await kuzzle.collection.update_specifications(index, name, SPEC)
        query = {"query": {"term": {"index": index}}, "sort": ["_id"]}
        ids = []
        async for page in await kuzzle.collection.search_specifications(query, size=2, scroll="10s"):
            ids += [hit["_id"] for hit in page.hits]
        assert ids == [f"{index}#a", f"{index}#b", f"{index}#c"]
    finally:
        for name in ("a", "b", "c"):
            await kuzzle.collection.delete_specifications(index, name)
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_document_delete_fields_and_m_exists() -> None:
    await document_delete_fields_and_m_exists("websocket")


async def test_document_delete_fields_and_m_exists_over_http() -> None:
    await document_delete_fields_and_m_exists("http")


async def document_delete_fields_and_m_exists(over: Over) -> None:
    kuzzle = await logged_in(over)
    index = await with_collection(kuzzle)
    document = kuzzle.document
    try:
        await document.create(index, "c", {"age": 1, "o": {"a": 1, "b": 2}}, "d")
        answer = await document.delete_fields(index, "c", "d", ["o.a"], source=True)
        assert answer["_source"]["o"] == {"b": 2} and answer["_version"] == 2
        assert await document.m_exists(index, "c", ["d", "nope"]) == {"errors": ["nope"], "successes": ["d"]}
        with raises(BadRequestError, match="At least one of the get actions failed"):
            await document.m_exists(index, "c", ["nope"], strict=True)
    finally:
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_index_and_server_statistics() -> None:
    await index_and_server_statistics("websocket")


async def test_index_and_server_statistics_over_http() -> None:
    await index_and_server_statistics("http")


async def index_and_server_statistics(over: Over) -> None:
    kuzzle = await logged_in(over)
    index = await with_collection(kuzzle)
    try:
        await kuzzle.document.create(index, "c", {"age": 1})
        stats = await kuzzle.index.stats()
        mine = next(entry for entry in stats["indexes"] if entry["name"] == index)
        assert mine["collections"][0]["documentCount"] == 1
        server = kuzzle.server
        capabilities = await server.capabilities()
        assert capabilities["limits"]["documentsFetchCount"] == 10000 and "document" in capabilities["routes"]
        metrics = await server.metrics()
        assert metrics["network"]["connections"][over] >= 1 and "rooms" in metrics["realtime"]
        for stats_answer in (await server.get_stats(), await server.get_all_stats()):
            assert stats_answer["total"] == len(stats_answer["hits"])
        assert "timestamp" in await server.get_last_stats()
    finally:
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_auth_create_token() -> None:
    await auth_create_token("websocket")


async def test_auth_create_token_over_http() -> None:
    await auth_create_token("http")


async def auth_create_token(over: Over) -> None:
    """A single-use token authenticates one request, then Kuzzle refuses it."""
    kuzzle = await logged_in(over)
    other = client(over)
    try:
        created = await kuzzle.auth.create_token(expires_in="1m", single_use=True)
        assert created["singleUse"] is True and created["ttl"] == 60000
        await within(other.connect())
        other.jwt = created["token"]
        assert (await other.auth.get_current_user())["_id"] == "alice"
        with raises(UnauthorizedError, match="Invalid token"):
            await other.query({"controller": "auth", "action": "getCurrentUser"})
        with raises(BadRequestError, match="expiration"):
            await kuzzle.auth.create_token(expires_in=-1)
    finally:
        await other.disconnect()
        await kuzzle.disconnect()
