"""Paged search results, following the JS SDK's ``SearchResult.next()`` rules (docs/protocol.md §5.6)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from kuzzle_browser.errors import InvalidArgumentError

if TYPE_CHECKING:
    from kuzzle_browser.client import Kuzzle

__all__ = ["SearchResult"]


def _sort_value(hit: dict[str, Any], key: str) -> Any:
    if key == "_id":
        return hit.get("_id")
    value: Any = hit.get("_source", {})
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class SearchResult:
    """One page of a search: ``hits``, ``total``, ``fetched`` so far, ``aggregations``.

    Get the next page with ``await result.next()`` (``None`` at the end), or
    iterate: ``async for page in result: ...`` yields this page, then the next ones.
    """

    def __init__(
        self,
        kuzzle: Kuzzle,
        request: dict[str, Any],
        result: dict[str, Any],
        fetched: int = 0,
        *,
        scroll_action: str = "scroll",
    ) -> None:
        self._kuzzle = kuzzle
        self._request = request
        # The action paging a scroll cursor (collection:searchSpecifications scrolls with
        # collection:scrollSpecifications, as the JS SDK's SpecificationsSearchResult).
        self._scroll_action = scroll_action
        self._result = result
        self.hits: list[dict[str, Any]] = list(result.get("hits") or [])
        """The documents of this page: ``[{"_id", "_source", "_score"}]``."""
        self.total: int = int(result.get("total") or 0)
        """How many documents match in all."""
        self.fetched: int = fetched + len(self.hits)
        """How many hits this page and the previous ones hold."""
        self.aggregations: dict[str, Any] | None = result.get("aggregations")
        self.suggest: dict[str, Any] | None = result.get("suggest")
        self.scroll_id: str | None = result.get("scrollId")

    def _next_request(self) -> dict[str, Any] | None:
        request = {k: v for k, v in self._request.items() if k != "requestId"}
        body = dict(request.get("body") or {})
        if request.get("scroll") and self.scroll_id:
            return {
                "controller": request["controller"],
                "action": self._scroll_action,
                "scroll": request["scroll"],
                "scrollId": self.scroll_id,
            }
        if request.get("size") is not None and body.get("sort"):
            if not self.hits:
                raise InvalidArgumentError(
                    "Unable to retrieve all results from search: the sort combination must identify "
                    'one item only. Add document "_id" to the sort.'
                )
            sort = body["sort"]
            keys = [
                next(iter(item)) if isinstance(item, dict) else str(item)
                for item in (sort if isinstance(sort, list) else [sort])
            ]
            body["search_after"] = [_sort_value(self.hits[-1], key) for key in keys]
            request["body"] = body
            request.pop("from", None)
            return request
        if request.get("size") is not None:
            if self.fetched >= self.total:
                return None
            request["from"] = self.fetched
            return request
        raise InvalidArgumentError(
            "Unable to retrieve next results from search: missing scrollId, from/sort, or from/size params"
        )

    async def next(self) -> SearchResult | None:
        """Fetch the next page; ``None`` when every hit has been fetched."""
        if self.fetched >= self.total:
            return None
        request = self._next_request()
        if request is None:
            return None
        response = await self._kuzzle.query(request)
        result = response.get("result") or {}
        page = SearchResult(self._kuzzle, request, result, self.fetched, scroll_action=self._scroll_action)
        if not page.hits:
            return None
        if request.get("action") == self._scroll_action:
            page._request = self._request | {"scroll": self._request.get("scroll")}
        return page

    async def __aiter__(self) -> AsyncIterator[SearchResult]:
        page: SearchResult | None = self
        while page is not None:
            yield page
            page = await page.next()

    def __repr__(self) -> str:
        return f"<SearchResult total={self.total} fetched={self.fetched} hits={len(self.hits)}>"
