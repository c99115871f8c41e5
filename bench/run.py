"""``make bench``: kuzzle_browser vs the official kuzzle-sdk vs the raw browser WebSocket.

One process serves everything on 127.0.0.1 (the dev server's Kuzzle API and control surface,
the bench page, Pyodide, the wheel, ``kuzzle.js``, a minimal echo WebSocket) and starts
*one* headless Chromium as a plain process, with no automation attached (a CDP client
caps WebSocket throughput, ``shared/research/browser-recipe`` step 5). The page drives
itself: ``GET /bench/plan`` says what to run, ``POST /bench/report`` stores a result and
answers with the next page to load (cold starts are page loads), the last report ends
the run. Then ``bench/report.py`` writes the table, the JSON and the chart.

usage: .venv/bin/python bench/run.py [--quick] [--reps N] [--out bench/results]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kuzzle_devserver import DevServer, ServerConfig  # noqa: E402
from tools.project_config import load_config  # noqa: E402

WWW = Path(__file__).resolve().parent / "www"
SDK_DIST = ROOT / "node_modules" / "kuzzle-sdk" / "dist"
# Cross-origin isolation: performance.now() then has 5 µs resolution instead of 100 µs.
ISOLATION = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cache-Control": "no-store",
}
TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".py": "text/plain",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".map": "application/json",
}


def plan_for(quick: bool, reps: int) -> dict[str, Any]:
    """What the page measures; quick mode is for iterating (about a minute)."""
    return {
        "quick": quick,
        "reps": reps,
        "cold_reps": 2 if quick else reps,
        "seq_n": 1000 if quick else 2000,
        "pipe_n": 3000 if quick else 6000,
        "windows": [1, 10, 100, 1000],
        "notif_n": 10_000 if quick else 20_000,
        "echo_n": 3000 if quick else 6000,
        # "after warm-up": a whole batch first, so caches and first-time allocations
        # are done before the measured batch
        "mem_warmup": 20_000 if quick else 100_000,
        "mem_requests": 20_000 if quick else 100_000,
        "mem_notifications": 20_000 if quick else 100_000,
    }


class BenchServer(DevServer):
    """The dev server plus the bench's own routes under ``/bench/`` and ``/vendor/``."""

    def __init__(self, config: ServerConfig, plan: dict[str, Any], wheel: Path) -> None:
        super().__init__(config)
        self.plan = plan
        self.wheel = wheel
        self.reports: list[dict[str, Any]] = []
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._statics = {
            "/bench/www/": WWW,
            "/vendor/": ROOT / "build" / "vendor",
            "/sdk/": SDK_DIST,
            "/wheels/": wheel.parent,
        }

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/bench/echo":
            return await self._echo(request)
        if path == "/bench/plan":
            wheel_url = f"/wheels/{self.wheel.name}"
            return web.json_response({**self.plan, "port": self.port, "wheel": wheel_url}, headers=ISOLATION)
        if path == "/bench/report" and request.method == "POST":
            return await self._report(request)
        for prefix, folder in self._statics.items():
            if path.startswith(prefix):
                return self._static(folder, path[len(prefix) :])
        return await super()._dispatch(request)

    def _static(self, folder: Path, rest: str) -> web.StreamResponse:
        file = (folder / rest).resolve()
        if folder.resolve() not in file.parents or not file.is_file():
            return web.Response(status=404, text="not found", headers=ISOLATION)
        ctype = TYPES.get(file.suffix, "application/octet-stream")
        return web.Response(body=file.read_bytes(), content_type=ctype, headers=ISOLATION)

    async def _echo(self, request: web.Request) -> web.WebSocketResponse:
        """The raw limit: every text frame straight back, nothing else."""
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await ws.send_str(message.data)
        return ws

    async def _report(self, request: web.Request) -> web.Response:
        report = await request.json()
        self.reports.append(report)
        phase, rep = report.get("phase"), int(report.get("rep", 0))
        print(f"  report: {phase} {rep} {report.get('error') or ''}", flush=True)
        next_url: str | None = None
        if report.get("error"):
            pass
        elif phase == "cold" and rep < self.plan["cold_reps"]:
            next_url = f"/bench/www/bench.html?phase=cold&rep={rep + 1}"
        elif phase == "cold":
            next_url = "/bench/www/bench.html?phase=main&rep=1"
        if next_url is None and not self.done.done():
            self.done.set_result(None)
        return web.json_response({"next": next_url}, headers=ISOLATION)


def chromium_command(url: str, profile: str) -> list[str]:
    config = load_config()
    executable = config.chromium_executable()
    if executable is None:
        raise SystemExit("no Chromium found (make setup)")
    args = [a for a in config.CHROMIUM_ARGS if not a.startswith("--headless")]
    return [
        executable,
        "--headless=new",
        *args,
        "--enable-precise-memory-info",
        "--js-flags=--expose-gc",
        f"--user-data-dir={profile}",
        url,
    ]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    wheels = sorted((ROOT / "build" / "wheels").glob("kuzzle_browser-*.whl"))
    if not wheels:
        raise SystemExit("no wheel in build/wheels (make wheel)")
    if not (SDK_DIST / "kuzzle.js").is_file():
        raise SystemExit("no node_modules/kuzzle-sdk (make setup)")
    plan = plan_for(args.quick, args.reps)
    server = BenchServer(ServerConfig(port=0, control=True, idle_timeout=3600.0), plan, wheels[-1])
    await server.start()
    profile = tempfile.mkdtemp(prefix="kuzzle-bench-chromium-")
    url = f"{server.url}/bench/www/bench.html?phase=cold&rep=1"
    print(f"bench server on {server.url}; Chromium (no automation attached) on {url}", flush=True)
    started = time.monotonic()
    browser = subprocess.Popen(  # noqa: ASYNC220 (started once, never waited for here)
        chromium_command(url, profile),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        await asyncio.wait_for(server.done, timeout=args.timeout)
    finally:
        with_browser_gone(browser)
        shutil.rmtree(profile, ignore_errors=True)
        await server.stop()
    errors = [r for r in server.reports if r.get("error")]
    if errors:
        raise SystemExit(f"the page failed: {errors[0]['error']}")
    return {
        "plan": plan,
        "wheel": {"name": wheels[-1].name, "bytes": wheels[-1].stat().st_size},
        "sdk_bundle_bytes": (SDK_DIST / "kuzzle.js").stat().st_size,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "chromium": chromium_version()},
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "duration_s": round(time.monotonic() - started, 1),
        "reports": server.reports,
    }


def chromium_version() -> str:
    command = [chromium_command("", "")[0], "--version"]
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()


def with_browser_gone(browser: subprocess.Popen[bytes]) -> None:
    """End the Chromium this run started (its own process group), nothing else."""
    try:
        os.killpg(browser.pid, signal.SIGTERM)
        browser.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(browser.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests and repetitions")
    parser.add_argument("--reps", type=int, default=None, help="repetitions (default 5, quick 3)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up after this many seconds")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    args.reps = args.reps or (3 if args.quick else 5)
    results = asyncio.run(run(args))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from report import write_report

    write_report(results, args.out)


if __name__ == "__main__":
    main()
