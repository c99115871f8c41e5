"""Global test settings: the time scale factor and markers.

``--timeout-scale=N`` (or ``KUZZLE_BROWSER_TIMEOUT_SCALE=N``) multiplies every time
bound of the browser tests (playwright.config.py reads the variable; in-page tests get
it as ``inpage_support.TIMEOUT_SCALE``). Use it on slow machines instead of editing
timeouts.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--timeout-scale",
        type=float,
        default=None,
        help="multiply every time bound of the tests (env: KUZZLE_BROWSER_TIMEOUT_SCALE)",
    )


def pytest_configure(config: pytest.Config) -> None:
    scale = config.getoption("--timeout-scale")
    if scale is not None:
        if scale <= 0:
            raise pytest.UsageError("--timeout-scale must be > 0")
        os.environ["KUZZLE_BROWSER_TIMEOUT_SCALE"] = str(scale)
    config.addinivalue_line("markers", "browser: needs Chromium and the vendored Pyodide")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
