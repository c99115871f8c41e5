"""Checks for constructor options and setters: a wrong type or value fails at once.

The JS SDK silently falls back to the default when an option has the wrong type
(docs/protocol.md §5.1); here it raises
:class:`~kuzzle_browser.errors.InvalidArgumentError`, which names the option.
"""

from __future__ import annotations

import enum
from typing import Literal

from kuzzle_browser.errors import InvalidArgumentError

__all__ = ["DEFAULT", "Timeout", "check_duration", "check_flag", "check_optional_duration", "check_port"]


class _Default(enum.Enum):
    TOKEN = "default"

    def __repr__(self) -> str:
        return "DEFAULT"


# As a timeout: use the client's request_timeout. (Comments, not attribute docstrings:
# neither help() nor the API reference shows those, and the wheel would carry them.)
DEFAULT: Literal[_Default.TOKEN] = _Default.TOKEN

# Seconds to wait for an answer; None: no limit; DEFAULT: the client's request_timeout.
Timeout = float | None | Literal[_Default.TOKEN]


def check_flag(name: str, value: object) -> bool:
    """``value`` if it is a bool."""
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be True or False, got {value!r}")
    return value


def check_duration(name: str, value: object, *, allow_zero: bool) -> float:
    """``value`` in seconds, positive (or zero when allowed)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentError(f"{name} must be a number of seconds, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidArgumentError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def check_optional_duration(name: str, value: object) -> float | None:
    """``None`` (no limit) or a number of seconds >= 0."""
    return None if value is None else check_duration(name, value, allow_zero=True)


def check_port(value: object) -> int:
    """A TCP port, given as an int or a numeric string (as the JS SDK's ``parseInt``)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidArgumentError(f"port must be an int, got {type(value).__name__}")
    try:
        port = int(value)
    except ValueError:
        raise InvalidArgumentError(f"port must be a number, got {value!r}") from None
    if not 0 < port < 65536:
        raise InvalidArgumentError(f"port must be between 1 and 65535, got {port}")
    return port
