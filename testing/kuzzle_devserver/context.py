"""What every controller needs: configuration, storage, users, tokens, subscriptions."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .config import ServerConfig
from .realtime import HotelClerk
from .request import KuzzleRequest
from .scrolls import ScrollCursors
from .stats import Statistics
from .storage import Storage
from .tokens import TokenRepository
from .users import UserDirectory
from .validation import Validator

Handler = Callable[[KuzzleRequest], Awaitable[Any]]
ActionTable = dict[str, dict[str, Handler]]


@dataclass
class ServerContext:
    config: ServerConfig
    storage: Storage
    users: UserDirectory
    tokens: TokenRepository
    hotel: HotelClerk
    scrolls: ScrollCursors = field(default_factory=ScrollCursors)
    validator: Validator = field(default_factory=Validator)
    statistics: Statistics = field(default_factory=Statistics)
    started_at: float = field(default_factory=time.monotonic)
