"""security controller: roles and profiles, their validation, and a fresh server's state
(kuzzle lib/model/security/role.ts, profile.ts, lib/core/security/*Repository)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from api_client import Api

from kuzzle_devserver import DevServer

ALL = {"*": {"actions": {"*": True}}}
READER = {"document": {"actions": {"get": True, "search": True}}, "auth": {"actions": {"login": True}}}


@pytest.fixture
async def admin(server: DevServer, http: aiohttp.ClientSession) -> Api:
    return await Api(http, server).as_user("alice")


async def test_a_fresh_server_has_kuzzles_initial_roles_and_profiles(admin: Api) -> None:
    roles = await admin.ok("security", "searchRoles")
    assert roles == {
        "hits": [
            {"_id": name, "_source": {"controllers": ALL}} for name in ("admin", "default", "anonymous")
        ],
        "total": 3,
    }
    assert await admin.ok("security", "getProfile", _id="admin") == {
        "_id": "admin",
        "_source": {
            "policies": [{"roleId": "admin"}],
            "rateLimit": 0,
            "optimizedPolicies": [{"roleId": "admin"}],
        },
    }
    profiles = await admin.ok("security", "mGetProfiles", body={"ids": ["anonymous", "default"]})
    assert [(p["_id"], p["_source"]["rateLimit"]) for p in profiles["hits"]] == [
        ("anonymous", 0),
        ("default", 0),
    ]
    assert (await admin.ok("security", "getRole", _id="anonymous"))["_source"] == {"controllers": ALL}


async def test_role_create_replace_update_get_delete(admin: Api) -> None:
    created = await admin.ok("security", "createRole", _id="reader", body={"controllers": READER})
    assert created["_id"] == "reader" and created["_source"]["controllers"] == READER
    info = created["_source"]["_kuzzle_info"]
    assert info["author"] == "alice" and info["updater"] is None and isinstance(info["createdAt"], int)
    again = await admin.error("security", "createRole", _id="reader", body={"controllers": READER})
    assert again["id"] == "services.storage.document_already_exists"

    replaced = await admin.ok("security", "createOrReplaceRole", _id="reader", body={"controllers": ALL})
    assert replaced["_source"]["controllers"] == ALL
    updated = await admin.ok("security", "updateRole", _id="reader", body={"controllers": READER})
    assert (
        updated["_source"]["controllers"] == READER
        and updated["_source"]["_kuzzle_info"]["updater"] == "alice"
    )
    missing = await admin.error("security", "updateRole", _id="nope", body={"controllers": READER})
    assert (missing["id"], missing["status"]) == ("services.storage.not_found", 404)

    assert await admin.ok("security", "deleteRole", _id="reader") == {"_id": "reader"}
    gone = await admin.error("security", "getRole", _id="reader")
    assert gone == {
        "id": "security.role.not_found",
        "code": 0x07050001,
        "message": 'Role "reader" not found.',
        "status": 404,
        "props": ["reader"],
    }


@pytest.mark.parametrize(
    ("body", "error_id", "message"),
    [
        ({}, "api.assert.missing_argument", 'Missing argument "bad.controllers".'),
        (
            {"controllers": []},
            "api.assert.invalid_type",
            'Wrong type for argument "bad.controllers" (expected: object)',
        ),
        ({"controllers": {}}, "api.assert.empty_argument", 'The argument "bad.controllers" is empty.'),
        ({"controllers": {"document": {}}}, "api.assert.empty_argument", 'The argument "document" is empty.'),
        (
            {"controllers": {"document": {"get": True}}},
            "api.assert.missing_argument",
            'Missing argument "document".',
        ),
        (
            {"controllers": {"document": {"actions": {"get": "yes"}}}},
            "api.assert.invalid_type",
            'Wrong type for argument "document.actions.get" (expected: boolean)',
        ),
        (
            {"controllers": {"document": {"actions": {"fly": True}}}},
            "security.role.unknown_action",
            "Trying to set role bad with a non-existing action 'fly' in controller 'document'. ",
        ),
        (
            {"controllers": {"*": {"actions": {"get": True}}}},
            "security.role.unknown_action",
            "Trying to set role bad with a non-existing action 'get' in controller '*'. ",
        ),
        (
            {"controllers": {"plugin": {"actions": {"*": True}}}},
            "security.role.unknown_controller",
            "Trying to set role bad with a non-existing controller 'plugin'. ",
        ),
    ],
)
async def test_malformed_roles_are_refused_and_not_written(
    admin: Api, body: dict[str, Any], error_id: str, message: str
) -> None:
    error = await admin.error("security", "createRole", _id="bad", body=body)
    assert (error["id"], error["message"], error["status"]) == (error_id, message, 400)
    assert (await admin.error("security", "getRole", _id="bad"))["id"] == "security.role.not_found"


async def test_force_accepts_unknown_controllers(admin: Api) -> None:
    body = {"controllers": {"plugin": {"actions": {"*": True}}}}
    assert (await admin.ok("security", "createRole", _id="p", force=True, body=body))["_id"] == "p"


async def test_the_anonymous_role_must_keep_login(admin: Api) -> None:
    error = await admin.error(
        "security",
        "updateRole",
        _id="anonymous",
        body={"controllers": {"document": {"actions": {"get": True}}}},
    )
    assert error["id"] == "security.role.login_required"
    assert (await admin.ok("security", "getRole", _id="anonymous"))["_source"]["controllers"] == ALL


async def test_protected_and_used_roles_cannot_be_deleted(admin: Api) -> None:
    for name in ("admin", "default", "anonymous"):
        error = await admin.error("security", "deleteRole", _id=name)
        assert error["id"] == "security.role.cannot_delete"
    await admin.ok("security", "createRole", _id="reader", body={"controllers": READER})
    await admin.ok("security", "createProfile", _id="readers", body={"policies": [{"roleId": "reader"}]})
    in_use = await admin.error("security", "deleteRole", _id="reader")
    assert (in_use["id"], in_use["status"]) == ("security.role.in_use", 412)
    assert in_use["message"] == 'The role "reader" is still used and cannot be deleted.'


async def test_mdelete_roles_reports_partial_failures(admin: Api) -> None:
    await admin.ok("security", "createRole", _id="r1", body={"controllers": READER})
    envelope = await admin("security", "mDeleteRoles", body={"ids": ["r1", "admin", "nope"]})
    assert envelope["status"] == 206 and envelope["result"] == ["r1"]
    error = envelope["error"]
    assert error["id"] == "services.storage.incomplete_delete" and error["count"] == 2
    assert [e["id"] for e in error["errors"]] == ["security.role.cannot_delete", "security.role.not_found"]
    assert await admin.ok("security", "mGetRoles", body={"ids": ["admin"]}) == {
        "hits": [{"_id": "admin", "_source": {"controllers": ALL}}]
    }


async def test_search_roles_by_controllers(admin: Api) -> None:
    await admin.ok("security", "createRole", _id="reader", body={"controllers": READER})
    await admin.ok(
        "security", "createRole", _id="rt", body={"controllers": {"realtime": {"actions": {"*": True}}}}
    )
    found = await admin.ok("security", "searchRoles", body={"controllers": ["document"]}, size=2)
    assert [h["_id"] for h in found["hits"]] == ["admin", "default"] and found["total"] == 4


async def test_profile_create_update_and_its_answers(admin: Api) -> None:
    await admin.ok("security", "createRole", _id="reader", body={"controllers": READER})
    policies = [{"roleId": "reader", "restrictedTo": [{"index": "demo", "collections": ["b", "a"]}]}]
    created = await admin.ok(
        "security", "createProfile", _id="demo", body={"policies": policies, "rateLimit": 5}
    )
    source = created["_source"]
    assert source["policies"] == policies and source["rateLimit"] == 5
    assert source["optimizedPolicies"] == [{"roleId": "reader", "restrictedTo": {}}]
    assert source["_kuzzle_info"]["author"] == "alice"
    updated = await admin.ok("security", "updateProfile", _id="demo", body={"rateLimit": 7})
    assert updated["_source"]["rateLimit"] == 7 and updated["_source"]["policies"] == policies
    empty = await admin.ok("security", "createOrReplaceProfile", _id="empty", body={"policies": []})
    assert empty["_source"]["policies"] == [{"roleId": "default"}]
    found = await admin.ok("security", "searchProfiles", body={"roles": ["reader"]})
    assert [h["_id"] for h in found["hits"]] == ["demo"] and found["total"] == 1


@pytest.mark.parametrize(
    ("body", "error_id", "message"),
    [
        (
            {"policies": {"roleId": "default"}},
            "api.assert.invalid_type",
            'Wrong type for argument "body.policies" (expected: array)',
        ),
        ({}, "api.assert.missing_argument", 'Missing argument "body.policies".'),
        ({"policies": [{"roleId": "ghost"}]}, "security.role.not_found", 'Role "ghost" not found.'),
        (
            {"policies": [{"role": "default"}]},
            "api.assert.missing_argument",
            'Missing argument "bad.policies[0].roleId".',
        ),
        (
            {"policies": [{"roleId": "default", "extra": 1}]},
            "api.assert.unexpected_argument",
            'Unexpected argument "bad.policies[0].extra" (accepted arguments: "roleId", "restrictedTo")',
        ),
        (
            {"policies": [{"roleId": "default", "restrictedTo": {"index": "x"}}]},
            "api.assert.invalid_type",
            'Wrong type for argument "bad.policies[0].restrictedTo" (expected: object[])',
        ),
        (
            {"policies": [{"roleId": "default", "restrictedTo": [{"collections": ["a"]}]}]},
            "api.assert.missing_argument",
            'Missing argument "bad.policies[0].restrictedTo[0].index".',
        ),
        (
            {"policies": [{"roleId": "default", "restrictedTo": [{"index": "i", "collections": "a"}]}]},
            "api.assert.invalid_type",
            'Wrong type for argument "bad.policies[0].restrictedTo[0].collections" (expected: string[])',
        ),
        (
            {"policies": [{"roleId": "default"}], "rateLimit": -1},
            "api.assert.invalid_argument",
            'Invalid argument "rateLimit". Expected: positive integer, or zero',
        ),
        (
            {"policies": [{"roleId": "default"}], "rateLimit": 1.5},
            "api.assert.invalid_type",
            'Wrong type for argument "rateLimit" (expected: integer)',
        ),
    ],
)
async def test_malformed_profiles_are_refused_and_not_written(
    admin: Api, body: dict[str, Any], error_id: str, message: str
) -> None:
    error = await admin.error("security", "createProfile", _id="bad", body=body)
    assert (error["id"], error["message"]) == (error_id, message)
    assert (await admin.error("security", "getProfile", _id="bad"))["id"] == "security.profile.not_found"


async def test_strict_profiles_need_existing_indexes(admin: Api) -> None:
    body = {"policies": [{"roleId": "default", "restrictedTo": [{"index": "nope"}]}]}
    error = await admin.error("security", "createProfile", _id="p", strict=True, body=body)
    assert error["id"] == "services.storage.unknown_index"
    assert (await admin.ok("security", "createProfile", _id="p", body=body))["_id"] == "p"


async def test_profile_deletion_rules(admin: Api) -> None:
    error = await admin.error(
        "security", "updateProfile", _id="anonymous", body={"policies": [{"roleId": "default"}]}
    )
    assert error["id"] == "security.profile.missing_anonymous_role"
    for name in ("admin", "default", "anonymous"):
        assert (await admin.error("security", "deleteProfile", _id=name))[
            "id"
        ] == "security.profile.cannot_delete"
    await admin.ok("security", "createProfile", _id="extra", body={"policies": [{"roleId": "default"}]})
    await admin.ok("security", "updateUser", _id="carol", body={"profileIds": ["default", "extra"]})
    in_use = await admin.error("security", "deleteProfile", _id="extra")
    assert (in_use["id"], in_use["status"]) == ("security.profile.in_use", 412)
    assert await admin.ok("security", "deleteProfile", _id="extra", onAssignedUsers="remove") == {
        "_id": "extra"
    }
    assert (await admin.ok("security", "getUser", _id="carol"))["_source"]["profileIds"] == ["default"]


async def test_mappings_and_refresh(admin: Api) -> None:
    assert await admin.ok("security", "getUserMapping") == {"mapping": {"profileIds": {"type": "keyword"}}}
    updated = await admin.ok("security", "updateUserMapping", body={"properties": {"name": {"type": "text"}}})
    assert updated["properties"] == {"profileIds": {"type": "keyword"}, "name": {"type": "text"}}
    assert (await admin.ok("security", "getUserMapping"))["mapping"]["name"] == {"type": "text"}
    assert "policies" in (await admin.ok("security", "getProfileMapping"))["mapping"]
    assert "controllers" in (await admin.ok("security", "getRoleMapping"))["mapping"]
    assert await admin.ok("security", "refresh", collection="users") is None
    error = await admin.error("security", "refresh", collection="docs")
    assert (
        error["message"]
        == "Unexpected argument \"docs\" (accepted arguments: [ 'users', 'profiles', 'roles' ])"
    )
