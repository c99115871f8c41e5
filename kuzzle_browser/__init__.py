"""kuzzle_browser: the Kuzzle SDK for Python in the browser (Pyodide, PyScript, JupyterLite).

Start here::

    from kuzzle_browser import Kuzzle, WebSocket

    kuzzle = Kuzzle(WebSocket("127.0.0.1", port=7512))
    await kuzzle.connect()
    print(await kuzzle.server.now())

Every public name is importable from here, but only the exception tree and the version
are loaded with the package: the other names are imported on first access (PEP 562
``__getattr__``), each from the module in ``_LAZY``. So ``import kuzzle_browser.protocol``
(sans-I/O, no asyncio) stays light, and an app pays at start-up only for what it uses:
every page imports this package before it can connect. The ``TYPE_CHECKING`` imports
give mypy and editors the same names statically; tests/unit/test_import_light.py keeps
them equal to ``_LAZY``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kuzzle_browser import errors
from kuzzle_browser.errors import *  # noqa: F403 - the whole exception tree is public API

__version__ = "0.1.0"  # read by the build backend (pyproject.toml); sent in volatile.sdkName

if TYPE_CHECKING:
    from kuzzle_browser.client import SDK_NAME, Kuzzle
    from kuzzle_browser.controllers.admin import CollectionController, IndexController, ServerController
    from kuzzle_browser.controllers.auth import AuthController
    from kuzzle_browser.controllers.base import BaseController
    from kuzzle_browser.controllers.batch import BatchController
    from kuzzle_browser.controllers.document import DocumentController
    from kuzzle_browser.controllers.realtime import RealtimeController
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

# Module of each name imported on first access (the TYPE_CHECKING block, as data).
_LAZY = {
    name: module
    for module, names in (
        ("client", "SDK_NAME Kuzzle"),
        ("controllers.admin", "CollectionController IndexController ServerController"),
        ("controllers.auth", "AuthController"),
        ("controllers.base", "BaseController"),
        ("controllers.batch", "BatchController"),
        ("controllers.document", "DocumentController"),
        ("controllers.realtime", "RealtimeController"),
        ("events", "EventEmitter"),
        ("http", "Http"),
        ("live", "LiveQuery"),
        ("network_protocol", "NetworkProtocol"),
        ("observer", "Observer RealtimeDocument RealtimeSearchResult"),
        ("options", "DEFAULT"),
        ("protocol.live", "Change"),
        ("search_result", "DocumentSearchResult SearchResult SearchResultBase SpecificationsSearchResult"),
        ("security", "Profile ProfileSearchResult Role RoleSearchResult User UserSearchResult"),
        ("subscription", "Subscription"),
        ("types", "Document ScopeOption UserOption"),
        ("websocket", "WebSocket"),
    )
    for name in names.split()
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access; the value is then cached here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kuzzle_browser' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"kuzzle_browser.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (loaded or not) and the module's own attributes."""
    return sorted({*globals(), *__all__})
