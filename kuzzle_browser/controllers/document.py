"""The ``document`` controller: create, read, update, delete and search documents.

Kuzzle docs: https://docs.kuzzle.io/sdk/js/7/controllers/document/

Keyword options, as the JS SDK's ``options`` object:

- every method: ``queuable`` (False: never put in the offline queue) and
  ``timeout`` (seconds) — SDK options, never sent;
- writes: ``refresh="wait_for"`` (wait until the change is searchable) and
  ``silent=True`` (no realtime notification);
- ``m_*`` writes: also ``strict=True`` (fail the whole batch on the first error);
- ``update``/``upsert``: also ``retry_on_conflict`` and ``source`` (return the updated ``_source``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from kuzzle_browser.controllers.base import BaseController
from kuzzle_browser.options import Timeout
from kuzzle_browser.search_result import SearchResult

if TYPE_CHECKING:  # imported by live() on first use
    from kuzzle_browser.live import ChangeCallback, LiveQuery

__all__ = ["DocumentController", "MultiWriteOptions", "ReadOptions", "UpdateOptions", "WriteOptions"]

Document = dict[str, Any]


class ReadOptions(TypedDict, total=False):
    """SDK options every method takes."""

    queuable: bool
    timeout: Timeout


class WriteOptions(ReadOptions, total=False):
    """Options of single-document writes."""

    refresh: str | None
    silent: bool | None


class MultiWriteOptions(WriteOptions, total=False):
    """Options of ``m_*`` writes."""

    strict: bool | None


class UpdateOptions(WriteOptions, total=False):
    """Options of ``update`` and ``upsert``."""

    retry_on_conflict: int | None
    source: bool | None


def _update_args(options: UpdateOptions) -> dict[str, Any]:
    # The wire names are Kuzzle's (camelCase); the keyword names are Python's.
    args: dict[str, Any] = dict(options)
    args["retryOnConflict"] = args.pop("retry_on_conflict", None)
    return args


class DocumentController(BaseController):
    """``kuzzle.document``."""

    name = "document"

    async def _on(self, action: str, index: str, collection: str, **fields: Any) -> Any:
        return await self._result(action, {"index": index, "collection": collection}, **fields)

    async def create(
        self,
        index: str,
        collection: str,
        content: Document,
        _id: str | None = None,
        **options: Unpack[WriteOptions],
    ) -> Document:
        """Create a document (Kuzzle picks the id when ``_id`` is None).

        Returns:
            ``{"_id", "_source", "_version"}``.

        Raises:
            BadRequestError: ``services.storage.document_already_exists``.
            PreconditionError: Unknown index or collection.
        """
        result: Document = await self._on("create", index, collection, body=content, _id=_id, **options)
        return result

    async def create_or_replace(
        self, index: str, collection: str, _id: str, content: Document, **options: Unpack[WriteOptions]
    ) -> Document:
        """Create the document, or replace it whole if it exists."""
        result: Document = await self._on(
            "createOrReplace", index, collection, _id=_id, body=content, **options
        )
        return result

    async def get(self, index: str, collection: str, _id: str, **options: Unpack[ReadOptions]) -> Document:
        """Fetch a document: ``{"_id", "_source", "_version"}``.

        Raises:
            NotFoundError: ``services.storage.not_found``.
        """
        result: Document = await self._on("get", index, collection, _id=_id, **options)
        return result

    async def exists(self, index: str, collection: str, _id: str, **options: Unpack[ReadOptions]) -> bool:
        """Whether the document exists."""
        return bool(await self._on("exists", index, collection, _id=_id, **options))

    async def replace(
        self, index: str, collection: str, _id: str, content: Document, **options: Unpack[WriteOptions]
    ) -> Document:
        """Replace an existing document whole.

        Raises:
            NotFoundError: The document does not exist.
        """
        result: Document = await self._on("replace", index, collection, _id=_id, body=content, **options)
        return result

    async def update(
        self, index: str, collection: str, _id: str, changes: Document, **options: Unpack[UpdateOptions]
    ) -> Document:
        """Merge ``changes`` into an existing document; ``source=True`` returns the updated ``_source``."""
        result: Document = await self._on(
            "update", index, collection, _id=_id, body=changes, **_update_args(options)
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
        **options: Unpack[UpdateOptions],
    ) -> Document:
        """Apply ``changes``, creating the document (with ``default`` fields too) when missing."""
        body: dict[str, Any] = {"changes": changes}
        if default is not None:
            body["default"] = default
        result: Document = await self._on(
            "upsert", index, collection, _id=_id, body=body, **_update_args(options)
        )
        return result

    async def delete(self, index: str, collection: str, _id: str, **options: Unpack[WriteOptions]) -> str:
        """Delete a document; returns its id."""
        result = await self._on("delete", index, collection, _id=_id, **options)
        return str(result["_id"])

    async def delete_fields(
        self,
        index: str,
        collection: str,
        _id: str,
        fields: list[str],
        *,
        source: bool | None = None,
        **options: Unpack[WriteOptions],
    ) -> Document:
        """Remove fields (dotted paths) from a document: ``{"_id", "_version"}``, plus ``_source``
        with ``source=True``.

        Raises:
            NotFoundError: The document does not exist.
        """
        result: Document = await self._on(
            "deleteFields", index, collection, _id=_id, body={"fields": fields}, source=source, **options
        )
        return result

    async def count(
        self, index: str, collection: str, query: Document | None = None, **options: Unpack[ReadOptions]
    ) -> int:
        """Count documents matching ``query`` (``{"query": {...}}``, Elasticsearch DSL)."""
        result = await self._on("count", index, collection, body=query or {}, **options)
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
        **options: Unpack[ReadOptions],
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
        response = await self._send("search", request, **options)
        return SearchResult(self.kuzzle, request, response.get("result") or {})

    async def live(
        self,
        index: str,
        collection: str,
        filters: Document | None = None,
        *,
        query: Document | None = None,
        sort: Any = None,
        size: int | None = None,
        callback: ChangeCallback | None = None,
    ) -> LiveQuery:
        """The documents matching ``filters``, kept up to date: a :class:`~kuzzle_browser.LiveQuery`.

        Subscribes, then searches, then applies what came meanwhile; after every
        reconnection, cookie renewal or re-login it reads again and emits only the
        differences::

            async with await kuzzle.document.live("shop", "orders", {"equals": {"open": True}},
                                                  sort=[{"total": "desc"}], size=20) as live:
                print(live.documents)
                async for change in live:  # Change(kind, document, index, old_index)
                    ...

        Args:
            filters: Koncorde filters (``{}`` or ``None``: every document).
            query: The Elasticsearch query of the search; default: ``filters`` translated.
            sort: Elasticsearch ``sort`` (``[{"field": "asc"}]``); ties and the rest by ``_id``.
            size: Keep only the first ``size`` documents (``None``: all that match).
            callback: Called with each :class:`~kuzzle_browser.Change`, the first
                read's included; without it, ``async for`` over the live query.

        Raises:
            InvalidArgumentError: Bad ``sort``/``size``, or filters with no search equivalent
                and no ``query``.
        """
        from kuzzle_browser.live import LiveQuery

        live = LiveQuery(
            self.kuzzle, index, collection, filters, query=query, sort=sort, size=size, callback=callback
        )
        await live._start()
        return live

    async def validate(
        self, index: str, collection: str, content: Document, **options: Unpack[ReadOptions]
    ) -> bool:
        """Check ``content`` against the collection's validation rules without writing it."""
        result = await self._on("validate", index, collection, body=content, **options)
        return bool(result.get("valid", result) if isinstance(result, dict) else result)

    async def delete_by_query(
        self,
        index: str,
        collection: str,
        query: Document | None = None,
        *,
        lang: str | None = None,
        **options: Unpack[WriteOptions],
    ) -> list[str]:
        """Delete every document matching ``query``; returns their ids."""
        result = await self._on("deleteByQuery", index, collection, body=query or {}, lang=lang, **options)
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
        source: bool | None = None,
        lang: str | None = None,
        **options: Unpack[WriteOptions],
    ) -> Document:
        """Merge ``changes`` into every document matching ``query``: ``{"successes", "errors"}``."""
        body = {"query": query, "changes": changes}
        result: Document = await self._on(
            "updateByQuery", index, collection, body=body, source=source, lang=lang, **options
        )
        return result

    async def m_create(
        self, index: str, collection: str, documents: list[Document], **options: Unpack[MultiWriteOptions]
    ) -> Document:
        """Create several documents (``[{"_id"?, "body"}]``): ``{"successes", "errors"}``."""
        result: Document = await self._on(
            "mCreate", index, collection, body={"documents": documents}, **options
        )
        return result

    async def m_create_or_replace(
        self, index: str, collection: str, documents: list[Document], **options: Unpack[MultiWriteOptions]
    ) -> Document:
        """Create or replace several documents (``[{"_id", "body"}]``)."""
        body = {"documents": documents}
        result: Document = await self._on("mCreateOrReplace", index, collection, body=body, **options)
        return result

    async def m_replace(
        self, index: str, collection: str, documents: list[Document], **options: Unpack[MultiWriteOptions]
    ) -> Document:
        """Replace several existing documents (``[{"_id", "body"}]``)."""
        result: Document = await self._on(
            "mReplace", index, collection, body={"documents": documents}, **options
        )
        return result

    async def m_update(
        self, index: str, collection: str, documents: list[Document], **options: Unpack[MultiWriteOptions]
    ) -> Document:
        """Update several documents (``[{"_id", "body"}]``)."""
        result: Document = await self._on(
            "mUpdate", index, collection, body={"documents": documents}, **options
        )
        return result

    async def m_upsert(
        self, index: str, collection: str, documents: list[Document], **options: Unpack[MultiWriteOptions]
    ) -> Document:
        """Upsert several documents (``[{"_id", "changes", "default"?}]``)."""
        result: Document = await self._on(
            "mUpsert", index, collection, body={"documents": documents}, **options
        )
        return result

    async def m_delete(
        self, index: str, collection: str, ids: list[str], **options: Unpack[MultiWriteOptions]
    ) -> Document:
        """Delete several documents by id: ``{"successes", "errors"}``."""
        result: Document = await self._on("mDelete", index, collection, body={"ids": ids}, **options)
        return result

    async def m_exists(
        self,
        index: str,
        collection: str,
        ids: list[str],
        *,
        strict: bool | None = None,
        **options: Unpack[ReadOptions],
    ) -> Document:
        """Which ids exist: ``{"successes": [ids found], "errors": [ids missing]}``.

        ``strict=True`` raises ``api.process.incomplete_multiple_request`` when one is missing.
        The JS SDK 7.17.1 has no method for this action.
        """
        result: Document = await self._on(
            "mExists", index, collection, body={"ids": ids}, strict=strict, **options
        )
        return result

    async def m_get(
        self, index: str, collection: str, ids: list[str], **options: Unpack[ReadOptions]
    ) -> Document:
        """Fetch several documents by id: ``{"successes", "errors"}``."""
        result: Document = await self._on("mGet", index, collection, body={"ids": ids}, **options)
        return result
