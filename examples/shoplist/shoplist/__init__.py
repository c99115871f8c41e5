"""A shared shopping list stored in Kuzzle (runs in the browser, with kuzzle_browser)."""

from __future__ import annotations

from typing import Any

INDEX = "shoplist"
COLLECTION = "items"


async def ensure_storage(kuzzle: Any) -> None:
    """Create the index and the collection if they are missing."""
    if not await kuzzle.index.exists(INDEX):
        await kuzzle.index.create(INDEX)
    if not await kuzzle.collection.exists(INDEX, COLLECTION):
        # searches read only mapped fields (Kuzzle's collections are dynamic: false)
        mappings = {"properties": {"name": {"type": "keyword"}, "done": {"type": "boolean"}}}
        await kuzzle.collection.create(INDEX, COLLECTION, {"mappings": mappings})


async def add_item(kuzzle: Any, name: str) -> str:
    """Add an item; its document id."""
    content = {"name": name, "done": False}
    document = await kuzzle.document.create(INDEX, COLLECTION, content, refresh="wait_for")
    return str(document["_id"])


async def item_names(kuzzle: Any) -> list[str]:
    """The names of the items, sorted."""
    result = await kuzzle.document.search(INDEX, COLLECTION, {"sort": ["name"]}, size=100)
    return sorted(hit["_source"]["name"] for hit in result.hits)
