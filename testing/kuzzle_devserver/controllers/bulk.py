"""``bulk`` controller (kuzzle ``lib/api/controllers/bulkController.js``).

Raw writes: no ``_kuzzle_info`` except what ``import`` adds (Elasticsearch's ``_bulk``
with Kuzzle's metadata on each payload line, ``_setLastActionToKuzzleMeta``), no write
limits, notifications only with ``notify`` (``write``, ``mWrite``: ``create`` or
``replace``, as ``document:createOrReplace``). Item statuses and error types are
Elasticsearch's: 201 created, 200 replaced/updated/deleted, 409
``version_conflict_engine_exception``, 404 ``document_missing_exception`` (``update``) or
404 without an error object (``delete``).
"""

from __future__ import annotations

import time
from typing import Any

from ..context import ActionTable, ServerContext
from ..errors import kerror, multiple_errors
from ..es_query import compile_query
from ..fields import deep_merge
from ..request import KuzzleRequest
from ..storage import Document, new_document_id

_ACTIONS = ("index", "create", "update", "delete")


def _validation_error(reason: str) -> dict[str, Any]:
    return {"type": "action_request_validation_exception", "reason": f"Validation Failed: 1: {reason};"}


class BulkController:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx

    def actions(self) -> ActionTable:
        return {
            "bulk": {
                "import": self.import_,
                "write": self.write,
                "mWrite": self.m_write,
                "deleteByQuery": self.delete_by_query,
                "updateByQuery": self.update_by_query,
            }
        }

    def _target(self, request: KuzzleRequest) -> tuple[str, str]:
        index, collection = request.get_index(), request.get_collection()
        self._ctx.storage.assert_collection(index, collection)
        return index, collection

    # import: Elasticsearch's _bulk

    async def import_(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = request.get_index(), request.get_collection()
        strict = request.get_boolean("strict")
        bulk_data: list[Any] = request.get_body_field("bulkData", list, "array")
        self._ctx.storage.assert_collection(index, collection)
        now = int(time.time() * 1000)
        created_info = {"author": request.kuid, "createdAt": now, "updatedAt": None, "updater": None}
        updated_info = {"updatedAt": now, "updater": request.kuid}
        successes: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        position = 0
        while position < len(bulk_data):
            line = bulk_data[position]
            action = next(iter(line), None) if isinstance(line, dict) else None
            if action not in _ACTIONS:
                raise kerror(
                    "api.assert.invalid_argument", "bulkData", "create, delete, index or update actions"
                )
            meta = line[action] if isinstance(line[action], dict) else {}
            payload = (
                bulk_data[position + 1] if action != "delete" and position + 1 < len(bulk_data) else None
            )
            position += 1 if action == "delete" else 2
            item = self._bulk_item(
                index, collection, action, meta.get("_id"), payload, created_info, updated_info
            )
            if item["status"] >= 400:
                errors.append({action: item})
            else:
                successes.append({action: {"_id": item["_id"], "status": item["status"]}})
        if strict and errors:
            raise multiple_errors("api.process.incomplete_multiple_request", "import", errors)
        return {"errors": errors, "successes": successes}

    def _bulk_item(
        self,
        index: str,
        collection: str,
        action: str,
        doc_id: Any,
        payload: Any,
        created_info: dict[str, Any],
        updated_info: dict[str, Any],
    ) -> dict[str, Any]:
        """One ``_bulk`` line: ``{_id, status}``, plus ``_source`` and ``error`` when it failed."""
        storage = self._ctx.storage
        payload = payload if isinstance(payload, dict) else {}
        failed_source = payload.get("doc") if action == "update" else payload
        failure: dict[str, Any] = {"_id": doc_id}
        if action != "delete":
            failure["_source"] = {k: v for k, v in (failed_source or {}).items() if k != "_kuzzle_info"}
        if doc_id is not None and not isinstance(doc_id, str):
            doc_id = str(doc_id)
        if doc_id is None and action in ("update", "delete"):
            return {**failure, "status": 400, "error": _validation_error("id is missing")}
        existing = storage.find(index, collection, doc_id) if doc_id else None
        if action == "delete":
            if existing is None:
                return {**failure, "status": 404}
            storage.delete(index, collection, doc_id)
            return {"_id": doc_id, "status": 200}
        if action == "update":
            return self._bulk_update(
                index, collection, doc_id, existing, payload, failure, created_info, updated_info
            )
        if action == "create" and existing is not None:
            version = existing["_version"]
            reason = f"[{doc_id}]: version conflict, document already exists (current version [{version}])"
            return {
                **failure,
                "status": 409,
                "error": {"type": "version_conflict_engine_exception", "reason": reason},
            }
        doc_id = doc_id or new_document_id()
        written = storage.write(index, collection, doc_id, {**payload, "_kuzzle_info": created_info})
        return {"_id": doc_id, "status": 201 if written["created"] else 200}

    def _bulk_update(
        self,
        index: str,
        collection: str,
        doc_id: str,
        existing: Document | None,
        payload: dict[str, Any],
        failure: dict[str, Any],
        created_info: dict[str, Any],
        updated_info: dict[str, Any],
    ) -> dict[str, Any]:
        storage = self._ctx.storage
        changes, upsert = payload.get("doc"), payload.get("upsert")
        if existing is None:
            if isinstance(upsert, dict):
                storage.write(index, collection, doc_id, {**upsert, "_kuzzle_info": updated_info})
                return {"_id": doc_id, "status": 201}
            error = {"type": "document_missing_exception", "reason": f"[{doc_id}]: document missing"}
            return {**failure, "status": 404, "error": error}
        if not isinstance(changes, dict):
            return {**failure, "status": 400, "error": _validation_error("script or doc is missing")}
        merged = deep_merge(existing["_source"], {**changes, "_kuzzle_info": updated_info})
        storage.write(index, collection, doc_id, merged)
        return {"_id": doc_id, "status": 200}

    # write / mWrite: createOrReplace without metadata

    async def _notify(self, request: KuzzleRequest, index: str, collection: str, written: Document) -> None:
        # notifier.notifyDocuments(WRITE): "create" when created, else "replace"
        hotel = self._ctx.hotel
        content = {**written["_source"], "_id": written["_id"]}
        rooms = hotel.matching_rooms(index, collection, content)
        action = "create" if written["created"] else "replace"
        result = {"_id": written["_id"], "_source": written["_source"]}
        await hotel.notify_document(rooms, request, "in", action, result)

    async def write(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = request.get_index(), request.get_collection()
        doc_id = request.get_string("_id", None)
        content = request.get_body()
        notify = request.get_boolean("notify")
        self._ctx.storage.assert_collection(index, collection)
        written = self._ctx.storage.write(index, collection, doc_id or new_document_id(), content)
        if notify:
            await self._notify(request, index, collection, written)
        return {k: written[k] for k in ("_id", "_source", "_version")}

    async def m_write(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = request.get_index(), request.get_collection()
        documents: list[Any] = request.get_body_field("documents", list, "array")
        strict = request.get_boolean("strict")
        notify = request.get_boolean("notify")
        self._ctx.storage.assert_collection(index, collection)
        written: list[Document] = []
        errors: list[dict[str, Any]] = []
        for document in documents:
            body = document.get("body") if isinstance(document, dict) else None
            if not isinstance(body, dict):
                errors.append(
                    {"document": document, "reason": "document body must be an object", "status": 400}
                )
                continue
            doc_id = document.get("_id")
            doc_id = str(doc_id) if doc_id is not None else new_document_id()
            written.append(self._ctx.storage.write(index, collection, doc_id, body))
        if strict and errors:
            raise multiple_errors("api.process.incomplete_multiple_request", "write", errors)
        if notify:
            for document in written:
                await self._notify(request, index, collection, document)
        successes = [{k: d[k] for k in ("_id", "_source", "_version")} for d in written]
        return {"errors": errors, "successes": successes}

    # by query: no metadata, no notifications, no limits

    def _matching(self, request: KuzzleRequest, query: dict[str, Any]) -> list[Document]:
        index, collection = self._target(request)
        return self._ctx.storage.matching(index, collection, compile_query(query))

    async def delete_by_query(self, request: KuzzleRequest) -> dict[str, int]:
        query = request.get_body_field("query", dict, "object")
        index, collection = self._target(request)
        matching = self._matching(request, query)
        for document in matching:
            self._ctx.storage.delete(index, collection, document["_id"])
        return {"deleted": len(matching)}

    async def update_by_query(self, request: KuzzleRequest) -> dict[str, int]:
        query = request.get_body_field("query", dict, "object")
        changes = request.get_body_field("changes", dict, "object")
        index, collection = self._target(request)
        matching = self._matching(request, query)
        for document in matching:
            self._ctx.storage.write(
                index, collection, document["_id"], deep_merge(document["_source"], changes)
            )
        return {"updated": len(matching)}
