"""Microseconds per operation on kuzzle_browser's hot paths, in Pyodide with no I/O.

Run by ``run_in_node.mjs`` (top-level ``await``: Pyodide's ``runPythonAsync``); the last
expression, a JSON text, is printed.
"""
# ruff: noqa: F704

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import js  # type: ignore[import-not-found]
from pyodide.ffi import create_proxy  # type: ignore[import-not-found]

from kuzzle_browser.answer import Answer, dispatch_directly
from kuzzle_browser.protocol.connection import State, _Socket, encode_request
from kuzzle_browser.websocket import WebSocket, _Listener

N = 20_000
NOTE = {
    "type": "document", "status": 200, "action": "publish", "scope": "in",
    "result": {"_id": None, "_source": {"n": 12345}}, "node": "knode-devserver",
    "event": "publish", "requestId": "devserver-blast", "timestamp": 1764132000000,
    "volatile": {}, "index": "bench", "collection": "kbcb-1",
    "controller": "realtime", "protocol": "websocket", "room": "0123456789abcdef0123456789abcdef-311",
}  # fmt: skip
TEXT = json.dumps(NOTE)
results: dict[str, Any] = {"notification bytes": len(TEXT)}


def per_call(name: str, fn: Callable[[], object]) -> None:
    start = time.perf_counter()
    for _ in range(N):
        fn()
    results[name] = round((time.perf_counter() - start) / N * 1e6, 2)


per_call("json.loads", lambda: json.loads(TEXT))
protocol = WebSocket("127.0.0.1")
core = protocol._core
core.state, core._current = State.CONNECTED, _Socket(1, None)  # a connected socket 1, no I/O
protocol.add_channel_listener(str(NOTE["room"]), lambda payload: None)
listener = _Listener(protocol, 1)
per_call("frames_received, one notification (routing only)", lambda: core.frames_received(1, [TEXT]))
per_call(
    "socket_message, notification to a listener (+ dispatch_directly)", lambda: listener.socket_message(TEXT)
)
BATCH = [TEXT] * 10
per_call("socket_messages, batch of 10 notifications (per frame)", lambda: listener.socket_messages(BATCH))
results["socket_messages, batch of 10 notifications (per frame)"] = round(
    results["socket_messages, batch of 10 notifications (per frame)"] / 10, 2
)
RESPONSE = ('{"requestId":"rq","status":200,"error":null,"controller":"server","action":"now",'
            '"volatile":null,"room":"rq","result":{"now":1764132000000}}')  # fmt: skip
_loop = asyncio.get_running_loop()


def respond() -> None:
    core.requests.add({"requestId": "rq", "controller": "server", "action": "now"}, (Answer(_loop), 1))
    listener.socket_message(RESPONSE)


per_call("response settles its request (register + frame + resolve)", respond)

# The FFI crossing: JS calls a create_proxy handler with the event, or with event.data.
on_event = create_proxy(lambda event: event.data)
on_data = create_proxy(lambda data: None)
loop_js = js.Function.new("h", "n", "a", "const t = performance.now(); for (let i = 0; i < n; i++) h(a); "
                          "return (performance.now() - t) / n * 1000;")  # fmt: skip
results["JS -> proxy(event), Python reads event.data"] = round(loop_js(on_event, N, js.Object.fromEntries(
    js.Array.of(js.Array.of("data", TEXT)))), 2)  # fmt: skip
results["JS -> proxy(event.data)"] = round(loop_js(on_data, N, TEXT), 2)
parse_js = js.Function.new("n", "d", "const t = performance.now(); "
                           "for (let i = 0; i < n; i++) JSON.parse(d); "
                           "return (performance.now() - t) / n * 1000;")  # fmt: skip
results["JS JSON.parse (same frame)"] = round(parse_js(N, TEXT), 2)

loop = asyncio.get_running_loop()


async def awaited(make: Callable[[], Any], direct: bool) -> float:
    start = time.perf_counter()
    for _ in range(2000):
        future = make()
        if direct:
            loop.call_soon(lambda f=future: dispatch_directly(lambda: f.set_result(1)))
        else:
            loop.call_soon(future.set_result, 1)
        await future
    return round((time.perf_counter() - start) / 2000 * 1e6, 2)


results["await asyncio.Future set by a loop callback (2 WebLoop tasks)"] = await awaited(
    loop.create_future, False
)
results["await Answer set in dispatch_directly (1 WebLoop task)"] = await awaited(lambda: Answer(loop), True)
per_call("str(uuid.uuid4())", lambda: str(uuid.uuid4()))
REQUEST = {"controller": "server", "action": "now", "requestId": str(uuid.uuid4()),
           "volatile": {"sdkInstanceId": str(uuid.uuid4()), "sdkName": "python-browser@0.1.0"}}  # fmt: skip
per_call("encode_request", lambda: encode_request(REQUEST))
json.dumps(results, indent=1)
