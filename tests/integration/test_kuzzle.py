"""Level 2: the Kuzzle client (pipeline, queue, auth state, subscriptions) over the in-memory transport."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from kuzzle_browser import (
    SDK_NAME,
    InvalidArgumentError,
    InvalidStateError,
    Kuzzle,
    NotConnectedError,
    QueueOverflowError,
    QueueTTLExpiredError,
    RequestDiscardedError,
    WebSocket,
)

from .conftest import MS, next_event, within
from .fakes import FakeTransport


def make(transport: FakeTransport, **options: Any) -> Kuzzle:
    protocol = WebSocket("127.0.0.1", transport=transport, reconnection_delay=10 * MS)
    return Kuzzle(protocol, **options)


async def test_volatile_carries_instance_and_name_never_version(transport: FakeTransport) -> None:
    """volatile has sdkInstanceId and sdkName; sdkVersion never goes out, even if the user sets it."""
    kuzzle = make(transport, volatile={"app": "demo", "sdkVersion": "1"})
    await within(kuzzle.connect())
    await within(kuzzle.query({"controller": "server", "action": "now", "volatile": {"sdkVersion": "2"}}))
    sent = transport.peer.requests[-1]
    assert sent["volatile"] == {"app": "demo", "sdkInstanceId": kuzzle.protocol.id, "sdkName": SDK_NAME}
    assert all("sdkVersion" not in r["volatile"] for r in transport.peer.requests)


async def test_sdk_options_never_reach_the_wire(transport: FakeTransport) -> None:
    """queuable and timeout steer the SDK; API args like refresh go out."""
    kuzzle = make(transport)
    await within(kuzzle.connect())
    await within(
        kuzzle.query(
            {"controller": "server", "action": "now"}, queuable=False, timeout=1.0, refresh="wait_for"
        )
    )
    sent = transport.peer.requests[-1]
    assert "queuable" not in sent and "timeout" not in sent and sent["refresh"] == "wait_for"


async def test_trigger_events_and_sdk_options_inside_the_request_stay_home(transport: FakeTransport) -> None:
    """triggerEvents (Kuzzle's embedded SDK option) and SDK options in the request dict are not sent."""
    kuzzle = make(transport)
    await within(kuzzle.connect())
    request = {"controller": "server", "action": "now", "queuable": False, "timeout": 5}
    await within(kuzzle.query(request, triggerEvents=True))
    sent = transport.peer.requests[-1]
    assert not {"queuable", "timeout", "triggerEvents"} & set(sent) and sent["action"] == "now"
    assert request == {"controller": "server", "action": "now", "queuable": False, "timeout": 5}


def test_a_protocol_lacking_members_is_refused_by_name(transport: FakeTransport) -> None:
    """Kuzzle() names every NetworkProtocol member missing (or not callable), without touching the rest."""
    with pytest.raises(InvalidArgumentError, match=r"lacks id, host, port, .*, remove_channel_listener"):
        Kuzzle(object())  # type: ignore[arg-type]

    class Deaf(WebSocket):
        on = None  # type: ignore[assignment]
        add_channel_listener = "no"  # type: ignore[assignment]

    with pytest.raises(InvalidArgumentError, match=r"lacks on, add_channel_listener \(see NetworkProtocol\)"):
        Kuzzle(Deaf("127.0.0.1", transport=transport))
    assert Kuzzle(WebSocket("127.0.0.1")).protocol.host == "127.0.0.1"  # its transport is made on first use


async def test_bad_requests_fail_before_sending(transport: FakeTransport) -> None:
    """Missing controller, wrong volatile type: typed errors, nothing sent."""
    kuzzle = make(transport)
    await within(kuzzle.connect())
    before = len(transport.peer.requests)
    with pytest.raises(InvalidArgumentError, match="controller"):
        await kuzzle.query({"action": "now"})
    with pytest.raises(InvalidArgumentError, match="volatile"):
        await kuzzle.query({"controller": "server", "action": "now", "volatile": "x"})
    assert len(transport.peer.requests) == before


async def test_jwt_is_attached_except_login_and_check_token(transport: FakeTransport) -> None:
    """With a token, requests carry jwt; auth:login and auth:checkToken do not."""
    token = "a.eyJfaWQiOiJhbGljZSJ9.c"
    transport.peer.handlers["auth:login"] = lambda _request: {
        "result": {"_id": "alice", "jwt": token, "expiresAt": 1, "ttl": 1},
        "error": None,
    }
    kuzzle = make(transport)
    kuzzle.jwt = token
    await within(kuzzle.connect())
    await within(kuzzle.server.now())
    assert transport.peer.requests[-1]["jwt"] == token
    await within(kuzzle.auth.check_token())
    await within(kuzzle.auth.login("local", {"username": "alice", "password": "secret"}))
    untokened = [r for r in transport.peer.requests if r["action"] in ("login", "checkToken")]
    assert {r["action"] for r in untokened} == {"login", "checkToken"}
    assert [r for r in untokened if "jwt" in r] == []


async def test_offline_queue_fills_and_replays_on_reconnect(transport: FakeTransport) -> None:
    """auto_queue + auto_replay: requests made while down are sent, in order, once back."""
    kuzzle = make(transport, offline_mode="auto")
    await within(kuzzle.connect())
    pushed: list[Any] = []
    all_queued: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_push(payload: Any) -> None:
        pushed.append(payload)
        if len(pushed) == 5:
            all_queued.set_result(None)

    kuzzle.on("offlineQueuePush", on_push)
    transport.refuse = True
    transport.socket.drop()
    pending = [
        asyncio.ensure_future(kuzzle.query({"controller": "server", "action": "now", "n": n}))
        for n in range(5)
    ]
    await within(all_queued)
    assert len(pushed) == 5 and len(kuzzle.offline_queue) == 5
    reconnected = next_event(kuzzle, "reconnected")
    transport.refuse = False
    await within(reconnected)
    results = await within(asyncio.gather(*pending))
    assert [r["result"]["now"] for r in results] == [1234] * 5
    assert [r["n"] for r in transport.peer.requests if r.get("action") == "now"] == list(range(5))


async def test_queue_ttl_and_max_size_reject_with_typed_errors(transport: FakeTransport) -> None:
    """Evicted requests settle (they never hang), with QueueTTLExpiredError or QueueOverflowError."""
    kuzzle = make(transport, queue_max_size=2, queue_ttl=30 * MS)
    kuzzle.start_queuing()
    first = [asyncio.ensure_future(kuzzle.query({"controller": "server", "action": "now"})) for _ in range(3)]
    with pytest.raises(QueueOverflowError):
        await within(first[0])
    await asyncio.sleep(60 * MS)
    later = asyncio.ensure_future(kuzzle.query({"controller": "server", "action": "now"}))
    for future in first[1:]:
        with pytest.raises(QueueTTLExpiredError):
            await within(future)
    kuzzle.flush_queue()
    with pytest.raises(RequestDiscardedError, match="flushed"):
        await within(later)


async def test_not_queuable_while_queuing_is_discarded(transport: FakeTransport) -> None:
    """queuable=False while queuing: discarded event and NotConnectedError."""
    kuzzle = make(transport, queue_filter=lambda request: request["action"] != "now")
    kuzzle.start_queuing()
    discarded = next_event(kuzzle, "discarded")
    with pytest.raises(NotConnectedError):
        await kuzzle.query({"controller": "server", "action": "now"})
    assert (await discarded)[0]["request"]["action"] == "now"


async def test_subscription_restored_after_reconnect_with_same_room(transport: FakeTransport) -> None:
    """After a reconnection the subscription is sent again; notifications keep flowing."""
    kuzzle = make(transport)
    await within(kuzzle.connect())
    received: list[dict[str, Any]] = []
    subscription = await within(kuzzle.realtime.subscribe("i", "c", {"equals": {"a": 1}}, received.append))
    room = subscription.room_id
    reconnected = next_event(kuzzle, "reconnected")
    transport.socket.drop()
    await within(reconnected)
    await within(transport.peer.wait_until(lambda: transport.peer.count("subscribe") == 2))
    await asyncio.sleep(0)  # the answer is delivered on the next tick
    transport.socket.push(json.dumps({"room": subscription.channel, "type": "document", "action": "create"}))
    assert subscription.room_id == room and received and received[-1]["action"] == "create"


async def test_subscription_is_an_async_iterator(transport: FakeTransport) -> None:
    """async for yields notifications and ends after unsubscribe."""
    kuzzle = make(transport)
    await within(kuzzle.connect())
    subscription = await within(kuzzle.realtime.subscribe("i", "c", {}))

    async def collect() -> list[dict[str, Any]]:
        return [n async for n in subscription]

    collector = asyncio.ensure_future(collect())
    await asyncio.sleep(0)
    for n in range(3):
        transport.socket.push(json.dumps({"room": subscription.channel, "n": n}))
    await within(subscription.unsubscribe())
    assert [n["n"] for n in await within(collector)] == [0, 1, 2]
    assert transport.peer.requests[-1]["action"] == "unsubscribe"


async def test_subscribe_to_self_false_drops_own_notifications(transport: FakeTransport) -> None:
    """Notifications caused by this SDK instance are dropped when subscribe_to_self=False."""
    kuzzle = make(transport)
    await within(kuzzle.connect())
    received: list[dict[str, Any]] = []
    subscription = await within(
        kuzzle.realtime.subscribe("i", "c", {}, received.append, subscribe_to_self=False)
    )
    mine = {"room": subscription.channel, "volatile": {"sdkInstanceId": kuzzle.protocol.id}}
    theirs = {"room": subscription.channel, "volatile": {"sdkInstanceId": "other"}}
    transport.socket.push(json.dumps(mine))
    transport.socket.push(json.dumps(theirs))
    assert [n["volatile"]["sdkInstanceId"] for n in received] == ["other"]


async def test_callback_error_is_an_event(transport: FakeTransport) -> None:
    """A callback that raises emits callbackError with the notification."""
    kuzzle = make(transport)
    await within(kuzzle.connect())

    def bad(notification: dict[str, Any]) -> None:
        raise ValueError("bad callback")

    subscription = await within(kuzzle.realtime.subscribe("i", "c", {}, bad))
    callback_error = next_event(kuzzle, "callbackError")
    transport.socket.push(json.dumps({"room": subscription.channel}))
    payload = (await within(callback_error))[0]
    assert str(payload["error"]) == "bad callback" and payload["notification"]["room"] == subscription.channel


@pytest.mark.parametrize("error_id", ["security.token.invalid", "security.token.expired"])
async def test_token_expired_on_both_error_ids(transport: FakeTransport, error_id: str) -> None:
    """tokenExpired fires for security.token.expired too (JS SDK 7.17.1 ignores it)."""
    transport.peer.handlers["server:now"] = lambda request: {
        "status": 401,
        "error": {"id": error_id, "status": 401, "message": "Token expired"},
    }
    kuzzle = make(transport)
    kuzzle.jwt = "a.eyJfaWQiOiJhbGljZSJ9.c"
    await within(kuzzle.connect())
    expired = next_event(kuzzle, "tokenExpired")
    with pytest.raises(Exception, match="Token expired"):
        await kuzzle.server.now()
    await within(expired)
    assert kuzzle.jwt is None and not kuzzle.authenticated


async def test_token_expired_push_notification(transport: FakeTransport) -> None:
    """Kuzzle's TokenExpired push emits tokenExpired."""
    kuzzle = make(transport)
    await within(kuzzle.connect())
    expired = next_event(kuzzle, "tokenExpired")
    transport.socket.push('{"type":"TokenExpired","room":"kuzzle:notification:server","status":200}')
    await within(expired)


async def test_cookie_auth_hides_token_and_restores_subscriptions(transport: FakeTransport) -> None:
    """cookie_auth: login resolves, jwt stays None, subscriptions come back on the renewed socket."""
    kuzzle = make(transport, cookie_auth=True)
    await within(kuzzle.connect())
    received: list[dict[str, Any]] = []
    subscription = await within(kuzzle.realtime.subscribe("i", "c", {}, received.append))
    after_login = next_event(kuzzle, "afterLogin")
    assert await within(kuzzle.auth.login("local", {"username": "alice", "password": "p"})) is None
    assert (await after_login)[0] == {"success": True}
    assert kuzzle.jwt is None and kuzzle.authenticated
    await within(transport.peer.wait_until(lambda: transport.peer.count("subscribe") == 2))
    await asyncio.sleep(0)  # the answer is delivered on the next tick
    transport.socket.push(json.dumps({"room": subscription.channel, "n": 1}))
    assert received == [{"room": subscription.channel, "n": 1}]
    assert all("jwt" not in r for r in transport.peer.requests)
    with pytest.raises(InvalidArgumentError):
        kuzzle.jwt = "x.y.z"


async def test_async_context_manager_and_event_iterator(transport: FakeTransport) -> None:
    """async with connects and disconnects; iter_events yields (name, payload)."""
    kuzzle = make(transport)
    events = kuzzle.iter_events("connected", "disconnected")
    first = asyncio.ensure_future(events.__anext__())
    async with kuzzle:
        assert kuzzle.connected
        assert await within(first) == ("connected", ())
        second = asyncio.ensure_future(events.__anext__())
    assert await within(second) == ("disconnected", ({"origin": "user/connection-closed"},))
    assert not kuzzle.connected
    events.close()


async def test_queue_persisted_across_page_reload(transport: FakeTransport) -> None:
    """offline_queue_storage: a new client (the reloaded page) replays what the old one queued."""
    before = make(transport, offline_queue_storage="kb-queue", volatile={"page": 1})
    before.jwt = "a.eyJfaWQiOiJhbGljZSJ9.c"
    before.start_queuing()
    queued = asyncio.ensure_future(before.query({"controller": "server", "action": "now", "n": 7}))
    await asyncio.sleep(0)
    saved = json.loads(transport.storage["kb-queue"])
    assert [item["request"]["n"] for item in saved] == [7]
    assert "jwt" not in saved[0]["request"]  # the token never lands in localStorage
    queued.cancel()

    after = make(transport, offline_queue_storage="kb-queue", auto_replay=True)
    after.jwt = "a.eyJfaWQiOiJhbGljZSJ9.c"  # still signed in after the reload
    await within(after.connect())
    await within(transport.peer.wait_until(lambda: any(r.get("n") == 7 for r in transport.peer.requests)))
    assert "kb-queue" not in transport.storage


@pytest.mark.parametrize("saved", ["{not json", "[" * 100_000 + "]" * 100_000])
async def test_an_unreadable_saved_queue_is_ignored(
    transport: FakeTransport, saved: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A saved queue that is not JSON (or nests too deeply for json) is logged and skipped."""
    transport.storage["kb-queue"] = saved
    kuzzle = make(transport, offline_queue_storage="kb-queue", auto_replay=True)
    await within(kuzzle.connect())
    assert await within(kuzzle.query({"controller": "server", "action": "now"}))
    assert "unreadable saved offline queue" in caplog.text


async def test_deprecations_are_logged(transport: FakeTransport, caplog: pytest.LogCaptureFixture) -> None:
    """Kuzzle's deprecation notices in a response are logged, unless deprecation_warning=False."""
    transport.peer.handlers["server:now"] = lambda request: {
        "result": {"now": 1},
        "deprecations": [{"message": "use another action", "version": "2.5.0"}],
    }
    kuzzle = make(transport)
    await within(kuzzle.connect())
    await within(kuzzle.server.now())
    assert "deprecated since 2.5.0: use another action" in caplog.text
    caplog.clear()
    kuzzle.deprecation_warning = False
    await within(kuzzle.server.now())
    assert "deprecated" not in caplog.text


async def test_authenticate_without_authenticator_is_a_state_error(transport: FakeTransport) -> None:
    """authenticate() before an authenticator is set: InvalidStateError, nothing sent."""
    kuzzle = make(transport)
    await within(kuzzle.connect())
    await within(transport.peer.wait_until(lambda: transport.peer.count("checkToken") == 1))
    before = len(transport.peer.requests)
    with pytest.raises(InvalidStateError, match="authenticator") as raised:
        await kuzzle.authenticate()
    assert (raised.value.id, raised.value.status) == ("sdk.state.invalid", 400)
    assert len(transport.peer.requests) == before


async def test_authenticator_runs_when_the_session_is_gone_after_reconnect(transport: FakeTransport) -> None:
    """Logged in, reconnected, token no longer valid: the authenticator logs in again, then reconnected."""
    valid = {"token": "a.eyJfaWQiOiJhbGljZSJ9.c"}
    transport.peer.handlers["auth:checkToken"] = lambda request: {
        "result": {"valid": request["body"].get("token") == valid["token"], "kuid": "alice"}
    }
    kuzzle = make(transport)
    kuzzle.jwt = valid["token"]
    await within(kuzzle.connect())
    calls: list[str] = []

    async def authenticator() -> None:
        calls.append("authenticate")
        kuzzle.jwt = valid["token"] = "a.eyJfaWQiOiJhbGljZSIsIm4iOjJ9.d"

    kuzzle.authenticator = authenticator
    valid["token"] = "revoked-meanwhile"
    reconnected = next_event(kuzzle, "reconnected")
    transport.socket.drop()
    await within(reconnected)
    assert calls == ["authenticate"] and kuzzle.authenticated


async def test_no_authenticator_means_reconnection_error_then_waiting_for_login(
    transport: FakeTransport,
) -> None:
    """Session gone after a reconnection and no authenticator: reconnectionError, and the client
    stays connected waiting for a login (JS SDK 7.17.1 disconnects; tests/integration/test_lossless.py)."""
    session = {"valid": True}
    transport.peer.handlers["auth:checkToken"] = lambda request: {
        "result": {"valid": session["valid"], "kuid": "alice"}
    }
    kuzzle = make(transport)
    kuzzle.jwt = "a.eyJfaWQiOiJhbGljZSJ9.c"
    await within(kuzzle.connect())
    await within(transport.peer.wait_until(lambda: transport.peer.count("checkToken") == 1))
    await asyncio.sleep(0)  # the answer lands on the next tick
    session["valid"] = False
    failed = next_event(kuzzle, "reconnectionError")
    waiting = next_event(kuzzle, "loginRequired")
    transport.socket.drop()
    error = (await within(failed))[0]["error"]
    assert isinstance(error, InvalidStateError) and "authenticator" in str(error)
    assert (await within(waiting))[0]["waiting"] == 0
    assert kuzzle.connected and kuzzle.login_required


async def test_subscriptions_restored_before_the_queue_replays(transport: FakeTransport) -> None:
    """On reconnection the subscribe goes out before the replayed writes (JS SDK: the other way round)."""
    kuzzle = make(transport, offline_mode="auto")
    await within(kuzzle.connect())
    await within(kuzzle.realtime.subscribe("i", "c", {}))
    queued = next_event(kuzzle, "offlineQueuePush")
    transport.refuse = True
    transport.socket.drop()
    write = asyncio.ensure_future(
        kuzzle.query({"controller": "server", "action": "now", "marker": "replayed"})
    )
    await within(queued)
    reconnected = next_event(kuzzle, "reconnected")
    transport.refuse = False
    await within(reconnected)
    await within(write)
    actions = [r.get("marker") or r["action"] for r in transport.peer.requests]
    assert actions.index("replayed") > len(actions) - 1 - actions[::-1].index("subscribe")


async def test_event_stream_listens_from_creation(transport: FakeTransport) -> None:
    """Events emitted before the first iteration are not missed; async with stops listening."""
    kuzzle = make(transport)
    async with kuzzle.iter_events("connected", "disconnected") as events:
        await within(kuzzle.connect())
        await kuzzle.disconnect()
        received = [await within(events.__anext__()) for _ in range(2)]
    assert [name for name, _ in received] == ["connected", "disconnected"]
    assert kuzzle.listener_count("connected") == 0
    assert [item async for item in events] == []
