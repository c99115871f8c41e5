"""``index`` controller (§6.4)."""

from __future__ import annotations

from typing import Any

from ..context import ActionTable, ServerContext
from ..errors import kerror
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
            }
        }

    async def create(self, request: KuzzleRequest) -> dict[str, bool]:
        self._ctx.storage.create_index(request.get_index())
        return {"acknowledged": True}

    async def delete(self, request: KuzzleRequest) -> dict[str, bool]:
        self._ctx.storage.delete_index(request.get_index())
        return {"acknowledged": True}

    async def exists(self, request: KuzzleRequest) -> bool:
        return self._ctx.storage.index_exists(request.get_index())

    async def list_indexes(self, request: KuzzleRequest) -> dict[str, Any]:
        return {"indexes": self._ctx.storage.list_indexes()}

    async def m_delete(self, request: KuzzleRequest) -> dict[str, list[str]]:
        indexes = request.get_body_field("indexes", list, "array")
        if not all(isinstance(name, str) for name in indexes):
            raise kerror("api.assert.invalid_type", "body.indexes", "string[]")
        storage = self._ctx.storage
        # _allowedIndexes: only the indexes the user may index:delete.
        security, user = self._ctx.security, request.user
        deleted = [
            name
            for name in indexes
            if storage.index_exists(name) and security.allows(user, "index", "delete", {"index": name})
        ]
        for name in deleted:
            storage.delete_index(name)
        return {"deleted": deleted}
