"""``realtime`` controller (kuzzle ``lib/api/controllers/realtimeController.js``)."""

from __future__ import annotations

import time
from typing import Any

from ..context import ActionTable, ServerContext
from ..request import KuzzleRequest


class RealtimeController:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx

    def actions(self) -> ActionTable:
        return {
            "realtime": {
                "subscribe": self.subscribe,
                "unsubscribe": self.unsubscribe,
                "join": self.join,
                "count": self.count,
                "list": self.list_rooms,
                "publish": self.publish,
                "validate": self.validate,
            }
        }

    async def subscribe(self, request: KuzzleRequest) -> dict[str, str]:
        return await self._ctx.hotel.subscribe(request)

    async def join(self, request: KuzzleRequest) -> dict[str, str]:
        return await self._ctx.hotel.join(request)

    async def unsubscribe(self, request: KuzzleRequest) -> dict[str, str]:
        return await self._ctx.hotel.unsubscribe(request)

    async def count(self, request: KuzzleRequest) -> dict[str, int]:
        room_id = request.get_body_field("roomId", str, "string")
        return {"count": self._ctx.hotel.count(room_id)}

    async def list_rooms(self, request: KuzzleRequest) -> dict[str, Any]:
        """Only the collections the user may subscribe to (hotelClerk ``list``)."""
        listing = self._ctx.hotel.listing()
        security = self._ctx.security
        for index, collections in listing.items():
            for collection in list(collections):
                args = {"index": index, "collection": collection}
                if not security.allows(request.user, "realtime", "subscribe", args):
                    del collections[collection]
        return listing

    def _specification(self, request: KuzzleRequest) -> Any:
        spec_id = f"{request.get_index()}#{request.get_collection()}"
        return self._ctx.validator.spec_for(spec_id, self._ctx.storage.find_specification(spec_id))

    async def validate(self, request: KuzzleRequest) -> dict[str, Any]:
        """Kuzzle runs ``document:validate``: the body against the collection's specifications."""
        body = request.get_body()
        spec = self._specification(request)
        return self._ctx.validator.validate(spec, body, request.args.get("_id"), verbose=True)

    async def publish(self, request: KuzzleRequest) -> dict[str, bool]:
        """Notify matching rooms with ``_kuzzle_info {author, createdAt}`` added to the body."""
        body = request.get_body()
        index, collection = request.get_index(), request.get_collection()
        # Validated like a document creation (defaults applied), as Kuzzle's publish does.
        spec = self._specification(request)
        body = self._ctx.validator.validate(spec, body, request.args.get("_id"), verbose=False)
        message = {
            **body,
            "_kuzzle_info": {"author": request.kuid, "createdAt": int(time.time() * 1000)},
        }
        doc_id = request.args.get("_id")
        hotel = self._ctx.hotel
        rooms = hotel.matching_rooms(index, collection, {**message, "_id": doc_id})
        result = {"_id": doc_id, "_source": message}
        await hotel.notify_document(rooms, request, "in", "publish", result)
        return {"published": True}
