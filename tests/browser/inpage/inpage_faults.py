"""In-page side of the fault harness (tests/browser/fault_proxy.py), importable in the page.

The harness writes the proxy's ports into ``_inpage_config`` for modules that import this one.

* ``PROXY_PORT``: connect the SDK here instead of the dev server to get a breakable link;
* ``await proxy(action, body)``: ``mode`` (``{"mode": "pass"|"blackhole"|"latency", "delay": s}``),
  ``cut`` (RST every connection), ``stats`` (``{"opened", "active"}``);
* ``await outage(seconds)``: this page's browser context goes offline (Playwright), its links
  are cut, and it comes back online ``seconds`` later (scheduled on the host: an offline
  page cannot call anyone);
* ``await report(scenario, figure, value, bound, ok)``: a figure for the end-of-run summary.
"""

from __future__ import annotations

import json
from typing import Any

import js  # type: ignore[import-not-found]
from _inpage_config import PAGE_ID, PROXY_CONTROL_PORT, PROXY_PORT  # type: ignore[import-not-found]
from pyodide.ffi import to_js  # type: ignore[import-not-found]

__all__ = ["PROXY_PORT", "outage", "proxy", "report"]

PROXY_PORT = int(PROXY_PORT)
_CONTROL = f"http://127.0.0.1:{PROXY_CONTROL_PORT}"


async def proxy(action: str, body: dict[str, Any] | None = None) -> Any:
    """Drive the fault proxy; returns its stats."""
    init = {
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body or {}),
        "cache": "no-store",
    }
    response = await js.fetch(f"{_CONTROL}/{action}", to_js(init, dict_converter=js.Object.fromEntries))
    text = await response.text()
    if not response.ok:
        raise RuntimeError(f"fault proxy {action}: {response.status} {text}")
    return json.loads(text)


async def outage(seconds: float) -> None:
    """Schedule an outage: offline in ~50 ms, links cut, back online ``seconds`` later."""
    await proxy("offline", {"page": PAGE_ID, "duration": seconds, "cut": True})


async def report(scenario: str, figure: str, value: object, bound: str, ok: bool) -> None:
    """Record one figure for the reliability summary printed at the end of the run."""
    await proxy(
        "figure", {"scenario": scenario, "figure": figure, "value": str(value), "bound": bound, "ok": ok}
    )
