"""Microseconds of Python per sequential round trip, with warm and with cold CPU caches.

    node bench/profile/run_in_node.mjs bench/profile/round_trip.py   (from the repository root)

One task awaits ``kuzzle.query(server:now)`` in a loop over :class:`MockTransport`; a
plain loop callback (no task: the browser's message handler) hands it each answer through
the socket listener, as the page's pump does, so one round trip is the Python the page
runs per answer: routing, waking the task, building, encoding and sending the next request.

*Cold* touches 8 MB of JS memory between two round trips (its time is not counted). On a
page the browser's own work between two ``message`` events does the same to the caches,
and the warm figure is what no page sees: bench/README.md compares both with the time
measured in the page. *Floor* is about the least Python can do per round trip (the C JSON
encoder and scanner, one dict lookup, one :class:`Answer` woken in the handler, one
coroutine, one JS call to send): what no client written in Python goes far under.
The last expression, a JSON text of minima over ``ROUNDS`` (microseconds), is printed.
"""
# ruff: noqa: F704

from __future__ import annotations

import asyncio
import json
import time
from _json import make_encoder, make_scanner
from collections.abc import Callable, Coroutine
from typing import Any

import js  # type: ignore[import-not-found]

from kuzzle_browser import Kuzzle, WebSocket
from kuzzle_browser.answer import Answer, dispatch_directly
from kuzzle_browser.transport.mock import MockTransport

Client = Callable[[], Coroutine[Any, Any, None]]
Setup = tuple[Callable[[str], None], list[str], Client]  # answer(frame), the texts sent, the client

N = 3000
ROUNDS = 6
NOW = {"controller": "server", "action": "now"}
ANSWER = ('{"requestId":"%s","status":200,"error":null,"controller":"server","action":"now",'
          '"volatile":null,"room":"%s","result":{"now":1764132000000}}')  # fmt: skip
_thrash = js.Function.new("a", "let s = 0; for (let i = 0; i < a.length; i += 16) s += a[i]++; return s;")
_buffer = js.Float64Array.new(1 << 20)  # 8 MB: more than this machine's caches
loop = asyncio.get_running_loop()


def request_id(text: str) -> str:
    start = text.index('"requestId":"') + 13
    return text[start : text.index('"', start)]


async def measure(setup: Setup, cold: bool) -> float:
    """Per round trip: ``answer(frame)`` called for each of N answers, outside any task."""
    answer, sent, client = setup
    done: asyncio.Future[float] = loop.create_future()

    def drive() -> None:
        thrashing = 0.0
        start = time.perf_counter()
        for _ in range(N):
            if cold:
                before = time.perf_counter()
                _thrash(_buffer)
                thrashing += time.perf_counter() - before
            rid = request_id(sent.pop())
            answer(ANSWER % (rid, rid))
        done.set_result((time.perf_counter() - start - thrashing) / N * 1e6)

    task = asyncio.ensure_future(client())
    loop.call_soon(drive)  # after the task's first step, which sends the first request
    per_round_trip = await done
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    sent.clear()
    return per_round_trip


async def kuzzle_browser_round_trips() -> Setup:
    transport = MockTransport()
    kuzzle = Kuzzle(WebSocket("kuzzle.test", transport=transport))
    await kuzzle.connect()
    sent: list[str] = []
    transport.socket.send = sent.append  # type: ignore[method-assign]

    async def client() -> None:
        while True:
            await kuzzle.query(NOW)

    return transport.socket.listener.socket_message, sent, client


async def floor_round_trips() -> Setup:
    encode = make_encoder(None, None, json.encoder.encode_basestring, None, ":", ",", False, False, False)  # type: ignore[arg-type]
    scan = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
    send = js.Function.new("text", "return text.length;")
    pending: dict[str, Answer[Any]] = {}
    sent: list[str] = []
    volatile = {"sdkInstanceId": "01234567-89ab-4def-8123-456789abcdef", "sdkName": "floor@0"}

    async def client() -> None:
        counter = 0
        while True:
            counter += 1
            rid = f"0123456789abcdef0123456789abcdef-{counter}"
            future = pending[rid] = Answer(loop)
            text = "".join(encode({**NOW, "requestId": rid, "volatile": volatile}, 0))
            send(text)
            sent.append(text)
            await future

    def answer(frame: str) -> None:
        payload = scan(frame, 0)[0]
        dispatch_directly(lambda: pending.pop(payload["room"]).set_result(payload))

    return answer, sent, client


results: dict[str, list[float]] = {}
for _ in range(ROUNDS):
    for name, make in (("kuzzle_browser", kuzzle_browser_round_trips), ("floor", floor_round_trips)):
        setup = await make()
        for cold in (False, True):
            value = await measure(setup, cold)
            results.setdefault(f"{name}, {'cold' if cold else 'warm'}", []).append(value)
json.dumps({name: round(min(values), 1) for name, values in results.items()}, indent=1)
