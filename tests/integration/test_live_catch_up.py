"""Live queries catching up after a reconnection, when the read fails.

The data reset of the README (``rm -rf data/`` while the windows are open) is the case
that matters: after it the index is gone, so the catch-up read fails with
``services.storage.unknown_index``. That means none of the documents exist any more,
and the live query must show an empty list, not the documents it held before.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from kuzzle_browser import Change, Kuzzle, KuzzleError, LiveQuery, WebSocket

from .conftest import MS, within
from .fakes import FakeTransport


def hits(*ids: str) -> dict[str, Any]:
    found = [{"_id": i, "_source": {"name": i}} for i in ids]
    return {"result": {"hits": found, "total": len(found)}, "error": None}


UNKNOWN_INDEX = "services.storage.unknown_index"


OTHER_FAILURE = "services.storage.not_found"  # any failure other than a missing index


def failure(error_id: str, status: int) -> dict[str, Any]:
    return {
        "status": status,
        "result": None,
        "error": {"id": error_id, "status": status, "message": error_id},
    }


async def live_over(transport: FakeTransport, *ids: str) -> tuple[Kuzzle, LiveQuery]:
    transport.peer.handlers["document:search"] = lambda request: hits(*ids)
    kuzzle = Kuzzle(WebSocket("kuzzle.test", transport=transport, reconnection_delay=10 * MS))
    await within(kuzzle.connect())
    live = await within(kuzzle.document.live("i", "c", sort="name"))
    assert live.ids == list(ids)
    return kuzzle, live


def removal_of(live: LiveQuery, *ids: str) -> asyncio.Future[None]:
    """Resolved once the live query has emitted the removal of each of ``ids``."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    waiting = set(ids)

    def changed(change: Change) -> None:
        if change.kind == "removed":
            waiting.discard(change.id)
        if not waiting and not done.done():
            done.set_result(None)

    live.callback = changed
    return done


class _Warned(logging.Handler):
    """Resolves ``future`` at the live query's first warning (its only sign of a failed read)."""

    def __init__(self, future: asyncio.Future[str]) -> None:
        super().__init__(logging.WARNING)
        self.future = future

    def emit(self, record: logging.LogRecord) -> None:
        if not self.future.done():
            self.future.set_result(record.getMessage())


def created(live: LiveQuery, document_id: str) -> str:
    assert live._subscription is not None
    channel = live._subscription.channel
    return json.dumps(
        {
            "room": channel,
            "type": "document",
            "action": "create",
            "event": "write",
            "scope": "in",
            "result": {"_id": document_id, "_source": {"name": document_id}},
        }
    )


async def test_a_catch_up_that_finds_the_index_gone_empties_the_list(transport: FakeTransport) -> None:
    """The index was deleted while this client was away: the list empties, and documents
    created once the index is back appear from their notifications."""
    kuzzle, live = await live_over(transport, "kept", "other")
    emptied = removal_of(live, "kept", "other")
    transport.peer.handlers["document:search"] = lambda request: failure(
        "services.storage.unknown_index", 412
    )
    transport.socket.drop()
    await within(emptied)  # by the catch-up after the restore
    assert live.ids == [] and live.reads == 2
    transport.socket.push(created(live, "new"))
    assert live.ids == ["new"]
    await live.close()
    await kuzzle.disconnect()


async def test_a_catch_up_that_finds_the_collection_gone_empties_the_list(transport: FakeTransport) -> None:
    kuzzle, live = await live_over(transport, "kept")
    emptied = removal_of(live, "kept")
    transport.peer.handlers["document:search"] = lambda request: failure(
        "services.storage.unknown_collection", 412
    )
    transport.socket.drop()
    await within(emptied)
    assert live.ids == []
    await live.close()
    await kuzzle.disconnect()


async def test_a_failed_catch_up_is_read_again_on_the_next_notification(transport: FakeTransport) -> None:
    """Any other failure keeps the documents held; the next notification shows the link
    works, so the live query reads again and then shows exactly the server's documents."""
    kuzzle, live = await live_over(transport, "a", "b")
    warned: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    handler = _Warned(warned)
    logging.getLogger("kuzzle_browser.live").addHandler(handler)
    try:
        transport.peer.handlers["document:search"] = lambda request: failure(OTHER_FAILURE, 503)
        transport.socket.drop()
        assert "could not catch up" in await within(warned)
    finally:
        logging.getLogger("kuzzle_browser.live").removeHandler(handler)
    assert live.ids == ["a", "b"] and live.reads == 1  # nothing is known: the list stays
    read_again = removal_of(live, "a")
    transport.peer.handlers["document:search"] = lambda request: hits("b", "c")  # "a" went meanwhile
    transport.socket.push(created(live, "c"))
    await within(read_again)
    assert live.ids == ["b", "c"] and live.reads == 2
    await live.close()
    await kuzzle.disconnect()


async def test_a_failed_first_read_still_raises(transport: FakeTransport) -> None:
    """Creating a live query on an index that does not exist is a mistake: it raises."""
    transport.peer.handlers["document:search"] = lambda request: failure(
        "services.storage.unknown_index", 412
    )
    kuzzle = Kuzzle(WebSocket("kuzzle.test", transport=transport))
    await within(kuzzle.connect())
    with pytest.raises(KuzzleError) as caught:
        await within(kuzzle.document.live("nope", "c"))
    assert caught.value.id == "services.storage.unknown_index"
    assert kuzzle.realtime.subscriptions == []  # its subscription was removed
    await kuzzle.disconnect()
