"""kuzzle-browser demo: a shared list, live between every open window, that survives outages.

Runs in the page under PyScript (Pyodide). What it shows of the SDK:

* cookie authentication (``Kuzzle(..., cookie_auth=True)``): the session is an HttpOnly
  cookie, kept across reloads and dev server restarts; Python never holds the token;
* a live query (``document.live``): the list is the server's documents in creation order,
  kept up to date by realtime notifications and re-read after every reconnection, so what
  others did meanwhile shows up;
* ``offline_mode="auto"`` with ``offline_queue_storage``: while the server is unreachable,
  changes are queued (the badge counts them), kept in ``localStorage`` across a reload, and
  replayed when it is back; when the session did not survive (``loginRequired``) they wait
  for the next sign-in instead of being dropped;
* a change whose answer was lost (``OutcomeUnknownError``) is sent again: a create that had
  landed answers "already exists", which counts as done, so no row stays "queued".

Where the API is (URL query parameters, all optional): ``api_host`` (default: the page's
host name; page and API must share it for cookies), ``api_port`` (7512), ``ssl=1``,
``auth=token`` (instead of the cookie, for an API on another site), ``index`` and
``collection`` (default ``kuzzle_browser_demo`` / ``items``).

For tests and CSS: ``<html data-state="loading|ready|error" data-connection="connecting|
connected|reconnecting|offline|signed-out|forbidden" data-queue="N" data-user="kuid">``;
each item is an ``<li data-id data-text data-done data-pending>``.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import js
from pyodide.ffi import create_proxy
from pyscript import document

import kuzzle_browser
from kuzzle_browser import (
    Change,
    ForbiddenError,
    Kuzzle,
    KuzzleConnectionError,
    KuzzleError,
    LiveQuery,
    OutcomeUnknownError,
    WebSocket,
)

ROOT = document.documentElement
FLASH = js.JSON.parse('[{"background": "#e7ecff"}, {"background": "transparent"}]')
MAX_TEXT = 200  # characters per item, shown next to the field
# The list itself is gone (demo data reset while this window was open): create it, retry.
LIST_MISSING = ("services.storage.unknown_index", "services.storage.unknown_collection")


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


def say(text: str = "", *, kind: str = "error") -> None:
    """The message line under the card; empty hides it."""
    box = element("#message")
    box.textContent = text
    box.dataset.kind = kind
    show("#message", bool(text))


def readable(exc: BaseException) -> str:
    """A sentence for a person, never a raw error id."""
    if isinstance(exc, ForbiddenError):
        return "You are not allowed to change this list (your account can only read it)."
    if isinstance(exc, KuzzleError):
        if exc.id.startswith("security.token") or exc.status == 401:
            if exc.id == "security.credentials.rejected" or "password" in exc.message:
                return "Wrong user name or password."
            return "Your session ended: sign in again; your changes are kept."
        if exc.id == "services.storage.not_found":
            return "That item was deleted meanwhile."
        if isinstance(exc, KuzzleConnectionError):
            return "The server cannot be reached right now; try again in a moment."
        return f"The server refused this change: {exc.message}"
    return f"Something went wrong: {exc}"


def run(coroutine: Any) -> None:
    """Run a UI action; its error lands in the message line instead of the console."""

    async def guarded() -> None:
        try:
            await coroutine
        except Exception as exc:
            say(readable(exc))

    task = asyncio.ensure_future(guarded())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


_tasks: set[asyncio.Future[None]] = set()


# ----------------------------------------------------------------------------- the list


def item_of(doc: dict[str, Any]) -> dict[str, Any]:
    source = doc.get("_source") or {}
    info = source.get("_kuzzle_info") or {}
    return {
        "text": str(source.get("text", "")),
        "done": bool(source.get("done", False)),
        "author": info.get("author") or "?",
        "updated": info.get("updatedAt") or info.get("createdAt") or 0,
        "pending": False,
    }


class Board:
    """Draws ``<ul id="items">``: the live query's documents with this window's unconfirmed
    changes laid over them (a new item at the end, an edit in place, a delete hidden)."""

    def __init__(self) -> None:
        self.editing: str | None = None
        # id -> {"fields": {...}, "count": n, "new": bool, "deleted": bool}: changes sent
        # (or queued) and not yet confirmed by the server.
        self.pending: dict[str, dict[str, Any]] = {}
        self.live: LiveQuery | None = None

    def rows(self) -> list[tuple[str, dict[str, Any]]]:
        documents = self.live.documents if self.live is not None else []
        rows: list[tuple[str, dict[str, Any]]] = []
        seen = set()
        for doc in documents:
            item = item_of(doc)
            seen.add(doc["_id"])
            local = self.pending.get(doc["_id"])
            if local is not None:
                if local["deleted"]:
                    continue
                item.update(local["fields"], pending=True)
            rows.append((doc["_id"], item))
        for item_id, local in self.pending.items():
            if local["new"] and not local["deleted"] and item_id not in seen:
                item = {"text": "", "done": False, "author": local["author"], "updated": 0}
                rows.append((item_id, {**item, **local["fields"], "pending": True}))
        return rows

    def draw(self, fresh: str | None = None) -> None:
        ul = element("#items")
        rows = self.rows()
        wanted = {item_id for item_id, _ in rows}
        existing = {li.dataset.id: li for li in ul.querySelectorAll("li")}
        for item_id, li in existing.items():
            if item_id not in wanted:
                li.remove()
        previous = None
        for item_id, item in rows:
            li = existing.get(item_id) or self._new_row(item_id)
            self._fill_row(li, item)
            if item_id == fresh:
                li.animate(FLASH, 1200)  # a short highlight of what just changed
            wanted_next = ul.firstElementChild if previous is None else previous.nextElementSibling
            if wanted_next is not li:  # move only when out of place (keeps the focus in an edit)
                ul.insertBefore(li, wanted_next)
            previous = li
        show("#empty", not rows)

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
        text = str(field.value) if field is not None else None
        span = document.createElement("span")
        span.className = "text"
        span.textContent = li.dataset.text
        if field is not None:
            field.replaceWith(span)
        button = li.querySelector(".edit")
        button.textContent, button.dataset.action = "Edit", "edit"
        return text


def check_text(text: str) -> str | None:
    """The text to store, or None after telling why it cannot be (nothing is cut silently)."""
    cleaned = text.strip()
    if not cleaned:
        say("Type some text first: spaces alone do not make an item.", kind="hint")
        return None
    if len(cleaned) > MAX_TEXT:
        say(f"Too long: {len(cleaned)} characters, at most {MAX_TEXT}. Shorten it.", kind="hint")
        return None
    say()
    return cleaned


# ----------------------------------------------------------------------------- the app

STATES = {
    "connecting": "connecting…",
    "connected": "connected",
    "reconnecting": "reconnecting…",
    "offline": "offline · {n} kept",
    "signed-out": "signed out · {n} waiting",
    "forbidden": "read-only (forbidden)",
}


class App:
    def __init__(self) -> None:
        self.kuzzle = Kuzzle(
            WebSocket(API_HOST, port=API_PORT, ssl=SSL),
            cookie_auth=COOKIE_AUTH,
            offline_mode="auto",  # queue while unreachable, replay when back
            queue_ttl=None,  # keep queued changes however long the outage lasts
            queue_max_size=None,
            # a reload during an outage keeps the changes (one queue per list)
            offline_queue_storage=f"kuzzle_browser_demo:{INDEX}/{COLLECTION}",
        )
        self.board = Board()
        self.user: str | None = None
        self.forbidden = False
        kuzzle = self.kuzzle
        self.failures = 0  # failed reconnection attempts since the link dropped
        kuzzle.on("connected", lambda: self.set_connection("connected"))
        kuzzle.on("reconnected", lambda: self.set_connection("connected"))
        kuzzle.on("disconnected", lambda payload=None: self.set_connection("reconnecting"))
        kuzzle.on("networkError", lambda error=None: self.connection_lost())
        kuzzle.on("offlineQueuePush", lambda payload=None: self.show_queue())
        kuzzle.on("offlineQueuePop", lambda payload=None: self.show_queue())
        kuzzle.on("loginRequired", self.login_required)
        on(js.window, "offline", lambda event: self.set_connection("offline"))

    # -- connection state
    def set_connection(self, state: str) -> None:
        if state == "connected":
            self.failures = 0
            if self.kuzzle.login_required:
                state = "signed-out"
            elif self.forbidden:
                state = "forbidden"
        elif state in ("reconnecting", "connecting") and not js.navigator.onLine:
            state = "offline"
        ROOT.dataset.connection = state
        self.show_queue()

    def connection_lost(self) -> None:
        """A drop, or one more failed reconnection attempt: after a few, call it offline."""
        self.failures += 1
        self.set_connection("reconnecting" if self.failures < 3 else "offline")

    def show_queue(self) -> None:
        count = len(self.kuzzle.offline_queue)
        ROOT.dataset.queue = str(count)
        element("#queue-count").textContent = str(count)
        state = ROOT.dataset.connection or "connecting"
        element("#connection-text").textContent = STATES.get(state, state).format(n=count)

    def login_required(self, payload: dict[str, Any]) -> None:
        """The session did not survive (expired, or unknown to a restarted server)."""
        waiting = int(payload.get("waiting", 0))
        self.set_connection("signed-out")
        self.show_login(
            f"Signed out: {waiting} change{'s' if waiting != 1 else ''} wait. Sign in again to send them."
            if waiting
            else "Your session ended: sign in again."
        )

    # -- session
    async def start(self) -> None:
        element("#server").textContent = f"{'wss' if SSL else 'ws'}://{API_HOST}:{API_PORT}"
        element("#versions").textContent = f"kuzzle_browser {kuzzle_browser.__version__}"
        self.wire_dom()
        self.set_connection("connecting")
        try:
            await self.kuzzle.connect()
        except KuzzleConnectionError:
            # Down (a reload during an outage): the SDK keeps trying; changes saved by
            # the previous page wait in the queue meanwhile.
            connected = asyncio.get_running_loop().create_future()
            self.kuzzle.once("connected", lambda: connected.done() or connected.set_result(None))
            element("#loading-text").textContent = "The server is not reachable yet: waiting for it…"
            self.set_connection("reconnecting")
            await connected
        self.set_connection("connected")
        ROOT.dataset.state = "ready"
        show("#loading", False)
        check = await self.kuzzle.auth.check_token() if COOKIE_AUTH else {"valid": False}
        if check.get("valid") and check.get("kuid") not in (None, "-1"):
            await self.signed_in()  # the cookie from an earlier visit is still good
        elif not self.kuzzle.login_required:
            self.show_login()

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
        if self.board.live is None:
            self.board.live = await self.kuzzle.document.live(
                INDEX, COLLECTION, sort=[{"_kuzzle_info.createdAt": "asc"}], callback=self.changed
            )
        else:  # signed in again: read what the server holds now (it may have been reset)
            await self.board.live.refresh()
        self.forbidden = not await self.can_write()
        self.set_connection("connected" if self.kuzzle.connected else "reconnecting")
        show("#add-form", not self.forbidden)
        show("#read-only", self.forbidden)
        self.board.draw()
        show("#login", False)
        show("#board", True)
        if not self.forbidden:
            element("#new-text").focus()

    async def can_write(self) -> bool:
        request = {"controller": "document", "action": "create", "index": INDEX, "collection": COLLECTION}
        try:
            return await self.kuzzle.auth.check_rights(request)
        except KuzzleError:
            return True  # cannot tell: let the server answer each change

    def show_login(self, why: str = "") -> None:
        self.user = None
        ROOT.dataset.user = ""
        element("#login-reason").textContent = why
        show("#login-reason", bool(why))
        show("#board", False)
        show("#login", True)

    async def logout(self) -> None:
        if self.board.live is not None:
            await self.board.live.close()
            self.board.live = None
        await self.kuzzle.auth.logout()
        self.board.pending.clear()
        self.board.draw()
        self.forbidden = False
        self.set_connection("connected")
        self.show_login()

    async def ensure_collection(self) -> None:
        """Create the list's index, then its collection, if missing.

        Other windows may be doing the same at the same moment (all sign in again after
        a data reset): each step that fails is fine if what it makes now exists.
        """
        if await self.kuzzle.collection.exists(INDEX, COLLECTION):
            return
        try:
            if not await self.kuzzle.index.exists(INDEX):
                await self.kuzzle.index.create(INDEX)
        except KuzzleError:  # another window created it first, or this user may not
            if not await self.kuzzle.index.exists(INDEX):
                raise
        try:
            await self.kuzzle.collection.create(INDEX, COLLECTION)
        except KuzzleError:
            if not await self.kuzzle.collection.exists(INDEX, COLLECTION):
                raise

    def changed(self, change: Change) -> None:
        """The live query moved: redraw, highlighting what another window changed."""
        self.board.draw(fresh=change.id if change.kind != "removed" else None)

    # -- changes (each one is queued while the server is away)
    async def change(self, item_id: str, send: Callable[[], Awaitable[Any]], *, done_if: str = "") -> None:
        """Send a change until the server has it; the row shows "queued" until then.

        A lost answer (OutcomeUnknownError) means the server may have it: send it again
        (queued if still offline); ``done_if`` is the error id that then means "it had landed".
        """
        self.show_queue()
        try:
            while True:
                try:
                    await send()
                    break
                except OutcomeUnknownError:
                    continue
                except KuzzleError as exc:
                    if exc.id == done_if:
                        break
                    if exc.id in LIST_MISSING:
                        await self.ensure_collection()
                        continue
                    if isinstance(exc, ForbiddenError):
                        self.forbidden = True
                        self.set_connection("connected")
                    raise
        finally:
            local = self.board.pending.get(item_id)
            if local is not None:
                local["count"] -= 1
                if local["count"] <= 0:
                    del self.board.pending[item_id]
            self.board.draw()
            self.show_queue()

    def optimistic(self, item_id: str, *, new: bool = False, deleted: bool = False, **fields: Any) -> None:
        local = self.board.pending.setdefault(
            item_id, {"fields": {}, "count": 0, "new": new, "deleted": False, "author": self.user}
        )
        local["fields"].update(fields)
        local["count"] += 1
        local["deleted"] = local["deleted"] or deleted
        self.board.draw(fresh=item_id)

    async def add(self, text: str) -> None:
        item_id = secrets.token_hex(6)
        self.optimistic(item_id, new=True, text=text, done=False)
        content = {"text": text, "done": False}
        await self.change(
            item_id,
            lambda: self.kuzzle.document.create(INDEX, COLLECTION, content, item_id),
            done_if="services.storage.document_already_exists",
        )

    async def edit(self, item_id: str, **changes: Any) -> None:
        self.optimistic(item_id, **changes)
        await self.change(item_id, lambda: self.kuzzle.document.update(INDEX, COLLECTION, item_id, changes))

    async def delete(self, item_id: str) -> None:
        self.optimistic(item_id, deleted=True)
        await self.change(
            item_id,
            lambda: self.kuzzle.document.delete(INDEX, COLLECTION, item_id),
            done_if="services.storage.not_found",  # already gone (here or elsewhere): fine
        )

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
            text = check_text(str(field.value))
            if text is not None:
                field.value = ""
                count_chars(None)
                run(self.add(text))

        def count_chars(event: Any) -> None:
            length = len(str(element("#new-text").value).strip())
            counter = element("#char-count")
            counter.textContent = f"{length}/{MAX_TEXT}"
            counter.dataset.over = "true" if length > MAX_TEXT else "false"

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
        on(element("#new-text"), "input", count_chars)
        on(element("#items"), "click", click_item)
        on(element("#items"), "keydown", key_in_item)
        on(element("#logout-button"), "click", lambda event: run(self.logout()))

    def save_edit(self, item_id: str) -> None:
        li = element(f'#items li[data-id="{item_id}"]')
        field = li.querySelector(".edit-input") if li is not None else None
        if field is not None and check_text(str(field.value)) is None:
            return  # stay in edit mode; the message says why
        text = self.board.stop_edit()
        known = next((item for rid, item in self.board.rows() if rid == item_id), None)
        if text and known is not None and text.strip() != known["text"]:
            run(self.edit(item_id, text=text.strip()))


async def main() -> None:
    try:
        await App().start()
    except Exception as exc:
        ROOT.dataset.state = "error"
        show("#loading", False)
        say(f"Could not start: {readable(exc)}")
        raise


_tasks.add(asyncio.ensure_future(main()))  # kept: the loop holds tasks weakly
