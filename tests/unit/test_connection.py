"""Level 1: the sans-I/O connection core, one rule per test (time passed in, no event loop)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kuzzle_browser.errors import (
    ApiError,
    InvalidArgumentError,
    InvalidStateError,
    KeepaliveTimeout,
    NetworkError,
    NotConnectedError,
    OutcomeUnknownError,
    ProtocolError,
)
from kuzzle_browser.protocol.connection import (
    PING_FRAME,
    RENEWAL_DRAIN_TIMEOUT,
    TRANSITIONS,
    Close,
    Command,
    Connection,
    Emit,
    Fail,
    Open,
    Send,
    State,
    WakeAt,
    WatchOnline,
)

PING, TIMEOUT, DELAY = 2.0, 10.0, 1.0


class Waiter:
    """A future as the core sees it: settled once, by the driver, from ``(waiter, value)`` or a Fail."""

    def __init__(self) -> None:
        self.settled: list[object] = []

    @property
    def value(self) -> object:
        assert len(self.settled) == 1, self.settled
        return self.settled[0]


class Driver:
    """Carries out the core's commands the way kuzzle_browser.WebSocket does, recording them."""

    def __init__(self, *, auto_reconnect: bool = True, max_request_size: int | None = None) -> None:
        self.core: Connection[Waiter] = Connection(
            "h:7512", ping_interval=PING, connect_timeout=TIMEOUT, max_request_size=max_request_size
        )
        self.auto_reconnect = auto_reconnect
        self.open: set[int] = set()
        self.sent: list[tuple[int, str]] = []
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        self.notified: list[tuple[str, dict[str, Any]]] = []
        self.wake: float | None = None
        self.watching = False
        self.closed_codes: dict[int, int] = {}

    def run(self, commands: list[Command]) -> list[Command]:
        for command in commands:
            if isinstance(command, Open):
                assert command.sid not in self.open
                self.open.add(command.sid)
            elif isinstance(command, Close):
                self.open.discard(command.sid)
                self.closed_codes[command.sid] = command.code
            elif isinstance(command, Send):
                assert command.sid in self.open
                self.sent.append((command.sid, command.text))
            elif isinstance(command, tuple) and isinstance(command[0], tuple):
                self.notified += [(command[1]["room"], command[1])] * len(command[0])
            elif isinstance(command, tuple | Fail):
                waiter, value = command if isinstance(command, tuple) else (command.waiter, command.error)
                assert not waiter.settled, "a waiter settled twice"
                waiter.settled.append(value)
            elif isinstance(command, Emit):
                self.events.append((command.name, command.args))
            elif isinstance(command, WatchOnline):
                self.watching = command.watch
            else:
                self.wake = command.when
        return commands

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def connect(self, now: float = 0.0) -> Waiter:
        waiter = Waiter()
        self.run(self.core.connect(waiter, now, auto_reconnect=self.auto_reconnect, reconnection_delay=DELAY))
        return waiter

    def connected(self, now: float = 0.0) -> int:
        """Connect and open the socket; returns its number."""
        self.connect(now)
        (sid,) = self.open
        self.run(self.core.opened(sid, now))
        return sid

    def send(self, request: dict[str, Any]) -> Waiter:
        waiter = Waiter()
        self.run(self.core.send(request, waiter))
        return waiter

    def closed(self, sid: int, code: int, reason: str, now: float, *, online: bool) -> None:
        """Socket ``sid`` reports its close (it is closed, whatever the core says)."""
        self.open.discard(sid)
        self.run(self.core.closed(sid, code, reason, now, online=online))

    def tick(self, now: float, *, online: bool = True) -> list[Command]:
        """The timer fires (it is spent: only a new WakeAt arms it again)."""
        self.wake = None
        return self.run(self.core.tick(now, online=online))

    def frames(self, sid: int, *frames: str | bytes) -> list[Command]:
        return self.run(self.core.frames_received(sid, list(frames)))

    def answer(self, sid: int, request: dict[str, Any], **fields: Any) -> None:
        rid = request["requestId"]
        self.frames(sid, json.dumps({"requestId": rid, "room": rid, "status": 200, "error": None} | fields))


# -- the state table ---------------------------------------------------------------


def test_every_state_has_its_row_and_close_always_leads_to_idle() -> None:
    """The table covers every state; close() is legal everywhere."""
    assert set(TRANSITIONS) == set(State)
    assert all(State.IDLE in targets for targets in TRANSITIONS.values())


def test_an_illegal_transition_raises() -> None:
    """Opening a socket that is already open is a bug, reported as InvalidStateError."""
    core: Connection[Waiter] = Connection("h:1", ping_interval=1, connect_timeout=1, max_request_size=None)
    with pytest.raises(InvalidStateError, match="IDLE to CONNECTED"):
        core._to(State.CONNECTED)


# -- connecting --------------------------------------------------------------------


def test_connect_opens_then_resolves_and_emits_connect_then_reconnect() -> None:
    """The first success emits connect; after a loss the next one emits reconnect."""
    d = Driver()
    waiter = d.connect()
    assert d.core.state is State.CONNECTING and len(d.open) == 1 and d.wake == TIMEOUT
    (sid,) = d.open
    d.run(d.core.opened(sid, 1.0))
    assert waiter.value is None and d.names() == ["connect"] and d.wake == 1.0 + PING
    d.closed(sid, 1006, "", 2.0, online=True)
    d.tick(2.0 + DELAY, online=True)
    d.run(d.core.opened(max(d.open), 3.5))
    assert d.names()[-1] == "reconnect"


def test_connect_while_connecting_waits_for_the_same_attempt() -> None:
    """Two connect() calls share one socket; both learn the outcome."""
    d = Driver()
    first, second = d.connect(), d.connect()
    assert len(d.open) == 1
    d.closed(max(d.open), 1006, "", 0.5, online=True)
    assert isinstance(first.value, NetworkError) and isinstance(second.value, NetworkError)
    assert "Unable to connect to kuzzle server at h:7512 (close code 1006)" in str(first.value)


def test_connect_timeout_closes_the_socket_and_retries() -> None:
    """No open within connect_timeout: close it (1000), fail connect(), retry after the delay."""
    d = Driver()
    waiter = d.connect()
    (sid,) = d.open
    d.tick(TIMEOUT, online=True)
    assert "no answer within 10 s" in str(waiter.value) and d.closed_codes[sid] == 1000
    assert d.names() == ["networkError"] and d.core.state is State.RETRY_WAIT
    assert d.wake == TIMEOUT + DELAY


def test_without_auto_reconnect_a_loss_is_final() -> None:
    """auto_reconnect off: disconnect, networkError, and no timer left."""
    d = Driver(auto_reconnect=False)
    sid = d.connected()
    d.closed(sid, 1006, "gone", 1.0, online=True)
    assert d.names() == ["connect", "disconnect", "networkError"]
    assert d.events[1][1] == ({"origin": "network/error"},) and "(close code 1006: gone)" in str(
        d.events[2][1][0]
    )
    assert d.core.state is State.IDLE and d.wake is None and not d.open


def test_offline_waits_for_the_online_event_then_tries_at_once() -> None:
    """A loss while offline watches the online event instead of retrying on a timer."""
    d = Driver()
    sid = d.connected()
    d.closed(sid, 1006, "", 1.0, online=False)
    assert (d.core.state, d.watching, d.wake) == (State.OFFLINE_WAIT, True, None)
    d.run(d.core.online(5.0))
    assert (d.core.state, len(d.open)) == (State.CONNECTING, 1)


def test_going_offline_during_the_delay_switches_to_the_online_event() -> None:
    """The delay is over but the browser went offline: wait for online, no attempt."""
    d = Driver()
    d.closed(d.connected(), 1006, "", 1.0, online=True)
    d.tick(1.0 + DELAY, online=False)
    assert d.core.state is State.OFFLINE_WAIT and d.watching and not d.open


def test_connect_during_a_retry_wait_tries_now() -> None:
    """connect() does not wait for the pending retry."""
    d = Driver()
    d.closed(d.connected(), 1006, "", 1.0, online=False)
    d.connect(1.1)
    assert d.core.state is State.CONNECTING and not d.watching and len(d.open) == 1


def test_open_failed_gives_up_with_that_error() -> None:
    """An invalid URL: connect() fails with the transport's error, and nothing retries."""
    d = Driver()
    waiter = d.connect()
    error = InvalidArgumentError("bad url")
    d.run(d.core.open_failed(max(d.open), error, 0.0))
    assert waiter.value is error and d.core.state is State.IDLE and d.wake is None and d.names() == []


def test_a_late_open_of_a_given_up_socket_is_closed() -> None:
    """A socket that opens after its attempt timed out is closed, not adopted."""
    d = Driver()
    d.connect()
    (old,) = d.open
    d.tick(TIMEOUT, online=True)
    assert d.core.opened(old, TIMEOUT + 0.1) == [Close(old)]


# -- keep-alive ---------------------------------------------------------------------


def test_pings_every_interval_and_a_silent_server_is_dead_within_two() -> None:
    """Ping at +1 interval; no frame until the next tick: KeepaliveTimeout, disconnect, retry."""
    d = Driver()
    sid = d.connected()
    d.tick(PING, online=True)
    assert d.sent == [(sid, PING_FRAME)] and d.wake == 2 * PING
    d.frames(sid, '{"p":2}')
    d.tick(2 * PING, online=True)
    assert d.sent[-1] == (sid, PING_FRAME) and d.core.state is State.CONNECTED
    d.tick(3 * PING, online=True)
    assert d.names() == ["connect", "disconnect", "networkError"]
    assert isinstance(d.events[-1][1][0], KeepaliveTimeout) and d.closed_codes[sid] == 1000


def test_an_early_tick_rearms_the_timer() -> None:
    """A timer that fires early does nothing but asks to be called again."""
    d = Driver()
    d.connected()
    assert d.tick(PING - 0.001, online=True) == [WakeAt(PING)]


# -- requests and routing -------------------------------------------------------------


def test_response_resolves_its_request_by_room() -> None:
    """room == requestId: the request resolves with the whole envelope; ids are added."""
    d = Driver()
    sid = d.connected()
    request: dict[str, Any] = {"controller": "server", "action": "now"}
    waiter = d.send(request)
    assert json.loads(d.sent[-1][1]) == request and isinstance(request["requestId"], str)
    d.answer(sid, request, result={"now": 1})
    assert waiter.value == {"requestId": request["requestId"], "room": request["requestId"], "status": 200,
                            "error": None, "result": {"now": 1}}  # fmt: skip
    assert len(d.core.requests) == 0


def test_error_answer_fails_with_api_error_and_emits_query_error() -> None:
    """An error response fails the request with the status's ApiError, emitted as queryError."""
    d = Driver()
    sid = d.connected()
    request = {"controller": "x", "action": "y", "requestId": "r"}
    waiter = d.send(request)
    d.answer(sid, request, status=404, error={"id": "api.process.action_not_found", "status": 404})
    assert isinstance(waiter.value, ApiError) and waiter.value.status == 404
    assert d.events[-1] == ("queryError", ({"error": waiter.value, "request": request},))


@pytest.mark.parametrize(("action", "expired"), [("checkToken", True), ("logout", False)])
def test_token_errors_emit_token_expired_except_for_logout(action: str, expired: bool) -> None:
    """security.token.expired on a request: tokenExpired, unless the request was the logout."""
    d = Driver()
    sid = d.connected()
    request = {"controller": "auth", "action": action, "requestId": "r"}
    d.send(request)
    d.answer(sid, request, status=401, error={"id": "security.token.expired", "status": 401})
    assert ("tokenExpired" in d.names()) is expired


def test_not_connected_fails_at_once_and_emits_discarded() -> None:
    """send() while offline: discarded, NotConnectedError, nothing registered."""
    d = Driver()
    request = {"controller": "server", "action": "now"}
    waiter = d.send(request)
    assert isinstance(waiter.value, NotConnectedError) and d.events == [("discarded", (request,))]
    assert "requestId" not in request


def test_oversized_or_duplicate_requests_raise_before_sending() -> None:
    """Too big for max_request_size, or a requestId already pending: InvalidArgumentError."""
    d = Driver(max_request_size=100)
    d.connected()
    with pytest.raises(InvalidArgumentError, match="at most 100"):
        d.send({"controller": "c", "action": "a", "body": "é" * 60})
    d.send({"controller": "c", "action": "a", "requestId": "same"})
    with pytest.raises(InvalidArgumentError, match="already pending"):
        d.send({"controller": "c", "action": "a", "requestId": "same"})
    assert len(d.sent) == 1


def test_forget_only_removes_its_own_request() -> None:
    """A timed-out request is forgotten; another waiter's request with the same id stays."""
    d = Driver()
    d.connected()
    waiter = d.send({"controller": "c", "action": "a", "requestId": "r"})
    d.core.forget("r", Waiter())
    assert "r" in d.core.requests
    d.core.forget("r", waiter)
    assert "r" not in d.core.requests


def test_notification_reaches_every_listener_of_its_channel() -> None:
    """room not pending: the channel's listeners, in one command; unknown channels are dropped."""
    d = Driver()
    sid = d.connected()
    d.core.add_channel_listener("ch", print)
    d.core.add_channel_listener("ch", dict.clear)
    d.frames(sid, '{"room":"ch","n":1}', '{"room":"other","n":2}')
    assert d.notified == [("ch", {"room": "ch", "n": 1})] * 2
    d.core.remove_channel_listener("ch", print)
    d.core.remove_channel_listener("ch", dict.clear)
    assert d.core.channels == {}


def test_token_expired_is_routed_before_room() -> None:
    """Kuzzle's TokenExpired push carries a room but is an expiry, not a notification."""
    d = Driver()
    sid = d.connected()
    d.core.add_channel_listener("kuzzle:notification:server", print)
    d.frames(sid, '{"type":"TokenExpired","room":"kuzzle:notification:server"}')
    assert d.names()[-1] == "tokenExpired" and d.notified == []


def test_error_without_room_settles_the_request_it_names() -> None:
    """Kuzzle's invalid-request errors echo requestId without room (docs/protocol.md §2.8)."""
    d = Driver()
    sid = d.connected()
    waiter = d.send({"controller": "c", "action": "a", "requestId": "r1"})
    d.frames(sid, '{"requestId":"r1","status":400,"error":{"id":"api.assert.invalid_type","status":400}}')
    assert isinstance(waiter.value, ApiError)
    d.frames(sid, '{"status":429,"error":{"id":"api.process.too_many_requests","status":429}}')
    assert d.names()[-2:] == ["discarded", "queryError"]


@pytest.mark.parametrize(
    ("frame", "fragment"),
    [
        ("garbage", "not JSON"),
        ("[]", "not a JSON object"),
        (b"\x01", "binary frame"),
        ('{"p":2,"x":1}', ""),
        ("[" * 100_000 + "]" * 100_000, "nests too deeply"),
    ],
)
def test_bad_frames_become_query_errors_and_pongs_nothing(frame: str | bytes, fragment: str) -> None:
    """Frames that are not Kuzzle's emit queryError with a ProtocolError; the pong emits nothing."""
    d = Driver()
    sid = d.connected()
    d.frames(sid, frame, '{"p":2}', '{ "p" : 2 }')
    (name, (payload,)) = d.events[-1]
    if fragment:
        assert name == "queryError" and isinstance(payload["error"], ProtocolError)
        assert fragment in str(payload["error"]) and payload["request"] is None
    else:  # {"p":2} with other keys is not a pong: an error tied to no request
        assert d.names()[-2:] == ["discarded", "queryError"]
    assert len(d.events) == (2 if fragment else 3)


def test_frames_of_an_unknown_socket_are_ignored() -> None:
    """A socket already closed by the core says nothing more."""
    d = Driver()
    d.connected()
    assert d.frames(99, '{"room":"x"}') == []


# -- close ----------------------------------------------------------------------------


def test_drop_fails_pending_requests_with_outcome_unknown() -> None:
    """The socket dies: each request sent over it emits discarded and fails OutcomeUnknownError."""
    d = Driver()
    sid = d.connected()
    request = {"controller": "c", "action": "a"}
    waiter = d.send(request)
    d.closed(sid, 1006, "", 1.0, online=True)
    assert isinstance(waiter.value, OutcomeUnknownError)
    assert d.names() == ["connect", "disconnect", "discarded", "networkError"]


def test_user_close_settles_everything_and_stops_every_timer() -> None:
    """close(): sockets closed with 1000, requests failed, user origin, no wake-up, no watch."""
    d = Driver()
    sid = d.connected()
    waiter = d.send({"controller": "c", "action": "a"})
    d.run(d.core.close())
    assert isinstance(waiter.value, OutcomeUnknownError) and d.closed_codes[sid] == 1000
    assert d.events[-1] == ("disconnect", ({"origin": "user/connection-closed"},))
    assert d.wake is None and not d.open and d.core.state is State.IDLE
    d.connected(5.0)
    assert d.names()[-1] == "connect"  # after close(), a new start


def test_close_while_connecting_fails_connect() -> None:
    """close() during the attempt fails connect() with NetworkError; no disconnect."""
    d = Driver()
    waiter = d.connect()
    d.run(d.core.close())
    assert isinstance(waiter.value, NetworkError) and "disconnect" not in d.names()


def test_close_while_offline_stops_watching() -> None:
    """close() in OFFLINE_WAIT releases the online listener."""
    d = Driver()
    d.closed(d.connected(), 1006, "", 1.0, online=False)
    d.run(d.core.close())
    assert not d.watching


# -- cookie renewal -------------------------------------------------------------------


def renewing() -> tuple[Driver, int, int, Waiter]:
    """A connected driver with one request pending on the old socket, renewal under way."""
    d = Driver()
    old = d.connected()
    d.send({"controller": "c", "action": "slow", "requestId": "slow"})
    switched = Waiter()
    d.run(d.core.renew(switched, 1.0))
    (new,) = d.open - {old}
    return d, old, new, switched


def test_renewal_switches_sockets_and_the_old_one_drains() -> None:
    """The new socket becomes current; the old one settles its request, then closes."""
    d, old, new, switched = renewing()
    d.core.add_channel_listener("ch", print)
    d.run(d.core.opened(new, 1.5))
    assert switched.value is None and d.open == {old, new} and d.names() == ["connect"]
    d.frames(old, '{"room":"ch"}', '{"type":"TokenExpired"}')
    assert d.notified == [] and "tokenExpired" not in d.names()  # a draining socket delivers nothing else
    waiter = d.send({"controller": "c", "action": "fast"})
    assert d.sent[-1][0] == new
    d.frames(old, '{"room":"slow","requestId":"slow","status":200}')
    assert d.open == {new} and len(d.core.requests) == 1 and waiter.settled == []


def test_drain_timeout_retires_the_old_socket() -> None:
    """An old socket whose answers never come is closed after the drain timeout, its requests failed."""
    d, _, new, _ = renewing()
    d.run(d.core.opened(new, 1.5))
    assert d.wake == 1.5 + PING
    d.tick(1.5 + PING, online=True)
    d.frames(new, '{"p":2}')
    d.tick(1.5 + RENEWAL_DRAIN_TIMEOUT, online=True)
    assert d.open == {new} and d.names()[-1] == "discarded" and d.core.state is State.CONNECTED


def test_renewal_failure_gives_up_the_current_socket() -> None:
    """The new socket fails to open: the renewal still resolves, the old link is lost, retries go on."""
    d, _, new, switched = renewing()
    d.closed(new, 1006, "", 1.5, online=True)
    assert switched.value is None and not d.open and d.core.state is State.RETRY_WAIT
    assert "Cannot renew the WebSocket (close code 1006)" in str(d.events[-1][1][0])


def test_renewal_when_not_connected_is_a_no_op() -> None:
    """Nothing to renew offline: the next connection carries the new cookie."""
    d = Driver()
    switched = Waiter()
    assert d.run(d.core.renew(switched, 0.0)) == [(switched, None)]


def test_close_during_renewal_closes_both_sockets() -> None:
    """close() while the new socket opens: both close, the renewal resolves, the request fails."""
    d, _, _, switched = renewing()
    d.run(d.core.close())
    assert not d.open and switched.value is None and isinstance(d.core.requests.drain(), list)


def test_link_lost_during_renewal_gives_the_renewal_up() -> None:
    """The current socket dies while the new one opens: both are given up, the renewal
    resolves, the request fails, and the retry (which carries the new cookie) is the only
    socket; a late open of the abandoned one is closed."""
    d, old, new, switched = renewing()
    d.closed(old, 1006, "", 1.2, online=True)
    assert not d.open and switched.value is None and d.core.state is State.RETRY_WAIT
    assert d.run(d.core.opened(new, 1.3)) == [Close(new)]
    assert d.core.state is State.RETRY_WAIT
