"""``collection`` controller (kuzzle ``lib/api/controllers/collectionController.ts``)."""

from __future__ import annotations

from typing import Any

from ..context import ActionTable, ServerContext
from ..errors import kerror
from ..request import KuzzleRequest

# Kuzzle's own mapping of _kuzzle_info, shown by getMapping?includeKuzzleMeta.
_KUZZLE_META_MAPPING = {
    "_kuzzle_info": {
        "properties": {
            "author": {"type": "keyword"},
            "createdAt": {"type": "date"},
            "updatedAt": {"type": "date"},
            "updater": {"type": "keyword"},
        }
    }
}


class CollectionController:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx

    def actions(self) -> ActionTable:
        return {
            "collection": {
                "create": self.create,
                "update": self.update,
                "exists": self.exists,
                "list": self.list_collections,
                "delete": self.delete,
                "getMapping": self.get_mapping,
                "updateMapping": self.update_mapping,
                "truncate": self.truncate,
                "refresh": self.refresh,
            }
        }

    @staticmethod
    def _definition(request: KuzzleRequest) -> tuple[dict[str, Any], dict[str, Any]]:
        """``{mappings, settings}``, or bare mappings (deprecated since 2.1.0, still accepted)."""
        body = request.body if isinstance(request.body, dict) else {}
        if any(key in body for key in ("properties", "dynamic", "_meta")):
            return body, {}
        return dict(body.get("mappings") or {}), dict(body.get("settings") or {})

    async def create(self, request: KuzzleRequest) -> dict[str, bool]:
        mappings, settings = self._definition(request)
        index, collection = request.get_index(), request.get_collection()
        self._ctx.storage.create_collection(index, collection, mappings, settings)
        return {"acknowledged": True}

    async def update(self, request: KuzzleRequest) -> None:
        mappings, _ = self._definition(request)
        self._ctx.storage.update_mapping(request.get_index(), request.get_collection(), mappings)

    async def exists(self, request: KuzzleRequest) -> bool:
        index, collection = request.get_index(), request.get_collection()
        return self._ctx.storage.collection_exists(index, collection)

    async def list_collections(self, request: KuzzleRequest) -> dict[str, Any]:
        index = request.get_index()
        kind = request.get_string("type", "all")
        if kind not in ("all", "stored", "realtime"):
            raise kerror("api.assert.invalid_argument", "type", '"all", "stored", "realtime"')
        collections: list[dict[str, str]] = []
        if kind in ("all", "realtime"):
            names = self._ctx.hotel.collections_of(index)
            collections += [{"name": name, "type": "realtime"} for name in names]
        if kind != "realtime":
            names = self._ctx.storage.list_collections(index)
            collections += [{"name": name, "type": "stored"} for name in names]
        collections.sort(key=lambda entry: entry["name"])
        start, size = request.get_integer("from", 0), request.get_integer("size", 0)
        if size > 0:
            collections = collections[start : start + size]
            return {"type": kind, "collections": collections, "from": start, "size": size}
        return {"type": kind, "collections": collections}

    async def delete(self, request: KuzzleRequest) -> dict[str, bool]:
        self._ctx.storage.delete_collection(request.get_index(), request.get_collection())
        return {"acknowledged": True}

    async def get_mapping(self, request: KuzzleRequest) -> dict[str, Any]:
        mapping = self._ctx.storage.get_mapping(request.get_index(), request.get_collection())
        if request.get_boolean("includeKuzzleMeta"):
            mapping["properties"] = {**mapping["properties"], **_KUZZLE_META_MAPPING}
        return mapping

    async def update_mapping(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = request.get_index(), request.get_collection()
        return self._ctx.storage.update_mapping(index, collection, request.get_body())

    async def truncate(self, request: KuzzleRequest) -> dict[str, bool]:
        self._ctx.storage.truncate(request.get_index(), request.get_collection())
        return {"acknowledged": True}

    async def refresh(self, request: KuzzleRequest) -> None:
        # Writes are visible at once in SQLite; only the existence check remains.
        self._ctx.storage.assert_collection(request.get_index(), request.get_collection())
