"""Global test settings: markers.

The time scale factor is the plugin's: ``--kuzzle-timeout-scale=N`` (or
``KUZZLE_BROWSER_TIMEOUT_SCALE=N``) multiplies every time bound of the browser tests
(in-page tests get it as ``inpage_support.TIMEOUT_SCALE``). Use it on slow machines
instead of editing timeouts.
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: needs Chromium and the vendored Pyodide")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
