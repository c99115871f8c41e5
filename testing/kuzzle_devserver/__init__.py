"""kuzzle-devserver: a Kuzzle-compatible server for developing and testing kuzzle-browser.

It speaks the wire protocol of Kuzzle 2.56 (HTTP and WebSocket on one port), stores
documents in SQLite and keeps subscriptions in memory. See README.md in this package.

Why aiohttp: Kuzzle serves HTTP and WebSocket on the same port (uWebSockets.js), and
aiohttp does too, from one handler, with full control of status lines, headers and CORS
preflights, request bodies on every verb, WebSocket close codes, frame size limits and
raw transport aborts. It is mature, typed, and already a common test dependency. The
``websockets`` library serves WebSocket only; the stdlib HTTP server has no WebSocket and
blocks per connection.
"""

from .app import DevServer, ServerThread, start_in_thread
from .config import ServerConfig

__all__ = ["DevServer", "ServerConfig", "ServerThread", "start_in_thread"]
