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
from kuzzle_browser.protocol.messages import decode_frame, encode_request
from kuzzle_browser.websocket import WebSocket, _Link

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
per_call("decode_frame", lambda: decode_frame(TEXT))
protocol = WebSocket("127.0.0.1")
link = _Link.__new__(_Link)
link.owner, link.heartbeat, link.draining = protocol, None, False
protocol.add_channel_listener(str(NOTE["room"]), lambda payload: None)
per_call("_link_frame, notification to a listener", lambda: protocol._link_frame(link, TEXT))
per_call("socket_message (+ dispatch_directly)", lambda: link.socket_message(TEXT))

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
results["await Answer set in dispatch_directly (1 WebLoop task)"] = await awaited(
    lambda: Answer(loop), True
)
per_call("str(uuid.uuid4())", lambda: str(uuid.uuid4()))
REQUEST = {"controller": "server", "action": "now", "requestId": str(uuid.uuid4()),
           "volatile": {"sdkInstanceId": str(uuid.uuid4()), "sdkName": "python-browser@0.1.0"}}  # fmt: skip
per_call("encode_request", lambda: encode_request(REQUEST))
json.dumps(results, indent=1)
