"""Every public entry of the official kuzzle-sdk (the version package-lock.json pins) has a
Python counterpart: tools/api_surface.py lists the JS side from the installed package."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("api_surface", ROOT / "tools" / "api_surface.py")
assert spec is not None and spec.loader is not None
api_surface = importlib.util.module_from_spec(spec)
spec.loader.exec_module(api_surface)


def test_every_official_sdk_entry_has_a_python_counterpart() -> None:
    if not (ROOT / "node_modules" / "kuzzle-sdk").is_dir():
        pytest.fail("node_modules/kuzzle-sdk is missing: make setup installs it")
    entries = api_surface.js_entries()
    assert len(entries) > 300  # the listing itself works (7.17.1: 346)
    assert api_surface.missing_entries(entries) == []


def test_snake_case_rule() -> None:
    assert api_surface.snake_case("mCreateOrReplace") == "m_create_or_replace"
    assert api_surface.snake_case("getAPIKey") == "get_api_key"
    assert api_surface.snake_case("zrangebyscore") == "zrangebyscore"
