"""Build build/wheels/kuzzle_browser-<version>-py3-none-any.whl from the current tree.

Always rebuilt (the source changes all the time); older wheels are removed so exactly
one kuzzle_browser wheel is there. setuptools' scratch folders (build/lib,
build/bdist.*, *.egg-info) are cleared first so a deleted module never lingers.
The plugin's ``pytest_kuzzle_browser.wheels`` does the work (it also builds app wheels).
usage: python tools/build_wheel.py      (prints the wheel's path)
"""

from __future__ import annotations

from pathlib import Path

from pytest_kuzzle_browser import wheels

ROOT = Path(__file__).resolve().parent.parent
WHEELS = ROOT / "build" / "wheels"


def build_wheel() -> Path:
    """Build the wheel and return its path."""
    try:
        return wheels.build_wheel(ROOT, WHEELS)
    except wheels.WheelError as exc:
        raise SystemExit(str(exc)) from None


if __name__ == "__main__":
    print(build_wheel())
