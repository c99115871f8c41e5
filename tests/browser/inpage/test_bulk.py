"""In Chromium, against the dev server: every ``kuzzle.bulk`` method, over WebSocket and over Http."""

from __future__ import annotations

import uuid

from inpage_protocols import Over, client
from inpage_support import raises, within

from kuzzle_browser import BadRequestError


async def test_every_bulk_method() -> None:
    await every_bulk_method("websocket")


async def test_every_bulk_method_over_http() -> None:
    await every_bulk_method("http")


async def every_bulk_method(over: Over) -> None:
    kuzzle = client(over)
    await within(kuzzle.connect())
    index = f"bulk-{uuid.uuid4().hex[:8]}"
    try:
        mappings = {"properties": {"n": {"type": "integer"}, "tag": {"type": "keyword"}}}
        await within(kuzzle.collection.create(index, "c", {"mappings": mappings}))
        imported = await within(
            kuzzle.bulk.import_(
                index, "c", [{"index": {"_id": "a"}}, {"n": 1}, {"create": {"_id": "a"}}, {"n": 2}]
            )
        )
        assert imported["successes"] == [{"index": {"_id": "a", "status": 201}}]
        assert imported["errors"][0]["create"]["status"] == 409
        with raises(BadRequestError, match="At least one of the import actions failed"):
            await within(kuzzle.bulk.import_(index, "c", [{"create": {"_id": "a"}}, {"n": 2}], strict=True))
        written = await within(kuzzle.bulk.write(index, "c", {"n": 3, "tag": "x"}, "w"))
        assert written == {"_id": "w", "_source": {"n": 3, "tag": "x"}, "_version": 1}
        many = await within(
            kuzzle.bulk.m_write(index, "c", [{"_id": "m", "body": {"tag": "x"}}, {"body": 1}])
        )
        assert many["successes"] == [{"_id": "m", "_source": {"tag": "x"}, "_version": 1}]
        assert many["errors"][0]["reason"] == "document body must be an object"
        assert (
            await within(kuzzle.bulk.update_by_query(index, "c", {"term": {"tag": "x"}}, {"seen": True})) == 2
        )
        assert (await within(kuzzle.document.get(index, "c", "m")))["_source"] == {"tag": "x", "seen": True}
        assert await within(kuzzle.bulk.delete_by_query(index, "c", {"query": {"term": {"tag": "x"}}})) == 2
        assert await within(kuzzle.document.count(index, "c")) == 1
    finally:
        await within(kuzzle.index.delete(index))
        await kuzzle.disconnect()
