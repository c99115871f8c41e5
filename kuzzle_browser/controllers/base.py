"""What every controller shares: the controller name and the call into ``Kuzzle.query``."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from kuzzle_browser.client import Kuzzle

__all__ = ["DEFAULT", "BaseController", "Timeout"]


class _Default(enum.Enum):
    TOKEN = "default"

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Literal[_Default.TOKEN] = _Default.TOKEN
"""Use the client's ``request_timeout``."""

Timeout = float | None | Literal[_Default.TOKEN]
"""Seconds to wait for an answer; ``None``: no limit; :data:`DEFAULT`: the client's ``request_timeout``."""


class BaseController:
    """A Kuzzle API controller; its methods are ``async`` and return the action's ``result``."""

    name = ""

    def __init__(self, kuzzle: Kuzzle) -> None:
        self.kuzzle = kuzzle

    async def _send(
        self,
        action: str,
        request: dict[str, Any] | None = None,
        *,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
        **api_args: Any,
    ) -> dict[str, Any]:
        """Send ``controller:action`` and return the whole response envelope.

        Arguments whose value is ``None`` are left out, as the JS SDK drops ``undefined``.
        """
        wire = {"controller": self.name, "action": action}
        for key, value in {**(request or {}), **api_args}.items():
            if value is not None:
                wire[key] = value
        if timeout is DEFAULT:
            return await self.kuzzle.query(wire, queuable=queuable)
        return await self.kuzzle.query(wire, queuable=queuable, timeout=timeout)

    async def _result(self, action: str, request: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Like :meth:`_send`, but return only ``response["result"]``."""
        return (await self._send(action, request, **kwargs)).get("result")
