"""The offline queue at work: queuing, eviction errors, replay, loader and persistence.

The policy (which entries survive) is :mod:`kuzzle_browser.protocol.queue`;
this module runs it on the event loop for :class:`~kuzzle_browser.Kuzzle`:

- a queued request's caller keeps awaiting until the request is replayed and
  answered, or evicted with :class:`~kuzzle_browser.errors.QueueTTLExpiredError`
  or :class:`~kuzzle_browser.errors.QueueOverflowError` (never left pending);
- replay re-applies the current token (kuzzle-sdk PR #744) and sends one
  request every ``replay_interval`` without waiting for the answers, as the JS SDK;
- with ``offline_queue_storage`` set, the queued requests (without their token)
  are also kept in the browser's ``localStorage`` under that key, so a page
  reload does not lose them: the next ``connect()`` puts them back in the
  queue. Nobody awaits a restored request; its outcome is logged.

Nothing is dropped for want of a session: a request made while logged in is
marked ``needs_login``; if the session did not survive (the reconnection's
``checkToken`` says invalid and there is no authenticator, a reload came in
between, or a replayed request meets ``security.token.*``), it waits in the
queue, in its place, until the next successful login replays it with the new
credentials (:attr:`Kuzzle.login_required <kuzzle_browser.Kuzzle.login_required>`).
Every entry settles exactly once: with its answer, Kuzzle's error, or a
``RequestDiscardedError`` (TTL, size, ``flush_queue``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kuzzle_browser.errors import (
    InvalidArgumentError,
    KuzzleError,
    QueueOverflowError,
    QueueTTLExpiredError,
    RequestDiscardedError,
)
from kuzzle_browser.protocol.queue import EvictionReason, OfflineQueue, QueuedRequest
from kuzzle_browser.websocket import TOKEN_ERRORS

if TYPE_CHECKING:
    from kuzzle_browser.client import Kuzzle

__all__ = ["OfflineRequests"]

logger = logging.getLogger("kuzzle_browser.offline")

Entry = QueuedRequest[asyncio.Future[dict[str, Any]]]


def _orphan(loop: asyncio.AbstractEventLoop, request: Mapping[str, Any]) -> asyncio.Future[dict[str, Any]]:
    # A waiter nobody awaits (loaded or restored requests): its outcome goes to the log.
    waiter: asyncio.Future[dict[str, Any]] = loop.create_future()

    def report(future: asyncio.Future[dict[str, Any]]) -> None:
        if not future.cancelled() and future.exception() is not None:
            logger.warning("Replayed request %s failed: %s", request.get("requestId"), future.exception())

    waiter.add_done_callback(report)
    return waiter


class OfflineRequests:
    # The queue of requests made while offline, for one Kuzzle (its private _offline;
    # comments, not docstrings, as the slim wheel drops them); send(request, timeout)
    # sends a replayed request.

    def __init__(
        self,
        kuzzle: Kuzzle,
        send: Callable[[dict[str, Any], float | None], Awaitable[dict[str, Any]]],
        *,
        ttl: float | None,
        max_size: int | None,
        storage_key: str | None,
    ) -> None:
        self._kuzzle = kuzzle
        self._send = send
        self.queue: OfflineQueue[asyncio.Future[dict[str, Any]]] = OfflineQueue(ttl=ttl, max_size=max_size)
        self.queuing = False
        self.storage_key = storage_key
        self._restored = False
        self._replaying = False

    @property
    def requests(self) -> list[dict[str, Any]]:
        # Copies of the queued requests, oldest first.
        return [dict(entry.request) for entry in self.queue]

    async def enqueue(self, request: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        # Queue request and wait until it is replayed and answered, or evicted.
        loop = asyncio.get_running_loop()
        future: asyncio.Future[dict[str, Any]] = loop.create_future()
        entry = QueuedRequest(request, loop.time(), future, timeout, needs_login=self._kuzzle.session.active)
        evicted = self.queue.push(entry, loop.time())
        self._kuzzle.emit("offlineQueuePush", {"request": request})
        self._fail_evicted(evicted)
        self._save()
        return await future

    def flush(self) -> None:
        # Empty the queue; the dropped requests fail with RequestDiscardedError.
        for entry in self.queue.clear():
            self._fail(entry, RequestDiscardedError("Query aborted: the offline queue was flushed"))
        self._save()

    def _fail_evicted(self, evicted: list[Entry]) -> None:
        for entry in evicted:
            self._kuzzle.emit("offlineQueuePop", entry.request)
            if entry.evicted is EvictionReason.TTL:
                error: KuzzleError = QueueTTLExpiredError(
                    "Query aborted: queued time exceeded the queue_ttl option value", request=entry.request
                )
            else:
                error = QueueOverflowError(
                    "Query aborted: too many queued requests (see the queue_max_size option)",
                    request=entry.request,
                )
            self._fail(entry, error)

    @staticmethod
    def _fail(entry: Entry, error: KuzzleError) -> None:
        if not entry.waiter.done():
            entry.waiter.set_exception(error)

    async def replay(self) -> None:
        # Send the queue in order while connected (play_queue).
        kuzzle = self._kuzzle
        if self._replaying:
            return
        loop = asyncio.get_running_loop()
        self._replaying = True
        try:
            self._fail_evicted(self.queue.clean(loop.time()))
            if kuzzle.offline_queue_loader is not None:
                self.queue.prepend(await self._load(loop))
            while (
                kuzzle.protocol.is_ready()
                and not kuzzle.login_required  # the session ended mid-replay: the rest waits
                and (entry := self.queue.popleft()) is not None
            ):
                request = entry.request
                # Reapply the current token: the queued one may be stale (kuzzle-sdk PR #744).
                request.pop("jwt", None)
                kuzzle.session.authenticate(request)
                kuzzle.emit("offlineQueuePop", request)
                kuzzle._spawn(self._forward(entry))
                self._save()
                if kuzzle.replay_interval:
                    await asyncio.sleep(kuzzle.replay_interval)
        finally:
            self._replaying = False

    async def _forward(self, entry: Entry) -> None:
        kuzzle = self._kuzzle
        try:
            response = await self._send(entry.request, entry.timeout)
        except KuzzleError as exc:
            if exc.id in TOKEN_ERRORS and entry.needs_login and kuzzle.auto_queue:
                # The session ended between the check and the replay: wait for the
                # next login instead of failing (the protocol emitted tokenExpired).
                self.queue.requeue(entry)
                kuzzle.emit("offlineQueuePush", {"request": entry.request})
                self._save()
                return
            self._fail(entry, exc)
        else:
            if not entry.waiter.done():
                entry.waiter.set_result(response)

    async def _load(self, loop: asyncio.AbstractEventLoop) -> list[Entry]:
        loader = self._kuzzle.offline_queue_loader
        assert loader is not None
        loaded = loader()
        if asyncio.iscoroutine(loaded) or isinstance(loaded, asyncio.Future):
            loaded = await loaded
        if not isinstance(loaded, Iterable):
            raise InvalidArgumentError("offline_queue_loader must return a list of {'request': ...}")
        entries = []
        for item in loaded:
            request = item.get("request") if isinstance(item, Mapping) else None
            if not isinstance(request, Mapping) or not all(
                isinstance(request.get(key), str) for key in ("requestId", "controller", "action")
            ):
                raise InvalidArgumentError(f"Invalid offline queue request: {item!r}")
            entries.append(QueuedRequest(dict(request), loop.time(), _orphan(loop, request)))
        return entries

    # -- persistence across page reloads ------------------------------------------------------

    def restore(self) -> None:
        # Put requests saved by a previous page back in the queue (once, at the first connect).
        if self.storage_key is None or self._restored:
            return
        self._restored = True
        raw = self._kuzzle.protocol.transport.storage_get(self.storage_key)
        if not raw:
            return
        try:
            saved = json.loads(raw)
        except (ValueError, RecursionError):
            logger.warning("Ignoring an unreadable saved offline queue under %r", self.storage_key)
            return
        loop = asyncio.get_running_loop()
        # Saved with wall-clock times; the queue's TTL runs on the loop's clock.
        offset = loop.time() - time.time()
        entries = [
            QueuedRequest(
                item["request"],
                float(item["savedAt"]) + offset,
                _orphan(loop, item["request"]),
                needs_login=item.get("login") is True,
            )
            for item in saved
            if isinstance(item, dict) and isinstance(item.get("request"), dict) and "savedAt" in item
        ]
        self.queue.prepend(entries)
        self._fail_evicted(self.queue.clean(loop.time()))
        logger.info("Restored %d queued request(s) from the browser's storage", len(entries))

    def _save(self) -> None:
        if self.storage_key is None:
            return
        offset = time.time() - asyncio.get_running_loop().time()
        # Never store the token: it would sit in localStorage, readable by any script.
        saved = [
            {
                "request": {k: v for k, v in entry.request.items() if k != "jwt"},
                "savedAt": entry.queued_at + offset,
                "login": entry.needs_login,
            }
            for entry in self.queue
        ]
        self._kuzzle.protocol.transport.storage_set(self.storage_key, json.dumps(saved) if saved else None)
