"""The WebSocket connection's decisions: a sans-I/O state machine (docs/protocol.md §7).

Feed a :class:`Connection` events (time passed in as ``now``, sockets known by number)
and carry out the commands each returns, in order: Open, Send (the ping only if open),
Close (the socket reports nothing more), Fail unless done, Emit, WatchOnline (the online
event calls online()), WakeAt (the one timer: call tick() then). The hot ones are
2-tuples, cheaper than an object per frame: (waiter, value) resolves waiter unless done;
(listeners, payload) calls each listener (one that raises must not stop the others).
:class:`kuzzle_browser.WebSocket` is the asyncio driver; the unit tests drive it by hand.
"""

from __future__ import annotations

import enum
import logging
from _json import make_encoder, make_scanner
from collections.abc import Callable, Iterator
from json import JSONDecoder, loads
from json.encoder import encode_basestring
from typing import Any, Final, Generic, TypeVar

from kuzzle_browser.errors import (
    InvalidArgumentError,
    InvalidStateError,
    KeepaliveTimeout,
    KuzzleError,
    NetworkError,
    NotConnectedError,
    OutcomeUnknownError,
    ProtocolError,
    api_error_from_payload,
)
from kuzzle_browser.protocol import Value
from kuzzle_browser.protocol.heartbeat import Heartbeat, HeartbeatAction
from kuzzle_browser.protocol.requests import RequestTable, new_request_id

logger = logging.getLogger("kuzzle_browser.websocket")

RENEWAL_DRAIN_TIMEOUT: Final = 30.0
TOKEN_ERRORS: Final = frozenset({"security.token.invalid", "security.token.expired"})

# Kuzzle >= 2.10 answers the browser's application ping {"p":1} with {"p":2}:
# "This application-level PING has been especially added for web browsers,
# which don't allow sending PING packets." (JS SDK WebSocket page)
PING_FRAME = '{"p":1}'
PONG_FRAME = '{"p":2}'


_EXCERPT = 120


def bad_frame(data: str | bytes, error: ValueError | None = None) -> ProtocolError:
    # The error for a frame that is not a Kuzzle message: binary, not JSON (``error``), or not an object.
    if not isinstance(data, str):
        return ProtocolError(f"Kuzzle sends text frames only; got a binary frame of {len(data)} bytes")
    excerpt = data if len(data) <= _EXCERPT else data[:_EXCERPT] + "..."
    if error is not None:
        return ProtocolError(f"Frame is not JSON ({error}): {excerpt}")
    return ProtocolError(f"Frame is not a JSON object: {excerpt}")


def _not_json(value: object) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# json.dumps builds an encoder per call and json.loads goes through three Python frames and
# two regex matches; the hot path calls the C encoder and scanner directly (the same work).
# (CPython and Pyodide always build _json. The encoder's arguments are those json.dumps gives
# it for separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False.)
_c_encode = make_encoder(None, _not_json, encode_basestring, None, ":", ",", False, False, False)
_scan = make_scanner(JSONDecoder())  # type: ignore[arg-type]  # typeshed wants a scanner as the context


def encode_request(request: dict[str, Any]) -> str:
    # Serialize a request for the wire, compactly.
    #
    # Raises:
    #     InvalidArgumentError: The request holds something JSON cannot carry
    #         (a set, bytes, NaN, a cycle...). Nothing was sent.
    try:
        return "".join(_c_encode(request, 0))
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidArgumentError(f"The request cannot be sent as JSON: {exc}") from exc


def parse_frame(data: str) -> Any:
    # json.loads(data), by the C scanner; raises ValueError for a frame that is not JSON.
    try:
        try:
            payload, end = _scan(data, 0)
        except StopIteration:  # no value at 0 (leading blanks, or not JSON): loads says which
            return loads(data)
        return payload if end == len(data) else loads(data)
    except RecursionError:  # thousands of nested arrays: bad input, not a crash
        raise ValueError("the JSON nests too deeply") from None


W = TypeVar("W")
Listener = Callable[[dict[str, Any]], None]


class State(enum.Enum):
    IDLE = "idle"  # never started, closed by the user, or lost without auto-reconnection
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RETRY_WAIT = "retry wait"  # lost or failed: the next attempt is at the retry deadline
    OFFLINE_WAIT = "offline wait"  # the same while the browser is offline: on the online event


_S = State
TRANSITIONS: Final[dict[State, frozenset[State]]] = {
    _S.IDLE: frozenset({_S.CONNECTING, _S.IDLE}),
    _S.CONNECTING: frozenset({_S.CONNECTED, _S.RETRY_WAIT, _S.OFFLINE_WAIT, _S.IDLE}),
    _S.CONNECTED: frozenset({_S.RETRY_WAIT, _S.OFFLINE_WAIT, _S.IDLE}),
    _S.RETRY_WAIT: frozenset({_S.CONNECTING, _S.OFFLINE_WAIT, _S.IDLE}),
    _S.OFFLINE_WAIT: frozenset({_S.CONNECTING, _S.IDLE}),
}
# The states each state may go to; any other move raises InvalidStateError.


def backoff(delay: float) -> Iterator[float]:
    # Seconds before each reconnection attempt: ``delay`` every time, as the JS SDK.
    while True:
        yield delay


class Open(Value):
    """Open socket ``sid`` (its listener reports with the same number)."""

    __slots__ = ("sid",)

    def __init__(self, sid: int) -> None:
        self.sid = sid


class Send(Value):
    """Send ``text`` on socket ``sid``."""

    __slots__ = ("sid", "text")

    def __init__(self, sid: int, text: str) -> None:
        self.sid = sid
        self.text = text


class Close(Value):
    """Close socket ``sid``; it reports nothing more."""

    __slots__ = ("code", "sid")

    def __init__(self, sid: int, code: int = 1000) -> None:
        self.sid = sid
        self.code = code


class Fail(Value):
    """Fail ``waiter`` with ``error`` unless it is done."""

    __slots__ = ("error", "waiter")

    def __init__(self, waiter: Any, error: KuzzleError) -> None:
        self.waiter = waiter
        self.error = error


class Emit(Value):
    """Emit protocol event ``name`` with ``args``."""

    __slots__ = ("args", "name")

    def __init__(self, name: str, args: tuple[Any, ...] = ()) -> None:
        self.name = name
        self.args = args


class WatchOnline(Value):
    """Start (or stop) calling :meth:`Connection.online` on the browser's online event."""

    __slots__ = ("watch",)

    def __init__(self, watch: bool) -> None:
        self.watch = watch


class WakeAt(Value):
    """Call :meth:`Connection.tick` at ``when`` (monotonic seconds); ``None`` cancels."""

    __slots__ = ("when",)

    def __init__(self, when: float | None) -> None:
        self.when = when


Deliver = tuple[Any, Any]
Command = Open | Send | Close | Fail | Emit | WatchOnline | WakeAt | Deliver


class _Socket:
    __slots__ = ("deadline", "heartbeat", "sid")

    def __init__(self, sid: int, deadline: float | None) -> None:
        self.sid = sid
        self.deadline = deadline  # the connect timeout while opening, the drain timeout while draining
        self.heartbeat: Heartbeat | None = None


class Connection(Generic[W]):
    """The connection of one :class:`~kuzzle_browser.WebSocket`; ``where`` is ``host:port``, for errors."""

    def __init__(
        self, where: str, *, ping_interval: float, connect_timeout: float, max_request_size: int | None
    ) -> None:
        self.where = where
        self.ping_interval = ping_interval
        self.connect_timeout = connect_timeout
        self.max_request_size = max_request_size
        self.state = State.IDLE
        self.requests: RequestTable[tuple[W, int]] = RequestTable()
        self.channels: dict[str, tuple[Listener, ...]] = {}
        self._current: _Socket | None = None
        self._renewing: tuple[_Socket, W] | None = None
        self._draining: dict[int, _Socket] = {}
        self._connect_waiters: list[W] = []
        self._sids = 0
        self._was_connected = False
        self._backoff: Iterator[float] | None = None
        self._delay = 0.0
        self._retry_at: float | None = None
        self._wake: float | None = None

    def _to(self, state: State) -> None:
        if state not in TRANSITIONS[self.state]:
            raise InvalidStateError(f"No transition from {self.state.name} to {state.name}")
        self.state = state

    def _rewake(self, out: list[Command]) -> list[Command]:
        times = [s.deadline for s in self._draining.values()] + [self._retry_at]
        current = self._current
        if current is not None:
            times.append(current.heartbeat.next_deadline() if current.heartbeat else current.deadline)
        when = min((t for t in times if t is not None), default=None)
        if when != self._wake:
            self._wake = when
            out.append(WakeAt(when))
        return out

    def _settle_connect(self, out: list[Command], error: KuzzleError | None) -> None:
        out.extend((w, None) if error is None else Fail(w, error) for w in self._connect_waiters)
        self._connect_waiters.clear()

    # -- lifecycle -------------------------------------------------------------------

    def connect(
        self, waiter: W, now: float, *, auto_reconnect: bool, reconnection_delay: float
    ) -> list[Command]:
        """Connect; ``waiter`` resolves with ``None`` once connected, or fails with the attempt's error."""
        if self.state is State.CONNECTED:
            return [(waiter, None)]
        self._connect_waiters.append(waiter)
        if self.state is State.CONNECTING:
            return []
        self._delay = reconnection_delay
        self._backoff = backoff(reconnection_delay) if auto_reconnect else None
        return self._attempt(now, [WatchOnline(False)] if self.state is State.OFFLINE_WAIT else [])

    def _attempt(self, now: float, out: list[Command]) -> list[Command]:
        self._to(State.CONNECTING)
        self._retry_at = None
        self._sids += 1
        self._current = _Socket(self._sids, now + self.connect_timeout)
        out.append(Open(self._sids))
        return self._rewake(out)

    def open_failed(self, sid: int, error: KuzzleError, now: float) -> list[Command]:
        """Socket ``sid`` could not even start opening (an invalid URL): give up with ``error``."""
        if self._renewing and self._renewing[0].sid == sid:
            return self._renewal_failed(f"Cannot renew the WebSocket: {error}", now, online=True)
        out: list[Command] = []
        if self._current is not None and self._current.sid == sid:
            self._current = None
            self._to(State.IDLE)
            self._settle_connect(out, error)
        return self._rewake(out)

    def opened(self, sid: int, now: float) -> list[Command]:
        """Socket ``sid`` is open."""
        if self._renewing and self._renewing[0].sid == sid:
            return self._switch(now)
        current = self._current
        if current is None or current.sid != sid:
            return [Close(sid)]  # given up already (timed out, closed)
        if self.state is not State.CONNECTING:
            return []
        self._to(State.CONNECTED)
        if self._backoff is not None:
            self._backoff = backoff(self._delay)  # a success starts the policy over
        current.deadline = None
        current.heartbeat = Heartbeat(interval=self.ping_interval, now=now)
        # The event first: what its listeners start (the client's checkToken) goes out
        # before the requests of the code that awaited connect().
        out: list[Command] = [Emit("reconnect" if self._was_connected else "connect")]
        self._settle_connect(out, None)
        self._was_connected = True
        return self._rewake(out)

    def closed(self, sid: int, code: int, reason: str, now: float, *, online: bool) -> list[Command]:
        """Socket ``sid`` closed or failed to open; ``online`` is the browser's network status."""
        detail = f" (close code {code}{': ' + reason if reason else ''})"
        if self._renewing and self._renewing[0].sid == sid:
            return self._renewal_failed(f"Cannot renew the WebSocket{detail}", now, online=online)
        if sid in self._draining:
            return self._rewake(self._retire(sid, []))
        if self._current is None or self._current.sid != sid:
            return []
        if self.state is State.CONNECTING:
            return self._lost(
                NetworkError(f"Unable to connect to kuzzle server at {self.where}{detail}"), now, online
            )
        return self._lost(NetworkError(f"Connection to Kuzzle lost{detail}"), now, online)

    def _lost(
        self, error: KuzzleError, now: float, online: bool, out: list[Command] | None = None
    ) -> list[Command]:
        # The current socket died or never opened: tell everyone, fail its requests, maybe retry.
        out = [] if out is None else out
        assert self._current is not None
        sid = self._current.sid
        self._current = None
        out.append(Close(sid))
        self._drop_renewal(out)  # the retries carry the new cookie
        if self.state is State.CONNECTED:
            out.append(Emit("disconnect", ({"origin": "network/error"},)))
        self._settle_connect(out, error)
        self._fail_requests(sid, out)
        out.append(Emit("networkError", (error,)))
        if self._backoff is None:
            self._to(State.IDLE)
        elif online:
            self._to(State.RETRY_WAIT)
            self._retry_at = now + next(self._backoff)
        else:
            self._to(State.OFFLINE_WAIT)
            out.append(WatchOnline(True))
        return self._rewake(out)

    def online(self, now: float) -> list[Command]:
        """The browser's ``online`` event fired."""
        return self._attempt(now, []) if self.state is State.OFFLINE_WAIT else []

    def tick(self, now: float, *, online: bool) -> list[Command]:
        """Time passed: keep-alive, connect and drain timeouts, the retry deadline."""
        out: list[Command] = []
        self._wake = None  # the timer that called us is spent: always arm the next one
        for sid, draining in list(self._draining.items()):
            if draining.deadline is not None and now >= draining.deadline:
                self._retire(sid, out)
        current = self._current
        if current is not None and current.heartbeat is not None:
            action = current.heartbeat.poll(now)
            if action is HeartbeatAction.PING:
                out.append(Send(current.sid, PING_FRAME))
            elif action is HeartbeatAction.DEAD:
                dead = KeepaliveTimeout(
                    f"Kuzzle did not answer the ping within {self.ping_interval:g} s: connection lost"
                )
                return self._lost(dead, now, online, out)
        elif current is not None and current.deadline is not None and now >= current.deadline:
            late = NetworkError(
                f"Unable to connect to kuzzle server at {self.where}: "
                f"no answer within {self.connect_timeout:g} s"
            )
            return self._lost(late, now, online, out)
        if self._retry_at is not None and now >= self._retry_at:
            if online:
                return self._attempt(now, out)
            self._retry_at = None
            self._to(State.OFFLINE_WAIT)
            out.append(WatchOnline(True))
        return self._rewake(out)

    def close(self) -> list[Command]:
        """The user closes: every socket closes, pending requests and connects fail, no retry."""
        was_connected = self.state is State.CONNECTED
        out: list[Command] = [WatchOnline(False)] if self.state is State.OFFLINE_WAIT else []
        self._to(State.IDLE)
        self._was_connected = False
        self._retry_at = None
        for sid in list(self._draining):
            self._retire(sid, out)
        self._drop_renewal(out)
        if self._current is not None:
            sid = self._current.sid
            self._current = None
            out.append(Close(sid))
            self._settle_connect(out, NetworkError("The connection was closed while opening"))
            self._fail_requests(sid, out)
        if was_connected:
            out.append(Emit("disconnect", ({"origin": "user/connection-closed"},)))
        return self._rewake(out)

    # -- requests --------------------------------------------------------------------

    def send(self, request: dict[str, Any], waiter: W) -> list[Command]:
        """Send ``request``; ``waiter`` gets Kuzzle's response envelope or its error."""
        #
        # Raises:
        #     InvalidArgumentError: Not JSON, above ``max_request_size``, or a ``requestId``
        #         already pending. Nothing was sent.
        current = self._current
        if self.state is not State.CONNECTED or current is None:
            error = NotConnectedError(
                "Unable to execute request: not connected to a Kuzzle server.", request=request
            )
            return [Emit("discarded", (request,)), Fail(waiter, error)]
        if "requestId" not in request:
            request["requestId"] = new_request_id()
        text = encode_request(request)
        limit = self.max_request_size
        # A character is at most 4 bytes: most requests skip the encoding.
        if limit is not None and len(text) * 4 > limit and len(text.encode()) > limit:
            raise InvalidArgumentError(
                f"The request is {len(text.encode())} bytes; Kuzzle accepts at most {limit} "
                "(server.maxRequestSize). Split it (m* actions) or raise max_request_size.",
                request=request,
            )
        self.requests.add(request, (waiter, current.sid))
        return [Send(current.sid, text)]

    def forget(self, request_id: str, waiter: W) -> None:
        """Stop waiting for the answer to ``request_id`` sent with ``waiter`` (a timeout, a cancellation)."""
        entry = self.requests.by_id.get(request_id)
        if entry is not None and entry[1][0] is waiter:
            del self.requests.by_id[request_id]

    def _fail_requests(self, sid: int, out: list[Command]) -> None:
        for request_id, request, (waiter, on) in self.requests.entries():
            if on == sid:
                self.requests.pop(request_id)
                lost = OutcomeUnknownError(
                    "Network error: request was sent but no response has been received", request=request
                )
                out += [Emit("discarded", (request,)), Fail(waiter, lost)]

    def _has_pending(self, sid: int) -> bool:
        return any(entry[1][1] == sid for entry in self.requests.by_id.values())

    def _settle(
        self, request: dict[str, Any], waiter: W, payload: dict[str, Any], out: list[Command]
    ) -> None:
        error = payload.get("error")
        if not error:
            out.append((waiter, payload))
            return
        api_error = api_error_from_payload(error if isinstance(error, dict) else {}, request)
        out.append(Emit("queryError", ({"error": api_error, "request": request},)))
        if api_error.id in TOKEN_ERRORS and request.get("action") != "logout":
            out.append(Emit("tokenExpired"))
        out.append(Fail(waiter, api_error))

    # -- frames: the one routing path ------------------------------------------------

    def frames_received(self, sid: int, frames: list[str | bytes]) -> list[Command]:
        """Route the frames socket ``sid`` delivered, in order (docs/protocol.md §7); never raises."""
        out: list[Command] = []
        current = self._current
        if current is not None and current.sid == sid:
            draining = False
            if current.heartbeat is not None:
                current.heartbeat.activity()  # any frame proves the link alive
        elif sid in self._draining:
            draining = True
        else:
            return out
        pending = self.requests.by_id
        channels = self.channels
        for data in frames:
            if data == PONG_FRAME:
                continue
            if type(data) is not str:
                self._malformed(bad_frame(data), out)
                continue
            try:
                payload = parse_frame(data)
            except ValueError as exc:
                self._malformed(bad_frame(data, exc), out)
                continue
            if type(payload) is not dict:
                self._malformed(bad_frame(data), out)
                continue
            room = payload.get("room")
            kind = payload.get("type")
            if type(room) is str and room and kind != "TokenExpired":
                entry = pending.pop(room, None)
                if entry is not None:
                    if payload.get("error"):
                        self._settle(entry[0], entry[1][0], payload, out)
                    else:
                        out.append((entry[1][0], payload))
                    if draining and not self._has_pending(sid):
                        return self._rewake(self._retire(sid, out))
                elif not draining:
                    listeners = channels.get(room)
                    if listeners:
                        out.append((listeners, payload))
                    else:
                        # Normal right after an unsubscribe: Kuzzle may have sent it before processing ours.
                        logger.debug("Notification for unknown channel %r dropped", room)
            elif kind == "TokenExpired":
                if not draining:
                    out.append(Emit("tokenExpired"))
            elif payload.get("p") != 2 or len(payload) != 1:
                self._unroutable(payload, out)
        return out

    def _unroutable(self, payload: dict[str, Any], out: list[Command]) -> None:
        request_id = payload.get("requestId")
        entry = self.requests.pop(request_id) if isinstance(request_id, str) else None
        if entry is not None:
            self._settle(entry[0], entry[1][0], payload, out)
            return
        error = payload.get("error")
        api_error = api_error_from_payload(error if isinstance(error, dict) else {})
        logger.warning("Kuzzle sent an error tied to no request: %s", api_error)
        out += [
            Emit("discarded", (payload,)),
            Emit("queryError", ({"error": api_error, "request": payload},)),
        ]

    @staticmethod
    def _malformed(error: KuzzleError, out: list[Command]) -> None:
        logger.warning("%s", error)
        out.append(Emit("queryError", ({"error": error, "request": None},)))

    def add_channel_listener(self, channel: str, listener: Listener) -> None:
        """Deliver ``channel``'s notifications to ``listener`` too."""
        self.channels[channel] = (*self.channels.get(channel, ()), listener)

    def remove_channel_listener(self, channel: str, listener: Listener) -> None:
        """Stop delivering ``channel`` to ``listener`` (its first registration)."""
        listeners = list(self.channels.get(channel, ()))
        if listener in listeners:
            listeners.remove(listener)
        if listeners:
            self.channels[channel] = tuple(listeners)
        else:
            self.channels.pop(channel, None)

    # -- cookie renewal --------------------------------------------------------------

    def renew(self, waiter: W, now: float) -> list[Command]:
        """Open a new socket so the new cookie rides its upgrade; ``waiter`` resolves once switched."""
        #
        # Not connected: nothing to renew (the next connection carries the cookie).
        if self.state is not State.CONNECTED or self._renewing is not None:
            return [(waiter, None)]
        self._sids += 1
        self._renewing = (_Socket(self._sids, None), waiter)
        return [Open(self._sids)]

    def _switch(self, now: float) -> list[Command]:
        # The new socket becomes current; the old one drains: it settles the requests sent
        # over it, delivers nothing else, and closes once none is left or after the timeout.
        assert self._renewing is not None and self._current is not None
        (new, waiter), old = self._renewing, self._current
        self._renewing = None
        new.heartbeat = Heartbeat(interval=self.ping_interval, now=now)
        self._current = new
        out: list[Command] = [(waiter, None)]
        if self._has_pending(old.sid):
            old.deadline, old.heartbeat = now + RENEWAL_DRAIN_TIMEOUT, None
            self._draining[old.sid] = old
        else:
            out.append(Close(old.sid))
        return self._rewake(out)

    def _drop_renewal(self, out: list[Command]) -> None:
        if self._renewing is not None:
            out += [Close(self._renewing[0].sid), (self._renewing[1], None)]
            self._renewing = None

    def _renewal_failed(self, message: str, now: float, *, online: bool) -> list[Command]:
        # The new socket failed: the current one is given up (the retries carry the new cookie).
        assert self._renewing is not None
        out: list[Command] = [(self._renewing[1], None)]
        self._renewing = None
        return out if self._current is None else self._lost(NetworkError(message), now, online, out)

    def _retire(self, sid: int, out: list[Command]) -> list[Command]:
        del self._draining[sid]
        out.append(Close(sid))
        self._fail_requests(sid, out)
        return out
