"""Outages as they happen in real life, on ``make demo`` itself (tools/run_demo.py as a process).

* ``test_readme_outage_flow``: exactly the README's flow. Two windows (alice, bob) sign in;
  ``make demo`` is stopped with Ctrl-C (SIGINT: the page server and the dev server go
  away), both keep editing (the badge counts the queued changes), ``make demo`` is started
  again on the same data, and both windows converge with every edit.
* ``test_three_windows_through_kill_freeze_and_reload``: alice, bob and carol write to the
  same list while the dev server process is killed (SIGKILL; make demo's supervisor starts
  it again on the same data), frozen (SIGSTOP, then SIGCONT: the requests in flight lose
  their answers although the server may store them), and while one window is reloaded
  during an outage (its queue lives in localStorage).
* ``test_signed_out_after_a_data_reset_keeps_the_changes``: the README's reset (``rm -rf
  data/``) during an outage: the restarted server no longer knows the sessions, the
  windows say "signed out · N waiting", and after signing in the N changes land.
* ``test_a_reader_sees_the_forbidden_state``: a user whose role may only read gets the
  read-only state, not error ids.

Each scenario reports figures into the reliability table: edits lost, windows that
disagree after convergence, rows stuck "queued", time to converge. All zero but the last.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_support import ROOT_DATA, VIEWPORT, PageLog, add, artifacts, delete, edit, sign_in, texts
from fault_proxy import Figure
from project_config import ROOT, load_config

from pytest_kuzzle_browser.harness import Harness, NetworkRecorder

CFG = load_config()

__all__ = ["artifacts"]  # fixture used below


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((CFG.HOST, 0))
        return int(probe.getsockname()[1])


class MakeDemo:
    """``make demo`` as a person runs it: ``tools/run_demo.py`` in a terminal of its own."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.page_port, self.api_port = free_port(), free_port()
        self.output: deque[str] = deque(maxlen=2000)
        self.printed = threading.Condition()  # notified on every line the pump reads
        self.proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://{CFG.HOST}:{self.page_port}/?api_port={self.api_port}"

    def start(self, timeout: float) -> None:
        ready = threading.Event()
        command = [sys.executable, "tools/run_demo.py", "--port", str(self.page_port)]
        command += ["--api-port", str(self.api_port), "--data", str(self.data)]
        self.proc = proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own terminal: signals reach it alone
        )

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                with self.printed:
                    self.output.append(line.rstrip())
                    self.printed.notify_all()
                if "kuzzle-browser demo: open" in line:
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(timeout) or proc.poll() is not None:
            self.stop()
            raise AssertionError("make demo did not start:\n" + self.log())

    def ctrl_c(self, timeout: float) -> None:
        """Ctrl-C in its terminal: both servers stop."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout)
        # its last line may still be in the pipe, not yet read by the pump thread
        self.wait_output("demo stopped", timeout)

    def dev_server_pid(self) -> int:
        """The dev server process make demo supervises (its child)."""
        assert self.proc is not None
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                return int(stat.parent.name)
        raise AssertionError("no dev server process under make demo:\n" + self.log())

    def wait_output(self, text: str, timeout: float) -> None:
        with self.printed:
            if not self.printed.wait_for(lambda: any(text in line for line in self.output), timeout):
                raise AssertionError(f"make demo never printed {text!r}:\n{self.log()}")

    def log(self) -> str:
        return "\n".join(self.output)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def demo_data() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="kuzzle-demo-outage-") as data:
        yield Path(data)


class Windows:
    """The open windows, and the figures of one scenario."""

    def __init__(self, pages: dict[str, Any], figures: list[Figure], log: PageLog) -> None:
        self.pages = pages
        self.figures = figures
        self.log = log

    async def converge(self, scenario: str, expected: set[str], since: float, timeout_s: float) -> None:
        """Wait until every window lists ``expected`` with nothing queued; report the figures."""
        condition = f"""(want) => {{
            const got = [...document.querySelectorAll('#items li')].map(e => e.dataset.text).sort();
            return JSON.stringify(got) === JSON.stringify(want) && {ROOT_DATA}.queue === '0'
                && !document.querySelector('#items li[data-pending="true"]')
                && {ROOT_DATA}.connection === 'connected';
        }}"""
        want = sorted(expected)
        timed_out = False
        try:
            await asyncio.gather(
                *(
                    page.wait_for_function(condition, arg=want, timeout=timeout_s * 1000)
                    for page in self.pages.values()
                )
            )
        except Exception:
            timed_out = True
        took = time.monotonic() - since
        shown = {name: await texts(page) for name, page in self.pages.items()}
        stuck = sum(
            [await page.locator('#items li[data-pending="true"]').count() for page in self.pages.values()]
        )
        lost = len(expected - set().union(*map(set, shown.values())))
        first = next(iter(shown.values()))
        disagree = sum(1 for rows in shown.values() if rows != first)
        report = [
            ("edits lost", lost, "0"),
            ("windows that disagree", disagree, "0"),
            ("rows stuck queued", stuck, "0"),
        ]
        for figure, value, bound in report:
            self.figures.append(Figure(scenario, figure, str(value), f"= {bound}", value == 0))
        self.figures.append(
            Figure(scenario, "time to converge", f"{took:.1f} s", f"< {timeout_s:.0f} s", not timed_out)
        )
        assert not timed_out and lost == disagree == stuck == 0, f"{scenario}: {shown}\n{self.log.tail()}"


async def queued(page: Any, count: int) -> None:
    await page.wait_for_function(f"{ROOT_DATA}.queue === '{count}'")


def run_windows(
    harness: Harness,
    names: list[str],
    demo: MakeDemo,
    figures: list[Figure],
    story: Any,
    artifacts: Path,
    *,
    sign: Any = None,
) -> None:
    recorder = NetworkRecorder()
    log = PageLog()
    wait_ms = harness.scaled(CFG.ACTION_TIMEOUT) * 1000

    async def scenario() -> None:
        contexts = [await harness.new_context(recorder, viewport=VIEWPORT) for _ in names]
        pages = {
            name: log.watch(await context.new_page(), name)
            for name, context in zip(names, contexts, strict=True)
        }
        try:
            for page in pages.values():
                page.set_default_timeout(wait_ms)
            for name, page in pages.items():  # one by one: Pyodide boots share two cores
                await (sign or sign_in)(page, demo.url, name, with_chip=True)
            await story(Windows(pages, figures, log))
        except Exception:
            for name, page in pages.items():
                state = await page.evaluate(f"({{...{ROOT_DATA}}})")
                message = await page.inner_text("#message")
                log.lines.append(f"[{name} at failure] {state} items={await texts(page)} message={message!r}")
                await page.screenshot(path=str(artifacts / f"outage-failure-{name}.png"))
            raise
        finally:
            for context in contexts:
                await context.close()

    harness.browser  # noqa: B018 - launched outside the scenario
    try:
        harness.run(scenario(), timeout=harness.scaled(420))
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__}: {exc}\n{log.tail()}\n--- make demo ---\n{demo.log()[-3000:]}")
    assert recorder.external == [], f"requests left {CFG.HOST}: {recorder.external}"


def test_readme_outage_flow(
    browser_harness: Harness, demo_data: Path, fault_figures: list[Figure], artifacts: Path
) -> None:
    """README: stop the server (Ctrl-C, make demo again) and keep editing: changes are queued
    (the badge counts them) and replayed when it is back."""
    demo = MakeDemo(demo_data)
    start_timeout = browser_harness.scaled(60)
    demo.start(start_timeout)
    converge_s = browser_harness.scaled(60)

    async def story(windows: Windows) -> None:
        alice, bob = windows.pages["alice"], windows.pages["bob"]
        await add(alice, "Milk")
        await add(bob, "Bread")
        await windows.converge("README flow: before", {"Milk", "Bread"}, time.monotonic(), converge_s)

        await asyncio.to_thread(demo.ctrl_c, start_timeout)  # Ctrl-C
        not_connected = f"{ROOT_DATA}.connection !== 'connected'"
        await asyncio.gather(alice.wait_for_function(not_connected), bob.wait_for_function(not_connected))
        await edit(alice, "Milk", "Oat milk")
        await add(alice, "Eggs")
        await delete(bob, "Bread")
        await add(bob, "Coffee")
        await asyncio.gather(queued(alice, 2), queued(bob, 2))  # the badge counts them
        await alice.screenshot(path=str(artifacts / "outage-readme-alice-queued.png"))

        await asyncio.to_thread(demo.start, start_timeout)  # make demo again
        back = time.monotonic()
        await windows.converge(
            "README flow: Ctrl-C, make demo again", {"Oat milk", "Eggs", "Coffee"}, back, converge_s
        )

    try:
        run_windows(browser_harness, ["alice", "bob"], demo, fault_figures, story, artifacts)
    finally:
        demo.stop()


def test_three_windows_through_kill_freeze_and_reload(
    browser_harness: Harness, demo_data: Path, fault_figures: list[Figure], artifacts: Path
) -> None:
    """Three people, one list: SIGKILL (supervisor restart), SIGSTOP/SIGCONT, a reload while down."""
    demo = MakeDemo(demo_data)
    timeout = browser_harness.scaled(60)
    demo.start(timeout)
    converge_s = browser_harness.scaled(60)
    boot_ms = browser_harness.scaled(90) * 1000  # Pyodide, then the 10 s connect timeout

    async def story(windows: Windows) -> None:
        alice, bob, carol = (windows.pages[name] for name in ("alice", "bob", "carol"))
        expected = {"a0", "b0", "c0"}
        await asyncio.gather(add(alice, "a0"), add(bob, "b0"), add(carol, "c0"))
        await windows.converge("3 windows: start", expected, time.monotonic(), converge_s)

        # the dev server process is killed; make demo says so and starts it again
        os.kill(demo.dev_server_pid(), signal.SIGKILL)
        await asyncio.gather(add(alice, "a1"), add(bob, "b1"), edit(carol, "c0", "c0'"))
        expected = {"a0", "b0", "c0'", "a1", "b1"}
        await asyncio.to_thread(demo.wait_output, "the dev server is back", timeout)
        await windows.converge(
            "3 windows: dev server SIGKILL + restart", expected, time.monotonic(), converge_s
        )

        # frozen: the adds in flight get no answer (the server stores them on SIGCONT)
        pid = demo.dev_server_pid()
        os.kill(pid, signal.SIGSTOP)
        try:
            await asyncio.gather(add(alice, "a2"), add(bob, "b2"), delete(carol, "a0"))
            not_connected = f"{ROOT_DATA}.connection !== 'connected'"
            await asyncio.gather(*(p.wait_for_function(not_connected) for p in (alice, bob, carol)))
            await asyncio.gather(add(alice, "a3"), add(carol, "c3"))
        finally:
            os.kill(pid, signal.SIGCONT)
        expected = (expected - {"a0"}) | {"a2", "b2", "a3", "c3"}
        await windows.converge(
            "3 windows: dev server SIGSTOP + SIGCONT", expected, time.monotonic(), converge_s
        )

        # a reload while the server is away: the page boots, waits, replays its saved queue
        pid = demo.dev_server_pid()
        os.kill(pid, signal.SIGSTOP)
        try:
            await asyncio.gather(
                *(p.wait_for_function(f"{ROOT_DATA}.connection !== 'connected'") for p in (bob,))
            )
            await add(bob, "b4")
            await edit(alice, "a1", "a1'")
            await queued(bob, 1)
            await bob.reload()
            waiting = "document.querySelector('#loading-text')?.textContent.includes('not reachable')"
            await bob.wait_for_function(waiting, timeout=boot_ms)  # booted while the server is away
        finally:
            os.kill(pid, signal.SIGCONT)
        expected = (expected - {"a1"}) | {"a1'", "b4"}
        await windows.converge("3 windows: reload during an outage", expected, time.monotonic(), converge_s)

    try:
        run_windows(browser_harness, ["alice", "bob", "carol"], demo, fault_figures, story, artifacts)
    finally:
        demo.stop()


def test_signed_out_after_a_data_reset_keeps_the_changes(
    browser_harness: Harness, demo_data: Path, fault_figures: list[Figure], artifacts: Path
) -> None:
    """Ctrl-C, ``rm -rf data/``, edits, make demo again: the sessions are gone; each window
    shows "signed out" with its count and, once signed in, sends its changes (none lost)."""
    demo = MakeDemo(demo_data)
    timeout = browser_harness.scaled(60)
    demo.start(timeout)
    converge_s = browser_harness.scaled(60)

    async def story(windows: Windows) -> None:
        alice, bob = windows.pages["alice"], windows.pages["bob"]
        await add(alice, "kept")
        await windows.converge("data reset: before", {"kept"}, time.monotonic(), converge_s)
        await asyncio.to_thread(demo.ctrl_c, timeout)
        shutil.rmtree(demo_data)  # the README's reset, while the windows are open
        await add(alice, "from alice")
        await add(bob, "from bob")
        await asyncio.gather(queued(alice, 1), queued(bob, 1))
        await asyncio.to_thread(demo.start, timeout)
        signed_out = f"{ROOT_DATA}.connection === 'signed-out' && {ROOT_DATA}.queue === '1'"
        await asyncio.gather(alice.wait_for_function(signed_out), bob.wait_for_function(signed_out))
        assert "1 change wait" in await alice.inner_text("#login-reason")
        back = time.monotonic()
        # at once: both windows then find the list missing and make it together
        await asyncio.gather(
            *(page.click(f".demo-users [data-user={name}]") for name, page in windows.pages.items())
        )
        # "kept" went with the reset data; both queued changes arrive
        await windows.converge(
            "data reset: sessions lost, sign in again", {"from alice", "from bob"}, back, converge_s
        )

    try:
        run_windows(browser_harness, ["alice", "bob"], demo, fault_figures, story, artifacts)
    finally:
        demo.stop()


def http(demo: MakeDemo, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://{CFG.HOST}:{demo.api_port}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers=headers,
        method=method,
    )
    with urllib.request.urlopen(request, timeout=CFG.scaled(10)) as response:
        return json.loads(response.read())["result"]


def test_a_reader_sees_the_forbidden_state(
    browser_harness: Harness, demo_data: Path, fault_figures: list[Figure], artifacts: Path
) -> None:
    """The demo's reader (dave, who may read the list but not write it): the page says
    read-only (connection pill and a notice) and offers no add form."""
    demo = MakeDemo(demo_data)
    demo.start(browser_harness.scaled(60))
    # dave is make demo's reader (demo/securities.json); an editor makes the list first
    editor = http(demo, "POST", "/_login/local", {"username": "alice", "password": "alice-password"})["jwt"]
    http(demo, "POST", "/kuzzle_browser_demo/_create", {}, editor)
    http(demo, "PUT", "/kuzzle_browser_demo/items", {}, editor)

    async def story(windows: Windows) -> None:
        dave = windows.pages["dave"]
        await dave.wait_for_function(f"{ROOT_DATA}.connection === 'forbidden'")
        assert await dave.is_visible("#read-only") and not await dave.is_visible("#add-form")
        assert "read-only" in await dave.inner_text("#connection-text")

    async def sign_in_dave(page: Any, url: str, name: str, *, with_chip: bool) -> None:
        await sign_in(page, url, name, with_chip=False)

    try:
        run_windows(browser_harness, ["dave"], demo, fault_figures, story, artifacts, sign=sign_in_dave)
    finally:
        demo.stop()
