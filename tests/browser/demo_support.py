"""Shared by the host-side tests of the demo, JupyterLite, worker and packaging pages.

Fixtures (import them into a test module to use them): ``own_dev_server`` (a dev server
of the module's own, with the control surface, so stopping it disturbs no other test)
and ``artifacts`` (``build/test-artifacts/``, for screenshots). ``PageLog`` keeps a page's
console for failure messages; ``sign_in``, ``add``, ``edit``, ``delete``, ``texts`` and
``wait_texts`` drive the demo page as a person would.
"""

from __future__ import annotations

import json
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from project_config import ROOT, load_config

from pytest_kuzzle_browser.devserver_process import DevServerError
from pytest_kuzzle_browser.harness import Harness, KuzzleServer

CFG = load_config()
ARTIFACTS = ROOT / "build" / "test-artifacts"


@pytest.fixture(scope="module")
def own_dev_server(browser_harness: Harness) -> Iterator[KuzzleServer]:
    """A dev server (``--control``, SQLite in a temporary folder) for this module only
    (the plugin's ``kuzzle_server_factory``, at module scope)."""
    with tempfile.TemporaryDirectory(prefix="kuzzle-demo-data-") as data:
        try:
            server = KuzzleServer.start_devserver(
                Path(data), ROOT, browser_harness.scaled(CFG.DEVSERVER_START_TIMEOUT)
            )
        except DevServerError as exc:
            pytest.fail(str(exc))
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``build/test-artifacts/``: screenshots and other files worth looking at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def control(server: KuzzleServer, route: str, body: dict[str, Any] | None = None) -> Any:
    """Call the dev server's control surface (``/_devserver/<route>``) from the host."""
    request = urllib.request.Request(
        f"{server.url}/_devserver/{route}",
        data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=CFG.scaled(10)) as response:
        return json.loads(response.read() or b"null")


class PageLog:
    """Console messages and page errors of every page given to ``watch``."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def watch(self, page: Any, label: str) -> Any:
        page.on("console", lambda msg: self.lines.append(f"[{label} {msg.type}] {msg.text}"))
        page.on("pageerror", lambda err: self.lines.append(f"[{label} pageerror] {err}"))
        return page

    def tail(self, count: int = 80) -> str:
        return "--- browser console ---\n" + "\n".join(self.lines[-count:])


# -- driving the demo page ------------------------------------------------------------

ROOT_DATA = "document.documentElement.dataset"
VIEWPORT = {"width": 760, "height": 720}


async def texts(page: Any) -> list[str]:
    result: list[str] = await page.eval_on_selector_all("#items li", "els => els.map(e => e.dataset.text)")
    return result


async def wait_texts(page: Any, expected: list[str], timeout_ms: float, *, any_order: bool = False) -> None:
    """Wait until the page lists exactly ``expected`` (in order unless ``any_order``) with
    nothing queued."""
    await page.wait_for_function(
        f"""([want, anyOrder]) => {{
            let got = [...document.querySelectorAll('#items li')].map(e => e.dataset.text);
            if (anyOrder) {{ got = got.sort(); want = [...want].sort(); }}
            return JSON.stringify(got) === JSON.stringify(want)
                && {ROOT_DATA}.queue === '0'
                && !document.querySelector('#items li[data-pending="true"]');
        }}""",
        arg=[expected, any_order],
        timeout=timeout_ms,
    )


async def sign_in(page: Any, url: str, user: str, *, with_chip: bool) -> None:
    """Open the demo, wait for Python to boot (a generous bound: the machine may be busy), sign in."""
    await page.goto(url)
    booted = f"{ROOT_DATA}.state === 'ready' || {ROOT_DATA}.state === 'error'"
    await page.wait_for_function(booted, timeout=CFG.scaled(120) * 1000)
    assert await page.evaluate(f"{ROOT_DATA}.state") == "ready", await page.inner_text("#message")
    if with_chip:  # the demo-user buttons fill the form and sign in
        await page.click(f".demo-users [data-user={user}]")
    else:
        await page.fill("#username", user)
        await page.fill("#password", f"{user}-password")
        await page.click("#login-button")
    await page.wait_for_function(f"{ROOT_DATA}.user === {json.dumps(user)}")
    await page.wait_for_selector("#board:not([hidden])")


async def add(page: Any, text: str) -> None:
    await page.fill("#new-text", text)
    await page.press("#new-text", "Enter")


async def edit(page: Any, old: str, new: str) -> None:
    row = page.locator(f"#items li[data-text={json.dumps(old)}]")
    await row.locator("[data-action=edit]").click()
    await row.locator(".edit-input").fill(new)
    await row.locator(".edit-input").press("Enter")


async def delete(page: Any, text: str) -> None:
    await page.locator(f"#items li[data-text={json.dumps(text)}] [data-action=delete]").click()
