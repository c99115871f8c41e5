"""Wheels for the page: a wheel file, a glob, or a source folder built on demand.

``resolve_wheel(spec, base)``: ``spec`` is a ``.whl`` path, a glob matching exactly one
wheel, or a folder holding a ``pyproject.toml`` (built with ``python -m build --wheel
--no-isolation`` into ``<folder>/build/wheels/``, again only when a source file is newer
than the wheel there). Relative specs are relative to ``base`` (the pytest rootdir).
"""

from __future__ import annotations

import glob
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
    _recompress(wheel)
    return wheel


def _recompress(wheel: Path) -> None:
    """Rewrite ``wheel`` at zlib's best level: every page downloads it (RECORD hashes the
    uncompressed files, so it stays valid)."""
    packed = io.BytesIO()
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(packed, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info), zipfile.ZIP_DEFLATED, compresslevel=9)
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
