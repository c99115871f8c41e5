"""Browser settings for kuzzle-browser: the one place for them.

Read by the browser test harness (tests/browser/), the vendoring and demo tools (tools/).
The dot in the file name keeps it from being imported by name: load it with
``runpy.run_path("playwright.config.py")`` (see ``tools/project_config.py``).

Everything runs offline on loopback: Debian's Chromium driven by Playwright's Python
package (never ``playwright install``), a Pyodide copy from npm served locally, and the
network outside 127.0.0.1 blocked by Chromium itself (no Playwright ``route()``, which
would answer CORS preflights on the server's behalf).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# --- versions of the vendored browser runtime (make setup / tools/vendor.py) ---------
PYODIDE_VERSION = "314.0.7"  # Python 3.14 in the page
PYODIDE_PYTHON = "3.14"
MICROPIP_VERSION = "0.11.1"  # the version pyodide-lock.json of 314.0.7 names
PYSCRIPT_VERSION = "0.7.31"

# --- where things live (all generated, git-ignored) ----------------------------------
BUILD_DIR = ROOT / "build"
VENDOR_DIR = BUILD_DIR / "vendor"
PYODIDE_DIR = VENDOR_DIR / "pyodide"
PYSCRIPT_DIR = VENDOR_DIR / "pyscript"
WHEELS_DIR = BUILD_DIR / "wheels"

# --- network --------------------------------------------------------------------------
# One host name everywhere: cookies are per host name, so page and API must agree.
HOST = "127.0.0.1"
LOOPBACK_HOSTS = frozenset({HOST})

# --- Chromium -------------------------------------------------------------------------
HEADLESS = True
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # no background traffic to Google services on a closed network
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # block everything but 127.0.0.1 inside Chromium: no name resolves, and whatever
    # bypasses resolution goes to a dead proxy (loopback bypasses proxies implicitly)
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
)
CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")


def chromium_executable() -> str | None:
    """The Chromium to drive: $KUZZLE_BROWSER_CHROMIUM, $CHROMIUM, Debian's, Playwright's."""
    for var in ("KUZZLE_BROWSER_CHROMIUM", "CHROMIUM"):
        value = os.environ.get(var)
        if value:
            return value
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    try:  # a browser Playwright downloaded itself, if someone did (never done here)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
        if path and os.access(path, os.X_OK):
            return path
    except Exception:
        pass
    return None


# --- time -----------------------------------------------------------------------------
# One factor scales every time bound (slow CI machine: KUZZLE_BROWSER_TIMEOUT_SCALE=3).


def timeout_scale() -> float:
    """The factor from $KUZZLE_BROWSER_TIMEOUT_SCALE (default 1.0)."""
    raw = os.environ.get("KUZZLE_BROWSER_TIMEOUT_SCALE", "").strip()
    scale = float(raw) if raw else 1.0
    if scale <= 0:
        raise ValueError(f"KUZZLE_BROWSER_TIMEOUT_SCALE must be > 0, not {raw!r}")
    return scale


def scaled(seconds: float) -> float:
    """A time bound in seconds, multiplied by the scale factor."""
    return seconds * timeout_scale()


# Base values in seconds (before scaling); generous, since they only bound failures.
LAUNCH_TIMEOUT = 30.0  # Chromium start
BOOT_TIMEOUT = 90.0  # page load + Pyodide + micropip + wheel install + imports
TEST_TIMEOUT = 60.0  # one in-page test (a module may set INPAGE_TIMEOUT)
DEVSERVER_START_TIMEOUT = 30.0  # until the "listening" line
ACTION_TIMEOUT = 30.0  # a Playwright action or wait in host-side tests
