"""In Chromium, against the dev server: Kuzzle(Http(...)) for every non-realtime action, and app controllers.

The same controllers over WebSocket are in test_client.py; the custom controller runs
over both protocols here.
"""

from __future__ import annotations

import uuid
from typing import Any

import js  # type: ignore[import-not-found]
from inpage_support import SERVER_HOST, SERVER_PORT, control, document_cookie, raises, within

from kuzzle_browser import (
    BadRequestError,
    BadResponseError,
    BaseController,
    Http,
    InvalidArgumentError,
    Kuzzle,
    NotFoundError,
    PreconditionError,
    RealtimeUnavailableError,
    UnauthorizedError,
    WebSocket,
)


class GreetingController(BaseController):
    """The dev server's ``greeting`` app controller (testing/kuzzle_devserver/app_controllers.py)."""

    name = "greeting"

    async def say_hello(self, name: str, **content: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self._result("sayHello", {"name": name, "body": content or None})
        return result

    async def echo(self, **args: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self._result("echo", args)
        return result

    async def fail(self) -> None:
        await self._send("fail")


def http_client(**options: Any) -> Kuzzle:
    return Kuzzle(Http(SERVER_HOST, port=SERVER_PORT), **options)


async def logged_in(username: str = "alice") -> Kuzzle:
    kuzzle = http_client()
    await within(kuzzle.connect())
    await within(kuzzle.auth.login("local", {"username": username, "password": f"{username}-password"}))
    return kuzzle


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_routes_come_from_public_api() -> None:
    """connect() reads server:publicApi: native routes, and the app controller's."""
    await control("test-controller")
    protocol = Http(SERVER_HOST, port=SERVER_PORT)
    await within(protocol.connect())
    routes = protocol.routes
    assert routes["greeting"]["sayHello"] == ("POST", "/_/greeting/hello/:name")
    assert routes["greeting"]["echo"] == ("GET", "/_/greeting/echo")
    assert routes["document"]["search"] == ("POST", "/:index/:collection/_search")
    assert routes["auth"]["login"] == ("POST", "/_login/:strategy")  # never the credentials in a URL
    protocol.close()


async def test_auth_over_http() -> None:
    """login (token), check_token, get_current_user, rights, strategies, update_self, refresh, logout."""
    kuzzle = http_client()
    await within(kuzzle.connect())
    try:
        with raises(UnauthorizedError, match="wrong username or password"):
            await kuzzle.auth.login("local", {"username": "alice", "password": "wrong"})
        token = await within(kuzzle.auth.login("local", {"username": "alice", "password": "alice-password"}))
        assert token and kuzzle.jwt == token and kuzzle.authenticated
        assert (await kuzzle.auth.check_token())["valid"] is True
        assert (await kuzzle.auth.get_current_user())["_id"] == "alice"
        assert isinstance(await kuzzle.auth.get_my_rights(), list)
        assert "local" in await kuzzle.auth.get_strategies()
        assert (await kuzzle.auth.update_self({"nickname": "Al"}))["_source"]["nickname"] == "Al"
        assert await kuzzle.auth.check_rights({"controller": "document", "action": "create"})
        assert await kuzzle.auth.credentials_exist("local")
        assert (await kuzzle.auth.get_my_credentials("local"))["username"] == "alice"
        assert await kuzzle.auth.validate_my_credentials("local", {"username": "al", "password": "x"})
        key = await kuzzle.auth.create_api_key("http in-page key")
        assert any(hit["_id"] == key["_id"] for hit in (await kuzzle.auth.search_api_keys())["hits"])
        await kuzzle.auth.delete_api_key(key["_id"])
        refreshed = await kuzzle.auth.refresh_token()
        assert refreshed["jwt"] == kuzzle.jwt != token
        await kuzzle.auth.logout()
        assert kuzzle.jwt is None and (await kuzzle.auth.check_token(refreshed["jwt"]))["valid"] is False
    finally:
        await kuzzle.disconnect()


async def test_credentials_over_http() -> None:
    """The local strategy's credential actions over HTTP (carol's password changed, then restored)."""
    kuzzle = await logged_in("carol")
    auth = kuzzle.auth
    try:
        await auth.update_my_credentials("local", {"password": "carol-new-password"})
        probe = http_client()
        await within(probe.connect())
        with raises(UnauthorizedError):
            await probe.auth.login("local", {"username": "carol", "password": "carol-password"})
        assert await probe.auth.login("local", {"username": "carol", "password": "carol-new-password"})
        await probe.disconnect()
        assert await auth.delete_my_credentials("local")
        assert not await auth.credentials_exist("local")
        await auth.create_my_credentials("local", {"username": "carol", "password": "carol-password"})
        assert await auth.credentials_exist("local")
    finally:
        await kuzzle.disconnect()


async def test_index_collection_and_server_over_http() -> None:
    """index, collection and server actions, each through its HTTP route."""
    kuzzle = await logged_in()
    index, other = fresh("hidx"), fresh("hidx")
    try:
        await kuzzle.index.create(index)
        await kuzzle.index.create(other)
        assert await kuzzle.index.exists(index) and {index, other} <= set(await kuzzle.index.list())
        await kuzzle.collection.create(
            index, "items", {"mappings": {"properties": {"name": {"type": "keyword"}}}}
        )
        assert await kuzzle.collection.exists(index, "items")
        assert [c["name"] for c in (await kuzzle.collection.list(index))["collections"]] == ["items"]
        await kuzzle.collection.update_mapping(index, "items", {"properties": {"n": {"type": "integer"}}})
        assert {"name", "n"} <= set((await kuzzle.collection.get_mapping(index, "items"))["properties"])
        await kuzzle.collection.update(
            index, "items", {"mappings": {"properties": {"m": {"type": "keyword"}}}}
        )
        await kuzzle.document.create(index, "items", {"name": "a"}, refresh="wait_for")
        await kuzzle.collection.truncate(index, "items")
        await kuzzle.collection.refresh(index, "items")
        assert await kuzzle.document.count(index, "items") == 0
        await kuzzle.collection.delete(index, "items")
        assert not await kuzzle.collection.exists(index, "items")
        assert await kuzzle.index.m_delete([other]) == [other]
        await kuzzle.index.delete(index)
        assert not await kuzzle.index.exists(index)
        assert await kuzzle.server.now() > 1_600_000_000_000
        assert "kuzzle" in (await kuzzle.server.info())["serverInfo"]
        assert isinstance(await kuzzle.server.get_config(), dict)
        assert (await kuzzle.server.health_check())["status"] == "green"
        assert await kuzzle.server.admin_exists() is True
    finally:
        await kuzzle.disconnect()


async def test_documents_over_http() -> None:
    """Every document action over HTTP, Kuzzle's errors included."""
    kuzzle = await logged_in()
    index = fresh("hdocs")
    doc = kuzzle.document
    try:
        await kuzzle.index.create(index)
        await kuzzle.collection.create(index, "c", {"mappings": {"properties": {"n": {"type": "integer"}}}})
        assert (await doc.create(index, "c", {"n": 1}, "one", refresh="wait_for"))["_id"] == "one"
        with raises(BadRequestError, match="already exists"):
            await doc.create(index, "c", {"n": 1}, "one")
        auto = await doc.create(index, "c", {"n": 2})
        assert await doc.exists(index, "c", auto["_id"])
        assert (await doc.get(index, "c", "one"))["_source"]["n"] == 1
        await doc.create_or_replace(index, "c", "two", {"n": 2})
        await doc.replace(index, "c", "two", {"n": 22})
        assert (await doc.update(index, "c", "two", {"m": 1}, source=True))["_source"]["m"] == 1
        await doc.upsert(index, "c", "three", {"n": 3}, default={"d": True})
        assert (await doc.get(index, "c", "three"))["_source"]["d"] is True
        assert await doc.validate(index, "c", {"n": 4})
        assert await doc.count(index, "c", {"query": {"range": {"n": {"gte": 2}}}}) == 3
        assert await doc.delete(index, "c", auto["_id"]) == auto["_id"]
        with raises(NotFoundError):
            await doc.get(index, "c", auto["_id"])
        with raises(PreconditionError):
            await doc.get(fresh("nope"), "c", "one")
        many = await doc.m_create(index, "c", [{"_id": f"m{n}", "body": {"n": 10 + n}} for n in range(3)])
        assert len(many["successes"]) == 3
        assert len((await doc.m_get(index, "c", ["m0", "m1", "missing"]))["successes"]) == 2
        await doc.m_replace(index, "c", [{"_id": "m0", "body": {"n": 100}}])
        await doc.m_update(index, "c", [{"_id": "m1", "body": {"x": 1}}])
        await doc.m_upsert(index, "c", [{"_id": "m9", "changes": {"n": 9}}])
        await doc.m_create_or_replace(index, "c", [{"_id": "m8", "body": {"n": 8}}])
        assert len((await doc.m_delete(index, "c", ["m8", "m9"]))["successes"]) == 2
        await doc.update_by_query(index, "c", {"term": {"n": 100}}, {"flag": True}, refresh="wait_for")
        assert (await doc.get(index, "c", "m0"))["_source"]["flag"] is True
        result = await doc.search(index, "c", {"sort": ["_id"]}, size=2)
        seen = [hit["_id"] async for page in result for hit in page.hits]
        assert seen == sorted(seen) and len(seen) == result.total
        scrolled = await doc.search(index, "c", {}, size=2, scroll="10s")
        second = await scrolled.next()  # document:scroll, GET /_scroll/:scrollId
        assert scrolled.scroll_id and second is not None and len(second.hits) == 2
        assert sorted(
            await doc.delete_by_query(index, "c", {"query": {"ids": {"values": ["m0", "m1"]}}})
        ) == [
            "m0",
            "m1",
        ]
        await kuzzle.realtime.publish(index, "c", {"n": 0})  # publish has an HTTP route
    finally:
        await kuzzle.index.delete(index)
        await kuzzle.disconnect()


async def test_realtime_subscriptions_raise_a_clear_error() -> None:
    """subscribe over Http raises RealtimeUnavailableError; count has no HTTP route."""
    kuzzle = http_client()
    await within(kuzzle.connect())
    try:
        with raises(RealtimeUnavailableError, match="Use WebSocket for realtime"):
            await kuzzle.realtime.subscribe("i", "c", {}, callback=lambda n: None)
        with raises(InvalidArgumentError, match='No URL found for "realtime:count"'):
            await kuzzle.realtime.count("room")
    finally:
        await kuzzle.disconnect()


async def test_cookie_auth_over_http() -> None:
    """cookie_auth: login hands Python no token; the HttpOnly cookie authenticates the next calls."""
    kuzzle = http_client(cookie_auth=True)
    await within(kuzzle.connect())
    try:
        assert (
            await within(kuzzle.auth.login("local", {"username": "bob", "password": "bob-password"})) is None
        )
        assert kuzzle.jwt is None and "authToken" not in document_cookie()
        assert (await kuzzle.auth.get_current_user())["_id"] == "bob"
        await kuzzle.auth.logout()
        assert (await kuzzle.auth.get_current_user())["_id"] == "-1"
    finally:
        await kuzzle.disconnect()


async def test_not_kuzzle_answers_are_typed() -> None:
    """An Http pointed at the page's static server: connect() raises BadResponseError (HTML 404)."""
    protocol = Http(str(js.location.hostname), port=int(js.location.port))
    with raises(BadResponseError, match="not Kuzzle JSON") as caught:
        await within(protocol.connect())
    assert caught.value.http_status == 404 and not protocol.is_ready()


async def test_app_controller_over_both_protocols() -> None:
    """use_controller: a placeholder route, a default GET route with arguments, an error, the user."""
    await control("test-controller")
    for protocol in (Http(SERVER_HOST, port=SERVER_PORT), WebSocket(SERVER_HOST, port=SERVER_PORT)):
        kuzzle = Kuzzle(protocol)
        greeting = kuzzle.use_controller(GreetingController, "greeting")
        await within(kuzzle.connect())
        try:
            hello = await within(greeting.say_hello("ann b", mood="fine"))
            assert hello == {"greeting": "Hello, ann b!", "kuid": "-1", "body": {"mood": "fine"}}
            echoed = await greeting.echo(page="2")
            assert echoed["args"]["page"] == "2" and echoed["kuid"] == "-1"
            with raises(BadRequestError, match="this action always fails"):
                await greeting.fail()
            await kuzzle.auth.login("local", {"username": "carol", "password": "carol-password"})
            assert (await greeting.say_hello("x"))["kuid"] == "carol"
        finally:
            await kuzzle.disconnect()
