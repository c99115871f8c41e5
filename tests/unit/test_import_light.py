"""Import hygiene: the sans-I/O protocol loads without asyncio, the package loads names lazily."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import kuzzle_browser

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL_MODULES = sorted(
    f"kuzzle_browser.protocol.{path.stem}"
    for path in (ROOT / "kuzzle_browser" / "protocol").glob("*.py")
    if path.stem != "__init__"
)


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    script = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


@pytest.mark.parametrize("module", ["kuzzle_browser.protocol", *PROTOCOL_MODULES])
def test_the_protocol_imports_neither_asyncio_nor_the_browser(module: str) -> None:
    loaded = loaded_after(f"import {module}")
    assert module in loaded
    assert not loaded & {"asyncio", "js", "pyodide", "kuzzle_browser.client"}


def test_the_package_alone_loads_only_its_exceptions() -> None:
    loaded = loaded_after("import kuzzle_browser; kuzzle_browser.KuzzleError")
    assert "asyncio" not in loaded and "kuzzle_browser.client" not in loaded


def test_a_name_loads_its_module_only() -> None:
    loaded = loaded_after("from kuzzle_browser import Kuzzle, WebSocket")
    assert {"kuzzle_browser.client", "kuzzle_browser.websocket"} <= loaded
    assert not loaded & {"kuzzle_browser.controllers.ms", "kuzzle_browser.controllers.batch", "js"}


def test_making_a_client_compiles_no_controller_and_no_dataclass() -> None:
    """What a page pays before connect(): no controller module until it is used (auth and
    realtime are, by connect()), no ``@dataclass`` (it compiles code at import) and no
    ``uuid`` (~40 ms to import in Pyodide)."""
    loaded = loaded_after(
        "from kuzzle_browser import Kuzzle, WebSocket\n"
        "from kuzzle_browser.transport.mock import MockTransport\n"
        "kuzzle = Kuzzle(WebSocket('h', transport=MockTransport()))"
    )
    controllers = {name for name in loaded if name.startswith("kuzzle_browser.controllers.")}
    assert controllers == {"kuzzle_browser.controllers.base"}
    assert not loaded & {"dataclasses", "uuid"}
    used = loaded_after(
        "from kuzzle_browser import Kuzzle, WebSocket\n"
        "from kuzzle_browser.transport.mock import MockTransport\n"
        "kuzzle = Kuzzle(WebSocket('h', transport=MockTransport()))\n"
        "kuzzle.document, kuzzle.server"
    )
    assert {"kuzzle_browser.controllers.document", "kuzzle_browser.controllers.admin"} <= used


def test_controller_classes_still_import_from_the_controllers_package() -> None:
    from kuzzle_browser import controllers

    assert controllers.DocumentController is kuzzle_browser.DocumentController
    with pytest.raises(AttributeError, match="no attribute 'Kuzzle'"):
        controllers.Kuzzle  # noqa: B018 - only the controllers are served there


def test_every_public_name_resolves_and_is_listed_by_dir() -> None:
    for name in kuzzle_browser.__all__:
        assert getattr(kuzzle_browser, name) is not None
    assert set(kuzzle_browser.__all__) <= set(dir(kuzzle_browser))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        kuzzle_browser.Nope  # type: ignore[attr-defined]  # noqa: B018


def test_the_static_imports_match_the_lazy_table() -> None:
    """What mypy and editors see (the TYPE_CHECKING imports) is what ``__getattr__`` serves."""
    tree = ast.parse((ROOT / "kuzzle_browser" / "__init__.py").read_text())
    (block,) = (node for node in tree.body if isinstance(node, ast.If))
    static = {
        alias.name: (node.module or "").removeprefix("kuzzle_browser.")
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert static == kuzzle_browser._LAZY
    assert set(kuzzle_browser.__all__) == {*static, *kuzzle_browser.errors.__all__, "__version__"}
