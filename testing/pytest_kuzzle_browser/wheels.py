"""Wheels for the page: a wheel file, a glob, or a source folder built on demand.

``resolve_wheel(spec, base)``: ``spec`` is a ``.whl`` path, a glob matching exactly one
wheel, or a folder holding a ``pyproject.toml`` (built with ``python -m build --wheel
--no-isolation`` into ``<folder>/build/wheels/``, again only when a source file is newer
than the wheel there). Relative specs are relative to ``base`` (the pytest rootdir).

A project whose ``pyproject.toml`` sets ``[tool.pytest-kuzzle-browser] slim-wheel = true``
gets its ``.py`` files minified in the wheel: every page downloads it. Comments, module
docstrings, attribute docstrings and the docstrings of private (``_name``) classes and
functions go (notes for the source's readers and its API pages; help() never lists a
private name), so do the annotations of plain local variables (never evaluated); python-minifier (a
maintained minifier rather than our own code) then shortens local names and layout (tab
indents, short statements joined by ``;``). What a user or a type checker sees stays:
public class and function docstrings (``help()`` works in a notebook; their indentation
is cleaned as ``inspect.getdoc`` would), annotations of signatures, attributes and module
names (the wheel is ``py.typed``), argument names. tests/unit/test_wheel_size.py compares
every signature and public docstring of the wheel with the source's. Tracebacks then quote the
wheel's own lines (Python 3.11's carets still point at the failing expression).

Every wheel is then recompressed with Zopfli (zopflipy's ``ZipFile``): a plain deflate
stream that any unzip reads, about 3 % smaller than zlib's best level, for a few seconds
of build time.
"""

from __future__ import annotations

import ast
import base64
import csv
import glob
import hashlib
import inspect
import io
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import python_minifier
import zopfli


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


class _DropLocalAnnotations(ast.NodeTransformer):
    """``x: T = v`` -> ``x = v`` for plain local variables of functions: Python never
    evaluates nor stores those annotations, and no signature or attribute type shows them
    (``self.x: T`` and module or class names keep theirs)."""

    def __init__(self) -> None:
        self.in_function = False

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        return self._scope(node, in_function=True)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return self._scope(node, in_function=False)

    def _scope(self, node: ast.AST, *, in_function: bool) -> ast.AST:
        outer, self.in_function = self.in_function, in_function
        self.generic_visit(node)
        self.in_function = outer
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if not (self.in_function and node.simple and isinstance(node.target, ast.Name)):
            return node
        if node.value is None:  # ``x: T`` alone is what makes x local here: kept
            return node
        return ast.Assign(targets=[node.target], value=node.value)


def slim_source(text: str) -> str:
    """``text`` (a module) minified: no comments nor module docstring, same behaviour and help()."""
    tree = ast.parse(text)
    body = tree.body
    first = body[0].value if body and isinstance(body[0], ast.Expr) else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        del body[0]
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            # a string statement after the first one (an attribute docstring) exists only
            # for readers of the source and the API pages built from it: nothing at run time
            node.body[1:] = [child for child in node.body[1:] if not _is_string(child)]
            if _is_private(node.name) and len(node.body) > 1 and _is_string(node.body[0]):
                del node.body[0]  # help() never lists a private name: its docstring is for the source
        if _is_string(node):  # docstrings as getdoc shows them
            node.value.value = inspect.cleandoc(node.value.value)  # type: ignore[attr-defined]
    body[:] = [child for child in body if not _is_string(child)]
    tree = ast.fix_missing_locations(_DropLocalAnnotations().visit(tree))
    # python-minifier's safe defaults, less what would change what users see: annotations
    # (help() signatures, type checkers reading the py.typed wheel), positional-only
    # arguments, argument names; string hoisting only defeats deflate's own matching
    # (the wheel comes out larger with it).
    minified = python_minifier.minify(
        ast.unparse(tree),
        remove_annotations=False,
        convert_posargs_to_args=False,
        hoist_literals=False,
        preserve_locals=_signature_names(tree),
    )
    return minified + "\n"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_string(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _signature_names(tree: ast.Module) -> list[str]:
    """The names help() shows that the minifier would shorten (``self``, ``*args``, ``**sdk``...)."""
    names = {"self", "cls"}
    for node in ast.walk(tree):
        if isinstance(node, ast.arguments):
            names.update(arg.arg for arg in (*node.posonlyargs, node.vararg, node.kwarg) if arg is not None)
    return sorted(names)


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
    """Rewrite ``wheel`` with Zopfli's deflate, its modules slimmed if asked (RECORD then
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
    with zopfli.ZipFile(packed, "w") as target:
        for info in infos:
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, contents[info.filename], zipfile.ZIP_DEFLATED)
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
