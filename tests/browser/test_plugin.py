"""pytest-kuzzle-browser against a "real" Kuzzle: ``--kuzzle-url`` makes ``kuzzle_server``
yield that URL and the features that need the dev server skip cleanly. Runs the example
project's tests (examples/shoplist/) in a pytest subprocess pointed at this session's dev
server, and checks the outcome of each test."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pytest_kuzzle_browser.harness import Harness, KuzzleServer

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shoplist"


def test_kuzzle_url_skips_control_features(
    tmp_path: Path, browser_harness: Harness, kuzzle_server: KuzzleServer
) -> None:
    report, vendor = tmp_path / "report.xml", browser_harness.options.vendor_dir
    browser_harness.release_browser()  # the nested run's Chromium runs alone
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--junitxml={report}",
         f"--kuzzle-url={kuzzle_server.url}", "-o", f"kuzzle_vendor_dir={vendor}"],
        cwd=EXAMPLE,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=browser_harness.scaled(300),
    )  # fmt: skip
    outcomes: dict[str, str] = {}
    for case in ET.parse(report).iter("testcase"):
        tags = {child.tag for child in case}
        outcomes[case.get("name", "")] = next(
            (t for t in ("failure", "error", "skipped") if t in tags), "passed"
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert outcomes == {
        "test_items_are_shared_between_clients": "skipped",  # in-page control("reset")
        "test_add_and_list_in_pyodide": "passed",
        "test_python_errors_come_back_as_tracebacks": "passed",
        "test_pyscript_page": "passed",
        "test_the_page_survives_a_restart": "skipped",  # kuzzle_server.restart()
    }, output


@pytest.mark.parametrize("headless", [True, False])
def test_chromium_args_headed_and_allowed_hosts(headless: bool) -> None:
    from pytest_kuzzle_browser.settings import chromium_args

    args = chromium_args(headless=headless, allow_hosts=("kuzzle.example.com",))
    assert ("--headless" in args) is headless
    assert any(a.startswith("--host-resolver-rules=") and "EXCLUDE kuzzle.example.com" in a for a in args)
    assert "--proxy-bypass-list=kuzzle.example.com" in args


def test_the_browser_runs_without_allocation_samplers(browser_harness: Harness) -> None:
    """The session's Chromium got one --disable-features switch holding Playwright's own list
    (Chromium keeps only the last switch) and the allocation samplers that crash renderers
    on Pyodide's JSPI stacks (pytest_kuzzle_browser.settings.ALLOCATION_SAMPLERS)."""
    from pytest_kuzzle_browser.settings import ALLOCATION_SAMPLERS, playwright_disabled_features

    browser = browser_harness.browser

    async def command_line() -> list[str]:  # as chrome://version shows it (no recorder: not a site)
        context = await browser.new_context()
        try:
            page = await context.new_page()
            await page.goto("chrome://version")
            return str(await page.locator("#command_line").text_content()).split()
        finally:
            await context.close()

    switches = [a for a in browser_harness.run(command_line()) if a.startswith("--disable-features=")]
    disabled = set(switches[-1].removeprefix("--disable-features=").split(","))
    assert set(ALLOCATION_SAMPLERS) <= disabled
    assert "DestroyProfileOnBrowserClose" in playwright_disabled_features()
    assert set(playwright_disabled_features()) <= disabled


def test_without_playwrights_feature_list_the_samplers_stay_on_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Playwright whose driver hides its --disable-features list keeps it (no switch of
    ours replaces it), and the user is told the samplers stay on."""
    import playwright

    from pytest_kuzzle_browser.settings import playwright_disabled_features

    monkeypatch.setattr(playwright, "__file__", str(tmp_path / "playwright" / "__init__.py"))
    with pytest.warns(RuntimeWarning, match="allocation samplers stay on"):
        assert playwright_disabled_features.__wrapped__() == ()
