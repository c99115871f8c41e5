"""The demo (demo/, PyScript) driven as two people would, in two browser contexts.

Alice and Bob sign in (separate cookie jars), add, edit and delete items and each sees
the other's change at once; then the server goes away (control surface ``restart`` with a
``down`` period), both keep editing (the changes are queued, the page shows the count),
and when it is back both lists converge. Screenshots go to ``build/test-artifacts/``.
The page is served like ``make demo`` serves it (vendored PyScript and Pyodide, the fresh
wheel); the dev server is this module's own, and nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from demo_support import PageLog, artifacts, control, own_dev_server
from project_config import load_config
from run_demo import demo_index, demo_static_server, demo_toml

from pytest_kuzzle_browser.harness import Harness, KuzzleServer, NetworkRecorder

CFG = load_config()

__all__ = ["artifacts", "own_dev_server"]  # fixtures used below

ROOT_DATA = "document.documentElement.dataset"
VIEWPORT = {"width": 760, "height": 720}


async def texts(page: Any) -> list[str]:
    result: list[str] = await page.eval_on_selector_all("#items li", "els => els.map(e => e.dataset.text)")
    return result


async def wait_texts(page: Any, expected: list[str], timeout_ms: float, *, any_order: bool = False) -> None:
    """Wait until the page lists exactly ``expected`` (in order unless ``any_order``) with
    nothing queued."""
    await page.wait_for_function(
        f"""([want, anyOrder]) => {{
            let got = [...document.querySelectorAll('#items li')].map(e => e.dataset.text);
            if (anyOrder) {{ got = got.sort(); want = [...want].sort(); }}
            return JSON.stringify(got) === JSON.stringify(want)
                && {ROOT_DATA}.queue === '0'
                && !document.querySelector('#items li[data-pending="true"]');
        }}""",
        arg=[expected, any_order],
        timeout=timeout_ms,
    )


async def sign_in(page: Any, url: str, user: str, *, with_chip: bool) -> None:
    await page.goto(url)
    await page.wait_for_function(f"{ROOT_DATA}.state === 'ready' || {ROOT_DATA}.state === 'error'")
    assert await page.evaluate(f"{ROOT_DATA}.state") == "ready", await page.inner_text("#message")
    if with_chip:  # the demo-user buttons fill the form and sign in
        await page.click(f".demo-users [data-user={user}]")
    else:
        await page.fill("#username", user)
        await page.fill("#password", f"{user}-password")
        await page.click("#login-button")
    await page.wait_for_function(f"{ROOT_DATA}.user === {json.dumps(user)}")
    await page.wait_for_selector("#board:not([hidden])")


async def add(page: Any, text: str) -> None:
    await page.fill("#new-text", text)
    await page.press("#new-text", "Enter")


async def edit(page: Any, old: str, new: str) -> None:
    row = page.locator(f"#items li[data-text={json.dumps(old)}]")
    await row.locator("[data-action=edit]").click()
    await row.locator(".edit-input").fill(new)
    await row.locator(".edit-input").press("Enter")


async def delete(page: Any, text: str) -> None:
    await page.locator(f"#items li[data-text={json.dumps(text)}] [data-action=delete]").click()


def test_demo_files_are_offline_and_name_the_fresh_wheel(tmp_path: Path) -> None:
    wheel = tmp_path / "kuzzle_browser-9.9.9-py3-none-any.whl"
    toml = demo_toml(wheel).decode()
    assert f'packages = ["./wheels/{wheel.name}"]' in toml
    assert 'interpreter = "./vendor/pyodide/pyodide.mjs"' in toml
    offline, online = demo_index().decode(), demo_index(cdn=True).decode()
    assert "https://" not in offline and "./vendor/pyscript/core.js" in offline
    assert "/npm/@pyscript/core@" in online and "./vendor/" not in online  # the CDN=1 switch
    assert "https://" in demo_toml(wheel, cdn=True).decode()


def test_two_people_share_a_live_list_and_converge_after_an_outage(
    browser_harness: Harness, own_dev_server: KuzzleServer, artifacts: Path
) -> None:
    server = demo_static_server(browser_harness.wheel()).start()
    url = f"{server.url}/?api_port={own_dev_server.port}"
    recorder = NetworkRecorder()
    log = PageLog()
    wait_ms = browser_harness.scaled(CFG.ACTION_TIMEOUT) * 1000
    down = browser_harness.scaled(6)

    async def scenario() -> None:
        ctx_a = await browser_harness.new_context(recorder, viewport=VIEWPORT)
        ctx_b = await browser_harness.new_context(recorder, viewport=VIEWPORT)
        alice = log.watch(await ctx_a.new_page(), "alice")
        bob = log.watch(await ctx_b.new_page(), "bob")
        try:
            for page in (alice, bob):
                page.set_default_timeout(wait_ms)
            await asyncio.gather(
                sign_in(alice, url, "alice", with_chip=True), sign_in(bob, url, "bob", with_chip=False)
            )
            # add, both ways
            await add(alice, "Milk")
            await wait_texts(bob, ["Milk"], wait_ms)
            await add(bob, "Bread")
            await wait_texts(alice, ["Milk", "Bread"], wait_ms)
            # edit and delete, both ways
            await edit(alice, "Milk", "Oat milk")
            await wait_texts(bob, ["Oat milk", "Bread"], wait_ms)
            await delete(bob, "Bread")
            await wait_texts(alice, ["Oat milk"], wait_ms)
            await add(bob, "Apples")
            await wait_texts(alice, ["Oat milk", "Apples"], wait_ms)
            await bob.locator('#items li[data-text="Apples"] input.done').click()
            await alice.wait_for_selector('#items li[data-text="Apples"][data-done="true"]')
            assert await bob.evaluate(f"{ROOT_DATA}.connection") == "connected"

            # the server goes away for `down` seconds; both keep working
            await asyncio.to_thread(control, own_dev_server, "restart", {"down": down})
            not_connected = f"{ROOT_DATA}.connection !== 'connected'"
            await asyncio.gather(alice.wait_for_function(not_connected), bob.wait_for_function(not_connected))
            await edit(alice, "Oat milk", "Oat milk x2")
            await add(alice, "Eggs")
            await delete(bob, "Apples")
            await add(bob, "Coffee")
            await alice.wait_for_function(f"{ROOT_DATA}.queue === '2'")
            await bob.wait_for_function(f"{ROOT_DATA}.queue === '2'")
            assert await alice.evaluate(f"{ROOT_DATA}.connection") in ("reconnecting", "offline")
            assert await texts(alice) == ["Oat milk x2", "Apples", "Eggs"]  # shown at once, queued
            assert await alice.locator('#items li[data-pending="true"]').count() == 2
            await alice.screenshot(path=str(artifacts / "demo-offline-alice.png"))

            # back: the queues are replayed (the two pages' in either order) and both converge
            final = ["Oat milk x2", "Eggs", "Coffee"]
            slack = (down + browser_harness.scaled(CFG.ACTION_TIMEOUT)) * 1000
            await asyncio.gather(
                wait_texts(alice, final, slack, any_order=True), wait_texts(bob, final, slack, any_order=True)
            )
            final = await texts(alice)
            assert await texts(bob) == final  # same order too (creation time)
            for page in (alice, bob):
                assert await page.evaluate(f"{ROOT_DATA}.connection") == "connected"
            await alice.screenshot(path=str(artifacts / "demo-alice.png"))
            await bob.screenshot(path=str(artifacts / "demo-bob.png"))

            # a reload keeps the session (HttpOnly cookie) and shows the same list
            await bob.reload()
            await bob.wait_for_function(f"{ROOT_DATA}.user === 'bob'")
            await wait_texts(bob, final, wait_ms)
            assert await bob.evaluate("document.cookie") == ""  # the token is invisible to scripts
        except Exception:
            for name, page in (("alice", alice), ("bob", bob)):
                state = await page.evaluate(f"({{...{ROOT_DATA}}})")
                log.lines.append(f"[{name} at failure] {state} items={await texts(page)}")
                await page.screenshot(path=str(artifacts / f"demo-failure-{name}.png"))
            raise
        finally:
            await ctx_a.close()
            await ctx_b.close()

    browser_harness.browser  # noqa: B018 - launched outside the scenario
    try:
        browser_harness.run(scenario(), timeout=browser_harness.scaled(240))
    except Exception as exc:
        pytest.fail(f"demo scenario failed: {type(exc).__name__}: {exc}\n{log.tail()}")
    finally:
        server.stop()
    assert recorder.external == [], f"requests left {CFG.HOST}: {recorder.external}"
