"""kuzzle_browser.transport.mock: its documented examples run, its batches reach the listener whole."""

from __future__ import annotations

import asyncio
import json
import re
import textwrap
from pathlib import Path

import pytest

import kuzzle_browser.transport.mock as mock
from kuzzle_browser.transport.mock import MockTransport

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "testing.md").read_text()
GUIDE_EXAMPLES = re.findall(r"```python\n(.*?)```", GUIDE, re.DOTALL)


def module_example() -> str:
    assert mock.__doc__ is not None
    return textwrap.dedent(mock.__doc__.split("::\n", 1)[1].split("\nThe SDK's own tests", 1)[0])


@pytest.mark.parametrize(
    "source",
    [module_example(), *GUIDE_EXAMPLES],
    ids=["module docstring", *map(str, range(len(GUIDE_EXAMPLES)))],
)
def test_the_documented_examples_run_as_written(source: str) -> None:
    """Each is a whole script, ending in ``asyncio.run(...)``: run it as a user would."""
    assert "asyncio.run(" in source
    exec(compile(source, "<example>", "exec"), {"__name__": "__main__"})


def test_the_guide_is_linked_from_the_readme() -> None:
    assert len(GUIDE_EXAMPLES) >= 3
    assert "docs/testing.md" in (ROOT / "README.md").read_text()


class Listener:
    """Records what a socket reports, one entry per call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.opened = asyncio.get_running_loop().create_future()
        self.delivered = asyncio.get_running_loop().create_future()

    def socket_opened(self) -> None:
        self.opened.set_result(None)

    def socket_message(self, data: str | bytes) -> None:
        self.calls.append(("message", data))
        if len(self.calls) == 3:
            self.delivered.set_result(None)

    def socket_messages(self, frames: list[str | bytes]) -> None:
        self.calls.append(("messages", frames))
        self.delivered.set_result(None)

    def socket_closed(self, code: int, reason: str, was_clean: bool) -> None:
        self.calls.append(("closed", code))


def request(n: int) -> str:
    return json.dumps({"controller": "server", "action": "now", "requestId": f"r{n}"})


async def test_the_peer_answers_one_tick_in_one_batch_when_asked() -> None:
    transport = MockTransport()
    transport.peer.batch = True
    listener = Listener()
    socket = transport.open_socket("ws://kuzzle.test:7512", listener)
    await asyncio.wait_for(listener.opened, 5)
    for n in range(3):
        socket.send(request(n))
    await asyncio.wait_for(listener.delivered, 5)
    ((kind, frames),) = listener.calls
    assert kind == "messages" and isinstance(frames, list)
    assert [json.loads(frame)["requestId"] for frame in frames] == ["r0", "r1", "r2"]


async def test_the_peer_answers_frame_by_frame_by_default() -> None:
    transport = MockTransport()
    listener = Listener()
    socket = transport.open_socket("ws://kuzzle.test:7512", listener)
    await asyncio.wait_for(listener.opened, 5)
    for n in range(3):
        socket.send(request(n))
    await asyncio.wait_for(listener.delivered, 5)
    assert [kind for kind, _ in listener.calls] == ["message"] * 3
    assert transport.peer.count("now") == 3


async def test_deliver_batch_hands_over_every_frame_in_order_and_drop_closes() -> None:
    transport = MockTransport()
    listener = Listener()
    socket = transport.open_socket("ws://kuzzle.test:7512", listener)
    await asyncio.wait_for(listener.opened, 5)
    socket.deliver_batch(f"frame {n}" for n in range(2))
    socket.drop(1011)
    assert listener.calls == [("messages", ["frame 0", "frame 1"]), ("closed", 1011)]
    assert not socket.is_open


def test_the_integration_tests_names_are_the_mock() -> None:
    from tests.integration import fakes

    assert (fakes.FakeTransport, fakes.FakeSocket, fakes.FakeKuzzle) == (
        mock.MockTransport,
        mock.MockSocket,
        mock.MockKuzzle,
    )
