"""The WebSocket connection's decisions, as a sans-I/O state machine.

:class:`Connection` knows sockets only by number and time only as ``now``
arguments. The driver (:class:`kuzzle_browser.WebSocket`) feeds it events -
:meth:`~Connection.connect`, :meth:`~Connection.opened`,
:meth:`~Connection.frames_received`, :meth:`~Connection.closed`,
:meth:`~Connection.tick`... - and carries out the commands each returns, in
order: :class:`Open`, :class:`Send`, :class:`Close` a socket; :class:`Resolve`
or :class:`Fail` a waiter (a future of the driver's); :class:`Emit` an event;
:class:`Notify` channel listeners; :class:`WatchOnline`; :class:`WakeAt`
(call :meth:`~Connection.tick` then). The shape is websockets' ``Protocol``,
the transitions are a table as in h11; docs/protocol.md "Connection core" draws it.

Sockets: at most one is *current*; during a cookie renewal a *renewing* one is
opening, and once it opens the old one *drains*: it settles the requests sent
over it, delivers nothing else, and closes when they are done or after
:data:`RENEWAL_DRAIN_TIMEOUT`.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from json import loads
from typing import Any, Final, Generic, TypeVar

from kuzzle_browser.errors import (
    InvalidArgumentError,
    InvalidStateError,
    KeepaliveTimeout,
    KuzzleError,
    NetworkError,
    NotConnectedError,
    OutcomeUnknownError,
    api_error_from_payload,
)
from kuzzle_browser.protocol.heartbeat import Heartbeat, HeartbeatAction
from kuzzle_browser.protocol.messages import PING_FRAME, PONG_FRAME, bad_frame, encode_request
from kuzzle_browser.protocol.requests import RequestTable, new_request_id

__all__ = [
    "RENEWAL_DRAIN_TIMEOUT",
    "TOKEN_ERRORS",
    "Close",
    "Command",
    "Connection",
    "Emit",
    "Fail",
    "Notify",
    "Open",
    "Resolve",
    "Send",
    "State",
    "WakeAt",
    "WatchOnline",
    "backoff",
]

logger = logging.getLogger("kuzzle_browser.websocket")

# How long a socket replaced by a cookie renewal may keep waiting for its answers.
RENEWAL_DRAIN_TIMEOUT: Final = 30.0
TOKEN_ERRORS: Final = frozenset({"security.token.invalid", "security.token.expired"})

W = TypeVar("W")
Listener = Callable[[dict[str, Any]], None]


class State(enum.Enum):
    """Where the connection stands; :data:`TRANSITIONS` says where it may go."""

    IDLE = "idle"
    """Not trying: never started, closed by the user, or lost without auto-reconnection."""
    CONNECTING = "connecting"
    """A socket is opening."""
    CONNECTED = "connected"
    """The current socket is open: requests can be sent."""
    RETRY_WAIT = "retry wait"
    """Lost or failed; the next attempt is at the retry deadline."""
    OFFLINE_WAIT = "offline wait"
    """Lost or failed while the browser is offline; the next attempt is on ``online``."""


class Event(enum.Enum):
    """What moves the connection from one :class:`State` to another."""

    CONNECT = "connect"
    OPENED = "opened"
    RETRY = "retry"  # an attempt failed or the socket was lost; try again after the delay
    WAIT_ONLINE = "wait online"  # the same, while the browser is offline
    GIVE_UP = "give up"  # the same, without auto-reconnection
    ATTEMPT = "attempt"  # the delay is over, or the browser is online again
    CLOSE = "close"


_S, _E = State, Event
TRANSITIONS: Final[dict[tuple[State, Event], State]] = {
    (_S.IDLE, _E.CONNECT): _S.CONNECTING,
    (_S.RETRY_WAIT, _E.CONNECT): _S.CONNECTING,
    (_S.OFFLINE_WAIT, _E.CONNECT): _S.CONNECTING,
    (_S.CONNECTING, _E.OPENED): _S.CONNECTED,
    **{(state, _E.RETRY): _S.RETRY_WAIT for state in (_S.CONNECTING, _S.CONNECTED)},
    **{(state, _E.WAIT_ONLINE): _S.OFFLINE_WAIT for state in (_S.CONNECTING, _S.CONNECTED, _S.RETRY_WAIT)},
    **{(state, _E.GIVE_UP): _S.IDLE for state in (_S.CONNECTING, _S.CONNECTED)},
    (_S.RETRY_WAIT, _E.ATTEMPT): _S.CONNECTING,
    (_S.OFFLINE_WAIT, _E.ATTEMPT): _S.CONNECTING,
    **{(state, _E.CLOSE): _S.IDLE for state in State},
}
"""``(state, event) -> next state``; any other pair raises :class:`InvalidStateError`."""


def backoff(delay: float) -> Iterator[float]:
    """Seconds to wait before each reconnection attempt: ``delay`` every time, as the JS SDK."""
    while True:
        yield delay


@dataclass(slots=True)
class Open:
    """Open socket number ``sid``; report its events with that number."""

    sid: int


@dataclass(slots=True)
class Send:
    """Send ``text`` on socket ``sid`` (skip it if that socket is not open and ``text`` is the ping)."""

    sid: int
    text: str


@dataclass(slots=True)
class Close:
    """Close socket ``sid`` with ``code``; it reports nothing more."""

    sid: int
    code: int = 1000


@dataclass(slots=True)
class Resolve:
    """Resolve ``waiter`` with ``value`` (unless it is done already: a timeout, a cancellation)."""

    waiter: Any
    value: Any


@dataclass(slots=True)
class Fail:
    """Fail ``waiter`` with ``error`` (unless it is done already)."""

    waiter: Any
    error: KuzzleError


@dataclass(slots=True)
class Emit:
    """Emit the protocol event ``name`` with ``args``."""

    name: str
    args: tuple[Any, ...] = ()


@dataclass(slots=True)
class Notify:
    """Call each of ``listeners`` with ``payload`` (a notification); one raising must not stop the others."""

    channel: str
    listeners: tuple[Listener, ...]
    payload: dict[str, Any]


@dataclass(slots=True)
class WatchOnline:
    """Start (``True``) or stop listening for the browser's ``online`` event (then call ``online()``)."""

    watch: bool


@dataclass(slots=True)
class WakeAt:
    """Call :meth:`Connection.tick` at ``when`` (``None``: no timer needed); replaces the previous one."""

    when: float | None


Command = Open | Send | Close | Resolve | Fail | Emit | Notify | WatchOnline | WakeAt


class _Socket:
    __slots__ = ("deadline", "heartbeat", "sid")

    def __init__(self, sid: int, deadline: float | None) -> None:
        self.sid = sid
        self.deadline = deadline  # connect timeout while opening, drain timeout while draining
        self.heartbeat: Heartbeat | None = None


class Connection(Generic[W]):
    """The connection state machine of one :class:`~kuzzle_browser.WebSocket` (see the module docstring).

    Args:
        where: ``host:port``, for error messages.
        ping_interval: Seconds between two application pings.
        connect_timeout: Seconds a socket may take to open.
        max_request_size: Largest request in bytes; ``None``: no limit.
    """

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

    # -- state -----------------------------------------------------------------------

    def _to(self, event: Event) -> None:
        try:
            self.state = TRANSITIONS[self.state, event]
        except KeyError:
            raise InvalidStateError(f"No transition from {self.state.name} on {event.value}") from None

    def sockets(self) -> list[int]:
        """The sockets not closed yet: the current one first, then a renewing one, then draining ones."""
        found = [self._current.sid] if self._current else []
        if self._renewing:
            found.append(self._renewing[0].sid)
        return found + list(self._draining)

    def next_wake(self) -> float | None:
        """The earliest time :meth:`tick` has something to do, or ``None``."""
        times = [s.deadline for s in self._draining.values()]
        current = self._current
        if current is not None:
            times.append(current.heartbeat.next_deadline() if current.heartbeat else current.deadline)
        times.append(self._retry_at)
        return min((t for t in times if t is not None), default=None)

    def _rewake(self, out: list[Command]) -> list[Command]:
        when = self.next_wake()
        if when != self._wake:
            self._wake = when
            out.append(WakeAt(when))
        return out

    def _new_socket(self, deadline: float | None) -> _Socket:
        self._sids += 1
        return _Socket(self._sids, deadline)

    # -- lifecycle -------------------------------------------------------------------

    def connect(
        self, waiter: W, now: float, *, auto_reconnect: bool, reconnection_delay: float
    ) -> list[Command]:
        """Connect; ``waiter`` resolves with ``None`` once connected, or fails with the attempt's error."""
        if self.state is State.CONNECTED:
            return [Resolve(waiter, None)]
        self._connect_waiters.append(waiter)
        if self.state is State.CONNECTING:
            return []
        self._delay = reconnection_delay
        self._backoff = backoff(reconnection_delay) if auto_reconnect else None
        out: list[Command] = [WatchOnline(False)] if self.state is State.OFFLINE_WAIT else []
        return self._rewake(self._attempt(Event.CONNECT, now, out))

    def _attempt(self, event: Event, now: float, out: list[Command]) -> list[Command]:
        self._to(event)
        self._retry_at = None
        self._current = self._new_socket(now + self.connect_timeout)
        out.append(Open(self._current.sid))
        return out

    def open_failed(self, sid: int, error: KuzzleError, now: float) -> list[Command]:
        """The driver could not even start opening socket ``sid`` (an invalid URL): give up with ``error``."""
        if self._renewing and self._renewing[0].sid == sid:
            return self._renewal_failed(f"Cannot renew the WebSocket: {error}", now, online=True)
        if self._current is None or self._current.sid != sid:
            return []
        self._current = None
        self._to(Event.CLOSE)
        out: list[Command] = [Fail(w, error) for w in self._connect_waiters]
        self._connect_waiters.clear()
        return self._rewake(out)

    def opened(self, sid: int, now: float) -> list[Command]:
        """Socket ``sid`` is open."""
        renewing = self._renewing
        if renewing is not None and renewing[0].sid == sid:
            return self._switch(renewing, now)
        current = self._current
        if current is None or current.sid != sid or self.state is not State.CONNECTING:
            return [Close(sid)]
        self._to(Event.OPENED)
        if self._backoff is not None:
            self._backoff = backoff(self._delay)  # a success starts the policy over
        current.deadline = None
        current.heartbeat = Heartbeat(interval=self.ping_interval, now=now)
        out: list[Command] = [Resolve(w, None) for w in self._connect_waiters]
        self._connect_waiters.clear()
        out.append(Emit("reconnect" if self._was_connected else "connect"))
        self._was_connected = True
        return self._rewake(out)

    def closed(self, sid: int, code: int, reason: str, now: float, *, online: bool) -> list[Command]:
        """Socket ``sid`` closed (or failed to open); ``online`` is the browser's network status."""
        detail = f" (close code {code}{': ' + reason if reason else ''})"
        if self._renewing and self._renewing[0].sid == sid:
            return self._renewal_failed(f"Cannot renew the WebSocket{detail}", now, online=online)
        draining = self._draining.get(sid)
        if draining is not None:
            return self._rewake(self._retire(draining, []))
        current = self._current
        if current is None or current.sid != sid:
            return []
        if self.state is State.CONNECTING:
            return self._lost(
                NetworkError(f"Unable to connect to kuzzle server at {self.where}{detail}"), now, online
            )
        return self._lost(NetworkError(f"Connection to Kuzzle lost{detail}"), now, online)

    def _lost(
        self, error: KuzzleError, now: float, online: bool, out: list[Command] | None = None
    ) -> list[Command]:
        """The current socket died or never opened: tell everyone, fail its requests, maybe retry."""
        out = [] if out is None else out
        current = self._current
        assert current is not None
        self._current = None
        out.append(Close(current.sid))
        if self.state is State.CONNECTED:
            out.append(Emit("disconnect", ({"origin": "network/error"},)))
        out.extend(Fail(w, error) for w in self._connect_waiters)
        self._connect_waiters.clear()
        self._fail_requests(current.sid, out)
        out.append(Emit("networkError", (error,)))
        if self._backoff is None:
            self._to(Event.GIVE_UP)
        elif online:
            self._to(Event.RETRY)
            self._retry_at = now + next(self._backoff)
        else:
            self._to(Event.WAIT_ONLINE)
            out.append(WatchOnline(True))
        return self._rewake(out)

    def online(self, now: float) -> list[Command]:
        """The browser's ``online`` event fired (after :class:`WatchOnline` ``True``)."""
        if self.state is not State.OFFLINE_WAIT:
            return []
        return self._rewake(self._attempt(Event.ATTEMPT, now, []))

    def tick(self, now: float, *, online: bool) -> list[Command]:
        """Time passed: keep-alive, connect and drain timeouts, the retry deadline (see :class:`WakeAt`)."""
        out: list[Command] = []
        self._wake = None  # the timer that called us is spent: always arm the next one
        for draining in list(self._draining.values()):
            if draining.deadline is not None and now >= draining.deadline:
                self._retire(draining, out)
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
                self._attempt(Event.ATTEMPT, now, out)
            else:
                self._retry_at = None
                self._to(Event.WAIT_ONLINE)
                out.append(WatchOnline(True))
        return self._rewake(out)

    def close(self) -> list[Command]:
        """The user closes: every socket closes, every pending request and connect fails, no retry."""
        was_connected = self.state is State.CONNECTED
        out: list[Command] = [WatchOnline(False)] if self.state is State.OFFLINE_WAIT else []
        self._to(Event.CLOSE)
        self._was_connected = False
        self._retry_at = None
        for draining in list(self._draining.values()):
            self._retire(draining, out)
        if self._renewing is not None:
            renewing, waiter = self._renewing
            self._renewing = None
            out += [Close(renewing.sid), Resolve(waiter, None)]
        current, self._current = self._current, None
        if current is not None:
            out.append(Close(current.sid))
            error = NetworkError("The connection was closed while opening")
            out.extend(Fail(w, error) for w in self._connect_waiters)
            self._connect_waiters.clear()
            self._fail_requests(current.sid, out)
        if was_connected:
            out.append(Emit("disconnect", ({"origin": "user/connection-closed"},)))
        return self._rewake(out)

    # -- requests --------------------------------------------------------------------

    def send(self, request: dict[str, Any], waiter: W) -> list[Command]:
        """Send ``request``; ``waiter`` gets Kuzzle's response envelope or its error.

        Raises:
            InvalidArgumentError: Not JSON, above ``max_request_size``, or a ``requestId``
                already pending. Nothing was sent.
        """
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
                out.append(Emit("discarded", (request,)))
                out.append(
                    Fail(
                        waiter,
                        OutcomeUnknownError(
                            "Network error: request was sent but no response has been received",
                            request=request,
                        ),
                    )
                )

    def _has_pending(self, sid: int) -> bool:
        return any(entry[1][1] == sid for entry in self.requests.by_id.values())

    def _settle(
        self, request: dict[str, Any], waiter: W, payload: dict[str, Any], out: list[Command]
    ) -> None:
        error = payload.get("error")
        if not error:
            out.append(Resolve(waiter, payload))
            return
        api_error = api_error_from_payload(error if isinstance(error, dict) else {}, request)
        out.append(Emit("queryError", ({"error": api_error, "request": request},)))
        if api_error.id in TOKEN_ERRORS and request.get("action") != "logout":
            out.append(Emit("tokenExpired"))
        out.append(Fail(waiter, api_error))

    # -- frames: the one routing path ------------------------------------------------

    def frames_received(self, sid: int, frames: list[str | bytes]) -> list[Command]:
        """Route the frames socket ``sid`` delivered, in order. Never raises (bad frames become events).

        Per frame: ``{"p":2}`` is the pong; a ``room`` that is a pending ``requestId``
        settles that request; another ``room`` is a notification for that channel;
        ``type: "TokenExpired"`` (checked before ``room``) emits ``tokenExpired``; an
        error with no ``room`` settles the request it names or is reported; anything
        else is a malformed frame (docs/protocol.md §2).
        """
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
                payload = loads(data)
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
                    self._settle(entry[0], entry[1][0], payload, out)
                    if draining and not self._has_pending(sid):
                        return self._rewake(self._retire(self._draining[sid], out))
                elif not draining:
                    listeners = channels.get(room)
                    if listeners:
                        out.append(Notify(room, listeners, payload))
                    else:
                        # Normal right after an unsubscribe: Kuzzle may have sent it before processing ours.
                        logger.debug("Notification for unknown channel %r dropped", room)
            elif kind == "TokenExpired":
                if not draining:
                    out.append(Emit("tokenExpired"))
            elif payload.get("p") == 2 and len(payload) == 1:
                continue
            else:
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
        out.append(Emit("discarded", (payload,)))
        out.append(Emit("queryError", ({"error": api_error, "request": payload},)))

    @staticmethod
    def _malformed(error: KuzzleError, out: list[Command]) -> None:
        logger.warning("%s", error)
        out.append(Emit("queryError", ({"error": error, "request": None},)))

    # -- channels --------------------------------------------------------------------

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
        """Open a new socket (the new cookie rides its upgrade); ``waiter`` resolves when the switch is over.

        Not connected: nothing to renew (the next connection carries the cookie).
        """
        if self.state is not State.CONNECTED or self._renewing is not None:
            return [Resolve(waiter, None)]
        socket = self._new_socket(None)
        self._renewing = (socket, waiter)
        return [Open(socket.sid)]

    def _switch(self, renewing: tuple[_Socket, W], now: float) -> list[Command]:
        new, waiter = renewing
        self._renewing = None
        old = self._current
        assert old is not None
        new.heartbeat = Heartbeat(interval=self.ping_interval, now=now)
        self._current = new
        out: list[Command] = [Resolve(waiter, None)]
        if self._has_pending(old.sid):
            old.deadline, old.heartbeat = now + RENEWAL_DRAIN_TIMEOUT, None
            self._draining[old.sid] = old
        else:
            out.append(Close(old.sid))
        return self._rewake(out)

    def _renewal_failed(self, message: str, now: float, *, online: bool) -> list[Command]:
        """The renewing socket failed: the current one is given up for the reconnection loop."""
        assert self._renewing is not None
        waiter = self._renewing[1]
        self._renewing = None
        out: list[Command] = [Resolve(waiter, None)]
        if self._current is None:
            return out
        return self._lost(NetworkError(message), now, online, out)

    def _retire(self, socket: _Socket, out: list[Command]) -> list[Command]:
        del self._draining[socket.sid]
        out.append(Close(socket.sid))
        self._fail_requests(socket.sid, out)
        return out
