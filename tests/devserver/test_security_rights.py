"""Rights enforced on every request, HTTP and WebSocket alike (kuzzle lib/api/funnel.js
checkRights, User.isActionAllowed, Profile restrictedTo), and the rights answers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from api_client import Api
from conftest import WsClient

from kuzzle_devserver import DevServer

DEMO_FIXTURE = Path(__file__).resolve().parents[2] / "demo" / "securities.json"  # make demo's users
READER = {
    "document": {"actions": {"get": True, "search": True, "create": True, "mCreate": True}},
    "realtime": {"actions": {"subscribe": True, "publish": True}},
    "auth": {"actions": {"login": True, "getMyRights": True, "checkRights": True}},
}


@pytest.fixture
async def admin(server: DevServer, http: aiohttp.ClientSession) -> Api:
    api = await Api(http, server).as_user("alice")
    for collection in ("a", "b"):
        await api.ok("collection", "create", index="demo", collection=collection)
    await api.ok("collection", "create", index="other", collection="a")
    await api.ok("security", "createRole", _id="reader", body={"controllers": READER})
    policies = [{"roleId": "reader", "restrictedTo": [{"index": "demo", "collections": ["a"]}]}]
    await api.ok("security", "createProfile", _id="demo-a", body={"policies": policies})
    await api.ok(
        "security",
        "createUser",
        _id="dave",
        body={
            "content": {"profileIds": ["demo-a"]},
            "credentials": {"local": {"username": "dave", "password": "dave-password"}},
        },
    )
    return api


def forbidden(controller: str, action: str, kuid: str = "dave") -> dict[str, Any]:
    return {
        "id": "security.rights.forbidden",
        "code": 0x07030002,
        "status": 403,
        "props": [controller, action, kuid],
        "message": f'Insufficient permissions to execute the action "{controller}:{action}" (User "{kuid}").',
    }


async def test_restricted_profiles_allow_only_their_index_and_collection(admin: Api) -> None:
    dave = await admin.as_user("dave")
    created = await dave.ok("document", "create", index="demo", collection="a", _id="x", body={"n": 1})
    assert created["_source"]["_kuzzle_info"]["author"] == "dave"
    assert (await dave.ok("document", "get", index="demo", collection="a", _id="x"))["_id"] == "x"
    assert await dave.error("document", "get", index="demo", collection="b", _id="x") == forbidden(
        "document", "get"
    )
    assert (await dave.error("document", "search", index="other", collection="a"))[
        "id"
    ] == "security.rights.forbidden"
    assert await dave.error("document", "delete", index="demo", collection="a", _id="x") == forbidden(
        "document", "delete"
    )
    assert await dave.error("index", "list") == forbidden("index", "list")
    mcreate = await dave.ok(
        "document", "mCreate", index="demo", collection="a", body={"documents": [{"body": {}}]}
    )
    assert len(mcreate["successes"]) == 1
    status, body = await dave.route("GET", "/demo/b/x")
    assert status == 403 and body["error"] == forbidden("document", "get")


async def test_rights_apply_over_websocket_too(
    admin: Api, server: DevServer, ws_connect: Callable[..., Awaitable[WsClient]]
) -> None:
    dave = await admin.as_user("dave")
    ws = await ws_connect(server)
    allowed = await ws.query(
        {
            "controller": "realtime",
            "action": "subscribe",
            "index": "demo",
            "collection": "a",
            "body": {},
            "jwt": dave.jwt,
        }
    )
    assert allowed["status"] == 200
    refused = await ws.query(
        {
            "controller": "realtime",
            "action": "subscribe",
            "index": "demo",
            "collection": "b",
            "body": {},
            "jwt": dave.jwt,
        }
    )
    assert refused["error"] == forbidden("realtime", "subscribe")
    publish = await ws.query(
        {
            "controller": "realtime",
            "action": "publish",
            "index": "other",
            "collection": "a",
            "body": {},
            "jwt": dave.jwt,
        }
    )
    assert publish["error"] == forbidden("realtime", "publish")


async def test_a_role_change_applies_to_the_next_request(admin: Api) -> None:
    dave = await admin.as_user("dave")
    assert (await dave.error("document", "count", index="demo", collection="a"))["status"] == 403
    changed = {**READER, "document": {"actions": {"*": True}}}
    await admin.ok("security", "updateRole", _id="reader", body={"controllers": changed})
    assert await dave.ok("document", "count", index="demo", collection="a") == {"count": 0}
    await admin.ok("security", "updateProfile", _id="demo-a", body={"policies": [{"roleId": "reader"}]})
    assert await dave.ok("document", "count", index="other", collection="a") == {"count": 0}
    await admin.ok("security", "updateUser", _id="dave", body={"profileIds": ["default"]})
    assert (await dave.ok("document", "count", index="other", collection="a")) == {"count": 0}  # default: all


async def test_my_rights_and_check_rights(admin: Api) -> None:
    dave = await admin.as_user("dave")
    rights = await dave.ok("auth", "getMyRights")
    assert rights["total"] == len(rights["hits"]) == 9  # one per action of the role
    assert {
        "action": "get",
        "collection": "a",
        "controller": "document",
        "index": "demo",
        "value": "allowed",
    } in rights["hits"]
    assert await admin.ok("security", "getUserRights", _id="dave") == rights
    assert await admin.ok("security", "getProfileRights", _id="demo-a") == rights
    everything = await admin.ok("auth", "getMyRights")
    assert everything == {
        "hits": [{"action": "*", "collection": "*", "controller": "*", "index": "*", "value": "allowed"}],
        "total": 1,
    }

    asked = {"controller": "document", "action": "get", "index": "demo", "collection": "a"}
    assert await dave.ok("auth", "checkRights", body=asked) == {"allowed": True}
    assert await dave.ok("auth", "checkRights", body={**asked, "collection": "b"}) == {"allowed": False}
    assert await admin.ok("security", "checkRights", userId="dave", body={**asked, "action": "delete"}) == {
        "allowed": False
    }
    missing = await admin.error("security", "checkRights", userId="dave", body={"controller": "document"})
    assert missing["id"] == "api.assert.missing_argument" and missing["props"] == ["body.action"]
    unknown = await admin.error("security", "checkRights", userId="ghost", body=asked)
    assert unknown["id"] == "security.user.not_found"


async def test_targets_must_all_be_allowed(admin: Api) -> None:
    dave = await admin.as_user("dave")
    good = {
        "controller": "document",
        "action": "search",
        "targets": [{"index": "demo", "collections": ["a"]}],
    }
    assert await dave.ok("auth", "checkRights", body=good) == {"allowed": True}
    bad = {**good, "targets": [{"index": "demo", "collections": ["a", "b"]}]}
    assert await dave.ok("auth", "checkRights", body=bad) == {"allowed": False}
    wildcard = {**good, "targets": [{"index": "de*", "collections": ["a"]}]}
    assert await dave.ok("auth", "checkRights", body=wildcard) == {"allowed": False}


@pytest.fixture
def no_admin_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"carol": {"password": "carol-password", "profileIds": ["default"]}}))
    return path


async def test_create_first_admin_with_reset_restricts_anonymous_and_default(
    start_server: Callable[..., Awaitable[DevServer]], http: aiohttp.ClientSession, no_admin_fixture: Path
) -> None:
    server = await start_server(users_file=no_admin_fixture)
    anonymous = Api(http, server)
    assert await anonymous.ok("server", "adminExists") == {"exists": False}
    admin = await anonymous.ok(
        "security",
        "createFirstAdmin",
        _id="root",
        reset=True,
        body={"content": {"name": "Root"}, "credentials": {"local": {"username": "root", "password": "pw"}}},
    )
    assert admin["_id"] == "root" and admin["_source"]["profileIds"] == ["admin"]
    assert admin["_source"]["name"] == "Root"
    root = await anonymous.as_user("root", "pw")
    assert await root.ok("server", "adminExists") == {"exists": True}
    again = await root.error("security", "createFirstAdmin", _id="root2", body={})
    assert again["id"] == "api.process.admin_exists"

    refused = await anonymous.error("document", "search", index="i", collection="c")
    assert refused == {
        "id": "security.rights.unauthorized",
        "code": 0x07030001,
        "status": 401,
        "props": ["document", "search", "-1"],
        "message": 'Unauthorized: authentication required to execute the action "document:search". -1',
    }
    assert (await anonymous.ok("auth", "getCurrentUser"))["_id"] == "-1"
    carol = await anonymous.as_user("carol")
    assert await carol.error("admin", "resetDatabase") == forbidden("admin", "resetDatabase", "carol")
    assert (await carol.ok("auth", "getCurrentUser"))["_id"] == "carol"
    assert await root.ok("security", "getRole", _id="anonymous") == {
        "_id": "anonymous",
        "_source": {
            "controllers": {
                "auth": {
                    "actions": {
                        "checkToken": True,
                        "getCurrentUser": True,
                        "getMyRights": True,
                        "login": True,
                    }
                },
                "server": {"actions": {"publicApi": True, "openapi": True}},
            },
            "_kuzzle_info": (await root.ok("security", "getRole", _id="anonymous"))["_source"][
                "_kuzzle_info"
            ],
        },
    }
    profile = await root.ok("security", "getProfile", _id="default")
    assert profile["_source"]["rateLimit"] == 10


async def test_the_demo_fixture_restricts_users_to_the_demo_collection(
    start_server: Callable[..., Awaitable[DevServer]], http: aiohttp.ClientSession
) -> None:
    server = await start_server(users_file=DEMO_FIXTURE)
    anonymous = Api(http, server)
    assert (await anonymous.error("index", "list"))["id"] == "security.rights.unauthorized"
    editor = await anonymous.as_user("alice")
    demo = {"index": "kuzzle_browser_demo", "collection": "items"}
    await editor.ok("index", "create", index="kuzzle_browser_demo")
    await editor.ok("collection", "create", **demo)
    await editor.ok("document", "create", **demo, _id="1", body={"text": "hi"})
    assert (await editor.error("collection", "create", index="kuzzle_browser_demo", collection="x"))[
        "status"
    ] == 403
    assert (await editor.error("index", "create", index="other"))["status"] == 403
    viewer = await anonymous.as_user("dave")
    assert (await viewer.ok("document", "get", **demo, _id="1"))["_source"]["text"] == "hi"
    assert (await viewer.error("document", "delete", **demo, _id="1"))["id"] == "security.rights.forbidden"
    admin = await anonymous.as_user("admin")
    assert await admin.ok("index", "list") == {"indexes": ["kuzzle_browser_demo"]}


async def test_index_mdelete_and_realtime_list_keep_to_what_the_user_may_touch(
    admin: Api, server: DevServer, ws_connect: Callable[..., Awaitable[WsClient]]
) -> None:
    writer = {**READER, "index": {"actions": {"mDelete": True, "delete": True}},
              "realtime": {"actions": {"list": True, "subscribe": True}}}
    await admin.ok("security", "updateRole", _id="reader", body={"controllers": writer})
    ws = await ws_connect(server)
    for collection in ("a", "b"):
        subscribed = await ws.query({"controller": "realtime", "action": "subscribe", "index": "demo",
                                     "collection": collection, "body": {}, "jwt": admin.jwt})
        assert subscribed["status"] == 200
    dave = await admin.as_user("dave")
    listing = await dave.ok("realtime", "list")
    assert list(listing["demo"]) == ["a"]
    await admin.ok("security", "updateProfile", _id="demo-a", body={"policies": [
        {"roleId": "reader", "restrictedTo": [{"index": "demo"}]}]})
    deleted = await dave.ok("index", "mDelete", body={"indexes": ["demo", "other"]})
    assert deleted == {"deleted": ["demo"]}
    assert (await admin.ok("index", "list"))["indexes"] == ["other"]
