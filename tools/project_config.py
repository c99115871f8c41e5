"""Load ``playwright.config.py`` (not importable by name because of the dot)."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = ROOT / "playwright.config.py"


def load_config() -> SimpleNamespace:
    """The settings of playwright.config.py as attributes (constants and functions)."""
    values = runpy.run_path(str(CONFIG_FILE), run_name="kuzzle_browser_playwright_config")
    return SimpleNamespace(**{k: v for k, v in values.items() if not k.startswith("__")})
