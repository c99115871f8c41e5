"""The demo page (demo/, PyScript) connects with the SDK and shows the server time.

Serves demo/ like ``make demo`` does (vendored PyScript and Pyodide, the fresh wheel)
against the session's dev server, in a page whose network stops at 127.0.0.1.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from browser_harness import CFG, DevServer, Harness, NetworkRecorder
from run_demo import demo_static_server

STATE = "document.documentElement.dataset"


def test_demo_shows_server_time_and_connected_state(browser_harness: Harness, dev_server: DevServer) -> None:
    server = demo_static_server(browser_harness.wheel()).start()
    recorder = NetworkRecorder()
    console: list[str] = []
    wait_ms = browser_harness.scaled(60) * 1000

    async def scenario() -> dict[str, Any]:
        context = await browser_harness.new_context(recorder)
        try:
            page = await context.new_page()
            page.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
            page.on("pageerror", lambda err: console.append(f"[pageerror] {err}"))
            await page.goto(f"{server.url}/?api_port={dev_server.port}")
            try:
                await page.wait_for_function(
                    f"{STATE}.state === 'error' || ({STATE}.state === 'connected' && !!{STATE}.serverTime)",
                    timeout=wait_ms,
                )
            finally:
                data: dict[str, Any] = await page.evaluate(
                    "() => ({...document.documentElement.dataset,"
                    " shown: document.querySelector('#server-time').textContent,"
                    " stateText: document.querySelector('#state').textContent})"
                )
            return data
        finally:
            await context.close()

    browser = browser_harness.browser  # launched outside the scenario
    assert browser is not None
    try:
        data = browser_harness.run(scenario(), timeout=browser_harness.scaled(90))
    except Exception as exc:
        pytest.fail(
            f"demo did not show connected + server time: {exc}\n"
            "--- browser console ---\n" + "\n".join(console[-100:])
        )
    finally:
        server.stop()
    assert data["state"] == "connected", data
    server_ms = int(data["serverTime"])
    assert abs(server_ms - time.time() * 1000) < 5 * 60 * 1000, data  # same machine clock
    assert data["shown"].startswith(time.strftime("%Y-", time.gmtime(server_ms / 1000))), data
    assert recorder.external == [], f"requests left {CFG.HOST}: {recorder.external}"
