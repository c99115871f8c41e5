"""What the ``document`` actions share: targets, metadata, validation, mappings, notifications.

Notifications follow ``notifier.js``: one notification per document; ``in`` to the rooms
the new content matches, ``out`` to the rooms the old content matched and the new one does
not, ``out`` to the rooms matching a deleted document. Kuzzle finds the rooms a document
"used to match" in a cache of past notifications; this server tests the stored old content
instead, which gives the same answer whenever that cache would have been populated.
"""

from __future__ import annotations

import time
from typing import Any

from ..context import ServerContext
from ..errors import kerror
from ..mappings import MappingRejection, StrictMappingError
from ..request import KuzzleRequest
from ..storage import Document


def now_ms() -> int:
    return int(time.time() * 1000)


def content(body: dict[str, Any]) -> dict[str, Any]:
    """A document body without any client-provided ``_kuzzle_info``."""
    return {k: v for k, v in body.items() if k != "_kuzzle_info"}


def public(document: Document) -> Document:
    return {k: document[k] for k in ("_id", "_source", "_version") if k in document}


def js_string(value: Any) -> str:
    """``String(value)`` for the ids Elasticsearch turns into strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class DocumentBase:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx

    def _target(self, request: KuzzleRequest) -> tuple[str, str]:
        index, collection = request.get_index(), request.get_collection()
        self._ctx.storage.assert_collection(index, collection)
        return index, collection

    @staticmethod
    def _refresh(request: KuzzleRequest, *, checked: bool = True) -> None:
        """``getString("refresh", "false")``, then the storage's ``assertWellFormedRefresh``."""
        value = request.get_string("refresh", "false")
        if checked and value not in ("wait_for", "false"):
            raise kerror("services.storage.invalid_argument", "refresh", '"wait_for", false')

    # Validation specifications and mappings

    def _validated(
        self, request: KuzzleRequest, body: dict[str, Any], merged: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The body with its specification's defaults; raises the first validation failure."""
        spec = self._spec(request)
        return self._ctx.validator.validate(spec, body, request.args.get("_id"), verbose=False, merged=merged)

    def _spec(self, request: KuzzleRequest) -> Any:
        index, collection = request.get_index(), request.get_collection()
        spec_id = f"{index}#{collection}"
        return self._ctx.validator.spec_for(spec_id, self._ctx.storage.find_specification(spec_id))

    @staticmethod
    def _mapping_rejection(request: KuzzleRequest, error: MappingRejection) -> Exception:
        """What Kuzzle's esWrapper makes of Elasticsearch's refusal of one document."""
        if isinstance(error, StrictMappingError):
            index, collection = request.get_index(), request.get_collection()
            return kerror("services.storage.strict_mapping_rejection", error.field, index, collection)
        return kerror("services.storage.unexpected_bad_request", error.reason)

    # Metadata (what Kuzzle's document controller and its storage layer inject)

    @staticmethod
    def _created_info(request: KuzzleRequest) -> dict[str, Any]:
        return {"author": request.kuid, "createdAt": now_ms(), "updatedAt": None, "updater": None}

    @staticmethod
    def _written_info(request: KuzzleRequest) -> dict[str, Any]:
        now = now_ms()
        return {"author": request.kuid, "createdAt": now, "updatedAt": now, "updater": request.kuid}

    @staticmethod
    def _updated_info(request: KuzzleRequest, before: dict[str, Any]) -> dict[str, Any]:
        info = dict(before.get("_kuzzle_info") or {})
        return {**info, "updatedAt": now_ms(), "updater": request.kuid}

    # Notifications

    def _rooms(self, index: str, collection: str, document: Document) -> set[str]:
        return self._ctx.hotel.matching_rooms(
            index, collection, {**document["_source"], "_id": document["_id"]}
        )

    async def _notify_write(
        self,
        request: KuzzleRequest,
        action: str,
        document: Document,
        before: Document | None,
        result: dict[str, Any],
    ) -> None:
        """``in`` where the new content matches, ``out`` where only the old content did."""
        if request.get_boolean("silent"):
            return
        index, collection = request.get_index(), request.get_collection()
        matching = self._rooms(index, collection, document)
        left = self._rooms(index, collection, before) - matching if before else set()
        hotel = self._ctx.hotel
        await hotel.notify_document(matching, request, "in", action, result)
        await hotel.notify_document(left, request, "out", action, result)

    async def _notify_delete(self, request: KuzzleRequest, document: Document) -> None:
        if request.get_boolean("silent"):
            return
        rooms = self._rooms(request.get_index(), request.get_collection(), document)
        await self._ctx.hotel.notify_document(rooms, request, "out", "delete", document)
