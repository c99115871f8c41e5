"""Roles: which API actions they allow, and Kuzzle's checks on their definition.

A role is ``{"controllers": {name: {"actions": {name: bool}}}}``; ``"*"`` stands for
any controller or action (kuzzle ``lib/model/security/role.ts``). A controller listed
by name wins over ``"*"``, an action listed by name wins over ``"*"``; only ``true``
allows. Saving a role checks (``roleRepository.validateAndSaveRole``): the definition's
shape, that the anonymous role can still log in, the action names of native controllers,
and, unless ``force``, that any other controller exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import kerror

ROLE_ALL: dict[str, Any] = {"controllers": {"*": {"actions": {"*": True}}}}
PROTECTED_IDS = ("admin", "default", "anonymous")

# Kuzzle 2.56's native controllers and their actions (the lists their constructors give,
# lib/api/controllers/*), whether or not the dev server serves them: a role may name
# them. ms (memoryStorage, its alias) has one action per Redis command: any name passes.
_NATIVE_ACTIONS = {
    "admin": "dump loadFixtures loadMappings loadSecurities refreshIndexCache resetCache resetDatabase"
    " resetSecurity shutdown",
    "auth": "checkRights checkToken createApiKey createMyCredentials createToken credentialsExist"
    " deleteApiKey deleteMyCredentials getCurrentUser getMyCredentials getMyRights getStrategies login"
    " logout refreshToken searchApiKeys updateMyCredentials updateSelf validateMyCredentials",
    "bulk": "import write mWrite deleteByQuery updateByQuery",
    "cluster": "status",
    "collection": "create delete deleteSpecifications exists getMapping getSettings getSpecifications"
    " list refresh scrollSpecifications searchSpecifications truncate update updateMapping"
    " updateSpecifications validateSpecifications",
    "debug": "nodeVersion enable disable post addListener removeListener",
    "document": "count create createOrReplace delete deleteByQuery deleteFields exists export get mCreate"
    " mCreateOrReplace mDelete mExists mGet mReplace mUpdate mUpsert replace scroll search update"
    " updateByQuery upsert validate",
    "index": "create delete exists list mDelete stats",
    "realtime": "count join list publish subscribe unsubscribe validate",
    "server": "adminExists capabilities getAllStats getConfig getLastStats getStats healthCheck info"
    " metrics now publicApi openapi",
}
NATIVE_CONTROLLERS = frozenset({*_NATIVE_ACTIONS, "security", "ms", "memoryStorage"})

ActionsOf = Callable[[str], "set[str] | None"]
"""The actions of a native controller, or None when any name is accepted (ms)."""


def kuzzle_actions(served: ActionsOf) -> ActionsOf:
    """Kuzzle's action names of a native controller, with those the server serves."""

    def actions_of(controller: str) -> set[str] | None:
        if controller in ("ms", "memoryStorage"):
            return None
        known = set(_NATIVE_ACTIONS.get(controller, "").split())
        return known | (served(controller) or set())

    return actions_of


def allows(controllers: Any, controller: str, action: str) -> bool:
    """``Role.isActionAllowed`` for ``controller:action``."""
    if not isinstance(controllers, dict):
        return False
    rights: Any
    if controller in ("ms", "memoryStorage") and ("ms" in controllers or "memoryStorage" in controllers):
        rights = controllers.get("ms") or controllers.get("memoryStorage")
    elif controller in controllers:
        rights = controllers[controller]
    elif "*" in controllers:
        rights = controllers["*"]
    else:
        return False
    actions = rights.get("actions") if isinstance(rights, dict) else None
    if not isinstance(actions, dict):
        return False
    value = actions[action] if action in actions else actions.get("*")
    return value is True


def can_log_in(controllers: dict[str, Any]) -> bool:
    """``Role.canLogIn``: ``auth:login`` allowed through ``auth`` or ``*``."""
    for controller in ("auth", "*"):
        actions = controllers.get(controller, {}).get("actions", {})
        if actions.get("login") is True or actions.get("*") is True:
            return True
    return False


def validate(role_id: str, role: dict[str, Any], actions_of: ActionsOf, *, force: bool) -> None:
    """Kuzzle's checks before a role is saved; raises its first error."""
    controllers = role.get("controllers")
    if controllers is None:
        raise kerror("api.assert.missing_argument", f"{role_id}.controllers")
    if not isinstance(controllers, dict):
        raise kerror("api.assert.invalid_type", f"{role_id}.controllers", "object")
    if not controllers:
        raise kerror("api.assert.empty_argument", f"{role_id}.controllers")
    for name, rights in controllers.items():
        _validate_controller_rights(name, rights)
    if role_id == "anonymous" and not can_log_in(controllers):
        raise kerror("security.role.login_required")
    _check_native_rights(role_id, controllers, actions_of)
    _check_other_controllers(role_id, controllers, force=force)


def _validate_controller_rights(name: str, rights: Any) -> None:
    if not isinstance(rights, dict):
        raise kerror("api.assert.invalid_type", name, "object")
    if not rights:
        raise kerror("api.assert.empty_argument", name)
    if "actions" not in rights:
        raise kerror("api.assert.missing_argument", name)
    actions = rights["actions"]
    if not isinstance(actions, dict):
        raise kerror("api.assert.invalid_type", f"{name}.actions", "object")
    if not actions:
        raise kerror("api.assert.empty_argument", f"{name}.actions")
    for action, value in actions.items():
        if not isinstance(value, bool):
            raise kerror("api.assert.invalid_type", f"{name}.actions.{action}", "boolean")


def _check_native_rights(role_id: str, controllers: dict[str, Any], actions_of: ActionsOf) -> None:
    # Kuzzle's "did you mean" hint is only shown in development mode: left out here.
    for controller, rights in controllers.items():
        if controller == "*":
            for action in rights["actions"]:
                if action != "*":
                    raise kerror("security.role.unknown_action", role_id, action, "*", "")
        elif controller in NATIVE_CONTROLLERS:
            known = actions_of(controller)
            for action in rights["actions"]:
                if known is not None and action != "*" and action not in known:
                    raise kerror("security.role.unknown_action", role_id, action, controller, "")


def _check_other_controllers(role_id: str, controllers: dict[str, Any], *, force: bool) -> None:
    # As checkRolePluginsRights: the loop stops at the first "*" or native controller.
    for controller in controllers:
        if controller == "*" or controller in NATIVE_CONTROLLERS:
            return
        if not force:  # the dev server has no plugin controllers
            raise kerror("security.role.unknown_controller", role_id, controller, "")
        return
