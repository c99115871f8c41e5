"""``BatchController``: the document controller whose single-document calls go out as m* actions.

The JS SDK's ``BatchController`` (``core/batchWriter``): ``create``, ``replace``,
``create_or_replace``, ``update``, ``delete``, ``get`` and ``exists`` wait up to
``interval`` seconds, then every call made meanwhile on the same index, collection
and options goes out as one ``mCreate``, ``mReplace``... (which batches, and how
each call gets its own result: :mod:`kuzzle_browser.protocol.batch`). The other
document methods are the plain :class:`DocumentController`'s.

Nothing runs while nothing is buffered: the first call of a round starts the
timer. Time comes from the ``sleep`` argument, so tests drive it without waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Unpack

from kuzzle_browser.controllers.document import (
    Document,
    DocumentController,
    ReadOptions,
    UpdateOptions,
    WriteOptions,
    _update_args,
)
from kuzzle_browser.errors import InvalidArgumentError, InvalidStateError, api_error_from_payload
from kuzzle_browser.options import check_duration
from kuzzle_browser.protocol.batch import M_ACTIONS, Batch, BatchBuffers, Outcome, m_request_body, settle

if TYPE_CHECKING:
    from kuzzle_browser.client import Kuzzle

__all__ = ["BatchController"]

Sleep = Callable[[float], Awaitable[Any]]


def _check_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{name} must be an int >= 1, got {value!r}")
    return value


class BatchController(DocumentController):
    """``kuzzle.document``, batched: many single-document calls, few m* requests.

    ::

        async with BatchController(kuzzle, interval=0.05) as batch:
            created = await asyncio.gather(*(batch.create("shop", "items", {"n": n}) for n in range(500)))
        # 3 mCreate requests (200 + 200 + 100), one document (or error) per call

    Each call returns (or raises) what the plain :class:`DocumentController` call
    would, except that Kuzzle's per-document errors carry the status (the
    matching :class:`~kuzzle_browser.errors.ApiError` subclass) and the reason,
    not Kuzzle's error id; ``get`` of a missing document raises
    :class:`~kuzzle_browser.errors.NotFoundError` ``services.storage.not_found``.

    Args:
        kuzzle: The SDK instance.
        interval: Seconds a call waits for others to join its batch (JS ``interval``, 10 ms).
        max_write_buffer_size: Most documents per write batch; a full batch is sent at
            once (JS ``maxWriteBufferSize``; Kuzzle's ``limits.documentsWriteCount``, 200).
        max_read_buffer_size: Most ids per ``mGet`` (JS ``maxReadBufferSize``;
            ``limits.documentsReadCount``, 200).
        sleep: ``async (seconds) -> None``; ``asyncio.sleep`` unless a test drives time.

    Call :meth:`dispose` (or use ``async with``) when done: it sends what is buffered.
    """

    def __init__(
        self,
        kuzzle: Kuzzle,
        *,
        interval: float = 0.01,
        max_write_buffer_size: int = 200,
        max_read_buffer_size: int = 200,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(kuzzle)
        self.interval = check_duration("interval", interval, allow_zero=True)
        """Seconds a call waits for others to join its batch."""
        self._buffers: BatchBuffers[asyncio.Future[Outcome]] = BatchBuffers(
            _check_size("max_write_buffer_size", max_write_buffer_size),
            _check_size("max_read_buffer_size", max_read_buffer_size),
        )
        self._sleep = sleep
        self._timer: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        self._disposed = False

    # -- the batched methods (the DocumentController's signatures) ---------------------------

    async def create(
        self,
        index: str,
        collection: str,
        content: Document,
        _id: str | None = None,
        **options: Unpack[WriteOptions],
    ) -> Document:
        """Create a document, in the next ``mCreate``; see :meth:`DocumentController.create`."""
        item = {"body": content} if _id is None else {"_id": _id, "body": content}
        result: Document = await self._batched("create", index, collection, item, dict(options))
        return result

    async def replace(
        self, index: str, collection: str, _id: str, content: Document, **options: Unpack[WriteOptions]
    ) -> Document:
        """Replace a document, in the next ``mReplace``."""
        result: Document = await self._batched(
            "replace", index, collection, {"_id": _id, "body": content}, dict(options)
        )
        return result

    async def create_or_replace(
        self, index: str, collection: str, _id: str, content: Document, **options: Unpack[WriteOptions]
    ) -> Document:
        """Create or replace a document, in the next ``mCreateOrReplace``."""
        result: Document = await self._batched(
            "createOrReplace", index, collection, {"_id": _id, "body": content}, dict(options)
        )
        return result

    async def update(
        self, index: str, collection: str, _id: str, changes: Document, **options: Unpack[UpdateOptions]
    ) -> Document:
        """Update a document, in the next ``mUpdate``."""
        result: Document = await self._batched(
            "update", index, collection, {"_id": _id, "body": changes}, _update_args(options)
        )
        return result

    async def delete(self, index: str, collection: str, _id: str, **options: Unpack[WriteOptions]) -> str:
        """Delete a document, in the next ``mDelete``; returns its id."""
        return str(await self._batched("delete", index, collection, {"_id": _id}, dict(options)))

    async def get(self, index: str, collection: str, _id: str, **options: Unpack[ReadOptions]) -> Document:
        """Fetch a document, in the next ``mGet``.

        Raises:
            NotFoundError: ``services.storage.not_found``.
        """
        result: Document = await self._batched("get", index, collection, {"_id": _id}, dict(options))
        return result

    async def exists(self, index: str, collection: str, _id: str, **options: Unpack[ReadOptions]) -> bool:
        """Whether the document exists, in the next ``mGet``."""
        return bool(await self._batched("exists", index, collection, {"_id": _id}, dict(options)))

    # -- flushing --------------------------------------------------------------------------

    async def flush(self) -> None:
        """Send every buffered call now and wait until each has its result."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for batch in self._buffers.take_all():
            self._start_sending(batch)
        await asyncio.gather(*self._sending, return_exceptions=True)

    async def dispose(self) -> None:
        """Send what is buffered, then refuse new batched calls (JS ``dispose``)."""
        self._disposed = True
        await self.flush()

    async def __aenter__(self) -> BatchController:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.dispose()

    # -- internals ---------------------------------------------------------------------------

    async def _batched(
        self, action: str, index: str, collection: str, item: dict[str, Any], options: dict[str, Any]
    ) -> Any:
        if self._disposed:
            raise InvalidStateError("This BatchController was disposed: use kuzzle.document or a new one")
        for name, value in (("index", index), ("collection", collection), ("_id", item.get("_id", ""))):
            if not isinstance(value, str):
                raise InvalidArgumentError(f"{name} must be a string, got {value!r}")
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Outcome] = loop.create_future()
        options = {k: v for k, v in options.items() if v is not None}  # None means "not given"
        try:
            full = self._buffers.add(action, index, collection, item, options, waiter)
        except TypeError:
            raise InvalidArgumentError(f"Batched options must be plain values, got {options!r}") from None
        if full is not None:
            self._start_sending(full)
        elif self._timer is None:
            self._timer = loop.create_task(self._round())
        outcome = await waiter
        if outcome.error is None:
            return outcome.value
        error = dict(outcome.error)
        if error["id"] != "services.storage.not_found":
            target = ":".join(
                f'"{part}"' for part in (index, collection, item.get("_id")) if part is not None
            )
            error["message"] = f"Cannot {action} document {target}: {error['message']}"
        raise api_error_from_payload(error, {"controller": self.name, "action": action, **item})

    async def _round(self) -> None:
        await self._sleep(self.interval)
        self._timer = None
        for batch in self._buffers.take_all():
            self._start_sending(batch)

    def _start_sending(self, batch: Batch[asyncio.Future[Outcome]]) -> None:
        task = asyncio.get_running_loop().create_task(self._send_batch(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send_batch(self, batch: Batch[asyncio.Future[Outcome]]) -> None:
        key = batch.key
        try:
            result = await self._result(
                M_ACTIONS[key.action],
                {"index": key.index, "collection": key.collection, "body": m_request_body(batch)},
                **dict(key.options),
            )
        except Exception as exc:  # the whole m* call failed: so did each of its calls
            for waiter in batch.waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            return
        for waiter, outcome in zip(batch.waiters, settle(batch, result or {}), strict=True):
            if not waiter.done():
                waiter.set_result(outcome)
