"""The browser wheel: pure Python, only ``kuzzle_browser``, installable on the host's CPython."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pytest_kuzzle_browser.wheels import record_hash, slim_source

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


def test_slim_wheel_keeps_api_docstrings_and_a_valid_record(wheel: Path) -> None:
    """Comments and module docstrings are gone, help() texts stay, RECORD matches every file."""
    with zipfile.ZipFile(wheel) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    record = next(name for name in contents if name.endswith(".dist-info/RECORD"))
    for row in csv.reader(io.StringIO(contents[record].decode())):
        if row[0] != record:
            assert row[1] == record_hash(contents[row[0]]) and row[2] == str(len(contents[row[0]])), row[0]
    client = contents["kuzzle_browser/client.py"].decode()
    assert "Theory of operation" not in client and "\n#" not in client
    assert "The Kuzzle SDK entry point" in client


def test_slim_source_behaves_like_the_source() -> None:
    """slim_source drops what the interpreter ignores, nothing else."""
    source = (
        '"""Module notes."""\n# a comment\nX = 1  # why\n\ndef f() -> int:\n    """Doc."""\n    return X\n'
    )
    namespace: dict[str, object] = {}
    exec(slim_source(source), namespace)
    function = namespace["f"]
    assert callable(function) and function() == 1 and function.__doc__ == "Doc."


def test_slim_source_drops_attribute_docstrings_only() -> None:
    """A string after an attribute is for the source's readers; the class docstring stays."""
    source = 'class C:\n    """Doc."""\n\n    x: int = 1\n    """About x."""\n'
    namespace: dict[str, object] = {}
    slim = slim_source(source)
    exec(slim, namespace)
    assert "About x" not in slim and namespace["C"].__doc__ == "Doc."  # type: ignore[attr-defined]
    assert "notes" not in slim_source(source) and "#" not in slim_source(source)
