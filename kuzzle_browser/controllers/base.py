"""``BaseController``: what every controller shares, and the base class of an app's own controllers.

Kuzzle applications register controllers of their own (Kuzzle's ``Backend``:
``app.controller.register("greeting", ...)``). Give them a typed client by
subclassing :class:`BaseController` and registering the subclass with
:meth:`Kuzzle.use_controller <kuzzle_browser.Kuzzle.use_controller>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.options import DEFAULT, Timeout

if TYPE_CHECKING:
    from kuzzle_browser.client import Kuzzle

__all__ = ["BaseController"]


class BaseController:
    """A Kuzzle API controller; its methods are ``async`` and return the action's ``result``.

    An app's controller::

        class GreetingController(BaseController):
            name = "greeting"

            async def say_hello(self, name: str) -> str:
                result = await self._result("sayHello", {"name": name})
                return str(result["greeting"])

        greeting = kuzzle.use_controller(GreetingController, "greeting")
        await greeting.say_hello("ann")     # also kuzzle.greeting.say_hello("ann")

    Over :class:`~kuzzle_browser.Http`, its actions use the routes Kuzzle lists in
    ``server:publicApi`` (or ``Http(custom_routes=...)``).

    Args:
        kuzzle: The SDK instance.
        name: The controller's API name; defaults to the class attribute ``name``
            (the JS SDK passes it to the constructor: both work).
    """

    name = ""
    """The controller's name in API requests (``"greeting"``, ``"my-plugin/ctl"``)."""

    def __init__(self, kuzzle: Kuzzle, name: str | None = None) -> None:
        if name is not None:
            if not isinstance(name, str):
                raise InvalidArgumentError(f"The controller name must be a string, got {name!r}")
            self.name = name
        self.kuzzle = kuzzle

    async def query(
        self,
        request: Mapping[str, Any],
        *,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
        **api_args: Any,
    ) -> dict[str, Any]:
        """Send a request to Kuzzle and return the whole response envelope.

        ``controller`` defaults to this controller's :attr:`name` (as the JS SDK's
        ``BaseController.query``); see :meth:`Kuzzle.query <kuzzle_browser.Kuzzle.query>`
        for the arguments and errors.
        """
        if not isinstance(request, Mapping):
            raise InvalidArgumentError(f"{type(self).__name__}.query: Invalid request: {request!r}")
        wire = {**request, "controller": request.get("controller") or self.name}
        return await self.kuzzle.query(wire, queuable=queuable, timeout=timeout, **api_args)

    async def _send(
        self,
        action: str,
        request: dict[str, Any] | None = None,
        *,
        queuable: bool = True,
        timeout: Timeout = DEFAULT,
        **api_args: Any,
    ) -> dict[str, Any]:
        """Send ``controller:action`` and return the whole response envelope (for subclasses).

        Arguments whose value is ``None`` are left out, as the JS SDK drops ``undefined``.
        """
        wire = {"controller": self.name, "action": action}
        for key, value in {**(request or {}), **api_args}.items():
            if value is not None:
                wire[key] = value
        return await self.kuzzle.query(wire, queuable=queuable, timeout=timeout)

    async def _result(self, action: str, request: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Like :meth:`_send`, but return only ``response["result"]`` (for subclasses)."""
        return (await self._send(action, request, **kwargs)).get("result")
