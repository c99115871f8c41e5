"""``kuzzle_server.load(...)`` of the pytest plugin: mappings, fixtures and securities in one
call through the admin HTTP API (so it also works against a real Kuzzle)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest
from api_client import Api

from kuzzle_devserver import DevServer
from pytest_kuzzle_browser.harness import KuzzleServer
from pytest_kuzzle_browser.loading import KuzzleLoadError

SECURITIES = {
    "roles": {
        "shop-reader": {
            "controllers": {"document": {"actions": {"search": True}}, "auth": {"actions": {"login": True}}}
        }
    },
    "profiles": {"shop": {"policies": [{"roleId": "shop-reader", "restrictedTo": [{"index": "shop"}]}]}},
    "users": {
        "hal": {
            "content": {"profileIds": ["shop"]},
            "credentials": {"local": {"username": "hal", "password": "hal-pw"}},
        }
    },
}


async def test_load_from_files_and_dicts(
    server: DevServer, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    mappings = tmp_path / "mappings.json"
    mappings.write_text(json.dumps({"shop": {"items": {"properties": {"name": {"type": "keyword"}}}}}))
    fixtures = {"shop": {"items": [{"create": {"_id": "1"}}, {"name": "apple"}]}}
    kuzzle = KuzzleServer(url=server.url)
    await asyncio.to_thread(kuzzle.load, mappings=mappings, fixtures=fixtures, securities=SECURITIES)

    hal = await Api(http, server).as_user("hal", "hal-pw")
    found = await hal.ok("document", "search", index="shop", collection="items")
    assert [h["_source"]["name"] for h in found["hits"]] == ["apple"]

    with pytest.raises(KuzzleLoadError) as refused:
        await asyncio.to_thread(kuzzle.load, securities=SECURITIES)
    assert refused.value.error["id"] == "security.user.prevent_overwrite"
    await asyncio.to_thread(
        kuzzle.load,
        securities=SECURITIES,
        on_existing_users="skip",
        login={"username": "alice", "password": "alice-password"},
    )
