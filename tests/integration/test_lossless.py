"""Level 2: nothing is lost when the session does not survive an outage.

The fake peer here keeps a set of valid tokens, as Kuzzle does: a restarted
server that forgot them answers ``checkToken`` with ``valid: false`` and any
request carrying them with ``security.token.invalid``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from kuzzle_browser import Kuzzle, KuzzleError, NetworkError, OutcomeUnknownError, WebSocket

from .conftest import MS, next_event, within
from .fakes import FakeTransport

OLD = "a.eyJfaWQiOiJhbGljZSJ9.old"
NEW = "a.eyJfaWQiOiJhbGljZSJ9.new"


class Sessions:
    """Valid tokens of the fake server; ``forget()`` is a restart that lost them."""

    def __init__(self, transport: FakeTransport) -> None:
        self.valid = {OLD}
        self.writes: list[dict[str, Any]] = []
        peer = transport.peer
        peer.handlers["auth:checkToken"] = self.check_token
        peer.handlers["auth:login"] = self.login
        peer.handlers["document:create"] = self.create

    def forget(self) -> None:
        self.valid.clear()

    def check_token(self, request: dict[str, Any]) -> dict[str, Any]:
        valid = request.get("body", {}).get("token") in self.valid
        return {"result": {"valid": valid, "kuid": "alice" if valid else "-1"}, "error": None}

    def login(self, request: dict[str, Any]) -> dict[str, Any]:
        self.valid.add(NEW)
        return {"result": {"jwt": NEW, "_id": "alice", "expiresAt": 0, "ttl": -1}, "error": None}

    def create(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("jwt") not in self.valid:
            return {
                "status": 401,
                "error": {"id": "security.token.invalid", "code": 117506049, "status": 401, "message": "x"},
            }
        self.writes.append(request)
        return {"result": {"_id": request["_id"], "_source": request["body"], "_version": 1}, "error": None}


def make(transport: FakeTransport, **options: Any) -> Kuzzle:
    protocol = WebSocket("127.0.0.1", transport=transport, reconnection_delay=10 * MS)
    return Kuzzle(protocol, offline_mode="auto", **options)


def create(kuzzle: Kuzzle, n: int) -> asyncio.Future[dict[str, Any]]:
    return asyncio.ensure_future(kuzzle.document.create("i", "c", {"n": n}, f"doc{n}"))


async def outage(transport: FakeTransport, kuzzle: Kuzzle, queued: int) -> None:
    """Drop the link, refuse reconnections until ``queued`` requests are in the queue."""
    transport.refuse = True
    transport.socket.drop()
    await within(transport.peer.wait_until(lambda: len(kuzzle.offline_queue) >= queued))


async def test_queue_waits_for_a_login_when_the_session_is_gone(transport: FakeTransport) -> None:
    """A restart lost the token: reconnectionError, loginRequired with the count, nothing sent
    anonymously; login() replays every queued write once, with the new token."""
    sessions = Sessions(transport)
    kuzzle = make(transport)
    kuzzle.jwt = OLD
    await within(kuzzle.connect())
    transport.refuse = True
    transport.socket.drop()
    writes = [create(kuzzle, n) for n in range(3)]
    await asyncio.sleep(0)
    assert len(kuzzle.offline_queue) == 3
    sessions.forget()
    waiting = next_event(kuzzle, "loginRequired")
    failed = next_event(kuzzle, "reconnectionError")
    transport.refuse = False
    assert (await within(waiting))[0]["waiting"] == 3
    await within(failed)
    assert kuzzle.connected and kuzzle.login_required and not kuzzle.authenticated
    later = create(kuzzle, 3)  # made while signed out: waits too
    await asyncio.sleep(0)
    assert len(kuzzle.offline_queue) == 4 and transport.peer.count("create") == 0

    assert await within(kuzzle.auth.login("local", {"username": "alice"})) == NEW
    results = await within(asyncio.gather(*writes, later))
    assert [result["_id"] for result in results] == ["doc0", "doc1", "doc2", "doc3"]
    assert [write["jwt"] for write in sessions.writes] == [NEW] * 4
    assert transport.peer.count("create") == 4  # each sent once
    assert not kuzzle.login_required and kuzzle.offline_queue == []


async def test_replay_that_meets_an_invalid_token_waits_again(transport: FakeTransport) -> None:
    """checkToken said valid, but the token was revoked before the replay: the write goes back
    in the queue (no error for its caller), the client waits for a login, then it lands once."""
    sessions = Sessions(transport)
    transport.peer.handlers["auth:checkToken"] = lambda request: {"result": {"valid": True, "kuid": "alice"}}
    kuzzle = make(transport)
    kuzzle.jwt = OLD
    await within(kuzzle.connect())
    await outage(transport, kuzzle, 0)
    write = create(kuzzle, 1)
    await asyncio.sleep(0)
    sessions.forget()
    waiting = next_event(kuzzle, "loginRequired")
    transport.refuse = False
    assert (await within(waiting))[0]["waiting"] == 1
    assert not write.done() and len(kuzzle.offline_queue) == 1
    await within(kuzzle.auth.login("local", {"username": "alice"}))
    assert (await within(write))["_id"] == "doc1"
    assert [w["jwt"] for w in sessions.writes] == [NEW]


async def test_token_expiry_while_connected_holds_new_writes(transport: FakeTransport) -> None:
    """Kuzzle's TokenExpired push: the client waits for a login; writes made meanwhile are kept."""
    Sessions(transport)
    kuzzle = make(transport)
    kuzzle.jwt = OLD
    await within(kuzzle.connect())
    expired = next_event(kuzzle, "tokenExpired")
    transport.socket.push(json.dumps({"type": "TokenExpired", "room": "x", "message": "expired"}))
    await within(expired)
    assert kuzzle.login_required
    write = create(kuzzle, 7)
    await asyncio.sleep(0)
    assert transport.peer.count("create") == 0
    await within(kuzzle.auth.login("local", {"username": "alice"}))
    assert (await within(write))["_id"] == "doc7"


async def test_reload_during_an_outage_replays_after_the_next_login(transport: FakeTransport) -> None:
    """offline_queue_storage: the reloaded page has no session; the saved writes wait, then replay
    with the new login's token (never anonymously)."""
    sessions = Sessions(transport)
    before = make(transport, offline_queue_storage="kb-queue")
    before.jwt = OLD
    await within(before.connect())
    await outage(transport, before, 0)
    callers = [create(before, n) for n in range(2)]
    await asyncio.sleep(0)
    for caller in callers:
        caller.cancel()  # the page goes away: nobody awaits them any more
    assert len(json.loads(transport.storage["kb-queue"])) == 2
    before.protocol.close()

    transport.refuse = False
    after = make(transport, offline_queue_storage="kb-queue")
    waiting = next_event(after, "loginRequired")
    await within(after.connect())
    assert (await within(waiting))[0]["waiting"] == 2
    assert transport.peer.count("create") == 0
    await within(after.auth.login("local", {"username": "alice"}))
    await within(transport.peer.wait_until(lambda: len(sessions.writes) == 2))
    assert [(w["_id"], w["jwt"]) for w in sessions.writes] == [("doc0", NEW), ("doc1", NEW)]
    assert "kb-queue" not in transport.storage


async def test_anonymous_saved_requests_replay_without_a_login(transport: FakeTransport) -> None:
    """Requests saved by an anonymous page do not wait for a login that may never come."""
    before = make(transport, offline_queue_storage="kb-queue")
    before.start_queuing()
    caller = asyncio.ensure_future(before.query({"controller": "server", "action": "now", "n": 1}))
    await asyncio.sleep(0)
    caller.cancel()
    after = make(transport, offline_queue_storage="kb-queue")
    await within(after.connect())
    await within(transport.peer.wait_until(lambda: any(r.get("n") == 1 for r in transport.peer.requests)))
    assert not after.login_required


async def test_lost_answer_is_an_unknown_outcome(transport: FakeTransport) -> None:
    """The link drops after the request went out: OutcomeUnknownError (a NetworkError whose
    outcome_unknown is True), not a plain failure; an unsent request's error says nothing of it."""
    kuzzle = make(transport)
    await within(kuzzle.connect())
    transport.peer.answer_requests = False
    in_flight = asyncio.ensure_future(kuzzle.query({"controller": "server", "action": "now"}))
    await within(transport.peer.wait_until(lambda: transport.peer.count("now") == 1))
    transport.socket.drop()
    with pytest.raises(OutcomeUnknownError) as caught:
        await within(in_flight)
    assert isinstance(caught.value, NetworkError) and caught.value.outcome_unknown
    assert caught.value.id == "sdk.network.no_response"
    assert not KuzzleError("x").outcome_unknown


async def test_restores_asked_at_once_subscribe_once(transport: FakeTransport) -> None:
    """A reconnection, a re-login and a renewal asking to restore together: one subscribe per
    subscription, one listener (each notification delivered once), on_restored called."""
    kuzzle = make(transport)
    await within(kuzzle.connect())
    received: list[Any] = []
    subscription = await within(kuzzle.realtime.subscribe("i", "c", {}, received.append))
    restored = asyncio.get_running_loop().create_future()
    subscription.on_restored.append(lambda: restored.done() or restored.set_result(None))
    kuzzle.realtime._detach_all()
    await within(asyncio.gather(*(kuzzle.realtime._resubscribe_all() for _ in range(3))))
    await within(restored)
    assert transport.peer.count("subscribe") <= 3  # first + at most one pass + one coalesced pass
    transport.socket.push(json.dumps({"room": subscription.channel, "type": "document", "n": 1}))
    await asyncio.sleep(0)
    assert len(received) == 1
