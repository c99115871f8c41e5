"""The ``bulk`` controller: raw, fast writes (no metadata, no limits, no notifications unless asked).

Kuzzle docs: https://docs.kuzzle.io/sdk/js/7/controllers/bulk/

Keyword options, as the JS SDK's ``options`` object: ``queuable`` and ``timeout`` (SDK
options, never sent), ``refresh="wait_for"``; ``write``/``m_write`` also take
``notify=True`` (send realtime notifications), ``import_``/``m_write`` ``strict=True``
(fail with ``api.process.incomplete_multiple_request`` when any item failed).
"""

from __future__ import annotations

from typing import Any, Unpack

from kuzzle_browser.controllers.base import BaseController
from kuzzle_browser.controllers.document import ReadOptions

__all__ = ["BulkController"]


class BulkController(BaseController):
    """``kuzzle.bulk``."""

    name = "bulk"

    async def _on(self, action: str, index: str, collection: str, **fields: Any) -> Any:
        return await self._result(action, {"index": index, "collection": collection}, **fields)

    async def import_(
        self,
        index: str,
        collection: str,
        bulk_data: list[dict[str, Any]],
        *,
        strict: bool | None = None,
        refresh: str | None = None,
        **options: Unpack[ReadOptions],
    ) -> dict[str, Any]:
        """Run Elasticsearch ``_bulk`` lines: ``[{"index": {"_id": ...}}, {...content}, ...]``.

        Returns:
            ``{"successes": [{action: {"_id", "status"}}], "errors": [{action: {"_id",
            "status", "_source"?, "error"?}}]}``.

        Raises:
            BadRequestError: ``api.process.incomplete_multiple_request`` with ``strict=True``,
                when a line failed.
        """
        result: dict[str, Any] = await self._on(
            "import",
            index,
            collection,
            body={"bulkData": bulk_data},
            strict=strict,
            refresh=refresh,
            **options,
        )
        return result

    async def write(
        self,
        index: str,
        collection: str,
        content: dict[str, Any],
        _id: str | None = None,
        *,
        notify: bool | None = None,
        refresh: str | None = None,
        **options: Unpack[ReadOptions],
    ) -> dict[str, Any]:
        """Create or replace a document as it is (``_kuzzle_info`` included, if given).

        Returns:
            ``{"_id", "_source", "_version"}``.
        """
        result: dict[str, Any] = await self._on(
            "write", index, collection, body=content, _id=_id, notify=notify, refresh=refresh, **options
        )
        return result

    async def m_write(
        self,
        index: str,
        collection: str,
        documents: list[dict[str, Any]],
        *,
        notify: bool | None = None,
        strict: bool | None = None,
        refresh: str | None = None,
        **options: Unpack[ReadOptions],
    ) -> dict[str, Any]:
        """``write`` for ``[{"_id"?, "body"}]``.

        Returns:
            ``{"successes": [{"_id", "_source", "_version"}], "errors": [{"document",
            "reason", "status"}]}``.
        """
        result: dict[str, Any] = await self._on(
            "mWrite",
            index,
            collection,
            body={"documents": documents},
            notify=notify,
            strict=strict,
            refresh=refresh,
            **options,
        )
        return result

    async def delete_by_query(
        self,
        index: str,
        collection: str,
        query: dict[str, Any] | None = None,
        *,
        refresh: str | None = None,
        **options: Unpack[ReadOptions],
    ) -> int:
        """Delete every matching document; returns how many.

        ``query`` is the whole request body, as in the JS SDK: ``{"query": {"term": ...}}``.
        """
        result = await self._on(
            "deleteByQuery", index, collection, body=query or {}, refresh=refresh, **options
        )
        return int(result["deleted"])

    async def update_by_query(
        self,
        index: str,
        collection: str,
        query: dict[str, Any],
        changes: dict[str, Any],
        *,
        refresh: str | None = None,
        **options: Unpack[ReadOptions],
    ) -> int:
        """Apply ``changes`` to every document matching ``query`` (an ES query); returns how many."""
        body = {"query": query, "changes": changes}
        result = await self._on("updateByQuery", index, collection, body=body, refresh=refresh, **options)
        return int(result["updated"])
