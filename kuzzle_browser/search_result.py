"""Paged search results, following the JS SDK's ``SearchResult.next()`` rules (docs/protocol.md §5.6).

:class:`SearchResultBase` holds the paging; a subclass says how a raw hit becomes one of
its ``hits`` and which action scrolls (``document:scroll``, ``security:scrollUsers``...).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

from kuzzle_browser.errors import InvalidArgumentError

if TYPE_CHECKING:
    from kuzzle_browser.client import Kuzzle

__all__ = ["DocumentSearchResult", "SearchResult", "SearchResultBase", "SpecificationsSearchResult"]

HitT = TypeVar("HitT")


def _sort_value(hit: dict[str, Any], key: str) -> Any:
    if key == "_id":
        return hit.get("_id")
    value: Any = hit.get("_source", {})
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class SearchResultBase(Generic[HitT]):
    """One page of a search: ``hits``, ``total``, ``fetched`` so far, ``aggregations``.

    Get the next page with ``await result.next()`` (``None`` at the end), or
    iterate: ``async for page in result: ...`` yields this page, then the next ones.
    """

    _scroll_action: ClassVar[str] = "scroll"
    """The action of the same controller that follows a scroll cursor."""

    def __init__(
        self,
        kuzzle: Kuzzle,
        request: dict[str, Any],
        result: dict[str, Any],
        fetched: int = 0,
    ) -> None:
        self._kuzzle = kuzzle
        self._request = request
        self._result = result
        self._raw_hits: list[dict[str, Any]] = list(result.get("hits") or [])
        self.hits: list[HitT] = [self._hit(raw) for raw in self._raw_hits]
        """The hits of this page."""
        self.total: int = int(result.get("total") or 0)
        """How many hits match in all."""
        self.fetched: int = fetched + len(self.hits)
        """How many hits this page and the previous ones hold."""
        self.aggregations: dict[str, Any] | None = result.get("aggregations")
        self.suggest: dict[str, Any] | None = result.get("suggest")
        self.scroll_id: str | None = result.get("scrollId")

    def _hit(self, raw: dict[str, Any]) -> HitT:
        """One raw hit ``{"_id", "_source", ...}`` as this result's hit type."""
        raise NotImplementedError

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
            body["search_after"] = [_sort_value(self._raw_hits[-1], key) for key in keys]
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

    async def next(self) -> Self | None:
        """Fetch the next page; ``None`` when every hit has been fetched."""
        if self.fetched >= self.total:
            return None
        request = self._next_request()
        if request is None:
            return None
        response = await self._kuzzle.query(request)
        page = type(self)(self._kuzzle, request, response.get("result") or {}, self.fetched)
        if not page.hits:
            return None
        if request.get("action") == self._scroll_action:
            page._request = self._request | {"scroll": self._request.get("scroll")}
        return page

    async def __aiter__(self) -> AsyncIterator[Self]:
        page: Self | None = self
        while page is not None:
            yield page
            page = await page.next()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} total={self.total} fetched={self.fetched} hits={len(self.hits)}>"


class SearchResult(SearchResultBase[dict[str, Any]]):
    """A page of ``document.search``: ``hits`` are ``{"_id", "_source", "_score"}`` dicts."""

    def _hit(self, raw: dict[str, Any]) -> dict[str, Any]:
        return raw


DocumentSearchResult = SearchResult
"""The JS SDK's name for :class:`SearchResult`."""


class SpecificationsSearchResult(SearchResultBase[dict[str, Any]]):
    """A page of ``collection.search_specifications`` (scrolls with ``collection:scrollSpecifications``)."""

    _scroll_action = "scrollSpecifications"

    def _hit(self, raw: dict[str, Any]) -> dict[str, Any]:
        return raw
