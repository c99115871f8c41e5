"""The browser wheel: pure Python, only ``kuzzle_browser``, installable on the host's CPython."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel() -> Path:
    found = sorted((ROOT / "build" / "wheels").glob("kuzzle_browser-*-py3-none-any.whl"))
    if not found:
        pytest.fail("no wheel in build/wheels: run `make wheel` (make test does)")
    return found[-1]


def test_wheel_holds_only_the_sdk(wheel: Path) -> None:
    """No test code, dev server or plugin rides in what every page downloads; no dependencies."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    packages = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert packages == {"kuzzle_browser"}
    assert "kuzzle_browser/py.typed" in names
    assert "Requires-Dist" not in metadata


def test_wheel_installs_and_imports_on_cpython(wheel: Path, tmp_path: Path) -> None:
    """pip installs it; importing it (outside the source tree) needs no browser."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
    )
    code = "import kuzzle_browser, sys; print(kuzzle_browser.__version__, kuzzle_browser.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
    )
    version, location = done.stdout.split()
    assert wheel.name.startswith(f"kuzzle_browser-{version}-") and location.startswith(str(target))
