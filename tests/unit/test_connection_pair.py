"""Level 1: the connection core against a fake Kuzzle peer (h11-style pairs), and its invariants.

The peer is a function from a request frame to Kuzzle's answer frames; :class:`Link`
carries frames both ways, in order, with time passed in. The property test drives the
core with random events and checks what must always hold.
"""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kuzzle_browser.errors import KeepaliveTimeout
from kuzzle_browser.protocol.connection import State

from .test_connection import PING, Driver, Waiter


def kuzzle(text: str) -> list[str]:
    """What Kuzzle 2.56 answers to one frame (docs/protocol.md §2): pong, response, notification."""
    if text == '{"p":1}':
        return ['{"p":2}']
    request = json.loads(text)
    rid = request["requestId"]
    base = {"requestId": rid, "room": rid, "status": 200, "error": None, "action": request["action"]}
    if request["action"] == "subscribe":
        return [json.dumps(base | {"result": {"roomId": "r", "channel": "r-311"}})]
    if request["action"] == "publish":
        note = {"room": "r-311", "type": "document", "result": {"_source": request["body"]}}
        return [json.dumps(base | {"result": {"published": True}}), json.dumps(note)]
    return [json.dumps(base | {"result": {"echo": request.get("body")}})]


class Link(Driver):
    """A driver whose sockets are wired to :func:`kuzzle`: what is sent is answered on flush()."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.inbound: list[tuple[int, str]] = []
        self.answering = True

    def flush(self, *, shuffle: random.Random | None = None) -> None:
        """Let the peer answer everything sent so far, then deliver its frames per socket in one batch."""
        while self.sent:
            sent, self.sent = self.sent, []
            if self.answering:
                self.inbound += [(sid, frame) for sid, text in sent for frame in kuzzle(text)]
            if shuffle is not None:
                shuffle.shuffle(self.inbound)
            inbound, self.inbound = self.inbound, []
            for sid in sorted({sid for sid, _ in inbound}):
                if sid in self.open:
                    self.frames(sid, *[frame for s, frame in inbound if s == sid])


def test_pipelined_requests_answered_out_of_order_each_get_their_answer() -> None:
    """200 requests in flight, answers shuffled in one batch: each waiter gets its own."""
    link = Link()
    link.connected()
    waiters = [link.send({"controller": "c", "action": "echo", "body": n}) for n in range(200)]
    link.flush(shuffle=random.Random(7))
    assert [w.value["result"]["echo"] for w in waiters] == list(range(200))  # type: ignore[index]
    assert len(link.core.requests) == 0


def test_subscribe_then_publish_reaches_the_listener_after_the_answer() -> None:
    """The publisher's answer and the notification come in one batch; both are routed."""
    link = Link()
    link.connected()
    link.core.add_channel_listener("r-311", print)
    subscribed = link.send({"controller": "realtime", "action": "subscribe"})
    published = link.send({"controller": "realtime", "action": "publish", "body": {"n": 1}})
    link.flush()
    assert subscribed.value["result"]["channel"] == "r-311"  # type: ignore[index]
    assert published.value["result"] == {"published": True}  # type: ignore[index]
    assert [payload["result"] for _, payload in link.notified] == [{"_source": {"n": 1}}]


def test_an_answering_peer_keeps_the_link_up_a_silent_one_is_detected() -> None:
    """Ten intervals of pings and pongs keep it connected; then silence is a KeepaliveTimeout."""
    link = Link()
    link.connected()
    now = 0.0
    for _ in range(10):
        now = link.wake or now
        link.tick(now, online=True)
        link.flush()
    assert link.core.state is State.CONNECTED and link.names() == ["connect"]
    link.answering = False
    for _ in range(2):
        now = link.wake or now
        link.tick(now, online=True)
        link.flush()
    assert isinstance(link.events[-1][1][0], KeepaliveTimeout) and now <= 12 * PING


def test_cookie_renewal_with_requests_in_flight_on_the_old_socket() -> None:
    """Requests sent before the switch are answered on the old socket, later ones on the new."""
    link = Link()
    old = link.connected()
    before = [link.send({"controller": "c", "action": "echo", "body": n}) for n in range(3)]
    switched = Waiter()
    link.run(link.core.renew(switched, 1.0))
    (new,) = link.open - {old}
    link.run(link.core.opened(new, 1.1))
    after = link.send({"controller": "c", "action": "echo", "body": "new"})
    assert link.sent[-1][0] == new
    link.flush()
    assert [w.value["result"]["echo"] for w in before] == [0, 1, 2]  # type: ignore[index]
    assert after.value["result"]["echo"] == "new"  # type: ignore[index]
    assert link.open == {new} and switched.value is None


# -- the invariants ------------------------------------------------------------------

EVENTS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "connect",
                "open",
                "drop",
                "send",
                "flush",
                "tick",
                "online",
                "renew",
                "close",
                "garbage",
                "silence",
            ]
        ),
        st.integers(0, 3),
        st.floats(0, 3 * PING, allow_nan=False),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(EVENTS, st.booleans())
def test_no_event_sequence_leaves_a_request_unsettled_or_two_sockets_current(
    events: list[tuple[str, int, float]], auto_reconnect: bool
) -> None:
    """Whatever happens, at most one socket is current, sockets only send while open, every
    waiter is settled at most once (the driver asserts it), and after close() every request
    and connect is settled, no socket is open and no timer is armed."""
    link = Link(auto_reconnect=auto_reconnect)
    now = 0.0
    waiters: list[Waiter] = []
    for name, pick, dt in events:
        now += dt
        if name == "connect":
            waiters.append(link.connect(now))
        elif name == "open" and link.open:
            link.run(link.core.opened(sorted(link.open)[pick % len(link.open)], now))
        elif name == "drop" and link.open:
            link.closed(sorted(link.open)[pick % len(link.open)], 1006, "", now, online=pick != 0)
        elif name == "send":
            waiters.append(link.send({"controller": "c", "action": "echo", "body": pick}))
        elif name == "flush":
            link.flush()
        elif name == "tick":
            link.tick(max(now, link.wake or now), online=pick != 0)
        elif name == "online" and link.watching:  # the browser's one-shot listener fires
            link.watching = False
            link.run(link.core.online(now))
        elif name == "renew":
            waiters.append(Waiter())
            link.run(link.core.renew(waiters[-1], now))
        elif name == "close":
            link.run(link.core.close())
        elif name == "garbage" and link.open:
            link.frames(sorted(link.open)[0], "garbage", b"\x00", '{"room":"nobody"}')
        elif name == "silence":
            link.answering = not link.answering
        current = link.core._current
        if link.core.state is State.CONNECTED:
            assert current is not None and current.sid in link.open
        renewing = link.core._renewing
        others = {renewing[0].sid} if renewing else set()
        assert link.open <= ({current.sid} if current else set()) | others | set(link.core._draining)
    link.run(link.core.close())
    assert all(len(w.settled) == 1 for w in waiters)
    assert not link.open and len(link.core.requests) == 0 and link.wake is None and not link.watching
