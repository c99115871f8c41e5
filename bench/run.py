"""``make bench``: kuzzle_browser vs the official kuzzle-sdk vs the raw browser WebSocket.

One process serves everything on 127.0.0.1 (the dev server's Kuzzle API and control surface,
the bench page, Pyodide, the wheel, ``kuzzle.js``, a minimal echo WebSocket); a second one,
``bench/responder.mjs`` (Node), is a minimal Kuzzle-shaped responder. It starts *one*
headless Chromium as a plain process, with no automation attached (a CDP client caps
WebSocket throughput). The page drives itself: ``GET /bench/plan`` says what to run,
``POST /bench/report`` stores a result and answers with the next page to load: cold starts
(a page load each), the main table against the dev server, the same against the
responder, then the memory series. Then ``bench/report.py`` writes the tables, the JSON
and the chart.

usage: .venv/bin/python bench/run.py [--quick] [--reps N] [--memory-only N] [--out bench/results]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
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


def plan_for(quick: bool, reps: int, memory_only: int = 0) -> dict[str, Any]:
    """What the page measures; quick mode is for iterating; ``memory_only``: that many of each."""
    memory_n = memory_only or (100_000 if quick else 200_000)
    return {
        "quick": quick,
        "memory_only": bool(memory_only),
        "reps": reps,
        "cold_reps": 2 if quick else reps,
        "seq_n": 1000 if quick else 2000,
        "pipe_n": 3000 if quick else 6000,
        "windows": [1, 10, 100, 1000],
        "notif_n": 10_000 if quick else 20_000,
        "echo_n": 3000 if quick else 6000,
        # The memory series: a warm-up (caches and first-time allocations), then this many
        # requests and this many notifications, a snapshot after every tenth.
        "mem_warmup": 20_000,
        "mem_requests": memory_n,
        "mem_notifications": memory_n,
        "mem_steps": 10,
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
            plan = {**self.plan, "port": self.port, "wheel": wheel_url}
            return web.json_response(plan, headers=ISOLATION)
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
        page = "/bench/www/bench.html?"
        if report.get("error"):
            pass
        elif phase == "cold" and rep < self.plan["cold_reps"]:
            next_url = f"{page}phase=cold&rep={rep + 1}"
        elif phase == "cold":
            next_url = f"{page}phase=main&server=dev"
        elif phase == "main" and report.get("server") == "dev":
            next_url = f"{page}phase=main&server=responder"
        elif phase == "main" and not self.plan["variant"]:
            next_url = f"{page}phase=memory&server=responder"
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
        config.disable_features_switch(),  # no Playwright here: the allocation samplers only
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
    plan = {**plan_for(args.quick, args.reps, args.memory_only), "variant": args.variant}
    responder = start_responder()
    plan["responder_port"] = responder.port
    server = BenchServer(ServerConfig(port=0, control=True, idle_timeout=3600.0), plan, wheels[-1])
    await server.start()
    profile = tempfile.mkdtemp(prefix="kuzzle-bench-chromium-")
    first = "phase=cold&rep=1"
    if args.memory_only or args.variant:  # a variant run: the two tables only
        first = "phase=memory&server=responder" if args.memory_only else "phase=main&server=dev"
    url = f"{server.url}/bench/www/bench.html?{first}"
    print(f"bench server on {server.url}; Chromium (no automation attached) on {url}", flush=True)
    started = time.monotonic()
    # BENCH_LOG=file: Chromium's log there, with the page's console (what the page is doing).
    log = open(os.environ["BENCH_LOG"], "w") if os.environ.get("BENCH_LOG") else None  # noqa: SIM115, ASYNC230
    command = chromium_command(url, profile)
    browser = subprocess.Popen(  # noqa: ASYNC220 (started once, never waited for here)
        [*command[:-1], "--enable-logging=stderr", command[-1]] if log else command,
        stdout=subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        await asyncio.wait_for(server.done, timeout=args.timeout)
    finally:
        with_browser_gone(browser)
        responder.stop()
        if log:
            log.close()
        shutil.rmtree(profile, ignore_errors=True)
        await server.stop()
    errors = [r for r in server.reports if r.get("error")]
    if errors:
        raise SystemExit(f"the page failed: {errors[0]['error']}")
    return {
        "plan": plan,
        "wheel": {"name": wheels[-1].name, "bytes": wheels[-1].stat().st_size},
        "sdk_bundle_bytes": (SDK_DIST / "kuzzle.js").stat().st_size,
        "ws_package": json.loads((ROOT / "node_modules" / "ws" / "package.json").read_text())["version"],
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "chromium": chromium_version()},
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "duration_s": round(time.monotonic() - started, 1),
        "reports": server.reports,
    }


class Responder:
    """``node bench/responder.mjs``: started before the page, ended after it."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["node", str(Path(__file__).resolve().parent / "responder.mjs")],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        self.port = int(json.loads(self.process.stdout.readline())["port"])

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(10)


def start_responder() -> Responder:
    if shutil.which("node") is None:
        raise SystemExit("no node on PATH (the minimal responder runs on Node)")
    return Responder()


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
    parser.add_argument(
        "--memory-only", type=int, default=0, metavar="N", help="only the memory series, N of each"
    )
    parser.add_argument(
        "--variant", default="", choices=["", "per-frame", "send-at-once"], help="transport policy to compare"
    )
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
