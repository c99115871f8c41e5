"""What every controller needs: configuration, storage, security repositories, tokens, subscriptions."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .api_keys import ApiKeyRepository
from .config import ServerConfig
from .credentials import LocalStrategy
from .internal import InternalDb
from .realtime import HotelClerk
from .request import KuzzleRequest
from .scrolls import ScrollCursors
from .security import Security
from .storage import Storage
from .tokens import TokenRepository
from .users import UserRepository

Handler = Callable[[KuzzleRequest], Awaitable[Any]]
ActionTable = dict[str, dict[str, Handler]]


@dataclass
class ServerContext:
    config: ServerConfig
    storage: Storage
    internal: InternalDb
    users: UserRepository
    local: LocalStrategy
    tokens: TokenRepository
    api_keys: ApiKeyRepository
    security: Security
    hotel: HotelClerk
    scrolls: ScrollCursors = field(default_factory=ScrollCursors)
    started_at: float = field(default_factory=time.monotonic)
