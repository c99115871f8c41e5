"""Live queries: a search that stays true, made by ``await kuzzle.document.live(...)``.

Theory of operation
-------------------
A :class:`LiveQuery` is a realtime subscription (Koncorde ``filters``), a
search (the same filters as an Elasticsearch query, or ``query=``) and a
:class:`~kuzzle_browser.protocol.live.LiveView` that holds the ordered result:

1. subscribe first, buffering notifications;
2. search (every page, or the first ``size`` documents), load the view;
3. apply the buffered notifications, then each new one as it comes.

Whenever the subscription is restored (after a reconnection, a cookie renewal
or a re-login: :attr:`Subscription.on_restored
<kuzzle_browser.Subscription.on_restored>`), steps 2-3 run again and only the
differences come out, so changes made by others while this client was away
appear, and a write whose answer was lost (``OutcomeUnknownError``) shows as
it is on the server. A document leaving a full ``size`` window triggers a read
too. Only the latest read is applied when several overlap.

A catch-up that finds the index or the collection gone (the data was reset)
empties the result, as Kuzzle no longer holds any of its documents. One that
fails for another reason is tried again on the next notification, since a
notification proves the connection works, or on the next restore.

All the ordering and diffing is in the sans-I/O view; this module only moves
data between Kuzzle and it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kuzzle_browser.answer import Answer
from kuzzle_browser.errors import GONE_IDS, KuzzleError
from kuzzle_browser.protocol.live import Change, LiveView, koncorde_to_es

if TYPE_CHECKING:
    from kuzzle_browser.client import Kuzzle
    from kuzzle_browser.subscription import Notification, Subscription

__all__ = ["Change", "LiveQuery"]

logger = logging.getLogger("kuzzle_browser.live")

ChangeCallback = Callable[[Change], Any]

# Documents per search page when the live query has no size limit.
PAGE_SIZE = 1000
# Changes kept for a slow ``async for`` consumer (oldest dropped, with a warning).
MAX_BUFFERED_CHANGES = 10_000

_END = object()


class LiveQuery:
    """The documents matching a query, kept up to date; see :meth:`DocumentController.live`.

    Read :attr:`documents` (ordered ``{"_id", "_source"}`` dicts), get each
    :class:`~kuzzle_browser.protocol.live.Change` through ``callback=`` or
    ``async for change in live``, and ``await live.close()`` (or
    ``async with await kuzzle.document.live(...) as live``) when done.
    """

    def __init__(
        self,
        kuzzle: Kuzzle,
        index: str,
        collection: str,
        filters: dict[str, Any] | None,
        *,
        query: dict[str, Any] | None,
        sort: Any,
        size: int | None,
        callback: ChangeCallback | None,
    ) -> None:
        self._kuzzle = kuzzle
        self.index = index
        self.collection = collection
        self.filters: dict[str, Any] = dict(filters or {})
        """The Koncorde filters of the subscription."""
        self._view = LiveView(sort, size)  # checks sort and size before anything is sent
        body: dict[str, Any] = {"query": query if query is not None else koncorde_to_es(self.filters)}
        if sort is not None:
            body["sort"] = sort
        self._body = body
        self.callback = callback
        self.reads = 0
        """How many times the documents were read (1 after creation, +1 per catch-up)."""
        self._subscription: Subscription | None = None
        self._reading = 0
        self._generation = 0
        self._buffer: list[Notification] = []
        self._changes: deque[Any] = deque()
        self._waiter: Answer[None] | None = None
        self._closed = False
        self._stale = False  # the last catch-up failed: read again on the next notification

    @property
    def documents(self) -> list[dict[str, Any]]:
        """The matching documents, in order: ``[{"_id", "_source"}]`` (do not mutate them)."""
        return self._view.documents

    @property
    def ids(self) -> list[str]:
        """The matching documents' ids, in order."""
        return self._view.ids

    def get(self, document_id: str) -> dict[str, Any] | None:
        """The document with this id, if it is in the result."""
        return self._view.get(document_id)

    def __len__(self) -> int:
        return len(self._view)

    @property
    def size(self) -> int | None:
        """The most documents held (``None``: all that match)."""
        return self._view.size

    # -- life cycle -------------------------------------------------------------------

    async def _start(self) -> None:
        self._subscription = await self._kuzzle.realtime.subscribe(
            self.index, self.collection, self.filters, self._notified, scope="all"
        )
        self._subscription.on_restored.append(self._catch_up)
        try:
            await self.refresh()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Stop following the query: unsubscribe, end ``async for`` loops."""
        if self._closed:
            return
        self._closed = True
        self._push(_END)
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            if self._catch_up in subscription.on_restored:
                subscription.on_restored.remove(self._catch_up)
            try:
                await subscription.unsubscribe()
            except KuzzleError as exc:  # offline: Kuzzle drops the room with the connection
                logger.debug("Live query unsubscribe failed: %s", exc)

    async def __aenter__(self) -> LiveQuery:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- reading -----------------------------------------------------------------------

    async def refresh(self, *, gone_is_empty: bool = False) -> list[Change]:
        """Read the documents again now and apply the differences; returns them.

        Called by itself after every restore of the subscription; call it after a
        write failed with an unknown outcome to see what the server holds.

        Args:
            gone_is_empty: If the index or the collection does not exist, empty
                the result instead of raising (how catch-ups read).

        Raises:
            KuzzleError: The search failed (the documents held are kept).
        """
        self._generation += 1
        generation = self._generation
        self._reading += 1
        try:
            hits = await self._search(gone_is_empty)
        except KuzzleError:
            self._reading -= 1
            if not self._reading:  # what came meanwhile is real: show it on the documents held
                self._emit(self._drain_buffer())
            raise
        except BaseException:
            self._reading -= 1
            raise
        self._reading -= 1
        if generation != self._generation or self._closed:
            if not self._reading:
                self._emit(self._drain_buffer())
            return []  # a newer read is applied instead
        self.reads += 1
        changes = self._view.load(hits) + self._drain_buffer()
        self._emit(changes)
        return changes

    async def _search(self, gone_is_empty: bool) -> list[dict[str, Any]]:
        size = self._view.size or PAGE_SIZE
        try:
            page = await self._kuzzle.document.search(
                self.index, self.collection, self._body, size=size, queuable=False
            )
        except KuzzleError as exc:
            if gone_is_empty and exc.id in GONE_IDS:
                return []
            raise
        hits = list(page.hits)
        while self._view.size is None and page.fetched < page.total:
            following = await page.next()
            if following is None:
                break
            page = following
            hits.extend(page.hits)
        return hits

    async def _catch_up(self) -> None:
        self._stale = False
        try:
            await self.refresh(gone_is_empty=True)
        except KuzzleError as exc:
            self._stale = True
            logger.warning("Live query %s/%s could not catch up: %s", self.index, self.collection, exc)

    def _drain_buffer(self) -> list[Change]:
        buffered, self._buffer = self._buffer, []
        changes = [change for notification in buffered for change in self._view.apply(notification)]
        self._refill_if_needed()
        return changes

    def _notified(self, notification: Notification) -> None:
        if self._reading:
            self._buffer.append(notification)
            return
        self._emit(self._view.apply(notification))
        self._refill_if_needed()

    def _refill_if_needed(self) -> None:
        if (self._view.needs_refill or self._stale) and not self._reading and not self._closed:
            self._stale = False
            self._kuzzle._spawn(self._catch_up())

    # -- delivery ----------------------------------------------------------------------

    def _emit(self, changes: list[Change]) -> None:
        for change in changes:
            if self.callback is not None:
                try:
                    self.callback(change)
                except Exception as exc:
                    self._kuzzle.emit("callbackError", {"error": exc, "notification": change})
            else:
                self._push(change)

    def _push(self, item: Any) -> None:
        if len(self._changes) >= MAX_BUFFERED_CHANGES:
            self._changes.popleft()
            logger.warning("Live query: consumer too slow, oldest change dropped")
        self._changes.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def __aiter__(self) -> AsyncIterator[Change]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Change]:
        while True:
            while not self._changes:
                self._waiter = Answer(asyncio.get_running_loop())
                await self._waiter
            item = self._changes.popleft()
            if item is _END:
                return
            yield item

    def __repr__(self) -> str:
        return f"<LiveQuery {self.index}/{self.collection} documents={len(self)} closed={self._closed}>"
