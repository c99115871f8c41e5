"""``make lite``: an offline JupyterLite site in build/lite/ with the example notebook.

jupyterlite-core and jupyterlite-pyodide-kernel 0.8.6 (requirements-lite.txt) build it;
the kernel's Pyodide is not the CDN default but ``build/pyodide-kb/`` (the vendored
Pyodide whose lock also lists kuzzle-browser, tools/web_packages.py) placed at the
addon's well-known path ``<lite dir>/static/pyodide/``, so the build writes
``pyodideUrl: ./static/pyodide/pyodide.mjs`` itself. What the kernel loads at start-up
must be there too:

* ``ipython`` and ``jedi`` (and their lock dependencies, all pure Python) are lock
  packages: the same versions come from PyPI, stored under the lock's ``file_name`` with
  the ``sha256`` rewritten (Pyodide's rebuilt wheels hash differently);
* ``comm`` is not in the lock: it goes to piplite (``--piplite-wheels``), with our wheel;
* ``disablePyPIFallback``: ``%pip install`` never asks PyPI.

Downloads are cached in build/lite-cache/. The notebook is lite/kuzzle-browser.ipynb.
usage: python tools/build_lite.py      (prints the site folder)
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_wheel import WHEELS, build_wheel
from project_config import ROOT, load_config
from web_packages import pyodide_with_wheels

CFG = load_config()
LITE_SOURCES = ROOT / "lite"
NOTEBOOK = LITE_SOURCES / "kuzzle-browser.ipynb"
WORK = Path(CFG.BUILD_DIR) / "lite-src"
CACHE = Path(CFG.BUILD_DIR) / "lite-cache"
SITE = Path(CFG.BUILD_DIR) / "lite"
KERNEL_LOCK_PACKAGES = ("micropip", "ipython", "jedi")  # what the kernel loads by name
PIPLITE_EXTRA = ("comm==0.2.3",)  # needed by the kernel, not in Pyodide's lock
LITE_CONFIG = {
    "jupyter-lite-schema-version": 0,
    "jupyter-config-data": {
        "appName": "kuzzle-browser (JupyterLite)",
        "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True}},
    },
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _download(spec: str, python: str) -> Path:
    """A pure wheel from PyPI for the page's Python (cached)."""
    dest = CACHE / _norm(spec.replace("==", "-"))
    found = sorted(dest.glob("*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--only-binary=:all:", "--python-version", python, "--dest", str(dest), spec],
            check=True,
        )  # fmt: skip
        found = sorted(dest.glob("*.whl"))
    return found[0]


def vendor_lock_packages(pyodide_dir: Path, names: tuple[str, ...]) -> list[str]:
    """Store the lock packages ``names`` (and their lock dependencies) next to the lock."""
    lock_path = pyodide_dir / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text())
    packages = lock["packages"]
    by_norm = {_norm(key): key for key in packages}
    python = ".".join(lock["info"]["python"].split(".")[:2])
    todo, seen = [by_norm[_norm(n)] for n in names], set()
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo += [by_norm[_norm(dep)] for dep in packages[key]["depends"]]
    for key in sorted(seen):
        entry = packages[key]
        if not entry["file_name"].endswith("-none-any.whl"):
            sys.exit(f"build_lite: {key} ({entry['file_name']}) is not pure Python: cannot come from PyPI")
        target = pyodide_dir / entry["file_name"]
        if target.exists() and entry["name"] == "kuzzle-browser":
            continue
        wheel = _download(f"{entry['name']}=={entry['version']}", python)
        target.unlink(missing_ok=True)  # may be a hard link into build/vendor: never write through it
        shutil.copyfile(wheel, target)
        entry["sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
    lock_path.unlink()
    lock_path.write_text(json.dumps(lock))
    return sorted(seen)


def build_lite(wheel: Path) -> Path:
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "static").mkdir(parents=True)
    (WORK / "jupyter-lite.json").write_text(json.dumps(LITE_CONFIG, indent=2))
    pyodide_with_wheels([wheel], target=WORK / "static" / "pyodide")
    vendored = vendor_lock_packages(WORK / "static" / "pyodide", KERNEL_LOCK_PACKAGES)
    python = ".".join(CFG.PYODIDE_PYTHON.split(".")[:2])
    piplite = [wheel, *(_download(spec, python) for spec in PIPLITE_EXTRA)]
    shutil.rmtree(SITE, ignore_errors=True)
    command = [str(Path(sys.executable).parent / "jupyter"), "lite", "build", "--output-dir", str(SITE)]
    command += ["--contents", str(NOTEBOOK)]
    for path in piplite:
        command += ["--piplite-wheels", str(path)]
    done = subprocess.run(command, cwd=WORK, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit(f"build_lite: jupyter lite build failed (exit {done.returncode})")
    if '"pyodideUrl": "./static/pyodide/pyodide.mjs"' not in (SITE / "jupyter-lite.json").read_text():
        sys.exit("build_lite: the site's pyodideUrl is not the local ./static/pyodide/pyodide.mjs")
    print(f"lite: {SITE} (kernel lock packages from PyPI: {len(vendored)}; piplite: {len(piplite)} wheels)")
    return SITE


def main() -> None:
    wheels = sorted(WHEELS.glob("kuzzle_browser-*-py3-none-any.whl"))
    wheel = wheels[0] if len(wheels) == 1 else build_wheel()
    if not (Path(CFG.PYODIDE_DIR) / "pyodide.mjs").is_file():
        sys.exit("build_lite: run `make setup` first (vendored Pyodide missing)")
    build_lite(wheel)


if __name__ == "__main__":
    main()
