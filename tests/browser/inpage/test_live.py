"""In Chromium, against the dev server: live queries and the Observer, catch-up included.

The client under test goes through the fault proxy, so its link can break while another
client (direct) keeps writing: after the reconnection it must show those writes.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from inpage_faults import PROXY_PORT, proxy
from inpage_support import SERVER_HOST, SERVER_PORT, next_event, wait_for, within

from kuzzle_browser import Change, Kuzzle, LiveQuery, Observer, OutcomeUnknownError, WebSocket

CREDENTIALS = {"username": "alice", "password": "alice-password"}


async def logged_in(port: int = SERVER_PORT, **options: Any) -> Kuzzle:
    protocol = WebSocket(
        SERVER_HOST, port=port, reconnection_delay=0.1, connect_timeout=0.5, ping_interval=0.5
    )
    kuzzle = Kuzzle(protocol, **options)
    await within(kuzzle.connect())
    await within(kuzzle.auth.login("local", CREDENTIALS))
    return kuzzle


# what the live queries filter and sort on (searches read mapped fields only)
MAPPINGS = {"properties": {"n": {"type": "integer"}, "open": {"type": "boolean"}}}


async def fresh_collection(kuzzle: Kuzzle) -> tuple[str, str]:
    index = f"live-{uuid.uuid4().hex[:8]}"
    await kuzzle.index.create(index)
    await kuzzle.collection.create(index, "items", {"mappings": MAPPINGS})
    return index, "items"


async def link_down(client: Kuzzle) -> None:
    """Cut the proxied link and keep it down (the proxy drops what is sent); back with
    ``proxy("mode", {"mode": "pass"})``."""
    disconnected = next_event(client, "disconnected")
    await proxy("mode", {"mode": "blackhole"})
    await proxy("cut")
    await within(disconnected)


def replay(rows: list[str], change: Change) -> None:
    if change.kind == "removed":
        del rows[change.index]
    elif change.kind == "added":
        rows.insert(change.index, change.id)
    else:
        assert change.old_index is not None
        del rows[change.old_index]
        rows.insert(change.index, change.id)


async def test_live_query_orders_filters_windows_and_closes() -> None:
    """Subscribe-then-search: documents enter and leave the filter and the size window in
    sort order; replaying the changes on a list gives live.documents; close() unsubscribes."""
    writer = await logged_in()
    index, collection = await fresh_collection(writer)
    for n in (5, 1, 3):
        await writer.document.create(index, collection, {"n": n, "open": True}, f"d{n}", refresh="wait_for")
    await writer.document.create(index, collection, {"n": 0, "open": False}, "closed", refresh="wait_for")
    reader = await logged_in()
    rows: list[str] = []
    live = await within(
        reader.document.live(
            index,
            collection,
            {"equals": {"open": True}},
            sort=[{"n": "asc"}],
            size=2,
            callback=lambda change: replay(rows, change),
        )
    )
    try:
        assert live.ids == rows == ["d1", "d3"]
        await writer.document.create(index, collection, {"n": 2, "open": True}, "d2")
        await wait_for(lambda: live.ids == ["d1", "d2"], 5, message="d2 entered, d3 pushed out")
        await writer.document.update(index, collection, "d1", {"open": False})  # leaves the filter
        await wait_for(lambda: live.ids == ["d2", "d3"], 5, message="d1 out, d3 back (refill)")
        await writer.document.update(index, collection, "d5", {"n": -1})
        await wait_for(lambda: live.ids == ["d5", "d2"], 5, message="d5 moved first")
        assert rows == live.ids
        assert live.get("d5") is not None and live.get("d5")["_source"]["n"] == -1  # type: ignore[index]
    finally:
        await live.close()
    assert reader.realtime.subscriptions == []
    await reader.disconnect()
    await writer.disconnect()


async def test_live_query_catches_up_after_a_reconnection() -> None:
    """While this client's link is down another one writes, updates and deletes: after the
    reconnection the live query re-reads and shows exactly the server's documents."""
    writer = await logged_in()
    index, collection = await fresh_collection(writer)
    for n in range(3):
        await writer.document.create(index, collection, {"n": n}, f"d{n}", refresh="wait_for")
    reader = await logged_in(PROXY_PORT, offline_mode="auto")
    live: LiveQuery = await within(reader.document.live(index, collection, sort="n"))
    assert live.ids == ["d0", "d1", "d2"]
    changes: list[Change] = []
    collected = asyncio.ensure_future(collect(live, changes))
    try:
        await link_down(reader)
        await writer.document.create(index, collection, {"n": 9}, "d9", refresh="wait_for")
        await writer.document.update(index, collection, "d0", {"n": 5}, refresh="wait_for")
        await writer.document.delete(index, collection, "d1", refresh="wait_for")
        reads = live.reads
        reconnected = next_event(reader, "reconnected")
        await proxy("mode", {"mode": "pass"})
        await within(reconnected, 20)
        await wait_for(lambda: live.reads > reads, 10, message="the catch-up read")
        assert live.ids == ["d2", "d0", "d9"]
        await wait_for(lambda: live.reads == reads + 1 and len(changes) >= 6, 5, message="changes iterated")
        assert [c.kind for c in changes[:3]] == ["added"] * 3  # the first read, iterated later
        rows = ["d0", "d1", "d2"]
        for change in changes[3:]:
            replay(rows, change)
        assert rows == live.ids
        kinds = {(c.kind, c.id) for c in changes[3:]}
        assert {("added", "d9"), ("changed", "d0"), ("removed", "d1")} <= kinds, changes
    finally:
        await proxy("mode", {"mode": "pass"})
        collected.cancel()
        await live.close()
        await reader.disconnect()
        await writer.disconnect()


async def test_live_query_empties_when_the_index_went_while_away() -> None:
    """The index is deleted while this client's link is down (a data reset): after the
    reconnection the live query shows no documents, then those written once it is back;
    an observed document is marked deleted."""
    writer = await logged_in()
    index, collection = await fresh_collection(writer)
    for n in range(2):
        await writer.document.create(index, collection, {"n": n}, f"d{n}", refresh="wait_for")
    reader = await logged_in(PROXY_PORT, offline_mode="auto")
    live: LiveQuery = await within(reader.document.live(index, collection, sort="n"))
    observed = await Observer(reader).get(index, collection, "d0")
    assert live.ids == ["d0", "d1"]
    try:
        await link_down(reader)
        await writer.index.delete(index)
        reads = live.reads
        reconnected = next_event(reader, "reconnected")
        await proxy("mode", {"mode": "pass"})
        await within(reconnected, 20)
        await wait_for(lambda: live.reads > reads, 10, message="the catch-up read")
        assert live.ids == []
        await wait_for(lambda: observed.deleted, 10, message="the observed document marked deleted")
        await writer.index.create(index)
        await writer.collection.create(index, collection, {"mappings": MAPPINGS})
        await writer.document.create(index, collection, {"n": 7}, "d7")
        await wait_for(lambda: live.ids == ["d7"], 10, message="the document written after the reset")
    finally:
        await proxy("mode", {"mode": "pass"})
        await live.close()
        await reader.disconnect()
        await writer.index.delete(index)
        await writer.disconnect()


async def collect(live: LiveQuery, into: list[Change]) -> None:
    async for change in live:
        into.append(change)


async def test_lost_answer_is_reconciled_by_the_live_query() -> None:
    """A create whose answer is lost (link frozen after sending) fails with OutcomeUnknownError;
    the live query's catch-up shows the document the server stored."""
    reader = await logged_in(PROXY_PORT, offline_mode="auto")
    index, collection = await fresh_collection(reader)
    live = await within(reader.document.live(index, collection))
    try:
        create = asyncio.ensure_future(reader.document.create(index, collection, {"t": "x"}, "lost"))
        await asyncio.sleep(0)
        await proxy("mode", {"mode": "blackhole"})  # the request may or may not reach the server
        await proxy("cut")
        try:
            await within(create, 10)
        except OutcomeUnknownError as exc:
            assert exc.outcome_unknown
        await proxy("mode", {"mode": "pass"})
        await wait_for(lambda: reader.connected, 20, message="reconnected")
        await live.refresh()
        stored = await reader.document.exists(index, collection, "lost")
        assert (live.get("lost") is not None) == stored
    finally:
        await proxy("mode", {"mode": "pass"})
        await live.close()
        await reader.disconnect()


async def test_observer_documents_follow_and_catch_up() -> None:
    """Observer.get/m_get/search hand out RealtimeDocuments: writes merge in, deletes mark them;
    changes made during an outage show after the reconnection (JS SDK: never)."""
    writer = await logged_in()
    index, collection = await fresh_collection(writer)
    for n in range(3):
        await writer.document.create(index, collection, {"n": n}, f"d{n}", refresh="wait_for")
    reader = await logged_in(PROXY_PORT, offline_mode="auto")
    observer = Observer(reader)
    one = await observer.get(index, collection, "d0")
    many = await observer.m_get(index, collection, ["d1", "nope"])
    found = await observer.search(index, collection, {"query": {"ids": {"values": ["d2"]}}})
    two, three = many["successes"][0], found.hits[0]
    assert many["errors"] == ["nope"] and (one._id, two._id, three._id) == ("d0", "d1", "d2")
    try:
        await writer.document.update(index, collection, "d0", {"n": 10})
        await wait_for(lambda: one._source["n"] == 10, 5, message="d0 updated")
        await writer.document.delete(index, collection, "d1")
        await wait_for(lambda: two.deleted, 5, message="d1 deleted")
        await link_down(reader)
        await writer.document.update(index, collection, "d2", {"n": 20}, refresh="wait_for")
        await writer.document.delete(index, collection, "d0", refresh="wait_for")
        await proxy("mode", {"mode": "pass"})
        await wait_for(lambda: three._source["n"] == 20 and one.deleted, 20, message="caught up")
        await observer.stop(index, collection, [three])
        await observer.dispose()
        assert reader.realtime.subscriptions == []
    finally:
        await proxy("mode", {"mode": "pass"})
        await reader.disconnect()
        await writer.disconnect()
