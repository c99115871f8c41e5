"""App controllers (Kuzzle's ``app.controller.register``): funnel, HTTP routes, publicApi."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from conftest import ServerFactory, WsClient, WsFactory, login

from kuzzle_devserver import DevServer
from kuzzle_devserver.app_controllers import TEST_CONTROLLER, ActionDefinition


async def test_public_api_lists_the_routes_kuzzle_builds(
    start_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    """Relative paths get /_/, a missing route becomes GET /_/<kebab>/<kebab>, absolute paths stay."""
    server = await start_server(test_controller=True)
    async with http.get(f"{server.url}/_publicApi") as response:
        greeting = (await response.json())["result"]["greeting"]
    assert greeting["sayHello"] == {
        "action": "sayHello",
        "controller": "greeting",
        "http": [{"path": "/_/greeting/hello/:name", "url": "/_/greeting/hello/:name", "verb": "POST"}],
    }
    assert greeting["echo"]["http"][0]["url"] == "/_/greeting/echo"
    assert greeting["fail"]["http"][0] == {"path": "/greeting/fail", "url": "/greeting/fail", "verb": "GET"}


async def test_actions_over_http(start_server: ServerFactory, http: aiohttp.ClientSession) -> None:
    """Placeholders, query strings and bodies reach the handler; its error is Kuzzle's envelope."""
    server = await start_server(test_controller=True)
    async with http.post(f"{server.url}/_/greeting/hello/ann%20b?x=1", json={"k": [1]}) as response:
        body = await response.json()
    assert response.status == 200 and body["controller"] == "greeting" and body["action"] == "sayHello"
    assert body["result"] == {"greeting": "Hello, ann b!", "kuid": "-1", "body": {"k": [1]}}
    async with http.get(f"{server.url}/_/greeting/echo?flag&n=2") as response:
        assert (await response.json())["result"]["args"] == {"flag": "", "n": "2"}
    async with http.get(f"{server.url}/greeting/fail") as response:
        error = (await response.json())["error"]
    assert response.status == 400 and error["id"] == "api.assert.invalid_argument"
    assert error["message"] == 'Invalid argument "greeting:fail". Expected: nothing: this action always fails'


async def test_actions_over_websocket_with_a_user(server: DevServer, ws_connect: WsFactory) -> None:
    """The control surface registers it at runtime; a logged-in caller is the handler's user."""
    client: WsClient = await ws_connect(server)
    missing = await client.query({"controller": "greeting", "action": "echo", "requestId": "r0"})
    assert missing["error"]["id"] == "api.process.controller_not_found"
    assert server.enable_test_controller() is True and server.enable_test_controller() is False
    jwt = await login(client)
    answer = await client.query(
        {"controller": "greeting", "action": "sayHello", "name": "bob", "jwt": jwt, "requestId": "r1"}
    )
    assert answer["result"]["greeting"] == "Hello, bob!" and answer["result"]["kuid"] == "alice"
    no_name = await client.query({"controller": "greeting", "action": "sayHello", "requestId": "r2"})
    assert no_name["status"] == 400 and no_name["error"]["id"] == "api.assert.missing_argument"


async def test_control_surface_registers_the_test_controller(
    server: DevServer, http: aiohttp.ClientSession
) -> None:
    """POST /_devserver/test-controller: registered once, then reported as already there."""
    for registered in (True, False):
        async with http.post(f"{server.url}/_devserver/test-controller") as response:
            assert await response.json() == {"controller": "greeting", "registered": registered}
    async with http.get(f"{server.url}/_/greeting/echo") as response:
        assert response.status == 200


async def _noop(request: Any) -> None:
    return None


@pytest.mark.parametrize(
    ("name", "actions", "message"),
    [
        ("document", {"x": ActionDefinition(_noop)}, "Native controllers cannot be overriden"),
        ("greeting", {"x": ActionDefinition(_noop)}, "A controller with this name already exists"),
        ("empty", {}, "no action"),
    ],
)
async def test_registration_errors(
    start_server: ServerFactory, name: str, actions: dict[str, ActionDefinition], message: str
) -> None:
    """Kuzzle refuses native names and duplicates (plugin.assert.invalid_controller_definition)."""
    server = await start_server(test_controller=True)
    with pytest.raises(ValueError, match=message):
        server.register_controller(name, actions)
    assert set(TEST_CONTROLLER) == {"sayHello", "echo", "fail"}
