"""``make demo``: the dev server on 127.0.0.1:7512 (``--data data/``) and the demo page.

The page (demo/, PyScript) is served on 127.0.0.1:8080 with build/vendor/ under
``/vendor/`` and build/wheels/ under ``/wheels/``; ``/pyscript.toml`` names the wheel
just built. Runs in the foreground until Ctrl-C, then stops both servers.

The dev server is a supervised subprocess: if it dies (a crash, ``kill -9``), the page
is still served, ``make demo`` says so and starts it again on the same port and data
(``--data``, default ``data/``: delete that folder while the demo is stopped to reset the
list and the sessions). The open windows queue their changes meanwhile and replay them
when it is back; sessions survive because the dev server keeps them under ``--data``.

``--cdn`` (``make demo CDN=1``): the page loads PyScript and Pyodide from public CDNs
(jsDelivr, the versions of playwright.config.py) instead of build/vendor/: the layout to
deploy on a static host. The wheel is still served next to the page.
``--kuzzle-host H [--kuzzle-port P] [--ssl]`` (``make demo KUZZLE_HOST=H ...``): no dev
server; the page talks to that Kuzzle (token authentication when H is not the page's host
name: cookies are per site).
usage: python tools/run_demo.py [--port 8080] [--api-port 7512] [--data data] [--cdn]
                                [--kuzzle-host H --kuzzle-port P --ssl]
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_wheel import WHEELS, build_wheel
from project_config import ROOT, load_config
from serve_static import StaticServer

from pytest_kuzzle_browser.devserver_process import DevServer, DevServerError

DEMO_DIR = ROOT / "demo"
# roles, profiles and users of a new data/ (admin; alice, bob, carol edit the list; dave reads it)
USERS_FILE = ROOT / "demo" / "securities.json"


def cdn_urls() -> dict[str, str]:
    """Public CDN URLs of the pinned PyScript and Pyodide (built here from parts, so no
    CDN address sits in a file the offline tests load)."""
    cfg = load_config()
    base = "https://" + ".".join(("cdn", "jsdelivr", "net"))
    return {
        "pyscript": f"{base}/npm/@pyscript/core@{cfg.PYSCRIPT_VERSION}/dist/",
        "pyodide": f"{base}/pyodide/v{cfg.PYODIDE_VERSION}/full/pyodide.mjs",
    }


def demo_toml(wheel: Path, cdn: bool = False) -> bytes:
    """demo/pyscript.toml with the packages entry pointing at ``wheel`` (and the CDN's
    Pyodide with ``cdn``)."""
    text = (DEMO_DIR / "pyscript.toml").read_text()
    text = re.sub(r"\./wheels/kuzzle_browser-[^\"']+\.whl", f"./wheels/{wheel.name}", text)
    if cdn:
        text = text.replace("./vendor/pyodide/pyodide.mjs", cdn_urls()["pyodide"])
    return text.encode()


def demo_index(cdn: bool = False) -> bytes:
    """demo/index.html, with PyScript from the CDN when ``cdn``."""
    text = (DEMO_DIR / "index.html").read_text()
    if cdn:
        text = text.replace("./vendor/pyscript/", cdn_urls()["pyscript"])
    return text.encode()


def demo_static_server(wheel: Path, port: int = 0, *, cdn: bool = False) -> StaticServer:
    """A static server (not started) for the demo page, the vendored runtime and wheel."""
    cfg = load_config()
    html = "text/html; charset=utf-8"
    return StaticServer(
        {"/": DEMO_DIR, "/vendor": cfg.VENDOR_DIR, "/wheels": cfg.WHEELS_DIR},
        generated={
            "/pyscript.toml": lambda: (demo_toml(wheel, cdn), "text/plain; charset=utf-8"),
            "/": lambda: (demo_index(cdn), html),
            "/index.html": lambda: (demo_index(cdn), html),
        },
        port=port,
    )


def demo_users() -> list[str]:
    users = json.loads(USERS_FILE.read_text())["users"]
    return [
        f"{name} / {user['credentials']['local']['password']} ({', '.join(user['content']['profileIds'])})"
        for name, user in users.items()
    ]


RESTART_DELAY = 1.0  # seconds before starting a dead dev server again


class SupervisedDevServer:
    """The dev server process, started again (same port, same data) whenever it dies."""

    def __init__(self, port: int, data: Path, start_timeout: float, say: Callable[[str], None]) -> None:
        self.port = port
        self.data = data
        self.start_timeout = start_timeout
        self.say = say
        self.stopping = threading.Event()
        self.server: DevServer | None = None

    def start(self) -> DevServer:
        server = DevServer(
            DevServer.command_for(port=self.port, data_dir=self.data, users=USERS_FILE),
            cwd=ROOT,
            echo=lambda line: print(f"[devserver] {line}", flush=True),
            new_session=True,  # Ctrl-C reaches only this process, which stops it
        )
        server.start(self.start_timeout)
        self.port = server.port  # --api-port 0: keep the port it picked for the restarts
        self.server = server
        return server

    def supervise(self) -> None:
        """Wait for the process; when it ends on its own, say so and start it again."""
        while not self.stopping.is_set():
            assert self.server is not None
            code = self.server.wait()
            if self.stopping.is_set():
                return
            self.say(
                f"the dev server exited (code {code}); the page is still served and open windows "
                f"keep their changes. Starting it again on port {self.port}…"
            )
            while not self.stopping.wait(RESTART_DELAY):
                try:
                    self.start()
                except DevServerError as exc:
                    self.say(f"could not start the dev server yet ({str(exc).splitlines()[0]}); retrying")
                    continue
                self.say(f"the dev server is back on port {self.port}; windows reconnect by themselves")
                break

    def stop(self) -> None:
        self.stopping.set()
        if self.server is not None:
            self.server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the kuzzle-browser demo.")
    parser.add_argument("--port", type=int, default=8080, help="demo page port")
    parser.add_argument("--api-port", type=int, default=7512, help="dev server port")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="dev server data")
    parser.add_argument("--cdn", action="store_true", help="PyScript and Pyodide from public CDNs")
    parser.add_argument("--kuzzle-host", default="", help="a real Kuzzle instead of the dev server")
    parser.add_argument("--kuzzle-port", type=int, default=7512, help="its port (with --kuzzle-host)")
    parser.add_argument("--ssl", action="store_true", help="wss:// and https:// (with --kuzzle-host)")
    args = parser.parse_args()
    cfg = load_config()
    # Ctrl-C must stop the demo even when a launcher started it with SIGINT ignored
    # (a shell's `cmd &` without job control does): Python only turns SIGINT into
    # KeyboardInterrupt when it starts with the default disposition.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    wheels = sorted(WHEELS.glob("kuzzle_browser-*-py3-none-any.whl"))
    wheel = wheels[-1] if len(wheels) == 1 else build_wheel()
    if args.kuzzle_host:
        serve_page_only(wheel, args)
        return
    args.data.mkdir(parents=True, exist_ok=True)
    api = SupervisedDevServer(
        args.api_port,
        args.data,
        cfg.scaled(cfg.DEVSERVER_START_TIMEOUT),
        lambda text: print(f"\n[demo] {text}\n", flush=True),
    )
    try:
        api.start()
    except DevServerError as exc:
        sys.exit(f"demo: {exc}")
    page = demo_static_server(wheel, args.port, cdn=args.cdn).start()
    url = f"{page.url}/"
    if api.port != 7512:
        url += f"?api_port={api.port}"
    print(
        f"\nkuzzle-browser demo: open {url}\n"
        f"  API (dev server): ws://{cfg.HOST}:{api.port}  data: {args.data} (delete it to reset)\n"
        f"  demo users: {', '.join(demo_users())}\n"
        "  Ctrl-C stops both servers (open windows keep their changes until it is back).\n",
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=api.supervise, daemon=True).start()
    try:
        while not stop.wait(0.5):  # a timed wait, so Ctrl-C is delivered promptly
            pass
    except KeyboardInterrupt:
        pass
    finally:
        api.stop()
        page.stop()
    print("demo stopped", flush=True)


def serve_page_only(wheel: Path, args: argparse.Namespace) -> None:
    """The page alone, pointed at the Kuzzle given on the command line."""
    page = demo_static_server(wheel, args.port, cdn=args.cdn)
    query = f"api_host={args.kuzzle_host}&api_port={args.kuzzle_port}" + ("&ssl=1" if args.ssl else "")
    scheme = "wss" if args.ssl else "ws"
    print(
        f"\nkuzzle-browser demo: open {page.url}/?{query}\n"
        f"  API: {scheme}://{args.kuzzle_host}:{args.kuzzle_port} (log in with a user of that Kuzzle)\n"
        "  Ctrl-C stops the page server.\n",
        flush=True,
    )
    try:
        page.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        page.httpd.server_close()


if __name__ == "__main__":
    main()
