"""pytest-kuzzle-browser: Playwright end-to-end tests of Kuzzle browser apps, offline.

Registered as a ``pytest11`` plugin. Nothing starts unless a fixture or an in-page module
asks: the dev server, the static server and Chromium start on first use, once per run.

Fixtures: ``kuzzle_server``, ``kuzzle_server_factory``, ``pyodide_page``, ``run_python``,
``pyscript_site``, ``browser_page``, ``browser_harness``. Options: ``--kuzzle-chromium``,
``--kuzzle-headed``, ``--kuzzle-url``, ``--kuzzle-timeout-scale``. Ini options:
``kuzzle_inpage_paths``, ``kuzzle_browser_wheel``, ``kuzzle_app_wheels``,
``kuzzle_vendor_dir``. Marker: ``kuzzle_wheels(*specs)``. Hook:
``pytest_kuzzle_browser_inpage_config``. See the README section "Testing your own app".
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_kuzzle_browser import hookspecs
from pytest_kuzzle_browser import settings as CFG
from pytest_kuzzle_browser.devserver_process import DevServerError
from pytest_kuzzle_browser.harness import (
    Harness,
    HarnessError,
    InPageModule,
    InPagePage,
    KuzzleServer,
    Options,
    PythonInPageError,
    SyncProxy,
)
from pytest_kuzzle_browser.serve_static import StaticServer

_HARNESS = pytest.StashKey[Harness]()


# ------------------------------------------------------------------ options, hooks


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kuzzle-browser", "Kuzzle browser apps (pytest-kuzzle-browser)")
    group.addoption(
        "--kuzzle-chromium",
        metavar="PATH",
        default=None,
        help="the Chromium to drive (default: $KUZZLE_BROWSER_CHROMIUM, $CHROMIUM, Debian's)",
    )
    group.addoption(
        "--kuzzle-headed",
        action="store_true",
        default=False,
        help="show the browser window (default: headless)",
    )
    group.addoption(
        "--kuzzle-url",
        metavar="URL",
        default=None,
        help="a real Kuzzle (http[s]://host:port) instead of the dev server; "
        "tests needing the dev server's control surface are skipped",
    )
    group.addoption(
        "--kuzzle-timeout-scale",
        type=float,
        default=None,
        metavar="N",
        help="multiply every time bound (env: KUZZLE_BROWSER_TIMEOUT_SCALE)",
    )
    parser.addini(
        "kuzzle_inpage_paths",
        type="paths",
        default=[],
        help="folders whose test_*.py modules run inside Pyodide (in-page tests)",
    )
    parser.addini(
        "kuzzle_browser_wheel",
        default="",
        help="the kuzzle_browser wheel: a .whl, a glob, or kuzzle_browser's source folder "
        "(built when stale); default: the rootdir when it is that source",
    )
    parser.addini(
        "kuzzle_app_wheels",
        type="linelist",
        default=[],
        help="wheels of your app installed in every page (.whl, glob or source folder)",
    )
    parser.addini(
        "kuzzle_vendor_dir",
        default="",
        help="where Pyodide/micropip/PyScript are vendored (default: "
        "$PYTEST_KUZZLE_BROWSER_VENDOR or ~/.cache/pytest-kuzzle-browser/vendor)",
    )


def pytest_configure(config: pytest.Config) -> None:
    scale = config.getoption("--kuzzle-timeout-scale")
    if scale is not None:
        if scale <= 0:
            raise pytest.UsageError("--kuzzle-timeout-scale must be > 0")
        os.environ["KUZZLE_BROWSER_TIMEOUT_SCALE"] = str(scale)
    config.addinivalue_line(
        "markers", "kuzzle_wheels(*specs): extra wheels (.whl, glob, source folder) for pyodide_page"
    )


def _base_dir(config: pytest.Config) -> Path:
    return config.inipath.parent if config.inipath is not None else config.rootpath


def options_from_config(config: pytest.Config) -> Options:
    """The harness options from the command line and the ini file."""
    base = _base_dir(config)
    vendor = str(config.getini("kuzzle_vendor_dir") or "")
    wheel = str(config.getini("kuzzle_browser_wheel") or "")
    return Options(
        rootdir=base,
        vendor_dir=(base / vendor) if vendor else CFG.default_vendor_dir(),
        chromium=config.getoption("--kuzzle-chromium"),
        headless=not config.getoption("--kuzzle-headed"),
        kuzzle_url=config.getoption("--kuzzle-url"),
        kuzzle_browser_wheel=wheel,
        app_wheels=tuple(config.getini("kuzzle_app_wheels")),
        inpage_paths=tuple(Path(p).resolve() for p in config.getini("kuzzle_inpage_paths")),
    )


def get_harness(config: pytest.Config) -> Harness:
    """The session's Harness, created on first use and closed at the end of the run."""
    harness = config.stash.get(_HARNESS, None)
    if harness is None:
        harness = config.stash[_HARNESS] = Harness(options_from_config(config), config=config)
        config.add_cleanup(harness.close)
    return harness


def running_harness(config: pytest.Config) -> Harness | None:
    """The session's Harness if something used it, without creating one."""
    return config.stash.get(_HARNESS, None)


InPageModule.harness_getter = staticmethod(get_harness)


def is_inpage_module(path: Path, config: pytest.Config) -> bool:
    if not (path.name.startswith("test_") and path.suffix == ".py"):
        return False
    folders = [Path(p).resolve() for p in config.getini("kuzzle_inpage_paths")]
    resolved = path.resolve()
    return any(folder in resolved.parents for folder in folders)


def pytest_pycollect_makemodule(module_path: Path, parent: Any) -> Any:
    """In-page test modules get an InPageModule instead of pytest's python Module.

    This is the hook pytest's own ``pytest_collect_file`` calls for ``test_*.py`` files,
    so taking over here (rather than adding a second collector for the same file)
    keeps the host from ever importing them: they import ``js``.
    """
    if is_inpage_module(module_path, parent.config):
        return InPageModule.from_parent(parent, path=module_path)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Every failing test shows the tail of the dev server's output, if one ran."""
    report = yield
    harness = running_harness(item.config)
    dev = harness.running_dev_server if harness is not None else None
    if report.failed and dev is not None:
        report.sections.append(("devserver log (tail)", dev.log_tail(100)))
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    harness = running_harness(config)
    if harness is not None and harness.boot_times:
        terminalreporter.section("in-page module boots")
        for nodeid, seconds in harness.boot_times.items():
            terminalreporter.write_line(f"{seconds:6.2f} s  {nodeid}")


# ------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def browser_harness(pytestconfig: pytest.Config) -> Harness:
    """The session harness, for what the other fixtures do not cover: ``.run(coro)`` (on
    Playwright's loop), ``.browser``, ``.new_context(recorder)``, ``.recorder()``,
    ``.static_url``, ``.kuzzle_server()``, ``.wheel()``, ``.scaled(seconds)``."""
    harness = get_harness(pytestconfig)
    try:
        harness.check_vendor()
    except HarnessError as exc:
        pytest.fail(str(exc), pytrace=False)
    return harness


@pytest.fixture(scope="session")
def kuzzle_server(browser_harness: Harness) -> KuzzleServer:
    """The session's Kuzzle: a dev server on a free port, fresh data in a temporary folder,
    the seeded users (``alice``/``alice-password``, ``bob``/``bob-password``, admins) —
    or the Kuzzle of ``--kuzzle-url``.

    ``.url``, ``.ws_url``, ``.host``, ``.port``; the control surface ``.control(route, body)``
    (e.g. ``kuzzle_server.control("reset")``), ``.reset()`` and ``.restart()`` skip the test
    against a real Kuzzle; ``.load(mappings=..., fixtures=..., securities=...)`` (dicts or
    JSON file paths) goes through the admin API, so it works against both::

        def test_login(kuzzle_server, run_python):
            assert run_python(f'''
                from kuzzle_browser import Kuzzle, WebSocket
                k = Kuzzle(WebSocket("{kuzzle_server.host}", port={kuzzle_server.port}))
                await k.connect()
                jwt = await k.auth.login("local", {{"username": "alice", "password": "alice-password"}})
                k.disconnect()
                bool(jwt)
            ''')
    """
    try:
        server = browser_harness.kuzzle_server()
    except DevServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    if server is None:
        pytest.skip("dev server disabled (KUZZLE_BROWSER_DEVSERVER=none)")
    return server


@pytest.fixture
def kuzzle_server_factory(
    browser_harness: Harness, pytestconfig: pytest.Config
) -> Iterator[Callable[[], KuzzleServer]]:
    """Start dev servers of the test's own (fresh data; stopped after the test), e.g. to
    stop one without disturbing other tests. Skips with ``--kuzzle-url``."""
    if pytestconfig.getoption("--kuzzle-url"):
        pytest.skip("own dev servers are not started with --kuzzle-url")
    started: list[KuzzleServer] = []
    tmp = tempfile.TemporaryDirectory(prefix="kuzzle-devserver-")

    def make() -> KuzzleServer:
        data = Path(tmp.name) / f"data-{len(started)}"
        try:
            server = KuzzleServer.start_devserver(
                data, browser_harness.options.rootdir, CFG.scaled(CFG.DEVSERVER_START_TIMEOUT)
            )
        except DevServerError as exc:
            pytest.fail(str(exc), pytrace=False)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
    tmp.cleanup()


def _marked_wheels(request: pytest.FixtureRequest) -> list[str]:
    specs: list[str] = []
    for marker in request.node.iter_markers("kuzzle_wheels"):
        specs.extend(str(spec) for spec in marker.args)
    return specs


@pytest.fixture(scope="module")
def kuzzle_app_wheels(request: pytest.FixtureRequest) -> list[str]:
    """Extra wheel specs for this module's ``pyodide_page`` (override it in a conftest or a
    module, or mark the module ``pytestmark = pytest.mark.kuzzle_wheels("dist/app-*.whl")``).
    The ``kuzzle_app_wheels`` ini option applies to every page besides these."""
    return _marked_wheels(request)


class PyodidePage:
    """A booted Pyodide page (fixture ``pyodide_page``): ``run(source)``, ``page`` (a
    synchronous Playwright Page, ``SyncProxy``), ``inpage`` (the ``InPagePage``)."""

    def __init__(self, inpage: InPagePage) -> None:
        self.inpage = inpage
        self.page = SyncProxy(inpage.page, inpage.harness)

    def run(self, source: str, timeout: float | None = None) -> Any:
        """Run Python source in the page (top-level ``await`` allowed; dedented) and return
        the value of its last expression (JSON-able values as such, others as ``repr``).
        A Python exception in the page fails the test with its traceback from Pyodide."""
        import textwrap

        try:
            return self.inpage.run_source(textwrap.dedent(source), timeout)
        except PythonInPageError as exc:
            pytest.fail(str(exc), pytrace=False)
        except HarnessError as exc:
            pytest.fail(str(exc), pytrace=False)

    def output(self) -> list[str]:
        """What Python printed in the page so far (stdout; other streams tagged)."""
        return self.inpage.log_since(0)


@pytest.fixture(scope="module")
def pyodide_page(
    browser_harness: Harness, kuzzle_app_wheels: list[str], request: pytest.FixtureRequest
) -> Iterator[PyodidePage]:
    """A Chromium page with the local Pyodide, micropip, the freshly built kuzzle_browser
    wheel and your app's wheels installed (one per test module; state persists between
    the module's tests)::

        pytestmark = pytest.mark.kuzzle_wheels("..")   # this project's own wheel, built

        def test_version(pyodide_page):
            assert pyodide_page.run("import sys; sys.version_info[:2]") == [3, 14]

    ``inpage_support`` is importable in the page (``SERVER_URL``, ``control``...).
    """
    try:
        inpage = InPagePage(
            browser_harness,
            page_id=f"pyodide_page:{request.node.nodeid}",
            app_wheels=browser_harness.app_wheels(kuzzle_app_wheels),
        )
        inpage.boot()
    except HarnessError as exc:
        pytest.fail(f"pyodide_page did not boot:\n{exc}", pytrace=False)
    try:
        yield PyodidePage(inpage)
    finally:
        inpage.close()


@pytest.fixture
def run_python(pyodide_page: PyodidePage) -> Callable[..., Any]:
    """``run_python(source)``: run Python in the module's ``pyodide_page``; its last
    expression's value, or the test fails with the Python traceback from Pyodide::

        def test_sum(run_python):
            assert run_python("sum(range(4))") == 6
    """
    return pyodide_page.run


class PyScriptSite:
    """A served PyScript page folder (fixture ``pyscript_site``): ``url``, ``server``."""

    def __init__(self, server: StaticServer) -> None:
        self.server = server

    @property
    def url(self) -> str:
        return f"{self.server.url}/"


_TEXT_SUFFIXES = {".toml", ".json", ".html"}


@pytest.fixture
def pyscript_site(
    browser_harness: Harness, kuzzle_app_wheels: list[str]
) -> Iterator[Callable[..., PyScriptSite]]:
    """Serve a PyScript page folder on 127.0.0.1 with the local runtime: call it with the
    folder (and optional extra wheel specs). Besides the folder at ``/``:

    * ``/vendor/pyscript/`` (``core.js``...) and ``/vendor/pyodide/`` (``pyodide.mjs``...);
    * ``/wheels/<file>``: the kuzzle_browser wheel and your app's wheels; in the folder's
      ``.toml``/``.json``/``.html`` files, any ``<name>-<version>-py3-none-any.whl`` of
      one of them is rewritten to the file actually served (so the page may name any
      version).

    A page of yours, e.g. ``index.html`` with ``<script type="module"
    src="./vendor/pyscript/core.js">`` and ``pyscript.toml`` with
    ``interpreter = "./vendor/pyodide/pyodide.mjs"`` and ``packages =
    ["./wheels/kuzzle_browser-0.1.0-py3-none-any.whl"]``::

        def test_page(pyscript_site, browser_page, kuzzle_server):
            site = pyscript_site(Path(__file__).parent.parent / "www")
            browser_page.goto(f"{site.url}?api_port={kuzzle_server.port}")
            browser_page.locator("#status").wait_for()
    """
    started: list[StaticServer] = []

    def serve(folder: Path | str, wheels: tuple[str, ...] = ()) -> PyScriptSite:
        folder = Path(folder).resolve()
        served = [browser_harness.wheel(), *browser_harness.app_wheels([*kuzzle_app_wheels, *wheels])]
        rewrites = [
            (re.compile(rf"{re.escape(w.name.split('-')[0])}-[^/\"'\s]+?\.whl"), w.name) for w in served
        ]

        def transform(url_path: str, body: bytes) -> bytes:
            if Path(url_path).suffix not in _TEXT_SUFFIXES and not url_path.endswith("/"):
                return body
            text = body.decode()
            for pattern, name in rewrites:
                text = pattern.sub(name, text)
            return text.encode()

        generated = {f"/wheels/{w.name}": (lambda w=w: (w.read_bytes(), "application/zip")) for w in served}
        server = StaticServer(
            {"/": folder, "/vendor": browser_harness.options.vendor_dir},
            generated=generated,
            transform=transform,
        ).start()
        started.append(server)
        return PyScriptSite(server)

    yield serve
    for server in started:
        server.stop()


@pytest.fixture
def browser_page(browser_harness: Harness) -> Iterator[SyncProxy]:
    """A fresh Playwright page (own context and cookies) as a synchronous ``SyncProxy``;
    requests outside 127.0.0.1 (blocked by Chromium) fail the test at teardown; the
    browser console is shown when the test fails::

        browser_page.goto(site.url)
        assert browser_page.locator("#status").text_content() == "connected"
    """
    recorder = browser_harness.recorder()
    console: list[str] = []
    browser_harness.browser  # noqa: B018 - launch outside the coroutine

    async def open_page() -> tuple[Any, Any]:
        context = await browser_harness.new_context(recorder)
        page = await context.new_page()
        page.on("console", lambda msg: console.append(f"[console.{msg.type}] {msg.text}"))
        page.on("pageerror", lambda err: console.append(f"[pageerror] {err}"))
        return context, page

    context, page = browser_harness.run(open_page())
    try:
        yield SyncProxy(page, browser_harness)
    finally:
        with contextlib.suppress(Exception):
            browser_harness.run(context.close(), browser_harness.scaled(15))
        if console:
            print("--- browser console ---\n" + "\n".join(console[-200:]))
    if recorder.external:
        pytest.fail(f"requests left 127.0.0.1 (blocked by Chromium): {recorder.external}", pytrace=False)
