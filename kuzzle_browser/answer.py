"""``Answer``: a future that wakes its task inside the socket message that resolved it.

Pyodide's event loop runs every ``call_soon`` as its own browser task (a
``postMessage`` round plus a one-shot JS proxy), so an ``asyncio.Future``
resolved by a ``message`` event wakes its task one browser task later. An
``Answer`` resolved while :func:`dispatch_directly` runs a message handler wakes
its tasks when that handler ends, in the same browser task, the way a JS
promise's reactions run in the microtasks after a handler (bench/README.md:
seq p50 +0.355 -> +0.125 ms over raw JS, pipelined 0.40x -> 0.67x the JS SDK).

Used by the request table (:mod:`kuzzle_browser.websocket`) and by
``async for`` over a :class:`~kuzzle_browser.Subscription`.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Generator
from typing import Any, Generic, TypeVar

__all__ = ["Answer", "dispatch_directly"]

T = TypeVar("T")
_Wakeup = tuple[Callable[[Any], object], "Answer[Any]", contextvars.Context | None]
# Set while a socket message is being dispatched outside any task: the wake-ups of the
# answers resolved meanwhile are collected here and run when the dispatch ends.
_direct: list[list[_Wakeup]] = []


class Answer(Generic[T]):
    """A future resolved from the socket's message handler (see the module docstring).

    Resolved anywhere but inside :func:`dispatch_directly` (a close, a timeout, a
    cancellation), it schedules its wake-ups with ``call_soon`` like a Future. It
    implements the part of the Future protocol that tasks, ``await`` and
    ``asyncio.timeout`` use.
    """

    _asyncio_future_blocking = False  # asyncio.isfuture() is True; tasks can await it

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._callbacks: list[tuple[Callable[[Any], object], contextvars.Context | None]] = []
        self._done = False
        self._result: T | None = None
        self._exception: BaseException | None = None

    def get_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def done(self) -> bool:
        return self._done

    def cancelled(self) -> bool:
        return isinstance(self._exception, asyncio.CancelledError)

    def result(self) -> T:
        if not self._done:
            raise asyncio.InvalidStateError("Result is not ready.")
        if self._exception is not None:
            raise self._exception
        return self._result  # type: ignore[return-value]

    def exception(self) -> BaseException | None:
        if not self._done:
            raise asyncio.InvalidStateError("Exception is not set.")
        if isinstance(self._exception, asyncio.CancelledError):
            raise self._exception
        return self._exception

    def add_done_callback(
        self, fn: Callable[[Any], object], *, context: contextvars.Context | None = None
    ) -> None:
        if self._done:
            self._loop.call_soon(fn, self, context=context)
        else:
            self._callbacks.append((fn, context))

    def remove_done_callback(self, fn: Callable[[Any], object]) -> int:
        kept = [(f, c) for f, c in self._callbacks if f != fn]
        removed = len(self._callbacks) - len(kept)
        self._callbacks = kept
        return removed

    def set_result(self, result: T) -> None:
        if self._done:
            raise asyncio.InvalidStateError("invalid state")
        self._result, self._done = result, True
        self._wake(direct=True)

    def set_exception(self, exception: BaseException) -> None:
        if self._done:
            raise asyncio.InvalidStateError("invalid state")
        self._exception, self._done = exception, True
        self._wake(direct=True)

    def cancel(self, msg: Any | None = None) -> bool:
        if self._done:
            return False
        self._exception, self._done = asyncio.CancelledError(msg), True
        self._wake(direct=False)  # called by Task.cancel(): never re-enter the task from there
        return True

    def _wake(self, *, direct: bool) -> None:
        callbacks, self._callbacks = self._callbacks, []
        if direct and _direct:
            ready = _direct[-1]
            for fn, context in callbacks:
                ready.append((fn, self, context))
            return
        for fn, context in callbacks:
            self._loop.call_soon(fn, self, context=context)

    def __await__(self) -> Generator[Any, None, T]:
        if not self._done:
            self._asyncio_future_blocking = True
            yield self
        if not self._done:
            raise RuntimeError("await wasn't used with future")
        if self._exception is not None:
            raise self._exception
        return self._result  # type: ignore[return-value]

    __iter__ = __await__


def dispatch_directly(deliver: Callable[[], None]) -> None:
    """Run ``deliver()``, then wake the tasks whose :class:`Answer` it resolved, right away.

    Outside a task only (a browser event handler): a running task cannot start
    another one, so there the wake-ups go through ``call_soon`` as usual.
    """
    if _direct or asyncio.current_task() is not None:
        deliver()
        return
    ready: list[_Wakeup] = []
    _direct.append(ready)
    try:
        deliver()
    finally:
        _direct.pop()
        for fn, answer, context in ready:
            try:
                if context is None:
                    fn(answer)
                else:
                    context.run(fn, answer)
            except Exception as exc:  # a task's own errors stay in the task: this is a bug
                answer.get_loop().call_exception_handler(
                    {"message": "kuzzle_browser: error while waking a task", "exception": exc}
                )
