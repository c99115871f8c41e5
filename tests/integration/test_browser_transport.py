"""Level 2: the FFI seam (transport/browser.py) over fake JS objects, in CPython.

The fakes stand in for Pyodide's ``js`` module and ``pyodide.ffi``: ``create_proxy``
counts live proxies, the fake WebSocket fires its handlers when told. This proves
proxy ownership (every proxy destroyed after close) before any browser is involved.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from kuzzle_browser import InvalidArgumentError, NetworkError
from kuzzle_browser.transport.browser import BrowserTransport


class FakeJsException(Exception):
    pass


class FakeProxy:
    live = 0

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.destroyed = False
        FakeProxy.live += 1

    def __call__(self, *args: Any) -> Any:
        assert not self.destroyed, "called after destroy()"
        return self.fn(*args)

    def destroy(self) -> None:
        assert not self.destroyed, "destroyed twice"
        self.destroyed = True
        FakeProxy.live -= 1


class FakeJsWebSocket:
    def __init__(self, url: str) -> None:
        if not url.startswith(("ws://", "wss://")):
            raise FakeJsException("SyntaxError: invalid URL")
        self.url = url
        self.readyState = 0
        self.sent: list[str] = []
        self.closed_with: tuple[int, str] | None = None
        self.onopen = self.onmessage = self.onerror = self.onclose = None

    def send(self, text: str) -> None:
        self.sent.append(text)

    def close(self, code: int, reason: str) -> None:
        self.closed_with = (code, reason)
        self.readyState = 3


def fake_js(*, csp: bool = False) -> tuple[Any, list[FakeJsWebSocket]]:
    sockets: list[FakeJsWebSocket] = []

    def new_socket(url: str) -> FakeJsWebSocket:
        socket = FakeJsWebSocket(url)
        sockets.append(socket)
        return socket

    def new_function(*_: str) -> Any:
        if csp:
            raise FakeJsException("EvalError: Refused to evaluate a string as JavaScript")
        return lambda handler: lambda event: handler(event.data)

    storage: dict[str, str] = {}
    js = SimpleNamespace(
        WebSocket=SimpleNamespace(new=new_socket),
        Function=SimpleNamespace(new=new_function),
        navigator=SimpleNamespace(onLine=True),
        localStorage=SimpleNamespace(
            getItem=lambda key: storage.get(key, SimpleNamespace()),  # JS null is not None in Pyodide
            setItem=storage.__setitem__,
            removeItem=lambda key: storage.pop(key, None),
        ),
    )
    return js, sockets


class Listener:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def socket_opened(self) -> None:
        self.events.append("open")

    def socket_message(self, data: str | bytes) -> None:
        self.events.append(data)

    def socket_closed(self, code: int, reason: str, was_clean: bool) -> None:
        self.events.append(("closed", code, reason, was_clean))


def transport_for(js: Any) -> BrowserTransport:
    ffi = SimpleNamespace(create_proxy=FakeProxy, to_js=lambda value, **_: value, JsException=FakeJsException)
    return BrowserTransport(js_globals=js, ffi=ffi)


@pytest.mark.parametrize("csp", [False, True])
async def test_socket_reports_and_frees_its_proxies(csp: bool) -> None:
    """Open, messages, close: the listener hears each; every proxy is destroyed afterwards."""
    FakeProxy.live = 0
    js, sockets = fake_js(csp=csp)
    transport = transport_for(js)
    listener = Listener()
    socket = transport.open_socket("ws://127.0.0.1:7512", listener)
    js_ws = sockets[0]
    assert js_ws.binaryType == "arraybuffer" and transport.live_proxies == FakeProxy.live == 4
    js_ws.onopen(SimpleNamespace())
    js_ws.readyState = 1
    js_ws.onmessage(SimpleNamespace(data='{"p":2}'))
    js_ws.onmessage(SimpleNamespace(data=SimpleNamespace(to_bytes=lambda: b"\x01")))
    socket.send("hello")
    js_ws.onclose(SimpleNamespace(code=1006, reason="gone", wasClean=False))
    assert listener.events == ["open", '{"p":2}', b"\x01", ("closed", 1006, "gone", False)]
    assert js_ws.sent == ["hello"] and js_ws.onmessage is None and js_ws.onclose is None
    await asyncio.sleep(0)  # destroyed on the next tick, never from inside their own call
    assert transport.live_proxies == FakeProxy.live == 0
    with pytest.raises(NetworkError):
        socket.send("late")


async def test_close_detaches_before_closing() -> None:
    """close(): no callback reaches the listener afterwards; proxies freed; JS close called once."""
    FakeProxy.live = 0
    js, sockets = fake_js()
    transport = transport_for(js)
    listener = Listener()
    socket = transport.open_socket("ws://127.0.0.1:7512", listener)
    socket.close(1000)
    socket.close(1000)
    assert sockets[0].closed_with == (1000, "") and sockets[0].onclose is None
    await asyncio.sleep(0)
    assert listener.events == [] and transport.live_proxies == 0


async def test_a_raising_listener_goes_to_the_loop_handler() -> None:
    """An exception in a handler reaches asyncio's exception handler, not the JS console only."""
    js, sockets = fake_js()
    transport = transport_for(js)
    seen: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: seen.append(context))

    class Failing(Listener):
        def socket_message(self, data: str | bytes) -> None:
            raise RuntimeError("listener bug")

    transport.open_socket("ws://127.0.0.1:7512", Failing())
    sockets[0].onmessage(SimpleNamespace(data="x"))
    assert isinstance(seen[0]["exception"], RuntimeError)


def test_bad_url_is_a_typed_error() -> None:
    """The browser's SyntaxError becomes InvalidArgumentError."""
    js, _ = fake_js()
    with pytest.raises(InvalidArgumentError, match="Cannot open a WebSocket"):
        transport_for(js).open_socket("http://nope", Listener())


def test_storage_treats_js_null_as_missing() -> None:
    """getItem's JS null (jsnull in Pyodide, not None) reads as None; None removes."""
    js, _ = fake_js()
    transport = transport_for(js)
    assert transport.storage_get("k") is None
    transport.storage_set("k", "v")
    assert transport.storage_get("k") == "v"
    transport.storage_set("k", None)
    assert transport.storage_get("k") is None
