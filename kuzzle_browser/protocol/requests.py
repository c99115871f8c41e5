"""The table of requests sent and not yet answered, keyed by ``requestId``.

Kuzzle copies each request's ``requestId`` into its response's ``room``
(``httpwsProtocol.js wsOnMessageHandler``), so one dictionary routes answers.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from kuzzle_browser.errors import InvalidArgumentError

__all__ = ["RequestTable", "new_request_id"]

W = TypeVar("W")


# Kuzzle only needs requestIds to be distinct strings. A uuid4 per request (the JS
# SDK's choice) costs ~6 us in Pyodide, where os.urandom crosses into JS; one random
# prefix per page plus a counter is as unique and nearly free (bench/README.md).
_PREFIX = os.urandom(16).hex()
_COUNTER = itertools.count(1)


def new_request_id() -> str:
    """A fresh ``requestId``: this page's random prefix and a counter."""
    return f"{_PREFIX}-{next(_COUNTER)}"


class RequestTable(Generic[W]):
    """Pending requests: ``requestId`` -> (request, waiter).

    The waiter is whatever the I/O layer resolves when the answer comes (a future).
    """

    def __init__(self) -> None:
        self.by_id: dict[str, tuple[dict[str, Any], W]] = {}
        """The table itself, for the hot path's one lookup per frame; use the methods elsewhere."""

    def __len__(self) -> int:
        return len(self.by_id)

    def __contains__(self, request_id: object) -> bool:
        return request_id in self.by_id

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.by_id))

    def add(self, request: dict[str, Any], waiter: W) -> str:
        """Register ``request``, which must carry a string ``requestId``; returns it.

        Raises:
            InvalidArgumentError: The id is missing, not a string, or already pending
                (two answers could not be told apart).
        """
        request_id = request.get("requestId")
        if not isinstance(request_id, str) or not request_id:
            raise InvalidArgumentError("requestId must be a non-empty string")
        if request_id in self.by_id:
            raise InvalidArgumentError(f"A request with requestId {request_id!r} is already pending")
        self.by_id[request_id] = (request, waiter)
        return request_id

    def entries(self) -> list[tuple[str, dict[str, Any], W]]:
        """A snapshot of ``(requestId, request, waiter)``, oldest first."""
        return [(rid, request, waiter) for rid, (request, waiter) in self.by_id.items()]

    def pop(self, request_id: str) -> tuple[dict[str, Any], W] | None:
        """Remove and return the entry answered by ``request_id``, or ``None`` if unknown."""
        return self.by_id.pop(request_id, None)

    def drain(self) -> list[tuple[dict[str, Any], W]]:
        """Remove and return every pending entry, oldest first (the link is gone)."""
        entries = list(self.by_id.values())
        self.by_id.clear()
        return entries
