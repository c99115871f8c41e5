"""Browser test harness: servers, Chromium, and in-page tests run inside Pyodide.

Session level (one each, started lazily, stopped at the end of the run):

* a static server on 127.0.0.1 for ``build/vendor/`` (Pyodide, micropip, PyScript),
  ``build/wheels/`` (the kuzzle_browser wheel), ``tests/browser/www/`` (runner page) and
  ``tests/browser/inpage/``;
* the dev server (``python -m kuzzle_devserver --port 0 --control --data <tmp>``), whose
  output is kept and shown with failing tests;
* Chromium through Playwright's *async* API, on an event loop in a thread of its own:
  Playwright's sync API leaves its loop marked as running in the calling thread, which
  breaks every asyncio test (pytest-asyncio) that runs after it in the same session.

Module level: one page per in-page test module (``InPagePage``), booted once: runner page,
Pyodide, micropip, the wheel, then the support module and the test module are written to
Pyodide's file system and imported. ``InPageModule``/``InPageItem`` make one pytest item
per top-level ``def test_*``/``async def test_*`` (found with ``ast``, never imported on
the host). Any request from a page to a host other than 127.0.0.1 fails the test that made
it; Chromium's flags block such requests, the harness only records them.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import shlex
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(HERE))
from build_wheel import build_wheel  # noqa: E402
from devserver_process import DevServer, DevServerError  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from project_config import load_config  # noqa: E402
from serve_static import StaticServer  # noqa: E402

CFG: SimpleNamespace = load_config()
INPAGE_DIR = HERE / "inpage"
WWW_DIR = HERE / "www"
FIXTURES_DIR = HERE / "fixtures"
PAGE_DIR = "/home/pyodide/inpage"  # where modules live in Pyodide's file system

T = TypeVar("T")


class HarnessError(Exception):
    """The harness itself could not do its job (server, browser, boot)."""


def devserver_command(data_dir: Path) -> list[str]:
    """``$KUZZLE_BROWSER_DEVSERVER_CMD`` (``{data}`` is replaced) or the real dev server
    (``--port 0 --control``)."""
    override = os.environ.get("KUZZLE_BROWSER_DEVSERVER_CMD")
    if override:
        return [part.replace("{data}", str(data_dir)) for part in shlex.split(override)]
    return DevServer.command_for(port=0, data_dir=data_dir, control=True)


# --------------------------------------------------------------------------- helpers


def is_loopback_url(url: str) -> bool:
    """True for URLs the pages may request: 127.0.0.1 over http(s)/ws(s), data:, blob:."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-error"}:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in CFG.LOOPBACK_HOSTS


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


# --------------------------------------------------------------------- network guard


@dataclass
class NetworkRecorder:
    """Non-loopback URLs requested by a context's pages (HTTP and WebSocket), passively."""

    external: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> None:
        context.on("request", lambda request: self.note(request.url))
        context.on("page", self.attach_page)

    def attach_page(self, page: Any) -> None:
        page.on("websocket", lambda ws: self.note(ws.url))

    def note(self, url: str) -> None:
        if not is_loopback_url(url):
            self.external.append(url)


# ------------------------------------------------------------------------- session


class Harness:
    """Everything a browser test session shares; parts start on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tmp = tempfile.TemporaryDirectory(prefix="kuzzle-browser-tests-")
        self._static: StaticServer | None = None
        self._dev: DevServer | None = None
        self._dev_error: str | None = None
        self._loop: BrowserLoop | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._wheel: Path | None = None
        self._proxy: FaultProxy | None = None
        self.pages: dict[str, InPagePage] = {}
        self.boot_times: dict[str, float] = {}

    # time bounds, all from the one scale factor
    @staticmethod
    def scaled(seconds: float) -> float:
        return float(CFG.scaled(seconds))

    # -- static files and the wheel
    @property
    def static(self) -> StaticServer:
        with self._lock:
            if self._static is None:
                self._static = StaticServer(
                    {
                        "/vendor": CFG.VENDOR_DIR,
                        "/wheels": CFG.WHEELS_DIR,
                        "/www": WWW_DIR,
                        "/inpage": INPAGE_DIR,
                    }
                ).start()
            return self._static

    @property
    def static_url(self) -> str:
        return self.static.url

    def check_vendor(self) -> None:
        for needed in (Path(CFG.PYODIDE_DIR) / "pyodide.mjs", Path(CFG.PYSCRIPT_DIR) / "core.js"):
            if not needed.is_file():
                raise HarnessError(f"{needed} is missing: run `make setup` first")

    def wheel(self) -> Path:
        """The kuzzle_browser wheel, rebuilt when older than any source file."""
        with self._lock:
            if self._wheel is None:
                found = sorted(Path(CFG.WHEELS_DIR).glob("kuzzle_browser-*-py3-none-any.whl"))
                sources = [*(ROOT / "kuzzle_browser").rglob("*"), ROOT / "pyproject.toml"]
                newest = max((p.stat().st_mtime for p in sources if p.is_file()), default=0.0)
                if len(found) == 1 and found[0].stat().st_mtime >= newest:
                    self._wheel = found[0]
                else:
                    self._wheel = build_wheel()
            return self._wheel

    @property
    def wheel_url(self) -> str:
        return f"{self.static_url}/wheels/{self.wheel().name}"

    # -- dev server
    def dev_server(self) -> DevServer | None:
        """The session's dev server; None when disabled with KUZZLE_BROWSER_DEVSERVER=none."""
        if os.environ.get("KUZZLE_BROWSER_DEVSERVER", "").lower() == "none":
            return None
        with self._lock:
            if self._dev_error is not None:
                raise HarnessError(self._dev_error)
            if self._dev is None:
                data = Path(self._tmp.name) / "devserver-data"
                data.mkdir()
                server = DevServer(devserver_command(data), cwd=ROOT)
                try:
                    self._dev = server.start(self.scaled(CFG.DEVSERVER_START_TIMEOUT))
                except DevServerError as exc:
                    self._dev_error = str(exc)
                    raise
            return self._dev

    def fault_proxy(self) -> FaultProxy:
        """The session's fault-injection proxy in front of the dev server (started on first use)."""
        dev = self.dev_server()
        if dev is None:
            raise HarnessError("the fault proxy needs the dev server")
        with self._lock:
            if self._proxy is None:
                self._proxy = FaultProxy(dev.port, self._set_page_offline).start()
            return self._proxy

    @property
    def running_fault_proxy(self) -> FaultProxy | None:
        """The fault proxy if one was started (for the figures), without starting one."""
        return self._proxy

    def _set_page_offline(self, page_id: str, offline: bool) -> None:
        # Called from the proxy's thread while the page awaits its answer: the
        # Playwright loop is free to run this alongside the pending evaluate().
        self.run(self.pages[page_id].context.set_offline(offline))

    @property
    def running_dev_server(self) -> DevServer | None:
        """The dev server if one was started (for logs), without starting one."""
        return self._dev

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
            executable = CFG.chromium_executable()
            if executable is None:
                raise HarnessError("no Chromium found: set KUZZLE_BROWSER_CHROMIUM or run `make setup`")
            self._browser = self.run(self._launch(executable), self.scaled(CFG.LAUNCH_TIMEOUT))
        return self._browser

    async def _launch(self, executable: str) -> Any:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        return await self._playwright.chromium.launch(
            executable_path=executable,
            args=list(CFG.CHROMIUM_ARGS),
            headless=CFG.HEADLESS,
            timeout=self.scaled(CFG.LAUNCH_TIMEOUT) * 1000,
        )

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
        if self._loop is not None:
            if self._playwright is not None:
                try:
                    self._loop.run(self._shutdown(), self.scaled(30))
                except Exception as exc:
                    print(f"browser shutdown: {exc!r}", file=sys.stderr)
            self._loop.close()
        if self._proxy is not None:
            self._proxy.stop()
        if self._dev is not None:
            self._dev.stop()
        if self._static is not None:
            self._static.stop()
        self._tmp.cleanup()

    async def _shutdown(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        await self._playwright.stop()


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


class BootError(HarnessError):
    """The page for an in-page module could not be booted."""


class InPagePage:
    """One booted page running one in-page test module."""

    def __init__(self, harness: Harness, module_name: str, source: str) -> None:
        self.harness = harness
        self.module_name = module_name
        self.source = source
        self.recorder = NetworkRecorder()
        self.console: list[str] = []
        self.context: Any = None
        self.page: Any = None
        self.broken: str | None = None
        self.boot_seconds = 0.0

    def boot(self) -> None:
        """Boot Pyodide and import the module; raises BootError saying which step failed."""
        harness = self.harness
        started = time.monotonic()
        try:
            harness.check_vendor()
            dev = harness.dev_server()
            port = dev.port if dev is not None else 0
            wheel_url = harness.wheel_url
            harness.browser  # noqa: B018 - launch outside the boot coroutine
            config = f"SERVER_PORT = {port}\nTIMEOUT_SCALE = {CFG.timeout_scale()!r}\n"
            files = {
                f"{PAGE_DIR}/inpage_support.py": (INPAGE_DIR / "inpage_support.py").read_text(),
                f"{PAGE_DIR}/_inpage_runner.py": (WWW_DIR / "inpage_runner.py").read_text(),
                f"{PAGE_DIR}/{self.module_name}.py": self.source,
            }
            if "inpage_faults" in self.source:
                proxy = harness.fault_proxy()
                harness.pages[self.module_name] = self
                config += (
                    f"PROXY_PORT = {proxy.port}\nPROXY_CONTROL_PORT = {proxy.control_port}\n"
                    f"PAGE_ID = {self.module_name!r}\n"
                )
                files[f"{PAGE_DIR}/inpage_faults.py"] = (INPAGE_DIR / "inpage_faults.py").read_text()
            files[f"{PAGE_DIR}/_inpage_config.py"] = config
            harness.run(self._boot(wheel_url, files), harness.scaled(CFG.BOOT_TIMEOUT))
        except HarnessError as exc:
            raise BootError(self._with_logs(str(exc))) from None
        except Exception as exc:
            raise BootError(self._with_logs(f"{type(exc).__name__}: {exc}")) from None
        finally:
            self.boot_seconds = time.monotonic() - started
        if self.recorder.external:
            raise BootError(self._with_logs(f"requests left 127.0.0.1: {self.recorder.external}"))

    async def _boot(self, wheel_url: str, files: dict[str, str]) -> None:
        self.context = await self.harness.new_context(self.recorder)
        self.page = page = await self.context.new_page()
        page.on("console", lambda msg: self.console.append(f"[console.{msg.type}] {msg.text}"))
        page.on("pageerror", lambda err: self.console.append(f"[pageerror] {err}"))
        await page.goto(f"{self.harness.static_url}/www/runner.html")
        await page.wait_for_function("window.inpageReady === true")

        async def step(expression: str, *args: Any) -> Any:
            result = await page.evaluate(expression, list(args))
            if not result["ok"]:
                raise BootError(f"{result['step']} failed:\n{result['error']}")
            return result["value"]

        await step("() => inpage.loadPyodide()")
        await step("() => inpage.loadMicropip()")
        await step("([url]) => inpage.installWheel(url)", wheel_url)
        for path, text in files.items():
            await step("([path, text]) => inpage.writeFile(path, text)", path, text)
        await step("([code]) => inpage.runPython(code)", f"import sys; sys.path.insert(0, {PAGE_DIR!r})")
        error = await page.evaluate(
            "([m]) => pyodide.pyimport('_inpage_runner').import_module(m)", [self.module_name]
        )
        if error:
            raise BootError(f"import of {self.module_name} failed:\n{error}")

    def run_test(self, name: str, timeout: float) -> dict[str, Any]:
        """Run one test function in the page; the runner's JSON result as a dict."""
        if self.broken:
            raise HarnessError(f"page unusable: {self.broken}")
        try:
            text = self.harness.run(
                self.page.evaluate(
                    "([m, f, t]) => inpage.runTest(m, f, t)", [self.module_name, name, timeout]
                ),
                timeout + self.harness.scaled(15),
            )
        except Exception as exc:
            self.broken = f"{name} did not finish: {type(exc).__name__}: {exc}"
            raise HarnessError(self.broken) from None
        result: dict[str, Any] = json.loads(text)
        return result

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
        if self.page is None or self.broken:
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
        if self.context is not None:
            try:
                self.harness.run(self.context.close(), self.harness.scaled(15))
            except Exception as exc:
                print(f"closing page of {self.module_name}: {exc!r}", file=sys.stderr)
            self.context = self.page = None

    def _with_logs(self, message: str) -> str:
        parts = [message]
        log = self.log_since(0) if self.page is not None and not self.broken else []
        if log:
            parts.append("--- Pyodide output ---\n" + "\n".join(log[-200:]))
        if self.console:
            parts.append("--- browser console ---\n" + "\n".join(self.console[-200:]))
        return "\n".join(parts)


class InPageFailure(Exception):
    """An in-page test failed; the message is the report (Python traceback from Pyodide)."""


class InPageModule(pytest.File):
    """An in-page test module: one page booted on setup, one item per test function."""

    harness_getter: Any = None  # set by conftest: () -> Harness

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
        harness: Harness = type(self).harness_getter(self.config)
        self.inpage = InPagePage(harness, self.path.stem, self.source)
        try:
            self.inpage.boot()
        except BootError as exc:
            self.boot_error = str(exc)
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
