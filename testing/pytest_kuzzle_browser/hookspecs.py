"""Hooks of pytest-kuzzle-browser (implement them in a conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.hookspec
def pytest_kuzzle_browser_inpage_config(inpage: Any) -> dict[str, Any] | None:
    """Extra names for ``_inpage_config`` (importable in the page) of a page being booted.

    ``inpage`` is the ``InPagePage`` (``.harness``, ``.page_id``, ``.module_name``,
    ``.source``). Return ``{NAME: value}`` (values with a Python ``repr``) or None; a
    conftest can start servers of its own here (e.g. a fault-injection proxy).
    """
