"""The fidelity scenarios (tests/fidelity/scenarios.json) with kuzzle_browser, inside Pyodide.

Same steps and checks as ``www/official_scenarios.js`` (the official JS SDK). The host
(``tests/fidelity/fidelity.py``) boots one Pyodide page with the browser harness, writes
this module next to ``inpage_support`` and calls ``run_scenario(id, timeout, config)``
for each scenario; it answers JSON ``{"ok", "detail", "seconds"}``. Each scenario returns a
detail string or raises; clients it made are closed afterwards.

The HTTP scenarios use ``Kuzzle(Http(...))`` in both columns.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from inpage_support import (
    SERVER_HOST,
    SERVER_PORT,
    SERVER_URL,
    control,
    document_cookie,
    scaled,
    wait_for,
)

from kuzzle_browser import (
    BaseController,
    BatchController,
    Http,
    InvalidArgumentError,
    Kuzzle,
    KuzzleError,
    NetworkError,
    NetworkProtocol,
    WebSocket,
)
from kuzzle_browser.events import EventEmitter

Scenario = Callable[[], Awaitable[str]]
SCENARIOS: dict[str, Scenario] = {}
C: dict[str, Any] = {}  # the constants of scenarios.json, set by run_scenario
_clients: list[Kuzzle] = []


class Check(AssertionError):
    """A scenario check failed; its message is the detail shown in the table."""


def scenario(func: Scenario) -> Scenario:
    SCENARIOS[func.__name__] = func
    return func


# ----------------------------------------------------------------------------- helpers


def check(condition: object, message: str) -> None:
    if not condition:
        raise Check(message)


async def within(awaitable: Awaitable[Any], seconds: float, what: str) -> Any:
    try:
        return await asyncio.wait_for(awaitable, scaled(seconds))
    except TimeoutError:
        raise Check(f"timed out after {scaled(seconds):g} s: {what}") from None


def next_event(emitter: EventEmitter, name: str) -> asyncio.Future[tuple[Any, ...]]:
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()
    emitter.once(name, lambda *payload: future.done() or future.set_result(payload))
    return future


async def poll_for(predicate: Callable[[], Any], seconds: float, what: str) -> None:
    """Poll only where no event exists (server-side state, absence of a notification)."""
    try:
        await wait_for(predicate, seconds, interval=0.05, message=what)
    except TimeoutError as exc:
        raise Check(str(exc)) from None


def ws_protocol(**options: Any) -> WebSocket:
    return WebSocket(SERVER_HOST, port=SERVER_PORT, **{"reconnection_delay": 0.2, **options})


async def connected(protocol: NetworkProtocol | None = None, **options: Any) -> Kuzzle:
    kuzzle = Kuzzle(protocol or ws_protocol(), **options)
    _clients.append(kuzzle)
    await within(kuzzle.connect(), 10, "connect")
    return kuzzle


def credentials() -> dict[str, str]:
    return {"username": C["user"], "password": C["password"]}


async def ws_frames() -> list[Any]:
    recorded = await control("requests?limit=1000", method="GET")
    return [r["frame"] for r in recorded if r.get("transport") == "websocket"]


async def publish_over_http(index: str, collection: str, message: dict[str, Any]) -> None:
    import js  # type: ignore[import-not-found]
    from pyodide.ffi import to_js  # type: ignore[import-not-found]

    init = {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": json.dumps(message)}
    response = await js.fetch(
        f"{SERVER_URL}/{index}/{collection}/_publish", to_js(init, dict_converter=js.Object.fromEntries)
    )
    check(response.ok, f"HTTP publish -> {response.status}")


async def expect_error(awaitable: Awaitable[Any], id_: str, status: int, code: int | None = None) -> str:
    try:
        await within(awaitable, 10, f"error {id_}")
    except KuzzleError as exc:
        error = exc
    else:
        raise Check(f"resolved instead of failing with {id_}")
    check(error.id == id_, f"error id {error.id} ({error}), expected {id_}")
    check(error.status == status, f"{id_}: status {error.status}, expected {status}")
    check(code is None or error.code == code, f"{id_}: code {error.code}, expected {code}")
    return f"{id_} {error.status}"


async def collection_ready(kuzzle: Kuzzle) -> tuple[str, str]:
    index, collection = C["index"], C["collection"]
    await kuzzle.index.create(index)
    await kuzzle.collection.create(index, collection, {"mappings": C["mappings"]})
    return index, collection


async def sockets() -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = await control("sockets", method="GET")
    return result


def tag(notification: dict[str, Any]) -> str:
    result = notification.get("result") or {}
    _id = result.get("_id")
    return f"{notification.get('action')}/{notification.get('scope')}/{'-' if _id is None else _id}"


# --------------------------------------------------------------------------- scenarios


@scenario
async def connect() -> str:
    kuzzle = await connected()
    check(kuzzle.connected, "not connected after connect()")
    now = await within(kuzzle.server.now(), 10, "server:now")
    check(isinstance(now, int), f"server:now gave {now!r}")
    return "connected; server:now answered"


@scenario
async def ping() -> str:
    known = {s["id"] for s in await sockets()}
    drops: list[Any] = []
    kuzzle = await connected(ws_protocol(ping_interval=0.3))
    kuzzle.on("disconnected", drops.append)

    async def three_pings() -> dict[str, Any] | None:
        mine = [s for s in await sockets() if s["id"] not in known and s["open"]]
        return mine[0] if len(mine) == 1 and mine[0]["pings"] >= 3 else None

    found: list[dict[str, Any]] = []

    async def counted() -> bool:
        ours = await three_pings()
        found[:] = [ours] if ours else []
        return bool(ours)

    await poll_for(counted, 10, "3 pings counted by the server on our socket")
    ours = found[0]
    # unanswered pings would have dropped the link within 2 intervals
    check(not drops and kuzzle.connected, "the link dropped while pinging")
    await within(kuzzle.server.now(), 10, "server:now after pings")
    return f"{ours['pings']} pings counted, link alive"


@scenario
async def ws_auth() -> str:
    kuzzle = await connected()
    jwt = await within(kuzzle.auth.login("local", credentials()), 10, "login")
    check(isinstance(jwt, str) and kuzzle.jwt == jwt, "login did not return/store the jwt")
    result = await within(kuzzle.auth.check_token(jwt), 10, "checkToken")
    check(result["valid"] is True and result.get("kuid") == C["user"], f"checkToken: {result}")
    me = await within(kuzzle.auth.get_current_user(), 10, "getCurrentUser")
    check(me["_id"] == C["user"], f"getCurrentUser: {me['_id']}")
    await within(kuzzle.auth.logout(), 10, "logout")
    check(kuzzle.jwt is None, "jwt kept after logout")
    after = await within(kuzzle.auth.check_token(jwt), 10, "checkToken after logout")
    check(after["valid"] is False, "token still valid after logout")
    return "login, checkToken valid, getCurrentUser, logout, token invalid"


@scenario
async def http_auth() -> str:
    kuzzle = await connected(Http(SERVER_HOST, port=SERVER_PORT))
    jwt = await within(kuzzle.auth.login("local", credentials()), 10, "login")
    check(isinstance(jwt, str) and kuzzle.jwt == jwt, "login did not return/store the jwt")
    result = await within(kuzzle.auth.check_token(jwt), 10, "checkToken")
    check(result["valid"] is True and result.get("kuid") == C["user"], f"checkToken: {result}")
    me = await within(kuzzle.auth.get_current_user(), 10, "getCurrentUser")
    check(me["_id"] == C["user"], f"getCurrentUser: {me['_id']}")
    await within(kuzzle.auth.logout(), 10, "logout")
    after = await within(kuzzle.auth.check_token(jwt), 10, "checkToken after logout")
    check(after["valid"] is False, "token still valid after logout")
    return "login, checkToken valid, getCurrentUser (Bearer), logout, token invalid"


@scenario
async def http_cookie_auth() -> str:
    kuzzle = await connected(Http(SERVER_HOST, port=SERVER_PORT), cookie_auth=True)
    result = await within(kuzzle.auth.login("local", credentials()), 10, "cookie login")
    check(result is None and kuzzle.jwt is None, "login handed a jwt to Python")
    check("authToken" not in document_cookie(), "authToken visible in document.cookie")
    await control("requests", method="DELETE")
    me = await within(kuzzle.auth.get_current_user(), 10, "getCurrentUser with the cookie")
    check(me["_id"] == C["user"], f"getCurrentUser: {me['_id']} (cookie not sent?)")
    http = [r for r in await control("requests?limit=100", method="GET") if r.get("transport") == "http"]
    calls = [r for r in http if r["path"].endswith("/_me") and r["method"] != "OPTIONS"]
    check(calls, f"getCurrentUser not seen by the server: {[r['path'] for r in http]}")
    names = {name.lower() for name in calls[0]["headers"]}
    check("authorization" not in names, "the request carried an Authorization header")
    check("cookie" in names, "the request carried no cookie")
    return "login resolved without jwt; request with the HttpOnly cookie only"


@scenario
async def ws_cookie_login() -> str:
    kuzzle = await connected(cookie_auth=True)
    try:
        await within(kuzzle.auth.login("local", credentials()), 10, "cookie login over WebSocket")
    except KuzzleError as exc:
        raise Check(f"login rejected: {exc}") from exc
    me = await within(kuzzle.auth.get_current_user(), 10, "getCurrentUser over the renewed socket")
    check(me["_id"] == C["user"], f"getCurrentUser: {me['_id']}")
    check("authToken" not in document_cookie(), "authToken visible in document.cookie")
    return "login resolved; the renewed socket is authenticated by the cookie"


@scenario
async def document_crud() -> str:
    kuzzle = await connected()
    index, collection = await collection_ready(kuzzle)
    doc = kuzzle.document
    created = await doc.create(index, collection, {"n": 1, "name": "a"}, "d1", refresh="wait_for")
    check(created["_id"] == "d1" and created["_source"]["n"] == 1, f"create: {created}")
    got = await doc.get(index, collection, "d1")
    check(got["_source"]["name"] == "a" and got["_version"] == 1, f"get: {got}")
    check(await doc.exists(index, collection, "d1") is True, "exists: false")
    await doc.update(index, collection, "d1", {"n": 2})
    updated = await doc.get(index, collection, "d1")
    check(updated["_source"]["n"] == 2 and updated["_source"]["name"] == "a", f"update: {updated}")
    check(updated["_version"] == 2, f"version after update: {updated['_version']}")
    check(await doc.delete(index, collection, "d1") == "d1", "delete did not return the id")
    missing = await expect_error(
        doc.get(index, collection, "d1"), "services.storage.not_found", 404, 16842763
    )
    return f"create, get, exists, update (merged, _version 2), delete, then {missing}"


@scenario
async def search_from_size() -> str:
    kuzzle = await connected()
    index, collection = await collection_ready(kuzzle)
    documents = [{"_id": f"d{n}", "body": {"n": n}} for n in range(7)]
    await kuzzle.document.m_create(index, collection, documents, refresh="wait_for")
    await control("requests", method="DELETE")
    page = await kuzzle.document.search(index, collection, {"query": {"range": {"n": {"gte": 0}}}}, size=3)
    check(page.total == 7, f"total {page.total}")
    sizes: list[int] = []
    ids: set[str] = set()
    current = page
    while current is not None:
        sizes.append(len(current.hits))
        ids.update(hit["_id"] for hit in current.hits)
        current = await within(current.next(), 10, "next()")
    check(len(ids) == 7, f"{len(ids)} distinct hits")
    check(sizes == [3, 3, 1], f"page sizes {sizes}")
    froms = [
        f.get("from", 0) for f in await ws_frames() if isinstance(f, dict) and f.get("action") == "search"
    ]
    check(froms == [0, 3, 6], f"from on the wire: {froms}")
    return "7 hits in pages of 3,3,1; from 0,3,6 on the wire"


@scenario
async def search_after() -> str:
    kuzzle = await connected()
    index, collection = await collection_ready(kuzzle)
    values = [5, 3, 6, 0, 4, 1, 2]
    documents = [{"_id": f"d{i}", "body": {"n": n}} for i, n in enumerate(values)]
    await kuzzle.document.m_create(index, collection, documents, refresh="wait_for")
    await control("requests", method="DELETE")
    body = {"query": {"match_all": {}}, "sort": [{"n": "asc"}, {"_id": "asc"}]}
    current = await kuzzle.document.search(index, collection, body, size=3)
    seen: list[int] = []
    while current is not None:
        seen.extend(hit["_source"]["n"] for hit in current.hits)
        current = await within(current.next(), 10, "next()")
    check(seen == sorted(values), f"order {seen}")
    afters = [
        json.dumps(f["body"].get("search_after"), separators=(",", ":"))
        for f in await ws_frames()
        if isinstance(f, dict) and f.get("action") == "search"
    ]
    check(afters[:2] == ["null", '[2,"d6"]'], f"search_after on the wire: {afters}")
    return f"7 hits in sort order; search_after on the wire: {' '.join(afters[1:])}"


@scenario
async def collection_index() -> str:
    kuzzle = await connected()
    index, collection = C["index"], C["collection"]
    await kuzzle.index.create(index)
    check(await kuzzle.index.exists(index) is True, "index.exists false")
    check(index in await kuzzle.index.list(), "index.list misses it")
    await kuzzle.collection.create(
        index, collection, {"mappings": {"properties": {"name": {"type": "keyword"}}}}
    )
    check(await kuzzle.collection.exists(index, collection) is True, "collection.exists false")
    listing = await kuzzle.collection.list(index)
    names = [f"{c['name']}:{c['type']}" for c in listing["collections"]]
    check(names == [f"{collection}:stored"], f"collection.list {names}")
    mapping = await kuzzle.collection.get_mapping(index, collection)
    check(mapping["properties"]["name"]["type"] == "keyword", f"getMapping {mapping}")
    await kuzzle.collection.update_mapping(index, collection, {"properties": {"n": {"type": "integer"}}})
    mapping = await kuzzle.collection.get_mapping(index, collection)
    check("n" in mapping["properties"] and "name" in mapping["properties"], f"after updateMapping {mapping}")
    await kuzzle.document.create(index, collection, {"name": "x"}, refresh="wait_for")
    await kuzzle.collection.truncate(index, collection)
    check(await kuzzle.document.count(index, collection) == 0, "count after truncate")
    await kuzzle.collection.delete(index, collection)
    check(await kuzzle.collection.exists(index, collection) is False, "collection still exists")
    await kuzzle.index.delete(index)
    check(await kuzzle.index.exists(index) is False, "index still exists")
    return "index create/exists/list/delete; collection create/exists/list/mappings/truncate/delete"


@scenario
async def realtime_scope() -> str:
    kuzzle = await connected()
    index, collection = await collection_ready(kuzzle)
    seen: dict[str, list[str]] = {"in": [], "out": [], "red": []}
    filters = {"range": {"n": {"gte": 10}}}
    realtime = kuzzle.realtime
    await realtime.subscribe(index, collection, filters, lambda n: seen["in"].append(tag(n)), scope="in")
    await realtime.subscribe(index, collection, filters, lambda n: seen["out"].append(tag(n)), scope="out")
    await realtime.subscribe(
        index, collection, {"equals": {"color": "red"}}, lambda n: seen["red"].append(tag(n))
    )
    doc = kuzzle.document
    await doc.create(index, collection, {"n": 5}, "d1")
    await doc.create(index, collection, {"n": 20}, "d2")
    await doc.update(index, collection, "d2", {"n": 1})
    await realtime.publish(index, collection, {"color": "red"})
    await doc.create(index, collection, {"n": 50}, "d3")
    await doc.delete(index, collection, "d3")
    # d3's deletion is the last notification sent: once it is here, every earlier one is too
    await poll_for(
        lambda: len(seen["out"]) >= 2 and len(seen["in"]) >= 2 and len(seen["red"]) >= 1, 10, "notifications"
    )
    want = {
        "in": ["create/in/d2", "create/in/d3"],
        "out": ["update/out/d2", "delete/out/d3"],
        "red": ["publish/in/-"],
    }
    check(seen == want, f"notifications {seen}, expected {want}")
    return "scope in: create d2, d3; scope out: update d2, delete d3; publish: 1"


@scenario
async def unsubscribe() -> str:
    kuzzle = await connected()
    index, collection = await collection_ready(kuzzle)
    seen = {"x": 0, "all": 0}

    def bump(key: str) -> Callable[[dict[str, Any]], None]:
        return lambda notification: seen.__setitem__(key, seen[key] + 1)

    room_x = await kuzzle.realtime.subscribe(index, collection, {"equals": {"kind": "x"}}, bump("x"))
    await kuzzle.realtime.subscribe(index, collection, {}, bump("all"))
    await kuzzle.realtime.publish(index, collection, {"kind": "x"})
    await poll_for(lambda: seen["x"] == 1 and seen["all"] == 1, 10, "first notifications")
    await kuzzle.realtime.unsubscribe(room_x.room_id)
    await kuzzle.realtime.publish(index, collection, {"kind": "x"})
    await poll_for(lambda: seen["all"] == 2, 10, "notification on the remaining room")
    check(seen["x"] == 1, f"unsubscribed room got {seen['x'] - 1} more notification(s)")
    return "notified before; nothing after unsubscribe (other room still notified)"


@scenario
async def server_now_info() -> str:
    import js  # type: ignore[import-not-found]

    kuzzle = await connected()
    now = await kuzzle.server.now()
    page_now = float(js.Date.now())
    check(abs(now - page_now) < 60000, f"server:now {now} vs {page_now}")
    info = await kuzzle.server.info()
    check(info.get("serverInfo", {}).get("kuzzle"), f"server:info {str(info)[:200]}")
    version = info["serverInfo"]["kuzzle"].get("version")
    return f"now within 60 s of the page clock; info.serverInfo.kuzzle.version {version}"


@scenario
async def error_unknown_controller() -> str:
    kuzzle = await connected()
    query = kuzzle.query({"controller": "nosuchcontroller", "action": "x"})
    return await expect_error(query, "api.process.controller_not_found", 404, 33685508)


@scenario
async def error_unknown_action() -> str:
    kuzzle = await connected()
    query = kuzzle.query({"controller": "server", "action": "nosuchaction"})
    return await expect_error(query, "api.process.action_not_found", 404, 33685509)


@scenario
async def error_bad_arguments() -> str:
    kuzzle = await connected()
    index, collection = await collection_ready(kuzzle)
    missing = await expect_error(
        kuzzle.query({"controller": "document", "action": "get", "index": index, "collection": collection}),
        "api.assert.missing_argument",
        400,
        33619971,
    )
    create = {"controller": "document", "action": "create", "index": index, "collection": collection}
    wrong_type = await expect_error(
        kuzzle.query({**create, "body": {}, "silent": "yes"}), "api.assert.invalid_type", 400, 33619969
    )
    return f"{missing}; {wrong_type}"


@scenario
async def error_invalid_token() -> str:
    kuzzle = await connected()
    kuzzle.jwt = C["forged_jwt"]
    return await expect_error(kuzzle.auth.get_current_user(), "security.token.invalid", 401, 117506049)


@scenario
async def error_oversized_frame() -> str:
    index, collection = C["index"], C["collection"]
    big = {"big": "x" * int(C["oversized_bytes"])}
    # kuzzle_browser refuses it before sending (max_request_size, Kuzzle's server.maxRequestSize)...
    kuzzle = await connected()
    try:
        await within(kuzzle.document.create(index, collection, big), 20, "oversized (default)")
    except InvalidArgumentError as exc:
        refused = str(exc).split(";")[0]
    else:
        raise Check("the oversized request resolved")
    check(kuzzle.connected, "the link dropped after a refused request")
    await within(kuzzle.server.now(), 10, "server:now after the refusal")
    # ...and without that check, the server closes the socket: the request fails, the client recovers
    unchecked = await connected(ws_protocol(max_request_size=None))
    reconnected = next_event(unchecked, "reconnected")
    try:
        await within(unchecked.document.create(index, collection, big), 20, "oversized (unchecked)")
    except NetworkError as exc:
        failure = str(exc)
    else:
        raise Check("the oversized request resolved")
    await within(reconnected, 20, "reconnected after the server closed the socket")
    await within(unchecked.server.now(), 10, "server:now after recovery")
    return f"refused before sending ({refused}); unchecked: sent, request failed ({failure}), reconnected"


@scenario
async def cookie_renewal_resubscribe() -> str:
    index, collection = C["index"], C["collection"]
    kuzzle = await connected(cookie_auth=True)
    notified: list[Any] = []
    await kuzzle.realtime.subscribe(index, collection, {}, notified.append)
    await kuzzle.realtime.publish(index, collection, {"before": True})
    await poll_for(lambda: len(notified) == 1, 10, "notification before the renewal")
    renewed = next_event(kuzzle.protocol, "websocketRenewalDone")
    await within(kuzzle.auth.login("local", credentials()), 10, "cookie login")
    await within(renewed, 10, "websocketRenewalDone")
    deadline = time.monotonic() + scaled(5)
    while len(notified) == 1 and time.monotonic() < deadline:
        await publish_over_http(index, collection, {"after": True})
        await asyncio.sleep(0.2)
    check(len(notified) > 1, "subscription not restored: no notification within 5 s after the cookie renewal")
    return "notified again after the renewal"


@scenario
async def disconnect_pending_reconnect() -> str:
    delay = C["reconnection_delay_ms"] / 1000
    known = {s["id"] for s in await sockets()}
    kuzzle = await connected(ws_protocol(reconnection_delay=delay))
    lost = next_event(kuzzle, "networkError")
    await control("drop", {"mode": "abort"})
    await within(lost, 10, "networkError after the drop")
    known |= {s["id"] for s in await sockets()}
    await kuzzle.disconnect()
    await asyncio.sleep(max(scaled(1.5), 3 * delay))  # measuring an absence
    opened = [s for s in await sockets() if s["id"] not in known]
    check(not opened, f"{len(opened)} socket(s) opened after disconnect()")
    return "no socket opened after disconnect()"


@scenario
async def bulk_methods() -> str:
    kuzzle = await connected()
    index, collection = await collection_ready(kuzzle)
    bulk = kuzzle.bulk
    lines = [{"index": {"_id": "a"}}, {"n": 1, "tag": "x"}, {"create": {"_id": "a"}}, {"n": 2}]
    imported = await bulk.import_(index, collection, lines)
    check(imported["successes"] == [{"index": {"_id": "a", "status": 201}}], f"import: {imported}")
    check(imported["errors"][0]["create"]["status"] == 409, f"import errors: {imported['errors']}")
    written = await bulk.write(index, collection, {"n": 3, "tag": "x"}, "w")
    check(written == {"_id": "w", "_source": {"n": 3, "tag": "x"}, "_version": 1}, f"write: {written}")
    many = await bulk.m_write(index, collection, [{"_id": "m", "body": {"tag": "y"}}])
    check(many["successes"][0]["_id"] == "m" and many["errors"] == [], f"mWrite: {many}")
    updated = await bulk.update_by_query(index, collection, {"term": {"tag": "x"}}, {"seen": True})
    check(updated == 2, f"updateByQuery: {updated}")
    deleted = await bulk.delete_by_query(index, collection, {"query": {"term": {"tag": "x"}}})
    check(deleted == 2, f"deleteByQuery: {deleted}")
    return "import (201 + 409), write, mWrite, updateByQuery 2, deleteByQuery 2"


@scenario
async def ms_commands() -> str:
    kuzzle = await connected()
    ms = kuzzle.ms
    check(await ms.set("k", "v", ex=60) is None, "set did not map to undefined")
    check(await ms.get("k") == "v", "get")
    await ms.hset("h", "f", "1")
    check(await ms.hgetall("h") == {"f": "1"}, "hgetall")
    check(await ms.sismember("nope", "x") is False, "sismember: not a boolean")
    await ms.zadd("z", [{"score": 1, "member": "a"}, {"score": 2.5, "member": "b"}])
    zrange = await ms.zrange("z", 0, -1)
    check(zrange == [{"member": "a", "score": 1}, {"member": "b", "score": 2.5}], f"zrange: {zrange}")
    check(await ms.zscore("z", "b") == 2.5, "zscore: not a number")
    scan = await ms.scan(0, match="*")
    check(scan["cursor"] == "0" and sorted(scan["values"]) == ["h", "k", "z"], f"scan: {scan}")
    check(all(isinstance(part, int) for part in await ms.time()), "time: not integers")
    check(await ms.srandmember("nope") == [None], "srandmember: not a list")
    check(await ms.delete(["k", "h"]) == 2, "del")
    missing = await expect_error(ms.zadd("z", []), "api.assert.empty_argument", 400, 33619972)
    return f"set, get, hgetall, sismember, zadd, zrange, zscore, scan, time, srandmember, del, {missing}"


@scenario
async def specifications() -> str:
    kuzzle = await connected()
    await kuzzle.auth.login("local", credentials())
    index, collection = await collection_ready(kuzzle)
    spec = {
        "strict": True,
        "fields": {
            "age": {"type": "integer", "mandatory": True},
            "name": {"type": "string", "defaultValue": "anon"},
        },
    }
    checked = await kuzzle.collection.validate_specifications(
        index, collection, {"fields": {"x": {"type": "nope"}}}
    )
    check(checked["valid"] is False and len(checked["details"]) == 1, f"validateSpecifications {checked}")
    stored = await kuzzle.collection.update_specifications(index, collection, spec)
    check(stored == spec, f"updateSpecifications {stored}")
    got = await kuzzle.collection.get_specifications(index, collection)
    check(got["validation"] == spec, f"getSpecifications {got}")
    refused = await expect_error(
        kuzzle.document.create(index, collection, {"name": "x"}),
        "validation.check.failed_field",
        400,
        84082690,
    )
    created = await kuzzle.document.create(index, collection, {"age": 1})
    check(created["_source"]["name"] == "anon", f"defaultValue not applied: {created['_source']}")
    strict = await kuzzle.document.validate(index, collection, {"age": 1, "other": 1})
    check(strict is False, f"validate with an extra field: {strict}")
    await kuzzle.collection.delete_specifications(index, collection)
    gone = await expect_error(
        kuzzle.collection.get_specifications(index, collection), "validation.assert.not_found", 404
    )
    return f"{refused}; default applied; strict validate false; {gone}"


@scenario
async def specifications_search() -> str:
    kuzzle = await connected()
    await kuzzle.auth.login("local", credentials())
    index, _ = await collection_ready(kuzzle)
    for name in ("a", "b", "c"):
        await kuzzle.collection.update_specifications(index, name, {"fields": {"n": {"type": "integer"}}})
    query = {"query": {"term": {"index": index}}, "sort": ["_id"]}
    page = await kuzzle.collection.search_specifications(query, size=2, scroll="10s")
    check(page.total == 3, f"total {page.total}")
    ids: list[str] = []
    async for each in page:
        ids += [hit["_id"] for hit in each.hits]
    check(ids == [f"{index}#{n}" for n in ("a", "b", "c")], f"pages {ids}")
    return f"3 specifications in 2 pages ({len(ids)} hits)"


class Greeting(BaseController):
    """The dev server's ``greeting`` app controller (``POST /_devserver/test-controller``)."""

    name = "greeting"

    async def say_hello(self, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = await self._result("sayHello", {"name": name, "body": body})
        return result

    async def echo(self, **args: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self._result("echo", args)
        return result

    async def fail(self) -> None:
        await self._send("fail")


class Nameless(BaseController):
    pass


async def greeting_checks(kuzzle: Kuzzle, greeting: Greeting) -> str:
    hello = await within(greeting.say_hello("ann b", {"mood": "fine"}), 10, "sayHello")
    check(
        hello["greeting"] == "Hello, ann b!" and (hello["body"] or {}).get("mood") == "fine",
        f"sayHello: {json.dumps(hello)}",
    )
    echoed = await within(greeting.echo(page="2"), 10, "echo")
    check(echoed["args"].get("page") == "2", f"echo args: {json.dumps(echoed['args'])}")
    failed = await expect_error(greeting.fail(), "api.assert.invalid_argument", 400)
    await within(kuzzle.auth.login("local", credentials()), 10, "login")
    mine = await within(greeting.say_hello("x"), 10, "sayHello after login")
    check(mine["kuid"] == C["user"], f"sayHello saw user {mine['kuid']}")
    return f"sayHello (placeholder + body), echo (query args), {failed}, user {mine['kuid']}"


async def with_greeting(protocol: NetworkProtocol) -> tuple[Kuzzle, Greeting]:
    await control("test-controller")
    kuzzle = Kuzzle(protocol)
    _clients.append(kuzzle)
    greeting = kuzzle.use_controller(Greeting, "greeting")
    await within(kuzzle.connect(), 10, "connect")
    return kuzzle, greeting


@scenario
async def custom_controller_ws() -> str:
    return await greeting_checks(*await with_greeting(ws_protocol()))


@scenario
async def custom_controller_http() -> str:
    return await greeting_checks(*await with_greeting(Http(SERVER_HOST, port=SERVER_PORT)))


@scenario
async def custom_controller_accessor() -> str:
    kuzzle = Kuzzle(ws_protocol())
    _clients.append(kuzzle)
    first = kuzzle.use_controller(Greeting, "greeting")
    refusals = []
    controller_class: type[BaseController]
    for controller_class, accessor in (
        (Greeting, "greeting"),
        (Greeting, "document"),
        (Nameless, "nameless"),
    ):
        try:
            kuzzle.use_controller(controller_class, accessor)
            refusals.append(f"{accessor} accepted")
        except InvalidArgumentError as exc:
            refusals.append(str(exc))
    check("already a controller with the accessor 'greeting'" in refusals[0], refusals[0])
    check("already a controller with the accessor 'document'" in refusals[1], refusals[1])
    check(refusals[2] == "Controllers must have a name.", refusals[2])
    check(getattr(kuzzle, "greeting", None) is first, "the first controller was replaced")
    return "taken accessors (greeting, document) and a nameless controller refused"


@scenario
async def batch_writes() -> str:
    kuzzle = await connected()
    index, collection = await collection_ready(kuzzle)
    await control("requests", method="DELETE")
    async with BatchController(kuzzle, interval=0.05) as batch:
        docs = await within(
            asyncio.gather(*(batch.create(index, collection, {"n": n}, f"d{n}") for n in range(3))),
            10,
            "batched creates",
        )
    ids = ",".join(doc["_id"] for doc in docs)
    check(ids == "d0,d1,d2", f"created {ids}")
    sent = [f for f in await ws_frames() if isinstance(f, dict) and f.get("action") == "mCreate"]
    check(len(sent) == 1 and len(sent[0]["body"]["documents"]) == 3, f"{len(sent)} mCreate request(s)")
    return "3 creates in one interval: 1 mCreate of 3 documents, each call its document"


@scenario
async def batch_partial_failure() -> str:
    kuzzle = await connected()
    index, collection = await collection_ready(kuzzle)
    existing = [{"_id": "a", "body": {"n": 1}}, {"_id": "c", "body": {"n": 3}}]
    await kuzzle.document.m_create(index, collection, existing, refresh="wait_for")
    async with BatchController(kuzzle, interval=0.05) as batch:
        settled = await within(
            asyncio.gather(
                *(batch.replace(index, collection, doc_id, {"n": 0}) for doc_id in "abc"),
                return_exceptions=True,
            ),
            10,
            "batched replaces",
        )
    shown = ",".join("error" if isinstance(r, BaseException) else str(r.get("_id")) for r in settled)
    check(shown == "a,error,c", f"replace a, b (missing), c settled as {shown}")
    return "replace a, b (missing), c settled as a, error, c"


# ----------------------------------------------------------------- security scenarios
# A restricted user reads one index (restrictedTo) and may not create documents until its
# role changes. Users, profiles and roles survive the dev server's reset: names are unique.


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def reader_role(*, create: bool = False) -> dict[str, Any]:
    return {
        "controllers": {
            "auth": {"actions": {"*": True}},
            "document": {"actions": {"get": True, "search": True, "create": create}},
            "realtime": {"actions": {"subscribe": True, "unsubscribe": True}},
        }
    }


async def as_admin() -> Kuzzle:
    admin = await connected()
    await within(admin.auth.login("local", credentials()), 10, "admin login")
    return admin


async def restricted_world() -> dict[str, Any]:
    """Two indexes, a document in the first, a role/profile/user allowed to read it, logged in."""
    admin = await as_admin()
    collection = C["collection"]
    world: dict[str, Any] = {
        "admin": admin,
        "index": unique("fid-sec"),
        "other": unique("fid-sec"),
        "role": unique("role"),
        "profile": unique("profile"),
        "user": unique("user"),
        "username": unique("name"),
    }
    for name in (world["index"], world["other"]):
        await admin.index.create(name)
        await admin.collection.create(name, collection)
    await admin.document.create(world["index"], collection, {"n": 1}, "d1", refresh="wait_for")
    await admin.security.create_role(world["role"], reader_role())
    restricted_to = [{"index": world["index"], "collections": [collection]}]
    policy = {"roleId": world["role"], "restrictedTo": restricted_to}
    await admin.security.create_profile(world["profile"], {"policies": [policy]})
    await admin.security.create_user(
        world["user"],
        {
            "content": {"profileIds": [world["profile"]]},
            "credentials": {"local": {"username": world["username"], "password": "restricted-pw"}},
        },
    )
    restricted = await connected()
    login = {"username": world["username"], "password": "restricted-pw"}
    await within(restricted.auth.login("local", login), 10, "restricted login")
    world["restricted"] = restricted
    return world


FORBIDDEN = ("security.rights.forbidden", 403, 117637122)


@scenario
async def security_objects() -> str:
    admin = await as_admin()
    role_id, profile_id = unique("role"), unique("profile")
    user_ids = sorted(unique("user") for _ in range(3))
    role = await within(admin.security.create_role(role_id, reader_role()), 10, "createRole")
    check(role._id == role_id and role.controllers["document"]["actions"]["get"] is True, "role")
    profile = await admin.security.create_profile(profile_id, {"policies": [{"roleId": role_id}]})
    check(profile.serialize() == {"_id": profile_id, "policies": [{"roleId": role_id}], "rateLimit": 0},
          f"profile.serialize() {profile.serialize()}")  # fmt: skip
    roles = await within(profile.get_roles(), 10, "profile.getRoles()")
    check([r._id for r in roles] == [role_id], f"getRoles {[r._id for r in roles]}")
    for n, user_id in enumerate(user_ids):
        await admin.security.create_user(user_id, {"content": {"profileIds": [profile_id], "n": n}})
    user = await admin.security.get_user(user_ids[0])
    check(user.profile_ids == [profile_id] and user.content["n"] == 0, f"getUser {user.serialize()}")
    profiles = await within(user.get_profiles(), 10, "user.getProfiles()")
    check([p._id for p in profiles] == [profile_id], "getProfiles")
    users = await admin.security.m_get_users(user_ids)
    check(sorted(u._id for u in users) == user_ids, "mGetUsers")
    page = await admin.security.search_users({"query": {"terms": {"profileIds": [profile_id]}}}, size=2)
    sizes, found = [], []
    current = page
    while current is not None:
        sizes.append(len(current.hits))
        found.extend(u._id for u in current.hits)
        current = await within(current.next(), 10, "next()")
    check(sizes == [2, 1] and sorted(found) == user_ids, f"searchUsers pages {sizes}")
    deleted = await admin.security.m_delete_users(user_ids)
    check(sorted(deleted) == user_ids, f"mDeleteUsers {deleted}")
    await admin.security.delete_profile(profile_id)
    await admin.security.delete_role(role_id)
    return "Role, Profile, User objects; getRoles/getProfiles; searchUsers pages 2,1"


@scenario
async def security_restricted_allowed() -> str:
    world = await restricted_world()
    restricted, index, collection = world["restricted"], world["index"], C["collection"]
    document = await within(restricted.document.get(index, collection, "d1"), 10, "get")
    check(document["_source"]["n"] == 1, f"get {document}")
    everything = {"query": {"match_all": {}}}
    found = await within(restricted.document.search(index, collection, everything), 10, "search")
    check(found.total == 1, f"search total {found.total}")
    rights = await within(restricted.auth.get_my_rights(), 10, "getMyRights")
    allowed = [r for r in rights if r.get("action") == "search" and r.get("value") == "allowed"]
    check(allowed, f"rights {rights}")
    return "document get and search allowed on its index"


@scenario
async def security_forbidden_action() -> str:
    world = await restricted_world()
    restricted, index, collection = world["restricted"], world["index"], C["collection"]
    create = await expect_error(restricted.document.create(index, collection, {"n": 2}), *FORBIDDEN)
    elsewhere = await expect_error(restricted.document.search(world["other"], collection, {}), *FORBIDDEN)
    admin_only = await expect_error(restricted.security.get_user(world["user"]), *FORBIDDEN)
    return f"create: {create}; other index: {elsewhere}; security: {admin_only}"


@scenario
async def security_forbidden_subscribe() -> str:
    world = await restricted_world()
    restricted, collection = world["restricted"], C["collection"]
    allowed = await within(restricted.realtime.subscribe(world["index"], collection, {}), 10, "subscribe")
    check(allowed.room_id, "no room id")
    refused = await expect_error(restricted.realtime.subscribe(world["other"], collection, {}), *FORBIDDEN)
    return f"subscribe on its index; other index: {refused}"


@scenario
async def security_role_change() -> str:
    world = await restricted_world()
    admin, restricted, index = world["admin"], world["restricted"], world["index"]
    collection = C["collection"]
    await expect_error(restricted.document.create(index, collection, {"n": 2}), *FORBIDDEN)
    await within(admin.security.update_role(world["role"], reader_role(create=True)), 10, "updateRole")
    created = await within(restricted.document.create(index, collection, {"n": 2}), 10, "create after")
    check(created["_source"]["n"] == 2, f"create {created}")
    return "create forbidden, updateRole, the next create succeeds"


@scenario
async def security_deleted_user() -> str:
    world = await restricted_world()
    admin, restricted, index = world["admin"], world["restricted"], world["index"]
    collection = C["collection"]
    await within(admin.security.delete_user(world["user"]), 10, "deleteUser")
    token = await expect_error(
        restricted.document.get(index, collection, "d1"), "security.token.invalid", 401
    )
    login = {"username": world["username"], "password": "restricted-pw"}
    try:
        await within(restricted.auth.login("local", login), 10, "login after deletion")
    except KuzzleError as exc:
        check(exc.status == 401, f"login after deletion: {exc.id} {exc.status}")
    else:
        raise Check("the deleted user could log in again")
    return f"next request: {token}; login refused 401"


# ------------------------------------------------------------------------------ runner


def scenario_ids() -> str:
    return json.dumps(sorted(SCENARIOS))


async def run_scenario(scenario_id: str, timeout: float, constants: str) -> str:
    """Run one scenario; JSON ``{"ok", "detail", "seconds"}`` (never raises)."""
    C.clear()
    C.update(json.loads(constants))
    started = time.monotonic()
    func = SCENARIOS.get(scenario_id)
    try:
        if func is None:
            raise Check(f"no Python implementation of scenario {scenario_id}")
        ok, detail = True, await asyncio.wait_for(func(), timeout)
    except TimeoutError:
        ok, detail = False, f"scenario timed out after {timeout:g} s"
    except Exception as exc:
        suffix = f" [{exc.id}]" if isinstance(exc, KuzzleError) and exc.id else ""
        ok, detail = (
            False,
            f"{exc}{suffix}" if isinstance(exc, Check) else f"{type(exc).__name__}: {exc}{suffix}",
        )
    finally:
        for kuzzle in _clients:
            await kuzzle.disconnect()
        _clients.clear()
    return json.dumps({"ok": ok, "detail": str(detail), "seconds": time.monotonic() - started})
