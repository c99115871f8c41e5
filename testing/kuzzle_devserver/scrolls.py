"""Scroll cursors for ``document:search?scroll=...`` and ``document:scroll``.

A cursor is a snapshot of the sorted hits taken at search time, kept for the scroll TTL;
once its last page is read it is deleted, so a further ``scroll`` gives
``services.storage.unknown_scroll_id`` as Kuzzle does.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from .errors import kerror


@dataclass
class ScrollCursor:
    hits: list[dict[str, Any]]
    size: int
    fetched: int
    expires_at: float  # monotonic seconds


class ScrollCursors:
    def __init__(self) -> None:
        self._cursors: dict[str, ScrollCursor] = {}

    def open(self, hits: list[dict[str, Any]], size: int, fetched: int, ttl_ms: int) -> str:
        scroll_id = secrets.token_urlsafe(24)
        self._cursors[scroll_id] = ScrollCursor(hits, size, fetched, self._deadline(ttl_ms))
        return scroll_id

    def next_page(self, scroll_id: str, ttl_ms: int | None) -> tuple[list[dict[str, Any]], int, int]:
        """The next page, the number of hits still to come after it, and the search's total."""
        cursor = self._cursors.get(scroll_id)
        if cursor is None or cursor.expires_at <= time.monotonic():
            self._cursors.pop(scroll_id, None)
            raise kerror("services.storage.unknown_scroll_id")
        page = cursor.hits[cursor.fetched : cursor.fetched + cursor.size]
        cursor.fetched += len(page)
        remaining = len(cursor.hits) - cursor.fetched
        if remaining <= 0:
            del self._cursors[scroll_id]
        elif ttl_ms is not None:
            cursor.expires_at = self._deadline(ttl_ms)
        return page, remaining, len(cursor.hits)

    def clear(self) -> None:
        self._cursors.clear()

    @staticmethod
    def _deadline(ttl_ms: int) -> float:
        return time.monotonic() + ttl_ms / 1000
