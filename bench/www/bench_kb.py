"""The kuzzle_browser side of the bench page (written into Pyodide's FS by bench.js).

Each entry point is a coroutine called from JS; it returns its result as JSON text so
that nothing but one string crosses back. Timing is ``time.perf_counter`` (Pyodide maps
it to ``performance.now()``, 5 µs resolution on this cross-origin-isolated page).
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
import tracemalloc
import types
from typing import Any

import js  # type: ignore[import-not-found]

from kuzzle_browser import Kuzzle, NetworkError, WebSocket
from kuzzle_browser.transport.browser import BrowserSocket, BrowserTransport

NOW = {"controller": "server", "action": "now"}
# One client per transport policy: "" is the shipped one; the others are what
# bench/README.md compares it with, in the same run (run.py --variant NAME).
clients: dict[str, Kuzzle] = {}
_collections = 0
# Per variant: JS -> Python message calls and the frames they carried (the pump's batching).
calls: dict[str, list[int]] = {}


class _Counting:
    """A SocketListener in front of the real one: counts calls and frames."""

    def __init__(self, listener: Any, counts: list[int]) -> None:
        self.listener, self.counts = listener, counts
        self.socket_opened, self.socket_closed = listener.socket_opened, listener.socket_closed

    def socket_message(self, data: str | bytes) -> None:
        self.counts[0] += 1
        self.counts[1] += 1
        self.listener.socket_message(data)

    def socket_messages(self, frames: list[str | bytes]) -> None:
        self.counts[0] += 1
        self.counts[1] += len(frames)
        self.listener.socket_messages(frames)


def _frames_per_call(variant: str, before: list[int]) -> float:
    after = calls[variant]
    return (after[1] - before[1]) / max(1, after[0] - before[0])


def _transport(variant: str, counting: bool) -> BrowserTransport:
    transport = BrowserTransport()
    counts = calls[variant] = [0, 0]
    if counting:  # variant runs only: the wrapper costs a call per delivery
        plain = transport.open_socket
        transport.open_socket = lambda url, listener: plain(url, _Counting(listener, counts))  # type: ignore[method-assign]
    counted = transport.open_socket
    if not variant:
        return transport

    def send_at_once(socket: BrowserSocket, text: str) -> None:
        if not socket.is_open:
            raise NetworkError("The WebSocket is not open")
        socket._js_ws.send(text)

    def open_socket(url: str, listener: Any) -> BrowserSocket:
        socket = counted(url, listener)
        socket.send = types.MethodType(send_at_once, socket)  # type: ignore[method-assign]
        return socket

    transport.open_socket = open_socket  # type: ignore[method-assign]
    if variant == "per-frame":  # no pump: one JS -> Python call per frame, as before batching
        transport.pump = lambda: None  # type: ignore[method-assign]
    return transport


async def connect(host: str, port: int, variant: str = "", counting: bool = False) -> None:
    kuzzle = clients[variant] = Kuzzle(WebSocket(host, port=port, transport=_transport(variant, counting)))
    await kuzzle.connect()


def _client(variant: str = "") -> Kuzzle:
    return clients[variant]


def _percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"p50": at(0.5), "p99": at(0.99)}


async def seq(n: int, variant: str = "") -> str:
    query, clock = _client(variant).query, time.perf_counter
    latencies = [0.0] * n
    start = clock()
    for i in range(n):
        t = clock()
        await query(NOW)
        latencies[i] = clock() - t
    total = clock() - start
    return json.dumps({"rate": n / total, **_percentiles(latencies)})


async def _pipe(total: int, window: int, variant: str = "") -> float:
    query = _client(variant).query
    per = max(1, total // window)

    async def worker() -> None:
        for _ in range(per):
            await query(NOW)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(window)))
    return per * window / (time.perf_counter() - start)


async def pipe(total: int, window: int, variant: str = "") -> str:
    before = calls[variant][:]
    rate = await _pipe(total, window, variant)
    return json.dumps({"rate": rate, "frames_per_call": _frames_per_call(variant, before)})


def _fresh_collection(who: str) -> str:
    global _collections
    _collections += 1
    return f"{who}-{_collections}"


async def _notif_callback(n: int, variant: str = "") -> float:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    state = [0, 0]

    def on_notification(notification: dict[str, Any]) -> None:
        state[0] += 1
        state[1] += notification["result"]["_source"]["n"]
        if state[0] == n:
            done.set_result(None)

    subscription = await _client(variant).realtime.subscribe(
        "bench", _fresh_collection("kbcb"), {}, on_notification
    )
    start = time.perf_counter()
    blast = js.benchBlast(subscription.channel, n)
    await done
    elapsed = time.perf_counter() - start
    await blast
    await subscription.unsubscribe()
    if state[1] != n * (n - 1) // 2:
        raise AssertionError(f"notifications lost or reordered: {state[0]}/{n}")
    return n / elapsed


async def notif_callback(n: int, variant: str = "") -> str:
    before = calls[variant][:]
    rate = await _notif_callback(n, variant)
    return json.dumps({"rate": rate, "frames_per_call": _frames_per_call(variant, before)})


async def notif_iter(n: int, variant: str = "") -> str:
    subscription = await _client(variant).realtime.subscribe("bench", _fresh_collection("kbit"), {})
    before = calls[variant][:]
    count = total = 0
    start = time.perf_counter()
    blast = js.benchBlast(subscription.channel, n)
    async for notification in subscription:
        count += 1
        total += notification["result"]["_source"]["n"]
        if count == n:
            break
    elapsed = time.perf_counter() - start
    await blast
    await subscription.unsubscribe()
    if total != n * (n - 1) // 2:
        raise AssertionError(f"notifications lost or reordered: {count}/{n}")
    return json.dumps({"rate": n / elapsed, "frames_per_call": _frames_per_call(variant, before)})


async def _snapshot() -> dict[str, Any]:
    gc.collect()
    return {
        "live_proxies": _client().protocol.transport.live_proxies,  # type: ignore[attr-defined]
        "py_traced_bytes": tracemalloc.get_traced_memory()[0],
        "py_gc_objects": len(gc.get_objects()),
        **json.loads(await js.benchJsHeap()),
        "wasm_memory_bytes": js.benchWasmHeap(),
    }


async def memory(warmup: int, requests: int, notifications: int, steps: int) -> str:
    """A snapshot after a warm-up, then after every ``1/steps`` of the requests, then of the notifications.

    Python's heap is what tracemalloc traces (started here: it slows allocation, so the
    rates of this phase are not comparable with the throughput tables).
    """
    tracemalloc.start()
    await _pipe(warmup, 100)
    await _notif_callback(min(warmup, notifications))
    await asyncio.sleep(0.05)  # let the proxies of the subscription round trips be destroyed
    series = [{"requests": 0, "notifications": 0, **await _snapshot()}]
    started = time.perf_counter()
    for step in range(1, steps + 1):
        await _pipe(requests // steps, 100)
        series.append({"requests": step * requests // steps, "notifications": 0, **await _snapshot()})
    requests_s = time.perf_counter() - started
    started = time.perf_counter()
    for step in range(1, steps + 1):
        await _notif_callback(notifications // steps)
        await asyncio.sleep(0.05)
        series.append(
            {"requests": requests, "notifications": step * notifications // steps, **await _snapshot()}
        )
    notifications_s = time.perf_counter() - started
    tracemalloc.stop()
    return json.dumps(
        {
            "requests": requests,
            "notifications": notifications,
            "series": series,
            "seconds": {"requests": requests_s, "notifications": notifications_s},
        }
    )
