"""Keep-alive policy (docs/protocol.md §5.2): when to send the application ping, when the link is dead.

Computed from elapsed time, not from ticks: browsers throttle timers in
background tabs, and a late wake-up must mean "check now", never "missed N pongs".
"""

from __future__ import annotations

import enum

__all__ = ["Heartbeat", "HeartbeatAction"]


class HeartbeatAction(enum.Enum):
    """What the caller must do after :meth:`Heartbeat.poll`."""

    WAIT = "wait"
    """Nothing yet; sleep until :meth:`Heartbeat.next_deadline`."""
    PING = "ping"
    """Send ``{"p":1}`` now."""
    DEAD = "dead"
    """No message arrived for a whole interval after a ping: close and reconnect."""


class Heartbeat:
    """Application-ping policy for one open socket.

    Usage: call :meth:`activity` on every inbound frame; sleep until
    :meth:`next_deadline`, then act on :meth:`poll`.
    """

    def __init__(self, *, interval: float, now: float) -> None:
        """Start the policy on a socket that opened at ``now`` (seconds, any monotonic clock)."""
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.interval = interval
        self._next_tick = now + interval
        self._awaiting_answer = False

    def activity(self) -> None:
        """Record that a frame arrived: the link is alive."""
        self._awaiting_answer = False

    def next_deadline(self) -> float:
        """When to call :meth:`poll` next."""
        return self._next_tick

    def poll(self, now: float) -> HeartbeatAction:
        """Decide what to do at ``now``; call again at :meth:`next_deadline`."""
        if now < self._next_tick:
            return HeartbeatAction.WAIT
        self._next_tick = now + self.interval
        if self._awaiting_answer:
            return HeartbeatAction.DEAD
        self._awaiting_answer = True
        return HeartbeatAction.PING
