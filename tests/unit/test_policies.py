"""Level 1: keep-alive, request table, offline queue, JWT decoding (time passed in)."""

from __future__ import annotations

import base64
import json

import pytest

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.protocol.heartbeat import Heartbeat, HeartbeatAction
from kuzzle_browser.protocol.jwt import Jwt, decode_jwt_payload
from kuzzle_browser.protocol.queue import EvictionReason, OfflineQueue, QueuedRequest
from kuzzle_browser.protocol.requests import RequestTable, new_request_id

# -- heartbeat -------------------------------------------------------------------


def test_first_ping_one_interval_after_open() -> None:
    """Nothing happens before the first interval; then a ping."""
    hb = Heartbeat(interval=2.0, now=100.0)
    assert hb.poll(101.9) is HeartbeatAction.WAIT
    assert hb.next_deadline() == 102.0
    assert hb.poll(102.0) is HeartbeatAction.PING


def test_answered_ping_keeps_link_alive() -> None:
    """Any inbound frame between two ticks is an answer."""
    hb = Heartbeat(interval=2.0, now=0.0)
    for tick in range(1, 20):
        assert hb.poll(2.0 * tick) is HeartbeatAction.PING
        hb.activity()


def test_unanswered_ping_means_dead_at_next_tick() -> None:
    """A whole interval without a frame after a ping declares the link dead."""
    hb = Heartbeat(interval=2.0, now=0.0)
    assert hb.poll(2.0) is HeartbeatAction.PING
    assert hb.poll(3.9) is HeartbeatAction.WAIT
    assert hb.poll(4.0) is HeartbeatAction.DEAD


def test_dead_within_two_intervals_of_last_frame() -> None:
    """Detection happens at most two intervals after the server goes silent."""
    hb = Heartbeat(interval=1.0, now=0.0)
    hb.poll(1.0)
    hb.activity()  # last answer, just after the ping at t=1
    assert hb.poll(2.0) is HeartbeatAction.PING
    assert hb.poll(3.0) is HeartbeatAction.DEAD


def test_late_wakeup_is_a_check_not_missed_pongs() -> None:
    """A throttled timer firing much later sends one ping, not a death sentence."""
    hb = Heartbeat(interval=2.0, now=0.0)
    assert hb.poll(60.0) is HeartbeatAction.PING
    assert hb.next_deadline() == 62.0


def test_interval_must_be_positive() -> None:
    """A zero interval would spin."""
    with pytest.raises(ValueError):
        Heartbeat(interval=0, now=0)


# -- request table ---------------------------------------------------------------


def test_request_table_routes_by_request_id() -> None:
    """Entries come back by requestId, once."""
    table: RequestTable[str] = RequestTable()
    rid = table.add({"requestId": "a"}, "waiter-a")
    assert rid == "a" and "a" in table and len(table) == 1
    assert table.pop("a") == ({"requestId": "a"}, "waiter-a")
    assert table.pop("a") is None


def test_request_table_rejects_duplicate_and_missing_ids() -> None:
    """Two pending requests with one id could not be told apart."""
    table: RequestTable[int] = RequestTable()
    table.add({"requestId": "a"}, 1)
    with pytest.raises(InvalidArgumentError, match="already pending"):
        table.add({"requestId": "a"}, 2)
    with pytest.raises(InvalidArgumentError):
        table.add({"requestId": 3}, 3)


def test_request_table_drain_and_entries_keep_order() -> None:
    """Draining returns everything oldest first and empties the table."""
    table: RequestTable[int] = RequestTable()
    for n in range(3):
        table.add({"requestId": f"r{n}"}, n)
    assert [rid for rid, _, _ in table.entries()] == ["r0", "r1", "r2"]
    assert [waiter for _, waiter in table.drain()] == [0, 1, 2]
    assert len(table) == 0


def test_request_ids_are_unique_strings() -> None:
    """A random per-page prefix and a counter: never twice the same, across pages too."""
    ids = {new_request_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    prefix = next(iter(ids)).split("-")[0]
    assert len(prefix) == 32 and all(rid.startswith(prefix) for rid in ids)


# -- offline queue ---------------------------------------------------------------


def _entry(n: int, at: float) -> QueuedRequest[int]:
    return QueuedRequest({"requestId": f"r{n}", "controller": "c", "action": "a"}, at, n)


def test_queue_ttl_drops_old_entries_first() -> None:
    """Entries older than the TTL leave with reason TTL."""
    queue: OfflineQueue[int] = OfflineQueue(ttl=10.0, max_size=None)
    queue.push(_entry(0, 0.0), 0.0)
    queue.push(_entry(1, 5.0), 5.0)
    evicted = queue.push(_entry(2, 12.0), 12.0)
    assert [e.waiter for e in evicted] == [0]
    assert evicted[0].evicted is EvictionReason.TTL
    assert [e.waiter for e in queue] == [1, 2]


def test_queue_max_size_drops_oldest() -> None:
    """Beyond max_size the oldest leave with reason OVERFLOW."""
    queue: OfflineQueue[int] = OfflineQueue(ttl=None, max_size=2)
    evicted = [e for n in range(4) for e in queue.push(_entry(n, n), n)]
    assert [e.waiter for e in evicted] == [0, 1]
    assert {e.evicted for e in evicted} == {EvictionReason.OVERFLOW}
    assert len(queue) == 2


@pytest.mark.parametrize("limit", [None, 0])
def test_queue_without_limits_keeps_everything(limit: int | None) -> None:
    """0 and None both mean no limit, as in the JS SDK."""
    queue: OfflineQueue[int] = OfflineQueue(ttl=limit, max_size=limit)
    for n in range(100):
        assert queue.push(_entry(n, 0.0), 10_000.0) == []
    assert len(queue) == 100


def test_queue_prepend_skips_known_request_ids() -> None:
    """Loaded requests go first; duplicates by requestId are dropped."""
    queue: OfflineQueue[int] = OfflineQueue(ttl=None, max_size=None)
    queue.push(_entry(1, 0.0), 0.0)
    queue.prepend([_entry(0, 0.0), _entry(1, 0.0)])
    assert [e.waiter for e in queue] == [0, 1]
    assert queue.popleft() is not None and len(queue.clear()) == 1 and queue.popleft() is None


def test_queue_requeue_puts_an_entry_back_in_its_place() -> None:
    """A replayed entry sent back waits where it was, by age, before newer ones."""
    queue: OfflineQueue[int] = OfflineQueue(ttl=None, max_size=None)
    for n in range(4):
        queue.push(_entry(n, float(n)), float(n))
    taken = [queue.popleft() for _ in range(2)]
    assert not queue.needs_login()
    for entry in reversed(taken):  # answers come back in any order
        assert entry is not None
        entry.needs_login = True
        queue.requeue(entry)
    assert [e.waiter for e in queue] == [0, 1, 2, 3] and queue.needs_login()


# -- JWT -----------------------------------------------------------------------------


def _token(claims: dict[str, object]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJIUzI1NiJ9.{payload}.sig"


def test_jwt_payload_is_base64url() -> None:
    """Payloads with - and _ decode (JS SDK 7.17.1 fails on them)."""
    claims = {"_id": "user?>~é", "exp": 2_000_000_000}
    token = _token(claims)
    assert "-" in token or "_" in token
    assert decode_jwt_payload(token) == claims


def test_jwt_expiry_is_local() -> None:
    """expired() compares exp (seconds) with the given time."""
    jwt = Jwt.parse(_token({"_id": "alice", "exp": 100}))
    assert jwt.user_id == "alice"
    assert not jwt.expired(100.0) and jwt.expired(100.5)


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.!!!.c", "a.W10.c"])
def test_jwt_garbage_has_no_claims(token: str) -> None:
    """Opaque or broken tokens give no claims, never an exception."""
    jwt = Jwt.parse(token)
    assert jwt.user_id is None and jwt.expires_at is None and not jwt.expired(1e12)


def test_jwt_repr_hides_the_token() -> None:
    """The token never appears in a repr (reprs end up in logs)."""
    token = _token({"_id": "alice", "exp": 1})
    assert token not in repr(Jwt.parse(token))
