"""In Chromium, against the dev server: BatchController over WebSocket and over Http."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from inpage_support import SERVER_HOST, SERVER_PORT, control, within

from kuzzle_browser import BadRequestError, BatchController, Http, Kuzzle, NotFoundError, WebSocket


async def batched_actions() -> list[str]:
    """The document actions the dev server received since the log was cleared, in order."""
    recorded = await control("requests", method="GET")
    actions = []
    for entry in recorded:
        if entry.get("transport") == "websocket" and isinstance(entry.get("frame"), dict):
            actions.append(str(entry["frame"].get("action")))
        elif entry.get("transport") == "http" and entry["method"] != "OPTIONS":
            actions.append(str(entry["path"].rsplit("/", 1)[-1]).lstrip("_"))  # /i/c/_mCreate
    return actions


async def run_batch(kuzzle: Kuzzle) -> None:
    index = f"batch-{uuid.uuid4().hex[:8]}"
    await within(kuzzle.connect())
    await kuzzle.auth.login("local", {"username": "alice", "password": "alice-password"})
    await kuzzle.index.create(index)
    await kuzzle.collection.create(index, "c")
    try:
        await control("requests", method="DELETE")
        async with BatchController(kuzzle, interval=0.05, max_write_buffer_size=20) as batch:
            calls: list[Any] = [batch.create(index, "c", {"n": n}, f"d{n}") for n in range(45)]
            calls.append(batch.create(index, "c", {"n": 0}, "d0"))  # a duplicate id: this one fails
            created = await within(asyncio.gather(*calls, return_exceptions=True))
        assert [doc["_id"] for doc in created[:45]] == [f"d{n}" for n in range(45)]
        assert isinstance(created[45], BadRequestError) and "already exists" in str(created[45])
        assert (await batched_actions()).count("mCreate") in (3, 4)  # 20 + 20 + 6, or split by a round

        async with BatchController(kuzzle) as batch:
            reads = await within(
                asyncio.gather(
                    batch.get(index, "c", "d1"),
                    batch.exists(index, "c", "d2"),
                    batch.exists(index, "c", "nope"),
                    batch.update(index, "c", "d3", {"m": 1}),
                    batch.replace(index, "c", "d4", {"n": 40}),
                    batch.create_or_replace(index, "c", "new", {"n": -1}),
                    batch.delete(index, "c", "d5"),
                    batch.get(index, "c", "nope"),
                    return_exceptions=True,
                )
            )
        assert reads[0]["_source"]["n"] == 1 and reads[1:3] == [True, False]
        assert reads[3]["_id"] == "d3" and reads[4]["_id"] == "d4" and reads[5]["_id"] == "new"
        assert reads[6] == "d5" and isinstance(reads[7], NotFoundError)
        source = (await kuzzle.document.get(index, "c", "d3"))["_source"]
        assert (source["n"], source["m"]) == (3, 1)
        assert not await kuzzle.document.exists(index, "c", "d5")
    finally:
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_batch_over_websocket() -> None:
    """Writes collected into few mCreate; each call gets its document or its error; reads batched."""
    await run_batch(Kuzzle(WebSocket(SERVER_HOST, port=SERVER_PORT)))


async def test_batch_over_http() -> None:
    """The same through the Http protocol (m* actions over their HTTP routes)."""
    await run_batch(Kuzzle(Http(SERVER_HOST, port=SERVER_PORT)))
