"""The browser test harness: servers, Chromium, pages running Python inside Pyodide.

Session level (one each per ``Harness``, started lazily, stopped by ``close()``):

* a static server on 127.0.0.1 for the vendored runtime (``/vendor/``: Pyodide, micropip,
  PyScript), the runner page (``/www/``) and the wheels (``/wheels/<file name>``: the
  kuzzle_browser wheel, freshly built from its source folder, and the app's wheels);
* the Kuzzle server: the dev server (``python -m kuzzle_devserver --port 0 --control
  --data <tmp>``, output kept for failure reports), or a real Kuzzle (``--kuzzle-url``);
* Chromium through Playwright's *async* API, on an event loop in a thread of its own:
  Playwright's sync API leaves its loop marked as running in the calling thread, which
  breaks every asyncio test (pytest-asyncio) that runs after it in the same session.
  ``SyncProxy`` gives host-side tests a synchronous view of async Playwright objects.

Pages: ``InPagePage`` boots one page (runner page, Pyodide, micropip, the wheels, support
modules) and optionally imports an in-page test module; ``InPageModule``/``InPageItem``
make one pytest item per top-level ``def test_*``/``async def test_*`` of such a module
(found with ``ast``, never imported on the host). Any request from a page to a host other
than 127.0.0.1 (and the ``--kuzzle-url`` host) fails the test that made it; Chromium's
flags block such requests, the harness only records them.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import shlex
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest

from pytest_kuzzle_browser import settings as CFG
from pytest_kuzzle_browser.crashes import (
    CRASH_MARKER,
    CrashWatcher,
    RendererCrash,
    describe_memory,
    target_id,
)
from pytest_kuzzle_browser.devserver_process import DevServer, DevServerError
from pytest_kuzzle_browser.loading import Source, load_into
from pytest_kuzzle_browser.serve_static import StaticServer
from pytest_kuzzle_browser.vendor import is_vendored, vendor_all
from pytest_kuzzle_browser.wheels import WheelError, resolve_wheel

HERE = Path(__file__).resolve().parent
WWW_DIR = HERE / "www"  # runner page and the in-page runner module
SUPPORT_DIR = HERE / "inpage"  # inpage_support.py, importable in every page
PAGE_DIR = "/home/pyodide/inpage"  # where modules live in Pyodide's file system

T = TypeVar("T")


class HarnessError(Exception):
    """The harness itself could not do its job (server, browser, boot)."""


class BootError(HarnessError):
    """A page could not be booted."""


class RendererCrashed(HarnessError):
    """Chromium's renderer process of a page died (outside the test's code): the message
    names the page, what was running and Chromium's reason."""


# --------------------------------------------------------------------------- options


@dataclass
class Options:
    """What a session's harness uses; built from pytest's options by the plugin."""

    rootdir: Path
    vendor_dir: Path = field(default_factory=CFG.default_vendor_dir)
    chromium: str | None = None  # None: settings.chromium_executable()
    headless: bool = CFG.HEADLESS
    kuzzle_url: str | None = None  # a real Kuzzle instead of the dev server
    kuzzle_browser_wheel: str = ""  # wheel spec (wheels.resolve_wheel); "" = rootdir if it is the SDK
    app_wheels: tuple[str, ...] = ()  # wheel specs installed in every page
    inpage_paths: tuple[Path, ...] = ()  # folders whose test_*.py run inside the page

    @property
    def pyodide_dir(self) -> Path:
        return self.vendor_dir / "pyodide"

    @property
    def pyscript_dir(self) -> Path:
        return self.vendor_dir / "pyscript"

    @property
    def extra_hosts(self) -> tuple[str, ...]:
        """Host names pages may reach besides 127.0.0.1: the ``--kuzzle-url`` host."""
        if not self.kuzzle_url:
            return ()
        host = urlsplit(self.kuzzle_url).hostname or ""
        return () if not host or host in CFG.LOOPBACK_HOSTS else (host,)


def devserver_command(data_dir: Path) -> list[str]:
    """``$KUZZLE_BROWSER_DEVSERVER_CMD`` (``{data}`` is replaced) or the real dev server
    (``--port 0 --control``)."""
    override = os.environ.get("KUZZLE_BROWSER_DEVSERVER_CMD")
    if override:
        return [part.replace("{data}", str(data_dir)) for part in shlex.split(override)]
    return DevServer.command_for(port=0, data_dir=data_dir, control=True)


def is_allowed_url(url: str, extra_hosts: Iterable[str] = ()) -> bool:
    """True for URLs pages may request: 127.0.0.1 (and ``extra_hosts``) over http(s)/ws(s),
    data:, blob:."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-error"}:
        return True
    allowed = CFG.LOOPBACK_HOSTS | frozenset(extra_hosts)
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in allowed


def is_loopback_url(url: str) -> bool:
    """True for URLs on 127.0.0.1 over http(s)/ws(s), data:, blob:."""
    return is_allowed_url(url)


# ------------------------------------------------------------------- browser loop


class BrowserLoop:
    """An asyncio loop in a daemon thread; every Playwright call runs on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="playwright-loop", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run a coroutine on the loop; TimeoutError (and the coroutine cancelled) after
        ``timeout`` seconds (already scaled)."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise TimeoutError(f"browser operation timed out after {timeout:.1f} s") from None

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)


class SyncProxy:
    """A synchronous view of an async Playwright object (Page, Locator, Context...).

    Every method call runs on the harness loop and is awaited there; results that are
    Playwright objects come back wrapped too::

        page.goto(url); page.locator("#status").wait_for(); page.evaluate("1 + 1")

    Event callbacks (``page.on(...)``) run on the loop thread: they must not call back
    into a proxy. ``.unwrap`` is the async object (for ``harness.run(...)``).
    """

    def __init__(self, obj: Any, harness: Harness) -> None:
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_harness", harness)

    @property
    def unwrap(self) -> Any:
        return self._obj

    def _wrap(self, value: Any) -> Any:
        if type(value).__module__.startswith("playwright.") and not isinstance(value, str | bytes):
            return SyncProxy(value, self._harness)
        if isinstance(value, list) and value and type(value[0]).__module__.startswith("playwright."):
            return [SyncProxy(v, self._harness) for v in value]
        return value

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._obj, name)
        if not callable(attr):
            return self._wrap(attr)

        def call(*args: Any, **kwargs: Any) -> Any:
            args = tuple(a.unwrap if isinstance(a, SyncProxy) else a for a in args)

            async def on_loop() -> Any:
                result = attr(*args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
                return result

            return self._wrap(self._harness.run(on_loop()))

        return call

    def __repr__(self) -> str:
        return f"SyncProxy({self._obj!r})"


# --------------------------------------------------------------------- network guard


@dataclass
class NetworkRecorder:
    """URLs outside the allowed hosts requested by a context's pages (HTTP and WebSocket),
    passively (Chromium's flags block them; this only notes them)."""

    external: list[str] = field(default_factory=list)
    extra_hosts: tuple[str, ...] = ()

    def attach(self, context: Any) -> None:
        context.on("request", lambda request: self.note(request.url))
        context.on("page", self.attach_page)

    def attach_page(self, page: Any) -> None:
        page.on("websocket", lambda ws: self.note(ws.url))

    def note(self, url: str) -> None:
        if not is_allowed_url(url, self.extra_hosts):
            self.external.append(url)


# --------------------------------------------------------------------- Kuzzle server


class KuzzleServer:
    """The Kuzzle the tests talk to: the dev server (control surface, restart) or a real
    Kuzzle given with ``--kuzzle-url`` (control features skip the test).

    ``url`` (http[s]://host:port), ``ws_url``, ``host``, ``port``, ``ssl``,
    ``is_devserver``, ``control(route, body)``, ``reset()``, ``restart()``, ``log_tail()``,
    ``load(mappings=, fixtures=, securities=)`` (any Kuzzle).
    """

    def __init__(self, *, url: str, dev: DevServer | None = None, data_dir: Path | None = None) -> None:
        self._url = url.rstrip("/")
        self.dev = dev
        self.data_dir = data_dir

    @classmethod
    def start_devserver(
        cls, data_dir: Path, cwd: Path, timeout: float, command: list[str] | None = None
    ) -> KuzzleServer:
        """A dev server on a free port (``--control``) with ``data_dir`` as its data."""
        data_dir.mkdir(parents=True, exist_ok=True)
        dev = DevServer(command or devserver_command(data_dir), cwd=cwd).start(timeout)
        return cls(url=dev.url, dev=dev, data_dir=data_dir)

    @property
    def is_devserver(self) -> bool:
        return self.dev is not None

    @property
    def url(self) -> str:
        return self.dev.url if self.dev is not None else self._url

    @property
    def ssl(self) -> bool:
        return urlsplit(self.url).scheme in {"https", "wss"}

    @property
    def ws_url(self) -> str:
        parts = urlsplit(self.url)
        return f"{'wss' if self.ssl else 'ws'}://{parts.netloc}"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or CFG.HOST

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if self.ssl else 7512)

    def _need_devserver(self, what: str) -> DevServer:
        if self.dev is None:
            pytest.skip(f"{what} needs the dev server (not available with --kuzzle-url)")
        return self.dev

    def control(self, route: str, body: dict[str, Any] | None = None, method: str = "POST") -> Any:
        """Call the dev server's control surface (``/_devserver/<route>``); the JSON answer.
        Skips the test against a real Kuzzle."""
        self._need_devserver("the control surface")
        data = None if method == "GET" else json.dumps(body or {}).encode()
        request = urllib.request.Request(
            f"{self.url}/_devserver/{route.lstrip('/')}",
            data=data,
            headers={"Content-Type": "application/json"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=CFG.scaled(10)) as response:
            return json.loads(response.read() or b"null")

    def reset(self) -> None:
        """Drop every index, document, subscription and scroll (users stay)."""
        self.control("reset")

    def restart(self, *, down: Callable[[], None] | None = None) -> None:
        """Stop the dev server and start it again on the same port with the same data
        (an outage, as clients see it); ``down()`` runs while it is stopped."""
        dev = self._need_devserver("restart()")
        port = dev.port
        dev.stop()
        if down is not None:
            down()
        command = [part if part != "0" else str(port) for part in dev.command]
        if "--port" in dev.command:
            command[dev.command.index("--port") + 1] = str(port)
        self.dev = DevServer(command, cwd=dev.cwd).start(CFG.scaled(CFG.DEVSERVER_START_TIMEOUT))

    def load(
        self,
        *,
        mappings: Source = None,
        fixtures: Source = None,
        securities: Source = None,
        on_existing_users: str = "fail",
        login: dict[str, str] | None = None,
    ) -> None:
        """Load mappings, fixtures and securities (dicts or JSON file paths) through the
        admin API, on the dev server or a real Kuzzle alike (see ``loading.py``)."""
        load_into(
            self.url, mappings=mappings, fixtures=fixtures, securities=securities,
            on_existing_users=on_existing_users, login=login, timeout=CFG.scaled(30),
        )  # fmt: skip

    def stop(self) -> None:
        if self.dev is not None:
            self.dev.stop()

    def log_tail(self, count: int = 200) -> str:
        return self.dev.log_tail(count) if self.dev is not None else "(a real Kuzzle: no log here)"

    def __repr__(self) -> str:
        return f"KuzzleServer({self.url!r}, devserver={self.is_devserver})"


# ------------------------------------------------------------------------- session


class Harness:
    """Everything a browser test session shares; parts start on first use."""

    def __init__(
        self,
        options: Options,
        *,
        config: pytest.Config | None = None,
        extra_mounts: dict[str, Path] | None = None,
    ) -> None:
        self.options = options
        self.config = config  # for the plugin's hooks (None outside pytest)
        self.extra_mounts = dict(extra_mounts or {})
        self._lock = threading.RLock()
        self._tmp = tempfile.TemporaryDirectory(prefix="kuzzle-browser-tests-")
        self._static: StaticServer | None = None
        self._kuzzle: KuzzleServer | None = None
        self._kuzzle_error: str | None = None
        self._loop: BrowserLoop | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._crash_watcher: CrashWatcher | None = None
        self._wheels: dict[str, Path] = {}  # spec -> wheel
        self.pages: dict[str, InPagePage] = {}
        self.boot_times: dict[str, float] = {}
        self.closers: list[Callable[[], None]] = []  # run first by close()

    # time bounds, all from the one scale factor
    @staticmethod
    def scaled(seconds: float) -> float:
        return float(CFG.scaled(seconds))

    @property
    def tmp_dir(self) -> Path:
        return Path(self._tmp.name)

    # -- static files and wheels
    @property
    def static(self) -> StaticServer:
        with self._lock:
            if self._static is None:
                mounts = {"/vendor": self.options.vendor_dir, "/www": WWW_DIR, **self.extra_mounts}
                self._static = StaticServer(mounts).start()
            return self._static

    @property
    def static_url(self) -> str:
        return self.static.url

    def check_vendor(self) -> None:
        """Pyodide, micropip and PyScript in the vendor folder; vendored (npm, PyPI) when
        missing or of other versions."""
        with self._lock:
            vendor_dir = self.options.vendor_dir
            if not is_vendored(vendor_dir):
                print(f"pytest-kuzzle-browser: vendoring Pyodide/PyScript into {vendor_dir}", file=sys.stderr)
                try:
                    vendor_all(vendor_dir)
                except (Exception, SystemExit) as exc:
                    raise HarnessError(f"vendoring into {vendor_dir} failed: {exc}") from None

    def resolve_wheel(self, spec: str | Path) -> Path:
        """A wheel from a spec (file, glob, source folder; built when stale), once per run."""
        key = str(spec)
        with self._lock:
            if key not in self._wheels:
                try:
                    self._wheels[key] = resolve_wheel(spec, self.options.rootdir)
                except WheelError as exc:
                    raise HarnessError(str(exc)) from None
            return self._wheels[key]

    def wheel(self) -> Path:
        """The kuzzle_browser wheel (``kuzzle_browser_wheel`` option; by default the rootdir
        when it is kuzzle_browser's source), rebuilt when older than any source file."""
        spec = self.options.kuzzle_browser_wheel
        if not spec:
            root = self.options.rootdir
            if not (root / "kuzzle_browser" / "__init__.py").is_file():
                raise HarnessError(
                    "where is the kuzzle_browser wheel? set the ini option kuzzle_browser_wheel "
                    "(a .whl file, a glob or kuzzle_browser's source folder)"
                )
            spec = str(root)
        return self.resolve_wheel(spec)

    def wheel_url(self, wheel: Path | None = None) -> str:
        """The URL of a wheel (default: kuzzle_browser's) on the static server."""
        wheel = wheel or self.wheel()
        self.static.generated[f"/wheels/{wheel.name}"] = lambda: (wheel.read_bytes(), "application/zip")
        return f"{self.static_url}/wheels/{wheel.name}"

    def app_wheels(self, extra: Iterable[str | Path] = ()) -> list[Path]:
        """The app's wheels: the ``kuzzle_app_wheels`` option plus ``extra`` specs."""
        return [self.resolve_wheel(spec) for spec in (*self.options.app_wheels, *extra)]

    # -- Kuzzle
    def kuzzle_server(self) -> KuzzleServer | None:
        """The session's Kuzzle: ``--kuzzle-url`` or the dev server (started on first use);
        None when disabled with KUZZLE_BROWSER_DEVSERVER=none."""
        if self.options.kuzzle_url:
            with self._lock:
                if self._kuzzle is None:
                    self._kuzzle = KuzzleServer(url=self.options.kuzzle_url)
                return self._kuzzle
        if os.environ.get("KUZZLE_BROWSER_DEVSERVER", "").lower() == "none":
            return None
        with self._lock:
            if self._kuzzle_error is not None:
                raise HarnessError(self._kuzzle_error)
            if self._kuzzle is None:
                try:
                    self._kuzzle = KuzzleServer.start_devserver(
                        self.tmp_dir / "devserver-data",
                        self.options.rootdir,
                        self.scaled(CFG.DEVSERVER_START_TIMEOUT),
                    )
                except DevServerError as exc:
                    self._kuzzle_error = str(exc)
                    raise
            return self._kuzzle

    def dev_server(self) -> DevServer | None:
        """The session's dev server process (None with KUZZLE_BROWSER_DEVSERVER=none or
        ``--kuzzle-url``)."""
        kuzzle = self.kuzzle_server()
        return kuzzle.dev if kuzzle is not None else None

    @property
    def running_dev_server(self) -> DevServer | None:
        """The dev server if one was started (for logs), without starting one."""
        return self._kuzzle.dev if self._kuzzle is not None else None

    # -- browser
    @property
    def loop(self) -> BrowserLoop:
        with self._lock:
            if self._loop is None:
                self._loop = BrowserLoop()
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine on the Playwright loop (timeout already scaled; default:
        the scaled action timeout)."""
        return self.loop.run(coro, timeout if timeout is not None else self.scaled(CFG.ACTION_TIMEOUT))

    @property
    def browser(self) -> Any:
        """The Playwright ``Browser`` (async API): use it only in coroutines given to run()."""
        if self._browser is None:
            executable = self.options.chromium or CFG.chromium_executable()
            if executable is None:
                raise HarnessError(
                    "no Chromium found: pass --kuzzle-chromium, set KUZZLE_BROWSER_CHROMIUM or `make setup`"
                )
            self._browser = self.run(self._launch(executable), self.scaled(CFG.LAUNCH_TIMEOUT))
        return self._browser

    async def _launch(self, executable: str) -> Any:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        browser = await self._playwright.chromium.launch(
            executable_path=executable,
            args=CFG.chromium_args(headless=self.options.headless, allow_hosts=self.options.extra_hosts),
            headless=self.options.headless,
            timeout=self.scaled(CFG.LAUNCH_TIMEOUT) * 1000,
        )
        self._crash_watcher = await CrashWatcher.attach(browser)
        return browser

    async def renderer_crash(self, page_target: str) -> RendererCrash | None:
        """Chromium's reason for the crash of a page's renderer (see crashes.py); None
        when it said none within a few seconds."""
        if self._crash_watcher is None:
            return None
        return await self._crash_watcher.reason(page_target, self.scaled(5))

    def recorder(self) -> NetworkRecorder:
        """A NetworkRecorder allowing the hosts this session may reach."""
        return NetworkRecorder(extra_hosts=self.options.extra_hosts)

    async def new_context(self, recorder: NetworkRecorder, **options: Any) -> Any:
        """A fresh context (own cookie jar) whose non-loopback requests go to ``recorder``."""
        context = await self.browser_in_loop.new_context(**options)
        context.set_default_timeout(self.scaled(CFG.ACTION_TIMEOUT) * 1000)
        recorder.attach(context)
        return context

    @property
    def browser_in_loop(self) -> Any:
        if self._browser is None:
            raise HarnessError("browser not launched: touch harness.browser before run()")
        return self._browser

    def close(self) -> None:
        for closer in reversed(self.closers):
            try:
                closer()
            except Exception as exc:
                print(f"harness close: {exc!r}", file=sys.stderr)
        if self._loop is not None:
            if self._playwright is not None:
                try:
                    self._loop.run(self._shutdown(), self.scaled(30))
                except Exception as exc:
                    print(f"browser shutdown: {exc!r}", file=sys.stderr)
            self._loop.close()
        if self._kuzzle is not None:
            self._kuzzle.stop()
        if self._static is not None:
            self._static.stop()
        self._tmp.cleanup()

    async def _shutdown(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        await self._playwright.stop()

    def release_browser(self) -> bool:
        """Close the session's Chromium if no context is open (the next use launches it
        again); True if none is running now. Call it before a nested pytest run that
        launches a Chromium of its own, so the two never run side by side: the renderer
        crashes seen in the harness self-test all came from its nested run with the
        session's Chromium still up on a 2-core machine, never from one Chromium alone."""
        if self._browser is None:
            return True
        if self.run(self._contexts_open()):
            return False
        self.run(self._shutdown(), self.scaled(30))
        self._browser = self._playwright = self._crash_watcher = None
        return True

    async def _contexts_open(self) -> bool:
        return bool(self._browser.contexts)


# ----------------------------------------------------------------- in-page modules


@dataclass(frozen=True)
class InPageTest:
    name: str
    lineno: int
    is_async: bool


def find_tests(source: str, filename: str) -> tuple[list[InPageTest], float | None]:
    """Top-level ``test_*`` functions and the optional ``INPAGE_TIMEOUT`` (seconds)."""
    tree = ast.parse(source, filename)
    tests: list[InPageTest] = []
    timeout: float | None = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            tests.append(InPageTest(node.name, node.lineno, isinstance(node, ast.AsyncFunctionDef)))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "INPAGE_TIMEOUT" for t in targets):
                assert node.value is not None
                timeout = float(ast.literal_eval(node.value))
    return tests, timeout


class PythonInPageError(Exception):
    """Python code run in the page raised; the message holds its traceback from Pyodide."""


class InPagePage:
    """One booted page: Pyodide, micropip, the kuzzle_browser wheel and the app's wheels,
    ``inpage_support`` (and ``helpers``: {module name: source}) importable; with a
    ``module_name`` and ``source``, that module is imported too (its ``setup_module()`` run).
    """

    def __init__(
        self,
        harness: Harness,
        module_name: str | None = None,
        source: str = "",
        *,
        page_id: str | None = None,
        helpers: dict[str, str] | None = None,
        app_wheels: Iterable[Path] = (),
    ) -> None:
        self.harness = harness
        self.module_name = module_name
        self.page_id = page_id or module_name or f"page-{id(self):x}"
        self.source = source
        self.helpers = dict(helpers or {})
        self.app_wheels = list(app_wheels)
        self.recorder = harness.recorder()
        self.console: list[str] = []
        self.context: Any = None
        self.page: Any = None
        self.broken: str | None = None
        self.boot_seconds = 0.0
        self.target_id = ""  # the page's DevTools target, for Chromium's crash reports
        self.crashed = False  # Playwright's page "crash" event came
        self.memory: dict[str, Any] | None = None  # inpage.memory() after the last step

    def boot(self) -> None:
        """Boot Pyodide and import the module; raises BootError saying which step failed."""
        harness = self.harness
        started = time.monotonic()
        try:
            harness.check_vendor()
            kuzzle = harness.kuzzle_server()
            wheel_urls = [harness.wheel_url(), *(harness.wheel_url(w) for w in self.app_wheels)]
            harness.browser  # noqa: B018 - launch outside the boot coroutine
            values: dict[str, Any] = {
                "SERVER_URL": kuzzle.url if kuzzle is not None else f"http://{CFG.HOST}:0",
                "SERVER_PORT": kuzzle.port if kuzzle is not None else 0,
                "SERVER_CONTROL": bool(kuzzle is not None and kuzzle.is_devserver),
                "TIMEOUT_SCALE": CFG.timeout_scale(),
            }
            if harness.config is not None:
                for extra in harness.config.hook.pytest_kuzzle_browser_inpage_config(inpage=self):
                    values.update(extra or {})
            files = {
                f"{PAGE_DIR}/inpage_support.py": (SUPPORT_DIR / "inpage_support.py").read_text(),
                f"{PAGE_DIR}/_inpage_runner.py": (WWW_DIR / "inpage_runner.py").read_text(),
                f"{PAGE_DIR}/_inpage_config.py": "".join(f"{k} = {v!r}\n" for k, v in values.items()),
            }
            for name, text in self.helpers.items():
                files[f"{PAGE_DIR}/{name}.py"] = text
            if self.module_name is not None:
                files[f"{PAGE_DIR}/{self.module_name}.py"] = self.source
            harness.pages[self.page_id] = self
            harness.run(self._boot(wheel_urls, files), harness.scaled(CFG.BOOT_TIMEOUT))
        except Exception as exc:
            if self.crashed:
                self.broken = self._crash_report("its boot")
                raise BootError(self._with_logs(self.broken)) from None
            message = str(exc) if isinstance(exc, HarnessError) else f"{type(exc).__name__}: {exc}"
            raise BootError(self._with_logs(message)) from None
        finally:
            self.boot_seconds = time.monotonic() - started
        if self.recorder.external:
            raise BootError(self._with_logs(f"requests left 127.0.0.1: {self.recorder.external}"))

    async def _boot(self, wheel_urls: list[str], files: dict[str, str]) -> None:
        self.context = await self.harness.new_context(self.recorder)
        self.page = page = await self.context.new_page()
        page.on("console", lambda msg: self.console.append(f"[console.{msg.type}] {msg.text}"))
        page.on("pageerror", lambda err: self.console.append(f"[pageerror] {err}"))
        page.on("crash", lambda _page: setattr(self, "crashed", True))
        self.target_id = await target_id(page)
        await page.goto(f"{self.harness.static_url}/www/runner.html")
        await page.wait_for_function("window.inpageReady === true")

        async def step(expression: str, *args: Any) -> Any:
            result = await page.evaluate(expression, list(args))
            if not result["ok"]:
                raise BootError(f"{result['step']} failed:\n{result['error']}")
            return result["value"]

        await step("() => inpage.loadPyodide()")
        await step("() => inpage.loadMicropip()")
        for url in wheel_urls:
            await step("([url]) => inpage.installWheel(url)", url)
        for path, text in files.items():
            await step("([path, text]) => inpage.writeFile(path, text)", path, text)
        await step("([code]) => inpage.runPython(code)", f"import sys; sys.path.insert(0, {PAGE_DIR!r})")
        if self.module_name is not None:
            error = await page.evaluate(
                "([m]) => pyodide.pyimport('_inpage_runner').import_module(m)", [self.module_name]
            )
            if error:
                raise BootError(f"import of {self.module_name} failed:\n{error}")
        self.memory = await page.evaluate("() => inpage.memory()")

    def _call(self, what: str, expression: str, args: list[Any], timeout: float) -> dict[str, Any]:
        """Evaluate a runner call that resolves to ``{text, memory}``; its JSON result.
        A page that does not answer is marked broken; a renderer crash is reported as
        such (RendererCrashed), with Chromium's reason and the page's last memory figures."""
        if self.broken:
            raise HarnessError(f"page unusable: {self.broken}")
        try:
            reply = self.harness.run(self.page.evaluate(expression, args), timeout + self.harness.scaled(15))
        except Exception as exc:
            if self.crashed or "Target crashed" in str(exc):
                self.crashed = True
                self.broken = self._crash_report(what)
                raise RendererCrashed(self.broken) from None
            self.broken = f"{what} did not finish: {type(exc).__name__}: {exc}"
            raise HarnessError(self.broken) from None
        self.memory = reply["memory"]
        result: dict[str, Any] = json.loads(reply["text"])
        return result

    def _crash_report(self, what: str) -> str:
        reason = self.harness.run(self.harness.renderer_crash(self.target_id))
        return (
            f"{CRASH_MARKER} under page {self.page_id} while {what} was running: "
            f"{reason if reason is not None else 'Chromium gave no reason'}.\n"
            "The process died outside the test's code; this is not the test's own failure. "
            f"The page's memory after its last completed step: {describe_memory(self.memory)}."
        )

    def run_test(self, name: str, timeout: float) -> dict[str, Any]:
        """Run one test function in the page; the runner's JSON result as a dict."""
        args = [self.module_name, name, timeout]
        return self._call(name, "([m, f, t]) => inpage.runTest(m, f, t)", args, timeout)

    def run_source(self, source: str, timeout: float | None = None) -> Any:
        """Run Python source in the page (top-level ``await`` allowed); the value of its
        last expression (through JSON; ``repr()`` when not JSON-able). Raises
        PythonInPageError with the Python traceback from Pyodide when it raises, and
        HarnessError when it made requests outside the allowed hosts."""
        timeout = timeout if timeout is not None else self.harness.scaled(CFG.TEST_TIMEOUT)
        external_start = len(self.recorder.external)
        # pytest names the running test in the environment; the crash report names it too
        what = "code of " + os.environ.get("PYTEST_CURRENT_TEST", "run_source()")
        result = self._call(what, "([c, t]) => inpage.runSource(c, t)", [source, timeout], timeout)
        unexpected = [
            url
            for url in self.recorder.external[external_start:]
            if not any(url.startswith(prefix) for prefix in result["expected_blocked"])
        ]
        if result["outcome"] == "skipped":
            pytest.skip(result["detail"])
        if result["outcome"] == "failed":
            raise PythonInPageError(
                f"Python in the page raised (traceback from Pyodide):\n{result['detail']}"
            )
        if unexpected:
            raise HarnessError(f"requests left 127.0.0.1 (blocked): {unexpected}")
        return result["value"]

    def log_length(self) -> int:
        if self.page is None or self.broken:
            return 0
        return int(self.harness.run(self.page.evaluate("() => inpage.logLength()")))

    def log_since(self, start: int) -> list[str]:
        if self.page is None or self.broken:
            return []
        lines = self.harness.run(self.page.evaluate("(s) => inpage.logSince(s)", start))
        return [text if stream == "stdout" else f"[{stream}] {text}" for stream, text in lines]

    def teardown(self) -> str:
        """Run ``teardown_module`` in the page (if booted); '' or its traceback."""
        if self.page is None or self.broken or self.module_name is None:
            return ""
        try:
            result: str = self.harness.run(
                self.page.evaluate(
                    "([m]) => pyodide.pyimport('_inpage_runner').teardown_module(m)",
                    [self.module_name],
                )
            )
            return result
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"

    def close(self) -> None:
        self.harness.pages.pop(self.page_id, None)
        if self.context is not None:
            try:
                self.harness.run(self.context.close(), self.harness.scaled(15))
            except Exception as exc:
                print(f"closing page {self.page_id}: {exc!r}", file=sys.stderr)
            self.context = self.page = None

    def _with_logs(self, message: str) -> str:
        parts = [message]
        log = self.log_since(0) if self.page is not None and not self.broken else []
        if log:
            parts.append("--- Pyodide output ---\n" + "\n".join(log[-200:]))
        if self.console:
            parts.append("--- browser console ---\n" + "\n".join(self.console[-200:]))
        return "\n".join(parts)


def helper_modules(folder: Path) -> dict[str, str]:
    """The non-test ``*.py`` modules of an in-page folder (importable in its pages)."""
    return {
        p.stem: p.read_text()
        for p in sorted(folder.glob("*.py"))
        if not p.name.startswith("test_") and p.name not in {"conftest.py", "__init__.py"}
    }


class InPageFailure(Exception):
    """An in-page test failed; the message is the report (Python traceback from Pyodide)."""


class InPageModule(pytest.File):
    """An in-page test module: one page booted on setup, one item per test function.

    If Chromium's renderer of the page crashes, the test that was running fails with
    Chromium's reason (RendererCrashed) and the module's next test boots a fresh page
    (``setup_module`` runs again): a crash is reported once, where it happened, and is
    never retried.
    """

    harness_getter: Any = None  # set by the plugin: (config) -> Harness

    def collect(self) -> list[InPageItem]:
        source = self.path.read_text()
        tests, timeout = find_tests(source, str(self.path))
        self.source = source
        self.test_timeout = timeout if timeout is not None else CFG.TEST_TIMEOUT
        self.inpage: InPagePage | None = None
        self.boot_error: str | None = None
        if not tests:
            raise self.CollectError(f"{self.path.name}: no top-level test functions found")
        return [
            InPageItem.from_parent(self, name=t.name, lineno=t.lineno, is_async=t.is_async) for t in tests
        ]

    def setup(self) -> None:
        self._boot_page()

    def reboot_after_crash(self) -> None:
        """Close the crashed page and boot a fresh one for the module's next tests."""
        crashed, self.inpage = self.inpage, None
        if crashed is not None:
            crashed.close()
        self._boot_page()

    def _boot_page(self) -> None:
        harness: Harness = type(self).harness_getter(self.config)
        try:
            self.inpage = InPagePage(
                harness,
                self.path.stem,
                self.source,
                page_id=self.nodeid,
                helpers=helper_modules(self.path.parent),
                app_wheels=harness.app_wheels(),
            )
            self.inpage.boot()
        except HarnessError as exc:
            self.boot_error = str(exc)
            if self.inpage is None:
                return
        harness.boot_times[self.nodeid] = self.inpage.boot_seconds

    def teardown(self) -> None:
        inpage, self.inpage = self.inpage, None
        if inpage is None:
            return
        error = inpage.teardown() if self.boot_error is None else ""
        inpage.close()
        if error:
            raise InPageFailure(f"teardown_module of {self.path.name} failed:\n{error}")


class InPageItem(pytest.Item):
    """One in-page test function, run inside the module's page."""

    def __init__(self, *, lineno: int, is_async: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lineno = lineno
        self.is_async = is_async

    @property
    def module(self) -> InPageModule:
        assert isinstance(self.parent, InPageModule)
        return self.parent

    def runtest(self) -> None:
        module = self.module
        if module.boot_error is not None:
            raise InPageFailure(
                f"the page for {module.path.name} did not boot, so {self.name} "
                f"could not run:\n{module.boot_error}"
            )
        if module.inpage is not None and module.inpage.crashed:
            module.reboot_after_crash()
            if module.boot_error is not None:
                raise InPageFailure(
                    f"the page for {module.path.name} did not boot again after a renderer crash, "
                    f"so {self.name} could not run:\n{module.boot_error}"
                )
        inpage = module.inpage
        assert inpage is not None
        harness = inpage.harness
        log_start, console_start = inpage.log_length(), len(inpage.console)
        external_start = len(inpage.recorder.external)
        timeout = harness.scaled(module.test_timeout)
        try:
            result = inpage.run_test(self.name, timeout)
        finally:
            self._add_sections(inpage, log_start, console_start)
        external = inpage.recorder.external[external_start:]
        unexpected = [
            url
            for url in external
            if not any(url.startswith(prefix) for prefix in result["expected_blocked"])
        ]
        if result["outcome"] == "skipped":
            pytest.skip(result["detail"])
        problems = []
        if result["outcome"] == "failed":
            problems.append(f"in-page test {self.name} failed (Python traceback from Pyodide):")
            problems.append(result["detail"].rstrip())
        if unexpected:
            problems.append(
                "requests left 127.0.0.1 (blocked; declare with "
                f"inpage_support.expect_blocked() if intended): {unexpected}"
            )
        if problems:
            raise InPageFailure("\n".join(problems))

    def _add_sections(self, inpage: InPagePage, log_start: int, console_start: int) -> None:
        log = inpage.log_since(log_start)
        if log:
            self.add_report_section("call", "pyodide output", "\n".join(log))
        console = inpage.console[console_start:]
        if console:
            self.add_report_section("call", "browser console", "\n".join(console))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, InPageFailure | HarnessError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.lineno - 1, f"{self.path.name}::{self.name} (in page)"
