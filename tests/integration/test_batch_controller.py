"""Level 2: BatchController over the fake peer, with time driven by the test (no sleeping)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kuzzle_browser import (
    InvalidArgumentError,
    InvalidStateError,
    Kuzzle,
    NotFoundError,
    PreconditionError,
    WebSocket,
)
from kuzzle_browser.controllers.batch import BatchController

from .conftest import within
from .fakes import FakeTransport


class Clock:
    """An injectable ``sleep``: a round starts when the controller sleeps, ends on :meth:`tick`."""

    def __init__(self) -> None:
        self.sleeping = asyncio.Event()
        self._wake = asyncio.Event()
        self.delays: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.sleeping.set()
        await self._wake.wait()
        self._wake.clear()

    async def tick(self) -> None:
        await within(self.sleeping.wait())
        self.sleeping.clear()
        self._wake.set()


class Store:
    """The m* actions of a collection, answered as Kuzzle does (successes and errors in order)."""

    def __init__(self, transport: FakeTransport) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        for action in ("mCreate", "mReplace", "mUpdate", "mCreateOrReplace", "mDelete", "mGet"):
            transport.peer.handlers[f"document:{action}"] = self.handle
        self._ids = 0

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(request)
        if request["index"] == "missing":
            error = {"id": "services.storage.unknown_index", "status": 412, "message": "no index"}
            return {"status": 412, "error": error}
        action, body = request["action"], request["body"]
        successes: list[Any] = []
        errors: list[Any] = []
        if action == "mGet":
            for doc_id in body["ids"]:
                if doc_id in self.docs:
                    successes.append({"_id": doc_id, "_source": self.docs[doc_id]})
                else:
                    errors.append(doc_id)
        elif action == "mDelete":
            for doc_id in body["ids"]:
                if self.docs.pop(doc_id, None) is None:
                    errors.append({"_id": doc_id, "reason": "document not found", "status": 404})
                else:
                    successes.append(doc_id)
        else:
            for document in body["documents"]:
                doc_id = document.get("_id")
                exists = doc_id in self.docs
                if (action == "mCreate" and exists) or (action in ("mReplace", "mUpdate") and not exists):
                    reason = "document already exists" if exists else "document not found"
                    errors.append({"document": document, "reason": reason, "status": 400 if exists else 404})
                    continue
                if doc_id is None:
                    self._ids += 1
                    doc_id = f"gen{self._ids}"
                source = (
                    {**self.docs.get(doc_id, {}), **document["body"]}
                    if action == "mUpdate"
                    else document["body"]
                )
                self.docs[doc_id] = source
                successes.append({"_id": doc_id, "_source": source, "_version": 1})
        return {"result": {"successes": successes, "errors": errors}}


async def setup(transport: FakeTransport, **options: Any) -> tuple[BatchController, Clock, Store]:
    kuzzle = Kuzzle(WebSocket("127.0.0.1", transport=transport))
    await within(kuzzle.connect())
    clock = Clock()
    return BatchController(kuzzle, sleep=clock.sleep, **options), clock, Store(transport)


async def test_calls_of_one_interval_go_out_as_one_m_action(transport: FakeTransport) -> None:
    """Three creates in one interval: nothing is sent before it ends, then one mCreate; each gets its doc."""
    batch, clock, store = await setup(transport, interval=0.5)
    calls = [asyncio.ensure_future(batch.create("i", "c", {"n": n})) for n in range(3)]
    calls.append(asyncio.ensure_future(batch.create("i", "c", {"n": 9}, "nine", refresh="wait_for")))
    await within(clock.sleeping.wait())
    assert store.requests == [] and clock.delays == [0.5]
    await clock.tick()
    created = await within(asyncio.gather(*calls))
    assert [doc["_source"]["n"] for doc in created] == [0, 1, 2, 9] and created[3]["_id"] == "nine"
    assert [(r["action"], len(r["body"]["documents"]), r.get("refresh")) for r in store.requests] == [
        ("mCreate", 3, None),
        ("mCreate", 1, "wait_for"),  # its own options, its own request
    ]


async def test_each_call_settles_with_its_own_result(transport: FakeTransport) -> None:
    """A failing document raises for its call only; the next call still gets its own document."""
    batch, clock, store = await setup(transport)
    store.docs.update(a={"n": 1}, c={"n": 3})
    calls = [asyncio.ensure_future(batch.replace("i", "c", doc_id, {"n": 0})) for doc_id in "abc"]
    await clock.tick()
    results = await within(asyncio.gather(*calls, return_exceptions=True))
    assert results[0]["_id"] == "a" and results[2]["_id"] == "c"
    assert isinstance(results[1], NotFoundError)
    assert str(results[1]) == 'Cannot replace document "i":"c":"b": document not found'


async def test_reads_deletes_and_updates(transport: FakeTransport) -> None:
    """get/exists share one deduplicated mGet; missing get raises not_found; delete returns ids."""
    batch, clock, store = await setup(transport)
    store.docs.update(a={"n": 1}, b={"n": 2})
    reads = [
        asyncio.ensure_future(batch.get("i", "c", "a")),
        asyncio.ensure_future(batch.get("i", "c", "a")),
        asyncio.ensure_future(batch.get("i", "c", "zz")),
    ]
    exists = [asyncio.ensure_future(batch.exists("i", "c", doc_id)) for doc_id in ("b", "zz")]
    await clock.tick()
    got = await within(asyncio.gather(*reads, return_exceptions=True))
    assert got[0] == got[1] == {"_id": "a", "_source": {"n": 1}}
    assert isinstance(got[2], NotFoundError) and got[2].id == "services.storage.not_found"
    assert await within(asyncio.gather(*exists)) == [True, False]
    assert [r["body"]["ids"] for r in store.requests] == [["a", "zz"], ["b", "zz"]]
    update = asyncio.ensure_future(batch.update("i", "c", "a", {"m": 1}, retry_on_conflict=2))
    delete = asyncio.ensure_future(batch.delete("i", "c", "b"))
    await clock.tick()
    assert (await within(update))["_source"] == {"n": 1, "m": 1} and await within(delete) == "b"
    assert store.requests[-2]["retryOnConflict"] == 2 and "retry_on_conflict" not in store.requests[-2]


async def test_a_full_buffer_is_sent_before_the_interval_ends(transport: FakeTransport) -> None:
    """max_write_buffer_size documents go out at once; the rest waits for the round."""
    batch, clock, store = await setup(transport, max_write_buffer_size=2)
    calls = [asyncio.ensure_future(batch.create("i", "c", {"n": n})) for n in range(3)]
    done = await within(asyncio.gather(*calls[:2]))
    assert len(done) == 2 and [len(r["body"]["documents"]) for r in store.requests] == [2]
    await clock.tick()
    await within(calls[2])
    assert [len(r["body"]["documents"]) for r in store.requests] == [2, 1]


async def test_a_failed_m_call_fails_each_of_its_calls(transport: FakeTransport) -> None:
    """Kuzzle rejects the whole mCreate (unknown index): every call of that batch raises it."""
    batch, clock, _ = await setup(transport)
    calls = [asyncio.ensure_future(batch.create("missing", "c", {"n": n})) for n in range(2)]
    await clock.tick()
    results = await within(asyncio.gather(*calls, return_exceptions=True))
    assert all(isinstance(r, PreconditionError) for r in results)


async def test_dispose_sends_the_rest_then_refuses(transport: FakeTransport) -> None:
    """dispose() (or async with) flushes without waiting for the round; later calls raise."""
    batch, clock, store = await setup(transport)
    async with batch:
        pending = asyncio.ensure_future(batch.create("i", "c", {"n": 1}, "one"))
        await within(clock.sleeping.wait())
    assert (await within(pending))["_id"] == "one" and len(store.requests) == 1
    with pytest.raises(InvalidStateError, match="disposed"):
        await batch.create("i", "c", {"n": 2})
    # The plain document methods are not batched, and still work.
    assert (await within(batch.m_get("i", "c", ["one"])))["successes"][0]["_id"] == "one"


async def test_bad_arguments(transport: FakeTransport) -> None:
    """Options and identifiers are checked before anything is buffered."""
    kuzzle = Kuzzle(WebSocket("127.0.0.1", transport=transport))
    for options in ({"interval": -1}, {"max_write_buffer_size": 0}, {"max_read_buffer_size": True}):
        with pytest.raises(InvalidArgumentError):
            BatchController(kuzzle, **options)
    batch, _, _ = await setup(transport)
    with pytest.raises(InvalidArgumentError, match="index must be a string"):
        await batch.get(1, "c", "a")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="plain values"):
        await batch.create("i", "c", {}, refresh=["wait_for"])  # type: ignore[typeddict-item]
