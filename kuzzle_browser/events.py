"""A small event emitter with the JS SDK's ``KuzzleEventEmitter`` API, made safe.

Differences from the JS one, on purpose:

- a listener that raises is logged and skipped: it never breaks the emitter,
  the other listeners or the connection (the JS emitter lets it escape);
- a coroutine function listener is scheduled as a task, which the emitter
  keeps a reference to until it ends (asyncio only keeps weak references);
- unknown event names raise :class:`~kuzzle_browser.errors.InvalidArgumentError`
  at ``on()``, so a typo fails loudly instead of never firing.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from kuzzle_browser.errors import InvalidArgumentError

__all__ = ["EventEmitter", "EventStream", "Listener"]

logger = logging.getLogger("kuzzle_browser.events")

Listener = Callable[..., Any]


class EventEmitter:
    """Named events with ordered listeners.

    Args:
        events: The names :meth:`on` accepts.
    """

    def __init__(self, events: Collection[str]) -> None:
        self._known_events = frozenset(events)
        self._listeners: dict[str, list[tuple[Listener, bool]]] = {}
        self._tasks: set[asyncio.Future[Any]] = set()

    @property
    def events(self) -> frozenset[str]:
        """The event names this emitter knows."""
        return self._known_events

    def _check(self, event: str) -> None:
        if event not in self._known_events:
            known = ", ".join(sorted(self._known_events))
            raise InvalidArgumentError(f"Unknown event {event!r}; known events: {known}")

    def on(self, event: str, listener: Listener) -> Callable[[], None]:
        """Call ``listener(*payload)`` on every ``event``; returns a function that removes it.

        Adding the same listener twice does nothing (as in the JS SDK).
        """
        return self._add(event, listener, once=False, first=False)

    def once(self, event: str, listener: Listener) -> Callable[[], None]:
        """Like :meth:`on`, but the listener is removed after its first call."""
        return self._add(event, listener, once=True, first=False)

    def prepend_listener(self, event: str, listener: Listener) -> Callable[[], None]:
        """Like :meth:`on`, but the listener runs before those already added."""
        return self._add(event, listener, once=False, first=True)

    def prepend_once_listener(self, event: str, listener: Listener) -> Callable[[], None]:
        """Like :meth:`once`, but the listener runs before those already added."""
        return self._add(event, listener, once=True, first=True)

    def _add(self, event: str, listener: Listener, *, once: bool, first: bool) -> Callable[[], None]:
        self._check(event)
        if not callable(listener):
            raise InvalidArgumentError(f"The listener for {event!r} must be callable")
        entries = self._listeners.setdefault(event, [])
        if all(existing is not listener for existing, _ in entries):
            entries.insert(0 if first else len(entries), (listener, once))
        return lambda: self.off(event, listener)

    def off(self, event: str, listener: Listener | None = None) -> None:
        """Remove ``listener`` from ``event``, or every listener of ``event`` when omitted."""
        self._check(event)
        if listener is None:
            self._listeners.pop(event, None)
            return
        entries = self._listeners.get(event, [])
        self._listeners[event] = [entry for entry in entries if entry[0] is not listener]

    def listener_count(self, event: str) -> int:
        """How many listeners ``event`` has."""
        return len(self._listeners.get(event, []))

    def listeners(self, event: str) -> list[Listener]:
        """The listeners of ``event``, in calling order (a copy)."""
        return [listener for listener, _ in self._listeners.get(event, [])]

    def event_names(self) -> list[str]:
        """The events that have at least one listener."""
        return [event for event, entries in self._listeners.items() if entries]

    def emit(self, event: str, *payload: Any) -> None:
        """Call the listeners of ``event`` in order, synchronously; async ones become tasks."""
        entries = self._listeners.get(event)
        if not entries:
            return
        if any(once for _, once in entries):
            self._listeners[event] = [entry for entry in entries if not entry[1]]
        for listener, _ in list(entries):
            try:
                result = listener(*payload)
            except Exception:
                logger.exception("A listener of %r raised; the other listeners still run", event)
                continue
            if inspect.isawaitable(result):
                self._keep(event, result)

    def _keep(self, event: str, awaitable: Any) -> None:
        self._spawn(awaitable, f"an async listener of {event!r}")

    def _spawn(self, awaitable: Awaitable[Any], what: str = "an internal task") -> asyncio.Future[Any]:
        """Run ``awaitable`` as a task kept alive until done; its failure is logged, not lost."""
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)

        def done(task: asyncio.Future[Any]) -> None:
            self._tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                logger.error("%s raised", what.capitalize(), exc_info=task.exception())

        task.add_done_callback(done)
        return task


class EventStream:
    """``(name, payload)`` of an emitter's events, as an async iterator; made by ``Kuzzle.iter_events``.

    Listens from creation until :meth:`close` (or the end of ``async with``).
    """

    def __init__(self, emitter: EventEmitter, names: Collection[str]) -> None:
        self._queue: asyncio.Queue[tuple[str, tuple[Any, ...]] | None] = asyncio.Queue()
        self._removers = [emitter.on(name, self._listener(name)) for name in names]
        self._closed = False

    def _listener(self, name: str) -> Listener:
        return lambda *payload: self._queue.put_nowait((name, payload))

    def close(self) -> None:
        """Stop listening; an ``async for`` over the stream ends."""
        if not self._closed:
            self._closed = True
            for remove in self._removers:
                remove()
            self._queue.put_nowait(None)

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> tuple[str, tuple[Any, ...]]:
        item = await self._queue.get() if not self._closed or not self._queue.empty() else None
        if item is None:
            raise StopAsyncIteration
        return item

    async def __aenter__(self) -> EventStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()
