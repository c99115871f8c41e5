"""Runs in a PyScript worker: the SDK over the worker's own WebSocket, ``online`` events and timers."""

import json
import logging

import js

from kuzzle_browser import Kuzzle, WebSocket

warnings: list[str] = []


class Keep(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        warnings.append(record.getMessage())


logging.getLogger("kuzzle_browser").addHandler(Keep(logging.WARNING))


async def connect_and_ask(host: str, port: int) -> str:
    try:
        return await _connect_and_ask(host, port)
    except Exception:
        import traceback

        return json.dumps({"error": traceback.format_exc()})


async def _connect_and_ask(host: str, port: int) -> str:
    kuzzle = Kuzzle(
        WebSocket(host, port=port),  # host from the page: a PyScript worker's location is blob:
        offline_mode="auto",
        offline_queue_storage="kuzzle-worker-queue",  # no localStorage in a worker: a warning
    )
    await kuzzle.connect()
    now = await kuzzle.server.now()
    report = {
        "now": now,
        "connected": kuzzle.connected,
        "has_window": hasattr(js, "window"),
        "has_document": hasattr(js, "document"),
        "has_local_storage": hasattr(js, "localStorage"),
        "on_line": bool(js.navigator.onLine),
        "warnings": warnings,
    }
    await kuzzle.disconnect()
    return json.dumps(report)


__export__ = ["connect_and_ask"]
