"""Make the kuzzle_browser wheel installable by name in the browser, offline.

Two outputs, both from the wheel ``make wheel`` built (``build/wheels/``):

* ``build/simple/``: a static PEP 503 index of ``build/wheels/`` (``<project>/index.html``
  with ``#sha256=`` links to ``../../wheels/<file>``), for
  ``micropip.install("kuzzle-browser", index_urls=[".../simple/"])``;
* ``build/pyodide-kb/``: the vendored Pyodide (hard links, or copies) plus the wheel, with
  ``kuzzle-browser`` added to ``pyodide-lock.json`` by **pyodide-lock**'s
  ``add_wheels_to_spec`` (the lock-file tooling pyodide-build uses, which works offline):
  with it as the interpreter, PyScript's ``packages = ["kuzzle-browser"]``,
  ``pyodide.loadPackage("kuzzle-browser")`` and a JupyterLite kernel find the package by name.
  pyodide-lock 0.2.1 needs Python >= 3.12 (0.1.2, the last for 3.11, rejects the 314 lock's
  schema), so it runs in its own venv ``.venv-pyodide-lock/`` made from a Python >= 3.12
  found on the machine; without one the same entry is written here (``lock_entry``).

``pyodide build`` itself cannot run here (it downloads a cross-build environment) and
is not needed for a pure-Python ``py3-none-any`` wheel: the standard ``python -m build``
backend makes it (tools/build_wheel.py).
usage: python tools/web_packages.py            (prints the two folders)
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from project_config import load_config

CFG = load_config()
SIMPLE_DIR = Path(CFG.BUILD_DIR) / "simple"
PYODIDE_KB_DIR = Path(CFG.BUILD_DIR) / "pyodide-kb"


def project_name(wheel: Path) -> str:
    """PEP 503 normalized project name of a wheel file."""
    return re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()


def write_simple_index(
    wheels: list[Path], out: Path = SIMPLE_DIR, href_prefix: str = "../../wheels/"
) -> Path:
    """A static PEP 503 index of ``wheels`` in ``out`` (links: ``href_prefix`` + file name)."""
    shutil.rmtree(out, ignore_errors=True)
    projects: dict[str, list[Path]] = {}
    for wheel in sorted(wheels):
        projects.setdefault(project_name(wheel), []).append(wheel)
    for project, files in projects.items():
        links = "\n".join(
            f'<a href="{html.escape(href_prefix + f.name)}#sha256={_sha256(f)}">{html.escape(f.name)}</a><br>'
            for f in files
        )
        (out / project).mkdir(parents=True)
        (out / project / "index.html").write_text(f"<!DOCTYPE html>\n<html><body>\n{links}\n</body></html>\n")
    root_links = "\n".join(f'<a href="{p}/">{p}</a><br>' for p in sorted(projects))
    (out / "index.html").write_text(f"<!DOCTYPE html>\n<html><body>\n{root_links}\n</body></html>\n")
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


LOCK_TOOL_VENV = Path(CFG.ROOT) / ".venv-pyodide-lock"
LOCK_TOOL_SPEC = "pyodide-lock[wheel]==0.2.1"  # needs Python >= 3.12 (0.1.2 cannot read 314's lock)
LOCK_TOOL_SCRIPT = """
import sys
from pathlib import Path
from pyodide_lock import PyodideLockSpec
from pyodide_lock.utils import add_wheels_to_spec
source, target, *wheels = map(Path, sys.argv[1:])
lock = add_wheels_to_spec(PyodideLockSpec.from_json(source), wheels, base_path=wheels[0].parent)
lock.to_json(target)
"""


def _python_312_plus() -> str | None:
    """A Python >= 3.12 for pyodide-lock: $PYODIDE_LOCK_PYTHON, python3.13/3.12 on PATH or pyenv's."""
    candidates = [os.environ.get("PYODIDE_LOCK_PYTHON", "")]
    candidates += [shutil.which(name) or "" for name in ("python3.13", "python3.12", "python3.14")]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.1[234]*/bin/python3"))
    for candidate in filter(None, candidates):
        check = "import sys; print(sys.version_info >= (3, 12))"
        done = subprocess.run([candidate, "-c", check], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() == "True":
            return candidate
    return None


def _lock_tool() -> Path | None:
    """The venv's python with pyodide-lock 0.2.1 (made on first use), or None without a Python >= 3.12."""
    python = LOCK_TOOL_VENV / "bin" / "python"
    stamp = LOCK_TOOL_VENV / ".installed"
    if stamp.is_file() and stamp.read_text().strip() == LOCK_TOOL_SPEC:
        return python
    base = _python_312_plus()
    if base is None:
        return None
    shutil.rmtree(LOCK_TOOL_VENV, ignore_errors=True)
    subprocess.run([base, "-m", "venv", str(LOCK_TOOL_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", LOCK_TOOL_SPEC],
        check=True,
    )
    stamp.write_text(LOCK_TOOL_SPEC + "\n")
    return python


def lock_entry(wheel: Path) -> dict[str, object]:
    """The lock entry of a pure-Python wheel without dependencies, as pyodide-lock writes it."""
    name, version = wheel.name.split("-")[:2]
    return {
        "name": project_name(wheel),
        "version": version,
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": [name],
        "depends": [],
        "unvendored_tests": False,
        "tool": {},
    }


def pyodide_with_wheels(
    wheels: list[Path], source: Path | None = None, target: Path = PYODIDE_KB_DIR
) -> tuple[Path, str]:
    """A copy of the Pyodide folder ``source`` whose lock also lists ``wheels``; returns it and
    what wrote the lock (pyodide-lock, or this module when no Python >= 3.12 is around)."""
    source = Path(source or CFG.PYODIDE_DIR)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for item in source.iterdir():
        if item.is_file() and item.name != "pyodide-lock.json" and not item.name.endswith(".map"):
            _link_or_copy(item, target / item.name)
    copies = []
    for wheel in wheels:
        shutil.copyfile(wheel, target / wheel.name)
        copies.append(target / wheel.name)
    tool = _lock_tool()
    if tool is not None:
        subprocess.run(
            [str(tool), "-c", LOCK_TOOL_SCRIPT, str(source / "pyodide-lock.json"),
             str(target / "pyodide-lock.json"), *map(str, copies)],
            check=True,
        )  # fmt: skip
        return target, LOCK_TOOL_SPEC
    lock = json.loads((source / "pyodide-lock.json").read_text())
    for wheel in copies:
        entry = lock_entry(wheel)
        lock["packages"][entry["name"]] = entry
    (target / "pyodide-lock.json").write_text(json.dumps(lock))
    return target, "tools/web_packages.py (no Python >= 3.12 for pyodide-lock)"


def build_all(wheel: Path) -> tuple[Path, Path]:
    """Both outputs for ``wheel``: (simple index folder, Pyodide folder)."""
    simple = write_simple_index([wheel])
    pyodide, by = pyodide_with_wheels([wheel])
    print(f"web packages: {simple} and {pyodide} (lock by {by})", flush=True)
    return simple, pyodide


def main() -> None:
    wheels = sorted(Path(CFG.WHEELS_DIR).glob("kuzzle_browser-*-py3-none-any.whl"))
    if len(wheels) != 1:
        sys.exit("web_packages: build the wheel first (make wheel)")
    build_all(wheels[0])


if __name__ == "__main__":
    main()
