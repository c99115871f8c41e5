"""The browser transport: the only module of kuzzle_browser that touches ``js`` and ``pyodide``.

It drives the browser's own ``WebSocket`` and ``fetch`` through Pyodide's FFI.
It works on a page and in a Web Worker alike: ``js`` is the global scope
(``window`` or the worker's ``self``), which both have ``WebSocket``,
``fetch``, ``navigator.onLine`` and ``online`` events.

Proxy ownership (Pyodide FAQ, "How can I use a Python function as an event
handler"): a Python callable handed to JS must be a ``create_proxy`` that
someone destroys. Here each :class:`BrowserSocket` owns the handler
proxies of its ``js.WebSocket`` and :meth:`BrowserTransport.on_online` owns its
listener; both detach first, then destroy on a later loop tick, because a
proxy must not be destroyed while JS is still inside it.
:attr:`BrowserTransport.live_proxies` counts them, so tests can prove that
nothing leaks. JS values are named ``js_*`` (urllib3's emscripten backend).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from kuzzle_browser.errors import InvalidArgumentError, NetworkError, RequestTimeoutError
from kuzzle_browser.transport.base import HttpResponse, SocketListener

__all__ = ["BrowserSocket", "BrowserTransport"]

logger = logging.getLogger("kuzzle_browser.transport")

# WebSocket.readyState values (WHATWG HTML §9.3.2).
_OPEN = 1

# new Function("ws", "one", "many", "closed", _JS_PUMP): a frame that finds Python
# idle goes at once to one(data). One that comes right after a delivery (a burst)
# also posts a MessageChannel probe, a task queued behind the frames that come
# meanwhile: it hands those to many(frames) in one call, until a probe finds none
# (bench/README.md). Queued frames go before the close event.
_JS_PUMP = """
let queue = [], pending = false, live = true, idleSince = -1e9;
const channel = new MessageChannel();
const probe = () => { if (live) channel.port2.postMessage(0); };
channel.port1.onmessage = () => {
  if (!live) return;
  if (queue.length === 0) { pending = false; idleSince = performance.now(); return; }
  const frames = queue; queue = [];
  try { many(frames); } finally { probe(); }
};
ws.onmessage = (event) => {
  if (pending) { queue.push(event.data); return; }
  if (performance.now() - idleSince > 0.1) {  // not a burst: no probe (a task less per answer)
    try { one(event.data); } finally { idleSince = performance.now(); }
    return;
  }
  pending = true;
  try { one(event.data); } finally { probe(); }
};
ws.onclose = (event) => {
  if (live && queue.length) { const frames = queue; queue = []; many(frames); }
  closed(event);
};
return {
  send(texts) { for (const text of texts) ws.send(text); },
  stop() { live = false; queue = []; channel.port1.close(); },
};
"""


def _destroy_later(proxies: list[Any], release: Callable[[int], None]) -> None:
    def destroy() -> None:
        for proxy in proxies:
            proxy.destroy()
        release(len(proxies))

    try:
        asyncio.get_running_loop().call_soon(destroy)
    except RuntimeError:  # no loop running (interpreter teardown): nothing can call them anymore
        destroy()


def _handler_failed(exc: Exception) -> None:
    # An exception escaping a JS-invoked handler would only reach the
    # browser console; hand it to asyncio's exception handler instead.
    logger.error("Error in a WebSocket handler", exc_info=exc)
    with contextlib.suppress(RuntimeError):
        asyncio.get_running_loop().call_exception_handler(
            {"message": "kuzzle_browser: error in a WebSocket handler", "exception": exc}
        )


class BrowserSocket:
    """A ``js.WebSocket`` and the handler proxies it owns; see :meth:`BrowserTransport.open_socket`."""

    def __init__(self, transport: BrowserTransport, url: str, listener: SocketListener) -> None:
        self._transport = transport
        self._listener = listener
        try:
            self._js_ws = transport.js.WebSocket.new(url)
        except transport.js_exception as exc:  # SyntaxError for a malformed URL
            raise InvalidArgumentError(f"Cannot open a WebSocket to {url!r}: {exc}") from exc
        # Binary frames as ArrayBuffer, not Blob: they can be read synchronously.
        self._js_ws.binaryType = "arraybuffer"
        # Texts sent while a message handler runs (the tasks it woke answer there): sent
        # together when it returns. readyState only changes between tasks: checked once.
        self._outbox: list[str] = []
        self._handling = False
        make_pump = transport.pump()
        proxy = transport.create_proxy
        on_open, on_error, on_close = proxy(self._on_open), proxy(self._on_error), proxy(self._on_close)
        self._proxies = [on_open, on_error, on_close]
        if make_pump:
            handlers = [proxy(self._on_message), proxy(self._on_messages)]
            self._proxies += handlers
            self._js_pump: Any = make_pump(self._js_ws, *handlers, on_close)
        else:  # no JS of our own under this CSP: a frame per call, read from the event
            self._js_pump = None
            self._proxies.append(proxy(self._on_message_event))
            self._js_ws.onmessage, self._js_ws.onclose = self._proxies[-1], on_close
        transport.proxies_created(len(self._proxies))
        self._js_ws.onopen, self._js_ws.onerror = on_open, on_error
        self._detached = False

    @property
    def is_open(self) -> bool:
        """True while ``readyState`` is OPEN and this socket still reports."""
        return not self._detached and self._js_ws.readyState == _OPEN

    def send(self, text: str) -> None:
        """Send a text frame; raises :class:`NetworkError` unless the socket is open."""
        if self._outbox:
            self._outbox.append(text)
        elif not self.is_open:
            raise NetworkError("The WebSocket is not open")
        elif self._handling:
            self._outbox.append(text)
        else:
            self._js_ws.send(text)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Send what is buffered, detach the handlers, then close; the listener hears nothing more."""
        if self._detached:
            return
        self._send_outbox()
        self._detach()
        try:
            self._js_ws.close(code, reason)
        except self._transport.js_exception as exc:  # already closing, or an invalid code
            logger.debug("WebSocket.close(%s) failed: %s", code, exc)

    def _detach(self) -> None:
        self._detached = True
        self._outbox = []
        if self._js_pump is not None:
            self._js_pump.stop()  # queued frames are dropped: nothing is reported after close()
        js_ws = self._js_ws
        js_ws.onopen = js_ws.onmessage = js_ws.onerror = js_ws.onclose = None
        _destroy_later(self._proxies, self._transport.proxies_destroyed)
        self._proxies = []

    def _send_outbox(self) -> None:
        texts, self._outbox = self._outbox, []
        if len(texts) > 1 and self._js_pump is not None:
            self._js_pump.send(self._transport.to_js(texts))  # one crossing for them all
        else:
            for text in texts:
                self._js_ws.send(text)

    def _report(self, deliver: Callable[[], None]) -> None:
        try:
            deliver()
        except Exception as exc:
            _handler_failed(exc)

    def _on_open(self, js_event: Any) -> None:
        self._report(self._listener.socket_opened)

    def _on_message(self, js_data: Any) -> None:
        # Called with event.data by the pump; no closure per message.
        self._handling = True
        try:
            self._listener.socket_message(js_data if type(js_data) is str else _binary(js_data))
        except Exception as exc:
            _handler_failed(exc)
        self._handled()

    def _on_messages(self, js_frames: Any) -> None:
        # The frames that queued up in JS while Python was busy, in arrival order.
        self._handling = True
        try:
            frames = js_frames.to_py(depth=1)
            self._listener.socket_messages([f if type(f) is str else _binary(f) for f in frames])
        except Exception as exc:
            _handler_failed(exc)
        self._handled()

    def _handled(self) -> None:
        self._handling = False
        if self._outbox and not self._detached:
            self._send_outbox()

    def _on_message_event(self, js_event: Any) -> None:
        self._on_message(js_event.data)

    def _on_error(self, js_event: Any) -> None:
        # The error event carries no detail in browsers; the close event that
        # always follows has the code and reason, so report from there.
        logger.debug("WebSocket error event")

    def _on_close(self, js_event: Any) -> None:
        code, reason, was_clean = int(js_event.code), str(js_event.reason), bool(js_event.wasClean)
        self._detach()
        self._report(lambda: self._listener.socket_closed(code, reason, was_clean))


def _binary(js_data: Any) -> bytes:
    # An ArrayBuffer (binaryType is "arraybuffer"), as a JsProxy or already converted.
    return bytes(js_data.to_bytes()) if hasattr(js_data, "to_bytes") else bytes(js_data)


class BrowserTransport:
    """Sockets, HTTP and network status from the browser's globals.

    Args:
        js_globals: The JS global scope; defaults to Pyodide's ``js`` module.
        ffi: A namespace with ``create_proxy``, ``to_js`` and ``JsException``;
            defaults to ``pyodide.ffi``. Both exist to let CPython tests inject fakes.
    """

    def __init__(self, js_globals: Any = None, ffi: Any = None) -> None:
        if js_globals is None:
            import js

            js_globals = js
        if ffi is None:
            import pyodide.ffi

            ffi = pyodide.ffi
        self.js = js_globals
        self.create_proxy: Callable[[Callable[..., Any]], Any] = ffi.create_proxy
        self.to_js: Callable[..., Any] = ffi.to_js
        self.js_exception: type[Exception] = ffi.JsException
        self._live_proxies = 0
        self._js_pump: Any = None

    def pump(self) -> Any:
        """The JS factory of a socket's message pump (``_JS_PUMP``), built once.

        ``None`` where the page's Content-Security-Policy forbids ``new Function``
        (no ``'unsafe-eval'``): sockets then take one frame per call from the event.
        """
        if self._js_pump is None:
            try:
                self._js_pump = self.js.Function.new("ws", "one", "many", "closed", _JS_PUMP)
            except self.js_exception as exc:  # EvalError under a strict CSP
                logger.info("No JS pump for onmessage (%s): one frame per call", exc)
                self._js_pump = False
        return self._js_pump or None

    @property
    def live_proxies(self) -> int:
        """Proxies created by this transport and not destroyed yet."""
        return self._live_proxies

    def proxies_created(self, count: int) -> None:
        """Bookkeeping for :attr:`live_proxies`; called by the owners of proxies."""
        self._live_proxies += count

    def proxies_destroyed(self, count: int) -> None:
        """Bookkeeping for :attr:`live_proxies`; called by the owners of proxies."""
        self._live_proxies -= count

    def open_socket(self, url: str, listener: SocketListener) -> BrowserSocket:
        """Start ``new WebSocket(url)``; see :class:`~kuzzle_browser.transport.base.Transport`."""
        return BrowserSocket(self, url, listener)

    async def http(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: str | None,
        with_credentials: bool,
        timeout: float | None,
    ) -> HttpResponse:
        """``fetch`` with ``credentials: "include"`` when asked (the JS SDK's ``withCredentials``)."""
        js_abort = self.js.AbortController.new()
        init: dict[str, Any] = {
            "method": method,
            "headers": dict(headers),
            "credentials": "include" if with_credentials else "same-origin",
            "signal": js_abort.signal,
        }
        if body is not None:
            init["body"] = body
        js_init = self.to_js(init, dict_converter=self.js.Object.fromEntries)

        async def exchange() -> HttpResponse:
            js_response = await self.js.fetch(url, js_init)
            text = await js_response.text()
            return HttpResponse(status=int(js_response.status), text=str(text))

        try:
            return await asyncio.wait_for(exchange(), timeout)
        except TimeoutError:
            js_abort.abort()
            raise RequestTimeoutError(timeout or 0.0) from None
        except asyncio.CancelledError:
            # Python cancellation aborts the JS request too (pyodide.http.pyfetch does the same).
            js_abort.abort()
            raise
        except self.js_exception as exc:
            # fetch rejects with a TypeError for refused connections, CORS and offline.
            raise NetworkError(f"HTTP {method} {url} failed: {exc}") from exc

    def is_online(self) -> bool:
        """``navigator.onLine``; True where the global scope has no navigator."""
        js_navigator = getattr(self.js, "navigator", None)
        return bool(getattr(js_navigator, "onLine", True))

    def on_online(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Listen once for the global ``online`` event; returns the canceller, which frees the proxy."""
        proxies: list[Any] = []

        def cancel() -> None:
            if proxies:
                self.js.removeEventListener("online", proxies[0])
                _destroy_later(proxies[:], self.proxies_destroyed)
                proxies.clear()

        def fire(js_event: Any) -> None:
            cancel()
            callback()

        proxies.append(self.create_proxy(fire))
        self.proxies_created(1)
        self.js.addEventListener("online", proxies[0])
        return cancel

    def _local_storage(self) -> Any:
        # Workers have no localStorage: persistence is then unavailable, not an error.
        js_storage = getattr(self.js, "localStorage", None)
        if js_storage is None:
            logger.warning("No localStorage in this context: the offline queue is not persisted")
        return js_storage

    def storage_get(self, key: str) -> str | None:
        """``localStorage.getItem(key)``; ``None`` where there is no ``localStorage``."""
        js_storage = self._local_storage()
        value = js_storage.getItem(key) if js_storage is not None else None
        # A missing item is JS null, which Pyodide >= 0.26 gives as jsnull, not None.
        return value if isinstance(value, str) else None

    def storage_set(self, key: str, value: str | None) -> None:
        """``localStorage.setItem(key, value)``, or ``removeItem`` for ``None``."""
        js_storage = self._local_storage()
        if js_storage is None:
            return
        if value is None:
            js_storage.removeItem(key)
        else:
            js_storage.setItem(key, value)
