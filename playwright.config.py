"""Browser settings for kuzzle-browser: the one place for them in this repository.

Read by the vendoring, demo, lite and bench tools (tools/) and, through
``[tool.pytest.ini_options]`` of pyproject.toml, by the tests. The dot in the file name
keeps it from being imported by name: load it with ``runpy.run_path("playwright.config.py")``
(see ``tools/project_config.py``).

The runtime versions, Chromium flags and time bounds are those of the pytest plugin
(``testing/pytest_kuzzle_browser/settings.py``, installed into .venv by ``make setup``), so
the plugin other projects use and this repository cannot disagree; this file adds where
things live here.
"""

from __future__ import annotations

from pathlib import Path

from pytest_kuzzle_browser.settings import (  # noqa: F401 - re-exported settings
    ACTION_TIMEOUT,
    BOOT_TIMEOUT,
    CHROMIUM_ARGS,
    CHROMIUM_CANDIDATES,
    DEVSERVER_START_TIMEOUT,
    HEADLESS,
    HOST,
    LAUNCH_TIMEOUT,
    LOOPBACK_HOSTS,
    MICROPIP_VERSION,
    PYODIDE_PYTHON,
    PYODIDE_VERSION,
    PYSCRIPT_VERSION,
    TEST_TIMEOUT,
    chromium_executable,
    disable_features_switch,
    scaled,
    timeout_scale,
)

ROOT = Path(__file__).resolve().parent

# --- where things live (all generated, git-ignored) ----------------------------------
BUILD_DIR = ROOT / "build"
VENDOR_DIR = BUILD_DIR / "vendor"
PYODIDE_DIR = VENDOR_DIR / "pyodide"
PYSCRIPT_DIR = VENDOR_DIR / "pyscript"
WHEELS_DIR = BUILD_DIR / "wheels"
