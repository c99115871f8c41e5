"""Browser settings shared by the plugin and this repository's tools: runtime versions,
Chromium flags, time bounds. The repository's ``playwright.config.py`` re-exports them
with its own paths; other projects get them through the plugin's options.

Everything runs offline on loopback: Debian's (or any) Chromium driven by Playwright's
Python package (never ``playwright install``), a Pyodide copy from npm served locally, and
the network outside 127.0.0.1 blocked by Chromium itself (no Playwright ``route()``, which
would answer CORS preflights on the server's behalf).
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from pathlib import Path

# --- versions of the vendored browser runtime (pytest_kuzzle_browser.vendor) --------
PYODIDE_VERSION = "314.0.7"  # Python 3.14 in the page
PYODIDE_PYTHON = "3.14"
MICROPIP_VERSION = "0.11.1"  # the version pyodide-lock.json of 314.0.7 names
PYSCRIPT_VERSION = "0.7.31"

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

# Chromium's allocation samplers, switched off: GWP-ASan and the in-process heap profiler each
# pick a few processes at random and record the stack of some allocations by walking frame
# pointers. Where the browser has JSPI, Pyodide runs Python called from JS (runPythonAsync,
# awaited calls) on a V8 secondary stack; there the walk's end bound is the thread's main
# stack, so it runs off the secondary stack into its guard page: SIGSEGV in the renderer.
# Every such crash seen here (three minidumps, the same instruction of Chromium 156's stack
# scan, SEGV_ACCERR at the secondary stack's end) was in a renderer with one of them on.
# They are diagnostics: nothing a page sees.
ALLOCATION_SAMPLERS: tuple[str, ...] = ("GwpAsanMalloc", "GwpAsanPartitionAlloc", "HeapProfilerReporting")


def chromium_args(*, headless: bool = HEADLESS, allow_hosts: tuple[str, ...] = ()) -> list[str]:
    """``CHROMIUM_ARGS`` for headless or headed mode, for a Chromium launched by Playwright,
    with the allocation samplers off; ``allow_hosts`` (a real Kuzzle's host name,
    ``--kuzzle-url``) resolve and bypass the dead proxy too."""
    args = [a for a in CHROMIUM_ARGS if headless or a != "--headless"]
    playwright_features = playwright_disabled_features()
    if playwright_features:  # else Playwright's own list would be lost: leave it alone
        args.append(disable_features_switch(playwright_features))
    if allow_hosts:
        excluded = "".join(f", EXCLUDE {host}" for host in allow_hosts)
        args = [a + excluded if a.startswith("--host-resolver-rules=") else a for a in args]
        args.append("--proxy-bypass-list=" + ";".join(allow_hosts))
    return args


def disable_features_switch(also: tuple[str, ...] = ()) -> str:
    """``--disable-features=`` for ``also`` and the allocation samplers. Chromium keeps only
    the last of repeated switches, so under Playwright ``also`` must repeat its list."""
    return "--disable-features=" + ",".join(dict.fromkeys((*also, *ALLOCATION_SAMPLERS)))


@functools.cache
def playwright_disabled_features() -> tuple[str, ...]:
    """The features the installed Playwright disables when it launches Chromium (its
    ``chromiumSwitches``), read from its driver's source; () with a warning when it cannot
    be found."""
    try:
        import playwright

        lib = Path(playwright.__file__).parent / "driver" / "package" / "lib"
        for source in (lib / "server" / "chromium" / "chromiumSwitches.js", lib / "coreBundle.js"):
            if source.is_file():
                text = source.read_text(encoding="utf-8")
                found = re.search(r"disabledFeatures\s*=\s*\[(.*?)\]", text, re.DOTALL)
                if found:
                    return tuple(re.findall(r"[\"']([A-Za-z0-9]+)[\"']", found.group(1)))
                listed = re.search(r"--disable-features=([A-Za-z0-9,]+)", text)
                if listed:
                    return tuple(listed.group(1).split(","))
    except (ImportError, OSError, UnicodeDecodeError):
        pass
    warnings.warn(
        "pytest-kuzzle-browser: Playwright's --disable-features list was not found in its driver, "
        "so Chromium's allocation samplers stay on (a rare renderer SIGSEGV on Pyodide's JSPI stacks)",
        RuntimeWarning,
        stacklevel=2,
    )
    return ()


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


# --- where the vendored runtime goes for projects other than this repository ---------


def default_vendor_dir() -> Path:
    """$PYTEST_KUZZLE_BROWSER_VENDOR, else ``~/.cache/pytest-kuzzle-browser/vendor``
    ($XDG_CACHE_HOME honoured): Pyodide, micropip and PyScript, vendored on first use."""
    explicit = os.environ.get("PYTEST_KUZZLE_BROWSER_VENDOR")
    if explicit:
        return Path(explicit)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "pytest-kuzzle-browser" / "vendor"


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
