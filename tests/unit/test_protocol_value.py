"""``kuzzle_browser.protocol.Value``: the dataclass-free records of the core."""

from __future__ import annotations

import pytest

from kuzzle_browser.protocol import Value
from kuzzle_browser.protocol.connection import Close, Open, Send
from kuzzle_browser.protocol.jwt import Jwt
from kuzzle_browser.transport.base import HttpResponse


def test_values_are_equal_by_type_and_fields() -> None:
    assert Send(1, "x") == Send(1, "x") and Send(1, "x") != Send(1, "y")
    assert Open(1) != Close(1)  # same fields, other type
    assert Close(2) == Close(2, 1000) and Close(2) != Close(2, 4000)
    assert HttpResponse(status=200, text="{}") == HttpResponse(200, "{}")
    assert Send(1, "x") != (1, "x")


def test_values_show_their_fields_and_are_not_hashable() -> None:
    assert repr(Close(3)) == "Close(code=1000, sid=3)"
    assert "secret" not in repr(Jwt("secret", "alice", None))  # tokens never reach logs
    with pytest.raises(TypeError):
        hash(Send(1, "x"))
    with pytest.raises(AttributeError):
        Send(1, "x").other = 1  # type: ignore[attr-defined]
    assert isinstance(Send(1, "x"), Value)
