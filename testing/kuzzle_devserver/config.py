"""Dev server configuration and the time/size parsers shared by the CLI and the API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_USERS_FILE = Path(__file__).with_name("users.json")

# Kuzzle reads durations with the `ms` npm package: "500ms", "30s", "5m", "1h", "2d".
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def parse_duration_ms(value: str | int | float) -> int:
    """Duration in milliseconds; a bare number is milliseconds, as Kuzzle's ``expiresIn``."""
    if isinstance(value, int | float):
        return int(value)
    match = _DURATION.match(value)
    if match is None:
        raise ValueError(f"invalid duration: {value!r}")
    number, unit = match.groups()
    return int(float(number) * _UNIT_MS[unit or "ms"])


@dataclass
class ServerConfig:
    """Everything the command line can set; the defaults are Kuzzle's defaults."""

    host: str = "127.0.0.1"
    port: int = 7512
    data_dir: Path | None = None
    users_file: Path = DEFAULT_USERS_FILE
    # server.protocols.websocket.idleTimeout (60000 ms) — docs/protocol.md §2.9
    idle_timeout: float = 60.0
    # server.maxRequestSize "1MB" — docs/protocol.md §2.9
    max_request_size: int = 1_048_576
    # http.accessControlAllowOrigin "*" — docs/protocol.md §3.4
    allowed_origins: list[str] = field(default_factory=lambda: ["*"])
    control: bool = False
    # security.authToken.expiresIn "1h" — docs/protocol.md §4.1
    token_ttl_ms: int = 3_600_000

    def origin_allowed(self, origin: str) -> bool:
        """Whether a request ``Origin`` passes the allow-list (funnel ``_isOriginAuthorized``)."""
        return "*" in self.allowed_origins or origin in self.allowed_origins
