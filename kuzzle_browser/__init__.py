"""kuzzle_browser: the Kuzzle SDK for Python in the browser (Pyodide, PyScript, JupyterLite).

Start here::

    from kuzzle_browser import Kuzzle, WebSocket

    kuzzle = Kuzzle(WebSocket("127.0.0.1", port=7512))
    await kuzzle.connect()
    print(await kuzzle.server.now())
"""

from kuzzle_browser import errors
from kuzzle_browser._version import __version__
from kuzzle_browser.client import SDK_NAME, Kuzzle
from kuzzle_browser.errors import *  # noqa: F403 - the whole exception tree is public API
from kuzzle_browser.live import LiveQuery
from kuzzle_browser.observer import Observer, RealtimeDocument, RealtimeSearchResult
from kuzzle_browser.options import DEFAULT
from kuzzle_browser.protocol.live import Change
from kuzzle_browser.search_result import SearchResult
from kuzzle_browser.subscription import Subscription
from kuzzle_browser.websocket import WebSocket

__all__ = [  # the errors module's names, then ours
    *errors.__all__,
    "DEFAULT",
    "SDK_NAME",
    "Change",
    "Kuzzle",
    "LiveQuery",
    "Observer",
    "RealtimeDocument",
    "RealtimeSearchResult",
    "SearchResult",
    "Subscription",
    "WebSocket",
    "__version__",
]
