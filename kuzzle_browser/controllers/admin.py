"""The ``collection``, ``index`` and ``server`` controllers.

Kuzzle docs: https://docs.kuzzle.io/sdk/js/7/controllers/
"""

from __future__ import annotations

import builtins
from typing import Any

from kuzzle_browser.controllers.base import BaseController
from kuzzle_browser.search_result import SpecificationsSearchResult

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

    # Validation specifications

    async def get_specifications(self, index: str, collection: str) -> dict[str, Any]:
        """The collection's specifications: ``{"collection", "index", "validation"}``.

        Raises:
            NotFoundError: ``validation.assert.not_found`` when none are set.
        """
        result: dict[str, Any] = await self._result(
            "getSpecifications", {"index": index, "collection": collection}
        )
        return result

    async def update_specifications(
        self, index: str, collection: str, specifications: dict[str, Any]
    ) -> dict[str, Any]:
        """Set the collection's specifications (``{"strict", "fields", "validators"}``); returns them.

        Raises:
            BadRequestError: ``validation.assert.invalid_specifications``; call
                :meth:`validate_specifications` to get the problems one by one.
        """
        result: dict[str, Any] = await self._result(
            "updateSpecifications", {"index": index, "collection": collection, "body": specifications}
        )
        return result

    async def validate_specifications(
        self, index: str, collection: str, specifications: dict[str, Any]
    ) -> dict[str, Any]:
        """Check specifications without storing them: ``{"valid", "details"?, "description"?}``."""
        result: dict[str, Any] = await self._result(
            "validateSpecifications", {"index": index, "collection": collection, "body": specifications}
        )
        return result

    async def delete_specifications(self, index: str, collection: str) -> None:
        """Remove the collection's specifications (no error when there are none)."""
        await self._send("deleteSpecifications", {"index": index, "collection": collection})

    async def search_specifications(
        self,
        query: dict[str, Any] | None = None,
        *,
        from_: int | None = None,
        size: int | None = None,
        scroll: str | None = None,
    ) -> SpecificationsSearchResult:
        """Search every collection's specifications; page the result as a document search.

        Hits are ``{"_id": "index#collection", "_source": {"collection", "index", "validation"}}``.
        """
        request: dict[str, Any] = {
            "controller": self.name,
            "action": "searchSpecifications",
            "body": query or {},
        }
        for key, value in (("from", from_), ("size", size), ("scroll", scroll)):
            if value is not None:
                request[key] = value
        response = await self._send("searchSpecifications", request)
        return SpecificationsSearchResult(
            self.kuzzle, request, response.get("result") or {}
        )


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

    async def stats(self) -> dict[str, Any]:
        """Storage statistics: ``{"indexes": [{"name", "size", "collections": [...]}], "size"}``."""
        result: dict[str, Any] = await self._result("stats")
        return result


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

    async def capabilities(self) -> dict[str, Any]:
        """What the server offers: ``{"limits", "plugins", "routes", "services", "version"}``."""
        result: dict[str, Any] = await self._result("capabilities")
        return result

    async def get_stats(
        self, start_time: int | str | None = None, stop_time: int | str | None = None
    ) -> dict[str, Any]:
        """Request statistics frames between two times (epoch ms or dates): ``{"hits", "total"}``."""
        result: dict[str, Any] = await self._result("getStats", startTime=start_time, stopTime=stop_time)
        return result

    async def get_last_stats(self) -> dict[str, Any]:
        """The latest statistics frame: ``{"timestamp", "completedRequests", "connections", ...}``."""
        result: dict[str, Any] = await self._result("getLastStats")
        return result

    async def get_all_stats(self) -> dict[str, Any]:
        """Every statistics frame kept by the server: ``{"hits", "total"}``."""
        result: dict[str, Any] = await self._result("getAllStats")
        return result

    async def metrics(self) -> dict[str, Any]:
        """Live counters: ``{"api", "network": {"connections"}, "realtime": {"rooms", "subscriptions"}}``.

        The JS SDK 7.17.1 has no method for this action.
        """
        result: dict[str, Any] = await self._result("metrics")
        return result
