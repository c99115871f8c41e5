"""``index`` controller (kuzzle ``lib/api/controllers/indexController.js``)."""

from __future__ import annotations

from typing import Any

from ..context import ActionTable, ServerContext
from ..request import KuzzleRequest


class IndexController:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx

    def actions(self) -> ActionTable:
        return {
            "index": {
                "create": self.create,
                "delete": self.delete,
                "exists": self.exists,
                "list": self.list_indexes,
                "mDelete": self.m_delete,
                "stats": self.stats,
            }
        }

    async def create(self, request: KuzzleRequest) -> None:
        self._ctx.storage.create_index(request.get_index())

    async def delete(self, request: KuzzleRequest) -> dict[str, bool]:
        self._ctx.storage.delete_index(request.get_index())
        return {"acknowledged": True}

    async def exists(self, request: KuzzleRequest) -> bool:
        return self._ctx.storage.index_exists(request.get_index())

    async def list_indexes(self, request: KuzzleRequest) -> dict[str, Any]:
        count_collection = request.get_boolean("countCollection")
        storage = self._ctx.storage
        indexes = storage.list_indexes()
        result: dict[str, Any] = {"indexes": indexes}
        if count_collection:
            result["collections"] = {name: len(storage.list_collections(name)) for name in indexes}
        return result

    async def m_delete(self, request: KuzzleRequest) -> dict[str, list[str]]:
        """The existing indexes among ``body.indexes``, in the index list's order."""
        indexes = request.get_body_field("indexes", list, "array", []) if request.body is not None else []
        storage = self._ctx.storage
        deleted = [name for name in storage.list_indexes() if name in indexes]
        for name in deleted:
            storage.delete_index(name)
        return {"deleted": deleted}

    async def stats(self, request: KuzzleRequest) -> dict[str, Any]:
        return self._ctx.storage.stats()
