"""Browser tests: run by the pytest-kuzzle-browser plugin (testing/pytest_kuzzle_browser/),
the same plugin other projects use, so the two cannot drift apart.

* ``tests/browser/inpage/test_*.py`` run *inside* the page (the ini option
  ``kuzzle_inpage_paths`` of pyproject.toml names the folder); they are parsed with ``ast``
  on the host, never imported.
* Host-side tests (``tests/browser/test_*.py``) use the plugin's fixtures
  (``browser_harness``, ``kuzzle_server``, ``kuzzle_server_factory``, ``browser_page``...);
  Playwright's async API runs on the harness loop: ``browser_harness.run(coroutine)``.
* ``tests/browser/fixtures/`` holds modules that fail on purpose; they are collected only
  when ``KUZZLE_BROWSER_SELFTEST=1`` (the harness self-test runs them in a subprocess).
* What is this repository's own: the fault-injection proxy for ``inpage/test_faults.py``
  (started through the plugin's ``pytest_kuzzle_browser_inpage_config`` hook) and its
  figures in the terminal summary.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(HERE))
from fault_proxy import FaultProxy, Figure  # noqa: E402

from pytest_kuzzle_browser.harness import HarnessError, InPagePage  # noqa: E402
from pytest_kuzzle_browser.plugin import running_harness  # noqa: E402

FIXTURES_DIR = HERE / "fixtures"
_PROXY = pytest.StashKey[FaultProxy]()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path == FIXTURES_DIR and os.environ.get("KUZZLE_BROWSER_SELFTEST") != "1":
        return True
    return None


def pytest_kuzzle_browser_inpage_config(inpage: InPagePage) -> dict[str, Any] | None:
    """Modules importing ``inpage_faults`` get the session's fault proxy (started on first use)."""
    if "inpage_faults" not in inpage.source:
        return None
    harness = inpage.harness
    if harness.config is None:
        return None
    proxy = harness.config.stash.get(_PROXY, None)
    if proxy is None:
        dev = harness.dev_server()
        if dev is None:
            raise HarnessError("the fault proxy needs the dev server")

        def set_offline(page_id: str, offline: bool) -> None:
            # Called from the proxy's thread while the page awaits its answer: the
            # Playwright loop is free to run this alongside the pending evaluate().
            harness.run(harness.pages[page_id].context.set_offline(offline))

        proxy = FaultProxy(dev.port, set_offline).start()
        harness.config.stash[_PROXY] = proxy
        harness.closers.append(proxy.stop)
    return {"PROXY_PORT": proxy.port, "PROXY_CONTROL_PORT": proxy.control_port, "PAGE_ID": inpage.page_id}


_HOST_FIGURES = pytest.StashKey[list[Figure]]()


@pytest.fixture(scope="session")
def fault_figures(pytestconfig: pytest.Config) -> list[Figure]:
    """Figures of host-side fault scenarios (test_demo_outage.py), printed in the same table."""
    return pytestconfig.stash.setdefault(_HOST_FIGURES, [])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    proxy = config.stash.get(_PROXY, None)
    figures = [*(proxy.figures if proxy is not None else []), *config.stash.get(_HOST_FIGURES, [])]
    if figures and running_harness(config) is not None:
        terminalreporter.section("reliability figures (inpage/test_faults.py, test_demo_outage.py)")
        terminalreporter.write_line("| scenario | figure | value | bound | ok |")
        terminalreporter.write_line("| --- | --- | --- | --- | --- |")
        for f in figures:
            terminalreporter.write_line(
                f"| {f.scenario} | {f.figure} | {f.value} | {f.bound} | {'yes' if f.ok else 'NO'} |"
            )
