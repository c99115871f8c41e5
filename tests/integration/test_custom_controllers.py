"""Level 2: an app's own controllers (BaseController + Kuzzle.use_controller) over the fake peer."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from mypy import api as mypy_api

from kuzzle_browser import BadRequestError, BaseController, InvalidArgumentError, Kuzzle, WebSocket

from .conftest import within
from .fakes import FakeTransport


class GreetingController(BaseController):
    name = "greeting"

    async def say_hello(self, name: str) -> str:
        result = await self._result("sayHello", {"name": name})
        return str(result["greeting"])


def make(transport: FakeTransport) -> Kuzzle:
    return Kuzzle(WebSocket("127.0.0.1", transport=transport))


async def test_use_controller_adds_an_attribute_and_returns_the_controller(transport: FakeTransport) -> None:
    """kuzzle.use_controller(Cls, "greeting") is kuzzle.greeting; its actions go through Kuzzle.query."""
    transport.peer.handlers["greeting:sayHello"] = lambda r: {"result": {"greeting": f"Hi {r['name']}"}}
    kuzzle = make(transport)
    greeting = kuzzle.use_controller(GreetingController, "greeting")
    assert kuzzle.greeting is greeting and greeting.kuzzle is kuzzle  # type: ignore[attr-defined]
    await within(kuzzle.connect())
    assert await within(greeting.say_hello("ann")) == "Hi ann"
    sent = transport.peer.requests[-1]
    assert (sent["controller"], sent["action"], sent["name"]) == ("greeting", "sayHello", "ann")
    assert sent["volatile"]["sdkInstanceId"] == kuzzle.protocol.id


def test_each_protocol_instance_has_its_own_version_4_uuid(transport: FakeTransport) -> None:
    """``protocol.id`` (``volatile.sdkInstanceId``) has the JS SDK's form, str(uuid.uuid4())."""
    import uuid

    made = [WebSocket("127.0.0.1", transport=transport).id for _ in range(500)]
    assert len(set(made)) == 500
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122


async def test_query_defaults_to_the_controller_name(transport: FakeTransport) -> None:
    """BaseController.query fills controller, as in the JS SDK; Kuzzle's errors come through typed."""
    transport.peer.handlers["shop/cart:add"] = lambda r: {"result": r["body"]}
    transport.peer.handlers["other:fail"] = lambda r: {
        "status": 400,
        "error": {"id": "api.assert.invalid_argument", "status": 400, "message": "no"},
    }
    kuzzle = make(transport)
    cart = BaseController(kuzzle, "shop/cart")  # the JS SDK's constructor(kuzzle, name)
    await within(kuzzle.connect())
    response = await within(cart.query({"action": "add", "body": {"sku": 1}}, refresh="wait_for"))
    assert response["result"] == {"sku": 1} and transport.peer.requests[-1]["refresh"] == "wait_for"
    with pytest.raises(BadRequestError):
        await cart.query({"controller": "other", "action": "fail"})
    with pytest.raises(InvalidArgumentError):
        await cart.query("add")  # type: ignore[arg-type]


class Nameless(BaseController):
    pass


class Unbound(BaseController):
    name = "unbound"

    def __init__(self, kuzzle: Kuzzle) -> None:
        super().__init__(Kuzzle(WebSocket("elsewhere")))


@pytest.mark.parametrize(
    ("controller_class", "accessor", "message"),
    [
        (GreetingController, "", "valid accessor"),
        (GreetingController, "_private", "valid accessor"),
        (GreetingController, "class", "valid accessor"),
        (GreetingController, "my-ctl", "valid accessor"),
        (GreetingController, "document", "already a controller with the accessor 'document'"),
        (GreetingController, "connect", "already a controller with the accessor 'connect'"),
        (GreetingController, "jwt", "already a controller with the accessor 'jwt'"),
        (Nameless, "nameless", "Controllers must have a name."),
        (Unbound, "unbound", "You must pass the Kuzzle SDK instance"),
        (dict, "d", "not a BaseController subclass"),
    ],
)
def test_use_controller_errors(
    transport: FakeTransport, controller_class: Any, accessor: str, message: str
) -> None:
    """The JS SDK's checks (accessor, duplicates, name, bound SDK), plus Python identifiers only."""
    kuzzle = make(transport)
    with pytest.raises(InvalidArgumentError, match=message):
        kuzzle.use_controller(controller_class, accessor)
    assert not hasattr(kuzzle, accessor) or accessor in ("document", "connect", "jwt")


def test_an_accessor_cannot_be_used_twice(transport: FakeTransport) -> None:
    """Registering a second controller on the same accessor fails and keeps the first."""
    kuzzle = make(transport)
    first = kuzzle.use_controller(GreetingController, "greeting")
    with pytest.raises(InvalidArgumentError, match="already a controller"):
        kuzzle.use_controller(GreetingController, "greeting")
    assert kuzzle.greeting is first  # type: ignore[attr-defined]


def test_mypy_checks_custom_controller_calls(tmp_path: Path) -> None:
    """use_controller returns the subclass type: mypy sees its awaitables and checks their arguments.

    Both protocols satisfy NetworkProtocol, or Kuzzle(...) would be an error too."""
    source = tmp_path / "app.py"
    source.write_text(
        textwrap.dedent(
            """
            from kuzzle_browser import BaseController, Http, Kuzzle, WebSocket

            class GreetingController(BaseController):
                name = "greeting"

                async def say_hello(self, name: str) -> str:
                    return str(await self._result("sayHello", {"name": name}))

            async def main() -> None:
                kuzzle = Kuzzle(WebSocket("127.0.0.1"))
                greeting = kuzzle.use_controller(GreetingController, "greeting")
                reveal_type(greeting)
                pending = greeting.say_hello("ann")
                reveal_type(pending)
                text: str = await pending
                await greeting.say_hello(42)
                Kuzzle(Http("127.0.0.1")).use_controller(GreetingController, "greeting")
            """
        )
    )
    # reveal_type(coroutine) itself counts as an unused coroutine: not the point here.
    options = ["--strict", "--no-incremental", "--cache-dir=/dev/null"]
    options.append("--disable-error-code=unused-coroutine")
    out, _, status = mypy_api.run([*options, str(source)])
    assert status == 1, out
    assert 'Revealed type is "app.GreetingController"' in out
    assert 'Revealed type is "typing.Coroutine[Any, Any, str]"' in out
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 1 and 'Argument 1 to "say_hello"' in errors[0], out
