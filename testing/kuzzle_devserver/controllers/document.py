"""``document`` controller (kuzzle ``lib/api/controllers/documentController.js``).

Notifications follow ``notifier.js``: one notification per document; ``in`` to the rooms
the new content matches, ``out`` to the rooms the old content matched and the new one does
not, ``out`` to the rooms matching a deleted document. Kuzzle finds the rooms a document
"used to match" in a cache of past notifications; this server tests the stored old content
instead, which gives the same answer whenever that cache would have been populated.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ..config import parse_duration_ms
from ..context import ActionTable, ServerContext
from ..errors import KuzzleError, kerror
from ..es_query import after, check_body, compile_query, parse_sort, sort_hits
from ..fields import deep_merge, leaf_paths
from ..koncorde import compile_filter
from ..request import KuzzleRequest
from ..storage import Document

DEFAULT_SEARCH_SIZE = 10
DEFAULT_SCROLL_TTL_MS = 30_000


def _now_ms() -> int:
    return int(time.time() * 1000)


def _content(body: dict[str, Any]) -> dict[str, Any]:
    """A document body without any client-provided ``_kuzzle_info``."""
    return {k: v for k, v in body.items() if k != "_kuzzle_info"}


class DocumentController:
    def __init__(self, ctx: ServerContext) -> None:
        self._ctx = ctx

    def actions(self) -> ActionTable:
        return {
            "document": {
                "create": self.create,
                "createOrReplace": self.create_or_replace,
                "replace": self.replace,
                "update": self.update,
                "upsert": self.upsert,
                "delete": self.delete,
                "get": self.get,
                "exists": self.exists,
                "count": self.count,
                "search": self.search,
                "scroll": self.scroll,
                "validate": self.validate,
                "mCreate": self.m_create,
                "mCreateOrReplace": self.m_create_or_replace,
                "mReplace": self.m_replace,
                "mUpdate": self.m_update,
                "mUpsert": self.m_upsert,
                "mGet": self.m_get,
                "mDelete": self.m_delete,
                "deleteByQuery": self.delete_by_query,
                "updateByQuery": self.update_by_query,
            }
        }

    # Helpers

    def _target(self, request: KuzzleRequest) -> tuple[str, str]:
        index, collection = request.get_index(), request.get_collection()
        self._ctx.storage.assert_collection(index, collection)
        return index, collection

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

    def _created_info(self, request: KuzzleRequest) -> dict[str, Any]:
        return {"author": request.kuid, "createdAt": _now_ms(), "updatedAt": None, "updater": None}

    def _written_info(self, request: KuzzleRequest) -> dict[str, Any]:
        now = _now_ms()
        return {"author": request.kuid, "createdAt": now, "updatedAt": now, "updater": request.kuid}

    def _updated_info(self, request: KuzzleRequest, before: dict[str, Any]) -> dict[str, Any]:
        info = dict(before.get("_kuzzle_info") or {})
        return {**info, "updatedAt": _now_ms(), "updater": request.kuid}

    # One document at a time. Each _do_* returns (stored document, notification action,
    # previous document or None) so that single and multiple actions share them.

    def _do_create(self, request: KuzzleRequest, doc_id: str | None, body: dict[str, Any]) -> Document:
        index, collection = self._target(request)
        source = {**_content(body), "_kuzzle_info": self._created_info(request)}
        return self._ctx.storage.create(index, collection, doc_id, source)

    def _do_write(
        self, request: KuzzleRequest, doc_id: str, body: dict[str, Any], must_exist: bool
    ) -> tuple[Document, Document | None]:
        index, collection = self._target(request)
        storage = self._ctx.storage
        before = storage.get(index, collection, doc_id) if must_exist else None
        before = before or storage.find(index, collection, doc_id)
        source = {**_content(body), "_kuzzle_info": self._written_info(request)}
        return storage.write(index, collection, doc_id, source), before

    def _do_update(
        self, request: KuzzleRequest, doc_id: str, changes: dict[str, Any]
    ) -> tuple[Document, Document]:
        index, collection = self._target(request)
        storage = self._ctx.storage
        before = storage.get(index, collection, doc_id)
        merged = deep_merge(before["_source"], _content(changes))
        merged["_kuzzle_info"] = self._updated_info(request, before["_source"])
        return storage.write(index, collection, doc_id, merged), before

    # Single-document actions

    async def create(self, request: KuzzleRequest) -> Document:
        doc_id = request.get_string("_id", None)
        document = self._do_create(request, doc_id, request.get_body())
        result = {"_id": document["_id"], "_source": document["_source"]}
        await self._notify_write(request, "create", document, None, result)
        return document

    async def create_or_replace(self, request: KuzzleRequest) -> Document:
        document, before = self._do_write(request, request.get_id(), request.get_body(), must_exist=False)
        action = "create" if document["created"] else "replace"
        result = {"_id": document["_id"], "_source": document["_source"]}
        await self._notify_write(request, action, document, before, result)
        return document

    async def replace(self, request: KuzzleRequest) -> Document:
        document, before = self._do_write(request, request.get_id(), request.get_body(), must_exist=True)
        result = {"_id": document["_id"], "_source": document["_source"]}
        await self._notify_write(request, "replace", document, before, result)
        return {k: v for k, v in document.items() if k != "created"}

    async def update(self, request: KuzzleRequest) -> Document:
        changes = request.get_body()
        document, before = self._do_update(request, request.get_id(), changes)
        result = {**self._public(document), "_updatedFields": leaf_paths(changes)}
        await self._notify_write(request, "update", document, before, result)
        if request.get_boolean("source"):
            return self._public(document)
        info = document["_source"]["_kuzzle_info"]
        partial = {**_content(changes), "_kuzzle_info": info}
        return {"_id": document["_id"], "_source": partial, "_version": document["_version"]}

    async def upsert(self, request: KuzzleRequest) -> Document:
        doc_id = request.get_id()
        changes = request.get_body_field("changes", dict, "object")
        defaults = request.get_body_field("default", dict, "object", {})
        document, before, action = self._do_upsert(request, doc_id, changes, defaults)
        result = self._public(document)
        if action == "update":
            result["_updatedFields"] = leaf_paths(changes)
        await self._notify_write(request, action, document, before, result)
        if request.get_boolean("source"):
            return {**self._public(document), "created": document["created"]}
        return {
            "_id": document["_id"],
            "_version": document["_version"],
            "created": document["created"],
        }

    def _do_upsert(
        self,
        request: KuzzleRequest,
        doc_id: str,
        changes: dict[str, Any],
        defaults: dict[str, Any],
    ) -> tuple[Document, Document | None, str]:
        index, collection = self._target(request)
        if self._ctx.storage.find(index, collection, doc_id) is not None:
            document, before = self._do_update(request, doc_id, changes)
            return {**document, "created": False}, before, "update"
        now = _now_ms()
        info = {"author": request.kuid, "createdAt": now, "updatedAt": now, "updater": request.kuid}
        source = {**deep_merge(_content(defaults), _content(changes)), "_kuzzle_info": info}
        document = self._ctx.storage.write(index, collection, doc_id, source)
        return document, None, "create"

    async def delete(self, request: KuzzleRequest) -> Document:
        index, collection = self._target(request)
        document = self._ctx.storage.delete(index, collection, request.get_id())
        await self._notify_delete(request, document)
        return document if request.get_boolean("source") else {"_id": document["_id"]}

    async def get(self, request: KuzzleRequest) -> Document:
        index, collection = self._target(request)
        return self._ctx.storage.get(index, collection, request.get_id())

    async def exists(self, request: KuzzleRequest) -> bool:
        index, collection = self._target(request)
        return self._ctx.storage.find(index, collection, request.get_id()) is not None

    async def validate(self, request: KuzzleRequest) -> dict[str, Any]:
        # No validation specifications on this server: every document is valid.
        self._target(request)
        request.get_body()
        return {"errorMessages": {}, "valid": True}

    @staticmethod
    def _public(document: Document) -> Document:
        return {k: document[k] for k in ("_id", "_source", "_version") if k in document}

    # Search

    def _search_body(self, request: KuzzleRequest) -> dict[str, Any]:
        """``getSearchParams``: the body, or the ``searchBody`` argument of ``GET _search``."""
        if isinstance(request.body, dict):
            return request.body
        raw = request.args.get("searchBody")
        if isinstance(raw, str):
            try:
                parsed = json.loads(raw)
            except ValueError:
                raise kerror("api.assert.invalid_type", "searchBody", "object") from None
            if isinstance(parsed, dict):
                return parsed
        return {}

    def _matching(self, request: KuzzleRequest, body: dict[str, Any]) -> list[Document]:
        index, collection = self._target(request)
        documents = self._ctx.storage.all_documents(index, collection)
        query = body.get("query") or {}
        if not isinstance(query, dict):
            raise kerror("services.storage.invalid_search_query", "query")
        if request.get_string("lang", "elasticsearch") == "koncorde":
            matcher = compile_filter(query)
            return [d for d in documents if matcher({**d["_source"], "_id": d["_id"]})]
        hit_matcher = compile_query(query)
        return [d for d in documents if hit_matcher(d)]

    def _hit(self, request: KuzzleRequest, document: Document) -> dict[str, Any]:
        return {
            "_id": document["_id"],
            "_score": 1,
            "_source": document["_source"],
            "index": request.args.get("index"),
            "collection": request.args.get("collection"),
        }

    async def search(self, request: KuzzleRequest) -> dict[str, Any]:
        body = self._search_body(request)
        check_body(body)
        hits = self._matching(request, body)
        if "sort" in body:
            keys = parse_sort(body["sort"])
            hits = sort_hits(hits, keys)
            if "search_after" in body:
                hits_after = body["search_after"]
                if not isinstance(hits_after, list):
                    raise kerror("services.storage.invalid_search_query", "search_after")
                total = len(hits)
                hits = after(hits, keys, hits_after)
                return self._page(request, hits, total, 0)
        return self._page(request, hits, len(hits), request.get_integer("from", 0))

    def _page(self, request: KuzzleRequest, hits: list[Document], total: int, start: int) -> dict[str, Any]:
        size = request.get_integer("size", DEFAULT_SEARCH_SIZE)
        page = [self._hit(request, d) for d in hits[start : start + size]]
        result: dict[str, Any] = {"hits": page, "total": total}
        scroll = request.args.get("scroll")
        if scroll is not None:
            ttl = self._scroll_ttl(scroll)
            fetched = start + len(page)
            rest = [self._hit(request, d) for d in hits]
            result["scrollId"] = self._ctx.scrolls.open(rest, size, fetched, ttl)
            result["remaining"] = max(len(hits) - fetched, 0)
        return result

    @staticmethod
    def _scroll_ttl(raw: Any) -> int:
        try:
            return parse_duration_ms(raw) if isinstance(raw, str | int) else DEFAULT_SCROLL_TTL_MS
        except ValueError:
            raise kerror("api.assert.invalid_type", "scroll", "duration") from None

    async def scroll(self, request: KuzzleRequest) -> dict[str, Any]:
        scroll_id = request.get_string("scrollId")
        raw_ttl = request.args.get("scroll")
        ttl = self._scroll_ttl(raw_ttl) if raw_ttl is not None else None
        page, remaining = self._ctx.scrolls.next_page(scroll_id, ttl)
        total = remaining + len(page)
        cursor_total = {"hits": page, "remaining": remaining, "scrollId": scroll_id}
        return {**cursor_total, "total": total}

    async def count(self, request: KuzzleRequest) -> dict[str, int]:
        body = self._search_body(request)
        return {"count": len(self._matching(request, body))}

    # Multiple-document actions: {successes, errors}, one failure never stops the others.

    def _documents(self, request: KuzzleRequest) -> list[Any]:
        self._target(request)
        documents: list[Any] = request.get_body_field("documents", list, "array")
        return documents

    async def _m_changes(self, request: KuzzleRequest, kind: str) -> dict[str, Any]:
        successes: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for entry in self._documents(request):
            entry = entry if isinstance(entry, dict) else {}
            doc_id = entry.get("_id")
            body = entry.get("body")
            failure = {"document": {"_id": doc_id, "body": body}}
            try:
                success = await self._m_apply(request, kind, entry)
            except KuzzleError as error:
                errors.append({**failure, "reason": error.message, "status": error.status})
                continue
            successes.append(success)
        return {"successes": successes, "errors": errors}

    async def _m_apply(self, request: KuzzleRequest, kind: str, entry: dict[str, Any]) -> dict[str, Any]:
        doc_id = entry.get("_id")
        if kind == "mUpsert":
            changes, defaults = entry.get("changes"), entry.get("default") or {}
            if not isinstance(changes, dict) or not isinstance(defaults, dict):
                raise kerror("api.assert.invalid_type", "changes", "object")
            if not isinstance(doc_id, str):
                raise kerror("api.assert.invalid_type", "_id", "string")
            document, before, action = self._do_upsert(request, doc_id, changes, defaults)
            result = self._public(document)
            if action == "update":
                result["_updatedFields"] = leaf_paths(changes)
            await self._notify_write(request, action, document, before, result)
            return {**self._public(document), "created": document["created"], "status": 200}
        body = entry.get("body")
        if not isinstance(body, dict):
            raise kerror("api.assert.invalid_type", "body", "object")
        if doc_id is not None and not isinstance(doc_id, str):
            raise kerror("api.assert.invalid_type", "_id", "string")
        if kind == "mCreate":
            document = self._do_create(request, doc_id, body)
            await self._notify_write(request, "create", document, None, self._public(document))
            return {**self._public(document), "created": True, "result": "created", "status": 201}
        if doc_id is None:
            raise kerror("api.assert.missing_argument", "_id")
        if kind == "mUpdate":
            document, before = self._do_update(request, doc_id, body)
            result = {**self._public(document), "_updatedFields": leaf_paths(body)}
            await self._notify_write(request, "update", document, before, result)
            return {**self._public(document), "status": 200}
        document, previous = self._do_write(request, doc_id, body, must_exist=kind == "mReplace")
        action = "create" if document["created"] else "replace"
        await self._notify_write(request, action, document, previous, self._public(document))
        outcome = "created" if document["created"] else "updated"
        status = 201 if document["created"] else 200
        return {**self._public(document), "created": document["created"], "result": outcome, "status": status}

    async def m_create(self, request: KuzzleRequest) -> dict[str, Any]:
        return await self._m_changes(request, "mCreate")

    async def m_create_or_replace(self, request: KuzzleRequest) -> dict[str, Any]:
        return await self._m_changes(request, "mCreateOrReplace")

    async def m_replace(self, request: KuzzleRequest) -> dict[str, Any]:
        return await self._m_changes(request, "mReplace")

    async def m_update(self, request: KuzzleRequest) -> dict[str, Any]:
        return await self._m_changes(request, "mUpdate")

    async def m_upsert(self, request: KuzzleRequest) -> dict[str, Any]:
        return await self._m_changes(request, "mUpsert")

    def _ids(self, request: KuzzleRequest) -> list[Any]:
        body = request.body if isinstance(request.body, dict) else {}
        if body.get("ids"):
            ids: list[Any] = request.get_body_field("ids", list, "array")
            return ids
        raw = request.args.get("ids")
        if isinstance(raw, str):  # ?ids=a,b,c over HTTP
            return raw.split(",")
        if isinstance(raw, list):
            return raw
        ids = request.get_body_field("ids", list, "array")  # raises the Kuzzle error
        return ids

    async def m_get(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = self._target(request)
        successes, errors = [], []
        for doc_id in self._ids(request):
            found = self._ctx.storage.find(index, collection, doc_id) if isinstance(doc_id, str) else None
            if found is None:
                errors.append(doc_id)
            else:
                successes.append(found)
        return {"successes": successes, "errors": errors}

    async def m_delete(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = self._target(request)
        successes: list[str] = []
        errors: list[dict[str, Any]] = []
        for doc_id in request.get_body_field("ids", list, "array"):
            if not isinstance(doc_id, str):
                errors.append({"_id": doc_id, "reason": "document _id must be a string", "status": 400})
                continue
            if self._ctx.storage.find(index, collection, doc_id) is None:
                errors.append({"_id": doc_id, "reason": "document not found", "status": 404})
                continue
            document = self._ctx.storage.delete(index, collection, doc_id)
            await self._notify_delete(request, document)
            successes.append(doc_id)
        return {"successes": successes, "errors": errors}

    async def delete_by_query(self, request: KuzzleRequest) -> dict[str, Any]:
        index, collection = self._target(request)
        query = request.get_body_field("query", dict, "object", {})
        matching = self._matching(request, {"query": query})
        documents = []
        for document in matching:
            self._ctx.storage.delete(index, collection, document["_id"])
            await self._notify_delete(request, document)
            documents.append(self._source_if_asked(request, document))
        return {"documents": documents, "ids": [d["_id"] for d in matching]}

    async def update_by_query(self, request: KuzzleRequest) -> dict[str, Any]:
        query = request.get_body_field("query", dict, "object")
        changes = request.get_body_field("changes", dict, "object")
        successes = []
        for match in self._matching(request, {"query": query}):
            document, before = self._do_update(request, match["_id"], changes)
            result = {**self._public(document), "_updatedFields": leaf_paths(changes)}
            await self._notify_write(request, "update", document, before, result)
            successes.append({**self._source_if_asked(request, document), "status": 200})
        return {"successes": successes, "errors": []}

    def _source_if_asked(self, request: KuzzleRequest, document: Document) -> Document:
        public = self._public(document)
        if not request.get_boolean("source"):
            public.pop("_source")
        return public
