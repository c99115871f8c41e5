"""In-page tests: this module runs inside Pyodide (kuzzle_inpage_paths in pyproject.toml),
with kuzzle_browser, shoplist and inpage_support importable."""

import shoplist
from inpage_support import SERVER_HOST, SERVER_PORT, control, within

from kuzzle_browser import Kuzzle, WebSocket


async def test_items_are_shared_between_clients() -> None:
    await control("reset")  # the dev server's control surface (skipped on a real Kuzzle)
    first = Kuzzle(WebSocket(SERVER_HOST, port=SERVER_PORT))
    second = Kuzzle(WebSocket(SERVER_HOST, port=SERVER_PORT))
    for kuzzle in (first, second):
        await within(kuzzle.connect())
        await kuzzle.auth.login("local", {"username": "bob", "password": "bob-password"})
    await shoplist.ensure_storage(first)
    await shoplist.add_item(first, "tea")
    assert await shoplist.item_names(second) == ["tea"]
    first.disconnect()
    second.disconnect()
