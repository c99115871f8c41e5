"""Notifications in batches (``socket_messages``, what the browser transport's pump hands over).

A batch is routed in one dispatch: an ``async for`` consumer is woken once, at the end
of that dispatch, and takes every queued notification without suspending per item.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from kuzzle_browser import Kuzzle, Subscription, WebSocket

from .conftest import within
from .fakes import FakeTransport


async def subscribed(transport: FakeTransport, callback: Any = None) -> tuple[Kuzzle, Subscription]:
    kuzzle = Kuzzle(WebSocket("kuzzle.test", transport=transport))
    await within(kuzzle.connect())
    return kuzzle, await within(kuzzle.realtime.subscribe("i", "c", {}, callback))


def frames(subscription: Subscription, numbers: range) -> list[str | bytes]:
    return [json.dumps({"room": subscription.channel, "n": n}) for n in numbers]


async def from_the_browser(deliver: Callable[[], None]) -> None:
    """Run ``deliver`` the way a socket event runs: as a loop callback, outside any task."""
    done = asyncio.get_running_loop().create_future()

    def event() -> None:
        deliver()
        done.set_result(None)

    asyncio.get_running_loop().call_soon(event)
    await within(done)


async def test_a_batch_is_consumed_by_async_for_inside_its_own_dispatch(transport: FakeTransport) -> None:
    """The waiting consumer wakes once, at the end of the dispatch, and drains the whole batch there."""
    _, subscription = await subscribed(transport)
    received: list[int] = []
    seen_when_the_dispatch_returned: list[int] = []

    async def consume() -> None:
        async for notification in subscription:
            received.append(notification["n"])
            if len(received) == 5:
                return

    consumer = asyncio.ensure_future(consume())
    await asyncio.sleep(0)  # the consumer now waits

    def batch() -> None:
        transport.socket.listener.socket_messages(frames(subscription, range(5)))
        seen_when_the_dispatch_returned.append(len(received))

    await from_the_browser(batch)
    assert seen_when_the_dispatch_returned == [5] and received == [0, 1, 2, 3, 4]
    await within(consumer)


async def test_batches_and_lone_frames_keep_their_order(transport: FakeTransport) -> None:
    """Lone frames and batches interleaved: every notification once, in arrival order."""
    _, subscription = await subscribed(transport)
    listener = transport.socket.listener

    async def consume() -> list[int]:
        out: list[int] = []
        async for notification in subscription:
            out.append(notification["n"])
            if len(out) == 10:
                return out
        return out

    consumer = asyncio.ensure_future(consume())
    await asyncio.sleep(0)
    await from_the_browser(lambda: listener.socket_message(frames(subscription, range(1))[0]))
    await from_the_browser(lambda: listener.socket_messages(frames(subscription, range(1, 6))))
    await from_the_browser(lambda: listener.socket_messages(frames(subscription, range(6, 10))))
    assert await within(consumer) == list(range(10))


async def test_a_batch_reaches_a_callback_in_order(transport: FakeTransport) -> None:
    """Callback subscribers get each notification of a batch, in order, answers mixed in."""
    received: list[dict[str, Any]] = []
    kuzzle, subscription = await subscribed(transport, received.append)
    listener = transport.socket.listener
    await from_the_browser(lambda: listener.socket_messages(frames(subscription, range(3))))
    assert [n["n"] for n in received] == [0, 1, 2]
    assert (await within(kuzzle.query({"controller": "server", "action": "now"})))["result"] == {"now": 1234}
