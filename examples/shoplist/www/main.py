"""The page: log in as alice, add the item named in ?add=, list every item."""

from urllib.parse import parse_qs

import js
import shoplist

from kuzzle_browser import Kuzzle, WebSocket

query = parse_qs(str(js.location.search).lstrip("?"))
port = int(query.get("api_port", ["7512"])[0])
status = js.document.getElementById("status")

kuzzle = Kuzzle(WebSocket(str(js.location.hostname), port=port))
await kuzzle.connect()  # noqa: F704 - top-level await in PyScript
await kuzzle.auth.login("local", {"username": "alice", "password": "alice-password"})  # noqa: F704
await shoplist.ensure_storage(kuzzle)  # noqa: F704
for name in query.get("add", []):
    await shoplist.add_item(kuzzle, name)  # noqa: F704
items = js.document.getElementById("items")
for name in await shoplist.item_names(kuzzle):  # noqa: F704
    li = js.document.createElement("li")
    li.textContent = name
    items.appendChild(li)
status.textContent = "ready"
