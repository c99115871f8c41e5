"""kuzzle_browser: the Kuzzle SDK for Python in the browser (Pyodide, PyScript, JupyterLite).

Start here::

    from kuzzle_browser import Kuzzle, WebSocket

    kuzzle = Kuzzle(WebSocket("127.0.0.1", port=7512))
    await kuzzle.connect()
    print(await kuzzle.server.now())
"""

from kuzzle_browser._version import __version__
from kuzzle_browser.client import SDK_NAME, Kuzzle
from kuzzle_browser.errors import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    GatewayTimeoutError,
    InternalError,
    InvalidArgumentError,
    InvalidStateError,
    KeepaliveTimeout,
    KuzzleConnectionError,
    KuzzleError,
    NetworkError,
    NotConnectedError,
    NotFoundError,
    PartialError,
    PreconditionError,
    ProtocolError,
    QueueOverflowError,
    QueueTTLExpiredError,
    RequestDiscardedError,
    RequestTimeoutError,
    ServiceUnavailableError,
    SizeLimitError,
    TooManyRequestsError,
    UnauthorizedError,
)
from kuzzle_browser.options import DEFAULT
from kuzzle_browser.search_result import SearchResult
from kuzzle_browser.subscription import Subscription
from kuzzle_browser.websocket import WebSocket

__all__ = [
    "DEFAULT",
    "SDK_NAME",
    "ApiError",
    "BadRequestError",
    "ForbiddenError",
    "GatewayTimeoutError",
    "InternalError",
    "InvalidArgumentError",
    "InvalidStateError",
    "KeepaliveTimeout",
    "Kuzzle",
    "KuzzleConnectionError",
    "KuzzleError",
    "NetworkError",
    "NotConnectedError",
    "NotFoundError",
    "PartialError",
    "PreconditionError",
    "ProtocolError",
    "QueueOverflowError",
    "QueueTTLExpiredError",
    "RequestDiscardedError",
    "RequestTimeoutError",
    "SearchResult",
    "ServiceUnavailableError",
    "SizeLimitError",
    "Subscription",
    "TooManyRequestsError",
    "UnauthorizedError",
    "WebSocket",
    "__version__",
]
