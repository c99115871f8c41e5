"""Names the JS SDK exports for its types: ``Document``, ``ScopeOption``, ``UserOption``.

``realtime.subscribe(..., scope=ScopeOption.OUT)`` and ``scope="out"`` are the same: the
enums are ``str`` subclasses, so a plain string works wherever they do.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NotRequired, TypedDict

__all__ = ["Document", "ScopeOption", "UserOption"]


class Document(TypedDict):
    """A document as Kuzzle returns it: ``{"_id", "_source", "_version"?}``."""

    _id: str
    _source: dict[str, Any]
    _version: NotRequired[int]


class ScopeOption(StrEnum):
    """Which document notifications a subscription gets: entering, leaving, both or none."""

    ALL = "all"
    IN = "in"
    OUT = "out"
    NONE = "none"


class UserOption(StrEnum):
    """Which user notifications (subscribers joining or leaving a room) a subscription gets."""

    ALL = "all"
    IN = "in"
    OUT = "out"
    NONE = "none"
