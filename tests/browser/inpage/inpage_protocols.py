"""The protocols an in-page controller test runs through: WebSocket and Http.

A module's test bodies take the protocol's name; its ``test_*`` functions call each body
once per name (the harness collects top-level ``test_*`` functions only, so there is no
parametrization inside the page). Realtime subscriptions exist over WebSocket only: a
body checks ``realtime(name)`` before it subscribes.
"""

from __future__ import annotations

from typing import Literal

from inpage_support import SERVER_HOST, SERVER_PORT

from kuzzle_browser import Http, Kuzzle, WebSocket

Over = Literal["websocket", "http"]


def client(over: Over) -> Kuzzle:
    """A Kuzzle client through ``over``, not connected yet: ``await kuzzle.connect()`` next."""
    if over == "http":
        return Kuzzle(Http(SERVER_HOST, port=SERVER_PORT))
    return Kuzzle(WebSocket(SERVER_HOST, port=SERVER_PORT, reconnection_delay=0.2))


def realtime(over: Over) -> bool:
    """Whether ``over`` carries subscriptions (Http raises RealtimeUnavailableError)."""
    return over == "websocket"
