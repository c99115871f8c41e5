"""Realtime: subscriptions, channels, document and user notifications (docs/protocol.md §2.5, §2.6)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from kuzzle_devserver import DevServer

ServerFactory = Callable[..., Awaitable[DevServer]]


async def setup_collection(client: Any, index: str = "i", collection: str = "c") -> None:
    await client.query({"controller": "index", "action": "create", "index": index})
    created = await client.query({"controller": "collection", "action": "create",
                                  "index": index, "collection": collection})
    assert created["status"] == 200, created


async def subscribe(client: Any, body: dict[str, Any], **options: Any) -> dict[str, str]:
    answer = await client.query({"controller": "realtime", "action": "subscribe", "index": "i",
                                 "collection": "c", "body": body, **options})
    assert answer["status"] == 200, answer
    result: dict[str, str] = answer["result"]
    return result


@pytest.mark.parametrize(("scope", "users", "suffix"), [
    ("all", "none", "311"), ("in", "none", "312"), ("out", "none", "313"),
    ("none", "none", "31"), ("all", "all", "111"), ("all", "in", "211"), ("all", "out", "311"),
])
async def test_channel_suffixes(ws: Any, scope: str, users: str, suffix: str) -> None:
    result = await subscribe(ws, {}, scope=scope, users=users)
    assert result["channel"] == f"{result['roomId']}-{suffix}"


async def test_room_ids_are_deterministic(
    start_server: ServerFactory, ws_connect: Any
) -> None:
    first = await start_server()
    second = await start_server()
    filters = {"and": [{"equals": {"a": 1}}, {"range": {"b": {"gt": 2}}}]}
    room_a = await subscribe(await ws_connect(first), filters)
    room_b = await subscribe(await ws_connect(second), filters)
    assert room_a == room_b and len(room_a["roomId"]) == 64
    other = await subscribe(await ws_connect(second), {"equals": {"a": 2}})
    assert other["roomId"] != room_a["roomId"]


async def test_invalid_subscriptions(ws: Any) -> None:
    answer = await ws.query({"controller": "realtime", "action": "subscribe", "index": "i",
                             "collection": "c", "body": {"regexp": {"a": "b"}}})
    assert answer["error"]["id"] == "api.assert.koncorde_dsl_error"
    assert answer["error"]["code"] == 33619982
    answer = await ws.query({"controller": "realtime", "action": "subscribe", "index": "i",
                             "collection": "c", "body": {}, "scope": "sideways"})
    assert answer["error"]["id"] == "core.realtime.invalid_scope"
    answer = await ws.query({"controller": "realtime", "action": "unsubscribe",
                             "body": {"roomId": "nope"}})
    assert answer["error"]["id"] == "core.realtime.not_subscribed"
    assert answer["status"] == 412 and answer["error"]["props"] == ["-1", "nope"]


async def test_document_notifications_in_and_out(
    server: DevServer, ws_connect: Any
) -> None:
    listener, writer = await ws_connect(server), await ws_connect(server)
    await setup_collection(writer)
    channel = (await subscribe(listener, {"range": {"n": {"gte": 10}}}))["channel"]
    volatile = {"sdkInstanceId": "writer", "custom": 1}
    created = await writer.query({"controller": "document", "action": "create", "index": "i",
                                  "collection": "c", "_id": "d1", "body": {"n": 10},
                                  "volatile": volatile, "requestId": "create-1"})
    note = await listener.notification(channel)
    assert note["type"] == "document" and note["action"] == "create" and note["scope"] == "in"
    assert note["event"] == "write" and note["requestId"] == "create-1"
    assert note["volatile"] == volatile and note["controller"] == "document"
    assert note["index"] == "i" and note["collection"] == "c" and note["protocol"] == "websocket"
    assert note["result"]["_id"] == "d1" and note["result"]["_source"]["n"] == 10
    assert note["result"]["_source"]["_kuzzle_info"]["author"] == "-1"
    assert isinstance(note["timestamp"], int) and note["status"] == 200
    assert created["result"]["_version"] == 1
    await writer.query({"controller": "document", "action": "update", "index": "i",
                        "collection": "c", "_id": "d1", "body": {"n": 3}})
    note = await listener.notification(channel)
    assert note["action"] == "update" and note["scope"] == "out"
    assert note["result"]["_updatedFields"] == ["n"]
    await writer.query({"controller": "document", "action": "replace", "index": "i",
                        "collection": "c", "_id": "d1", "body": {"n": 50}})
    note = await listener.notification(channel)
    assert (note["action"], note["scope"]) == ("replace", "in")
    await writer.query({"controller": "document", "action": "delete", "index": "i",
                        "collection": "c", "_id": "d1"})
    note = await listener.notification(channel)
    assert (note["action"], note["scope"], note["event"]) == ("delete", "out", "delete")


async def test_scope_and_silent(server: DevServer, ws_connect: Any) -> None:
    listener, writer = await ws_connect(server), await ws_connect(server)
    await setup_collection(writer)
    only_out = (await subscribe(listener, {"equals": {"kind": "x"}}, scope="out"))["channel"]
    everything = (await subscribe(listener, {"equals": {"kind": "x"}}))["channel"]
    base = {"controller": "document", "index": "i", "collection": "c"}
    await writer.query({**base, "action": "create", "_id": "s", "body": {"kind": "x"},
                        "silent": True})
    await writer.query({**base, "action": "create", "_id": "t", "body": {"kind": "x"}})
    first = await listener.notification(everything)
    assert first["result"]["_id"] == "t"  # the silent create notified nobody
    await writer.query({**base, "action": "delete", "_id": "t"})
    out = await listener.notification(only_out)
    assert out["action"] == "delete"  # the "out" channel never saw the create


async def test_multiple_document_actions_notify_each_document(
    server: DevServer, ws_connect: Any
) -> None:
    listener, writer = await ws_connect(server), await ws_connect(server)
    await setup_collection(writer)
    channel = (await subscribe(listener, {}))["channel"]
    await writer.query({"controller": "document", "action": "mCreate", "index": "i",
                        "collection": "c", "body": {"documents": [
                            {"_id": "a", "body": {"v": 1}}, {"_id": "b", "body": {"v": 2}}]}})
    ids = {(await listener.notification(channel))["result"]["_id"] for _ in range(2)}
    assert ids == {"a", "b"}
    await writer.query({"controller": "document", "action": "upsert", "index": "i",
                        "collection": "c", "_id": "a", "body": {"changes": {"w": 1}}})
    note = await listener.notification(channel)
    assert note["action"] == "update" and note["result"]["_updatedFields"] == ["w"]


async def test_user_notifications(server: DevServer, ws_connect: Any) -> None:
    watcher, joiner = await ws_connect(server), await ws_connect(server)
    watched = await subscribe(watcher, {}, users="all")
    joined = await subscribe(joiner, {}, volatile={"who": "joiner"}, users="none")
    assert joined["roomId"] == watched["roomId"]
    note = await watcher.notification(watched["channel"])
    # the subscriber's own "in" came first; skip it
    if note["result"]["count"] == 1:
        note = await watcher.notification(watched["channel"])
    assert note["type"] == "user" and note["user"] == "in" and note["result"] == {"count": 2}
    assert note["volatile"] == {"who": "joiner"} and note["action"] == "subscribe"
    await joiner.query({"controller": "realtime", "action": "unsubscribe",
                        "body": {"roomId": joined["roomId"]}, "volatile": {"bye": True}})
    note = await watcher.notification(watched["channel"])
    assert (note["user"], note["result"], note["volatile"]) == ("out", {"count": 1}, {"bye": True})
    assert note["action"] == "unsubscribe"
    # closing a socket is an unsubscription too
    again = await subscribe(joiner, {}, volatile={"who": "again"})
    await watcher.notification(watched["channel"])
    await joiner.close()
    note = await watcher.notification(watched["channel"])
    assert note["user"] == "out" and note["volatile"] == {"who": "again"}
    assert again["roomId"] == watched["roomId"]


async def test_publish_count_list_join(server: DevServer, ws_connect: Any) -> None:
    listener, publisher = await ws_connect(server), await ws_connect(server)
    room = await subscribe(listener, {"equals": {"topic": "t"}})
    published = await publisher.query({"controller": "realtime", "action": "publish",
                                       "index": "i", "collection": "c", "body": {"topic": "t"},
                                       "volatile": {"v": 1}, "requestId": "pub"})
    assert published["result"] == {"published": True}
    note = await listener.notification(room["channel"])
    assert (note["action"], note["event"], note["scope"]) == ("publish", "publish", "in")
    assert note["result"]["_id"] is None and note["volatile"] == {"v": 1}
    assert note["requestId"] == "pub"
    assert set(note["result"]["_source"]["_kuzzle_info"]) == {"author", "createdAt"}
    joined = await publisher.query({"controller": "realtime", "action": "join",
                                    "body": {"roomId": room["roomId"]}})
    assert joined["result"]["roomId"] == room["roomId"]
    count = await listener.query({"controller": "realtime", "action": "count",
                                  "body": {"roomId": room["roomId"]}})
    assert count["result"] == {"count": 2}
    listing = await listener.query({"controller": "realtime", "action": "list"})
    assert listing["result"] == {"i": {"c": {room["roomId"]: 2}}}
