"""Milliseconds to import kuzzle_browser in Pyodide, from the built wheel, cold each time.

    make wheel && node bench/profile/run_in_node.mjs bench/profile/import_time.py

The wheel in build/wheels/ (what a page installs: slimmed source, no bytecode) is unpacked
into Pyodide's in-memory file system; each round then drops the package's modules and
their bytecode cache, so every import compiles again, as on a page's first load. The
standard library stays loaded, as it is on a page (Pyodide imports asyncio at start-up).
The last expression, a JSON text of medians (and minima) over ``ROUNDS``, is printed.
"""

from __future__ import annotations

import glob
import json
import shutil
import statistics
import sys
import time
import zipfile
from pathlib import Path

ROUNDS = 15
SITE = Path("/tmp/import_time_site")
STEPS = {
    "import kuzzle_browser": "import kuzzle_browser",
    "+ from kuzzle_browser import Kuzzle, WebSocket": "from kuzzle_browser import Kuzzle, WebSocket",
    "+ Kuzzle(WebSocket(...))": "kuzzle = Kuzzle(WebSocket('127.0.0.1'))",
    # made on first use; connect() uses these two (checkToken, restoring subscriptions)
    "+ kuzzle.auth, kuzzle.realtime": "kuzzle.auth, kuzzle.realtime",
}

(wheel,) = glob.glob("/src/build/wheels/kuzzle_browser-*-py3-none-any.whl")
zipfile.ZipFile(wheel).extractall(SITE)
sys.path[:] = [str(SITE), *(entry for entry in sys.path if not entry.startswith("/src"))]


def cold_round() -> dict[str, float]:
    """One import from scratch: every step's time in milliseconds, cumulated."""
    for name in [name for name in sys.modules if name.split(".")[0] == "kuzzle_browser"]:
        del sys.modules[name]
    for cache in SITE.rglob("__pycache__"):
        shutil.rmtree(cache)
    namespace: dict[str, object] = {}
    times: dict[str, float] = {}
    start = time.perf_counter()
    for label, statement in STEPS.items():
        exec(statement, namespace)
        times[label] = (time.perf_counter() - start) * 1000
    return times


assert "kuzzle_browser" not in sys.modules
preloaded = "asyncio" in sys.modules
rounds = [cold_round() for _ in range(ROUNDS)]
json.dumps(
    {
        "wheel": Path(wheel).name,
        "wheel bytes": Path(wheel).stat().st_size,
        "asyncio preloaded by Pyodide": preloaded,
        **{label: round(statistics.median(r[label] for r in rounds), 1) for label in STEPS},
        # the fastest round: the figure least disturbed by other work on the machine
        "fastest": {label: round(min(r[label] for r in rounds), 1) for label in STEPS},
        "first round": {label: round(value, 1) for label, value in rounds[0].items()},
    }
)
