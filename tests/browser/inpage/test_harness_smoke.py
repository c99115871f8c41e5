"""Proves the in-page harness: Python 3.14 in Pyodide, the freshly built wheel, the dev
server's WebSocket from the page, and a closed network beyond 127.0.0.1."""

import asyncio
import sys

import inpage_support
import js
from inpage_support import SERVER_WS_URL, scaled
from pyodide.ffi import create_proxy


def test_python_is_314_in_the_page() -> None:
    assert sys.version_info[:2] == (3, 14), sys.version
    assert sys.platform == "emscripten"


def test_kuzzle_browser_wheel_is_installed() -> None:
    import importlib.metadata

    import kuzzle_browser

    assert kuzzle_browser.__version__ == importlib.metadata.version("kuzzle-browser")
    assert "site-packages" in kuzzle_browser.__file__


def test_support_module_is_configured() -> None:
    assert inpage_support.SERVER_HOST == "127.0.0.1"
    assert inpage_support.SERVER_PORT > 0
    assert f"http://127.0.0.1:{inpage_support.SERVER_PORT}" == inpage_support.SERVER_URL
    assert inpage_support.scaled(2.0) == 2.0 * inpage_support.TIMEOUT_SCALE


async def test_raw_websocket_ping_pong() -> None:
    """A raw browser WebSocket to the dev server gets {"p":2} for {"p":1}."""
    loop = asyncio.get_running_loop()
    opened: asyncio.Future[None] = loop.create_future()
    answer: asyncio.Future[str] = loop.create_future()

    def on_open(_event: object) -> None:
        if not opened.done():
            opened.set_result(None)

    def on_message(event: object) -> None:
        if not answer.done():
            answer.set_result(str(event.data))  # type: ignore[attr-defined]

    def on_close(event: object) -> None:
        error = ConnectionError(f"closed with code {event.code}")  # type: ignore[attr-defined]
        for future in (opened, answer):
            if not future.done():
                future.set_exception(error)

    proxies = [create_proxy(on_open), create_proxy(on_message), create_proxy(on_close)]
    ws = js.WebSocket.new(SERVER_WS_URL)
    ws.onopen, ws.onmessage, ws.onclose = proxies
    try:
        await asyncio.wait_for(opened, scaled(10))
        ws.send('{"p":1}')
        reply = await asyncio.wait_for(answer, scaled(10))
        assert reply.replace(" ", "") == '{"p":2}', reply
    finally:
        ws.onopen = ws.onmessage = ws.onclose = None
        ws.close()
        for proxy in proxies:
            proxy.destroy()


async def test_control_surface_lists_sockets() -> None:
    sockets = await inpage_support.control("sockets", method="GET")
    assert sockets is not None


async def test_fetch_outside_loopback_fails() -> None:
    """The network beyond 127.0.0.1 is closed: a fetch to example.com does not succeed."""
    inpage_support.expect_blocked("http://example.com")
    with inpage_support.raises(Exception):
        await asyncio.wait_for(js.fetch("http://example.com/"), scaled(20))


def test_document_cookie_is_readable() -> None:
    assert isinstance(inpage_support.document_cookie(), str)
