"""The ``document`` m* write actions: ``{successes, errors}``, one failure never stops the others.

Kuzzle's ``_mChanges`` and its storage layer (``_extractMDocuments``, ``_mExecute`` in
``lib/service/storage/7/elasticsearch.ts``) decide the answers:

- the error list holds, in this order: the documents refused while extracting them
  (``document body must be an object``, ``document changes must be an object``,
  ``document default must be an object``, ``document _id must be a string``: the request's
  own entry echoed), then those refused before the bulk request (``document already
  exists``, ``document not found``: ``{_id, body}``), then the bulk request's failures
  (Elasticsearch's reason, e.g. a strict mapping);
- Elasticsearch turns non-string ids into strings (``mCreate``/``mCreateOrReplace``), and a
  non-string id skips ``mCreate``'s existence check, so the document is overwritten;
- ``mUpsert`` creates ``{_kuzzle_info: {author, createdAt}, ...changes, ...default}``
  (``default`` wins, shallowly) with status 201, updates with 200;
- ``strict`` turns any error into ``api.process.incomplete_multiple_request``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..context import Handler
from ..errors import incomplete_multiple_request, kerror
from ..fields import deep_merge, leaf_paths
from ..mappings import MappingRejection
from ..request import KuzzleRequest
from ..storage import Document
from .document_base import DocumentBase, content, js_string, now_ms, public

Entry = dict[str, Any]
Stored = tuple[str, Document, Document | None, Entry, Entry]
"""What one write reports: its notification (action, document, previous version, result)
and its ``successes`` entry."""
_Item = TypeVar("_Item")

# Kuzzle's limits.documentsWriteCount and limits.documentsFetchCount defaults.
DOCUMENTS_WRITE_COUNT = 200
DOCUMENTS_FETCH_COUNT = 10_000


@dataclass
class _Batch:
    """One m* request: the documents to write and the errors found so far."""

    rejected: list[Entry] = field(default_factory=list)
    items: list[Entry] = field(default_factory=list)
    # (action, document, previous document, notified result): sent once the answer is known
    notifications: list[tuple[str, Document, Document | None, Entry]] = field(default_factory=list)

    def refuse(self, document: Any, reason: str, status: int = 400) -> None:
        self.rejected.append({"document": document, "reason": reason, "status": status})


def _echo(doc_id: Any, body: dict[str, Any]) -> Entry:
    """``{_id, body}`` with ``_id`` left out when absent (JSON drops undefined)."""
    return {"body": body} if doc_id is None else {"_id": doc_id, "body": body}


def _bulk_doc(doc_id: Any, source: dict[str, Any]) -> Entry:
    return {"_source": source} if doc_id is None else {"_id": doc_id, "_source": source}


class MultiDocumentActions(DocumentBase):
    def multi_actions(self) -> dict[str, Handler]:
        return {
            "mCreate": self.m_create,
            "mCreateOrReplace": self.m_create_or_replace,
            "mReplace": self.m_replace,
            "mUpdate": self.m_update,
            "mUpsert": self.m_upsert,
        }

    def _m_documents(self, request: KuzzleRequest) -> list[Any]:
        """``_mChanges``' checks, in Kuzzle's order."""
        self._refresh(request, checked=False)
        documents: list[Any] = request.get_body_field("documents", list, "array")
        request.get_index(), request.get_collection()
        if len(documents) > DOCUMENTS_WRITE_COUNT:
            raise kerror("services.storage.write_limit_exceeded")
        for position, document in enumerate(documents):
            if isinstance(document, dict) and document.get("_source"):
                raise kerror(
                    "api.assert.unexpected_argument",
                    f"documents[{position}]._source",
                    f"documents[{position}].body",
                )
            if isinstance(document, dict) and isinstance(document.get("body"), dict):
                document["body"] = content(document["body"])
        if documents:
            self._target(request)
            self._refresh(request)
        return documents

    async def _answer(self, request: KuzzleRequest, action: str | None, batch: _Batch) -> dict[str, Any]:
        """Notify and answer; ``strict`` m* actions (``action`` set) fail on any error."""
        if (
            action is not None and request.get_boolean("strict") and batch.rejected
        ):  # the writes are done, unnotified
            raise incomplete_multiple_request(action, batch.rejected)
        for notify, document, before, result in batch.notifications:
            await self._notify_write(request, notify, document, before, result)
        return {"errors": batch.rejected, "successes": batch.items}

    def _write_each(
        self, batch: _Batch, writes: Iterable[tuple[Entry, _Item]], write: Callable[[_Item], Stored]
    ) -> _Batch:
        """The m* actions' one bulk loop: ``write`` stores each item and says what it reports.

        ``writes`` gives ``(echo, item)`` pairs; a mapping refusal makes ``echo`` an error
        entry with Elasticsearch's reason, and the others go on. A generator may refuse
        items itself (``document not found``) and look up each one after the previous
        write, as Kuzzle's loop does: it resumes only once that write is done.
        """
        for echo, item in writes:
            try:
                notify, document, before, result, success = write(item)
            except MappingRejection as error:
                batch.refuse(echo, error.reason)
                continue
            batch.notifications.append((notify, document, before, result))
            batch.items.append(success)
        return batch

    def _wants_source(self, request: KuzzleRequest) -> bool:
        raw = request.args.get("source")
        if raw is None:
            return True
        return raw != "false" and request.get_boolean("source")

    async def m_create(self, request: KuzzleRequest) -> dict[str, Any]:
        return await self._m_index(request, "mCreate", self._created_info(request), create_only=True)

    async def m_create_or_replace(self, request: KuzzleRequest) -> dict[str, Any]:
        return await self._m_index(
            request, "mCreateOrReplace", self._created_info(request), create_only=False
        )

    async def _m_index(
        self, request: KuzzleRequest, action: str, meta: dict[str, Any], *, create_only: bool
    ) -> dict[str, Any]:
        documents = self._m_documents(request)
        batch = _Batch()
        extracted: list[tuple[Any, dict[str, Any]]] = []
        for document in documents:
            body = document.get("body") if isinstance(document, dict) else None
            if not isinstance(body, dict):
                batch.refuse(document, "document body must be an object")
                continue
            extracted.append((document.get("_id") or None, body))
        storage = self._ctx.storage
        index, collection = (request.get_index(), request.get_collection()) if documents else ("", "")
        to_write: list[tuple[Any, dict[str, Any]]] = []
        for doc_id, body in extracted:
            if create_only and isinstance(doc_id, str) and storage.find(index, collection, doc_id):
                batch.refuse(_echo(doc_id, body), "document already exists")
            else:
                to_write.append((doc_id, body))
        with_source = self._wants_source(request) or create_only

        def index_one(item: tuple[Any, dict[str, Any]]) -> Stored:
            doc_id, source = item
            key = None if doc_id is None else js_string(doc_id)
            document, before = self._index_one(index, collection, key, source)
            created = bool(document["created"])
            success: Entry = {
                "_id": document["_id"],
                "_source": document["_source"],
                "_version": document["_version"],
                "created": created,
                "result": "created" if created else "updated",
                "status": 201 if created else 200,
            }
            if not with_source:
                del success["_source"]
            return "create" if created else "replace", document, before, public(document), success

        sources = [(doc_id, {"_kuzzle_info": dict(meta), **body}) for doc_id, body in to_write]
        writes = [(_bulk_doc(doc_id, source), (doc_id, source)) for doc_id, source in sources]
        return await self._answer(request, action, self._write_each(batch, writes, index_one))

    def _index_one(
        self, index: str, collection: str, doc_id: str | None, source: dict[str, Any]
    ) -> tuple[Document, Document | None]:
        storage = self._ctx.storage
        if doc_id is None:
            return {**storage.create(index, collection, None, source), "created": True}, None
        before = storage.find(index, collection, doc_id)
        return storage.write(index, collection, doc_id, source), before

    async def m_replace(self, request: KuzzleRequest) -> dict[str, Any]:
        documents = self._m_documents(request)
        batch = _Batch()
        extracted: list[tuple[str, dict[str, Any]]] = []
        for document in documents:
            body = document.get("body") if isinstance(document, dict) else None
            if not isinstance(body, dict):
                batch.refuse(document, "document body must be an object")
            elif not isinstance(document.get("_id"), str):
                batch.refuse(document, "document _id must be a string")
            else:
                extracted.append((document["_id"], body))
        if not extracted:
            return await self._answer(request, "mReplace", batch)
        index, collection = request.get_index(), request.get_collection()
        storage = self._ctx.storage
        meta = self._created_info(request)

        def found() -> Iterator[tuple[Entry, tuple[str, dict[str, Any], Document]]]:
            for doc_id, body in extracted:
                before = storage.find(index, collection, doc_id)
                if before is None:
                    batch.refuse(_echo(doc_id, body), "document not found", 404)
                    continue
                source = {"_kuzzle_info": dict(meta), **body}
                yield _bulk_doc(doc_id, source), (doc_id, source, before)

        def replace(item: tuple[str, dict[str, Any], Document]) -> Stored:
            doc_id, source, before = item
            document = storage.write(index, collection, doc_id, source)
            success = {**public(document), "created": False, "result": "updated", "status": 200}
            return "replace", document, before, public(document), success

        return await self._answer(request, "mReplace", self._write_each(batch, found(), replace))

    async def m_update(self, request: KuzzleRequest) -> dict[str, Any]:
        documents = self._m_documents(request)
        batch = _Batch()
        extracted: list[tuple[Any, dict[str, Any]]] = []
        for document in documents:
            body = document.get("body") if isinstance(document, dict) else None
            if not isinstance(body, dict):
                batch.refuse(document, "document body must be an object")
            else:
                extracted.append((document.get("_id") or None, body))
        to_update: list[tuple[str, dict[str, Any]]] = []
        for doc_id, body in extracted:
            if isinstance(doc_id, str):
                to_update.append((doc_id, body))
            else:
                batch.refuse(_echo(doc_id, body), "document _id must be a string")
        return await self._answer(request, "mUpdate", self._updates(request, to_update, batch))

    def _updates(
        self, request: KuzzleRequest, to_update: list[tuple[str, dict[str, Any]]], batch: _Batch | None = None
    ) -> _Batch:
        """``mUpdate``'s bulk request: partial updates, ``document not found`` when missing."""
        batch = batch or _Batch()
        meta = {"updatedAt": now_ms(), "updater": request.kuid}
        index, collection = (request.get_index(), request.get_collection()) if to_update else ("", "")
        storage = self._ctx.storage

        def found() -> Iterator[tuple[Entry, tuple[str, dict[str, Any], dict[str, Any], Document]]]:
            for doc_id, body in to_update:
                changes = {"_kuzzle_info": dict(meta), **body}
                before = storage.find(index, collection, doc_id)
                if before is None:
                    batch.refuse(_echo(doc_id, changes), "document not found", 404)
                    continue
                yield _bulk_doc(doc_id, changes), (doc_id, body, changes, before)

        def update(item: tuple[str, dict[str, Any], dict[str, Any], Document]) -> Stored:
            doc_id, body, changes, before = item
            document = storage.write(index, collection, doc_id, deep_merge(before["_source"], changes))
            result = {**public(document), "_updatedFields": leaf_paths(body)}
            return "update", document, before, result, {**public(document), "status": 200}

        return self._write_each(batch, found(), update)

    async def m_upsert(self, request: KuzzleRequest) -> dict[str, Any]:
        documents = self._m_documents(request)
        batch = _Batch()
        extracted: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        for document in documents:
            entry = document if isinstance(document, dict) else {}
            changes, defaults = entry.get("changes"), entry.get("default")
            if not isinstance(changes, dict):
                batch.refuse(document, "document changes must be an object")
            elif defaults and not isinstance(defaults, dict):
                batch.refuse(document, "document default must be an object")
            elif not isinstance(entry.get("_id"), str):
                batch.refuse(document, "document _id must be a string")
            else:
                extracted.append((entry["_id"], content(changes), defaults or {}))
        index, collection = (request.get_index(), request.get_collection()) if documents else ("", "")
        storage = self._ctx.storage
        now, user = now_ms(), request.kuid

        def found() -> Iterator[tuple[Entry, tuple[str, dict[str, Any], dict[str, Any], Document | None]]]:
            for doc_id, changes, defaults in extracted:
                doc = {"_kuzzle_info": {"updatedAt": now, "updater": user}, **changes}
                upsert = {"_kuzzle_info": {"author": user, "createdAt": now}, **changes, **defaults}
                before = storage.find(index, collection, doc_id)
                source = upsert if before is None else deep_merge(before["_source"], doc)
                echo = {"_id": doc_id, "_source": {"changes": doc, "default": upsert}}
                yield echo, (doc_id, changes, source, before)

        def upsert(item: tuple[str, dict[str, Any], dict[str, Any], Document | None]) -> Stored:
            doc_id, changes, source, before = item
            document = storage.write(index, collection, doc_id, source)
            created = before is None
            result = public(document)
            if not created:
                result["_updatedFields"] = leaf_paths(changes)
            success = {**public(document), "created": created, "status": 201 if created else 200}
            return "create" if created else "update", document, before, result, success

        return await self._answer(request, "mUpsert", self._write_each(batch, found(), upsert))

    # Reads and deletions

    def _ids(self, request: KuzzleRequest) -> list[Any]:
        """``mGet``/``mExists``: ``body.ids`` when not empty, else the ``ids`` argument."""
        body = request.body if isinstance(request.body, dict) else {}
        if body.get("ids"):
            ids: list[Any] = request.get_body_field("ids", list, "array")
        else:
            ids = request.get_array("ids")
        if len(ids) > DOCUMENTS_FETCH_COUNT:
            raise kerror("services.storage.get_limit_exceeded")
        return ids

    async def m_get(self, request: KuzzleRequest) -> dict[str, Any]:
        ids = self._ids(request)
        index, collection = self._target(request)
        successes: list[Document] = []
        errors: list[str] = []
        for doc_id in map(js_string, ids):
            found = self._ctx.storage.find(index, collection, doc_id)
            if found is None:
                errors.append(doc_id)
            else:
                successes.append(found)
        if request.get_boolean("strict") and errors:
            raise incomplete_multiple_request("get", errors)
        return {"errors": errors, "successes": successes}

    async def m_exists(self, request: KuzzleRequest) -> dict[str, Any]:
        ids = self._ids(request)
        index, collection = self._target(request)
        successes: list[str] = []
        errors: list[str] = []
        for doc_id in map(js_string, ids):
            found = self._ctx.storage.find(index, collection, doc_id)
            (errors if found is None else successes).append(doc_id)
        if request.get_boolean("strict") and errors:
            raise incomplete_multiple_request("get", errors)
        return {"errors": errors, "successes": successes}

    async def m_delete(self, request: KuzzleRequest) -> dict[str, Any]:
        ids = request.get_body_field("ids", list, "array")
        index, collection = self._target(request)
        storage = self._ctx.storage
        errors: list[Entry] = []
        valid: list[str] = []
        for doc_id in ids:
            if isinstance(doc_id, str):
                valid.append(doc_id)
            else:
                errors.append({"_id": doc_id, "reason": "document _id must be a string", "status": 400})
        found: dict[str, Document] = {}  # a repeated id is deleted once
        for doc_id in valid:
            document = found.get(doc_id) or storage.find(index, collection, doc_id)
            if document is None:
                errors.append({"_id": doc_id, "reason": "document not found", "status": 404})
            else:
                found[doc_id] = document
        for doc_id in found:
            storage.delete(index, collection, doc_id)
        if request.get_boolean("strict") and errors:  # deleted already, as in Kuzzle
            raise incomplete_multiple_request("delete", errors)
        for document in found.values():
            await self._notify_delete(request, document)
        return {"errors": errors, "successes": list(found)}
