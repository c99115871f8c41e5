"""The objects ``kuzzle.security`` returns: :class:`User`, :class:`Profile`, :class:`Role`,
and the paged results of ``search_users``, ``search_profiles`` and ``search_roles``.

They follow the JS SDK 7.17.1's ``src/core/security/*.ts`` and ``src/core/searchResult/*.ts``:
plain data (``_id`` and the stored content) plus helpers that fetch what they point to,
``await user.get_profiles()`` and ``await profile.get_roles()``. They hold a snapshot: after
a change, fetch the object again (``await kuzzle.security.get_user(_id)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.search_result import SearchResultBase

if TYPE_CHECKING:
    from kuzzle_browser.client import Kuzzle

__all__ = ["Profile", "ProfileSearchResult", "Role", "RoleSearchResult", "User", "UserSearchResult"]


class Role:
    """A role: which API actions it allows, ``{"controllers": {name: {"actions": {action: bool}}}}``."""

    def __init__(self, kuzzle: Kuzzle, _id: str | None = None, controllers: dict[str, Any] | None = None):
        self._kuzzle = kuzzle
        self._id = _id
        """The role's id."""
        self.controllers: dict[str, Any] = controllers if controllers is not None else {}
        """``{controller: {"actions": {action: bool}}}``; ``"*"`` stands for any controller or action."""

    @classmethod
    def _from_hit(cls, kuzzle: Kuzzle, hit: dict[str, Any]) -> Role:
        return cls(kuzzle, hit.get("_id"), (hit.get("_source") or {}).get("controllers"))

    def serialize(self) -> dict[str, Any]:
        """``{"_id", "controllers"}``: what ``create_or_replace_role`` takes back."""
        return {"_id": self._id, "controllers": self.controllers}

    def __repr__(self) -> str:
        return f"<Role {self._id!r}>"


class Profile:
    """A profile: the roles a user gets (``policies``) and the user's request rate limit."""

    def __init__(self, kuzzle: Kuzzle, _id: str | None = None, content: dict[str, Any] | None = None):
        self._kuzzle = kuzzle
        self._id = _id
        """The profile's id."""
        self.content: dict[str, Any] = content if content is not None else {}
        """The whole stored profile, custom keys included."""
        self.policies: list[dict[str, Any]] = list(self.content.get("policies") or [])
        """``[{"roleId": ..., "restrictedTo"?: [{"index", "collections"?}]}]``."""
        self.rate_limit: int = int(self.content.get("rateLimit") or 0)
        """Requests per second allowed to each of its users; ``0`` means no limit."""

    @classmethod
    def _from_hit(cls, kuzzle: Kuzzle, hit: dict[str, Any]) -> Profile:
        return cls(kuzzle, hit.get("_id"), hit.get("_source"))

    async def get_roles(self) -> list[Role]:
        """Fetch the roles of :attr:`policies` (one ``security:mGetRoles``; none when empty)."""
        if not self.policies:
            return []
        roles: list[Role] = await self._kuzzle.security.m_get_roles([p["roleId"] for p in self.policies])
        return roles

    def serialize(self) -> dict[str, Any]:
        """``{"_id", "policies", "rateLimit"}``, as the JS SDK's ``Profile.serialize()``."""
        return {"_id": self._id, "policies": self.policies, "rateLimit": self.rate_limit}

    def __repr__(self) -> str:
        return f"<Profile {self._id!r}>"


class User:
    """A user: its ``content`` (``profileIds`` and any custom field), never its credentials."""

    def __init__(self, kuzzle: Kuzzle, _id: str | None = None, content: dict[str, Any] | None = None):
        self._kuzzle = kuzzle
        self._id = _id
        """The user's kuid."""
        self.content: dict[str, Any] = content if content is not None else {}
        """The stored user (the JS SDK's ``_source``): ``profileIds`` and custom fields."""

    @classmethod
    def _from_hit(cls, kuzzle: Kuzzle, hit: dict[str, Any]) -> User:
        return cls(kuzzle, hit.get("_id"), hit.get("_source"))

    @property
    def profile_ids(self) -> list[str]:
        """The ids of the user's profiles."""
        return list(self.content.get("profileIds") or [])

    async def get_profiles(self) -> list[Profile]:
        """Fetch the user's profiles (one ``security:mGetProfiles``; none when it has none)."""
        if not self.profile_ids:
            return []
        profiles: list[Profile] = await self._kuzzle.security.m_get_profiles(self.profile_ids)
        return profiles

    def serialize(self) -> dict[str, Any]:
        """``{"_id", "_source"}``."""
        return {"_id": self._id, "_source": self.content}

    def __repr__(self) -> str:
        return f"<User {self._id!r}>"


class UserSearchResult(SearchResultBase[User]):
    """A page of ``search_users``: ``hits`` are :class:`User` objects, scrolled with ``scrollUsers``."""

    _scroll_action = "scrollUsers"

    def _hit(self, raw: dict[str, Any]) -> User:
        return User._from_hit(self._kuzzle, raw)


class ProfileSearchResult(SearchResultBase[Profile]):
    """A page of ``search_profiles``: hits are :class:`Profile` objects, scrolled with ``scrollProfiles``."""

    _scroll_action = "scrollProfiles"

    def _hit(self, raw: dict[str, Any]) -> Profile:
        return Profile._from_hit(self._kuzzle, raw)


class RoleSearchResult(SearchResultBase[Role]):
    """A page of ``search_roles``: ``hits`` are :class:`Role` objects; pages with ``from``/``size`` only.

    Kuzzle has no ``scrollRoles`` and ``searchRoles`` ignores ``sort``, so a sorted search
    could only fetch its first page again: :meth:`next` refuses it.
    """

    def _hit(self, raw: dict[str, Any]) -> Role:
        return Role._from_hit(self._kuzzle, raw)

    def _next_request(self) -> dict[str, Any] | None:
        if (self._request.get("body") or {}).get("sort"):
            raise InvalidArgumentError("only from/size params are allowed for role search")
        return super()._next_request()
