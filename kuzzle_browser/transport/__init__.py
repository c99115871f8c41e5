"""The I/O seam: what the SDK needs from its environment, and the browser's implementation.

:mod:`kuzzle_browser.transport.base` declares the interface;
:mod:`kuzzle_browser.transport.browser` is the only module of the package that
imports ``js`` or ``pyodide``. Tests (and users) may pass any object with the
same shape, like httpx's ``MockTransport``.
"""

from kuzzle_browser.transport.base import HttpResponse, Socket, SocketListener, Transport

__all__ = ["HttpResponse", "Socket", "SocketListener", "Transport", "default_transport"]


def default_transport() -> Transport:
    """The transport of the running environment: the browser's (or worker's) globals."""
    from kuzzle_browser.transport.browser import BrowserTransport

    return BrowserTransport()
