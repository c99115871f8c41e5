"""The security store: roles, profiles and users with the rules that bind them.

What Kuzzle's role, profile and user repositories do (``lib/core/security/*``):

- a profile's roles and a user's profiles must exist (``security.role.not_found``,
  ``security.profile.not_found``); a profile without policies gets ``[{roleId: default}]``;
- ``admin``, ``default`` and ``anonymous`` roles and profiles cannot be deleted; a role
  used by a profile, a profile used by a user cannot either (``in_use``; a profile may
  be removed from its users with ``onAssignedUsers: remove``);
- the anonymous role must allow ``auth:login``, the anonymous profile must use it;
- deleting a user deletes its credentials, API keys and tokens.

Every write of one action runs in one SQLite transaction (nothing half-written), and
every read goes to SQLite, so a change applies to the next request. Rights
(``allows``, ``rights``) follow ``User.isActionAllowed``/``getRights``.
"""

from __future__ import annotations

import time
from typing import Any

from . import profiles, roles
from .api_keys import ApiKeyRepository
from .credentials import LocalStrategy
from .errors import kerror
from .internal import InternalCollection, InternalDb
from .storage import Storage
from .tokens import TokenRepository
from .users import ANONYMOUS_KUID, ANONYMOUS_USER, User, UserRepository

# internalIndexHandler securitiesBootstrap: a fresh Kuzzle allows everything to everyone.
BOOTSTRAP_ROLES: dict[str, dict[str, Any]] = {name: roles.ROLE_ALL for name in roles.PROTECTED_IDS}
BOOTSTRAP_PROFILES: dict[str, dict[str, Any]] = {
    "admin": {"policies": [{"roleId": "admin"}], "rateLimit": 0},
    "anonymous": {"policies": [{"roleId": "anonymous"}]},
    "default": {"policies": [{"roleId": "default"}]},
}
# default.config security.standard: what createFirstAdmin(reset) applies.
STANDARD_ROLES: dict[str, dict[str, Any]] = {
    "admin": roles.ROLE_ALL,
    "default": {
        "controllers": {
            "auth": {
                "actions": {
                    "checkToken": True,
                    "getCurrentUser": True,
                    "getMyRights": True,
                    "logout": True,
                    "updateSelf": True,
                }
            },
            "server": {"actions": {"publicApi": True}},
        }
    },
    "anonymous": {
        "controllers": {
            "auth": {
                "actions": {"checkToken": True, "getCurrentUser": True, "getMyRights": True, "login": True}
            },
            "server": {"actions": {"publicApi": True, "openapi": True}},
        }
    },
}
STANDARD_PROFILES: dict[str, dict[str, Any]] = {
    "admin": {"rateLimit": 0, "policies": [{"roleId": "admin"}]},
    "default": {"rateLimit": 10, "policies": [{"roleId": "default"}]},
    "anonymous": {"rateLimit": 200, "policies": [{"roleId": "anonymous"}]},
}
RESTRICTED_PROFILE_IDS = ["default"]  # security.restrictedProfileIds


def now_ms() -> int:
    return int(time.time() * 1000)


def created_info(author: str | None) -> dict[str, Any]:
    return {"author": author, "createdAt": now_ms(), "updatedAt": None, "updater": None}


class Security:
    """Roles, profiles and users of one data directory."""

    def __init__(
        self,
        internal: InternalDb,
        users: UserRepository,
        local: LocalStrategy,
        tokens: TokenRepository,
        api_keys: ApiKeyRepository,
        storage: Storage,
        actions_of: roles.ActionsOf,
    ) -> None:
        self.internal = internal
        self.roles = InternalCollection(internal, "roles")
        self.profiles = InternalCollection(internal, "profiles")
        self.users = users
        self.local = local
        self._tokens = tokens
        self._api_keys = api_keys
        self._storage = storage
        self._actions_of = actions_of

    # -- reads ------------------------------------------------------------------------------

    def role(self, role_id: str) -> dict[str, Any]:
        source = self.roles.get(role_id) if isinstance(role_id, str) else None
        if source is None:
            raise kerror("security.role.not_found", role_id)
        return source

    def profile(self, profile_id: str) -> dict[str, Any]:
        source = self.profiles.get(profile_id) if isinstance(profile_id, str) else None
        if source is None:
            raise kerror("security.profile.not_found", profile_id)
        return source

    def user(self, kuid: str) -> User:
        user = ANONYMOUS_USER if kuid == "anonymous" else self.users.get(kuid)
        if user is None:
            raise kerror("security.user.not_found", kuid)
        return user

    def admin_exists(self) -> bool:
        """``core:security:user:admin:exist``: some user has the ``admin`` profile."""
        return any("admin" in user.profile_ids for user in self.users.all())

    # -- roles ------------------------------------------------------------------------------

    def save_role(
        self, role_id: str, body: dict[str, Any], *, method: str, force: bool, author: str | None
    ) -> dict[str, Any]:
        """``create`` (must be new), ``createOrReplace``, ``replace`` (role:update, must exist)."""
        if method == "create" and self.roles.exists(role_id):
            raise kerror("services.storage.document_already_exists")
        if method == "replace" and not self.roles.exists(role_id):
            raise kerror("services.storage.not_found", role_id, "kuzzle", "roles")
        info = {"updatedAt": now_ms(), "updater": author} if method == "replace" else created_info(author)
        source = {**body, "_kuzzle_info": info}
        source.pop("_id", None)
        roles.validate(role_id, source, self._actions_of, force=force)
        self.roles.put(role_id, source)
        return source

    def delete_role(self, role_id: str) -> None:
        self.role(role_id)
        if role_id in roles.PROTECTED_IDS:
            raise kerror("security.role.cannot_delete")
        if any(
            any(p.get("roleId") == role_id for p in source.get("policies", []))
            for _, source in self.profiles.all()
        ):
            raise kerror("security.role.in_use", role_id)
        self.roles.delete(role_id)

    # -- profiles ---------------------------------------------------------------------------

    def save_profile(
        self, profile_id: str, body: dict[str, Any], *, method: str, author: str | None, strict: bool = False
    ) -> dict[str, Any]:
        """``create``, ``createOrReplace`` or ``update`` (merged into the stored profile)."""
        if method == "create" and self.profiles.exists(profile_id):
            raise kerror("services.storage.document_already_exists")
        if method == "update":
            source = {**self.profile(profile_id), **body}
            source["_kuzzle_info"] = {
                **source.get("_kuzzle_info", {}),
                "updatedAt": now_ms(),
                "updater": author,
            }
        else:
            source = {**body, "_kuzzle_info": created_info(author)}
        source.pop("_id", None)
        source.pop("optimizedPolicies", None)
        if not source.get("policies"):
            source["policies"] = [{"roleId": "default"}]
        profiles.validate(profile_id, source)
        for policy in source["policies"]:
            self.role(policy["roleId"])
            if strict:
                self._check_strict(policy)
        if profile_id == "anonymous" and all(p["roleId"] != "anonymous" for p in source["policies"]):
            raise kerror("security.profile.missing_anonymous_role")
        self.profiles.put(profile_id, source)
        return source

    def _check_strict(self, policy: dict[str, Any]) -> None:
        """``strict``: restrictions may only name existing indexes and collections."""
        for restriction in policy.get("restrictedTo") or []:
            index = restriction["index"]
            if not self._storage.index_exists(index):
                raise kerror("services.storage.unknown_index", index)
            missing = [
                c
                for c in restriction.get("collections") or []
                if not self._storage.collection_exists(index, c)
            ]
            if missing:
                raise kerror("services.storage.unknown_collection", index, missing)

    def delete_profile(self, profile_id: str, *, on_assigned_users: str, author: str | None) -> None:
        self.profile(profile_id)
        if profile_id in roles.PROTECTED_IDS:
            raise kerror("security.profile.cannot_delete")
        assigned = [user for user in self.users.all() if profile_id in user.profile_ids]
        if on_assigned_users == "remove":
            with self.internal.transaction():
                for user in assigned:
                    remaining = [p for p in user.profile_ids if p != profile_id] or ["anonymous"]
                    self.update_user(user.kuid, remaining, {}, author)
                self.profiles.delete(profile_id)
            return
        if assigned:
            raise kerror("security.profile.in_use", profile_id)
        self.profiles.delete(profile_id)

    # -- users ------------------------------------------------------------------------------

    def _check_profiles(self, kuid: str, profile_ids: Any) -> list[str]:
        if isinstance(profile_ids, str):
            profile_ids = [profile_ids]
        if not isinstance(profile_ids, list) or not profile_ids:
            raise kerror("security.user.no_profile", kuid)
        if not all(isinstance(p, str) for p in profile_ids):
            raise kerror("api.assert.invalid_type", "profileIds", "string[]")
        for profile_id in profile_ids:
            self.profile(profile_id)
        if kuid == ANONYMOUS_KUID and "anonymous" not in profile_ids:
            raise kerror("security.user.anonymous_profile_required")
        return list(profile_ids)

    def create_user(self, kuid: str, profile_ids: Any, content: dict[str, Any], author: str | None) -> User:
        content = {k: v for k, v in content.items() if k not in ("_id", "profileIds")}
        user = User(
            kuid, self._check_profiles(kuid, profile_ids), {**content, "_kuzzle_info": created_info(author)}
        )
        if self.users.exists(kuid):
            raise kerror("security.user.already_exists", kuid)
        return self.users.save(user)

    def update_user(
        self, kuid: str, profile_ids: list[str] | None, content: dict[str, Any], author: str | None
    ) -> User:
        user = self.user(kuid)
        merged = {**user.content, **{k: v for k, v in content.items() if k not in ("_id", "profileIds")}}
        merged["_kuzzle_info"] = {
            **user.content.get("_kuzzle_info", {}),
            "updatedAt": now_ms(),
            "updater": author,
        }
        updated = User(
            kuid, self._check_profiles(kuid, user.profile_ids if profile_ids is None else profile_ids), merged
        )
        return self.users.save(updated)

    def replace_user(self, kuid: str, profile_ids: Any, content: dict[str, Any], author: str | None) -> User:
        self.user(kuid)
        content = {k: v for k, v in content.items() if k not in ("_id", "profileIds")}
        user = User(
            kuid, self._check_profiles(kuid, profile_ids), {**content, "_kuzzle_info": created_info(author)}
        )
        return self.users.save(user)

    def delete_user(self, kuid: str) -> None:
        """Credentials, API keys, tokens, then the user (``userRepository.delete``)."""
        user = self.user(kuid)
        with self.internal.transaction():
            self.local.delete(user.kuid)
            self._api_keys.delete_all_of(user.kuid)
            self._tokens.revoke_all_of(user.kuid)
            self.users.delete(user.kuid)

    # -- rights -----------------------------------------------------------------------------

    def _allowed_policies(self, user: User, controller: str, action: str) -> list[list[dict[str, Any]]]:
        """Per profile of the user, its policies whose role allows ``controller:action``."""
        result = []
        for profile_id in user.profile_ids:
            policies = self.profile(profile_id).get("policies", [])
            allowed = [
                p
                for p in policies
                if roles.allows(self.role(p["roleId"]).get("controllers"), controller, action)
            ]
            result.append(allowed)
        return result

    def allows(self, user: User, controller: str, action: str, args: dict[str, Any]) -> bool:
        """``User.isActionAllowed`` for a request's controller, action and arguments."""
        if not user.profile_ids:
            return False
        per_profile = self._allowed_policies(user, controller, action)
        targets = args.get("targets")
        if not isinstance(targets, list) or not targets:
            index, collection = args.get("index"), args.get("collection")
            return any(
                profiles.within(index, collection, profiles.restrictions(policy))
                for policies in per_profile
                for policy in policies
            )
        for target in targets:
            if not isinstance(target, dict) or not target.get("index") or not target.get("collections"):
                continue
            if "*" in target["index"]:
                return False
            for collection in target["collections"]:
                if "*" in collection:
                    return False
                if not any(
                    profiles.within(target["index"], collection, profiles.restrictions(policy))
                    for policies in per_profile
                    for policy in policies
                ):
                    return False
        return True

    def rights(self, profile_ids: list[str]) -> list[dict[str, Any]]:
        """``getRights`` of the profiles, flattened as the API returns them."""
        merged: dict[tuple[Any, ...], dict[str, Any]] = {}
        for profile_id in profile_ids:
            for policy in self.profile(profile_id).get("policies", []):
                restricted = profiles.restrictions(policy) or {"*": ["*"]}
                controllers = self.role(policy["roleId"]).get("controllers", {})
                for controller, rights in controllers.items():
                    for action, value in rights.get("actions", {}).items():
                        for index, collections in restricted.items():
                            for collection in collections or ["*"]:
                                key = (controller, action, index, collection, value)
                                merged[key] = {
                                    "action": action,
                                    "collection": collection,
                                    "controller": controller,
                                    "index": index,
                                    "value": "allowed" if value is True else "denied",
                                }
        return list(merged.values())

    # -- whole-store operations -------------------------------------------------------------

    def bootstrap(self) -> None:
        """``createInitialSecurities``: the roles and profiles of a fresh Kuzzle."""
        for role_id, role in BOOTSTRAP_ROLES.items():
            self.roles.put(role_id, role)
        for profile_id, profile in BOOTSTRAP_PROFILES.items():
            self.profiles.put(profile_id, profile)

    def restrict_default_rights(self, author: str | None) -> None:
        """``restrictDefaultRights``: Kuzzle's standard roles and profiles."""
        for role_id, role in STANDARD_ROLES.items():
            self.save_role(role_id, role, method="createOrReplace", force=False, author=author)
        for profile_id, profile in STANDARD_PROFILES.items():
            self.save_profile(profile_id, profile, method="createOrReplace", author=author)

    def reset(self) -> dict[str, int]:
        """``admin:resetSecurity``: every user (their credentials, keys, tokens), profile, role."""
        with self.internal.transaction():
            kuids = [user.kuid for user in self.users.all()]
            for kuid in kuids:
                self.delete_user(kuid)
            result = {
                "deletedUsers": len(kuids),
                "deletedProfiles": self.profiles.clear(),
                "deletedRoles": self.roles.clear(),
            }
            self.bootstrap()
        return result

    def persist_user(
        self,
        kuid: str,
        profile_ids: Any,
        content: dict[str, Any],
        credentials: dict[str, Any],
        author: str | None,
    ) -> User:
        """``_persistUser``: the user and its credentials, all or nothing."""
        for strategy in credentials:
            if strategy != self.local.name:
                raise kerror("security.credentials.unknown_strategy", strategy)
            if self.local.exists(kuid):
                raise kerror("security.credentials.database_inconsistency", kuid)
        with self.internal.transaction():
            user = self.create_user(kuid, profile_ids, content, author)
            for strategy_credentials in credentials.values():
                if not isinstance(strategy_credentials, dict):
                    raise kerror("security.credentials.rejected", "credentials must be an object")
                self.local.create(kuid, strategy_credentials)
        return user


ON_EXISTING_USERS = ("skip", "overwrite", "fail")


def load_securities(
    security: Security,
    permissions: Any,
    *,
    on_existing_users: Any = "fail",
    force: bool = False,
    author: str | None = None,
) -> None:
    """``securityLoader.load`` (``admin:loadSecurities``, the ``--users`` fixture): roles,
    then profiles, then users with their credentials, in one transaction."""
    if not isinstance(permissions, dict):
        raise kerror("api.assert.invalid_type", "body", "object")
    sections = {name: permissions.get(name) or {} for name in ("roles", "profiles", "users")}
    for name, objects in sections.items():
        if not isinstance(objects, dict) or not all(isinstance(body, dict) for body in objects.values()):
            raise kerror("api.assert.invalid_type", name, "object")
    with security.internal.transaction():
        for role_id, body in sections["roles"].items():
            security.save_role(role_id, body, method="createOrReplace", force=force, author=author)
        for profile_id, body in sections["profiles"].items():
            if not isinstance(body.get("policies"), list):
                raise kerror("api.assert.invalid_type", "body.policies", "array")
            security.save_profile(profile_id, body, method="createOrReplace", author=author)
        users = sections["users"]
        existing = [kuid for kuid in users if security.users.exists(kuid)]
        if existing:
            if on_existing_users == "fail":
                raise kerror("security.user.prevent_overwrite")
            if on_existing_users == "skip":
                users = {kuid: body for kuid, body in users.items() if kuid not in existing}
            elif on_existing_users == "overwrite":
                for kuid in existing:
                    security.delete_user(kuid)
            else:
                raise kerror("api.assert.unexpected_argument", "onExistingUsers", list(ON_EXISTING_USERS))
        for kuid, body in users.items():
            content = body.get("content")
            if not isinstance(content, dict):
                raise kerror("api.assert.missing_argument", "body.content")
            if not isinstance(content.get("profileIds"), list):
                raise kerror("api.assert.missing_argument", "body.content.profileIds")
            credentials = body.get("credentials") or {}
            if not isinstance(credentials, dict):
                raise kerror("api.assert.invalid_type", "body.credentials", "object")
            security.persist_user(kuid, content.get("profileIds"), content, credentials, author)
