"""The browser wheel: smaller than the JS SDK's bundle, and slimming changes nothing a user sees.

Every page downloads the wheel before it can connect; the official kuzzle-sdk 7.17.1
bundle (``kuzzle.js``) is 94,323 bytes and ours must stay under 94,000 (issue 14).
The wheel is built here from the working tree (``pytest_kuzzle_browser.wheels``:
minified modules, Zopfli deflate), as ``make wheel`` builds it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pytest_kuzzle_browser import wheels

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 94_000
JS_BUNDLE = ROOT / "node_modules" / "kuzzle-sdk" / "dist" / "kuzzle.js"

# Run in a fresh interpreter: every module of the package, each class and function it
# defines (methods included) as help() shows it: signature and cleaned docstring.
SURFACE = """
import importlib, inspect, json, pkgutil, re
import kuzzle_browser
seen = {}
def record(name, value):
    try:
        signature = re.sub(" at 0x[0-9a-f]+", "", str(inspect.signature(value)))
    except (TypeError, ValueError):
        signature = None
    seen[name] = [signature, inspect.getdoc(value)]
for info in pkgutil.walk_packages(kuzzle_browser.__path__, "kuzzle_browser."):
    if info.name == "kuzzle_browser.transport.browser":
        continue  # imports js: Pyodide only (the browser tests run it from the wheel)
    module = importlib.import_module(info.name)
    for name, value in vars(module).items():
        if getattr(value, "__module__", None) != info.name:
            continue
        if inspect.isclass(value):
            record(f"{info.name}.{name}", value)
            for member, attribute in vars(value).items():
                attribute = getattr(attribute, "__func__", getattr(attribute, "fget", attribute))
                if inspect.isfunction(attribute):
                    record(f"{info.name}.{name}.{member}", attribute)
        elif inspect.isfunction(value):
            record(f"{info.name}.{name}", value)
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wheels.build_wheel(ROOT, tmp_path_factory.mktemp("wheel"))


def surface(path: Path) -> dict[str, list[str | None]]:
    """What help() shows of every class and function, importing kuzzle_browser from ``path``."""
    done = subprocess.run(
        [sys.executable, "-P", "-c", SURFACE],
        env={"PYTHONPATH": str(path)},
        cwd=path,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, list[str | None]] = json.loads(done.stdout)
    return result


def test_the_wheel_stays_smaller_than_the_js_sdk_bundle(wheel: Path) -> None:
    size = wheel.stat().st_size
    assert size < LIMIT, f"the wheel is {size} bytes: over {LIMIT}, the JS SDK bundle's size"
    if JS_BUNDLE.is_file():  # make setup vendors it; the pinned bundle is 94,323 bytes
        assert size < JS_BUNDLE.stat().st_size


def _private(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.startswith("_") and not (last.startswith("__") and last.endswith("__"))


def test_slimming_keeps_every_signature_and_docstring(wheel: Path, tmp_path: Path) -> None:
    """help() in a notebook shows what it shows from the source: same signatures, same docs.

    Private functions and classes (``_name``, which help() never lists) keep their
    signature; their docstrings, written for readers of the source, are not shipped.
    """
    zipfile.ZipFile(wheel).extractall(tmp_path)
    from_wheel = surface(tmp_path)
    from_source = surface(ROOT)
    assert len(from_source) > 500
    assert from_wheel.keys() == from_source.keys()
    public = [name for name in from_source if not _private(name)]
    assert {n: from_wheel[n] for n in public} == {n: from_source[n] for n in public}
    assert {n: from_wheel[n][0] for n in from_source} == {n: from_source[n][0] for n in from_source}
    stripped = [n for n in from_source if from_wheel[n][1] != from_source[n][1]]
    assert stripped, "no private docstring left out: the slimmer's rule no longer runs"
    assert all(from_wheel[n][1] is None for n in stripped)


def test_the_slim_wheel_is_a_zip_any_unzip_reads(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos)
    assert sum(info.compress_size for info in infos) < sum(info.file_size for info in infos) / 3
