"""Renderer crashes, said plainly: which page, which test, and Chromium's own reason.

Playwright tells a page that its renderer died (``page.on("crash")``, then every pending
call fails with "Target crashed") but not why. Chromium says why on its DevTools
protocol: a browser-level session with target discovery on receives
``Target.targetCrashed`` with a termination status ("crashed", "killed", "oom",
"abnormal"...) and an error code (the signal for a process ended by one, else its exit
code). ``CrashWatcher`` keeps those per target; ``target_id(page)`` names a page's target.

The harness turns a crash into ``RendererCrashed`` (a ``HarnessError``) whose message
starts with ``CRASH_MARKER``, so whoever reads a report (a person, the self-test, the
soak loop ``tools/soak_browser_tests.py``) can tell it from a test's own failure.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from typing import Any

CRASH_MARKER = "Chromium's renderer process crashed"

# what a signal usually means for a renderer, for the report (see the Chromium sources:
# base/immediate_crash.h for the trap, content/browser for how statuses are mapped)
_SIGNAL_HINTS = {
    signal.SIGTRAP: "a CHECK or fatal error inside Chromium/V8, e.g. V8 out of memory",
    signal.SIGILL: "a CHECK or fatal error inside Chromium/V8",
    signal.SIGSEGV: "a memory fault inside Chromium",
    signal.SIGBUS: "a memory fault inside Chromium (shared memory or a mapped file gone)",
    signal.SIGKILL: "killed from outside the browser: the kernel's OOM killer (see dmesg) or a kill -9",
    signal.SIGTERM: "terminated from outside the browser",
    signal.SIGABRT: "an abort inside Chromium",
}


@dataclass(frozen=True)
class RendererCrash:
    """How Chromium says a page's renderer process ended (CDP ``Target.targetCrashed``)."""

    status: str  # Chromium's termination status: crashed, killed, oom, abnormal...
    error_code: int  # the signal number when a signal ended it, else the exit code

    def __str__(self) -> str:
        if self.status in {"crashed", "killed"}:
            try:
                sig = signal.Signals(self.error_code)
            except ValueError:
                return f'status "{self.status}", code {self.error_code}'
            hint = f": {_SIGNAL_HINTS[sig]}" if sig in _SIGNAL_HINTS else ""
            return f'status "{self.status}", signal {self.error_code} ({sig.name}{hint})'
        if self.status == "oom":
            return f'status "oom" (out of memory), code {self.error_code}'
        return f'status "{self.status}", exit code {self.error_code}'


class CrashWatcher:
    """Chromium's crash reports for every target of one browser; create and use it on the
    browser's event loop: ``await CrashWatcher.attach(browser)``, then
    ``await watcher.reason(target_id, timeout)`` after a page reported a crash."""

    def __init__(self) -> None:
        self._crashes: dict[str, asyncio.Future[RendererCrash]] = {}

    @classmethod
    async def attach(cls, browser: Any) -> CrashWatcher:
        watcher = cls()
        session = await browser.new_browser_cdp_session()
        session.on("Target.targetCrashed", watcher._on_crashed)
        await session.send("Target.setDiscoverTargets", {"discover": True})
        return watcher

    def _future(self, target_id: str) -> asyncio.Future[RendererCrash]:
        future = self._crashes.get(target_id)
        if future is None:
            future = self._crashes[target_id] = asyncio.get_running_loop().create_future()
        return future

    def _on_crashed(self, event: dict[str, Any]) -> None:
        future = self._future(str(event.get("targetId", "")))
        if not future.done():
            future.set_result(RendererCrash(str(event.get("status", "?")), int(event.get("errorCode", 0))))

    async def reason(self, target_id: str, timeout: float) -> RendererCrash | None:
        """Chromium's report for the target; None if none came within ``timeout`` seconds
        (the page's own crash event may come first: both travel on separate sessions)."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._future(target_id)), timeout)
        except TimeoutError:
            return None


async def target_id(page: Any) -> str:
    """The DevTools target id of a Playwright page (it outlives renderer swaps)."""
    session = await page.context.new_cdp_session(page)
    try:
        info = await session.send("Target.getTargetInfo")
    finally:
        await session.detach()
    return str(info["targetInfo"]["targetId"])


def describe_memory(memory: dict[str, Any] | None) -> str:
    """``inpage.memory()``'s figures (bytes) in words."""
    if not memory:
        return "not measured"
    labels = {"wasm_heap": "wasm heap", "js_heap": "JS heap used", "js_limit": "JS heap limit"}
    parts = [
        f"{label} {memory[key] / 1e6:.1f} MB"
        for key, label in labels.items()
        if isinstance(memory.get(key), int | float)
    ]
    return ", ".join(parts) or "not measured"
