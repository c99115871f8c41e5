"""kuzzle.security over the fake peer: each method's frame and return value, the User /
Profile / Role objects and their helpers, the paged search results, typed rights errors."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from typing import Any

import pytest

from kuzzle_browser import (
    ForbiddenError,
    InvalidArgumentError,
    Kuzzle,
    UnauthorizedError,
    WebSocket,
)
from kuzzle_browser.controllers.security import SecurityController
from kuzzle_browser.security import (
    Profile,
    ProfileSearchResult,
    Role,
    RoleSearchResult,
    User,
    UserSearchResult,
)

from .conftest import MS, within
from .fakes import FakeTransport

# JS SDK 7.17.1 src/controllers/Security.ts, every public method.
JS_METHODS = [
    "createApiKey", "checkRights", "deleteApiKey", "searchApiKeys", "createCredentials",
    "createFirstAdmin", "createOrReplaceProfile", "createOrReplaceRole", "createProfile",
    "createRestrictedUser", "createRole", "createUser", "deleteCredentials", "deleteProfile",
    "deleteRole", "deleteUser", "getAllCredentialFields", "getCredentialFields", "getCredentials",
    "getCredentialsById", "getProfile", "getProfileMapping", "getProfileRights", "getRole",
    "getRoleMapping", "getUser", "getUserMapping", "getUserRights", "getUserStrategies",
    "hasCredentials", "mDeleteProfiles", "mDeleteRoles", "mDeleteUsers", "mGetProfiles", "mGetUsers",
    "mGetRoles", "refresh", "replaceUser", "searchProfiles", "searchRoles", "searchUsers",
    "updateCredentials", "updateProfile", "updateProfileMapping", "updateRole", "updateRoleMapping",
    "updateUser", "updateUserMapping", "validateCredentials",
]

USER = {"_id": "bob", "_source": {"profileIds": ["reader"], "name": "Bob"}}
PROFILE = {"_id": "reader", "_source": {"policies": [{"roleId": "read"}], "rateLimit": 5, "tag": "x"}}
ROLE = {"_id": "read", "_source": {"controllers": {"document": {"actions": {"get": True}}}}}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


async def connected(transport: FakeTransport) -> Kuzzle:
    kuzzle = Kuzzle(WebSocket("127.0.0.1", transport=transport, reconnection_delay=10 * MS))
    await within(kuzzle.connect())
    return kuzzle


def answer(transport: FakeTransport, action: str, result: Any) -> None:
    transport.peer.handlers[f"security:{action}"] = lambda _request: {"result": result, "error": None}


def sent(transport: FakeTransport, action: str) -> dict[str, Any]:
    frames = [r for r in transport.peer.requests if r["controller"] == "security" and r["action"] == action]
    assert frames, f"no security:{action} sent"
    return {k: v for k, v in frames[-1].items() if k not in ("requestId", "volatile", "jwt")}


def test_every_js_method_has_a_documented_coroutine() -> None:
    """The 49 methods of the JS SDK's SecurityController, snake_case, async, documented."""
    assert len(JS_METHODS) == 49
    for name in JS_METHODS:
        method = getattr(SecurityController, snake(name), None)
        assert inspect.iscoroutinefunction(method), name
        assert inspect.getdoc(method), name


def test_security_is_loaded_on_first_use() -> None:
    """import kuzzle_browser leaves the security controller out; kuzzle.security loads it."""
    code = (
        "import sys, kuzzle_browser as kb\n"
        "assert 'kuzzle_browser.controllers.security' not in sys.modules\n"
        "k = kb.Kuzzle(kb.WebSocket('h'))\n"
        "assert k.security is k.security\n"
        "assert 'kuzzle_browser.controllers.security' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# (method, args, kwargs, action, canned result, the frame's expected fields)
PLAIN_CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], str, Any, dict[str, Any]]] = [
    (
        "create_api_key",
        ("bob", "ci key"),
        {"_id": "k1", "expires_in": "1h", "refresh": "false"},
        "createApiKey",
        {"_id": "k1", "_source": {"token": "t"}},
        {
            "userId": "bob",
            "body": {"description": "ci key"},
            "_id": "k1",
            "expiresIn": "1h",
            "refresh": "false",
        },
    ),
    (
        "search_api_keys",
        ("bob", {"match": {"description": "ci"}}),
        {"from_": 0, "size": 5, "lang": "koncorde"},
        "searchApiKeys",
        {"hits": [], "total": 0},
        {
            "userId": "bob",
            "body": {"match": {"description": "ci"}},
            "from": 0,
            "size": 5,
            "lang": "koncorde",
        },
    ),
    (
        "create_credentials",
        ("local", "bob", {"username": "bob", "password": "pw"}),
        {},
        "createCredentials",
        {"username": "bob", "kuid": "bob"},
        {"strategy": "local", "_id": "bob", "body": {"username": "bob", "password": "pw"}},
    ),
    (
        "update_credentials",
        ("local", "bob", {"password": "pw2"}),
        {},
        "updateCredentials",
        {"username": "bob", "kuid": "bob"},
        {"strategy": "local", "_id": "bob", "body": {"password": "pw2"}},
    ),
    (
        "delete_credentials",
        ("local", "bob"),
        {},
        "deleteCredentials",
        {"acknowledged": True},
        {"strategy": "local", "_id": "bob"},
    ),
    (
        "get_credentials",
        ("local", "bob"),
        {},
        "getCredentials",
        {"username": "bob", "kuid": "bob"},
        {"strategy": "local", "_id": "bob"},
    ),
    (
        "get_credentials_by_id",
        ("local", "bob"),
        {},
        "getCredentialsById",
        {"username": "bob", "kuid": "bob"},
        {"strategy": "local", "_id": "bob"},
    ),
    (
        "get_credential_fields",
        ("local",),
        {},
        "getCredentialFields",
        ["username", "password"],
        {"strategy": "local"},
    ),
    ("get_all_credential_fields", (), {}, "getAllCredentialFields", {"local": ["username", "password"]}, {}),
    ("delete_user", ("bob",), {"refresh": "false"}, "deleteUser", {"_id": "bob"},
     {"_id": "bob", "refresh": "false"}),
    ("delete_profile", ("reader",), {}, "deleteProfile", {"_id": "reader"}, {"_id": "reader"}),
    ("delete_role", ("read",), {}, "deleteRole", {"_id": "read"}, {"_id": "read"}),
    ("m_delete_users", (["a", "b"],), {}, "mDeleteUsers", ["a", "b"], {"body": {"ids": ["a", "b"]}}),
    ("m_delete_profiles", (["p"],), {}, "mDeleteProfiles", ["p"], {"body": {"ids": ["p"]}}),
    ("m_delete_roles", (["r"],), {}, "mDeleteRoles", ["r"], {"body": {"ids": ["r"]}}),
    ("get_user_mapping", (), {}, "getUserMapping", {"mapping": {"profileIds": {}}}, {}),
    ("get_profile_mapping", (), {}, "getProfileMapping", {"mapping": {"policies": {}}}, {}),
    ("get_role_mapping", (), {}, "getRoleMapping", {"mapping": {"controllers": {}}}, {}),
    (
        "update_user_mapping",
        ({"properties": {"age": {"type": "integer"}}},),
        {},
        "updateUserMapping",
        {"acknowledged": True},
        {"body": {"properties": {"age": {"type": "integer"}}}},
    ),
    (
        "update_profile_mapping",
        ({"properties": {"tag": {"type": "keyword"}}},),
        {},
        "updateProfileMapping",
        {"acknowledged": True},
        {"body": {"properties": {"tag": {"type": "keyword"}}}},
    ),
    (
        "update_role_mapping",
        ({"properties": {"tag": {"type": "keyword"}}},),
        {},
        "updateRoleMapping",
        {"acknowledged": True},
        {"body": {"properties": {"tag": {"type": "keyword"}}}},
    ),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "action", "result", "fields"), PLAIN_CASES)
async def test_methods_returning_the_result(
    transport: FakeTransport,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    action: str,
    result: Any,
    fields: dict[str, Any],
) -> None:
    """Kuzzle's arguments under Kuzzle's names, nothing else on the wire; the result as is."""
    kuzzle = await connected(transport)
    answer(transport, action, result)
    returned = await within(getattr(kuzzle.security, method)(*args, **kwargs))
    assert returned == result
    assert sent(transport, action) == {"controller": "security", "action": action, **fields}


# (method, args, action, canned result, frame fields, what the method returns)
UNWRAPPED_CASES: list[tuple[str, tuple[Any, ...], str, Any, dict[str, Any], Any]] = [
    ("check_rights", ("bob", {"controller": "document", "action": "get"}), "checkRights",
     {"allowed": False}, {"userId": "bob", "body": {"controller": "document", "action": "get"}}, False),
    ("has_credentials", ("local", "bob"), "hasCredentials", True, {"strategy": "local", "_id": "bob"}, True),
    ("validate_credentials", ("local", "bob", {"password": "pw"}), "validateCredentials", True,
     {"strategy": "local", "_id": "bob", "body": {"password": "pw"}}, True),
    ("get_user_rights", ("bob",), "getUserRights",
     {"hits": [{"controller": "*", "value": "allowed"}], "total": 1},
     {"_id": "bob"}, [{"controller": "*", "value": "allowed"}]),
    ("get_profile_rights", ("reader",), "getProfileRights", {"hits": [], "total": 0}, {"_id": "reader"}, []),
    ("get_user_strategies", ("bob",), "getUserStrategies", {"strategies": ["local"], "total": 1},
     {"_id": "bob"}, ["local"]),
    ("delete_api_key", ("bob", "k1"), "deleteApiKey", {"_id": "k1"}, {"userId": "bob", "_id": "k1"}, None),
    ("refresh", ("users",), "refresh", None, {"collection": "users"}, None),
]  # fmt: skip


@pytest.mark.parametrize(("method", "args", "action", "result", "fields", "expected"), UNWRAPPED_CASES)
async def test_methods_returning_part_of_the_result(
    transport: FakeTransport,
    method: str,
    args: tuple[Any, ...],
    action: str,
    result: Any,
    fields: dict[str, Any],
    expected: Any,
) -> None:
    """Booleans, hit lists and strategies come out of the result as the JS SDK takes them."""
    kuzzle = await connected(transport)
    answer(transport, action, result)
    assert await within(getattr(kuzzle.security, method)(*args)) == expected
    assert sent(transport, action) == {"controller": "security", "action": action, **fields}


# (method, args, kwargs, action, canned result, frame fields)
OBJECT_CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], str, dict[str, Any], dict[str, Any]]] = [
    ("create_first_admin", ("bob", {"content": {}}), {"reset": True}, "createFirstAdmin", USER,
     {"_id": "bob", "body": {"content": {}}, "reset": True}),
    ("create_user", ("bob", {"content": {"profileIds": ["reader"]}}), {}, "createUser", USER,
     {"_id": "bob", "body": {"content": {"profileIds": ["reader"]}}}),
    ("create_user", (None, {"content": {"profileIds": ["reader"]}}), {}, "createUser", USER,
     {"body": {"content": {"profileIds": ["reader"]}}}),
    ("create_restricted_user", ({"credentials": {}},), {}, "createRestrictedUser", USER,
     {"body": {"credentials": {}, "content": {}}}),
    ("get_user", ("bob",), {}, "getUser", USER, {"_id": "bob"}),
    ("update_user", ("bob", {"name": "B"}), {}, "updateUser", USER, {"_id": "bob", "body": {"name": "B"}}),
    ("replace_user", ("bob", {"profileIds": ["reader"]}), {"refresh": "false"}, "replaceUser", USER,
     {"_id": "bob", "body": {"profileIds": ["reader"]}, "refresh": "false"}),
    ("create_profile", ("reader", {"policies": [{"roleId": "read"}]}), {}, "createProfile", PROFILE,
     {"_id": "reader", "body": {"policies": [{"roleId": "read"}]}}),
    ("create_or_replace_profile", ("reader", {"policies": []}), {}, "createOrReplaceProfile", PROFILE,
     {"_id": "reader", "body": {"policies": []}}),
    ("get_profile", ("reader",), {}, "getProfile", PROFILE, {"_id": "reader"}),
    ("update_profile", ("reader", {"rateLimit": 5}), {}, "updateProfile", PROFILE,
     {"_id": "reader", "body": {"rateLimit": 5}}),
    ("create_role", ("read", {"controllers": {}}), {}, "createRole", ROLE,
     {"_id": "read", "body": {"controllers": {}}}),
    ("create_role", ("read", {"controllers": {}}), {"force": True}, "createRole", ROLE,
     {"_id": "read", "body": {"controllers": {}}, "force": True}),
    ("create_or_replace_role", ("read", {"controllers": {}}), {"force": True}, "createOrReplaceRole", ROLE,
     {"_id": "read", "body": {"controllers": {}}, "force": True}),
    ("get_role", ("read",), {}, "getRole", ROLE, {"_id": "read"}),
    ("update_role", ("read", {"controllers": {}}), {}, "updateRole", ROLE,
     {"_id": "read", "body": {"controllers": {}}}),
]  # fmt: skip


@pytest.mark.parametrize(("method", "args", "kwargs", "action", "result", "fields"), OBJECT_CASES)
async def test_methods_returning_objects(
    transport: FakeTransport,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    action: str,
    result: dict[str, Any],
    fields: dict[str, Any],
) -> None:
    """Users, profiles and roles come back as objects holding the stored content."""
    kuzzle = await connected(transport)
    answer(transport, action, result)
    returned = await within(getattr(kuzzle.security, method)(*args, **kwargs))
    assert sent(transport, action) == {"controller": "security", "action": action, **fields}
    assert returned._id == result["_id"]
    if isinstance(returned, User):
        assert returned.content == result["_source"] and returned.profile_ids == ["reader"]
    elif isinstance(returned, Profile):
        assert (returned.policies, returned.rate_limit) == ([{"roleId": "read"}], 5)
        assert returned.content["tag"] == "x"
    else:
        assert isinstance(returned, Role)
        assert returned.controllers == result["_source"]["controllers"]


async def test_m_get_methods_return_lists_of_objects(transport: FakeTransport) -> None:
    """mGetUsers / mGetProfiles / mGetRoles: one object per hit, in Kuzzle's order."""
    kuzzle = await connected(transport)
    answer(transport, "mGetUsers", {"hits": [USER, {"_id": "eve", "_source": {}}]})
    answer(transport, "mGetProfiles", {"hits": [PROFILE]})
    answer(transport, "mGetRoles", {"hits": [ROLE]})
    users = await within(kuzzle.security.m_get_users(["bob", "eve"]))
    assert [(type(u), u._id) for u in users] == [(User, "bob"), (User, "eve")]
    assert users[1].profile_ids == []
    assert [p._id for p in await within(kuzzle.security.m_get_profiles(["reader"]))] == ["reader"]
    roles = await within(kuzzle.security.m_get_roles(["read"]))
    assert isinstance(roles[0], Role) and roles[0].controllers == ROLE["_source"]["controllers"]
    assert sent(transport, "mGetRoles")["body"] == {"ids": ["read"]}


async def test_user_and_profile_helpers_fetch_what_they_point_to(transport: FakeTransport) -> None:
    """user.get_profiles() asks for its profileIds, profile.get_roles() for its policies' roles."""
    kuzzle = await connected(transport)
    answer(transport, "mGetProfiles", {"hits": [PROFILE]})
    answer(transport, "mGetRoles", {"hits": [ROLE]})
    user = User(kuzzle, "bob", {"profileIds": ["reader"]})
    (profile,) = await within(user.get_profiles())
    assert sent(transport, "mGetProfiles")["body"] == {"ids": ["reader"]}
    (role,) = await within(profile.get_roles())
    assert sent(transport, "mGetRoles")["body"] == {"ids": ["read"]} and role._id == "read"


async def test_helpers_send_nothing_when_there_is_nothing_to_fetch(transport: FakeTransport) -> None:
    """No profileIds / no policies: an empty list, no request (as the JS SDK)."""
    kuzzle = await connected(transport)
    before = len(transport.peer.requests)
    assert await within(User(kuzzle, "x").get_profiles()) == []
    assert await within(Profile(kuzzle, "p", {"policies": []}).get_roles()) == []
    assert len(transport.peer.requests) == before


def test_serialize_matches_the_js_sdk(transport: FakeTransport) -> None:
    """serialize() gives what the JS SDK's serialize() gives."""
    kuzzle = Kuzzle(WebSocket("127.0.0.1", transport=transport))
    assert User(kuzzle, "bob", {"a": 1}).serialize() == {"_id": "bob", "_source": {"a": 1}}
    profile = Profile(kuzzle, "p", {"policies": [{"roleId": "r"}], "tag": "t"})
    assert profile.serialize() == {"_id": "p", "policies": [{"roleId": "r"}], "rateLimit": 0}
    assert Role(kuzzle, "r", {"*": {"actions": {"*": True}}}).serialize() == {
        "_id": "r",
        "controllers": {"*": {"actions": {"*": True}}},
    }


def paging_peer(transport: FakeTransport, action: str, hits: list[dict[str, Any]]) -> None:
    """``action`` answers hits[from:from+size], with a scrollId when asked to scroll."""

    def handler(request: dict[str, Any]) -> dict[str, Any]:
        start, size = request.get("from", 0), request.get("size", len(hits))
        result: dict[str, Any] = {"hits": hits[start : start + size], "total": len(hits)}
        if request.get("scroll"):
            result["scrollId"] = "cursor-1"
        return {"result": result, "error": None}

    transport.peer.handlers[f"security:{action}"] = handler


async def test_user_search_pages_with_from_and_size(transport: FakeTransport) -> None:
    """search_users(size=2) then next(): from = hits fetched so far; None at the end."""
    kuzzle = await connected(transport)
    users = [{"_id": f"u{n}", "_source": {"profileIds": ["default"]}} for n in range(5)]
    paging_peer(transport, "searchUsers", users)
    page = await within(kuzzle.security.search_users({"query": {}}, size=2))
    assert isinstance(page, UserSearchResult) and (page.total, page.fetched) == (5, 2)
    assert sent(transport, "searchUsers") == {
        "controller": "security",
        "action": "searchUsers",
        "body": {"query": {}},
        "size": 2,
    }
    ids = [[user._id for user in p.hits] async for p in page]
    assert ids == [["u0", "u1"], ["u2", "u3"], ["u4"]]
    assert all(isinstance(user, User) for user in page.hits)
    assert sent(transport, "searchUsers")["from"] == 4


async def test_user_and_profile_scrolls_use_their_own_scroll_actions(transport: FakeTransport) -> None:
    """A scroll search continues with scrollUsers / scrollProfiles and the scrollId."""
    kuzzle = await connected(transport)
    paging_peer(transport, "searchUsers", [USER, USER])
    paging_peer(transport, "searchProfiles", [PROFILE, PROFILE])
    answer(transport, "scrollUsers", {"hits": [{"_id": "eve", "_source": {}}], "total": 2})
    answer(transport, "scrollProfiles", {"hits": [{"_id": "p2", "_source": {}}], "total": 2})
    users = await within(kuzzle.security.search_users(size=1, scroll="10s"))
    following = await within(users.next())
    assert isinstance(following, UserSearchResult) and following.hits[0]._id == "eve"
    assert sent(transport, "scrollUsers") == {
        "controller": "security",
        "action": "scrollUsers",
        "scroll": "10s",
        "scrollId": "cursor-1",
    }
    profiles = await within(kuzzle.security.search_profiles({"roles": ["read"]}, size=1, scroll="10s"))
    assert isinstance(profiles, ProfileSearchResult) and isinstance(profiles.hits[0], Profile)
    following_profiles = await within(profiles.next())
    assert following_profiles is not None and following_profiles.hits[0]._id == "p2"
    assert sent(transport, "scrollProfiles")["scrollId"] == "cursor-1"


async def test_role_search_pages_with_from_and_size_only(transport: FakeTransport) -> None:
    """search_roles pages with from/size; a sorted role search refuses next() (Kuzzle ignores sort)."""
    kuzzle = await connected(transport)
    roles = [{"_id": f"r{n}", "_source": {"controllers": {}}} for n in range(3)]
    paging_peer(transport, "searchRoles", roles)
    page = await within(kuzzle.security.search_roles({"controllers": ["document"]}, from_=0, size=2))
    assert isinstance(page, RoleSearchResult) and [r._id for r in page.hits] == ["r0", "r1"]
    following = await within(page.next())
    assert following is not None and [r._id for r in following.hits] == ["r2"]
    assert sent(transport, "searchRoles")["from"] == 2
    sorted_page = await within(kuzzle.security.search_roles({"sort": ["_id"]}, size=2))
    with pytest.raises(InvalidArgumentError, match="only from/size"):
        await sorted_page.next()


@pytest.mark.parametrize(
    ("status", "error_id", "error_class"),
    [
        (403, "security.rights.forbidden", ForbiddenError),
        (401, "security.rights.unauthorized", UnauthorizedError),
    ],
)
async def test_rights_errors_are_typed_with_kuzzles_id(
    transport: FakeTransport, status: int, error_id: str, error_class: type[Exception]
) -> None:
    """A refused action raises ForbiddenError / UnauthorizedError carrying Kuzzle's id and code."""
    kuzzle = await connected(transport)
    error = {"id": error_id, "status": status, "code": 117637122, "message": "Insufficient permissions"}
    transport.peer.handlers["security:createUser"] = lambda _request: {"status": status, "error": error}
    with pytest.raises(error_class) as raised:
        await within(kuzzle.security.create_user("eve", {"content": {"profileIds": ["admin"]}}))
    assert (raised.value.id, raised.value.status) == (error_id, status)  # type: ignore[attr-defined]
