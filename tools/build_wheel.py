"""Build build/wheels/kuzzle_browser-<version>-py3-none-any.whl from the current tree.

Always rebuilt (the source changes all the time); older wheels are removed so exactly
one kuzzle_browser wheel is there. setuptools' scratch folders (build/lib,
build/bdist.*, *.egg-info) are cleared first so a deleted module never lingers.
usage: python tools/build_wheel.py      (prints the wheel's path)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEELS = ROOT / "build" / "wheels"


def _clean_scratch() -> None:
    shutil.rmtree(ROOT / "build" / "lib", ignore_errors=True)
    for path in (ROOT / "build").glob("bdist.*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in ROOT.glob("*.egg-info"):
        shutil.rmtree(path, ignore_errors=True)


def build_wheel() -> Path:
    """Build the wheel and return its path."""
    WHEELS.mkdir(parents=True, exist_ok=True)
    for old in WHEELS.glob("kuzzle_browser-*.whl"):
        old.unlink()
    _clean_scratch()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(WHEELS)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:  # the build's own output only when it failed
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"wheel build failed (exit {done.returncode})")
    finally:
        _clean_scratch()
    (wheel,) = WHEELS.glob("kuzzle_browser-*-py3-none-any.whl")
    return wheel


if __name__ == "__main__":
    print(build_wheel())
