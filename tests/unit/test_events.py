"""The event emitter's JS-compatible API: order, once, prepend, introspection."""

from __future__ import annotations

import pytest

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.events import EventEmitter


def test_prepended_listeners_run_first_and_once_listeners_run_once() -> None:
    emitter = EventEmitter({"ping"})
    calls: list[str] = []

    def later(*_: object) -> None:
        calls.append("on")

    def first(*_: object) -> None:
        calls.append("prepend")

    def one_shot(*_: object) -> None:
        calls.append("prepend_once")

    emitter.on("ping", later)
    emitter.prepend_listener("ping", first)
    emitter.prepend_once_listener("ping", one_shot)
    assert emitter.listeners("ping") == [one_shot, first, later]
    emitter.emit("ping")
    emitter.emit("ping")
    assert calls == ["prepend_once", "prepend", "on", "prepend", "on"]


def test_event_names_lists_events_with_listeners_only() -> None:
    emitter = EventEmitter({"a", "b"})
    remove = emitter.on("a", print)
    assert emitter.event_names() == ["a"]
    remove()
    assert emitter.event_names() == []
    assert emitter.listeners("b") == []


def test_unknown_events_and_non_callables_are_refused() -> None:
    emitter = EventEmitter({"a"})
    with pytest.raises(InvalidArgumentError):
        emitter.prepend_listener("nope", print)
    with pytest.raises(InvalidArgumentError):
        emitter.prepend_once_listener("a", "not callable")  # type: ignore[arg-type]
