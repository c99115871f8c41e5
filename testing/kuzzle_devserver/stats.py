"""Request statistics (kuzzle ``lib/core/statistics/statistics.ts``).

Kuzzle counts requests per protocol (ongoing, completed, failed) and writes a frame every
``statsInterval`` (10 s), kept ``ttl`` (1 h). Its frames are the JSON text of JavaScript
``Map`` objects, which serialise as ``{}``: once a frame exists, every answer shows empty
counters, and ``getLastStats`` always does. Before the first frame, ``getStats`` answers one
hit with the live counters. This module keeps those rules; frames are computed from the
start time instead of being written.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .errors import kerror

STATS_INTERVAL_MS = 10_000
STATS_TTL_MS = 3_600_000
_EMPTY_MAPS = ("completedRequests", "connections", "failedRequests", "ongoingRequests")


def _now_ms() -> int:
    return int(time.time() * 1000)


class Statistics:
    def __init__(self, sockets: Callable[[], int] = lambda: 0) -> None:
        self._started = _now_ms()
        self.sockets = sockets  # how many WebSocket connections are open
        self._ongoing: Counter[str] = Counter()
        self._completed: Counter[str] = Counter()
        self._failed: Counter[str] = Counter()

    def start(self, protocol: str) -> None:
        self._ongoing[protocol] += 1

    def finish(self, protocol: str, failed: bool) -> None:
        self._ongoing[protocol] -= 1
        (self._failed if failed else self._completed)[protocol] += 1

    def _frames(self, now: int) -> list[int]:
        """The timestamps of the frames still in the cache."""
        count = (now - self._started) // STATS_INTERVAL_MS
        frames = [self._started + STATS_INTERVAL_MS * k for k in range(1, count + 1)]
        return [f for f in frames if f > now - STATS_TTL_MS]

    def _live(self, protocol: str) -> dict[str, Any]:
        connections = Counter({"websocket": self.sockets()})
        if protocol == "http":
            connections["http"] += 1  # an HTTP request is a connection while it runs
        return {
            "completedRequests": dict(self._completed),
            "connections": {k: v for k, v in connections.items() if v},
            "failedRequests": dict(self._failed),
            "ongoingRequests": dict(self._ongoing),
        }

    def get_stats(self, protocol: str, start: Any = None, stop: Any = None) -> dict[str, Any]:
        now = _now_ms()
        start_ms, stop_ms = _time_arg("startTime", start), _time_arg("stopTime", stop)
        if start_ms is not None and start_ms >= now:
            return {"hits": [], "total": 0}
        frames = self._frames(now)
        hits: list[dict[str, Any]] = []
        if not frames:
            if not stop_ms or stop_ms >= now:
                hits.append({"timestamp": now, **self._live(protocol)})
        else:
            for frame in frames:
                if (not start_ms or start_ms <= frame) and (not stop_ms or stop_ms >= frame):
                    hits.append({**{key: {} for key in _EMPTY_MAPS}, "timestamp": frame})
        return {"hits": hits, "total": len(hits)}

    def get_last_stats(self) -> dict[str, Any]:
        return {"timestamp": _now_ms(), **{key: {} for key in _EMPTY_MAPS}}


def _time_arg(name: str, value: Any) -> float | None:
    """A timestamp, or a date string (``new Date(value)``); ``invalid_argument`` otherwise."""
    if value in (None, "", 0):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value)
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000
    except ValueError:
        raise kerror("api.assert.invalid_argument", name, "number") from None
