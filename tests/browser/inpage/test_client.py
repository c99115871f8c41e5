"""In Chromium, against the dev server: the Kuzzle client and its controllers, end to end."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import js  # type: ignore[import-not-found]
from inpage_support import SERVER_HOST, SERVER_PORT, control, next_event, raises, wait_for, within

from kuzzle_browser import (
    SDK_NAME,
    BadRequestError,
    Kuzzle,
    NotFoundError,
    PreconditionError,
    UnauthorizedError,
    WebSocket,
)


def client(**options: Any) -> Kuzzle:
    return Kuzzle(WebSocket(SERVER_HOST, port=SERVER_PORT, reconnection_delay=0.2), **options)


async def logged_in(**options: Any) -> Kuzzle:
    kuzzle = client(**options)
    await within(kuzzle.connect())
    await within(kuzzle.auth.login("local", {"username": "alice", "password": "alice-password"}))
    return kuzzle


async def websocket_frames() -> list[Any]:
    """The frames the dev server received over WebSocket since the last reset."""
    recorded = await control("requests", method="GET")
    return [r["frame"] for r in recorded if r.get("transport") == "websocket"]


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_auth_controller() -> None:
    """login (token), check_token, get_current_user, get_my_rights, update_self, refresh, logout."""
    kuzzle = client()
    await within(kuzzle.connect())
    try:
        with raises(UnauthorizedError, match="wrong username or password"):
            await kuzzle.auth.login("local", {"username": "alice", "password": "wrong"})
        token = await within(kuzzle.auth.login("local", {"username": "alice", "password": "alice-password"}))
        assert token and kuzzle.jwt == token and kuzzle.authenticated
        assert (await kuzzle.auth.check_token())["valid"] is True
        assert (await kuzzle.auth.get_current_user())["_id"] == "alice"
        assert isinstance(await kuzzle.auth.get_my_rights(), list)
        assert "local" in await kuzzle.auth.get_strategies()
        updated = await kuzzle.auth.update_self({"nickname": "Al"})
        assert updated["_source"]["nickname"] == "Al"
        refreshed = await kuzzle.auth.refresh_token()
        assert refreshed["jwt"] == kuzzle.jwt != token
        await kuzzle.auth.logout()
        assert kuzzle.jwt is None and not kuzzle.authenticated
        assert (await kuzzle.auth.check_token(refreshed["jwt"]))["valid"] is False
    finally:
        await kuzzle.disconnect()


async def test_index_and_collection_controllers() -> None:
    """index: create/exists/list/delete/m_delete; collection: create/exists/list/mappings/truncate/delete."""
    kuzzle = await logged_in()
    index, other = fresh("idx"), fresh("idx")
    try:
        await kuzzle.index.create(index)
        await kuzzle.index.create(other)
        assert await kuzzle.index.exists(index)
        assert {index, other} <= set(await kuzzle.index.list())
        mappings = {"properties": {"name": {"type": "keyword"}}}
        await kuzzle.collection.create(index, "items", {"mappings": mappings})
        assert await kuzzle.collection.exists(index, "items")
        names = [c["name"] for c in (await kuzzle.collection.list(index))["collections"]]
        assert names == ["items"]
        assert "name" in (await kuzzle.collection.get_mapping(index, "items"))["properties"]
        await kuzzle.collection.update_mapping(index, "items", {"properties": {"n": {"type": "integer"}}})
        assert "n" in (await kuzzle.collection.get_mapping(index, "items"))["properties"]
        await kuzzle.document.create(index, "items", {"name": "a"}, refresh="wait_for")
        await kuzzle.collection.truncate(index, "items")
        await kuzzle.collection.refresh(index, "items")
        assert await kuzzle.document.count(index, "items") == 0
        await kuzzle.collection.delete(index, "items")
        assert not await kuzzle.collection.exists(index, "items")
        assert await kuzzle.index.m_delete([other]) == [other]
        await kuzzle.index.delete(index)
        assert not await kuzzle.index.exists(index)
    finally:
        await kuzzle.disconnect()


async def test_document_controller() -> None:
    """Every document method, with Kuzzle's errors for the failures."""
    kuzzle = await logged_in()
    index = fresh("docs")
    doc = kuzzle.document
    try:
        await kuzzle.index.create(index)
        await kuzzle.collection.create(index, "c", {"mappings": {"properties": {"n": {"type": "integer"}}}})
        created = await doc.create(index, "c", {"n": 1}, "one", refresh="wait_for")
        assert created["_id"] == "one" and created["_source"]["n"] == 1
        with raises(BadRequestError, match="already exists"):
            await doc.create(index, "c", {"n": 1}, "one")
        auto = await doc.create(index, "c", {"n": 2})
        assert auto["_id"] and await doc.exists(index, "c", auto["_id"])
        assert (await doc.get(index, "c", "one"))["_source"]["n"] == 1
        await doc.create_or_replace(index, "c", "two", {"n": 2})
        await doc.replace(index, "c", "two", {"n": 22})
        updated = await doc.update(index, "c", "two", {"m": 1}, source=True)
        assert updated["_source"] == {**updated["_source"], "n": 22, "m": 1}
        await doc.upsert(index, "c", "three", {"n": 3}, default={"d": True})
        assert (await doc.get(index, "c", "three"))["_source"]["d"] is True
        assert await doc.validate(index, "c", {"n": 4})
        assert await doc.count(index, "c", {"query": {"range": {"n": {"gte": 2}}}}) == 3
        assert await doc.delete(index, "c", auto["_id"]) == auto["_id"]
        with raises(NotFoundError):
            await doc.get(index, "c", auto["_id"])
        with raises(PreconditionError):
            await doc.get(fresh("nope"), "c", "one")
        many = await doc.m_create(index, "c", [{"_id": f"m{n}", "body": {"n": 10 + n}} for n in range(3)])
        assert len(many["successes"]) == 3 and many["errors"] == []
        assert len((await doc.m_get(index, "c", ["m0", "m1", "missing"]))["successes"]) == 2
        await doc.m_replace(index, "c", [{"_id": "m0", "body": {"n": 100}}])
        await doc.m_update(index, "c", [{"_id": "m1", "body": {"x": 1}}])
        await doc.m_upsert(index, "c", [{"_id": "m9", "changes": {"n": 9}}])
        await doc.m_create_or_replace(index, "c", [{"_id": "m8", "body": {"n": 8}}])
        assert len((await doc.m_delete(index, "c", ["m8", "m9"]))["successes"]) == 2
        await doc.update_by_query(index, "c", {"term": {"n": 100}}, {"flag": True}, refresh="wait_for")
        assert (await doc.get(index, "c", "m0"))["_source"]["flag"] is True
        deleted = await doc.delete_by_query(index, "c", {"query": {"ids": {"values": ["m0", "m1"]}}})
        assert sorted(deleted) == ["m0", "m1"]
    finally:
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_search_pages() -> None:
    """SearchResult: total, hits, fetched, next() and async for, by from/size and by sort."""
    kuzzle = await logged_in()
    index = fresh("search")
    try:
        await kuzzle.index.create(index)
        await kuzzle.collection.create(index, "c", {"mappings": {"properties": {"n": {"type": "integer"}}}})
        await kuzzle.document.m_create(
            index, "c", [{"_id": f"d{n:02}", "body": {"n": n}} for n in range(25)], refresh="wait_for"
        )
        result = await kuzzle.document.search(index, "c", {"query": {"range": {"n": {"gte": 5}}}}, size=10)
        assert (result.total, len(result.hits), result.fetched) == (20, 10, 10)
        pages = [page async for page in result]
        assert [len(p.hits) for p in pages] == [10, 10] and pages[-1].fetched == 20
        assert await pages[-1].next() is None
        by_sort = await kuzzle.document.search(index, "c", {"sort": [{"n": "asc"}, "_id"]}, size=7)
        seen = [hit["_source"]["n"] async for page in by_sort for hit in page.hits]
        assert seen == list(range(25))
    finally:
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_realtime_subscribe_publish_count_unsubscribe() -> None:
    """Notifications on publish and document changes, scope, count, async for, unsubscribe."""
    kuzzle = await logged_in()
    index = fresh("rt")
    try:
        await kuzzle.index.create(index)
        await kuzzle.collection.create(index, "c")
        got: list[dict[str, Any]] = []
        arrived: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_notification(notification: dict[str, Any]) -> None:
            got.append(notification)
            if not arrived.done():
                arrived.set_result(None)

        sub = await kuzzle.realtime.subscribe(index, "c", {"range": {"n": {"gte": 10}}}, on_notification)
        leaving = await kuzzle.realtime.subscribe(index, "c", {"range": {"n": {"gte": 10}}}, scope="out")
        assert await kuzzle.realtime.count(sub.room_id) >= 1
        await kuzzle.realtime.publish(index, "c", {"n": 11})
        await within(arrived)
        assert got[-1]["action"] == "publish" and got[-1]["result"]["_source"]["n"] == 11
        await kuzzle.document.create(index, "c", {"n": 12}, "doc")
        await kuzzle.document.update(index, "c", "doc", {"n": 1})
        out = await within(anext(aiter(leaving)))
        assert out["scope"] == "out" and out["action"] == "update"
        assert {n["action"] for n in got} >= {"publish", "create"}
        await sub.unsubscribe()
        await leaving.unsubscribe()
        assert not sub.active and kuzzle.realtime.subscriptions == []
    finally:
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_server_controller() -> None:
    """now, info, get_config, health_check."""
    kuzzle = client()
    await within(kuzzle.connect())
    try:
        assert await kuzzle.server.now() > 1_600_000_000_000
        assert "kuzzle" in (await kuzzle.server.info())["serverInfo"]
        assert isinstance(await kuzzle.server.get_config(), dict)
        assert (await kuzzle.server.health_check())["status"] == "green"
    finally:
        await kuzzle.disconnect()


async def test_offline_queue_fills_while_down_and_replays() -> None:
    """offline_mode="auto": requests made while the server is down are replayed when it returns."""
    kuzzle = await logged_in(offline_mode="auto")
    index = fresh("queue")
    await kuzzle.index.create(index)
    await kuzzle.collection.create(index, "c")
    disconnected, reconnected = next_event(kuzzle, "disconnected"), next_event(kuzzle, "reconnected")
    try:
        await control("restart", {"down": 1.5})
        await within(disconnected)
        create = kuzzle.document.create
        writes = [asyncio.ensure_future(create(index, "c", {"n": n}, f"q{n}")) for n in range(5)]
        await asyncio.sleep(0)
        assert len(kuzzle.offline_queue) == 5
        await within(reconnected, 20)
        results = await within(asyncio.gather(*writes), 20)
        assert [r["_id"] for r in results] == [f"q{n}" for n in range(5)]
        assert kuzzle.offline_queue == []
    finally:
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_subscription_restored_after_restart() -> None:
    """A notification published after a server restart reaches the old subscription, same room id."""
    kuzzle = await logged_in()
    index = fresh("resub")
    await kuzzle.index.create(index)
    await kuzzle.collection.create(index, "c")
    sub = await kuzzle.realtime.subscribe(index, "c", {})
    room = sub.room_id
    reconnected = next_event(kuzzle, "reconnected")
    try:
        await control("restart", {"down": 0.5})
        await within(reconnected, 20)
        for _ in range(50):  # resubscription is in flight right after "reconnected"
            if await kuzzle.realtime.count(room) >= 1:
                break
            await asyncio.sleep(0.05)
        await kuzzle.realtime.publish(index, "c", {"after": "restart"})
        notification = await within(anext(aiter(sub)))
        assert notification["result"]["_source"]["after"] == "restart" and sub.room_id == room
    finally:
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_token_expired_event() -> None:
    """A token that expires: Kuzzle's TokenExpired push and security.token.expired both end the session."""
    kuzzle = client()
    await within(kuzzle.connect())
    expired = next_event(kuzzle, "tokenExpired")
    try:
        await kuzzle.auth.login("local", {"username": "alice", "password": "alice-password"}, expires_in="1s")
        await kuzzle.server.now()  # links the token to this socket
        await within(expired)
        assert kuzzle.jwt is None and not kuzzle.authenticated
        kuzzle.jwt = "eyJhbGciOiJIUzI1NiJ9.eyJfaWQiOiJhbGljZSIsImV4cCI6MX0.x"
        with raises(UnauthorizedError):
            await kuzzle.server.now()
    finally:
        await kuzzle.disconnect()


async def test_wire_requests_carry_no_sdk_version_nor_sdk_options() -> None:
    """What reaches the server: sdkInstanceId and sdkName in volatile, never sdkVersion, no SDK options."""
    await control("requests", method="DELETE")
    kuzzle = client(volatile={"app": "tests"})
    await within(kuzzle.connect())
    try:
        await kuzzle.query({"controller": "server", "action": "now"}, queuable=False, timeout=5)
        await kuzzle.realtime.subscribe("x", "y", {}, subscribe_to_self=False)
    finally:
        await kuzzle.disconnect()
    frames = await websocket_frames()
    requests = [f for f in frames if isinstance(f, dict) and "controller" in f]
    assert requests
    for request in requests:
        assert request["volatile"]["sdkName"] == SDK_NAME and "sdkVersion" not in request["volatile"]
        assert request["volatile"]["sdkInstanceId"] == kuzzle.protocol.id
        assert not {"queuable", "timeout", "subscribeToSelf", "autoResubscribe", "verb"} & set(request)


async def test_auth_credentials_and_api_keys() -> None:
    """Credential helpers of the local strategy, checkRights, and API keys used by another client."""
    kuzzle = client()
    await within(kuzzle.connect())
    await within(kuzzle.auth.login("local", {"username": "bob", "password": "bob-password"}))
    auth = kuzzle.auth
    other = client()
    try:
        assert await auth.credentials_exist("local")
        assert await auth.get_my_credentials("local") == {"username": "bob", "kuid": "bob"}
        assert await auth.validate_my_credentials("local", {"username": "bobby", "password": "x"})
        await auth.update_my_credentials("local", {"password": "bob-new-password"})
        with raises(UnauthorizedError):
            await other_login("bob", "bob-password")
        await other_login("bob", "bob-new-password")
        assert await auth.delete_my_credentials("local")
        assert not await auth.credentials_exist("local")
        await auth.create_my_credentials("local", {"username": "bob", "password": "bob-password"})
        assert await auth.check_rights({"controller": "document", "action": "create"})

        key = await auth.create_api_key("in-page test key")
        token = key["_source"]["token"]
        assert token.startswith("kapikey-") and key["_source"]["expiresAt"] == -1
        other.set_api_key(token)
        await within(other.connect())
        assert other.authenticated and (await other.auth.get_current_user())["_id"] == "bob"
        assert any(hit["_id"] == key["_id"] for hit in (await auth.search_api_keys())["hits"])
        await auth.delete_api_key(key["_id"])
        with raises(UnauthorizedError):
            await other.server.now()
    finally:
        await other.disconnect()
        await kuzzle.disconnect()


async def other_login(username: str, password: str) -> None:
    """Log in with a separate, short-lived client."""
    probe = client()
    await within(probe.connect())
    try:
        await probe.auth.login("local", {"username": username, "password": password})
    finally:
        await probe.disconnect()


async def test_offline_queue_survives_a_page_reload() -> None:
    """offline_queue_storage keeps queued requests in localStorage; a new client replays them."""
    key = f"kb-queue-{uuid.uuid4().hex[:8]}"
    index = fresh("reload")
    setup = await logged_in()
    await setup.index.create(index)
    await setup.collection.create(index, "c")
    before = client(offline_queue_storage=key)
    before.start_queuing()
    pending = asyncio.ensure_future(
        before.query(
            {
                "controller": "document",
                "action": "create",
                "index": index,
                "collection": "c",
                "_id": "written-before-reload",
                "body": {"n": 1},
            }
        )
    )
    await asyncio.sleep(0)
    saved = json.loads(str(js.localStorage.getItem(key)))
    assert [item["request"]["_id"] for item in saved] == ["written-before-reload"]
    pending.cancel()  # the page goes away with its pending call

    after = client(offline_queue_storage=key, auto_replay=True)
    try:
        await within(after.connect())
        await wait_for(lambda: setup.document.exists(index, "c", "written-before-reload"), 10)
        assert not isinstance(js.localStorage.getItem(key), str)  # removed once replayed
        nothing_saved = client(offline_queue_storage=f"{key}-never-used")
        await within(nothing_saved.connect())  # an absent key (JS null) restores nothing
        assert nothing_saved.offline_queue == []
        await nothing_saved.disconnect()
    finally:
        await setup.index.delete(index)
        await setup.disconnect()
        await after.disconnect()
