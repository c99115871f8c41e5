"""The batch writer's decisions (JS SDK ``core/batchWriter``): buffers, m* requests, per-call results.

Single-document calls are collected per *batch key* — action, index, collection and
the call's options — and sent as one m* action:

=================  =====================  ==========================================
call               sent as                one call's result
=================  =====================  ==========================================
create             mCreate                its document, or its error
replace            mReplace               its document, or its error
createOrReplace    mCreateOrReplace       its document, or its error
update             mUpdate                its document, or its error
delete             mDelete                its id, or its error
get                mGet (ids deduped)     its document, or ``services.storage.not_found``
exists             mGet (ids deduped)     whether it was found
=================  =====================  ==========================================

Differences from JS SDK 7.17.1, on purpose: each call's options go out with its m*
call (7.17.1 merges them and then sends none); a buffer that reaches its maximum
size is sent at once (7.17.1 leaves this as a to-do, and Kuzzle rejects the whole
batch past ``limits.documentsWriteCount``); each call gets its own result, matched by
``_id`` (7.17.1 takes ``successes[i]``, which shifts to another document's result
once an earlier one fails). No I/O here: :mod:`kuzzle_browser.controllers.batch`
sends and waits.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar

__all__ = [
    "M_ACTIONS",
    "READ_ACTIONS",
    "Batch",
    "BatchBuffers",
    "BatchKey",
    "Outcome",
    "m_request_body",
    "settle",
]

T = TypeVar("T")

M_ACTIONS: Final = {
    "create": "mCreate",
    "replace": "mReplace",
    "createOrReplace": "mCreateOrReplace",
    "update": "mUpdate",
    "delete": "mDelete",
    "get": "mGet",
    "exists": "mGet",
}
READ_ACTIONS: Final = frozenset({"get", "exists"})


@dataclass(frozen=True, slots=True)
class BatchKey:
    """What calls must share to go out in one m* request."""

    action: str
    index: str
    collection: str
    options: tuple[tuple[str, Any], ...]


@dataclass(slots=True)
class Batch(Generic[T]):
    """The calls of one m* request: their items (``{"_id", "body"}``) and their waiters, in order."""

    key: BatchKey
    items: list[dict[str, Any]] = field(default_factory=list)
    waiters: list[T] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One call's result: ``value``, or ``error`` (Kuzzle's error object shape) when it failed."""

    value: Any = None
    error: dict[str, Any] | None = None


class BatchBuffers(Generic[T]):
    """The batches being filled; ``T`` is whatever the caller waits on (a future).

    Args:
        max_write: Most items of one write batch (Kuzzle's ``limits.documentsWriteCount``).
        max_read: Most distinct ids of one read batch (``limits.documentsReadCount``).
    """

    def __init__(self, max_write: int, max_read: int) -> None:
        self.max_write = max_write
        self.max_read = max_read
        self._batches: dict[BatchKey, Batch[T]] = {}

    def __len__(self) -> int:
        """Calls waiting to be sent."""
        return sum(len(batch.items) for batch in self._batches.values())

    def add(
        self,
        action: str,
        index: str,
        collection: str,
        item: dict[str, Any],
        options: Mapping[str, Any],
        waiter: T,
    ) -> Batch[T] | None:
        """Buffer one call; returns its batch, taken out, when that batch is now full.

        Raises:
            TypeError: An option value is not hashable (options are part of the key).
        """
        key = BatchKey(action, index, collection, tuple(sorted(options.items())))
        hash(key)  # raises TypeError now for an unhashable option, before anything is buffered
        batch = self._batches.setdefault(key, Batch(key))
        batch.items.append(item)
        batch.waiters.append(waiter)
        if action in READ_ACTIONS:
            full = len({entry["_id"] for entry in batch.items}) >= self.max_read
        else:
            full = len(batch.items) >= self.max_write
        return self._batches.pop(key) if full else None

    def take_all(self) -> list[Batch[T]]:
        """Every batch, oldest key first; the buffers are empty afterwards."""
        batches, self._batches = list(self._batches.values()), {}
        return batches


def m_request_body(batch: Batch[Any]) -> dict[str, Any]:
    """The m* action's body: ``{"documents": [...]}``, or ``{"ids": [...]}`` (deduped for reads)."""
    action = batch.key.action
    if action in READ_ACTIONS:
        return {"ids": list(dict.fromkeys(item["_id"] for item in batch.items))}
    if action == "delete":
        return {"ids": [item["_id"] for item in batch.items]}
    return {"documents": [dict(item) for item in batch.items]}


def _failure(error: Mapping[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    # {document: {_id, body}, reason, status} (most), or {_id, _source, status, error: {reason}}
    # (failures reported by the storage engine), or {_id, reason, status} (mDelete).
    document = error.get("document")
    document = document if isinstance(document, Mapping) else error
    body = document.get("body", document.get("_source"))
    if isinstance(body, Mapping):
        body = {k: v for k, v in body.items() if k != "_kuzzle_info"}
    nested = error.get("error")
    reason = error.get("reason") or (nested.get("reason") if isinstance(nested, Mapping) else None)
    status = error.get("status")
    payload = {
        "id": "sdk.batch.document_failed",
        "status": status if isinstance(status, int) else 500,
        "message": str(reason or "the document was rejected"),
    }
    return document.get("_id"), body, payload


def _success_id(success: Any) -> Any:
    return (
        success if isinstance(success, str) else success.get("_id") if isinstance(success, Mapping) else None
    )


def _settle_reads(batch: Batch[Any], result: Mapping[str, Any]) -> list[Outcome]:
    found = {_success_id(doc): doc for doc in result.get("successes") or []}
    key = batch.key
    outcomes = []
    for item in batch.items:
        doc = found.get(item["_id"])
        if key.action == "exists":
            outcomes.append(Outcome(doc is not None))
        elif doc is not None:
            outcomes.append(Outcome(doc))
        else:
            message = f'Document "{key.index}":"{key.collection}":"{item["_id"]}" not found'
            outcomes.append(
                Outcome(error={"id": "services.storage.not_found", "status": 404, "message": message})
            )
    return outcomes


def settle(batch: Batch[Any], result: Mapping[str, Any]) -> list[Outcome]:
    """Each call's :class:`Outcome`, in the batch's order, from the m* action's ``result``.

    Kuzzle keeps the request order in ``successes`` and in ``errors``. Calls with an
    ``_id`` take the result carrying that id (a success before an error, so of two
    creates of one id the first wins); calls without one (``create`` with an id
    chosen by Kuzzle) take the remaining results in order.
    """
    if batch.key.action in READ_ACTIONS:
        return _settle_reads(batch, result)
    successes: deque[Any] = deque(result.get("successes") or [])
    errors: deque[tuple[Any, Any, dict[str, Any]]] = deque(_failure(e) for e in result.get("errors") or [])
    by_id: dict[Any, deque[Outcome]] = {}
    wanted = {item.get("_id") for item in batch.items} - {None}
    for success in list(successes):
        if _success_id(success) in wanted:
            by_id.setdefault(_success_id(success), deque()).append(Outcome(success))
            successes.remove(success)
    for failure in list(errors):
        if failure[0] in wanted:
            by_id.setdefault(failure[0], deque()).append(Outcome(error=failure[2]))
            errors.remove(failure)
    outcomes = []
    for item in batch.items:
        doc_id = item.get("_id")
        if doc_id is not None and by_id.get(doc_id):
            outcomes.append(by_id[doc_id].popleft())
        elif doc_id is None and errors and errors[0][1] == item.get("body"):
            outcomes.append(Outcome(error=errors.popleft()[2]))
        elif doc_id is None and successes:
            outcomes.append(Outcome(successes.popleft()))
        else:
            missing = {"id": "sdk.batch.no_result", "status": 500, "message": "Kuzzle sent no result for it"}
            outcomes.append(Outcome(error=missing))
    return outcomes
