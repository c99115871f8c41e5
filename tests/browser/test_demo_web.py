"""Where Python users meet the SDK, beyond the demo: the README's offline PyScript page
(served with the README's mounts), a PyScript worker, bare Pyodide (the
README's snippet, verbatim but for the port), micropip from a PEP 503 index, and
``pyscript.toml`` ``packages = ["kuzzle-browser"]`` by name (the lock made by
tools/web_packages.py). Pages live in tests/browser/pages/; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_support import PageLog
from project_config import ROOT, load_config
from web_packages import PYODIDE_KB_DIR, SIMPLE_DIR, build_all

import kuzzle_browser
from pytest_kuzzle_browser.harness import Harness, KuzzleServer, NetworkRecorder
from pytest_kuzzle_browser.serve_static import StaticServer

CFG = load_config()

PAGES = Path(__file__).resolve().parent / "pages"
README = ROOT / "README.md"
SNIPPET = re.compile(
    r"<!-- bare-pyodide:start -->\s*```html\n(?P<html>.*?)```\s*<!-- bare-pyodide:end -->", re.S
)
PYSCRIPT_OFFLINE = re.compile(
    r"<!-- pyscript-offline:start -->\s*```html\n(?P<html>.*?)```\s*<!-- pyscript-offline:end -->", re.S
)
SERVE_COMMAND = "tools/serve_static.py --port 8000 /=mypage /vendor=build/vendor /wheels=build/wheels"
STATE = "document.documentElement.dataset"


def readme_snippet(pattern: re.Pattern[str] = SNIPPET) -> str:
    match = pattern.search(README.read_text())
    assert match, f"README.md lost its snippet ({pattern.pattern[:30]}...)"
    return match["html"]


@pytest.fixture(scope="module")
def web(browser_harness: Harness, kuzzle_server: KuzzleServer) -> Iterator[StaticServer]:
    """tests/browser/pages/ with the runtime, the wheel, build/simple/ and build/pyodide-kb/."""
    wheel = browser_harness.wheel()
    build_all(wheel)
    port = str(kuzzle_server.port)

    def page(text: str) -> tuple[bytes, str]:
        return text.encode(), "text/html; charset=utf-8"

    def toml(name: str) -> tuple[bytes, str]:
        return (PAGES / name).read_text().replace("WHEEL", wheel.name).encode(), "text/plain"

    server = StaticServer(
        {
            "/": PAGES,
            "/vendor": CFG.VENDOR_DIR,
            "/wheels": CFG.WHEELS_DIR,
            "/simple": SIMPLE_DIR,
            "/pyodide-kb": PYODIDE_KB_DIR,
        },
        generated={
            "/bare.html": lambda: page(readme_snippet().replace("port=7512", f"port={port}")),
            "/worker.toml": lambda: toml("worker.toml"),
        },
    ).start()
    yield server
    server.stop()


DONE = f"['done', 'error'].includes({STATE}.state)"


def open_and_wait(harness: Harness, url: str, done: str = DONE, timeout: float = 90) -> dict[str, Any]:
    """Open ``url`` in a fresh context; wait until ``done`` (JS) holds; the root's dataset,
    the body's text and whether the page is cross-origin isolated."""
    recorder, log = NetworkRecorder(), PageLog()

    async def scenario() -> dict[str, Any]:
        context = await harness.new_context(recorder)
        try:
            page = log.watch(await context.new_page(), "page")
            await page.goto(url)
            await page.wait_for_function(done, timeout=harness.scaled(timeout) * 1000)
            data: dict[str, Any] = await page.evaluate(
                f"({{...{STATE}, body: document.body.innerText, isolated: self.crossOriginIsolated}})"
            )
            return data
        finally:
            await context.close()

    harness.browser  # noqa: B018 - launched outside the scenario
    try:
        data = harness.run(scenario(), harness.scaled(timeout + 30))
    except Exception as exc:
        pytest.fail(f"{url}: {type(exc).__name__}: {exc}\n{log.tail()}")
    assert recorder.external == [], f"requests left {CFG.HOST}: {recorder.external}"
    data["console"] = log.tail()
    return data


def test_sdk_in_a_pyscript_worker(
    browser_harness: Harness, kuzzle_server: KuzzleServer, web: StaticServer
) -> None:
    """``<script type="py" worker>`` without ``sync`` and without COOP/COEP headers: the
    SDK connects from the worker (no window, document or localStorage there) and asks
    ``server.now()``; the main thread shows the answer."""
    data = open_and_wait(browser_harness, f"{web.url}/worker.html?port={kuzzle_server.port}")
    assert data.get("state") == "done", f"{data['body']}\n{data['console']}"
    assert data["isolated"] is False  # plain worker mode: no cross-origin isolation needed
    report = json.loads(data["report"])
    assert "error" not in report, report["error"]
    assert abs(report["now"] - time.time() * 1000) < 5 * 60 * 1000, report
    assert report["connected"] is True
    assert (report["has_window"], report["has_document"], report["has_local_storage"]) == (False,) * 3
    assert report["on_line"] is True
    assert any("localStorage" in w for w in report["warnings"]), report  # persistence off, said so


def test_readme_bare_pyodide_snippet(browser_harness: Harness, web: StaticServer) -> None:
    snippet = readme_snippet()
    wheel = browser_harness.wheel()
    assert f"./wheels/{wheel.name}" in snippet, "README's snippet names another wheel than the one built"
    data = open_and_wait(
        browser_harness, f"{web.url}/bare.html", "document.body.innerText.includes('Kuzzle')"
    )
    assert data["body"].startswith("Kuzzle time: "), data
    assert data["body"][len("Kuzzle time: ") :].strip() not in ("", "Invalid Date"), data


def test_micropip_installs_by_name_from_the_simple_index(browser_harness: Harness, web: StaticServer) -> None:
    index = (SIMPLE_DIR / "kuzzle-browser" / "index.html").read_text()
    assert "#sha256=" in index and browser_harness.wheel().name in index
    data = open_and_wait(browser_harness, f"{web.url}/simple_index.html")
    assert data.get("state") == "done", data
    assert data["version"] == _version()


def test_pyscript_packages_by_name_from_the_lock(browser_harness: Harness, web: StaticServer) -> None:
    lock = json.loads((PYODIDE_KB_DIR / "pyodide-lock.json").read_text())
    assert lock["packages"]["kuzzle-browser"]["file_name"] == browser_harness.wheel().name
    data = open_and_wait(browser_harness, f"{web.url}/by_name.html")
    assert data.get("state") == "done", data
    assert data["version"] == _version()
    assert "site-packages/kuzzle_browser" in data["file"], data


def _version() -> str:
    return kuzzle_browser.__version__  # the source tree's, which built the wheel


def test_readme_offline_pyscript_page(browser_harness: Harness, kuzzle_server: KuzzleServer) -> None:
    """The README's offline PyScript quickstart: its page, verbatim but for the port, served
    with the mounts of its documented command; it logs in and displays Kuzzle's time."""
    readme = README.read_text()
    assert SERVE_COMMAND in readme, "README's serve command changed: update this test"
    html = readme_snippet(PYSCRIPT_OFFLINE)
    assert f"./wheels/{browser_harness.wheel().name}" in html and "https://" not in html
    page = html.replace("port=7512", f"port={kuzzle_server.port}").encode()
    server = StaticServer(
        {"/vendor": CFG.VENDOR_DIR, "/wheels": CFG.WHEELS_DIR},
        generated={"/": lambda: (page, "text/html; charset=utf-8")},
    ).start()
    try:
        shows_time = "/^\\d{13}$/.test(document.body.innerText.trim().split('\\n').pop())"
        data = open_and_wait(browser_harness, f"{server.url}/", shows_time)
    finally:
        server.stop()
    assert abs(int(data["body"].strip().split("\n")[-1]) - time.time() * 1000) < 5 * 60 * 1000, data
