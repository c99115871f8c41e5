"""``Observer`` and ``RealtimeDocument``: the JS SDK's realtime documents, with a catch-up.

As in JS SDK 7.17.1 (``src/core/Observer.ts``): an observer keeps, per
collection, the ids of the documents it handed out and one subscription with
the Koncorde filter ``{"ids": {"values": [...]}}``, renewed (subscribe the new
set, then unsubscribe the old room) whenever the set changes. A ``write``
notification merges its ``_source`` into the document; a ``delete`` sets
``deleted`` and forgets it.

Added here: after every restore of a subscription (reconnection, cookie
renewal, re-login) the observer re-reads its documents with ``m_get`` and
applies what changed while it was away (JS: nothing, the documents silently go
stale). The SDK has no HTTP protocol yet, so there is no ``pulling`` mode.

For an ordered, filtered list that stays true, use
:meth:`DocumentController.live <kuzzle_browser.controllers.document.DocumentController.live>`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kuzzle_browser.errors import GONE_IDS, InvalidArgumentError, KuzzleError
from kuzzle_browser.search_result import SearchResult

if TYPE_CHECKING:
    from kuzzle_browser.client import Kuzzle
    from kuzzle_browser.subscription import Notification, Subscription

__all__ = ["Observer", "RealtimeDocument", "RealtimeSearchResult"]

logger = logging.getLogger("kuzzle_browser.observer")


class RealtimeDocument(dict[str, Any]):
    """A document whose ``_source`` follows the database; ``deleted`` turns True when it is gone.

    It is also the ``{"_id", "_source"}`` dict of a search hit.
    """

    def __init__(self, document: dict[str, Any]) -> None:
        super().__init__(_id=str(document["_id"]), _source=dict(document.get("_source") or {}))
        self.deleted = False
        """True once the document was deleted (it is no longer observed)."""

    @property
    def _id(self) -> str:
        return str(self["_id"])

    @property
    def _source(self) -> dict[str, Any]:
        source: dict[str, Any] = self["_source"]
        return source

    def __repr__(self) -> str:
        return f"<RealtimeDocument {self._id} deleted={self.deleted} {self._source!r}>"


class _Watched:
    """The observed documents of one collection and their subscription."""

    def __init__(self, index: str, collection: str) -> None:
        self.index = index
        self.collection = collection
        self.documents: dict[str, RealtimeDocument] = {}
        self.subscription: Subscription | None = None


class RealtimeSearchResult(SearchResult):
    """A :class:`~kuzzle_browser.SearchResult` whose ``hits`` are :class:`RealtimeDocument` s."""

    _observer: Observer

    async def next(self) -> RealtimeSearchResult | None:
        """The next page, its documents observed too."""
        page = await super().next()
        if page is None:
            return None
        return await self._observer._adopt(page)


class Observer:
    """Hands out :class:`RealtimeDocument` s and keeps them up to date (JS ``Observer``).

    ::

        observer = Observer(kuzzle)
        doc = await observer.get("shop", "orders", "o1")
        ...  # doc._source changes with the database; doc.deleted when it is gone
        await observer.dispose()

    Dispose of it (``stop()``/``dispose()``) when the page no longer shows the documents.
    """

    def __init__(self, kuzzle: Kuzzle) -> None:
        self._kuzzle = kuzzle
        self._watched: dict[tuple[str, str], _Watched] = {}
        self.mode = "realtime"
        """Always ``"realtime"`` (JS also has ``"pulling"`` over HTTP)."""

    async def get(self, index: str, collection: str, _id: str, **options: Any) -> RealtimeDocument:
        """``document.get``, observed."""
        document = await self._kuzzle.document.get(index, collection, _id, **options)
        return await self.observe(index, collection, document)

    async def m_get(self, index: str, collection: str, ids: list[str], **options: Any) -> dict[str, Any]:
        """``document.m_get``, observed: ``{"successes": [RealtimeDocument], "errors": [ids]}``."""
        result = await self._kuzzle.document.m_get(index, collection, ids, **options)
        successes = [self._add(index, collection, document) for document in result.get("successes", [])]
        await self._watch(index, collection)
        return {"successes": successes, "errors": list(result.get("errors", []))}

    async def search(
        self, index: str, collection: str, query: dict[str, Any] | None = None, **options: Any
    ) -> RealtimeSearchResult:
        """``document.search``, its hits observed (``next()`` pages too)."""
        page = await self._kuzzle.document.search(index, collection, query, **options)
        return await self._adopt(page)

    async def observe(self, index: str, collection: str, document: dict[str, Any]) -> RealtimeDocument:
        """Observe a document read elsewhere (``{"_id", "_source"}``)."""
        realtime = self._add(index, collection, document)
        await self._watch(index, collection)
        return realtime

    async def stop(
        self,
        index: str | None = None,
        collection: str | None = None,
        documents: list[dict[str, Any]] | None = None,
    ) -> None:
        """Stop observing these documents, a whole collection, or (no argument) everything.

        Raises:
            InvalidArgumentError: ``index`` without ``collection``.
        """
        if index is not None and collection is None:
            raise InvalidArgumentError('Missing "collection" argument')
        if index is None or collection is None:
            for watched in list(self._watched.values()):
                await self._release(watched)
            return
        found = self._watched.get((index, collection))
        if found is None:
            return
        if documents is None:
            await self._release(found)
            return
        for document in documents:
            found.documents.pop(str(document["_id"]), None)
        await self._watch(index, collection)

    async def dispose(self) -> None:
        """Stop observing everything (JS ``dispose``)."""
        await self.stop()

    # -- internals ---------------------------------------------------------------------

    async def _adopt(self, page: SearchResult) -> RealtimeSearchResult:
        index, collection = str(page._request["index"]), str(page._request["collection"])
        result = RealtimeSearchResult(
            self._kuzzle, page._request, page._result, page.fetched - len(page.hits)
        )
        result._observer = self
        result.hits = [self._add(index, collection, hit) for hit in page.hits]
        await self._watch(index, collection)
        return result

    def _add(self, index: str, collection: str, document: dict[str, Any]) -> RealtimeDocument:
        watched = self._watched.setdefault((index, collection), _Watched(index, collection))
        realtime = RealtimeDocument(document)
        watched.documents[realtime._id] = realtime
        return realtime

    async def _watch(self, index: str, collection: str) -> None:
        """Subscribe to the current set of ids, then drop the previous room."""
        watched = self._watched.get((index, collection))
        if watched is None:
            return
        old = watched.subscription
        if not watched.documents:
            await self._release(watched)
            return
        watched.subscription = await self._kuzzle.realtime.subscribe(
            index,
            collection,
            {"ids": {"values": sorted(watched.documents)}},
            lambda notification: self._notified(watched, notification),
        )
        watched.subscription.on_restored.append(lambda: self._catch_up(watched))
        if old is not None:
            await old.unsubscribe()

    async def _release(self, watched: _Watched) -> None:
        self._watched.pop((watched.index, watched.collection), None)
        subscription, watched.subscription = watched.subscription, None
        watched.documents.clear()
        if subscription is not None:
            try:
                await subscription.unsubscribe()
            except KuzzleError as exc:
                logger.debug("Observer unsubscribe failed: %s", exc)

    def _notified(self, watched: _Watched, notification: Notification) -> None:
        result = notification.get("result") or {}
        document = watched.documents.get(str(result.get("_id")))
        if document is None or notification.get("type") != "document":
            return
        if notification.get("event") == "delete":
            self._deleted(watched, document)
        elif notification.get("event") == "write":
            document._source.update(result.get("_source") or {})

    @staticmethod
    def _deleted(watched: _Watched, document: RealtimeDocument) -> None:
        document.deleted = True
        watched.documents.pop(document._id, None)

    async def _catch_up(self, watched: _Watched) -> None:
        """After a restore: read the observed documents again (JS SDK: nothing)."""
        if not watched.documents:
            return
        try:
            result = await self._kuzzle.document.m_get(
                watched.index, watched.collection, sorted(watched.documents), queuable=False
            )
        except KuzzleError as exc:
            if exc.id not in GONE_IDS:  # the next restore reads again
                where = f"{watched.index}/{watched.collection}"
                logger.warning("Observer could not catch up on %s: %s", where, exc)
                return
            result = {"errors": list(watched.documents)}  # the index or collection went: so did they
        for fresh in result.get("successes", []):
            document = watched.documents.get(str(fresh.get("_id")))
            if document is not None:
                document._source.clear()
                document._source.update(fresh.get("_source") or {})
        for missing in result.get("errors", []):
            document = watched.documents.get(
                str(missing.get("_id") if isinstance(missing, dict) else missing)
            )
            if document is not None:
                self._deleted(watched, document)
        if not watched.documents:
            await self._release(watched)
