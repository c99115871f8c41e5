"""kuzzle_browser: the Kuzzle SDK for Python in the browser (Pyodide, PyScript, JupyterLite).

Start here::

    from kuzzle_browser import Kuzzle, WebSocket

    kuzzle = Kuzzle(WebSocket("127.0.0.1", port=7512))
    await kuzzle.connect()
    print(await kuzzle.server.now())
"""

from typing import TYPE_CHECKING, Any

from kuzzle_browser import errors
from kuzzle_browser._version import __version__
from kuzzle_browser.client import SDK_NAME, Kuzzle
from kuzzle_browser.controllers import (
    AuthController,
    BaseController,
    CollectionController,
    DocumentController,
    IndexController,
    RealtimeController,
    ServerController,
)
from kuzzle_browser.errors import *  # noqa: F403 - the whole exception tree is public API
from kuzzle_browser.events import EventEmitter
from kuzzle_browser.http import Http
from kuzzle_browser.live import LiveQuery
from kuzzle_browser.network_protocol import NetworkProtocol
from kuzzle_browser.observer import Observer, RealtimeDocument, RealtimeSearchResult
from kuzzle_browser.options import DEFAULT
from kuzzle_browser.protocol.live import Change
from kuzzle_browser.search_result import (
    DocumentSearchResult,
    SearchResult,
    SearchResultBase,
    SpecificationsSearchResult,
)
from kuzzle_browser.security import (
    Profile,
    ProfileSearchResult,
    Role,
    RoleSearchResult,
    User,
    UserSearchResult,
)
from kuzzle_browser.subscription import Subscription
from kuzzle_browser.types import Document, ScopeOption, UserOption
from kuzzle_browser.websocket import WebSocket

if TYPE_CHECKING:
    from kuzzle_browser.controllers.batch import BatchController

__all__ = [  # the errors module's names, then ours
    *errors.__all__,
    "AuthController",
    "BaseController",
    "BatchController",
    "DEFAULT",
    "SDK_NAME",
    "Change",
    "Http",
    "Kuzzle",
    "LiveQuery",
    "NetworkProtocol",
    "Observer",
    "Profile",
    "ProfileSearchResult",
    "Role",
    "RoleSearchResult",
    "DocumentSearchResult",
    "RealtimeDocument",
    "RealtimeSearchResult",
    "SearchResult",
    "SearchResultBase",
    "SpecificationsSearchResult",
    "Subscription",
    "User",
    "UserSearchResult",
    "WebSocket",
    "CollectionController",
    "DocumentController",
    "Document",
    "EventEmitter",
    "IndexController",
    "RealtimeController",
    "ScopeOption",
    "ServerController",
    "UserOption",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # BatchController is imported on first use: most apps never need it, and import time matters.
    if name == "BatchController":
        from kuzzle_browser.controllers.batch import BatchController

        return BatchController
    raise AttributeError(f"module 'kuzzle_browser' has no attribute {name!r}")
