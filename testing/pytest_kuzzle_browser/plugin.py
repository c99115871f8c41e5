"""Browser tests: in-page modules collected and run inside Pyodide, plus host-side fixtures.

* ``tests/browser/inpage/test_*.py`` run *inside* the page (see browser_harness.py and
  inpage/inpage_support.py); they are parsed with ``ast`` on the host, never imported.
* Host-side tests (``tests/browser/test_*.py``) use the fixtures below; Playwright's async
  API runs on the harness loop: ``browser_harness.run(coroutine)``.
* ``tests/browser/fixtures/`` holds modules that fail on purpose; they are collected only
  when ``KUZZLE_BROWSER_SELFTEST=1`` (the harness self-test runs them in a subprocess).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_harness import (
    FIXTURES_DIR,
    INPAGE_DIR,
    DevServer,
    Harness,
    InPageModule,
    StaticServer,
)

_HARNESS = pytest.StashKey[Harness]()


def get_harness(config: pytest.Config) -> Harness:
    """The session's Harness, created on first use and closed at the end of the run."""
    harness = config.stash.get(_HARNESS, None)
    if harness is None:
        harness = config.stash[_HARNESS] = Harness()
        config.add_cleanup(harness.close)
    return harness


InPageModule.harness_getter = staticmethod(get_harness)


def _selftest() -> bool:
    import os

    return os.environ.get("KUZZLE_BROWSER_SELFTEST") == "1"


def _is_inpage_module(path: Path) -> bool:
    if not (path.name.startswith("test_") and path.suffix == ".py"):
        return False
    return INPAGE_DIR in path.parents or FIXTURES_DIR in path.parents


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path == FIXTURES_DIR and not _selftest():
        return True
    return None


def pytest_pycollect_makemodule(module_path: Path, parent: Any) -> Any:
    """In-page test modules get an InPageModule instead of pytest's python Module.

    This is the hook pytest's own ``pytest_collect_file`` calls for ``test_*.py`` files,
    so taking over here (rather than adding a second collector for the same file)
    keeps the host from ever importing them: they import ``js``.
    """
    if _is_inpage_module(module_path):
        return InPageModule.from_parent(parent, path=module_path)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Every failing browser test shows the tail of the dev server's output."""
    report = yield
    harness = item.config.stash.get(_HARNESS, None)
    dev = harness.running_dev_server if harness is not None else None
    if report.failed and dev is not None:
        report.sections.append(("devserver log (tail)", dev.log_tail(100)))
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    harness = config.stash.get(_HARNESS, None)
    proxy = harness.running_fault_proxy if harness is not None else None
    if proxy is not None and proxy.figures:
        terminalreporter.section("reliability figures (tests/browser/inpage/test_faults.py)")
        terminalreporter.write_line("| scenario | figure | value | bound | ok |")
        terminalreporter.write_line("| --- | --- | --- | --- | --- |")
        for f in proxy.figures:
            terminalreporter.write_line(
                f"| {f.scenario} | {f.figure} | {f.value} | {f.bound} | {'yes' if f.ok else 'NO'} |"
            )
    if harness is not None and harness.boot_times:
        terminalreporter.section("in-page module boots")
        for nodeid, seconds in harness.boot_times.items():
            terminalreporter.write_line(f"{seconds:6.2f} s  {nodeid}")


# ------------------------------------------------------------- host-side fixtures


@pytest.fixture(scope="session")
def browser_harness(pytestconfig: pytest.Config) -> Harness:
    """The session harness: ``.run(coro)``, ``.browser``, ``.new_context(recorder)``,
    ``.static_url``, ``.dev_server()``, ``.wheel()``, ``.scaled(seconds)``."""
    harness = get_harness(pytestconfig)
    harness.check_vendor()
    return harness


@pytest.fixture(scope="session")
def dev_server(browser_harness: Harness) -> DevServer:
    """The session's dev server (``.port``, ``.url``, ``.log_tail()``)."""
    server = browser_harness.dev_server()
    if server is None:
        pytest.skip("dev server disabled (KUZZLE_BROWSER_DEVSERVER=none)")
    return server


@pytest.fixture
def static_server_factory() -> Iterator[Any]:
    """Start extra static servers on 127.0.0.1 (stopped after the test)."""
    started: list[StaticServer] = []

    def make(mounts: dict[str, Path], **kwargs: Any) -> StaticServer:
        server = StaticServer(mounts, **kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
