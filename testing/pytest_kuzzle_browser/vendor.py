"""Vendor the browser runtime into a folder from the registries (no CDN).

This repository: ``build/vendor/`` (``make setup``, ``tools/vendor.py``); other projects:
the plugin's cache folder (``settings.default_vendor_dir()``), filled on first use.

* ``pyodide/``: ``npm pack pyodide@<version>`` unpacked (core runtime + pyodide-lock.json);
* ``pyodide/<micropip wheel>``: micropip from PyPI stored under the lock's ``file_name``,
  its ``sha256`` rewritten in the lock (Pyodide's rebuilt wheel hashes differently, and
  ``loadPackage("micropip")`` silently loads nothing when the file is missing or rejected);
* ``pyscript/``: the ``dist/`` of ``@pyscript/core@<version>`` (self-contained).

Each part writes a stamp file holding its version; a re-run with the same versions and
the files present does nothing.
usage: python -m pytest_kuzzle_browser.vendor [--force] [DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from pytest_kuzzle_browser import settings as CFG


def _stamp(vendor_dir: Path, name: str) -> Path:
    return vendor_dir / f".stamp-{name}"


def _fresh(vendor_dir: Path, name: str, version: str, *must_exist: Path) -> bool:
    stamp = _stamp(vendor_dir, name)
    return stamp.is_file() and stamp.read_text().strip() == version and all(p.exists() for p in must_exist)


def _mark(vendor_dir: Path, name: str, version: str) -> None:
    _stamp(vendor_dir, name).write_text(version + "\n")


def _npm_unpack(spec: str, tmp: Path) -> Path:
    """``npm pack`` a package into tmp and unpack it; returns its ``package/`` folder."""
    out = subprocess.run(
        ["npm", "pack", "--silent", "--pack-destination", str(tmp), spec],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    tgz = tmp / out[-1]
    dest = tmp / (tgz.stem + ".d")
    with tarfile.open(tgz) as tar:
        tar.extractall(dest, filter="data")
    return dest / "package"


def _vendor_npm(name: str, spec: str, version: str, target: Path, force: bool, **kw: Any) -> bool:
    """Copy an npm package (or its ``subdir``) to target unless stamped; True if copied."""
    sentinel, subdir = kw.get("sentinel", "package.json"), kw.get("subdir", "")
    if not force and _fresh(target.parent, name, version, target / sentinel):
        return False
    print(f"vendor: {spec}@{version} (npm) -> {target}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        package = _npm_unpack(f"{spec}@{version}", Path(tmp))
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(package / subdir, target, ignore=shutil.ignore_patterns(*kw.get("drop", ())))
    _mark(target.parent, name, version)
    return True


def vendor_pyodide(vendor_dir: Path, force: bool) -> None:
    target = vendor_dir / "pyodide"
    if _vendor_npm("pyodide", "pyodide", CFG.PYODIDE_VERSION, target, force, sentinel="pyodide.mjs"):
        _stamp(vendor_dir, "micropip").unlink(missing_ok=True)  # the lock was replaced


def vendor_micropip(vendor_dir: Path, force: bool) -> None:
    version = CFG.MICROPIP_VERSION
    pyodide_dir = vendor_dir / "pyodide"
    lock_path = pyodide_dir / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    entry = lock["packages"]["micropip"]
    if entry["version"] != version:
        sys.exit(
            f"vendor: pyodide-lock.json names micropip {entry['version']}, "
            f"playwright.config.py says {version}: update MICROPIP_VERSION"
        )
    dest = pyodide_dir / entry["file_name"]
    if not force and _fresh(vendor_dir, "micropip", version, dest):
        return
    print(f"vendor: micropip=={version} (PyPI) -> {dest}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                CFG.PYODIDE_PYTHON,
                "--dest",
                tmp,
                f"micropip=={version}",
            ],
            check=True,
        )
        (wheel,) = Path(tmp).glob("micropip-*.whl")
        shutil.copyfile(wheel, dest)
    entry["sha256"] = hashlib.sha256(dest.read_bytes()).hexdigest()
    lock_path.write_text(json.dumps(lock))
    _mark(vendor_dir, "micropip", version)


def vendor_pyscript(vendor_dir: Path, force: bool) -> None:
    target = vendor_dir / "pyscript"
    _vendor_npm(
        "pyscript", "@pyscript/core", CFG.PYSCRIPT_VERSION, target, force,
        sentinel="core.js", subdir="dist", drop=("*.map",),
    )  # fmt: skip


def is_vendored(vendor_dir: Path) -> bool:
    """True when ``vendor_dir`` holds the pinned Pyodide, micropip and PyScript (stamps)."""
    return (
        _fresh(vendor_dir, "pyodide", CFG.PYODIDE_VERSION, vendor_dir / "pyodide" / "pyodide.mjs")
        and _fresh(vendor_dir, "micropip", CFG.MICROPIP_VERSION)
        and _fresh(vendor_dir, "pyscript", CFG.PYSCRIPT_VERSION, vendor_dir / "pyscript" / "core.js")
    )


def vendor_all(vendor_dir: Path, force: bool = False) -> Path:
    """Pyodide, micropip and PyScript into ``vendor_dir`` (``pyodide/``, ``pyscript/``)."""
    vendor_dir = Path(vendor_dir)
    vendor_dir.mkdir(parents=True, exist_ok=True)
    vendor_pyodide(vendor_dir, force)
    vendor_micropip(vendor_dir, force)
    vendor_pyscript(vendor_dir, force)
    return vendor_dir


def main(default_dir: Path | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="vendor again even if stamped")
    parser.add_argument("dir", nargs="?", type=Path, default=default_dir or CFG.default_vendor_dir())
    args = parser.parse_args()
    vendor_all(args.dir, args.force)


if __name__ == "__main__":
    main()
