"""admin controller (kuzzle lib/api/controllers/adminController.ts) and its routes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from api_client import Api

from kuzzle_devserver import DevServer

ACK = {"acknowledge": True}
MAPPINGS = {"shop": {"items": {"properties": {"name": {"type": "keyword"}}}}}
FIXTURES = {"shop": {"items": [{"create": {"_id": "a"}}, {"name": "apple"}, {"index": {}}, {"name": "pear"}]}}


@pytest.fixture
async def admin(server: DevServer, http: aiohttp.ClientSession) -> Api:
    return await Api(http, server).as_user("alice")


async def test_load_mappings_then_fixtures(admin: Api) -> None:
    assert await admin.ok("admin", "loadMappings", body=MAPPINGS) == ACK
    mapping = await admin.ok("collection", "getMapping", index="shop", collection="items")
    assert mapping["properties"] == {"name": {"type": "keyword"}}
    assert await admin.ok("admin", "loadFixtures", body=FIXTURES) == ACK
    found = await admin.ok("document", "search", index="shop", collection="items")
    assert sorted(h["_source"]["name"] for h in found["hits"]) == ["apple", "pear"]
    assert found["hits"][0]["_source"]["_kuzzle_info"]["author"] == "alice"

    again = await admin.error(
        "admin", "loadFixtures", body={"shop": {"items": [{"create": {"_id": "a"}}, {}]}}
    )
    assert again["id"] == "services.storage.import_failed" and again["status"] == 206
    assert [e["id"] for e in again["errors"]] == ["services.storage.document_already_exists"]
    unknown = await admin.error("admin", "loadFixtures", body={"shop": {"nope": []}})
    assert unknown["id"] == "services.storage.unknown_collection"


async def test_load_securities_and_existing_users(admin: Api) -> None:
    securities = {
        "roles": {"reader": {"controllers": {"document": {"actions": {"get": True}}}}},
        "profiles": {"readers": {"policies": [{"roleId": "reader"}]}},
        "users": {
            "gus": {
                "content": {"profileIds": ["readers"]},
                "credentials": {"local": {"username": "gus", "password": "gus-pw"}},
            }
        },
    }
    assert await admin.ok("admin", "loadSecurities", body=securities) == ACK
    assert (await admin.as_user("gus", "gus-pw")).jwt
    again = await admin.error("admin", "loadSecurities", body=securities)
    assert (again["id"], again["message"]) == (
        "security.user.prevent_overwrite",
        "Cannot overwrite existing users.",
    )
    assert await admin.ok("admin", "loadSecurities", onExistingUsers="skip", body=securities) == ACK
    changed = {
        "users": {
            "gus": {
                "content": {"profileIds": ["default"]},
                "credentials": {"local": {"username": "gus", "password": "new"}},
            }
        }
    }
    assert await admin.ok("admin", "loadSecurities", onExistingUsers="overwrite", body=changed) == ACK
    assert (await admin.ok("security", "getUser", _id="gus"))["_source"]["profileIds"] == ["default"]
    bad = await admin.error("admin", "loadSecurities", onExistingUsers="merge", body=changed)
    assert (
        bad["message"]
        == "Unexpected argument \"onExistingUsers\" (accepted arguments: [ 'skip', 'overwrite', 'fail' ])"
    )
    broken = {
        "roles": {"ok": {"controllers": {"auth": {"actions": {"login": True}}}}},
        "profiles": {"p": {"policies": [{"roleId": "ghost"}]}},
    }
    assert (await admin.error("admin", "loadSecurities", body=broken))["id"] == "security.role.not_found"
    assert (await admin.error("security", "getRole", _id="ok"))[
        "id"
    ] == "security.role.not_found"  # all or nothing


async def test_reset_security_restores_a_fresh_kuzzle(admin: Api) -> None:
    await admin.ok(
        "security", "createRole", _id="r", body={"controllers": {"auth": {"actions": {"login": True}}}}
    )
    assert await admin.ok("admin", "resetSecurity") == {
        "deletedUsers": 3,
        "deletedProfiles": 3,
        "deletedRoles": 4,
    }
    anonymous = Api(admin.http, admin.server)
    assert (await anonymous.ok("security", "searchRoles"))["total"] == 3
    assert await anonymous.ok("security", "searchUsers") == {"hits": [], "total": 0}
    assert (await admin.error("auth", "getCurrentUser"))["id"] == "security.token.invalid"


async def test_reset_database_cache_and_dump(
    admin: Api, server: DevServer, tmp_path: Path, start_server: Callable[..., Awaitable[DevServer]]
) -> None:
    await admin.ok("admin", "loadMappings", body=MAPPINGS)
    assert await admin.ok("admin", "resetDatabase") == ACK
    assert await admin.ok("index", "list") == {"indexes": []}
    assert await admin.ok("admin", "refreshIndexCache") is None
    assert await admin.ok("admin", "resetCache", database="memoryStorage") == ACK
    missing = await admin.error("admin", "resetCache", database="other")
    assert (missing["id"], missing["message"]) == (
        "services.cache.database_not_found",
        'Cache database "other" not found.',
    )
    assert await admin.ok("admin", "resetCache", database="internalCache") == ACK
    assert (await admin.error("auth", "getCurrentUser"))["id"] == "security.token.invalid"

    dumped = await start_server(data_dir=tmp_path)
    assert await Api(admin.http, dumped).ok("admin", "dump", suffix="t") == ACK
    assert [p.name.endswith("-t") for p in (tmp_path / "dump").iterdir()] == [True]


async def test_admin_routes_and_the_removed_reset_kuzzle_data(admin: Api) -> None:
    status, body = await admin.route("POST", "/admin/_loadMappings", MAPPINGS)
    assert (status, body["result"]) == (200, ACK)
    status, body = await admin.route("POST", "/admin/_resetKuzzleData")
    assert status == 404 and body["error"]["id"] == "api.process.action_not_found"


async def test_shutdown_answers_then_stops(
    start_server: Callable[..., Awaitable[DevServer]], http: aiohttp.ClientSession
) -> None:
    server = await start_server()
    stopped = asyncio.Event()
    server.on_shutdown = stopped.set
    api = Api(http, server)
    assert await api.ok("admin", "shutdown") == ACK
    locked = await api.error("admin", "shutdown")
    assert (locked["id"], locked["props"]) == (
        "api.process.action_locked",
        ["Kuzzle is already shutting down."],
    )
    await asyncio.wait_for(stopped.wait(), 5)
