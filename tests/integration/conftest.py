"""Level 2 fixtures: the SDK over an in-memory transport, on a real asyncio loop."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest

from kuzzle_browser.events import EventEmitter

from .fakes import FakeTransport

# Every time bound in these tests scales from one setting (the machine is shared).
SCALE = float(os.environ.get("KUZZLE_BROWSER_TIMEOUT_SCALE", "1"))
MS = 0.001 * SCALE


def next_event(emitter: EventEmitter, name: str) -> asyncio.Future[tuple[Any, ...]]:
    """A future resolved with the payload of the next ``name`` event."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def listener(*payload: Any) -> None:
        if not future.done():
            future.set_result(payload)

    emitter.once(name, listener)
    return future


async def within(awaitable: Any, seconds: float = 5.0) -> Any:
    """Await with a generous, scaled bound so a bug fails instead of hanging."""
    return await asyncio.wait_for(awaitable, seconds * SCALE)


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()
