"""Command line: ``python -m kuzzle_devserver [options]`` (see ``--help``)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from .app import DevServer
from .config import DEFAULT_USERS_FILE, ServerConfig, parse_duration_ms


def parse_args(argv: list[str] | None = None) -> ServerConfig:
    parser = argparse.ArgumentParser(
        prog="python -m kuzzle_devserver", description="Kuzzle-compatible dev server"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7512, help="0 picks a free port")
    parser.add_argument(
        "--data", type=Path, default=None, help="directory of kuzzle.sqlite3 (default: a fresh temporary one)"
    )
    parser.add_argument(
        "--users", type=Path, default=DEFAULT_USERS_FILE,
        help="security fixture (JSON), loaded into a new data directory only",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=60.0,
        help="seconds a socket may send nothing before it is closed",
    )
    parser.add_argument(
        "--max-request-size",
        type=int,
        default=1_048_576,
        help="maximum HTTP body and WebSocket frame size, in bytes",
    )
    parser.add_argument("--allowed-origins", default="*", help='comma-separated allowed origins, or "*"')
    parser.add_argument("--control", action="store_true", help="enable the /_devserver/ control surface")
    parser.add_argument(
        "--token-ttl", default="1h", help='default token lifetime ("1h", "30s", or milliseconds)'
    )
    args = parser.parse_args(argv)
    return ServerConfig(
        host=args.host,
        port=args.port,
        data_dir=args.data,
        users_file=args.users,
        idle_timeout=args.idle_timeout,
        max_request_size=args.max_request_size,
        allowed_origins=[o.strip() for o in args.allowed_origins.split(",") if o.strip()],
        control=args.control,
        token_ttl_ms=parse_duration_ms(args.token_ttl),
    )


async def serve(config: ServerConfig) -> None:
    server = DevServer(config)
    await server.start()
    print(f"kuzzle-devserver listening on {server.url}", flush=True)
    stopping = asyncio.Event()
    server.on_shutdown = stopping.set  # admin:shutdown
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    await stopping.wait()
    await server.stop()


def main(argv: list[str] | None = None) -> int:
    asyncio.run(serve(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
