"""Level 2: ``Answer`` behaves as an asyncio future, and wakes its task early when it can."""

from __future__ import annotations

import asyncio

import pytest

from kuzzle_browser.answer import Answer, dispatch_directly


async def test_resolved_in_a_dispatch_wakes_before_other_callbacks() -> None:
    """Inside dispatch_directly, the waiting task resumes when the dispatch ends, not a tick later."""
    loop = asyncio.get_running_loop()
    order: list[str] = []
    answer: Answer[int] = Answer(loop)

    async def waiter() -> None:
        order.append(f"woke with {await answer}")

    task = asyncio.ensure_future(waiter())
    await asyncio.sleep(0)  # the task is now waiting

    def message_event() -> None:  # stands for a browser event handler: no task is running
        dispatch_directly(lambda: answer.set_result(7))
        order.append("after dispatch")

    loop.call_soon(message_event)
    loop.call_soon(order.append, "next callback")
    await task
    assert order == ["woke with 7", "after dispatch", "next callback"]


async def test_outside_a_dispatch_it_is_a_plain_future() -> None:
    """Resolved from a task, exceptions and cancellation work as with asyncio.Future."""
    loop = asyncio.get_running_loop()
    failing: Answer[int] = Answer(loop)
    loop.call_soon(failing.set_exception, ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        await failing
    assert isinstance(failing.exception(), ValueError)

    pending: Answer[int] = Answer(loop)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await pending
    assert pending.cancelled()

    gathered = [Answer[int](loop) for _ in range(3)]
    for n, answer in enumerate(gathered):
        loop.call_soon(answer.set_result, n)
    assert await asyncio.gather(*gathered) == [0, 1, 2]


async def test_setting_twice_is_an_error() -> None:
    """A settled Answer refuses a second result, like a Future."""
    answer: Answer[int] = Answer(asyncio.get_running_loop())
    answer.set_result(1)
    with pytest.raises(asyncio.InvalidStateError):
        answer.set_result(2)
    assert answer.result() == 1 and not answer.cancel()
