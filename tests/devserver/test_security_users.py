"""security controller: users, their credentials, API keys and tokens
(kuzzle securityController.ts, userRepository.js, the local strategy)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from api_client import Api

from kuzzle_devserver import DevServer

DAVE = {
    "content": {"profileIds": ["default"], "name": "Dave"},
    "credentials": {"local": {"username": "dave", "password": "dave-password"}},
}


@pytest.fixture
async def admin(server: DevServer, http: aiohttp.ClientSession) -> Api:
    return await Api(http, server).as_user("alice")


async def test_create_user_with_credentials_then_log_in(admin: Api) -> None:
    created = await admin.ok("security", "createUser", _id="dave", body=DAVE)
    assert created["_id"] == "dave"
    source = created["_source"]
    assert source["profileIds"] == ["default"] and source["name"] == "Dave"
    assert source["_kuzzle_info"]["author"] == "alice"
    assert await admin.ok("security", "getUser", _id="dave") == created
    dave = await admin.as_user("dave")
    assert (await dave.ok("auth", "getCurrentUser"))["strategies"] == ["local"]
    assert await admin.ok("security", "getUserStrategies", _id="dave") == {
        "strategies": ["local"],
        "total": 1,
    }
    again = await admin.error("security", "createUser", _id="dave", body={"content": DAVE["content"]})
    assert (again["id"], again["status"], again["message"]) == (
        "security.user.already_exists",
        412,
        "User dave already exists.",
    )
    # _persistUser looks for existing credentials first, before the user itself.
    with_credentials = await admin.error("security", "createUser", _id="dave", body=DAVE)
    assert (with_credentials["id"], with_credentials["status"]) == (
        "security.credentials.database_inconsistency",
        500,
    )


@pytest.mark.parametrize(
    ("body", "error_id", "props"),
    [
        ({"content": {"profileIds": ["ghost"]}}, "security.profile.not_found", ["ghost"]),
        ({"content": {"profileIds": []}}, "security.user.no_profile", ["dave"]),
        ({"content": {}}, "api.assert.missing_argument", ["body.content.profileIds"]),
        ({}, "api.assert.missing_argument", ["body.content"]),
        (
            {"content": {"profileIds": ["default"]}, "credentials": {"oauth": {}}},
            "security.credentials.unknown_strategy",
            ["oauth"],
        ),
        (
            {
                "content": {"profileIds": ["default"]},
                "credentials": {"local": {"username": "alice", "password": "x"}},
            },
            "security.credentials.rejected",
            ['username "alice" is already used'],
        ),
        (
            {"content": {"profileIds": ["default"]}, "credentials": {"local": {"username": "dave"}}},
            "security.credentials.rejected",
            ["password must be a non-empty string"],
        ),
    ],
)
async def test_bad_users_are_refused_and_nothing_is_written(
    admin: Api, body: dict[str, Any], error_id: str, props: list[str]
) -> None:
    error = await admin.error("security", "createUser", _id="dave", body=body)
    assert (error["id"], error["props"]) == (error_id, props)
    assert (await admin.error("security", "getUser", _id="dave"))["id"] == "security.user.not_found"
    assert await admin.ok("security", "hasCredentials", strategy="local", _id="dave") is False


async def test_restricted_users_and_generated_ids(admin: Api) -> None:
    user = await admin.ok("security", "createRestrictedUser", body={"content": {"name": "Eve"}})
    assert user["_id"].startswith("kuid-") and user["_source"]["profileIds"] == ["default"]
    forbidden = await admin.error(
        "security", "createRestrictedUser", body={"content": {"profileIds": ["admin"]}}
    )
    assert forbidden["id"] == "api.assert.forbidden_argument"
    assert forbidden["message"] == 'The argument "body.content.profileIds" is not allowed by this API action.'
    uuid_kuid = await admin.ok(
        "security", "createUser", kuid="uuid", body={"content": {"profileIds": ["default"]}}
    )
    assert len(uuid_kuid["_id"]) == len("kuid-") + 36


async def test_update_replace_upsert_and_reads(admin: Api) -> None:
    await admin.ok("security", "createUser", _id="dave", body=DAVE)
    updated = await admin.ok("security", "updateUser", _id="dave", body={"age": 40, "profileIds": ["admin"]})
    assert updated["_source"]["name"] == "Dave" and updated["_source"]["age"] == 40
    assert (
        updated["_source"]["profileIds"] == ["admin"]
        and updated["_source"]["_kuzzle_info"]["updater"] == "alice"
    )
    replaced = await admin.ok("security", "replaceUser", _id="dave", body={"profileIds": ["default"], "x": 1})
    assert "name" not in replaced["_source"] and replaced["_source"]["x"] == 1
    missing = await admin.error("security", "replaceUser", _id="ghost", body={"profileIds": ["default"]})
    assert missing["id"] == "security.user.not_found"
    bad = await admin.error("security", "updateUser", _id="dave", body={"profileIds": ["ghost"]})
    assert bad["id"] == "security.profile.not_found"
    upserted = await admin.ok(
        "security",
        "upsertUser",
        _id="frank",
        body={"content": {"profileIds": ["default"]}, "default": {"name": "Frank"}},
    )
    assert upserted["_source"]["name"] == "Frank"
    upserted = await admin.ok(
        "security",
        "upsertUser",
        _id="frank",
        body={"content": {"profileIds": ["default"], "age": 3}, "default": {"name": "X"}},
    )
    assert upserted["_source"]["name"] == "Frank" and upserted["_source"]["age"] == 3

    hits = await admin.ok("security", "mGetUsers", body={"ids": ["dave", "ghost", "alice"]})
    assert [h["_id"] for h in hits["hits"]] == ["dave", "alice"] or [h["_id"] for h in hits["hits"]] == [
        "alice",
        "dave",
    ]
    status, body = await admin.route("GET", "/users/_mGet?ids=dave,frank")
    assert status == 200 and {h["_id"] for h in body["result"]["hits"]} == {"dave", "frank"}
    found = await admin.ok("security", "searchUsers", body={"query": {"term": {"profileIds": "admin"}}})
    assert [h["_id"] for h in found["hits"]] == ["alice", "bob"] and found["total"] == 2
    page = await admin.ok("security", "searchUsers", size=2, scroll="1m")
    assert page["total"] == 5 and len(page["hits"]) == 2
    rest = await admin.ok("security", "scrollUsers", scrollId=page["scrollId"])
    assert len(rest["hits"]) == 2


async def test_deleting_a_user_ends_its_sessions_credentials_and_keys(admin: Api) -> None:
    await admin.ok("security", "createUser", _id="dave", body=DAVE)
    dave = await admin.as_user("dave")
    key = await admin.ok("security", "createApiKey", userId="dave", body={"description": "ci"})
    assert await admin.ok("security", "deleteUser", _id="dave") == {"_id": "dave"}
    for jwt in (dave.jwt, key["_source"]["token"]):
        assert await admin.ok("auth", "checkToken", body={"token": jwt}) == {
            "valid": False,
            "state": "Invalid token.",
        }
    assert (await dave.error("auth", "getCurrentUser"))["id"] == "security.token.invalid"
    assert await admin.ok("security", "hasCredentials", strategy="local", _id="dave") is False
    envelope = await admin("security", "mDeleteUsers", body={"ids": ["bob", "ghost"]})
    assert envelope["status"] == 206 and envelope["result"] == ["bob"]


async def test_revoke_tokens_keeps_api_keys(admin: Api) -> None:
    carol = await admin.as_user("carol")
    key = await admin.ok("security", "createApiKey", userId="carol", _id="k1", body={"description": "d"})
    assert await admin.ok("security", "revokeTokens", _id="carol") is None
    assert (await carol.error("auth", "getCurrentUser"))["id"] == "security.token.invalid"
    keyed = Api(admin.http, admin.server, key["_source"]["token"])
    assert (await keyed.ok("auth", "getCurrentUser"))["_id"] == "carol"


async def test_credentials_of_any_user(admin: Api) -> None:
    await admin.ok("security", "createUser", _id="dave", body={"content": {"profileIds": ["default"]}})
    created = await admin.ok(
        "security",
        "createCredentials",
        strategy="local",
        _id="dave",
        body={"username": "dave", "password": "pw1"},
    )
    assert created == {"username": "dave", "kuid": "dave"}
    assert await admin.ok("security", "hasCredentials", strategy="local", _id="dave") is True
    assert await admin.ok("security", "getCredentials", strategy="local", _id="dave") == created
    assert await admin.ok("security", "getCredentialsById", strategy="local", _id="dave") == created
    updated = await admin.ok(
        "security", "updateCredentials", strategy="local", _id="dave", body={"username": "davy"}
    )
    assert updated == {"username": "davy", "kuid": "dave"}
    assert (await admin.as_user("davy", "pw1")).jwt
    assert (
        await admin.ok(
            "security", "validateCredentials", strategy="local", body={"username": "new", "password": "x"}
        )
        is True
    )
    taken = await admin.error(
        "security",
        "validateCredentials",
        strategy="local",
        _id="dave",
        body={"username": "alice", "password": "x"},
    )
    assert taken["id"] == "security.credentials.rejected"
    assert await admin.ok("security", "getCredentialFields", strategy="local") == ["username", "password"]
    assert await admin.ok("security", "getAllCredentialFields") == {"local": ["username", "password"]}
    by_name = await admin.ok(
        "security",
        "searchUsersByCredentials",
        strategy="local",
        body={"query": {"term": {"username": "davy"}}},
    )
    assert by_name == {"hits": [{"username": "davy", "kuid": "dave"}], "total": 1}
    assert await admin.ok("security", "deleteCredentials", strategy="local", _id="dave") == {
        "acknowledged": True
    }
    assert await admin.ok("security", "getUserStrategies", _id="dave") == {"strategies": [], "total": 0}
    unknown = await admin.error("security", "getCredentials", strategy="oauth", _id="dave")
    assert unknown["message"] == 'Unknown authentication strategy "oauth"'
    no_user = await admin.error(
        "security",
        "createCredentials",
        strategy="local",
        _id="ghost",
        body={"username": "g", "password": "p"},
    )
    assert no_user["id"] == "security.user.not_found"


async def test_api_keys_of_any_user(admin: Api) -> None:
    key = await admin.ok(
        "security", "createApiKey", userId="carol", _id="k1", expiresIn="1h", body={"description": "ci"}
    )
    source = key["_source"]
    assert key["_id"] == "k1" and source["userId"] == "carol" and source["token"].startswith("kapikey-")
    assert source["ttl"] == 3_600_000 and len(source["fingerprint"]) == 64
    found = await admin.ok("security", "searchApiKeys", userId="carol")
    assert found["total"] == 1 and "token" not in found["hits"][0]["_source"]
    other = await admin.error("security", "deleteApiKey", userId="bob", _id="k1")
    assert other["id"] == "services.storage.not_found"
    assert await admin.ok("security", "deleteApiKey", userId="carol", _id="k1") == {"_id": "k1"}
    assert await admin.ok("auth", "checkToken", body={"token": source["token"]}) == {
        "valid": False,
        "state": "Invalid token.",
    }
    status, body = await admin.route("POST", "/users/ghost/api-keys/_create", {"description": "x"})
    assert status == 404 and body["error"]["id"] == "security.user.not_found"


async def test_security_routes(admin: Api) -> None:
    status, body = await admin.route("GET", "/roles/admin")
    assert status == 200 and body["result"]["_id"] == "admin"
    status, body = await admin.route(
        "PUT", "/roles/r1", {"controllers": {"auth": {"actions": {"login": True}}}}
    )
    assert status == 200 and body["action"] == "createOrReplaceRole"
    status, body = await admin.route("DELETE", "/roles/r1")
    assert (status, body["result"]) == (200, {"_id": "r1"})
    status, body = await admin.route("GET", "/users/carol/_rights")
    assert status == 200 and body["action"] == "getUserRights"
    status, body = await admin.route("POST", "/_security/users/_refresh")
    assert (status, body["result"]) == (200, None)


async def test_security_searches_sort_page_after_and_read_only_mapped_fields(admin: Api) -> None:
    """searchUsers/Profiles/Roles are Elasticsearch searches of the internal index: sort and
    search_after as document:search, lang=koncorde, and only mapped fields (the users
    collection maps profileIds; updateUserMapping adds more) are searchable or sortable."""
    by_id = await admin.ok("security", "searchUsers", body={"sort": [{"_id": "desc"}]})
    ids = [h["_id"] for h in by_id["hits"]]
    assert ids == sorted(ids, reverse=True) and by_id["total"] == len(ids) >= 3
    body = {"sort": [{"_id": "desc"}], "search_after": [ids[0]]}
    after = await admin.ok("security", "searchUsers", body=body)
    assert [h["_id"] for h in after["hits"]] == ids[1:]
    koncorde = await admin.ok("security", "searchUsers", lang="koncorde",
                              body={"query": {"in": {"profileIds": ["admin"]}}})
    assert {h["_id"] for h in koncorde["hits"]} == {"alice", "bob"}
    await admin.ok("security", "createUser", _id="dave", body=DAVE)
    name = DAVE["content"]["name"]
    assert (await admin.ok("security", "searchUsers", body={"query": {"term": {"name": name}}}))["hits"] == []
    unmapped = await admin.error("security", "searchUsers", body={"sort": ["name"]})
    assert unmapped["id"] == "services.storage.unexpected_bad_request"
    await admin.ok("security", "updateUserMapping", body={"properties": {"name": {"type": "keyword"}}})
    body = {"query": {"term": {"name": name}}, "sort": ["name"]}
    found = await admin.ok("security", "searchUsers", body=body)
    assert [h["_id"] for h in found["hits"]] == ["dave"]
    roles = await admin.ok("security", "searchRoles", body={"sort": [{"_id": "asc"}]}, size=2)
    role_ids = [h["_id"] for h in roles["hits"]]
    assert role_ids == sorted(role_ids) and len(role_ids) == 2 and roles["total"] > 2
    profiles = await admin.ok("security", "searchProfiles", body={
        "query": {"term": {"policies.roleId": "admin"}}, "sort": ["_id"]})
    assert [h["_id"] for h in profiles["hits"]] == ["admin"]
