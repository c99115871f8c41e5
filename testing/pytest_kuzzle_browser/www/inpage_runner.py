"""Runs in-page test functions inside Pyodide; written to the page's FS as _inpage_runner.

The host (pytest_kuzzle_browser/harness.py) calls ``run_test`` (and ``run_source``) through the runner page
and gets back JSON: the outcome, the Python traceback from inside Pyodide, the time and
the non-loopback URLs the test declared it expects to be blocked.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import sys
import time
import traceback
from typing import Any

import inpage_support


def _is_plumbing(filename: str) -> bool:
    return filename == __file__ or "/asyncio/" in filename or "importlib" in filename


def _format(exc: BaseException) -> str:
    """The traceback without the leading frames of this runner, asyncio and importlib."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None and _is_plumbing(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


async def _call(func: Any) -> None:
    result = func()
    if inspect.isawaitable(result):
        await result


async def run_test(module: str, name: str, timeout: float) -> str:
    """Call ``module.name()`` (awaiting it if it is a coroutine) within ``timeout`` s."""
    inpage_support._reset_test_state()
    started = time.monotonic()
    outcome, detail = "passed", ""
    try:
        func = getattr(sys.modules[module], name)
        await asyncio.wait_for(_call(func), timeout)
    except inpage_support.Skipped as exc:
        outcome, detail = "skipped", str(exc)
    except TimeoutError as exc:
        outcome, detail = "failed", _format(exc)
        if time.monotonic() - started >= timeout:
            detail = f"in-page test timed out after {timeout:.1f} s\n{detail}"
    except BaseException as exc:
        outcome, detail = "failed", _format(exc)
    return json.dumps(
        {
            "outcome": outcome,
            "detail": detail,
            "duration": time.monotonic() - started,
            "expected_blocked": inpage_support._expected_blocked(),
        }
    )


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


async def run_source(code: str, timeout: float) -> str:
    """Run ``code`` (top-level await allowed) in a fresh namespace within ``timeout`` s;
    JSON with the value of its last expression or the traceback."""
    from pyodide.code import eval_code_async

    inpage_support._reset_test_state()
    started = time.monotonic()
    outcome, detail, value = "passed", "", None
    try:
        namespace: dict[str, Any] = {"__name__": "__main__"}
        value = _jsonable(
            await asyncio.wait_for(eval_code_async(code, namespace, filename="<run_python>"), timeout)
        )
    except inpage_support.Skipped as exc:
        outcome, detail = "skipped", str(exc)
    except BaseException as exc:
        outcome, detail = "failed", _format(exc)
        if isinstance(exc, TimeoutError) and time.monotonic() - started >= timeout:
            detail = f"in-page code timed out after {timeout:.1f} s\n{detail}"
    return json.dumps(
        {
            "outcome": outcome,
            "detail": detail,
            "value": value,
            "expected_blocked": inpage_support._expected_blocked(),
        }
    )


async def import_module(module: str) -> str:
    """Import the test module and run its optional ``setup_module()``; '' or a traceback."""
    try:
        mod = importlib.import_module(module)
        setup = getattr(mod, "setup_module", None)
        if setup is not None:
            await _call(setup)
    except BaseException as exc:
        return _format(exc)
    return ""


async def teardown_module(module: str) -> str:
    """Run the module's optional ``teardown_module()``; '' or a traceback."""
    try:
        teardown = getattr(sys.modules.get(module), "teardown_module", None)
        if teardown is not None:
            await _call(teardown)
    except BaseException as exc:
        return _format(exc)
    return ""
