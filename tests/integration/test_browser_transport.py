"""Level 2: the FFI seam (transport/browser.py) over fake JS objects, in CPython.

The fakes stand in for Pyodide's ``js`` module and ``pyodide.ffi``: ``create_proxy``
counts live proxies, the fake WebSocket fires its handlers when told. This proves
proxy ownership (every proxy destroyed after close) before any browser is involved.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from types import SimpleNamespace
from typing import Any

import pytest

from kuzzle_browser import InvalidArgumentError, NetworkError
from kuzzle_browser.transport.browser import _JS_PUMP, BrowserTransport


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


class FakePump:
    """_JS_PUMP's contract, in Python: the probe and the microtask run when a test says so.

    The JS itself runs under Node in test_js_pump_* below.
    """

    def __init__(self, ws: FakeJsWebSocket, one: Any, many: Any, closed: Any) -> None:
        self.ws, self.one, self.many, self.closed = ws, one, many, closed
        self.queue: list[Any] = []
        self.pending, self.live = False, True
        self.sends: list[list[str]] = []
        ws.onmessage, ws.onclose, ws.pump = self.message, self.close, self

    def message(self, event: Any) -> None:
        data = event.data
        if self.pending:
            self.queue.append(data)
            return
        self.pending = True
        self.one(data)

    def probe(self) -> None:
        """The MessageChannel task."""
        if not self.live:
            return
        if not self.queue:
            self.pending = False
            return
        frames, self.queue = self.queue, []
        self.many(FakeJsArray(frames))

    def close(self, event: Any) -> None:
        if self.live and self.queue:
            frames, self.queue = self.queue, []
            self.many(FakeJsArray(frames))
        self.closed(event)

    def send(self, texts: list[str]) -> None:
        self.sends.append(texts)
        for text in texts:
            self.ws.send(text)

    def stop(self) -> None:
        self.live = False
        self.queue = []


class FakeJsArray(list[Any]):
    def to_py(self, depth: int = -1) -> list[Any]:
        return list(self)


class FakeJsWebSocket:
    def __init__(self, url: str) -> None:
        if not url.startswith(("ws://", "wss://")):
            raise FakeJsException("SyntaxError: invalid URL")
        self.url = url
        self.readyState = 0
        self.sent: list[str] = []
        self.closed_with: tuple[int, str] | None = None
        self.onopen = self.onmessage = self.onerror = self.onclose = None
        self.pump: FakePump | None = None

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

    def new_function(*params_and_body: str) -> Any:
        if csp:
            raise FakeJsException("EvalError: Refused to evaluate a string as JavaScript")
        assert params_and_body[-1] == _JS_PUMP
        return FakePump

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

    def socket_messages(self, frames: list[str | bytes]) -> None:
        self.events.append(frames)

    def socket_closed(self, code: int, reason: str, was_clean: bool) -> None:
        self.events.append(("closed", code, reason, was_clean))


def transport_for(js: Any) -> BrowserTransport:
    ffi = SimpleNamespace(create_proxy=FakeProxy, to_js=lambda value, **_: value, JsException=FakeJsException)
    return BrowserTransport(js_globals=js, ffi=ffi)


def opened(csp: bool = False) -> tuple[BrowserTransport, Any, FakeJsWebSocket, Listener]:
    """A transport, its socket (open) and the fake JS WebSocket behind it."""
    FakeProxy.live = 0
    js, sockets = fake_js(csp=csp)
    transport = transport_for(js)
    listener = Listener()
    socket = transport.open_socket("ws://127.0.0.1:7512", listener)
    js_ws = sockets[0]
    js_ws.onopen(SimpleNamespace())
    js_ws.readyState = 1
    return transport, socket, js_ws, listener


def pump_of(js_ws: FakeJsWebSocket) -> FakePump:
    assert js_ws.pump is not None
    return js_ws.pump


def frame(data: Any) -> SimpleNamespace:
    return SimpleNamespace(data=data)


BINARY = SimpleNamespace(to_bytes=lambda: b"\x01")  # an ArrayBuffer's JsProxy


@pytest.mark.parametrize("csp", [False, True])
async def test_socket_reports_and_frees_its_proxies(csp: bool) -> None:
    """Open, messages, close: the listener hears each; every proxy is destroyed afterwards."""
    transport, socket, js_ws, listener = opened(csp)
    assert js_ws.binaryType == "arraybuffer" and transport.live_proxies == FakeProxy.live == (4 if csp else 5)
    js_ws.onmessage(frame('{"p":2}'))
    if not csp:
        pump_of(js_ws).probe()  # Python was idle: the next frame is handed over at once too
    js_ws.onmessage(frame(BINARY))
    js_ws.onclose(SimpleNamespace(code=1006, reason="gone", wasClean=False))
    assert listener.events == ["open", '{"p":2}', b"\x01", ("closed", 1006, "gone", False)]
    assert js_ws.onmessage is None and js_ws.onclose is None
    await asyncio.sleep(0)  # destroyed on the next tick, never from inside their own call
    assert transport.live_proxies == FakeProxy.live == 0
    with pytest.raises(NetworkError):
        socket.send("late")


async def test_a_lone_frame_is_delivered_at_once() -> None:
    """A frame that finds Python idle is not held for a batch (sequential latency)."""
    _, _, js_ws, listener = opened()
    js_ws.onmessage(frame("a"))
    assert listener.events == ["open", "a"]
    pump_of(js_ws).probe()  # no frame came meanwhile: idle again
    js_ws.onmessage(frame("b"))
    assert listener.events == ["open", "a", "b"]


async def test_frames_that_arrive_meanwhile_come_in_one_batch_in_order() -> None:
    """A burst: the first frame at once, the rest in one call per probe, none lost, order kept."""
    _, _, js_ws, listener = opened()
    pump = pump_of(js_ws)
    for data in ["1", "2", BINARY, "4"]:
        js_ws.onmessage(frame(data))
    pump.probe()
    js_ws.onmessage(frame("5"))
    pump.probe()
    pump.probe()
    assert listener.events == ["open", "1", ["2", b"\x01", "4"], ["5"]]
    assert not pump.pending


async def test_queued_frames_go_before_the_close() -> None:
    """Frames still queued in JS when the close event comes reach the listener first."""
    transport, _, js_ws, listener = opened()
    js_ws.onmessage(frame("1"))
    js_ws.onmessage(frame("2"))
    js_ws.onmessage(frame("3"))
    js_ws.onclose(SimpleNamespace(code=1001, reason="", wasClean=True))
    assert listener.events == ["open", "1", ["2", "3"], ("closed", 1001, "", True)]
    await asyncio.sleep(0)
    assert transport.live_proxies == 0


class Answering(Listener):
    """Sends from inside the message handler, as the tasks an answer wakes there do."""

    def __init__(self, texts: list[str]) -> None:
        super().__init__()
        self.socket: Any = None
        self.texts = texts

    def socket_message(self, data: str | bytes) -> None:
        super().socket_message(data)
        for text in self.texts:
            self.socket.send(text)
        assert self.socket._js_ws.sent == [], "sent before the handler returned"

    def socket_messages(self, frames: list[str | bytes]) -> None:
        self.socket_message(frames[0])


@pytest.mark.parametrize("csp", [False, True])
async def test_sends_made_inside_a_message_handler_go_out_together_after_it(csp: bool) -> None:
    """Many sends in one handler: one JS call once it returns, in order (each at once without the pump)."""
    js, sockets = fake_js(csp=csp)
    listener = Answering(["a", "b", "c"])
    socket = listener.socket = transport_for(js).open_socket("ws://127.0.0.1:7512", listener)
    js_ws = sockets[0]
    js_ws.readyState = 1
    js_ws.onmessage(frame("answer"))
    assert js_ws.sent == ["a", "b", "c"]
    if not csp:
        assert pump_of(js_ws).sends == [["a", "b", "c"]]
    socket.send("d")  # outside a handler: at once
    assert js_ws.sent == ["a", "b", "c", "d"]


async def test_a_lone_send_in_a_handler_and_close_in_a_handler() -> None:
    """One buffered text goes out by itself; close() from a handler sends what is buffered first."""
    js, sockets = fake_js()
    listener = Answering(["only"])
    socket = listener.socket = transport_for(js).open_socket("ws://127.0.0.1:7512", listener)
    js_ws = sockets[0]
    js_ws.readyState = 1
    js_ws.onmessage(frame("answer"))
    assert js_ws.sent == ["only"] and pump_of(js_ws).sends == []
    listener.texts = []
    socket._handling = True  # as inside a handler
    socket.send("last words")
    socket.close(1000)
    assert (js_ws.sent, js_ws.closed_with) == (["only", "last words"], (1000, ""))


async def test_send_raises_when_not_open() -> None:
    """NetworkError before open and after a close."""
    FakeProxy.live = 0
    js, sockets = fake_js()
    socket = transport_for(js).open_socket("ws://127.0.0.1:7512", Listener())
    with pytest.raises(NetworkError):
        socket.send("too early")
    sockets[0].readyState = 1
    socket.send("at once")
    sockets[0].onclose(SimpleNamespace(code=1006, reason="", wasClean=False))
    with pytest.raises(NetworkError):
        socket.send("too late")
    assert sockets[0].sent == ["at once"]


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


# The pump's JS itself, under Node (MessageChannel and queueMicrotask as in browsers).
# Each onmessage call below stands for one browser task; frames fired in one Node
# tick are frames that were queued before the pump's probe.
NODE_HARNESS = """
const [body] = process.argv.slice(1);
const log = [];
const ws = { sent: [], send(text) { this.sent.push(text); log.push(["sent", text]); } };
const make = new Function("ws", "one", "many", "closed", body);
let failOnce = false;
const pump = make(
  ws,
  (data) => { log.push(["one", data]); if (failOnce) { failOnce = false; throw new Error("python bug"); } },
  (frames) => log.push(["many", [...frames]]),
  (event) => log.push(["closed", event.code]),
);
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const msg = (data) => { try { ws.onmessage({ data }); } catch (e) { log.push(["threw", e.message]); } };
(async () => {
  msg("lone"); log.push(["after lone"]);
  await tick();
  for (const n of [1, 2, 3, 4]) msg(String(n));
  await tick();
  msg("5");
  await tick();
  msg("6"); failOnce = true; msg("7"); msg("8");
  await tick();
  pump.send(["a", "b", "c"]);
  msg("9"); msg("10"); msg("11"); msg("12"); ws.onclose({ code: 1006 });
  await tick();
  pump.stop(); msg("after stop");
  await tick();
  console.log(JSON.stringify(log));
  process.exit(0);
})();
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node")
def test_js_pump_under_node() -> None:
    """The real pump: a lone frame at once, bursts batched in order, sends in order, close last."""
    run = subprocess.run(
        ["node", "-e", NODE_HARNESS, _JS_PUMP], capture_output=True, text=True, timeout=30, check=True
    )
    assert json.loads(run.stdout) == [
        ["one", "lone"],
        ["after lone"],  # delivered inside its own onmessage
        ["one", "1"],  # long after the last delivery: at once, no probe
        ["one", "2"],  # right after one: at once, and a probe for what comes next
        ["many", ["3", "4"]],
        ["one", "5"],  # the probe found nothing: idle again
        ["one", "6"],
        ["one", "7"],
        ["threw", "python bug"],
        ["many", ["8"]],  # a raising handler does not stop the pump
        ["sent", "a"],
        ["sent", "b"],
        ["sent", "c"],
        ["one", "9"],
        ["one", "10"],
        ["many", ["11", "12"]],
        ["closed", 1006],
        ["one", "after stop"],  # stop() is the Python side's: it also unhooks onmessage
    ]
