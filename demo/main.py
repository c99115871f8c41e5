"""kuzzle-browser demo, first form: connect, show the connection state and server time.

Runs in the page under PyScript. The API host is the page's own host name (127.0.0.1:
page and API must share it for cookies); its port is 7512, or ``?api_port=N``.
State for tests and CSS: ``<html data-state="connecting|connected|disconnected|error">``
and ``data-server-time`` (epoch milliseconds).
"""

import asyncio

import js
from pyscript import document

from kuzzle_browser import Kuzzle, WebSocket

DEFAULT_API_PORT = 7512
REFRESH_SECONDS = 1.0


def api_port() -> int:
    value = js.URLSearchParams.new(js.location.search).get("api_port")
    return int(value) if value else DEFAULT_API_PORT


def set_state(state: str, detail: str = "") -> None:
    document.documentElement.dataset.state = state
    document.querySelector("#state").textContent = f"{state} — {detail}" if detail else state


def show_server_time(now_ms: int) -> None:
    document.documentElement.dataset.serverTime = str(now_ms)
    document.querySelector("#server-time").textContent = js.Date.new(now_ms).toISOString()


async def main() -> None:
    host, port = js.location.hostname, api_port()
    document.querySelector("#server").textContent = f"ws://{host}:{port}"
    kuzzle = Kuzzle(WebSocket(host, port=port))
    kuzzle.on("connected", lambda: set_state("connected"))
    kuzzle.on("disconnected", lambda payload=None: set_state("disconnected", "reconnecting…"))
    kuzzle.on("reconnected", lambda: set_state("connected", "reconnected"))
    set_state("connecting")
    await kuzzle.connect()
    set_state("connected")
    while True:  # a clock display: refresh on a timer
        if kuzzle.connected:
            try:
                show_server_time(await kuzzle.server.now())
            except Exception as exc:  # shown, then retried on the next tick
                document.querySelector("#server-time").textContent = f"error: {exc}"
        await asyncio.sleep(REFRESH_SECONDS)


def _done(task: "asyncio.Task[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        set_state("error", repr(task.exception()))


_task = asyncio.ensure_future(main())
_task.add_done_callback(_done)
