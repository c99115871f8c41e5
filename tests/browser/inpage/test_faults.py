"""Reliability and security under faults and bad input, in Chromium, with figures.

Each scenario reports its figure with ``inpage_faults.report``; the run ends with a
table of them (scenario, figure, value, bound). Breakable links go through the fault
proxy (``PROXY_PORT``); server restarts, silence and raw frames use the dev server's
control surface.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import uuid
from typing import Any

import js  # type: ignore[import-not-found]
from inpage_faults import PROXY_PORT, outage, proxy, report
from inpage_support import (
    SERVER_HOST,
    SERVER_PORT,
    control,
    document_cookie,
    next_event,
    raises,
    scaled,
    wait_for,
    within,
)
from pyodide.ffi import create_proxy  # type: ignore[import-not-found]

from kuzzle_browser import (
    InvalidArgumentError,
    Kuzzle,
    KuzzleError,
    NetworkError,
    ProtocolError,
    RequestTimeoutError,
    WebSocket,
)

INPAGE_TIMEOUT = 240
CREDENTIALS = {"username": "alice", "password": "alice-password"}


def client(port: int = SERVER_PORT, **options: Any) -> Kuzzle:
    protocol_options = {
        key: options.pop(key)
        for key in ("reconnection_delay", "ping_interval", "ssl", "connect_timeout")
        if key in options
    }
    protocol_options.setdefault("reconnection_delay", 0.1)
    return Kuzzle(WebSocket(SERVER_HOST, port=port, **protocol_options), **options)


async def test_1_requests_across_restarts_settle_exactly_once() -> None:
    """1,000 requests across 5 server restarts: none lost, hung or answered twice."""
    kuzzle = client(offline_mode="auto", queue_max_size=None, request_timeout=scaled(30))
    await within(kuzzle.connect())
    await control("requests", method="DELETE")
    run = uuid.uuid4().hex[:8]
    outcomes: dict[int, list[str]] = collections.defaultdict(list)

    async def one(n: int) -> None:
        try:
            await kuzzle.query({"controller": "server", "action": "now", "requestId": f"{run}-{n}"})
            outcomes[n].append("ok")
        except KuzzleError as exc:
            outcomes[n].append(type(exc).__name__)

    tasks: list[asyncio.Task[None]] = []
    try:
        for restart in range(5):
            base = restart * 200
            tasks += [asyncio.ensure_future(one(base + k)) for k in range(100)]  # in flight
            await asyncio.sleep(0)
            disconnected, reconnected = next_event(kuzzle, "disconnected"), next_event(kuzzle, "reconnected")
            await control("restart", {"down": 0.3})
            await within(disconnected)
            tasks += [asyncio.ensure_future(one(base + 100 + k)) for k in range(100)]  # queued
            await within(reconnected, 30)
        _, pending = await asyncio.wait(tasks, timeout=scaled(60))
    finally:
        await kuzzle.disconnect()
    recorded = await control("requests", method="GET")
    seen = collections.Counter(
        r["frame"].get("requestId")
        for r in recorded
        if r.get("transport") == "websocket" and isinstance(r.get("frame"), dict)
    )
    duplicated = sum(1 for rid, count in seen.items() if rid and rid.startswith(run) and count > 1)
    twice = sum(1 for values in outcomes.values() if len(values) > 1)
    hung = len(pending)
    lost = 1000 - len(outcomes) - hung
    kinds = collections.Counter(values[0] for values in outcomes.values())
    summary = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    await report(
        "1 requests across 5 restarts",
        "lost / hung / duplicated / settled twice",
        f"{lost} / {hung} / {duplicated} / {twice} ({summary})",
        "0 / 0 / 0 / 0",
        lost == hung == duplicated == twice == 0,
    )
    assert (lost, hung, duplicated, twice) == (0, 0, 0, 0), (lost, hung, duplicated, twice, kinds)
    assert kinds["ok"] >= 500, kinds  # every queued request at least went through


async def test_2_subscriptions_restored_after_restarts_and_renewals() -> None:
    """A notification published after each of 5 restarts and 3 cookie renewals arrives."""
    index = f"faults-{uuid.uuid4().hex[:8]}"
    watcher = client(cookie_auth=True)
    publisher = client()
    await within(watcher.connect())
    await within(publisher.connect())
    await within(watcher.auth.login("local", CREDENTIALS))
    await publisher.index.create(index)
    await publisher.collection.create(index, "c")
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    subscription = await watcher.realtime.subscribe(index, "c", {}, received.put_nowait)
    missing = 0

    async def subscribed() -> bool:
        try:
            return await publisher.realtime.count(subscription.room_id) >= 1
        except KuzzleError:  # core.realtime.room_not_found until the resubscription lands
            return False

    async def probe(label: str) -> None:
        nonlocal missing
        # No event says "resubscribed": ask the server (the only poll of this module).
        await wait_for(subscribed, 15, message="resubscribed")
        await publisher.realtime.publish(index, "c", {"probe": label})
        try:
            notification = await within(received.get(), 5)
            assert notification["result"]["_source"]["probe"] == label
        except TimeoutError:
            missing += 1

    try:
        for restart in range(5):
            reconnected = [next_event(k, "reconnected") for k in (watcher, publisher)]
            await control("restart", {"down": 0.2})
            await within(asyncio.gather(*reconnected), 30)
            await probe(f"restart-{restart}")
        for renewal in range(3):
            done = next_event(watcher.protocol, "websocketRenewalDone")
            await within(watcher.auth.login("local", CREDENTIALS))
            await within(done)
            await probe(f"renewal-{renewal}")
    finally:
        await publisher.index.delete(index)
        await watcher.disconnect()
        await publisher.disconnect()
    await report(
        "2 resubscription",
        "notifications missing after 5 restarts + 3 cookie renewals",
        missing,
        "0",
        missing == 0,
    )
    assert missing == 0
    assert subscription.active


async def test_3_half_open_link_detected_within_two_ping_intervals() -> None:
    """A black-holed link (no FIN, no RST) is declared dead within 2 x ping_interval."""
    interval = 0.5
    kuzzle = client(PROXY_PORT, ping_interval=interval, reconnection_delay=0.2)
    await within(kuzzle.connect())
    loop = asyncio.get_running_loop()
    disconnected, reconnected = next_event(kuzzle, "disconnected"), next_event(kuzzle, "reconnected")
    try:
        await proxy("mode", {"mode": "blackhole"})
        started = loop.time()
        await within(disconnected)
        detection = loop.time() - started
        await proxy("mode", {"mode": "pass"})
        await within(reconnected, 20)
    finally:
        await proxy("mode", {"mode": "pass"})
        await kuzzle.disconnect()
    bound = 2 * interval + scaled(0.3)
    await report(
        "3 half-open link",
        "detection time",
        f"{detection:.2f} s",
        f"<= 2 x ping_interval ({2 * interval:.1f} s) + timer slack",
        detection <= bound,
    )
    assert detection <= bound


async def test_4_disconnect_during_pending_reconnect_opens_no_socket() -> None:
    """disconnect() while a reconnection waits: no socket opens afterwards (counted at the proxy)."""
    kuzzle = client(PROXY_PORT, reconnection_delay=1.0)
    await within(kuzzle.connect())
    disconnected = next_event(kuzzle, "disconnected")
    await proxy("cut")
    await within(disconnected)
    await kuzzle.disconnect()
    before = (await proxy("stats"))["opened"]
    await asyncio.sleep(2.5)  # more than twice the reconnection delay: nothing may happen
    opened = (await proxy("stats"))["opened"] - before
    await report(
        "4 disconnect during reconnect", "sockets opened after disconnect()", opened, "0", opened == 0
    )
    assert opened == 0 and not kuzzle.connected


async def test_5_no_attempts_while_offline_prompt_reconnect_online() -> None:
    """Offline: no reconnection attempt; back online: reconnected at once."""
    kuzzle = client(PROXY_PORT, reconnection_delay=0.3)
    await within(kuzzle.connect())
    loop = asyncio.get_running_loop()
    back_online: asyncio.Future[float] = loop.create_future()
    on_online = create_proxy(lambda event: back_online.done() or back_online.set_result(loop.time()))
    js.addEventListener("online", on_online)
    errors: list[object] = []
    disconnected, reconnected = next_event(kuzzle, "disconnected"), next_event(kuzzle, "reconnected")
    try:
        before = (await proxy("stats"))["opened"]
        await outage(2.0)
        await within(disconnected)
        kuzzle.on("networkError", errors.append)
        online_at = await within(back_online)
        failed_while_offline = len(errors)
        await within(reconnected)
        delay = loop.time() - online_at
        attempts = (await proxy("stats"))["opened"] - before - 1  # minus the reconnection itself
    finally:
        js.removeEventListener("online", on_online)
        on_online.destroy()
        await kuzzle.disconnect()
    await report(
        "5 offline/online",
        "attempts while offline (sockets / failures)",
        f"{attempts} / {failed_while_offline}",
        "0 / 0",
        attempts == 0 and failed_while_offline <= 1,
    )
    await report("5 offline/online", "reconnection after `online`", f"{delay:.2f} s", "<= 1 s", delay <= 1.0)
    # At most one failure: the loss itself may be reported after the page went offline.
    assert attempts == 0 and failed_while_offline <= 1
    assert delay <= scaled(1.0)


async def test_6_bad_frames_are_typed_events_and_requests_still_settle() -> None:
    """Non-JSON, wrong shape, unknown room, no room, 5 MB, binary: typed events, no crash."""
    kuzzle = client()
    await within(kuzzle.connect())
    errors: list[dict[str, Any]] = []
    kuzzle.on("queryError", errors.append)
    frames = [
        {"frame": "this is not JSON"},
        {"frame": "[1, 2, 3]"},
        {"frame": json.dumps({"room": "no-such-channel", "result": {}})},
        {
            "frame": json.dumps(
                {"status": 400, "error": {"id": "x.y.z", "status": 400, "message": "roomless"}}
            )
        },
        {"frame": json.dumps({"room": "no-such-channel"}), "pad": 5 * 1024 * 1024},
        {"frame": "\x00\x01binary", "binary": True},
    ]
    try:
        pending = asyncio.ensure_future(kuzzle.server.now())
        for frame in frames:
            assert (await control("send", frame))["sent"] >= 1
        assert await within(pending) > 0  # a request in flight during the garbage still settles
        assert await within(kuzzle.server.now()) > 0 and kuzzle.connected
        await wait_for(lambda: len(errors) >= 4, 10, message="typed errors")
        await control("silence", {"requests": True})
        with raises(RequestTimeoutError):
            await kuzzle.query({"controller": "server", "action": "now"}, timeout=0.5)
    finally:
        await control("silence", {"requests": False})
        await kuzzle.disconnect()
    kinds = sorted({type(e["error"]).__name__ for e in errors})
    typed = all(isinstance(e["error"], KuzzleError) for e in errors)
    await report(
        "6 bad frames",
        "typed error events / crashes",
        f"{len(errors)} ({', '.join(kinds)}) / 0",
        ">= 4 typed / 0",
        typed and len(errors) >= 4,
    )
    assert typed and any(isinstance(e["error"], ProtocolError) for e in errors)


async def test_7_bad_user_input_fails_before_sending() -> None:
    """Wrong options, headers, bad requests, oversized bodies: typed errors, nothing sent."""
    kuzzle = client()
    await within(kuzzle.connect())
    await control("requests", method="DELETE")
    cases = {
        "headers": lambda: WebSocket(SERVER_HOST, headers={"Authorization": "Bearer x"}),
        "port type": lambda: WebSocket(SERVER_HOST, port="seventy"),
        "ping_interval": lambda: WebSocket(SERVER_HOST, ping_interval=-1),
        "queue_ttl": lambda: Kuzzle(WebSocket(SERVER_HOST), queue_ttl="long"),
        "offline_mode": lambda: Kuzzle(WebSocket(SERVER_HOST), offline_mode="sometimes"),
        "event name": lambda: kuzzle.on("conected", print),
    }
    coroutines = {
        "controller type": lambda: kuzzle.query({"controller": 42, "action": "now"}),
        "missing action": lambda: kuzzle.query({"controller": "server"}),
        "not JSON": lambda: kuzzle.query({"controller": "server", "action": "now", "body": {"x": {1, 2}}}),
        "volatile type": lambda: kuzzle.query({"controller": "server", "action": "now", "volatile": []}),
        "oversized body": lambda: kuzzle.document.create("i", "c", {"blob": "x" * (2 * 1024 * 1024)}),
        "scope value": lambda: kuzzle.realtime.subscribe("i", "c", {}, scope="sideways"),
    }
    typed = 0
    try:
        for call in cases.values():
            with raises(InvalidArgumentError):
                call()
            typed += 1
        for call in coroutines.values():
            with raises(InvalidArgumentError):
                await call()
            typed += 1
        assert isinstance(InvalidArgumentError("x"), ValueError)
    finally:
        await kuzzle.disconnect()
    recorded = await control("requests", method="GET")
    sent = [r for r in recorded if isinstance(r.get("frame"), dict) and "controller" in r["frame"]]
    total = len(cases) + len(coroutines)
    await report(
        "7 bad user input",
        "typed errors before sending / requests sent",
        f"{typed}/{total} / {len(sent)}",
        f"{total}/{total} / 0",
        typed == total and not sent,
    )
    assert typed == total and sent == []


async def test_8_no_leaks_after_1000_connect_disconnect_cycles() -> None:
    """Live proxies, listeners and tasks back to baseline after 1,000 cycles."""
    kuzzle = client()
    protocol = kuzzle.protocol
    transport = protocol.transport

    def listeners() -> int:
        return sum(kuzzle.listener_count(e) for e in kuzzle.events) + sum(
            protocol.listener_count(e) for e in protocol.events
        )

    baseline = (transport.live_proxies, listeners())
    for _ in range(1000):
        await kuzzle.connect()
        await kuzzle.disconnect()
    await wait_for(lambda: not kuzzle._tasks and not protocol._tasks, 10, message="tasks finished")
    await asyncio.sleep(0)
    after = (transport.live_proxies, listeners())
    await report(
        "8 leaks",
        "live proxies / listeners after 1,000 cycles (baseline)",
        f"{after[0]} / {after[1]} ({baseline[0]} / {baseline[1]})",
        "= baseline",
        after == baseline,
    )
    assert after == baseline


async def test_9_security() -> None:
    """Cookie auth: the token appears nowhere in the page; ssl=True uses only wss/https; logout anonymizes."""
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Capture(level=logging.DEBUG)
    sdk_logger = logging.getLogger("kuzzle_browser")
    sdk_logger.addHandler(handler)
    sdk_logger.setLevel(logging.DEBUG)
    payloads: list[str] = []
    kuzzle = client(cookie_auth=True)
    for name in kuzzle.events:
        kuzzle.on(name, lambda *payload: payloads.append(repr(payload)))
    await within(kuzzle.connect())
    await control("requests", method="DELETE")
    try:
        await within(kuzzle.auth.login("local", CREDENTIALS))
        await within(kuzzle.auth.refresh_token())  # HTTP with the cookie: the server log shows the token
        await kuzzle.auth.get_current_user()
        recorded = await control("requests", method="GET")
        cookies = [r["headers"].get("Cookie", "") for r in recorded if r.get("transport") == "http"]
        tokens = {
            part.split("=", 1)[1] for c in cookies for part in c.split("; ") if part.startswith("authToken=")
        }
        assert tokens, cookies
        python_state = _strings_reachable(kuzzle)
        storage = [
            str(js.localStorage.getItem(js.localStorage.key(i))) for i in range(js.localStorage.length)
        ]
        storage += [
            str(js.sessionStorage.getItem(js.sessionStorage.key(i))) for i in range(js.sessionStorage.length)
        ]
        places = {
            "document.cookie": document_cookie(),
            "web storage": " ".join(storage),
            "python attributes": " ".join(python_state),
            "repr": repr(kuzzle) + repr(kuzzle.protocol),
            "logs": " ".join(records),
            "event payloads": " ".join(payloads),
        }
        leaks = [place for place, text in places.items() for token in tokens if token in text]
        await within(kuzzle.auth.logout())
        anonymous = (await kuzzle.auth.get_current_user())["_id"]
    finally:
        sdk_logger.removeHandler(handler)
        await kuzzle.disconnect()
    secure = WebSocket(SERVER_HOST, port=SERVER_PORT, ssl=True)
    secure_kuzzle = Kuzzle(secure, cookie_auth=True)
    await control("requests", method="DELETE")
    with raises(NetworkError):
        await secure_kuzzle.auth.login("local", CREDENTIALS)
    plaintext = [r for r in await control("requests", method="GET") if r.get("transport") == "http"]
    schemes_ok = secure.url.startswith("wss://") and secure.http_url.startswith("https://") and not plaintext
    await report(
        "9 security", "places the cookie token leaked to", ", ".join(leaks) or "none", "none", not leaks
    )
    await report(
        "9 security",
        "ssl=True: plaintext requests / anonymous after logout",
        f"{len(plaintext)} / {anonymous == '-1'}",
        "0 / True",
        schemes_ok and anonymous == "-1",
    )
    assert not leaks, leaks
    assert schemes_ok and anonymous == "-1"


def _strings_reachable(root: object, depth: int = 5) -> list[str]:
    """Every string reachable from ``root`` through attributes, dicts and sequences."""
    found: list[str] = []
    seen: set[int] = set()

    def walk(value: object, level: int) -> None:
        if id(value) in seen or level > depth:
            return
        seen.add(id(value))
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key, level + 1)
                walk(item, level + 1)
        elif isinstance(value, list | tuple | set | frozenset | collections.deque):
            for item in value:
                walk(item, level + 1)
        elif hasattr(value, "__dict__") and type(value).__module__.startswith("kuzzle_browser"):
            for item in vars(value).values():
                walk(item, level + 1)
        elif hasattr(value, "__slots__") and type(value).__module__.startswith("kuzzle_browser"):
            for slot in value.__slots__:  # type: ignore[attr-defined]
                walk(getattr(value, slot, None), level + 1)

    walk(root, 0)
    return found


async def test_10_token_expiring_during_an_outage_loses_nothing() -> None:
    """Client A (through the proxy, token valid 3 s) is cut off for longer than that while it
    and client B (direct) keep writing. Back, A's session is gone: its writes wait (loginRequired
    with the count) instead of failing; after login() they land once each, and both clients'
    live queries show the same documents."""
    index = f"faults-{uuid.uuid4().hex[:8]}"
    a = client(PROXY_PORT, offline_mode="auto", ping_interval=0.5, connect_timeout=0.5)
    b = client()
    await within(a.connect())
    await within(b.connect())
    await within(b.auth.login("local", CREDENTIALS))
    await within(a.auth.login("local", CREDENTIALS, expires_in="3s"))
    await b.index.create(index)
    await b.collection.create(index, "c", {"mappings": {"properties": {"n": {"type": "integer"}}}})
    lives = [await within(k.document.live(index, "c", sort="n")) for k in (a, b)]
    writes: list[asyncio.Future[Any]] = []
    try:
        disconnected = next_event(a, "disconnected")
        await proxy("mode", {"mode": "blackhole"})
        await proxy("cut")
        await within(disconnected)
        writes = [asyncio.ensure_future(a.document.create(index, "c", {"n": n}, f"a{n}")) for n in range(3)]
        for n in range(2):
            await b.document.create(index, "c", {"n": 10 + n}, f"b{n}")
        await asyncio.sleep(3.5)  # A's token expires while it is away
        login_required = next_event(a, "loginRequired")
        await proxy("mode", {"mode": "pass"})
        waiting = (await within(login_required, 30))[0]["waiting"]
        assert waiting == 3 and a.login_required and not any(w.done() for w in writes)
        back = asyncio.get_running_loop().time()
        await within(a.auth.login("local", CREDENTIALS))
        results = await within(asyncio.gather(*writes, return_exceptions=True), 30)
        expected = ["a0", "a1", "a2", "b0", "b1"]
        await wait_for(lambda: all(live.ids == expected for live in lives), 15, message="converged")
        took = asyncio.get_running_loop().time() - back
    finally:
        await proxy("mode", {"mode": "pass"})
        for live in lives:
            await live.close()
        await b.index.delete(index)
        await a.disconnect()
        await b.disconnect()
    failed = [r for r in results if isinstance(r, BaseException)]
    stored = {live.ids == expected for live in lives}
    await report("10 token expiry in an outage", "writes lost or failed", len(failed), "0", not failed)
    await report(
        "10 token expiry in an outage", "clients that disagree", int(stored != {True}), "0", stored == {True}
    )
    await report(
        "10 token expiry in an outage", "time to converge after login", f"{took:.2f} s", "< 15 s", True
    )
    assert not failed, failed
