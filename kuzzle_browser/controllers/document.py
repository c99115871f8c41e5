"""The ``document`` controller: create, read, update, delete and search documents.

Kuzzle docs: https://docs.kuzzle.io/sdk/js/7/controllers/document/

Common keyword options: ``refresh="wait_for"`` (wait until the change is
searchable), ``silent=True`` (no realtime notification), ``queuable`` and
``timeout`` (SDK options, never sent).
"""

from __future__ import annotations

from typing import Any

from kuzzle_browser.controllers.base import DEFAULT, BaseController, Timeout
from kuzzle_browser.search_result import SearchResult

__all__ = ["DocumentController"]

Document = dict[str, Any]


class DocumentController(BaseController):
    """``kuzzle.document``."""

    name = "document"

    async def create(
        self,
        index: str,
        collection: str,
        content: Document,
        _id: str | None = None,
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Create a document (Kuzzle picks the id when ``_id`` is None).

        Returns:
            ``{"_id", "_source", "_version"}``.

        Raises:
            BadRequestError: ``services.storage.document_already_exists``.
            PreconditionError: Unknown index or collection.
        """
        result: Document = await self._result(
            "create",
            {"index": index, "collection": collection, "body": content, "_id": _id},
            refresh=refresh,
            silent=silent,
            queuable=queuable,
            timeout=timeout,
        )
        return result

    async def create_or_replace(
        self,
        index: str,
        collection: str,
        _id: str,
        content: Document,
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Create the document, or replace it whole if it exists."""
        result: Document = await self._result(
            "createOrReplace",
            {"index": index, "collection": collection, "_id": _id, "body": content},
            refresh=refresh,
            silent=silent,
            queuable=queuable,
            timeout=timeout,
        )
        return result

    async def get(
        self, index: str, collection: str, _id: str, *, queuable: bool = True, timeout: Timeout = DEFAULT
    ) -> Document:
        """Fetch a document: ``{"_id", "_source", "_version"}``.

        Raises:
            NotFoundError: ``services.storage.not_found``.
        """
        result: Document = await self._result(
            "get", {"index": index, "collection": collection, "_id": _id}, queuable=queuable, timeout=timeout
        )
        return result

    async def exists(
        self, index: str, collection: str, _id: str, *, queuable: bool = True, timeout: Timeout = DEFAULT
    ) -> bool:
        """Whether the document exists."""
        return bool(
            await self._result(
                "exists",
                {"index": index, "collection": collection, "_id": _id},
                queuable=queuable,
                timeout=timeout,
            )
        )

    async def replace(
        self,
        index: str,
        collection: str,
        _id: str,
        content: Document,
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Replace an existing document whole.

        Raises:
            NotFoundError: The document does not exist.
        """
        result: Document = await self._result(
            "replace",
            {"index": index, "collection": collection, "_id": _id, "body": content},
            refresh=refresh,
            silent=silent,
            queuable=queuable,
            timeout=timeout,
        )
        return result

    async def update(
        self,
        index: str,
        collection: str,
        _id: str,
        changes: Document,
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        retry_on_conflict: int | None = None,
        source: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Merge ``changes`` into an existing document; ``source=True`` returns the updated ``_source``."""
        result: Document = await self._result(
            "update",
            {"index": index, "collection": collection, "_id": _id, "body": changes},
            refresh=refresh,
            silent=silent,
            retryOnConflict=retry_on_conflict,
            source=source,
            queuable=queuable,
            timeout=timeout,
        )
        return result

    async def upsert(
        self,
        index: str,
        collection: str,
        _id: str,
        changes: Document,
        *,
        default: Document | None = None,
        refresh: str | None = None,
        silent: bool | None = None,
        retry_on_conflict: int | None = None,
        source: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Apply ``changes``, creating the document (with ``default`` fields too) when missing."""
        body: dict[str, Any] = {"changes": changes}
        if default is not None:
            body["default"] = default
        result: Document = await self._result(
            "upsert",
            {"index": index, "collection": collection, "_id": _id, "body": body},
            refresh=refresh,
            silent=silent,
            retryOnConflict=retry_on_conflict,
            source=source,
            queuable=queuable,
            timeout=timeout,
        )
        return result

    async def delete(
        self,
        index: str,
        collection: str,
        _id: str,
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> str:
        """Delete a document; returns its id."""
        result = await self._result(
            "delete",
            {"index": index, "collection": collection, "_id": _id},
            refresh=refresh,
            silent=silent,
            queuable=queuable,
            timeout=timeout,
        )
        return str(result["_id"])

    async def count(
        self,
        index: str,
        collection: str,
        query: Document | None = None,
        *,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> int:
        """Count documents matching ``query`` (``{"query": {...}}``, Elasticsearch DSL)."""
        result = await self._result(
            "count",
            {"index": index, "collection": collection, "body": query or {}},
            queuable=queuable,
            timeout=timeout,
        )
        return int(result["count"])

    async def search(
        self,
        index: str,
        collection: str,
        query: Document | None = None,
        *,
        from_: int | None = None,
        size: int | None = None,
        scroll: str | None = None,
        lang: str | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> SearchResult:
        """Search documents; page with ``await result.next()`` or ``async for page in result``.

        Args:
            query: ``{"query": ..., "sort": ..., "aggregations": ...}`` (Elasticsearch DSL).
            from_: Offset of the first hit (Kuzzle's ``from``).
            size: Hits per page.
            scroll: Keep a scroll cursor open this long (``"30s"``) and page with it.
        """
        request: dict[str, Any] = {
            "controller": self.name,
            "action": "search",
            "index": index,
            "collection": collection,
            "body": query or {},
        }
        for key, value in (("from", from_), ("size", size), ("scroll", scroll), ("lang", lang)):
            if value is not None:
                request[key] = value
        response = await self._send("search", request, queuable=queuable, timeout=timeout)
        return SearchResult(self.kuzzle, request, response.get("result") or {})

    async def validate(
        self,
        index: str,
        collection: str,
        content: Document,
        *,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> bool:
        """Check ``content`` against the collection's validation rules without writing it."""
        result = await self._result(
            "validate",
            {"index": index, "collection": collection, "body": content},
            queuable=queuable,
            timeout=timeout,
        )
        return bool(result.get("valid", result) if isinstance(result, dict) else result)

    async def delete_by_query(
        self,
        index: str,
        collection: str,
        query: Document | None = None,
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        lang: str | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> list[str]:
        """Delete every document matching ``query``; returns their ids."""
        result = await self._result(
            "deleteByQuery",
            {"index": index, "collection": collection, "body": query or {}},
            refresh=refresh,
            silent=silent,
            lang=lang,
            queuable=queuable,
            timeout=timeout,
        )
        # Kuzzle 2 answers {"documents": [{"_id", "_source"}]}; older servers {"ids": [...]}.
        if "documents" in result:
            return [str(document["_id"]) for document in result["documents"]]
        return [str(document_id) for document_id in result.get("ids", [])]

    async def update_by_query(
        self,
        index: str,
        collection: str,
        query: Document,
        changes: Document,
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        source: bool | None = None,
        lang: str | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Merge ``changes`` into every document matching ``query``: ``{"successes", "errors"}``."""
        result: Document = await self._result(
            "updateByQuery",
            {"index": index, "collection": collection, "body": {"query": query, "changes": changes}},
            refresh=refresh,
            silent=silent,
            source=source,
            lang=lang,
            queuable=queuable,
            timeout=timeout,
        )
        return result

    async def _multi(
        self,
        action: str,
        index: str,
        collection: str,
        body: dict[str, Any],
        *,
        refresh: str | None,
        silent: bool | None,
        strict: bool | None,
        queuable: bool,
        timeout: Timeout,
    ) -> Document:
        result: Document = await self._result(
            action,
            {"index": index, "collection": collection, "body": body},
            refresh=refresh,
            silent=silent,
            strict=strict,
            queuable=queuable,
            timeout=timeout,
        )
        return result

    async def m_create(
        self,
        index: str,
        collection: str,
        documents: list[Document],
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        strict: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Create several documents (``[{"_id"?, "body"}]``): ``{"successes", "errors"}``."""
        return await self._multi(
            "mCreate",
            index,
            collection,
            {"documents": documents},
            refresh=refresh,
            silent=silent,
            strict=strict,
            queuable=queuable,
            timeout=timeout,
        )

    async def m_create_or_replace(
        self,
        index: str,
        collection: str,
        documents: list[Document],
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        strict: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Create or replace several documents (``[{"_id", "body"}]``)."""
        return await self._multi(
            "mCreateOrReplace",
            index,
            collection,
            {"documents": documents},
            refresh=refresh,
            silent=silent,
            strict=strict,
            queuable=queuable,
            timeout=timeout,
        )

    async def m_replace(
        self,
        index: str,
        collection: str,
        documents: list[Document],
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        strict: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Replace several existing documents (``[{"_id", "body"}]``)."""
        return await self._multi(
            "mReplace",
            index,
            collection,
            {"documents": documents},
            refresh=refresh,
            silent=silent,
            strict=strict,
            queuable=queuable,
            timeout=timeout,
        )

    async def m_update(
        self,
        index: str,
        collection: str,
        documents: list[Document],
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        strict: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Update several documents (``[{"_id", "body"}]``)."""
        return await self._multi(
            "mUpdate",
            index,
            collection,
            {"documents": documents},
            refresh=refresh,
            silent=silent,
            strict=strict,
            queuable=queuable,
            timeout=timeout,
        )

    async def m_upsert(
        self,
        index: str,
        collection: str,
        documents: list[Document],
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        strict: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Upsert several documents (``[{"_id", "changes", "default"?}]``)."""
        return await self._multi(
            "mUpsert",
            index,
            collection,
            {"documents": documents},
            refresh=refresh,
            silent=silent,
            strict=strict,
            queuable=queuable,
            timeout=timeout,
        )

    async def m_delete(
        self,
        index: str,
        collection: str,
        ids: list[str],
        *,
        refresh: str | None = None,
        silent: bool | None = None,
        strict: bool | None = None,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Delete several documents by id: ``{"successes", "errors"}``."""
        return await self._multi(
            "mDelete",
            index,
            collection,
            {"ids": ids},
            refresh=refresh,
            silent=silent,
            strict=strict,
            queuable=queuable,
            timeout=timeout,
        )

    async def m_get(
        self,
        index: str,
        collection: str,
        ids: list[str],
        *,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
    ) -> Document:
        """Fetch several documents by id: ``{"successes", "errors"}``."""
        result: Document = await self._result(
            "mGet",
            {"index": index, "collection": collection, "body": {"ids": ids}},
            queuable=queuable,
            timeout=timeout,
        )
        return result
