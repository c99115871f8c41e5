"""The ``security`` controller: users, profiles, roles, credentials and API keys of any user.

Kuzzle docs: https://docs.kuzzle.io/sdk/js/7/controllers/security/

Every method of the JS SDK 7.17.1's ``SecurityController`` (49), in snake_case, with the
same arguments in the same order. Users, profiles and roles come back as
:class:`~kuzzle_browser.security.User`, :class:`~kuzzle_browser.security.Profile` and
:class:`~kuzzle_browser.security.Role`; searches as paged results of those.

Keyword options, as the JS SDK's ``options`` object:

- every method: ``queuable`` and ``timeout`` (SDK options, never sent);
- writes: ``refresh`` - Kuzzle waits until the change is searchable (``"wait_for"``, its
  default for security writes); ``"false"`` answers sooner.

A caller without the right gets :class:`~kuzzle_browser.errors.ForbiddenError`
(``security.rights.forbidden``), or :class:`~kuzzle_browser.errors.UnauthorizedError`
(``security.rights.unauthorized``) when not logged in.

This module is loaded on the first use of ``kuzzle.security``, not at import.
"""

from __future__ import annotations

from typing import Any, Unpack

from kuzzle_browser.controllers.base import BaseController
from kuzzle_browser.controllers.document import ReadOptions
from kuzzle_browser.security import (
    Profile,
    ProfileSearchResult,
    Role,
    RoleSearchResult,
    User,
    UserSearchResult,
)

__all__ = ["SecurityController", "SecurityWriteOptions"]

Body = dict[str, Any]


class SecurityWriteOptions(ReadOptions, total=False):
    """Options of security writes."""

    refresh: str | None


def _force(force: bool) -> bool | None:
    # The JS SDK sends force: true, or null (left out) - never false.
    return True if force else None


def _search_args(**args: Any) -> dict[str, Any]:
    # Python's keyword names to Kuzzle's, leaving out what is not set.
    args["from"] = args.pop("from_", None)
    return {key: value for key, value in args.items() if value is not None}


class SecurityController(BaseController):
    """``kuzzle.security``: manage users, profiles, roles, credentials and API keys."""

    name = "security"

    async def _user(self, action: str, request: dict[str, Any], **options: Any) -> User:
        return User._from_hit(self.kuzzle, await self._result(action, request, **options))

    async def _profile(self, action: str, request: dict[str, Any], **options: Any) -> Profile:
        return Profile._from_hit(self.kuzzle, await self._result(action, request, **options))

    async def _role(self, action: str, request: dict[str, Any], **options: Any) -> Role:
        return Role._from_hit(self.kuzzle, await self._result(action, request, **options))

    async def _hits(self, action: str, request: dict[str, Any], **options: Any) -> list[dict[str, Any]]:
        result = await self._result(action, request, **options)
        hits: list[dict[str, Any]] = result.get("hits") or []
        return hits

    async def _search(
        self, action: str, body: Body | None, args: dict[str, Any], **options: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        request: dict[str, Any] = {"controller": self.name, "action": action, "body": body or {}, **args}
        response = await self._send(action, request, **options)
        return request, response.get("result") or {}

    # -- API keys -------------------------------------------------------------------

    async def create_api_key(
        self,
        user_id: str,
        description: str,
        *,
        _id: str | None = None,
        expires_in: str | int | None = None,
        **options: Unpack[SecurityWriteOptions],
    ) -> dict[str, Any]:
        """Create an API key for ``user_id``; its token is in ``result["_source"]["token"]``.

        Args:
            expires_in: Lifetime (``"1h"``, milliseconds); never expires when omitted.
        """
        result: dict[str, Any] = await self._result(
            "createApiKey",
            {"userId": user_id, "body": {"description": description}},
            _id=_id,
            expiresIn=expires_in,
            **options,
        )
        return result

    async def delete_api_key(
        self, user_id: str, api_key_id: str, **options: Unpack[SecurityWriteOptions]
    ) -> None:
        """Delete one of ``user_id``'s API keys (its token stops working)."""
        await self._send("deleteApiKey", {"userId": user_id, "_id": api_key_id}, **options)

    async def search_api_keys(
        self,
        user_id: str,
        query: Body | None = None,
        *,
        from_: int | None = None,
        size: int | None = None,
        lang: str | None = None,
        **options: Unpack[ReadOptions],
    ) -> dict[str, Any]:
        """Search ``user_id``'s API keys: ``{"hits", "total"}`` (tokens left out)."""
        result: dict[str, Any] = await self._result(
            "searchApiKeys",
            {"userId": user_id, "body": query or {}, **_search_args(from_=from_, size=size, lang=lang)},
            **options,
        )
        return result

    async def check_rights(self, kuid: str, request_payload: Body, **options: Unpack[ReadOptions]) -> bool:
        """Whether user ``kuid`` may run ``request_payload`` (``{"controller", "action", ...}``)."""
        result = await self._result("checkRights", {"userId": kuid, "body": request_payload}, **options)
        return bool(result.get("allowed"))

    # -- credentials ----------------------------------------------------------------

    async def create_credentials(
        self, strategy: str, _id: str, body: Body, **options: Unpack[ReadOptions]
    ) -> dict[str, Any]:
        """Give user ``_id`` credentials for ``strategy`` (``{"username", "password"}`` for local)."""
        result: dict[str, Any] = await self._result(
            "createCredentials", {"strategy": strategy, "_id": _id, "body": body}, **options
        )
        return result

    async def update_credentials(
        self, strategy: str, _id: str, body: Body, **options: Unpack[ReadOptions]
    ) -> dict[str, Any]:
        """Change user ``_id``'s credentials for ``strategy``."""
        result: dict[str, Any] = await self._result(
            "updateCredentials", {"strategy": strategy, "_id": _id, "body": body}, **options
        )
        return result

    async def validate_credentials(
        self, strategy: str, _id: str, body: Body, **options: Unpack[ReadOptions]
    ) -> bool:
        """Whether ``body`` would be valid credentials of user ``_id`` for ``strategy``."""
        request = {"strategy": strategy, "_id": _id, "body": body}
        return bool(await self._result("validateCredentials", request, **options))

    async def delete_credentials(
        self, strategy: str, _id: str, **options: Unpack[ReadOptions]
    ) -> dict[str, Any]:
        """Remove user ``_id``'s credentials for ``strategy``: ``{"acknowledged": True}``."""
        result: dict[str, Any] = await self._result(
            "deleteCredentials", {"strategy": strategy, "_id": _id}, **options
        )
        return result

    async def has_credentials(self, strategy: str, _id: str, **options: Unpack[ReadOptions]) -> bool:
        """Whether user ``_id`` has credentials for ``strategy``."""
        return bool(await self._result("hasCredentials", {"strategy": strategy, "_id": _id}, **options))

    async def get_credentials(
        self, strategy: str, _id: str, **options: Unpack[ReadOptions]
    ) -> dict[str, Any]:
        """User ``_id``'s credentials for ``strategy``, without secrets (``{"username", "kuid"}``)."""
        result: dict[str, Any] = await self._result(
            "getCredentials", {"strategy": strategy, "_id": _id}, **options
        )
        return result

    async def get_credentials_by_id(
        self, strategy: str, _id: str, **options: Unpack[ReadOptions]
    ) -> dict[str, Any]:
        """The credentials whose strategy-side id is ``_id`` (for local: the username)."""
        result: dict[str, Any] = await self._result(
            "getCredentialsById", {"strategy": strategy, "_id": _id}, **options
        )
        return result

    async def get_credential_fields(self, strategy: str, **options: Unpack[ReadOptions]) -> list[str]:
        """The fields ``strategy`` takes, e.g. ``["username", "password"]``."""
        result: list[str] = await self._result("getCredentialFields", {"strategy": strategy}, **options)
        return result

    async def get_all_credential_fields(self, **options: Unpack[ReadOptions]) -> dict[str, list[str]]:
        """Every strategy's fields: ``{"local": ["username", "password"], ...}``."""
        result: dict[str, list[str]] = await self._result("getAllCredentialFields", **options)
        return result

    # -- users ----------------------------------------------------------------------

    async def create_first_admin(
        self, _id: str, body: Body, *, reset: bool | None = None, **options: Unpack[ReadOptions]
    ) -> User:
        """Create the first administrator while none exists.

        Args:
            body: ``{"content": {...}, "credentials": {"local": {"username", "password"}}}``.
            reset: Also restrict the anonymous and default roles to Kuzzle's standard rights.

        Raises:
            PreconditionError: ``api.process.admin_exists``.
        """
        return await self._user("createFirstAdmin", {"_id": _id, "body": body}, reset=reset, **options)

    async def create_user(self, _id: str | None, body: Body, **options: Unpack[SecurityWriteOptions]) -> User:
        """Create a user (Kuzzle picks the id when ``_id`` is None).

        Args:
            body: ``{"content": {"profileIds": [...], ...}, "credentials": {"local": {...}}}``.

        Raises:
            PreconditionError: ``security.user.already_exists``.
            NotFoundError: ``security.profile.not_found`` (a profile of ``profileIds``).
        """
        return await self._user("createUser", {"_id": _id, "body": body}, **options)

    async def create_restricted_user(
        self, body: Body, _id: str | None = None, **options: Unpack[SecurityWriteOptions]
    ) -> User:
        """Create a user with the ``default`` profile (``content`` may not set ``profileIds``)."""
        body = {**body, "content": body.get("content") or {}}
        return await self._user("createRestrictedUser", {"_id": _id, "body": body}, **options)

    async def get_user(self, _id: str, **options: Unpack[ReadOptions]) -> User:
        """Fetch user ``_id``.

        Raises:
            NotFoundError: ``security.user.not_found``.
        """
        return await self._user("getUser", {"_id": _id}, **options)

    async def m_get_users(self, ids: list[str], **options: Unpack[ReadOptions]) -> list[User]:
        """Fetch several users; unknown ids are left out."""
        hits = await self._hits("mGetUsers", {"body": {"ids": ids}}, **options)
        return [User._from_hit(self.kuzzle, hit) for hit in hits]

    async def update_user(self, _id: str, body: Body, **options: Unpack[SecurityWriteOptions]) -> User:
        """Merge ``body`` (content fields, ``profileIds``) into user ``_id``."""
        return await self._user("updateUser", {"_id": _id, "body": body}, **options)

    async def replace_user(self, _id: str, body: Body, **options: Unpack[SecurityWriteOptions]) -> User:
        """Replace user ``_id``'s content whole (``profileIds`` required)."""
        return await self._user("replaceUser", {"_id": _id, "body": body}, **options)

    async def delete_user(self, _id: str, **options: Unpack[SecurityWriteOptions]) -> dict[str, Any]:
        """Delete user ``_id``, its credentials and tokens: ``{"_id"}``."""
        result: dict[str, Any] = await self._result("deleteUser", {"_id": _id}, **options)
        return result

    async def m_delete_users(self, ids: list[str], **options: Unpack[SecurityWriteOptions]) -> list[str]:
        """Delete several users; returns the ids deleted."""
        result: list[str] = await self._result("mDeleteUsers", {"body": {"ids": ids}}, **options)
        return result

    async def search_users(
        self,
        body: Body | None = None,
        *,
        from_: int | None = None,
        size: int | None = None,
        scroll: str | None = None,
        lang: str | None = None,
        **options: Unpack[ReadOptions],
    ) -> UserSearchResult:
        """Search users (``{"query": ...}``); page with ``await result.next()`` or ``async for``."""
        args = _search_args(from_=from_, size=size, scroll=scroll, lang=lang)
        request, result = await self._search("searchUsers", body, args, **options)
        return UserSearchResult(self.kuzzle, request, result)

    async def get_user_rights(self, _id: str, **options: Unpack[ReadOptions]) -> list[dict[str, Any]]:
        """User ``_id``'s rights: ``[{"controller", "action", "index", "collection", "value"}]``."""
        return await self._hits("getUserRights", {"_id": _id}, **options)

    async def get_user_strategies(self, _id: str, **options: Unpack[ReadOptions]) -> list[str]:
        """The strategies user ``_id`` has credentials for."""
        result = await self._result("getUserStrategies", {"_id": _id}, **options)
        strategies: list[str] = result.get("strategies") or []
        return strategies

    async def get_user_mapping(self, **options: Unpack[ReadOptions]) -> dict[str, Any]:
        """The users collection's mapping: ``{"mapping": {...}}``."""
        result: dict[str, Any] = await self._result("getUserMapping", **options)
        return result

    async def update_user_mapping(self, body: Body, **options: Unpack[ReadOptions]) -> dict[str, Any]:
        """Add fields to the users collection's mapping (``{"properties": {...}}``)."""
        result: dict[str, Any] = await self._result("updateUserMapping", {"body": body}, **options)
        return result

    # -- profiles -------------------------------------------------------------------

    async def create_profile(self, _id: str, body: Body, **options: Unpack[SecurityWriteOptions]) -> Profile:
        """Create profile ``_id``: ``{"policies": [{"roleId": ...}], "rateLimit"?: n}``.

        Raises:
            NotFoundError: ``security.role.not_found`` (a policy's role).
        """
        return await self._profile("createProfile", {"_id": _id, "body": body}, **options)

    async def create_or_replace_profile(
        self, _id: str, body: Body, **options: Unpack[SecurityWriteOptions]
    ) -> Profile:
        """Create profile ``_id``, or replace it whole."""
        return await self._profile("createOrReplaceProfile", {"_id": _id, "body": body}, **options)

    async def get_profile(self, _id: str, **options: Unpack[ReadOptions]) -> Profile:
        """Fetch profile ``_id``.

        Raises:
            NotFoundError: ``security.profile.not_found``.
        """
        return await self._profile("getProfile", {"_id": _id}, **options)

    async def m_get_profiles(self, ids: list[str], **options: Unpack[ReadOptions]) -> list[Profile]:
        """Fetch several profiles."""
        hits = await self._hits("mGetProfiles", {"body": {"ids": ids}}, **options)
        return [Profile._from_hit(self.kuzzle, hit) for hit in hits]

    async def update_profile(self, _id: str, body: Body, **options: Unpack[SecurityWriteOptions]) -> Profile:
        """Change profile ``_id`` (its users get the new rights on their next request)."""
        return await self._profile("updateProfile", {"_id": _id, "body": body}, **options)

    async def delete_profile(self, _id: str, **options: Unpack[SecurityWriteOptions]) -> dict[str, Any]:
        """Delete profile ``_id``: ``{"_id"}``.

        Raises:
            PreconditionError: ``security.profile.in_use``.
        """
        result: dict[str, Any] = await self._result("deleteProfile", {"_id": _id}, **options)
        return result

    async def m_delete_profiles(self, ids: list[str], **options: Unpack[SecurityWriteOptions]) -> list[str]:
        """Delete several profiles; returns the ids deleted."""
        result: list[str] = await self._result("mDeleteProfiles", {"body": {"ids": ids}}, **options)
        return result

    async def search_profiles(
        self,
        body: Body | None = None,
        *,
        from_: int | None = None,
        size: int | None = None,
        scroll: str | None = None,
        **options: Unpack[ReadOptions],
    ) -> ProfileSearchResult:
        """Search profiles (``{"roles": [role ids]}``); page like a document search."""
        args = _search_args(from_=from_, size=size, scroll=scroll)
        request, result = await self._search("searchProfiles", body, args, **options)
        return ProfileSearchResult(self.kuzzle, request, result)

    async def get_profile_rights(self, _id: str, **options: Unpack[ReadOptions]) -> list[dict[str, Any]]:
        """Profile ``_id``'s rights: ``[{"controller", "action", "index", "collection", "value"}]``."""
        return await self._hits("getProfileRights", {"_id": _id}, **options)

    async def get_profile_mapping(self, **options: Unpack[ReadOptions]) -> dict[str, Any]:
        """The profiles collection's mapping: ``{"mapping": {...}}``."""
        result: dict[str, Any] = await self._result("getProfileMapping", **options)
        return result

    async def update_profile_mapping(self, body: Body, **options: Unpack[ReadOptions]) -> dict[str, Any]:
        """Add fields to the profiles collection's mapping."""
        result: dict[str, Any] = await self._result("updateProfileMapping", {"body": body}, **options)
        return result

    # -- roles ----------------------------------------------------------------------

    async def create_role(
        self, _id: str, body: Body, *, force: bool = False, **options: Unpack[SecurityWriteOptions]
    ) -> Role:
        """Create role ``_id``: ``{"controllers": {name: {"actions": {action: bool}}}}``.

        Args:
            force: Accept controllers and actions Kuzzle does not know (plugins not loaded yet).
        """
        request = {"_id": _id, "body": body, "force": _force(force)}
        return await self._role("createRole", request, **options)

    async def create_or_replace_role(
        self, _id: str, body: Body, *, force: bool = False, **options: Unpack[SecurityWriteOptions]
    ) -> Role:
        """Create role ``_id``, or replace it whole."""
        request = {"_id": _id, "body": body, "force": _force(force)}
        return await self._role("createOrReplaceRole", request, **options)

    async def get_role(self, _id: str, **options: Unpack[ReadOptions]) -> Role:
        """Fetch role ``_id``.

        Raises:
            NotFoundError: ``security.role.not_found``.
        """
        return await self._role("getRole", {"_id": _id}, **options)

    async def m_get_roles(self, ids: list[str], **options: Unpack[ReadOptions]) -> list[Role]:
        """Fetch several roles."""
        hits = await self._hits("mGetRoles", {"body": {"ids": ids}}, **options)
        return [Role._from_hit(self.kuzzle, hit) for hit in hits]

    async def update_role(
        self, _id: str, body: Body, *, force: bool = False, **options: Unpack[SecurityWriteOptions]
    ) -> Role:
        """Change role ``_id``; it applies to its users' next request."""
        request = {"_id": _id, "body": body, "force": _force(force)}
        return await self._role("updateRole", request, **options)

    async def delete_role(self, _id: str, **options: Unpack[SecurityWriteOptions]) -> dict[str, Any]:
        """Delete role ``_id``: ``{"_id"}``.

        Raises:
            PreconditionError: ``security.role.in_use``.
        """
        result: dict[str, Any] = await self._result("deleteRole", {"_id": _id}, **options)
        return result

    async def m_delete_roles(self, ids: list[str], **options: Unpack[SecurityWriteOptions]) -> list[str]:
        """Delete several roles; returns the ids deleted."""
        result: list[str] = await self._result("mDeleteRoles", {"body": {"ids": ids}}, **options)
        return result

    async def search_roles(
        self,
        body: Body | None = None,
        *,
        from_: int | None = None,
        size: int | None = None,
        **options: Unpack[ReadOptions],
    ) -> RoleSearchResult:
        """Search roles (``{"controllers": [names]}``); pages with ``from_``/``size`` only."""
        args = _search_args(from_=from_, size=size)
        request, result = await self._search("searchRoles", body, args, **options)
        return RoleSearchResult(self.kuzzle, request, result)

    async def get_role_mapping(self, **options: Unpack[ReadOptions]) -> dict[str, Any]:
        """The roles collection's mapping: ``{"mapping": {...}}``."""
        result: dict[str, Any] = await self._result("getRoleMapping", **options)
        return result

    async def update_role_mapping(self, body: Body, **options: Unpack[ReadOptions]) -> dict[str, Any]:
        """Add fields to the roles collection's mapping."""
        result: dict[str, Any] = await self._result("updateRoleMapping", {"body": body}, **options)
        return result

    # -- internal index -------------------------------------------------------------

    async def refresh(self, collection: str, **options: Unpack[ReadOptions]) -> None:
        """Make recent writes to ``users``, ``profiles`` or ``roles`` searchable now."""
        await self._send("refresh", {"collection": collection}, **options)
