"""A live query's ordered view: snapshots and notifications in, positioned changes out.

Sans-I/O: :class:`LiveView` never talks to Kuzzle. The async shell
(:mod:`kuzzle_browser.live`) feeds it search results (:meth:`LiveView.load`) and
realtime notifications (:meth:`LiveView.apply`), and hands the returned
:class:`Change` list to the page.

Rules:

- order: Elasticsearch's (the ``sort`` of the search body: ``"field"``,
  ``{"field": "asc"|"desc"}``, ``{"field": {"order": ...}}``, dotted paths
  into ``_source``, ``_id``), missing values last whatever the order, then
  ``_id`` so the order is total and the same as the server's for ties;
- ``size``: the view holds the first ``size`` documents. A document that sorts
  after the last one of a full view stays out; one that enters pushes the last
  out; when one leaves a full view (or moves later to its last place), the
  next one is unknown here, so :attr:`LiveView.needs_refill` turns True and the
  shell reads again;
- changes are positioned so that applying them one by one to a plain list
  (``removed``: ``del rows[index]``; ``added``: ``rows.insert(index, doc)``;
  ``changed``: ``del rows[old_index]`` then ``rows.insert(index, doc)``) gives
  :attr:`LiveView.documents`;
- a notification older than the copy held (``_kuzzle_info.updatedAt``) is
  ignored: it was already in the snapshot read after it was sent.

:func:`koncorde_to_es` turns the Koncorde filters of the subscription into the
equivalent Elasticsearch query for the search, so one filter drives both.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from kuzzle_browser.errors import InvalidArgumentError

__all__ = ["Change", "LiveView", "SortKey", "koncorde_to_es", "parse_sort"]

Document = dict[str, Any]
ChangeKind = Literal["added", "changed", "removed"]

# Notification actions that send only the changed fields (the rest is kept).
_PARTIAL_ACTIONS = frozenset({"update", "mUpdate", "upsert", "mUpsert", "updateByQuery"})


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a live query's documents.

    ``index`` is the document's position after the change (for ``removed``: the
    position it left); ``old_index`` its position before (``None`` for ``added``).
    """

    kind: ChangeKind
    document: Document
    index: int
    old_index: int | None = None

    @property
    def id(self) -> str:
        """The document's ``_id``."""
        return str(self.document["_id"])


@dataclass(frozen=True, slots=True)
class SortKey:
    """One sort criterion: a dotted field (or ``_id``) and its direction."""

    field: str
    descending: bool = False


def parse_sort(sort: Any) -> list[SortKey]:
    """Elasticsearch's ``sort`` (a string, a dict or a list of them) as :class:`SortKey` s.

    Raises:
        InvalidArgumentError: An entry is not one of the accepted forms.
    """
    if sort is None:
        return []
    keys: list[SortKey] = []
    for entry in sort if isinstance(sort, list) else [sort]:
        if isinstance(entry, str) and entry:
            keys.append(SortKey(entry))
            continue
        if isinstance(entry, Mapping) and len(entry) == 1:
            field, spec = next(iter(entry.items()))
            order = spec.get("order", "asc") if isinstance(spec, Mapping) else spec
            if isinstance(field, str) and field and order in ("asc", "desc"):
                keys.append(SortKey(field, order == "desc"))
                continue
        raise InvalidArgumentError(f"Invalid sort entry {entry!r}: use 'field' or {{'field': 'asc'|'desc'}}")
    return keys


_MISSING = object()


def _field(document: Mapping[str, Any], field: str) -> Any:
    if field == "_id":
        return document.get("_id")
    value: Any = document.get("_source")
    for part in field.split("."):
        value = value.get(part, _MISSING) if isinstance(value, Mapping) else _MISSING
    return value


def _compare(left: Any, right: Any) -> int:
    if left == right:
        return 0
    try:
        return -1 if left < right else 1
    except TypeError:  # mixed types: a fixed order by type name
        return -1 if type(left).__name__ < type(right).__name__ else 1


class _Order:
    """The total order of a view: the sort keys, then ``_id``."""

    def __init__(self, keys: list[SortKey]) -> None:
        self.keys = keys if any(key.field == "_id" for key in keys) else [*keys, SortKey("_id")]

    def compare(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> int:
        for key in self.keys:
            a, b = _field(left, key.field), _field(right, key.field)
            a_missing, b_missing = a in (_MISSING, None), b in (_MISSING, None)
            if a_missing or b_missing:
                if a_missing != b_missing:
                    return 1 if a_missing else -1  # missing last in both directions
                continue
            result = _compare(a, b)
            if result:
                return -result if key.descending else result
        return 0

    def sort_key(self) -> Any:
        return functools.cmp_to_key(self.compare)


def _updated_at(document: Mapping[str, Any]) -> Any:
    info = (document.get("_source") or {}).get("_kuzzle_info") or {}
    return info.get("updatedAt") or info.get("createdAt")


class LiveView:
    """The ordered documents of a live query (see the module docstring for the rules)."""

    def __init__(self, sort: Any = None, size: int | None = None) -> None:
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise InvalidArgumentError(f"size must be an int >= 1 or None, got {size!r}")
        self._order = _Order(parse_sort(sort))
        self.size = size
        self._rows: list[Document] = []
        self.needs_refill = False
        """True when a document left a full view: read again to know the next one."""

    @property
    def documents(self) -> list[Document]:
        """The documents, in order (the view's own dicts: do not mutate them)."""
        return list(self._rows)

    @property
    def ids(self) -> list[str]:
        """The documents' ids, in order."""
        return [str(row["_id"]) for row in self._rows]

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, document_id: str) -> Document | None:
        """The document with this id, or ``None``."""
        position = self._position_of(document_id)
        return None if position is None else self._rows[position]

    def _position_of(self, document_id: str) -> int | None:
        for position, row in enumerate(self._rows):
            if row["_id"] == document_id:
                return position
        return None

    def _insertion_point(self, document: Mapping[str, Any]) -> int:
        key = self._order.sort_key()
        return bisect.bisect_left([key(row) for row in self._rows], key(document))

    # -- snapshots ------------------------------------------------------------------

    def load(self, hits: Iterable[Mapping[str, Any]]) -> list[Change]:
        """Replace the view with a search result; returns the differences, positioned."""
        fresh: dict[str, Document] = {}
        for hit in hits:
            if isinstance(hit, Mapping) and isinstance(hit.get("_id"), str):
                fresh[hit["_id"]] = {"_id": hit["_id"], "_source": dict(hit.get("_source") or {})}
        wanted = sorted(fresh.values(), key=self._order.sort_key())
        if self.size is not None:
            wanted = wanted[: self.size]
        keep = {row["_id"] for row in wanted}
        changes: list[Change] = []
        rows = self._rows
        for position in range(len(rows) - 1, -1, -1):
            if rows[position]["_id"] not in keep:
                changes.append(Change("removed", rows.pop(position), position, position))
        for position, document in enumerate(wanted):
            old = self._position_of(document["_id"])
            if old is None:
                rows.insert(position, document)
                changes.append(Change("added", document, position))
            elif old != position or rows[old]["_source"] != document["_source"]:
                del rows[old]
                rows.insert(position, document)
                changes.append(Change("changed", document, position, old))
        self.needs_refill = False
        return changes

    # -- notifications ----------------------------------------------------------------

    def apply(self, notification: Mapping[str, Any]) -> list[Change]:
        """Apply one realtime notification (``type: "document"``); returns its changes."""
        if notification.get("type") != "document" or notification.get("event") == "publish":
            return []  # user notifications, or realtime.publish messages (nothing stored)
        result = notification.get("result")
        if not isinstance(result, Mapping) or not isinstance(result.get("_id"), str):
            return []
        document_id = result["_id"]
        if notification.get("event") == "delete" or notification.get("scope") == "out":
            return self.remove(document_id)
        source = result.get("_source")
        known = self.get(document_id)
        if known is not None and notification.get("action") in _PARTIAL_ACTIONS:
            source = {**known["_source"], **(source or {})}
        return self.upsert({"_id": document_id, "_source": dict(source or {})})

    def remove(self, document_id: str) -> list[Change]:
        """Take a document out (deleted, or no longer matching)."""
        position = self._position_of(document_id)
        if position is None:
            return []
        was_full = self.size is not None and len(self._rows) >= self.size
        row = self._rows.pop(position)
        if was_full:
            self.needs_refill = True
        return [Change("removed", row, position, position)]

    def upsert(self, document: Document) -> list[Change]:
        """Put a document in (new, or changed), in its place; may push the last one out."""
        old = self._position_of(document["_id"])
        held: Document | None = None
        if old is not None:
            held = self._rows[old]
            newer, older = _updated_at(document), _updated_at(held)
            if newer is not None and older is not None and _compare(newer, older) < 0:
                return []  # a late notification: the copy held is more recent
            if held["_source"] == document["_source"]:
                return []
            del self._rows[old]
        position = self._insertion_point(document)
        if self.size is not None and position >= self.size:
            # It sorts after the last one of a full view: out of the window.
            if old is None or held is None:
                return []
            self.needs_refill = True
            return [Change("removed", held, old, old)]
        self._rows.insert(position, document)
        if (
            held is not None
            and len(self._rows) == self.size
            and position == len(self._rows) - 1
            and self._order.compare(document, held) > 0
        ):
            self.needs_refill = True  # moved to the end of a full view: one beyond may now come first
        changes = [
            Change("added", document, position) if old is None else Change("changed", document, position, old)
        ]
        if self.size is not None and len(self._rows) > self.size:
            last = len(self._rows) - 1
            changes.append(Change("removed", self._rows.pop(), last, last))
        return changes


# -- Koncorde filters -> Elasticsearch query ---------------------------------------------


def koncorde_to_es(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The Elasticsearch query that matches what these Koncorde filters match.

    Supported: ``equals``, ``in``, ``exists``, ``missing``, ``range``, ``ids``,
    ``and``, ``or``, ``not``, ``bool``; ``{}`` (or ``None``) matches everything.

    Raises:
        InvalidArgumentError: A keyword outside that list (``geo*``, ``regexp``...):
            pass the search ``query=`` yourself.
    """
    if not filters:
        return {"match_all": {}}
    if not isinstance(filters, Mapping) or len(filters) != 1:
        raise InvalidArgumentError(
            f"Koncorde filters need exactly one keyword at each level, got {filters!r}"
        )
    keyword, operand = next(iter(filters.items()))
    if keyword == "equals":
        return {"term": dict(operand)}
    if keyword == "in":
        return {"terms": dict(operand)}
    if keyword in ("exists", "missing"):
        field = operand.get("field") if isinstance(operand, Mapping) else operand
        exists = {"exists": {"field": field}}
        return exists if keyword == "exists" else {"bool": {"must_not": [exists]}}
    if keyword == "range":
        return {"range": dict(operand)}
    if keyword == "ids":
        return {"ids": dict(operand)}
    if keyword in ("and", "or") and isinstance(operand, list):
        clauses = [koncorde_to_es(item) for item in operand]
        return {
            "bool": {"filter": clauses}
            if keyword == "and"
            else {"should": clauses, "minimum_should_match": 1}
        }
    if keyword == "not":
        return {"bool": {"must_not": [koncorde_to_es(operand)]}}
    if keyword == "bool" and isinstance(operand, Mapping):
        groups: dict[str, Any] = {}
        for group, clauses in operand.items():
            if group not in ("must", "must_not", "should", "filter"):
                raise InvalidArgumentError(f"Unknown Koncorde bool clause {group!r}")
            items = clauses if isinstance(clauses, list) else [clauses]
            groups["filter" if group == "must" else group] = [koncorde_to_es(item) for item in items]
        if "should" in groups and "filter" not in groups and "must_not" not in groups:
            groups["minimum_should_match"] = 1
        return {"bool": groups}
    raise InvalidArgumentError(
        f"The Koncorde keyword {keyword!r} has no search equivalent here: pass query= (Elasticsearch) too"
    )
