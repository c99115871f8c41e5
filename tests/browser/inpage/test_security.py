"""In Chromium, against the dev server: ``kuzzle.security``, every method end to end, and
what a restricted user sees (allowed, forbidden, a forbidden subscription, a role change
applied to the next request, a deleted user locked out), over WebSocket and over Http
(subscriptions over WebSocket only)."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from inpage_protocols import Over, client, realtime
from inpage_support import raises, within

from kuzzle_browser import (
    ForbiddenError,
    InvalidArgumentError,
    Kuzzle,
    KuzzleError,
    NotFoundError,
    PreconditionError,
    RealtimeUnavailableError,
    UnauthorizedError,
)
from kuzzle_browser.security import Profile, Role, RoleSearchResult, User, UserSearchResult

ADMIN = {"username": "alice", "password": "alice-password"}
FORBIDDEN = ("security.rights.forbidden", 403, 117637122)


def fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def logged_in(over: Over, username: str, password: str) -> Kuzzle:
    kuzzle = client(over)
    await within(kuzzle.connect())
    await within(kuzzle.auth.login("local", {"username": username, "password": password}))
    return kuzzle


async def cleanup(*calls: Any) -> None:
    """Run clean-up calls in order; one that fails (already gone) does not stop the others."""
    for call in calls:
        with contextlib.suppress(KuzzleError):
            await call


def assert_forbidden(error: BaseException | None) -> None:
    assert isinstance(error, ForbiddenError), repr(error)
    assert (error.id, error.status, error.code) == FORBIDDEN, (error.id, error.status, error.code)


def reader_role(*, create: bool = False) -> dict[str, Any]:
    """May read documents and subscribe; ``create`` also lets it create documents."""
    return {
        "controllers": {
            "auth": {"actions": {"*": True}},
            "document": {"actions": {"get": True, "search": True, "create": create}},
            "realtime": {"actions": {"subscribe": True, "unsubscribe": True}},
        }
    }


async def test_roles_profiles_and_users() -> None:
    await roles_profiles_and_users("websocket")


async def test_roles_profiles_and_users_over_http() -> None:
    await roles_profiles_and_users("http")


async def roles_profiles_and_users(over: Over) -> None:
    """Role, profile and user: create, get, m_get, search, update, replace, delete; the helpers."""
    admin = await logged_in(over, **ADMIN)
    role_id, profile_id = fresh("role"), fresh("profile")
    user_ids = [fresh("user") for _ in range(3)]
    try:
        role = await admin.security.create_role(role_id, reader_role())
        assert isinstance(role, Role) and role._id == role_id
        assert role.controllers["document"]["actions"]["get"] is True
        replaced_role = await admin.security.create_or_replace_role(role_id, reader_role(create=True))
        assert replaced_role.controllers["document"]["actions"]["create"] is True
        updated_role = await admin.security.update_role(role_id, reader_role())
        assert updated_role.controllers["document"]["actions"]["create"] is False
        assert (await admin.security.get_role(role_id)).serialize() == updated_role.serialize()
        assert [r._id for r in await admin.security.m_get_roles([role_id])] == [role_id]
        roles = await admin.security.search_roles({"controllers": ["document"]}, from_=0, size=1)
        assert isinstance(roles, RoleSearchResult) and len(roles.hits) == 1
        assert role_id in [r._id async for p in roles for r in p.hits]  # one role per page

        profile = await admin.security.create_profile(profile_id, {"policies": [{"roleId": role_id}]})
        assert isinstance(profile, Profile) and profile.policies[0]["roleId"] == role_id
        assert [r._id for r in await profile.get_roles()] == [role_id]
        profile = await admin.security.update_profile(
            profile_id, {"policies": [{"roleId": role_id}], "rateLimit": 50}
        )
        assert profile.rate_limit == 50
        policies = {"policies": [{"roleId": role_id}]}
        profile = await admin.security.create_or_replace_profile(profile_id, policies)
        assert profile.rate_limit == 0
        assert (await admin.security.get_profile(profile_id)).policies[0]["roleId"] == role_id
        assert [p._id for p in await admin.security.m_get_profiles([profile_id])] == [profile_id]
        profiles = await admin.security.search_profiles({"roles": [role_id]})
        assert [p._id for p in profiles.hits] == [profile_id]

        for n, user_id in enumerate(user_ids):
            body = {"content": {"profileIds": [profile_id], "rank": n}}
            user = await admin.security.create_user(user_id, body)
            assert isinstance(user, User) and user.profile_ids == [profile_id]
        assert [p._id for p in await user.get_profiles()] == [profile_id]
        user = await admin.security.update_user(user_ids[0], {"nickname": "first"})
        assert user.content["nickname"] == "first" and user.content["rank"] == 0
        user = await admin.security.replace_user(user_ids[0], {"profileIds": [profile_id]})
        assert "nickname" not in user.content
        assert (await admin.security.get_user(user_ids[1])).content["rank"] == 1
        assert [u._id for u in await admin.security.m_get_users(user_ids)] == user_ids
        # from/size paging: the dev server's searchUsers does not apply sort/search_after yet
        query = {"query": {"terms": {"profileIds": [profile_id]}}}
        page = await admin.security.search_users(query, size=2)
        assert isinstance(page, UserSearchResult) and page.total == 3
        pages = [p async for p in page]
        assert [len(p.hits) for p in pages] == [2, 1]
        assert sorted(u._id for p in pages for u in p.hits) == sorted(user_ids)
        restricted = await admin.security.create_restricted_user({"content": {"note": "r"}}, fresh("r"))
        assert restricted.profile_ids == ["default"] and restricted.content["note"] == "r"

        with raises(PreconditionError) as in_use:
            await admin.security.delete_profile(profile_id)
        assert getattr(in_use.value, "id", None) == "security.profile.in_use"
        assert await admin.security.delete_user(user_ids[0]) == {"_id": user_ids[0]}
        assert sorted(await admin.security.m_delete_users([*user_ids[1:], restricted._id])) == sorted(
            [*user_ids[1:], restricted._id]
        )
        with raises(NotFoundError) as gone:
            await admin.security.get_user(user_ids[0])
        assert getattr(gone.value, "id", None) == "security.user.not_found"
        assert await admin.security.delete_profile(profile_id) == {"_id": profile_id}
        assert await admin.security.delete_role(role_id) == {"_id": role_id}
        spare_roles = [fresh("role"), fresh("role")]
        for spare in spare_roles:
            await admin.security.create_role(spare, reader_role())
        spare_profile = fresh("profile")
        await admin.security.create_profile(spare_profile, {"policies": [{"roleId": spare_roles[0]}]})
        assert await admin.security.m_delete_profiles([spare_profile]) == [spare_profile]
        assert sorted(await admin.security.m_delete_roles(spare_roles)) == sorted(spare_roles)
        with raises(PreconditionError) as exists:
            await admin.security.create_first_admin(fresh("admin"), {"content": {}})
        assert getattr(exists.value, "id", None) == "api.process.admin_exists"
    finally:
        await admin.disconnect()


async def test_credentials_api_keys_rights_and_mappings() -> None:
    await credentials_api_keys_rights_and_mappings("websocket")


async def test_credentials_api_keys_rights_and_mappings_over_http() -> None:
    await credentials_api_keys_rights_and_mappings("http")


async def credentials_api_keys_rights_and_mappings(over: Over) -> None:
    """Credentials of another user, API keys, rights, the security mappings, refresh."""
    admin = await logged_in(over, **ADMIN)
    user_id, username = fresh("user"), fresh("name")
    try:
        await admin.security.create_user(
            user_id,
            {
                "content": {"profileIds": ["default"]},
                "credentials": {"local": {"username": username, "password": "pw-1"}},
            },
        )
        assert await admin.security.has_credentials("local", user_id)
        assert (await admin.security.get_credentials("local", user_id))["username"] == username
        assert (await admin.security.get_credentials_by_id("local", username))["kuid"] == user_id
        assert await admin.security.get_user_strategies(user_id) == ["local"]
        assert {"username", "password"} <= set(await admin.security.get_credential_fields("local"))
        assert "local" in await admin.security.get_all_credential_fields()
        creds = {"username": username, "password": "pw-2"}
        assert await admin.security.validate_credentials("local", user_id, creds)
        await admin.security.update_credentials("local", user_id, {"password": "pw-2"})
        assert (await admin.security.delete_credentials("local", user_id)) == {"acknowledged": True}
        assert not await admin.security.has_credentials("local", user_id)
        await admin.security.create_credentials("local", user_id, creds)
        user = await logged_in(over, username, "pw-2")
        await user.disconnect()

        key = await admin.security.create_api_key(user_id, "notebook", expires_in="1h")
        assert key["_source"]["token"] and key["_source"]["userId"] == user_id
        found = await admin.security.search_api_keys(user_id)
        assert [hit["_id"] for hit in found["hits"]] == [key["_id"]]
        await admin.security.delete_api_key(user_id, key["_id"])
        assert (await admin.security.search_api_keys(user_id))["hits"] == []

        assert await admin.security.check_rights(user_id, {"controller": "server", "action": "now"})
        assert isinstance(await admin.security.get_user_rights(user_id), list)
        assert isinstance(await admin.security.get_profile_rights("default"), list)

        for kind in ("user", "profile", "role"):
            mapping = await getattr(admin.security, f"get_{kind}_mapping")()
            assert "mapping" in mapping, mapping
        await admin.security.update_user_mapping({"properties": {"nickname": {"type": "keyword"}}})
        assert "nickname" in (await admin.security.get_user_mapping())["mapping"]
        await admin.security.update_profile_mapping({"properties": {"tag": {"type": "keyword"}}})
        await admin.security.update_role_mapping({"properties": {"tag": {"type": "keyword"}}})
        for collection in ("users", "profiles", "roles"):
            assert await admin.security.refresh(collection) is None
        with raises(InvalidArgumentError, match="only from/size"):
            await (await admin.security.search_roles({"sort": ["_id"]}, size=1)).next()
    finally:
        await cleanup(admin.security.delete_user(user_id))
        await admin.disconnect()


async def test_a_restricted_user() -> None:
    await a_restricted_user("websocket")


async def test_a_restricted_user_over_http() -> None:
    await a_restricted_user("http")


async def a_restricted_user(over: Over) -> None:
    """Allowed actions succeed, forbidden ones raise ForbiddenError with Kuzzle's id, a
    forbidden subscription fails, a role change applies to the next request, and a deleted
    user is locked out."""
    admin = await logged_in(over, **ADMIN)
    index, other = fresh("sec"), fresh("sec")
    role_id, profile_id, user_id, username = fresh("role"), fresh("profile"), fresh("user"), fresh("name")
    for name in (index, other):
        await admin.index.create(name)
        await admin.collection.create(name, "items")
    await admin.document.create(index, "items", {"n": 1}, "d1", refresh="wait_for")
    await admin.security.create_role(role_id, reader_role())
    policy = {"roleId": role_id, "restrictedTo": [{"index": index, "collections": ["items"]}]}
    await admin.security.create_profile(profile_id, {"policies": [policy]})
    await admin.security.create_user(
        user_id,
        {
            "content": {"profileIds": [profile_id]},
            "credentials": {"local": {"username": username, "password": "pw"}},
        },
    )
    user = await logged_in(over, username, "pw")
    try:
        assert (await user.document.get(index, "items", "d1"))["_source"]["n"] == 1
        assert (await user.document.search(index, "items", {"query": {"match_all": {}}})).total == 1
        if realtime(over):
            subscription = await user.realtime.subscribe(index, "items", {})
            await subscription.unsubscribe()
        else:
            with raises(RealtimeUnavailableError):  # refused by the SDK, before any right is checked
                await user.realtime.subscribe(index, "items", {})

        with raises(ForbiddenError) as create:
            await user.document.create(index, "items", {"n": 2})
        assert_forbidden(create.value)
        with raises(ForbiddenError) as read_elsewhere:
            await user.document.search(other, "items", {"query": {"match_all": {}}})
        assert_forbidden(read_elsewhere.value)
        with raises(ForbiddenError) as admin_only:
            await user.security.get_user(user_id)
        assert_forbidden(admin_only.value)
        if realtime(over):
            with raises(ForbiddenError) as subscribe:
                await user.realtime.subscribe(other, "items", {})
            assert_forbidden(subscribe.value)

        await admin.security.update_role(role_id, reader_role(create=True))
        created = await user.document.create(index, "items", {"n": 2})  # the very next request
        assert created["_source"]["n"] == 2
        assert await admin.security.check_rights(
            user_id, {"controller": "document", "action": "create", "index": index, "collection": "items"}
        )

        await admin.security.delete_user(user_id)
        with raises(UnauthorizedError) as locked_out:
            await user.document.get(index, "items", "d1")
        assert getattr(locked_out.value, "id", None) == "security.token.invalid"
        with raises(UnauthorizedError):
            await user.auth.login("local", {"username": username, "password": "pw"})
    finally:
        await user.disconnect()
        await cleanup(
            admin.index.m_delete([index, other]),
            admin.security.delete_user(user_id),
            admin.security.delete_profile(profile_id),
            admin.security.delete_role(role_id),
        )
        await admin.disconnect()
