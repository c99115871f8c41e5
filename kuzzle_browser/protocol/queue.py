"""Offline-queue policy: which queued requests survive, with the time passed in.

The JS SDK's ``_cleanQueue`` rules (docs/protocol.md §5.4):

- TTL: entries older than ``queue_ttl`` are dropped (``None`` or ``0``: no limit);
- size: the oldest entries beyond ``queue_max_size`` are dropped (``None`` or ``0``: no limit).

Dropped entries are returned with the reason, so the caller can fail their
futures with the matching error instead of leaving them pending forever
(kuzzle-sdk PR #644 fixed exactly that).
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

__all__ = ["EvictionReason", "OfflineQueue", "QueuedRequest"]

T = TypeVar("T")


class EvictionReason(enum.Enum):
    """Why a queued request was dropped."""

    TTL = "ttl"
    OVERFLOW = "overflow"


class QueuedRequest(Generic[T]):
    """A request waiting for the connection, the time it was queued, and the caller's waiter.

    ``needs_login``: it was made by a logged-in client, so it must not be replayed
    anonymously (after a page reload, or when the session did not survive an outage).
    """

    __slots__ = ("evicted", "needs_login", "queued_at", "request", "timeout", "waiter")

    def __init__(
        self,
        request: dict[str, Any],
        queued_at: float,
        waiter: T,
        timeout: float | None = None,
        *,
        needs_login: bool = False,
    ) -> None:
        self.request = request
        self.queued_at = queued_at
        self.waiter = waiter
        self.timeout = timeout
        self.needs_login = needs_login
        self.evicted: EvictionReason | None = None  # why the queue dropped it, if it did


class OfflineQueue(Generic[T]):
    """FIFO of requests made while offline, bounded by age and size."""

    def __init__(self, *, ttl: float | None, max_size: int | None) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._entries: deque[QueuedRequest[T]] = deque()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[QueuedRequest[T]]:
        return iter(list(self._entries))

    def push(self, entry: QueuedRequest[T], now: float) -> list[QueuedRequest[T]]:
        """Queue ``entry`` after cleaning; returns the entries dropped to make room, oldest first."""
        evicted = self.clean(now)
        self._entries.append(entry)
        return evicted + self._trim()

    def prepend(self, entries: Iterable[QueuedRequest[T]]) -> None:
        """Put ``entries`` in front (``offline_queue_loader``), skipping requestIds already queued."""
        known = {entry.request.get("requestId") for entry in self._entries}
        fresh = [entry for entry in entries if entry.request.get("requestId") not in known]
        self._entries.extendleft(reversed(fresh))

    def requeue(self, entry: QueuedRequest[T]) -> None:
        """Put back a replayed entry that must wait again, in its original place (by age)."""
        position = sum(1 for queued in self._entries if queued.queued_at <= entry.queued_at)
        self._entries.insert(position, entry)

    def needs_login(self) -> bool:
        """True when some entry must wait for a login before it is replayed."""
        return any(entry.needs_login for entry in self._entries)

    def clean(self, now: float) -> list[QueuedRequest[T]]:
        """Drop what is too old, then what is too many; returns the dropped entries."""
        evicted: list[QueuedRequest[T]] = []
        if self.ttl:
            while self._entries and now - self._entries[0].queued_at > self.ttl:
                entry = self._entries.popleft()
                entry.evicted = EvictionReason.TTL
                evicted.append(entry)
        return evicted + self._trim()

    def _trim(self) -> list[QueuedRequest[T]]:
        evicted: list[QueuedRequest[T]] = []
        if self.max_size:
            while len(self._entries) > self.max_size:
                entry = self._entries.popleft()
                entry.evicted = EvictionReason.OVERFLOW
                evicted.append(entry)
        return evicted

    def popleft(self) -> QueuedRequest[T] | None:
        """Take the oldest entry for replay, or ``None`` when empty."""
        return self._entries.popleft() if self._entries else None

    def clear(self) -> list[QueuedRequest[T]]:
        """Remove and return everything."""
        entries = list(self._entries)
        self._entries.clear()
        return entries
