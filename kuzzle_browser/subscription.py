"""A realtime subscription: a callback target and an ``async for`` iterator.

Kuzzle sends notifications on the subscription's *channel* (``roomId`` plus a
suffix for scope/users); the ``roomId`` is a hash of the collection and
filters, so it stays the same when the SDK resubscribes after a reconnection
(docs/protocol.md §2.6).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kuzzle_browser.answer import Answer

if TYPE_CHECKING:
    from kuzzle_browser.controllers.realtime import RealtimeController

__all__ = ["Notification", "NotificationCallback", "Subscription"]

logger = logging.getLogger("kuzzle_browser.subscription")

Notification = dict[str, Any]
NotificationCallback = Callable[[Notification], Any]

# Notifications kept for a slow ``async for`` consumer; older ones are dropped
# with a warning rather than letting memory grow without bound.
DEFAULT_MAX_QUEUE = 10_000

_END = object()


class Subscription:
    """One ``realtime.subscribe()``; made by :meth:`RealtimeController.subscribe`.

    Use it as an iterator (``async for notification in subscription``), a
    context manager (``async with await kuzzle.realtime.subscribe(...) as sub``:
    unsubscribes on exit), or give ``callback=`` to ``subscribe``.
    """

    def __init__(
        self,
        controller: RealtimeController,
        request: dict[str, Any],
        callback: NotificationCallback | None,
        *,
        subscribe_to_self: bool,
        auto_resubscribe: bool,
        max_queue: int = DEFAULT_MAX_QUEUE,
    ) -> None:
        self._controller = controller
        self.request = request
        """The subscribe request (without ``requestId``), re-sent to resubscribe."""
        self.callback = callback
        self.subscribe_to_self = subscribe_to_self
        """False: drop notifications caused by this SDK instance's own requests."""
        self.auto_resubscribe = auto_resubscribe
        self.room_id: str = ""
        """Kuzzle's room id; pass it to ``realtime.unsubscribe`` or ``realtime.count``."""
        self.channel: str = ""
        """The channel Kuzzle sends this subscription's notifications on."""
        self.active = False
        """True from subscribe until unsubscribe (also while a reconnection restores it)."""
        self.on_restored: list[Callable[[], Any]] = []
        """Called after each restore (reconnection, cookie renewal, re-login), once
        notifications flow again: re-read what may have changed meanwhile there."""
        self._max_queue = max_queue
        self._buffer: deque[Any] = deque()
        self._waiter: Answer[None] | None = None
        self._iterating = 0

    @property
    def index(self) -> str:
        """The subscribed index."""
        return str(self.request.get("index"))

    @property
    def collection(self) -> str:
        """The subscribed collection."""
        return str(self.request.get("collection"))

    async def unsubscribe(self) -> None:
        """Stop receiving notifications; ``async for`` loops over this subscription end."""
        await self._controller._unsubscribe(self)

    def _deliver(self, notification: Notification) -> None:
        """Channel listener: called by the protocol for each notification of :attr:`channel`."""
        if not self.subscribe_to_self:
            volatile = notification.get("volatile") or {}
            if volatile.get("sdkInstanceId") == self._controller.kuzzle.protocol.id:
                return
        if self.callback is not None:
            self._call_back(notification)
        if self.callback is None or self._iterating:
            self._push(notification)

    def _restored(self) -> None:
        kuzzle = self._controller.kuzzle
        for callback in list(self.on_restored):
            try:
                result = callback()
            except Exception as exc:
                kuzzle.emit("callbackError", {"error": exc, "notification": None})
                continue
            if inspect.isawaitable(result):
                kuzzle._spawn(self._guard(result, None))

    async def _guard(self, awaitable: Any, notification: Notification | None) -> None:
        try:
            await awaitable
        except Exception as exc:
            self._controller.kuzzle.emit("callbackError", {"error": exc, "notification": notification})

    def _call_back(self, notification: Notification) -> None:
        assert self.callback is not None
        kuzzle = self._controller.kuzzle
        try:
            result = self.callback(notification)
        except Exception as exc:
            kuzzle.emit("callbackError", {"error": exc, "notification": notification})
            return
        if result is not None and inspect.isawaitable(result):  # most callbacks return None
            kuzzle._spawn(self._guard(result, notification))

    def _push(self, item: Any) -> None:
        if len(self._buffer) >= self._max_queue:
            self._buffer.popleft()
            logger.warning(
                "Subscription %s: consumer too slow, oldest notification dropped (max_queue=%d)",
                self.room_id,
                self._max_queue,
            )
        self._buffer.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _end(self) -> None:
        self.active = False
        self._push(_END)

    def __aiter__(self) -> AsyncIterator[Notification]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Notification]:
        self._iterating += 1
        try:
            while True:
                while not self._buffer:
                    if not self.active:
                        return
                    # Resolved by _push from the socket's message handler: see Answer.
                    self._waiter = Answer(asyncio.get_running_loop())
                    await self._waiter
                item = self._buffer.popleft()
                if item is _END:
                    return
                yield item
        finally:
            self._iterating -= 1

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.active:
            await self.unsubscribe()

    def __repr__(self) -> str:
        return f"<Subscription {self.index}/{self.collection} room={self.room_id} active={self.active}>"
