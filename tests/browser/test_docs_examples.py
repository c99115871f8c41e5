"""Every example of the API reference (docs/api/*.md) runs, as written, in Pyodide against the dev server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api"
PAGES = sorted(DOCS.glob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_every_page_has_an_example() -> None:
    """The reference pages exist and each one shows a Python example."""
    assert len(PAGES) >= 9
    assert all(BLOCK.search(page.read_text()) for page in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_example_runs(page: Path, kuzzle_server: Any, run_python: Any) -> None:
    """The page's examples run top to bottom; only the port is the test server's."""
    for block in BLOCK.findall(page.read_text()):
        run_python(block.replace("port=7512", f"port={kuzzle_server.port}"))
