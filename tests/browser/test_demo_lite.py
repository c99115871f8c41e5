"""The JupyterLite site (``make lite``) runs the example notebook's cells, offline.

The site is rebuilt from the current wheel (a few seconds), served from 127.0.0.1, and
the notebook's code cells (lite/kuzzle-browser.ipynb, verbatim but for the port) run in
the REPL app through its ``?code=`` URL parameters, in headless Chromium: ``%pip install``
from the site's piplite index, connect, log in, create and search, subscribe and print
notifications as they arrive. Slow (the kernel installs ipython at start-up: ~20 s), so
it is marked ``lite``; ``make test`` runs it once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from build_lite import NOTEBOOK, build_lite
from demo_support import PageLog, artifacts, own_dev_server
from project_config import load_config

from pytest_kuzzle_browser.harness import Harness, KuzzleServer, NetworkRecorder
from pytest_kuzzle_browser.serve_static import StaticServer

CFG = load_config()

__all__ = ["artifacts", "own_dev_server"]  # fixtures used below

pytestmark = pytest.mark.lite
OUTPUTS = "els => els.map(e => e.innerText.trim())"


def notebook_cells(port: int) -> list[str]:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    assert any('PORT = "127.0.0.1", 7512' in cell for cell in code), "the notebook's connection cell changed"
    return [cell.replace('"127.0.0.1", 7512', f'"127.0.0.1", {port}') for cell in code]


@pytest.fixture(scope="module")
def lite_site(browser_harness: Harness) -> Iterator[StaticServer]:
    site = build_lite(browser_harness.wheel())
    server = StaticServer({"/": site}).start()
    yield server
    server.stop()


def test_notebook_cells_run_in_jupyterlite(
    browser_harness: Harness, own_dev_server: KuzzleServer, lite_site: StaticServer, artifacts: Any
) -> None:
    cells = notebook_cells(own_dev_server.port)
    url = f"{lite_site.url}/repl/index.html?kernel=python&toolbar=1&" + "&".join(
        "code=" + quote(cell) for cell in cells
    )
    recorder, log = NetworkRecorder(), PageLog()
    outputs: list[str] = []

    async def scenario() -> None:
        context = await browser_harness.new_context(recorder, viewport={"width": 1000, "height": 900})
        try:
            page = log.watch(await context.new_page(), "lite")
            await page.goto(url)
            try:
                await page.wait_for_function(
                    """() => {
                        const outputs = document.querySelectorAll('.jp-OutputArea-output');
                        const texts = [...outputs].map(e => e.innerText);
                        return texts.some(t => t.includes('disconnected') || t.includes('Traceback')
                                               || t.includes('Error'));
                    }""",
                    timeout=browser_harness.scaled(120) * 1000,
                )
            finally:
                outputs.extend(await page.eval_on_selector_all(".jp-OutputArea-output", OUTPUTS))
                await page.screenshot(path=str(artifacts / "jupyterlite.png"))
        finally:
            await context.close()

    browser_harness.browser  # noqa: B018 - launched outside the scenario
    try:
        browser_harness.run(scenario(), browser_harness.scaled(180))
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__}: {exc}\noutputs: {outputs}\n{log.tail()}")
    text = "\n".join(outputs)
    assert "Traceback" not in text, text
    assert "logged in as alice" in text, text
    assert "found 1 document(s): ['hello from JupyterLite']" in text, text
    assert "notification: create note 2" in text and "notification: create note 3" in text, text
    assert text.index("note 2") < text.index("note 3"), text
    assert outputs[-1] == "disconnected", outputs
    assert recorder.external == [], f"requests left {CFG.HOST}: {recorder.external}"
