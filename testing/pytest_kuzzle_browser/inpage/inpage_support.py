"""Helpers for in-page tests and ``run_python`` code, importable in every page as
``inpage_support`` (part of pytest-kuzzle-browser).

This module runs inside Pyodide, next to the test modules. The harness writes
``_inpage_config.py`` beside it with the Kuzzle server's URL and the time scale factor.

* ``SERVER_HOST``, ``SERVER_PORT``, ``SERVER_URL`` (http[s]), ``SERVER_WS_URL``, ``SERVER_SSL``:
  the session's Kuzzle: the dev server (``--port 0 --control``, fresh data directory) or
  the one given with ``--kuzzle-url``;
* ``TIMEOUT_SCALE`` / ``scaled(seconds)``: every time bound goes through it;
* ``await control(path, body=None, method="POST")``: the dev server's control surface
  (``/_devserver/<path>``), JSON in and out, raises ``ControlError`` on a non-2xx answer;
  skips the test against a real Kuzzle (``SERVER_CONTROL`` is False);
* ``await wait_for(predicate, timeout)``: polling, only where no event can be awaited;
* ``document_cookie()``: ``document.cookie`` (HttpOnly cookies never show here);
* ``raises(ExcType, match=...)``: like ``pytest.raises``; ``skip(reason)``;
* ``expect_blocked(url_prefix)``: declare that this test makes a request outside
  127.0.0.1 on purpose (the harness fails a test for any undeclared one).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import _inpage_config
import js
from pyodide.ffi import to_js

SERVER_URL: str = str(_inpage_config.SERVER_URL).rstrip("/")
SERVER_SSL: bool = SERVER_URL.startswith("https:")
SERVER_HOST: str = urlsplit(SERVER_URL).hostname or "127.0.0.1"
SERVER_PORT: int = int(_inpage_config.SERVER_PORT)
SERVER_WS_URL = f"{'wss' if SERVER_SSL else 'ws'}://{urlsplit(SERVER_URL).netloc}"
SERVER_CONTROL: bool = bool(_inpage_config.SERVER_CONTROL)
TIMEOUT_SCALE: float = float(_inpage_config.TIMEOUT_SCALE)

__all__ = [
    "SERVER_CONTROL",
    "SERVER_HOST",
    "SERVER_PORT",
    "SERVER_SSL",
    "SERVER_URL",
    "SERVER_WS_URL",
    "TIMEOUT_SCALE",
    "ControlError",
    "Skipped",
    "control",
    "document_cookie",
    "expect_blocked",
    "next_event",
    "raises",
    "scaled",
    "skip",
    "wait_for",
    "within",
]


def scaled(seconds: float) -> float:
    """A time bound in seconds multiplied by the session's scale factor."""
    return seconds * TIMEOUT_SCALE


class ControlError(Exception):
    """The dev server's control surface answered with a non-2xx status."""

    def __init__(self, method: str, url: str, status: int, body: str) -> None:
        super().__init__(f"{method} {url} -> {status}: {body[:500]}")
        self.status = status
        self.body = body


async def control(path: str, body: dict[str, Any] | None = None, method: str = "POST") -> Any:
    """Call ``http://127.0.0.1:PORT/_devserver/<path>`` with ``js.fetch``; the JSON answer.

    ``method`` is POST by default; pass ``method="GET"`` (or "DELETE") for the others.
    Skips the test when the session talks to a real Kuzzle (no control surface).
    """
    if not SERVER_CONTROL:
        skip("the dev server's control surface is not available with --kuzzle-url")
    url = f"{SERVER_URL}/_devserver/{path.lstrip('/')}"
    init: dict[str, Any] = {"method": method, "cache": "no-store"}
    if body is not None:
        init["body"] = json.dumps(body)
        init["headers"] = {"Content-Type": "application/json"}
    response = await js.fetch(url, to_js(init, dict_converter=js.Object.fromEntries))
    text = str(await response.text())
    if not 200 <= int(response.status) < 300:
        raise ControlError(method, url, int(response.status), text)
    return json.loads(text) if text.strip() else None


async def wait_for(
    predicate: Callable[[], bool | Awaitable[bool]],
    timeout: float,
    *,
    interval: float = 0.02,
    message: str = "condition",
) -> None:
    """Poll ``predicate`` until true; TimeoutError after ``scaled(timeout)`` seconds.

    Prefer awaiting an event or a future: use this only where none exists.
    """
    deadline = time.monotonic() + scaled(timeout)
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{message} still false after {scaled(timeout):.1f} s")
        await asyncio.sleep(interval)


def next_event(emitter: Any, name: str) -> asyncio.Future[tuple[Any, ...]]:
    """A future resolved with the payload of ``emitter``'s next ``name`` event (SDK emitters)."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def listener(*payload: Any) -> None:
        if not future.done():
            future.set_result(payload)

    emitter.once(name, listener)
    return future


async def within(awaitable: Awaitable[Any], seconds: float = 10.0) -> Any:
    """Await with a generous, scaled bound, so a bug fails the test instead of hanging it."""
    return await asyncio.wait_for(awaitable, scaled(seconds))


def document_cookie() -> str:
    """``document.cookie`` of the test page."""
    return str(js.document.cookie)


class Skipped(Exception):
    """Raised by ``skip()``; the host reports the test as skipped."""


def skip(reason: str) -> None:
    """Skip the running in-page test."""
    raise Skipped(reason)


@dataclass
class RaisesInfo:
    """What ``raises`` caught (``.value``), like pytest's ExceptionInfo."""

    value: BaseException | None = None


@contextmanager
def raises(
    expected: type[BaseException] | tuple[type[BaseException], ...], match: str | None = None
) -> Iterator[RaisesInfo]:
    """Assert that the block raises ``expected`` (and its message matches ``match``)."""
    info = RaisesInfo()
    try:
        yield info
    except expected as exc:
        info.value = exc
        if match is not None and not re.search(match, str(exc)):
            raise AssertionError(f"{exc!r} does not match {match!r}") from exc
        return
    raise AssertionError(f"did not raise {expected!r}")


_EXPECTED_BLOCKED: list[str] = []


def expect_blocked(url_prefix: str) -> None:
    """Declare that this test requests ``url_prefix...`` outside 127.0.0.1 on purpose."""
    _EXPECTED_BLOCKED.append(url_prefix)


def _expected_blocked() -> list[str]:
    return list(_EXPECTED_BLOCKED)


def _reset_test_state() -> None:
    _EXPECTED_BLOCKED.clear()
