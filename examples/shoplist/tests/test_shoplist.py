"""End-to-end tests of the shopping list with pytest-kuzzle-browser's fixtures.

``run_python`` runs code in a Pyodide page that has kuzzle_browser and this project's
wheel installed; ``pyscript_site`` + ``browser_page`` open the real PyScript page;
``kuzzle_server`` is the dev server (or ``--kuzzle-url``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

WWW = Path(__file__).resolve().parent.parent / "www"
READY = "document.getElementById('status').textContent === 'ready'"

LOGIN = """
from kuzzle_browser import Kuzzle, WebSocket
import shoplist
kuzzle = Kuzzle(WebSocket("{host}", port={port}))
await kuzzle.connect()
await kuzzle.auth.login("local", {{"username": "alice", "password": "alice-password"}})
await shoplist.ensure_storage(kuzzle)
"""


def test_add_and_list_in_pyodide(kuzzle_server: Any, run_python: Any) -> None:
    names = run_python(
        LOGIN.format(host=kuzzle_server.host, port=kuzzle_server.port)
        + """
for name in ("milk", "bread"):
    await shoplist.add_item(kuzzle, name)
names = await shoplist.item_names(kuzzle)
kuzzle.disconnect()
names
"""
    )
    assert {"bread", "milk"} <= set(names)


def test_python_errors_come_back_as_tracebacks(run_python: Any) -> None:
    import pytest

    with pytest.raises(pytest.fail.Exception, match=r"(?s)Traceback.*ZeroDivisionError"):
        run_python("1 / 0")


def test_pyscript_page(kuzzle_server: Any, pyscript_site: Any, browser_page: Any) -> None:
    site = pyscript_site(WWW)
    browser_page.goto(f"{site.url}?api_port={kuzzle_server.port}&add=eggs")
    browser_page.wait_for_function(READY, timeout=90_000)
    items = browser_page.locator("#items li").all_text_contents()
    assert "eggs" in items


def test_the_page_survives_a_restart(kuzzle_server: Any, pyscript_site: Any, browser_page: Any) -> None:
    """Data is kept across a restart of the dev server (skipped against a real Kuzzle)."""
    kuzzle_server.restart()
    site = pyscript_site(WWW)
    browser_page.goto(f"{site.url}?api_port={kuzzle_server.port}")
    browser_page.wait_for_function(READY, timeout=90_000)
    assert "eggs" in browser_page.locator("#items li").all_text_contents()
