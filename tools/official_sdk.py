"""Install the official Kuzzle JS SDK pinned in package.json (kuzzle-sdk 7.17.1) for the
fidelity scenarios (tests/fidelity/): ``npm ci`` from the npm registry into node_modules/.

Quick when done: nothing runs while node_modules/kuzzle-sdk holds the pinned version and is
newer than package-lock.json. Used by ``make setup``; the fidelity tests call ``ensure()``.

usage: python tools/official_sdk.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "package-lock.json"
PACKAGE = ROOT / "node_modules" / "kuzzle-sdk"
BUNDLE = PACKAGE / "dist" / "kuzzle.js"


def pinned_version() -> str:
    """The kuzzle-sdk version package-lock.json pins."""
    lock = json.loads(LOCK.read_text())
    return str(lock["packages"]["node_modules/kuzzle-sdk"]["version"])


def installed_version() -> str | None:
    manifest = PACKAGE / "package.json"
    if not manifest.is_file() or not BUNDLE.is_file():
        return None
    return str(json.loads(manifest.read_text()).get("version"))


def ensure() -> Path:
    """Install the pinned SDK if needed; the path of its browser bundle ``dist/kuzzle.js``."""
    wanted = pinned_version()
    if installed_version() == wanted and BUNDLE.stat().st_mtime >= LOCK.stat().st_mtime:
        return BUNDLE
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: install Node.js (Debian: apt-get install npm)")
    print(f"official SDK: npm ci (kuzzle-sdk {wanted})", file=sys.stderr)
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=ROOT,
        check=True,
    )
    BUNDLE.touch()
    if installed_version() != wanted:
        raise RuntimeError(f"npm ci did not install kuzzle-sdk {wanted} (got {installed_version()})")
    return BUNDLE


if __name__ == "__main__":
    print(ensure().relative_to(ROOT))
