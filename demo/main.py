"""kuzzle-browser demo: a shared list, live between every open window, that survives outages.

Runs in the page under PyScript (Pyodide). What it shows of the SDK:

* cookie authentication (``Kuzzle(..., cookie_auth=True)``): the session is an HttpOnly
  cookie, kept across reloads; Python never holds the token;
* documents (``document.search/create/update/delete``) plus a realtime subscription
  (``realtime.subscribe``): every window sees the others' changes at once;
* ``offline_mode="auto"``: while the server is unreachable, changes are queued
  (``kuzzle.offline_queue``) and replayed when it is back; ``reconnected`` re-reads the list.

Where the API is (URL query parameters, all optional): ``api_host`` (default: the page's
host name; page and API must share it for cookies), ``api_port`` (7512), ``ssl=1``,
``auth=token`` (instead of the cookie, for an API on another site), ``index`` and
``collection`` (default ``kuzzle_browser_demo`` / ``items``).

For tests and CSS: ``<html data-state="loading|ready|error" data-connection="connecting|
connected|reconnecting|offline" data-queue="N" data-user="kuid">``; each item is an
``<li data-id data-text data-done data-pending>``.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import js
from pyodide.ffi import create_proxy
from pyscript import document

import kuzzle_browser
from kuzzle_browser import Kuzzle, KuzzleError, Subscription, WebSocket

ROOT = document.documentElement
FLASH = js.JSON.parse('[{"background": "#e7ecff"}, {"background": "transparent"}]')


# ----------------------------------------------------------------------------- settings


def param(name: str, default: str) -> str:
    value = js.URLSearchParams.new(js.location.search).get(name)
    return str(value) if value else default


API_HOST = param("api_host", str(js.location.hostname))
API_PORT = int(param("api_port", "7512"))
SSL = param("ssl", "0") in ("1", "true", "yes")
COOKIE_AUTH = param("auth", "cookie" if js.location.hostname == API_HOST else "token") == "cookie"
INDEX = param("index", "kuzzle_browser_demo")
COLLECTION = param("collection", "items")


# ----------------------------------------------------------------------------- DOM helpers


def element(selector: str) -> Any:
    return document.querySelector(selector)


def show(selector: str, visible: bool) -> None:
    element(selector).hidden = not visible


def on(target: Any, event: str, handler: Any) -> None:
    """``addEventListener`` with a proxy kept for the page's lifetime."""
    target.addEventListener(event, create_proxy(handler))


def say(text: str = "") -> None:
    """The message line under the card (errors); empty hides it."""
    element("#message").textContent = text
    show("#message", bool(text))


def run(coroutine: Any) -> None:
    """Run a UI action; its error lands in the message line instead of the console."""

    async def guarded() -> None:
        try:
            await coroutine
        except KuzzleError as exc:
            say(f"{exc.id or type(exc).__name__}: {exc}")
        except Exception as exc:
            say(f"{type(exc).__name__}: {exc}")

    task = asyncio.ensure_future(guarded())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


_tasks: set[asyncio.Future[None]] = set()


# ----------------------------------------------------------------------------- the list


class Board:
    """The items as known here (``id -> item``), drawn into ``<ul id="items">``."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.editing: str | None = None

    @staticmethod
    def from_document(doc: dict[str, Any], pending: bool = False) -> dict[str, Any]:
        source = doc.get("_source") or {}
        info = source.get("_kuzzle_info") or {}
        return {
            "text": str(source.get("text", "")),
            "done": bool(source.get("done", False)),
            "author": info.get("author") or "?",
            "created": info.get("createdAt") or 0,
            "updated": info.get("updatedAt") or info.get("createdAt") or 0,
            "pending": pending,
        }

    def replace_all(self, documents: list[dict[str, Any]]) -> None:
        fresh = {doc["_id"]: self.from_document(doc) for doc in documents}
        for item_id, item in self.items.items():  # local changes not yet confirmed stay
            if item["pending"]:
                fresh[item_id] = item
        self.items = fresh
        self.draw()

    def apply(self, notification: dict[str, Any]) -> None:
        """A realtime notification from Kuzzle (any window's change, this one's too)."""
        if notification.get("type") != "document":
            return
        result = notification.get("result") or {}
        item_id = result.get("_id")
        if not item_id:
            return
        if notification.get("event") == "delete" or notification.get("scope") == "out":
            self.items.pop(item_id, None)
        else:
            item = self.from_document(result)
            known = self.items.get(item_id)
            if known is not None and (known["pending"] or known["updated"] > item["updated"]):
                return  # ours is newer (or still on its way)
            self.items[item_id] = item
        self.draw(fresh=item_id)

    def draw(self, fresh: str | None = None) -> None:
        ul = element("#items")
        ordered = sorted(self.items.items(), key=lambda kv: (kv[1]["created"] or float("inf"), kv[0]))
        existing = {li.dataset.id: li for li in ul.querySelectorAll("li")}
        for item_id, li in existing.items():
            if item_id not in self.items:
                li.remove()
        previous = None
        for item_id, item in ordered:
            li = existing.get(item_id) or self._new_row(item_id)
            self._fill_row(li, item)
            if item_id == fresh:
                li.animate(FLASH, 1200)  # a short highlight of what just changed
            wanted_next = ul.firstElementChild if previous is None else previous.nextElementSibling
            if wanted_next is not li:  # move only when out of place (keeps the focus in an edit)
                ul.insertBefore(li, wanted_next)
            previous = li
        show("#empty", not self.items)

    def _new_row(self, item_id: str) -> Any:
        li = document.createElement("li")
        li.dataset.id = item_id
        li.innerHTML = (
            '<input type="checkbox" class="done" aria-label="done">'
            '<span class="text"></span><span class="pending-tag">queued</span>'
            '<span class="meta"></span>'
            '<span class="actions"><button type="button" class="edit" data-action="edit">Edit</button>'
            '<button type="button" class="delete" data-action="delete">Delete</button></span>'
        )
        return li

    def _fill_row(self, li: Any, item: dict[str, Any]) -> None:
        li.dataset.text = item["text"]
        li.dataset.done = "true" if item["done"] else "false"
        li.dataset.pending = "true" if item["pending"] else "false"
        li.querySelector(".done").checked = item["done"]
        if self.editing != li.dataset.id:
            li.querySelector(".text").textContent = item["text"]
        when = js.Date.new(item["updated"]).toLocaleTimeString() if item["updated"] else "now"
        li.querySelector(".meta").textContent = f"{item['author']} · {when}"

    # -- inline editing
    def start_edit(self, li: Any) -> None:
        if self.editing is not None:
            self.stop_edit()
        self.editing = li.dataset.id
        span = li.querySelector(".text")
        field = document.createElement("input")
        field.className = "edit-input"
        field.value = li.dataset.text
        field.maxLength = 200
        span.replaceWith(field)
        button = li.querySelector(".edit")
        button.textContent, button.dataset.action = "Save", "save"
        field.focus()
        field.select()

    def stop_edit(self) -> str | None:
        """Leave edit mode; returns the edited text (None when not editing)."""
        if self.editing is None:
            return None
        li = element(f'#items li[data-id="{self.editing}"]')
        self.editing = None
        if li is None:
            return None
        field = li.querySelector(".edit-input")
        text = str(field.value).strip() if field is not None else None
        span = document.createElement("span")
        span.className = "text"
        span.textContent = li.dataset.text
        if field is not None:
            field.replaceWith(span)
        button = li.querySelector(".edit")
        button.textContent, button.dataset.action = "Edit", "edit"
        return text


# ----------------------------------------------------------------------------- the app


class App:
    def __init__(self) -> None:
        self.kuzzle = Kuzzle(
            WebSocket(API_HOST, port=API_PORT, ssl=SSL),
            cookie_auth=COOKIE_AUTH,
            offline_mode="auto",  # queue while unreachable, replay when back
            queue_ttl=None,  # keep queued changes however long the outage lasts
        )
        self.board = Board()
        self.subscription: Subscription | None = None
        self.user: str | None = None
        kuzzle = self.kuzzle
        self.failures = 0  # failed reconnection attempts since the link dropped
        kuzzle.on("connected", lambda: self.set_connection("connected"))
        kuzzle.on("disconnected", lambda payload=None: self.set_connection("reconnecting"))
        kuzzle.on("networkError", lambda error=None: self.connection_lost())
        kuzzle.on("reconnected", self.reconnected)
        kuzzle.on("offlineQueuePush", lambda payload=None: self.show_queue())
        kuzzle.on("offlineQueuePop", lambda payload=None: self.show_queue())
        kuzzle.on("tokenExpired", self.signed_out)
        on(js.window, "offline", lambda event: self.set_connection("offline"))

    # -- connection state
    def set_connection(self, state: str) -> None:
        if state == "connected":
            self.failures = 0
        if state != "connected" and not js.navigator.onLine:
            state = "offline"
        ROOT.dataset.connection = state
        element("#connection-text").textContent = {
            "connecting": "connecting…",
            "connected": "connected",
            "reconnecting": "reconnecting…",
            "offline": "offline · changes are kept",
        }[state]
        self.show_queue()

    def connection_lost(self) -> None:
        """A drop, or one more failed reconnection attempt: after a few, call it offline."""
        self.failures += 1
        self.set_connection("reconnecting" if self.failures < 3 else "offline")

    def show_queue(self) -> None:
        count = len(self.kuzzle.offline_queue)
        ROOT.dataset.queue = str(count)
        element("#queue-count").textContent = str(count)

    async def reconnected(self) -> None:
        self.set_connection("connected")
        if self.user is not None:
            await self.reload()  # catch up with what happened while we were away

    # -- session
    async def start(self) -> None:
        element("#server").textContent = f"{'wss' if SSL else 'ws'}://{API_HOST}:{API_PORT}"
        element("#versions").textContent = f"kuzzle_browser {kuzzle_browser.__version__}"
        self.wire_dom()
        self.set_connection("connecting")
        await self.kuzzle.connect()
        self.set_connection("connected")
        ROOT.dataset.state = "ready"
        show("#loading", False)
        check = await self.kuzzle.auth.check_token() if COOKIE_AUTH else {"valid": False}
        if check.get("valid") and check.get("kuid") not in (None, "-1"):
            await self.signed_in()  # the cookie from an earlier visit is still good
        else:
            self.signed_out()

    async def login(self) -> None:
        say()
        button = element("#login-button")
        button.disabled = True
        try:
            credentials = {"username": element("#username").value, "password": element("#password").value}
            await self.kuzzle.auth.login("local", credentials)
        finally:
            button.disabled = False
        element("#password").value = ""
        await self.signed_in()

    async def signed_in(self) -> None:
        user = await self.kuzzle.auth.get_current_user()
        self.user = str(user.get("_id"))
        ROOT.dataset.user = self.user
        element("#user-name").textContent = self.user
        await self.ensure_collection()
        self.subscription = await self.kuzzle.realtime.subscribe(
            INDEX, COLLECTION, {}, callback=self.board.apply
        )
        await self.reload()
        show("#login", False)
        show("#board", True)
        element("#new-text").focus()

    def signed_out(self) -> None:
        self.user = None
        ROOT.dataset.user = ""
        self.board.items.clear()
        self.board.draw()
        show("#board", False)
        show("#login", True)

    async def logout(self) -> None:
        if self.subscription is not None:
            await self.subscription.unsubscribe()
            self.subscription = None
        await self.kuzzle.auth.logout()
        self.signed_out()

    async def ensure_collection(self) -> None:
        if await self.kuzzle.collection.exists(INDEX, COLLECTION):
            return
        try:
            if not await self.kuzzle.index.exists(INDEX):
                await self.kuzzle.index.create(INDEX)
            await self.kuzzle.collection.create(INDEX, COLLECTION)
        except KuzzleError:  # another window created it first
            if not await self.kuzzle.collection.exists(INDEX, COLLECTION):
                raise

    async def reload(self) -> None:
        result = await self.kuzzle.document.search(
            INDEX, COLLECTION, {"sort": [{"_kuzzle_info.createdAt": "asc"}]}, size=1000
        )
        self.board.replace_all(result.hits)

    # -- changes (each one is queued while the server is away)
    async def change(self, item_id: str, coroutine: Any) -> None:
        """Await a document change; the row shows "queued" until Kuzzle confirmed it."""
        self.show_queue()
        try:
            doc = await coroutine
        except KuzzleError:
            await self.reload()  # undo the optimistic change
            raise
        finally:
            self.show_queue()
        if isinstance(doc, dict) and "_source" in doc:
            self.board.items[item_id] = Board.from_document(doc)
            self.board.draw()

    def optimistic(self, item_id: str, **fields: Any) -> None:
        item = self.board.items.setdefault(
            item_id, {"text": "", "done": False, "author": self.user, "created": 0, "updated": 0}
        )
        item.update(fields, pending=True)
        self.board.draw(fresh=item_id)

    async def add(self, text: str) -> None:
        item_id = secrets.token_hex(6)
        self.optimistic(item_id, text=text)
        await self.change(
            item_id, self.kuzzle.document.create(INDEX, COLLECTION, {"text": text, "done": False}, item_id)
        )

    async def edit(self, item_id: str, **changes: Any) -> None:
        self.optimistic(item_id, **changes)
        update = self.kuzzle.document.update(INDEX, COLLECTION, item_id, changes, source=True)
        await self.change(item_id, update)

    async def delete(self, item_id: str) -> None:
        item = self.board.items.pop(item_id, None)
        self.board.draw()
        try:
            await self.kuzzle.document.delete(INDEX, COLLECTION, item_id)
        except KuzzleError as exc:
            if exc.status != 404 and item is not None:  # already gone elsewhere: fine
                self.board.items[item_id] = item
                self.board.draw()
                raise
        finally:
            self.show_queue()

    # -- DOM events
    def wire_dom(self) -> None:
        def submit_login(event: Any) -> None:
            event.preventDefault()
            run(self.login())

        def pick_user(event: Any) -> None:
            name = event.target.dataset.user
            element("#username").value = name
            element("#password").value = f"{name}-password"
            run(self.login())

        def submit_add(event: Any) -> None:
            event.preventDefault()
            field = element("#new-text")
            text = str(field.value).strip()
            field.value = ""
            if text:
                run(self.add(text))

        def click_item(event: Any) -> None:
            li = event.target.closest("li")
            if li is None:
                return
            item_id = str(li.dataset.id)
            action = event.target.getAttribute("data-action")
            if event.target.classList.contains("done"):
                run(self.edit(item_id, done=bool(event.target.checked)))
            elif action == "edit":
                self.board.start_edit(li)
            elif action == "save":
                self.save_edit(item_id)
            elif action == "delete":
                run(self.delete(item_id))

        def key_in_item(event: Any) -> None:
            if not event.target.classList.contains("edit-input"):
                return
            item_id = str(event.target.closest("li").dataset.id)
            if event.key == "Enter":
                self.save_edit(item_id)
            elif event.key == "Escape":
                self.board.stop_edit()

        on(element("#login-form"), "submit", submit_login)
        for chip in document.querySelectorAll(".demo-users [data-user]"):
            on(chip, "click", pick_user)
        on(element("#add-form"), "submit", submit_add)
        on(element("#items"), "click", click_item)
        on(element("#items"), "keydown", key_in_item)
        on(element("#logout-button"), "click", lambda event: run(self.logout()))

    def save_edit(self, item_id: str) -> None:
        text = self.board.stop_edit()
        known = self.board.items.get(item_id)
        if text and known is not None and text != known["text"]:
            run(self.edit(item_id, text=text))


async def main() -> None:
    try:
        await App().start()
    except Exception as exc:
        ROOT.dataset.state = "error"
        show("#loading", False)
        say(f"Could not start: {type(exc).__name__}: {exc}")
        raise


_tasks.add(asyncio.ensure_future(main()))  # kept: the loop holds tasks weakly
