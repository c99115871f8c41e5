"""Application controllers: the dev server's ``app.controller.register`` of a Kuzzle ``Backend``.

A Kuzzle application registers controllers of its own (kuzzle
``lib/core/backend/backendController.ts``); Kuzzle serves their actions through the same
funnel as its native ones and lists their HTTP routes in ``server:publicApi``. HTTP route
rules, as in kuzzle ``lib/core/plugin/pluginsManager.js`` ``_initApi``:

- a route path that does not start with ``/`` is prefixed with ``/_/``;
- an action without ``http`` routes gets ``GET /_/<kebab-case controller>/<kebab-case action>``;
- a native controller name, or one already registered, is refused.

:data:`TEST_CONTROLLER` is the built-in ``greeting`` controller the SDK tests and the
fidelity scenarios use; ``--test-controller`` (or ``POST /_devserver/test-controller``)
registers it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .context import ActionTable, Handler
from .errors import kerror
from .http_routes import Route
from .request import KuzzleRequest

__all__ = ["TEST_CONTROLLER", "ActionDefinition", "AppControllers"]


@dataclass(frozen=True)
class ActionDefinition:
    """One action: its handler and its HTTP routes, ``[(verb, path), ...]`` (Kuzzle's ``http``)."""

    handler: Handler
    http: list[tuple[str, str]] = field(default_factory=list)


def _kebab(name: str) -> str:
    # lodash kebabCase for the identifiers controllers use: "sayHello" -> "say-hello".
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)
    return "-".join(word.lower() for word in words)


class AppControllers:
    """Registers app controllers into the server's action table and HTTP route list (both shared)."""

    def __init__(self, actions: ActionTable, routes: list[Route]) -> None:
        self._actions = actions
        self._routes = routes
        self._native = frozenset(actions)
        self.registered: set[str] = set()

    def register(self, name: str, actions: Mapping[str, ActionDefinition]) -> None:
        """Serve ``name``'s actions over WebSocket and HTTP from now on.

        Raises:
            ValueError: A native or already registered controller name, or no action
                (``plugin.assert.invalid_controller_definition`` in Kuzzle, at startup).
        """
        if name in self._native:
            raise ValueError(
                f'Invalid definition for controller "{name}": Native controllers cannot be overriden'
            )
        if name in self._actions:
            raise ValueError(
                f'Invalid definition for controller "{name}": A controller with this name already exists'
            )
        if not actions:
            raise ValueError(f'Invalid definition for controller "{name}": no action')
        self._actions[name] = {action: definition.handler for action, definition in actions.items()}
        for action, definition in actions.items():
            for verb, path in definition.http or [("get", f"{_kebab(name)}/{_kebab(action)}")]:
                url = path if path.startswith("/") else f"/_/{path}"
                self._routes.append(Route(verb.upper(), url, name, action))
        self.registered.add(name)


# -- the built-in test controller ------------------------------------------------------


async def _say_hello(request: KuzzleRequest) -> dict[str, Any]:
    name = request.get_string("name")
    return {"greeting": f"Hello, {name}!", "kuid": request.kuid, "body": request.body}


async def _echo(request: KuzzleRequest) -> dict[str, Any]:
    return {"args": request.args, "body": request.body, "kuid": request.kuid}


async def _fail(request: KuzzleRequest) -> None:
    raise kerror("api.assert.invalid_argument", "greeting:fail", "nothing: this action always fails")


TEST_CONTROLLER: dict[str, ActionDefinition] = {
    # POST /_/greeting/hello/:name -> {"greeting": "Hello, <name>!", "kuid", "body"}
    "sayHello": ActionDefinition(_say_hello, [("post", "greeting/hello/:name")]),
    # No route given: GET /_/greeting/echo -> {"args", "body", "kuid"}
    "echo": ActionDefinition(_echo),
    # An absolute path, kept as is: GET /greeting/fail -> api.assert.invalid_argument (400)
    "fail": ActionDefinition(_fail, [("get", "/greeting/fail")]),
}
"""``greeting``: ``sayHello`` (POST, placeholder), ``echo`` (default route), ``fail`` (an error)."""
