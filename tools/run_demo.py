"""``make demo``: the dev server on 127.0.0.1:7512 (``--data data/``) and the demo page.

The page (demo/, PyScript) is served on 127.0.0.1:8080 with build/vendor/ under
``/vendor/`` and build/wheels/ under ``/wheels/``; ``/pyscript.toml`` names the wheel
just built. Runs in the foreground until Ctrl-C, then stops both servers.
usage: python tools/run_demo.py [--port 8080] [--api-port 7512] [--data data]
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_wheel import WHEELS, build_wheel
from devserver_process import DevServer, DevServerError
from project_config import ROOT, load_config
from serve_static import StaticServer

DEMO_DIR = ROOT / "demo"
USERS_FILE = ROOT / "kuzzle_devserver" / "users.json"


def demo_toml(wheel: Path) -> bytes:
    """demo/pyscript.toml with the packages entry pointing at ``wheel``."""
    text = (DEMO_DIR / "pyscript.toml").read_text()
    text = re.sub(r"\./wheels/kuzzle_browser-[^\"']+\.whl", f"./wheels/{wheel.name}", text)
    return text.encode()


def demo_static_server(wheel: Path, port: int = 0) -> StaticServer:
    """A static server (not started) for the demo page, the vendored runtime and wheel."""
    cfg = load_config()
    return StaticServer(
        {"/": DEMO_DIR, "/vendor": cfg.VENDOR_DIR, "/wheels": cfg.WHEELS_DIR},
        generated={"/pyscript.toml": lambda: (demo_toml(wheel), "text/plain; charset=utf-8")},
        port=port,
    )


def demo_users() -> list[str]:
    if not USERS_FILE.is_file():
        return ["(see kuzzle_devserver/ for the users it creates)"]
    users = json.loads(USERS_FILE.read_text())
    return [f"{name} / {user.get('password', '?')}" for name, user in users.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the kuzzle-browser demo.")
    parser.add_argument("--port", type=int, default=8080, help="demo page port")
    parser.add_argument("--api-port", type=int, default=7512, help="dev server port")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="dev server data")
    args = parser.parse_args()
    cfg = load_config()

    wheels = sorted(WHEELS.glob("kuzzle_browser-*-py3-none-any.whl"))
    wheel = wheels[-1] if len(wheels) == 1 else build_wheel()
    args.data.mkdir(parents=True, exist_ok=True)
    api = DevServer(
        DevServer.command_for(port=args.api_port, data_dir=args.data),
        cwd=ROOT,
        echo=lambda line: print(f"[devserver] {line}", flush=True),
        new_session=True,
    )
    try:
        api.start(cfg.scaled(cfg.DEVSERVER_START_TIMEOUT))
    except DevServerError as exc:
        sys.exit(f"demo: {exc}")
    page = demo_static_server(wheel, args.port).start()
    url = f"{page.url}/"
    if args.api_port != 7512:
        url += f"?api_port={args.api_port}"
    print(
        f"\nkuzzle-browser demo: open {url}\n"
        f"  API (dev server): ws://{cfg.HOST}:{api.port}  data: {args.data}\n"
        f"  demo users: {', '.join(demo_users())}\n"
        "  Ctrl-C stops both servers.\n",
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (api.wait(), stop.set()), daemon=True).start()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        exited = api.returncode  # None unless the dev server ended by itself
        page.stop()
        api.stop()
    if exited is not None:
        sys.exit(f"demo: the dev server exited with code {exited}")
    print("demo stopped", flush=True)


if __name__ == "__main__":
    main()
