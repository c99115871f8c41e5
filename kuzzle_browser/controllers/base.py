"""What every controller shares: the controller name and the call into ``Kuzzle.query``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kuzzle_browser.options import DEFAULT, Timeout

if TYPE_CHECKING:
    from kuzzle_browser.client import Kuzzle

__all__ = ["BaseController"]


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
        return await self.kuzzle.query(wire, queuable=queuable, timeout=timeout)

    async def _result(self, action: str, request: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Like :meth:`_send`, but return only ``response["result"]``."""
        return (await self._send(action, request, **kwargs)).get("result")
