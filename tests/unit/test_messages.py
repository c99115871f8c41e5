"""Level 1: request encoding and bad-frame errors (routing is tested in test_connection.py)."""

from __future__ import annotations

import json

import pytest

from kuzzle_browser.errors import InvalidArgumentError
from kuzzle_browser.protocol.connection import (
    PING_FRAME,
    PONG_FRAME,
    bad_frame,
    encode_request,
    parse_frame,
)


def test_ping_frame_is_kuzzles_application_ping() -> None:
    """The browser ping is exactly the text {"p":1}, its answer {"p":2}."""
    assert (json.loads(PING_FRAME), json.loads(PONG_FRAME)) == ({"p": 1}, {"p": 2})


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("not json", "not JSON"),
        ("[1,2]", "not a JSON object"),
        ("42", "not a JSON object"),
        (b"\x00\x01", "binary frame of 2 bytes"),
        ("x" * 500, "x" * 120 + "..."),
    ],
)
def test_bad_frames_become_typed_errors(data: str | bytes, fragment: str) -> None:
    """A frame that is not Kuzzle's is named in a ProtocolError, cut to an excerpt."""
    error = bad_frame(
        data, json.JSONDecodeError("Expecting value", "x", 0) if fragment == "not JSON" else None
    )
    assert fragment in str(error) and "x" * 121 not in str(error)
    assert error.id == "sdk.protocol.malformed_frame"


def test_encode_is_compact_json() -> None:
    """Requests go out as compact JSON, non-ASCII kept as is."""
    assert encode_request({"controller": "server", "action": "now", "x": "é"}) == (
        '{"controller":"server","action":"now","x":"é"}'
    )


def _cycle() -> dict[str, object]:
    looped: dict[str, object] = {}
    looped["self"] = looped
    return looped


@pytest.mark.parametrize("value", [{1, 2}, b"x", float("nan"), float("-inf"), _cycle()])
def test_encode_rejects_what_json_cannot_carry(value: object) -> None:
    """Unserializable requests fail before anything is sent, with a typed error."""
    with pytest.raises(InvalidArgumentError, match="cannot be sent as JSON"):
        encode_request({"controller": "c", "action": "a", "body": {"v": value}})


@pytest.mark.parametrize(
    "text",
    [
        r'{"a":[1,{"b":null}],"c":"\u00e9"}',
        ' \n{"a": 1} ',
        '"x"',
        "[]",
        "3.5",
        "null",
        r'{"a":"\ud83d\ude00"}',
    ],
)
def test_frames_parse_as_json_loads_does(text: str) -> None:
    """The hot path's parser gives json.loads' value, blanks around the frame included."""
    assert parse_frame(text) == json.loads(text)


def test_a_frame_nested_too_deeply_is_a_value_error() -> None:
    """Bad input, not a crash: json's RecursionError becomes the ValueError of a bad frame."""
    with pytest.raises(ValueError, match="nests too deeply"):
        parse_frame("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("text", ["", " ", "nope", '{"a":1} x', '{"a":1}{}', '{"a":', "NaN-ish"])
def test_frames_that_are_not_json_raise_as_json_loads_does(text: str) -> None:
    """A frame that is not one JSON value raises ValueError, as json.loads would."""
    with pytest.raises(ValueError) as raised:
        parse_frame(text)
    with pytest.raises(ValueError) as expected:
        json.loads(text)
    assert str(raised.value) == str(expected.value)
