"""The ``collection``, ``index`` and ``server`` controllers.

Kuzzle docs: https://docs.kuzzle.io/sdk/js/7/controllers/
"""

from __future__ import annotations

import builtins
from typing import Any

from kuzzle_browser.controllers.base import BaseController

__all__ = ["CollectionController", "IndexController", "ServerController"]


class CollectionController(BaseController):
    """``kuzzle.collection``: create and manage collections."""

    name = "collection"

    async def create(self, index: str, collection: str, definition: dict[str, Any] | None = None) -> None:
        """Create a collection; ``definition`` is ``{"mappings": ..., "settings": ...}``."""
        await self._send("create", {"index": index, "collection": collection, "body": definition or {}})

    async def exists(self, index: str, collection: str) -> bool:
        """Whether the collection exists."""
        return bool(await self._result("exists", {"index": index, "collection": collection}))

    async def list(self, index: str, *, from_: int | None = None, size: int | None = None) -> dict[str, Any]:
        """The index's collections: ``{"type", "collections": [{"name", "type"}]}``."""
        result: dict[str, Any] = await self._result(
            "list", {"index": index, "size": size or 0}, **{"from": from_}
        )
        return result

    async def delete(self, index: str, collection: str) -> None:
        """Delete a collection and its documents."""
        await self._send("delete", {"index": index, "collection": collection})

    async def get_mapping(
        self, index: str, collection: str, *, include_kuzzle_meta: bool = False
    ) -> dict[str, Any]:
        """The collection's mappings: ``{"dynamic", "_meta", "properties"}``."""
        result: dict[str, Any] = await self._result(
            "getMapping",
            {"index": index, "collection": collection, "includeKuzzleMeta": include_kuzzle_meta},
        )
        return result

    async def update_mapping(self, index: str, collection: str, mappings: dict[str, Any]) -> dict[str, Any]:
        """Add fields to the collection's mappings."""
        result: dict[str, Any] = await self._result(
            "updateMapping", {"index": index, "collection": collection, "body": mappings}
        )
        return result

    async def update(self, index: str, collection: str, definition: dict[str, Any]) -> None:
        """Update the collection's mappings and settings."""
        await self._send("update", {"index": index, "collection": collection, "body": definition})

    async def truncate(self, index: str, collection: str, *, refresh: str | None = None) -> None:
        """Delete every document of the collection, keeping the collection."""
        await self._send("truncate", {"index": index, "collection": collection}, refresh=refresh)

    async def refresh(self, index: str, collection: str) -> None:
        """Make recent changes searchable now."""
        await self._send("refresh", {"index": index, "collection": collection})


class IndexController(BaseController):
    """``kuzzle.index``: create and manage indexes."""

    name = "index"

    async def create(self, index: str) -> None:
        """Create an index."""
        await self._send("create", {"index": index})

    async def delete(self, index: str) -> None:
        """Delete an index with its collections."""
        await self._send("delete", {"index": index})

    async def exists(self, index: str) -> bool:
        """Whether the index exists."""
        return bool(await self._result("exists", {"index": index}))

    async def list(self) -> builtins.list[str]:
        """The names of the indexes."""
        result = await self._result("list")
        indexes: builtins.list[str] = result.get("indexes", [])
        return indexes

    async def m_delete(self, indexes: builtins.list[str]) -> builtins.list[str]:
        """Delete several indexes; returns those deleted."""
        result = await self._result("mDelete", {"body": {"indexes": indexes}})
        deleted: builtins.list[str] = result.get("deleted", [])
        return deleted


class ServerController(BaseController):
    """``kuzzle.server``: server time, information and health."""

    name = "server"

    async def now(self) -> int:
        """The server time, in milliseconds since the epoch."""
        result = await self._result("now")
        return int(result["now"])

    async def info(self) -> dict[str, Any]:
        """Server information: ``{"serverInfo": {"kuzzle": {...}, "services": {...}}}``."""
        result: dict[str, Any] = await self._result("info")
        return result

    async def get_config(self) -> dict[str, Any]:
        """The server's configuration (secrets removed by Kuzzle)."""
        result: dict[str, Any] = await self._result("getConfig")
        return result

    async def health_check(self) -> dict[str, Any]:
        """``{"status": "green"|"red", "services": {...}}`` (the JS SDK has no method for it)."""
        result: dict[str, Any] = await self._result("healthCheck")
        return result

    async def admin_exists(self) -> bool:
        """Whether an administrator account exists."""
        result = await self._result("adminExists")
        return bool(result.get("exists"))
