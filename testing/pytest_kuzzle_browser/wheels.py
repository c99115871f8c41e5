"""Wheels for the page: a wheel file, a glob, or a source folder built on demand.

``resolve_wheel(spec, base)``: ``spec`` is a ``.whl`` path, a glob matching exactly one
wheel, or a folder holding a ``pyproject.toml`` (built with ``python -m build --wheel
--no-isolation`` into ``<folder>/build/wheels/``, again only when a source file is newer
than the wheel there). Relative specs are relative to ``base`` (the pytest rootdir).

A project whose ``pyproject.toml`` sets ``[tool.pytest-kuzzle-browser] slim-wheel = true``
gets its ``.py`` files without comments and module docstrings in the wheel (class and
function docstrings stay, so ``help()`` works in a notebook): every page downloads the
wheel, and those are notes for the source's readers. Tracebacks then quote the wheel's
own lines.
"""

from __future__ import annotations

import ast
import base64
import csv
import glob
import hashlib
import io
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path


class WheelError(Exception):
    """A wheel spec names nothing, several wheels, or a build failed."""


def dist_stem(source: Path) -> str:
    """The wheel file name prefix of a source folder's project (``kuzzle-browser`` ->
    ``kuzzle_browser``)."""
    name = tomllib.loads((source / "pyproject.toml").read_text())["project"]["name"]
    return re.sub(r"[-_.]+", "_", name).lower()


def wants_slim_wheel(source: Path) -> bool:
    """``[tool.pytest-kuzzle-browser] slim-wheel`` of the project's ``pyproject.toml``."""
    settings = tomllib.loads((source / "pyproject.toml").read_text()).get("tool", {})
    return bool(settings.get("pytest-kuzzle-browser", {}).get("slim-wheel", False))


def slim_source(text: str) -> str:
    """``text`` (a module) without its comments and module docstring, same behaviour."""
    tree = ast.parse(text)
    body = tree.body
    first = body[0].value if body and isinstance(body[0], ast.Expr) else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        del body[0]
    return ast.unparse(tree) + "\n"


def _clean_scratch(source: Path) -> None:
    shutil.rmtree(source / "build" / "lib", ignore_errors=True)
    for path in (source / "build").glob("bdist.*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in source.glob("*.egg-info"):
        shutil.rmtree(path, ignore_errors=True)


def build_wheel(source: Path, outdir: Path | None = None) -> Path:
    """Build the wheel of ``source`` into ``outdir`` (default ``source/build/wheels``);
    older wheels of the same project there are removed, so exactly one is left."""
    source = source.resolve()
    outdir = (outdir or source / "build" / "wheels").resolve()
    stem = dist_stem(source)
    outdir.mkdir(parents=True, exist_ok=True)
    for old in outdir.glob(f"{stem}-*.whl"):
        old.unlink()
    _clean_scratch(source)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(outdir)],
            cwd=source,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:  # the build's own output only when it failed
            raise WheelError(
                f"wheel build of {source} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}"
            )
    finally:
        _clean_scratch(source)
    (wheel,) = outdir.glob(f"{stem}-*-py3-none-any.whl")
    _recompress(wheel, slim=wants_slim_wheel(source))
    return wheel


def record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode()}"


def _recompress(wheel: Path, *, slim: bool = False) -> None:
    """Rewrite ``wheel`` at zlib's best level, its modules slimmed if asked (RECORD then
    gets their new hashes and sizes): every page downloads it."""
    with zipfile.ZipFile(wheel) as source:
        contents = {info.filename: source.read(info) for info in source.infolist()}
        infos = source.infolist()
    if slim:
        for name, data in contents.items():
            if name.endswith(".py"):
                contents[name] = slim_source(data.decode("utf-8")).encode("utf-8")
        record_name = next(name for name in contents if name.endswith(".dist-info/RECORD"))
        rows = list(csv.reader(io.StringIO(contents[record_name].decode("utf-8"))))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in rows:
            path = row[0]
            if path in contents and path != record_name:
                row = [path, record_hash(contents[path]), str(len(contents[path]))]
            writer.writerow(row)
        contents[record_name] = out.getvalue().encode("utf-8")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as target:
        for info in infos:
            target.writestr(info, contents[info.filename], zipfile.ZIP_DEFLATED, compresslevel=9)
    wheel.write_bytes(packed.getvalue())


def fresh_wheel(source: Path, outdir: Path | None = None) -> Path:
    """The wheel of ``source``, rebuilt only when older than any file of the project."""
    source = source.resolve()
    outdir = outdir or source / "build" / "wheels"
    stem = dist_stem(source)
    found = sorted(outdir.glob(f"{stem}-*-py3-none-any.whl"))
    # what goes into the wheel: pyproject.toml and the top-level packages (or src/)
    roots = [p for p in source.iterdir() if p.is_dir() and (p / "__init__.py").is_file()]
    if (source / "src").is_dir():
        roots.append(source / "src")
    sources = [source / "pyproject.toml"]
    for root in roots:
        sources += [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    newest = max((p.stat().st_mtime for p in sources), default=0.0)
    if len(found) == 1 and found[0].stat().st_mtime >= newest:
        return found[0]
    return build_wheel(source, outdir)


def resolve_wheel(spec: str | Path, base: Path) -> Path:
    """A wheel path from a spec (see the module docstring)."""
    path = Path(spec)
    if not path.is_absolute():
        path = base / path
    if path.is_dir():
        if not (path / "pyproject.toml").is_file():
            raise WheelError(f"{path} is a folder without pyproject.toml")
        return fresh_wheel(path)
    if path.is_file():
        return path
    matches = sorted(glob.glob(str(path)))
    if len(matches) != 1:
        raise WheelError(f"wheel spec {spec!r} matches {len(matches)} files (expected one): {matches}")
    return Path(matches[0])
