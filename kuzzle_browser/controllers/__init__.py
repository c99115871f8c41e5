"""The API controllers: ``kuzzle.auth``, ``kuzzle.document``, ``kuzzle.collection``, ``kuzzle.index``,
``kuzzle.realtime``, ``kuzzle.server`` and ``kuzzle.bulk``; ``kuzzle.ms`` is
``kuzzle_browser.controllers.ms``, imported on first use (it is big)."""

from kuzzle_browser.controllers.admin import CollectionController, IndexController, ServerController
from kuzzle_browser.controllers.auth import AuthController
from kuzzle_browser.controllers.base import BaseController
from kuzzle_browser.controllers.bulk import BulkController
from kuzzle_browser.controllers.document import DocumentController
from kuzzle_browser.controllers.realtime import RealtimeController

__all__ = [
    "AuthController",
    "BaseController",
    "BulkController",
    "CollectionController",
    "DocumentController",
    "IndexController",
    "RealtimeController",
    "ServerController",
]
