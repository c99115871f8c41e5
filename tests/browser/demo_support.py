"""Shared by the host-side tests of the demo, JupyterLite, worker and packaging pages.

Fixtures (import them into a test module to use them): ``own_dev_server`` (a dev server
of the module's own, with the control surface, so stopping it disturbs no other test)
and ``artifacts`` (``build/test-artifacts/``, for screenshots). ``PageLog`` keeps a page's
console for failure messages.
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
